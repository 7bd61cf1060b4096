"""Answering: one INSERT per answer, inside the question's time (and its grace), points for it,
and a student-paced player moving on."""

from contextlib import nullcontext
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from quizzes.live.refusals import NOT_OPEN, REMOVED, TOO_LATE, RefusedError
from quizzes.live.scoring import answers_score
from quizzes.models import GRACE, LiveAnswer, LiveSession, Participant, Question

POINTS = 1000  # for a right answer
SPEED_BONUS = 500  # at most, for an instant right answer: speed never outweighs one more right answer


def points_for(*, correct: bool, scoring: str, elapsed: timedelta | None, limit: int | None) -> int:
    """Points for one answer, by the server's clock only. A right answer earns 1,000; with the
    speed bonus, up to 500 more, falling linearly to none as the time runs out. A wrong answer
    earns nothing, however fast."""
    if not correct:
        return 0
    if scoring != LiveSession.Scoring.SPEED or not limit or elapsed is None:
        return POINTS
    left = 1 - min(max(elapsed.total_seconds() / limit, 0.0), 1.0)
    return POINTS + round(SPEED_BONUS * left)


def _answer_window(participant: Participant, number: int, now: datetime) -> datetime | None:
    """When question `number` opened for this participant; RefusedError when it takes no answer now."""
    session = participant.session
    if participant.removed:
        raise RefusedError(REMOVED)
    if session.number_for(participant) != number:
        raise RefusedError(NOT_OPEN)
    # Teacher-paced, closed or even revealed already: an answer sent in time still counts within the grace.
    taking = LiveSession.TAKING if session.is_teacher_paced else {LiveSession.Status.OPEN}
    if session.status not in taking:
        raise RefusedError(NOT_OPEN)
    deadline = session.deadline_for(participant)
    if deadline is not None and now > deadline + GRACE:
        raise RefusedError(TOO_LATE)
    return session.opened_for(participant)


def answer_give(*, participant: Participant, question: Question, number: int, answer: dict) -> LiveAnswer:
    """Store a participant's answer to question `number` once, judged and given its points now.

    One INSERT: the participant comes with its session as this request read it, and the time
    that counts is the answer's arrival, so whatever the host does meanwhile, an answer that
    arrived in time counts. A second submission (a double click, a retry after a lost connection)
    meets the unique constraint and gets the first back, even after the question closed. Raises
    RefusedError for a question not open now, or an answer after the time (plus GRACE) ran out.
    Progress and review follow in bulk when the question closes (`answers_score`).
    """
    arrived = timezone.now()
    try:
        opened_at = _answer_window(participant, number, arrived)
    except RefusedError:
        # Refused now, but answered in time before: the retry gets its answer back.
        if given := LiveAnswer.objects.filter(participant=participant, question=question).first():
            return given
        raise
    session = participant.session
    correct = question.grade(answer)
    elapsed = arrived - opened_at if opened_at else None
    given = LiveAnswer(
        participant=participant,
        question=question,
        answer=answer,
        is_correct=correct,
        points=points_for(correct=correct, scoring=session.scoring, elapsed=elapsed, limit=session.timer),
        elapsed_ms=max(int(elapsed.total_seconds() * 1000), 0) if elapsed else None,
        created_at=arrived,
    )
    # On its own the INSERT is its own transaction; inside one (a caller's, a test's) a failed
    # INSERT must not spoil it, so it gets a savepoint there.
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            given.save(force_insert=True)
    except IntegrityError:
        if (first := LiveAnswer.objects.filter(participant=participant, question=question).first()) is None:
            raise RefusedError(REMOVED) from None  # no such player any more (their row is gone)
        return first
    return given


def participant_advance(*, participant: Participant, number: int, answered: bool) -> bool:
    """Student-paced: move on from question `number` to the next, once it is answered (`answered`)
    or its time is up: a question is not skipped. Their answer is scored as they move on."""
    session = participant.session
    if session.status != LiveSession.Status.OPEN or participant.position != number:
        return False
    if not answered and session.open_for(participant, timezone.now()):
        return False
    moved = Participant.objects.filter(pk=participant.pk, position=number).update(
        position=number + 1, opened_at=timezone.now()
    )
    participant.refresh_from_db(fields=["position", "opened_at"])
    if moved and answered:
        answers_score(session=session, participant=participant)
    return bool(moved)
