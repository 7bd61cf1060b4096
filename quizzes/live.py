"""Live classroom sessions: starting, joining, answering, scoring, and what the screens read.

The state machine is `LiveSession`'s methods (quizzes/models.py). Here are the workflows
around it, and the reads the host's and students' screens make.

The database is the truth. Students' screens poll a small stamp (version, status, when the
question closes) that `stamp_read` serves from the cache every worker shares: Redis with
REDIS_URL, otherwise files on the machine (config/settings.py). A poll writes nothing and
touches no session; each change of state writes the fresh stamp once it is committed.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from quizzes.generation import ordinal
from quizzes.models import (
    STAMP_TIMEOUT,
    Attempt,
    FailedJoin,
    Learner,
    LiveAnswer,
    LiveSession,
    Participant,
    Question,
    Response,
    Stamp,
    stamp_key,
)
from quizzes.services import answer_submit

# An answer sent as the timer runs out is still on the wire when it does: it counts if it
# reaches the server within this grace after the question closed.
GRACE = timedelta(seconds=2)
POINTS = 1000  # for a right answer
SPEED_BONUS = 500  # at most, for an instant right answer: speed never outweighs one more right answer
# Wrong codes: 20 in ten minutes from one browser, 200 from one address, then 429 for every
# join from it. A class behind one school address gets in even when a few students mistype;
# a guesser who drops cookies shares the address's 200, against 27⁶ (387 million) codes.
FAILED_JOIN_LIMIT = 20
FAILED_JOIN_ADDRESS_LIMIT = 200
FAILED_JOIN_WINDOW = timedelta(minutes=10)
PODIUM = 3
PER_VERSION_TIMEOUT = 60 * 60  # what a session's screens share, per version (see _per_version)
STANDINGS_SHOWN = 5

NO_SUCH_SESSION = "No live session has that code. Check the code on the screen and try again."
TOO_MANY_TRIES = "Too many wrong codes from this network. Wait a few minutes, then try again."
LOCKED = "The teacher has closed this session to new players."
REMOVED = "The teacher removed you from this session."
NICKNAME_TAKEN = "Someone in this session already has that nickname. Choose another."
NOT_OPEN = "This question is not open for answers now."
TOO_LATE = "Time was up: your answer arrived after the question closed, so it was not counted."


class RefusedError(Exception):
    """A join or an answer the session cannot take; the message says why, for the student."""


# Starting


def session_create(*, quiz, host, **options) -> LiveSession:
    """A new session in its lobby, with a join code no other active session has."""
    for _ in range(10):
        try:
            with transaction.atomic():
                return LiveSession.objects.create(quiz=quiz, host=host, **options)
        except IntegrityError:  # the code is taken by an active session: 1 in ~10⁸ per session
            continue
    raise RuntimeError("Could not find a free join code")


def _per_version(session: LiveSession, name: str, compute):
    """`compute()`, once per version of the session for every worker, through the shared cache.

    When a question opens or its answer is revealed, a whole class fetches its screen within two
    seconds: what is the same for all of them is read from the database once, not 300 times."""
    key = f"{stamp_key(session.public_id)}:{name}:{session.version}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, PER_VERSION_TIMEOUT)
    return value


def session_questions(session: LiveSession) -> list[Question]:
    """The questions of the session's quiz, in order, ready to be asked and graded (with
    `quizzes.answers.with_sources` for the one whose answer is shown). Read once per version of
    the session: a teacher's edit to a question shows from the session's next step."""

    def read() -> list[Question]:
        return list(session.quiz.questions.accepted().select_related("fact", "topic").prefetch_related("options"))

    return _per_version(session, "questions", read)


def session_finish(*, session: LiveSession, seen: int | None = None) -> bool:
    """End the session: every participant's attempt is finished with its score, so it counts in
    their progress like any quiz (questions left unanswered count as not right)."""
    with transaction.atomic():
        if not session.finish(seen=seen):
            return False
        right = (
            Response.objects.filter(attempt=OuterRef("pk"), is_correct=True)
            .order_by()
            .values("attempt")
            .annotate(n=Count("pk"))
            .values("n")
        )
        Attempt.objects.filter(participant__session=session, finished_at__isnull=True).update(
            finished_at=session.finished_at, score=Coalesce(Subquery(right, output_field=IntegerField()), Value(0))
        )
    return True


# Polling


def stamp_read(public_id) -> Stamp | None:
    """The session's stamp for a poll: from the cache, or (once per expiry) from the database."""
    key = stamp_key(public_id)
    stamp = cache.get(key)
    if stamp is None:
        session = LiveSession.objects.filter(public_id=public_id).only("version", "status", "closes_at").first()
        if session is None:
            return None
        stamp = session.stamp()
        # add, not set: a change committed meanwhile has written a newer stamp, which must stay.
        cache.add(key, stamp, STAMP_TIMEOUT)
    return stamp


def host_stamp(session: LiveSession, now: datetime) -> str:
    """What the host's screen shows changes also with every join and every answer: one query."""
    counts = Participant.objects.filter(session=session, removed=False).aggregate(
        joined=Count("pk", distinct=True), answered=Count("answers")
    )
    return f"{session.stamp().value(now)}.{counts['joined']}.{counts['answered']}"


# Joining


def join_blocked(ip: str, browser: str, now: datetime | None = None) -> bool:
    """Whether this browser, or this address, has tried too many wrong codes lately. Counted in
    the database, so every worker (and every machine) shares the count; successful joins are
    never counted."""
    now = now or timezone.now()
    recent = FailedJoin.objects.filter(ip=ip, created_at__gt=now - FAILED_JOIN_WINDOW)
    counts = recent.aggregate(address=Count("pk"), browser=Count("pk", filter=Q(browser=browser)))
    return counts["browser"] >= FAILED_JOIN_LIMIT or counts["address"] >= FAILED_JOIN_ADDRESS_LIMIT


def join_failed(ip: str, browser: str, now: datetime | None = None) -> None:
    now = now or timezone.now()
    FailedJoin.objects.filter(created_at__lte=now - FAILED_JOIN_WINDOW).delete()
    FailedJoin.objects.create(ip=ip, browser=browser, created_at=now)


def browser_key(csrf_cookie: str) -> str:
    """Which browser guesses: a digest of its CSRF cookie (every form post carries it), not the secret itself."""
    return hashlib.sha256(csrf_cookie.encode()).hexdigest()[:16] if csrf_cookie else ""


def nickname_key(nickname: str) -> str:
    return nickname.casefold()  # "ß" folds to "ss": the key may be longer than the nickname


def session_find(code: str) -> LiveSession:
    """The active session with `code`. An unknown code and an ended session's are refused alike."""
    session = LiveSession.objects.active().filter(code=code).select_related("quiz").first()
    if session is None:
        raise RefusedError(NO_SUCH_SESSION)
    return session


def session_join(*, session: LiveSession, learner: Learner, nickname: str, numbered: bool = False) -> Participant:
    """`learner` in `session`: their participant from before if they had joined (a reload,
    another tab, a lost connection), or a new one with `nickname`.

    With `numbered`, a taken nickname gets a number ("Anna 2"), for signed-in students who join
    under their display name; otherwise a taken nickname is refused. Raises RefusedError.
    """
    existing = Participant.objects.filter(session=session, learner=learner).first()
    if existing is not None:
        if existing.removed:
            raise RefusedError(REMOVED)
        return existing
    if session.locked:
        raise RefusedError(LOCKED)
    candidates = [nickname] + ([f"{nickname[:17]} {n}" for n in range(2, 100)] if numbered else [])
    for candidate in candidates:
        try:
            return _participant_create(session=session, learner=learner, nickname=candidate)
        except IntegrityError:
            if again := Participant.objects.filter(session=session, learner=learner).first():
                return again  # the same student in two tabs at once
    raise RefusedError(NICKNAME_TAKEN)


def _participant_create(*, session: LiveSession, learner: Learner, nickname: str) -> Participant:
    with transaction.atomic():
        # Seed 0 keeps the author's order, for a session that does not shuffle (see Attempt.shuffled).
        attempt = Attempt.objects.create(quiz=session.quiz, learner=learner, **({} if session.shuffle else {"seed": 0}))
        return Participant.objects.create(
            session=session,
            learner=learner,
            attempt=attempt,
            nickname=nickname,
            nickname_key=nickname_key(nickname),
            opened_at=timezone.now(),
        )


def participant_remove(*, session: LiveSession, participant_id: int) -> bool:
    """The host removes a participant: they cannot answer or rejoin, and leave the leaderboard."""
    if session.is_finished:
        return False  # the results stand as they were when it ended
    with transaction.atomic():
        if not Participant.objects.filter(session=session, pk=participant_id, removed=False).update(removed=True):
            return False
        session.bump()
    return True


# Answering


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
    """When the question `number` opened for this participant; RefusedError when it takes no answer now."""
    session = participant.session
    if participant.removed:
        raise RefusedError(REMOVED)
    if session.is_teacher_paced:
        # Revealed already: an answer sent before the time ran out still counts within the grace.
        taking = {LiveSession.Status.OPEN, LiveSession.Status.CLOSED, LiveSession.Status.REVEALED}
        if session.status not in taking or session.position != number:
            raise RefusedError(NOT_OPEN)
        if session.closes_at is not None and now > session.closes_at + GRACE:
            raise RefusedError(TOO_LATE)
        return session.opened_at
    if session.status != LiveSession.Status.OPEN or participant.position != number:
        raise RefusedError(NOT_OPEN)
    if (
        session.timer
        and participant.opened_at
        and now > participant.opened_at + timedelta(seconds=session.timer) + GRACE
    ):
        raise RefusedError(TOO_LATE)
    return participant.opened_at


def answer_give(
    *, participant: Participant, question: Question, number: int, answer: dict, total: int | None = None
) -> LiveAnswer:
    """Store a participant's answer to question `number` once, with its points.

    A second submission (a double click, a retry after a lost connection) stores nothing and
    returns the first, even after the question closed. Raises RefusedError for an answer to a
    question not open now, or one arriving after the time (plus GRACE) ran out. The answer is
    also the attempt's Response, so it counts in the student's progress and review. `total`,
    the number of questions, saves counting them.
    """
    arrived = timezone.now()  # the time that counts: not after waiting for the database's write lock
    try:
        _answer_window(participant, number, arrived)
    except RefusedError:
        # Refused now, but answered in time before: the retry gets its answer back.
        if given := LiveAnswer.objects.filter(participant=participant, question=question).first():
            return given
        raise
    with transaction.atomic():
        # Checked again on the rows as they are now: the host may have revealed or finished, or
        # removed this player, since the request began. (SQLite's IMMEDIATE transaction holds
        # the write lock, so no move can commit in between.)
        participant.session = session = LiveSession.objects.select_related("quiz").get(pk=participant.session_id)
        participant.removed = Participant.objects.filter(pk=participant.pk).values_list("removed", flat=True)[0]
        opened_at = _answer_window(participant, number, arrived)
        response, stored = answer_submit(attempt=participant.attempt, question=question, answer=answer, total=total)
        if not stored:
            return LiveAnswer.objects.get(participant=participant, question=question)
        elapsed = arrived - opened_at if opened_at else None
        return LiveAnswer.objects.create(
            participant=participant,
            question=question,
            response=response,
            is_correct=response.is_correct,
            points=points_for(
                correct=response.is_correct, scoring=session.scoring, elapsed=elapsed, limit=session.timer
            ),
            elapsed_ms=max(int(elapsed.total_seconds() * 1000), 0) if elapsed else None,
        )


def participant_advance(*, participant: Participant, number: int, question: Question) -> bool:
    """Student-paced: move on from question `number` to the next, once it is answered or its
    time is up: a question is not skipped."""
    session = participant.session
    if session.status != LiveSession.Status.OPEN or participant.position != number:
        return False
    time_up = (
        session.timer is not None
        and participant.opened_at is not None
        and timezone.now() >= participant.opened_at + timedelta(seconds=session.timer)
    )
    if not time_up and not participant.answers.filter(question=question).exists():
        return False
    moved = Participant.objects.filter(pk=participant.pk, position=number).update(
        position=number + 1, opened_at=timezone.now()
    )
    participant.refresh_from_db(fields=["position", "opened_at"])
    return bool(moved)


# Reading


@dataclass(frozen=True)
class Standing:
    rank: int
    participant_id: int
    nickname: str
    points: int
    right: int

    @property
    def place(self) -> str:
        return ordinal(self.rank)


def standings(session: LiveSession) -> list[Standing]:
    """Everyone still in the session, by points (then right answers); equal scores share a rank.
    Once answers are closed (revealed, leaderboard, finished) it is read once per version."""
    settled = {LiveSession.Status.REVEALED, LiveSession.Status.STANDINGS, LiveSession.Status.FINISHED}
    in_grace = session.closes_at is not None and timezone.now() <= session.closes_at + GRACE
    if session.status in settled and not in_grace:
        return _per_version(session, "standings", lambda: _standings_read(session))
    return _standings_read(session)


def _standings_read(session: LiveSession) -> list[Standing]:
    rows = (
        Participant.objects.filter(session=session, removed=False)
        .annotate(
            total=Coalesce(Sum("answers__points"), 0),
            right=Count("answers", filter=Q(answers__is_correct=True)),
        )
        .order_by("-total", "-right", "nickname_key", "pk")
        .values_list("pk", "nickname", "total", "right")
    )
    result: list[Standing] = []
    for index, (pk, nickname, total, right) in enumerate(rows, start=1):
        tied = result and (result[-1].points, result[-1].right) == (total, right)
        result.append(Standing(result[-1].rank if tied else index, pk, nickname, total, right))
    return result


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: int
    correct: bool


def distribution(session: LiveSession, question: Question) -> list[Bar]:
    """How the participants answered `question`: one bar per option (choice questions), or right
    and wrong (typed, ordering and matching answers). Options must be prefetched."""
    answers = list(
        Response.objects.filter(
            live_answer__participant__session=session, live_answer__participant__removed=False, question=question
        ).values_list("answer", "is_correct")
    )
    total = len(answers) or 1
    if question.kind in {Question.Kind.SINGLE, Question.Kind.TRUE_FALSE, Question.Kind.MULTIPLE}:
        counts = {option.pk: 0 for option in question.options.all()}
        for answer, _ in answers:
            for pk in answer.get("options", []):
                if pk in counts:
                    counts[pk] += 1
        return [
            Bar(option.text, counts[option.pk], round(100 * counts[option.pk] / total), option.is_correct)
            for option in question.options.all()
        ]
    right = sum(correct for _, correct in answers)
    return [
        Bar("Right", right, round(100 * right / total), True),
        Bar("Not right", len(answers) - right, round(100 * (len(answers) - right) / total), False),
    ]


def answered_count(session: LiveSession, question: Question) -> int:
    return LiveAnswer.objects.filter(
        participant__session=session, participant__removed=False, question=question
    ).count()


def grid(session: LiveSession, questions: list[Question]) -> list[tuple[Participant, list[bool | None]]]:
    """Student-paced: each participant with, per question, right (True), wrong (False) or not yet (None)."""
    participants = list(session.participants.filter(removed=False))
    marks = {
        (participant_id, question_id): correct
        for participant_id, question_id, correct in LiveAnswer.objects.filter(participant__session=session).values_list(
            "participant_id", "question_id", "is_correct"
        )
    }
    return [(p, [marks.get((p.pk, q.pk)) for q in questions]) for p in participants]
