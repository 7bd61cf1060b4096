"""Running a session: created, moved on by the host's buttons, finished (or ended when idle); the
host's counts, and closing a question once everyone has answered."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from quizzes.live.cache import session_questions
from quizzes.live.scoring import answers_score
from quizzes.models import LiveAnswer, LiveSession, Participant, Question


def session_create(*, quiz, host, **options) -> LiveSession:
    """A new session in its lobby, with a join code no other active session has."""
    for _ in range(10):
        try:
            with transaction.atomic():
                return LiveSession.objects.create(quiz=quiz, host=host, **options)
        except IntegrityError:  # the code is taken by an active session: 1 in ~10⁸ per session
            continue
    raise RuntimeError("Could not find a free join code")


HOST_ACTIONS = {"start", "close", "reveal", "standings", "next", "finish", "lock", "unlock"}


def host_act(*, session: LiveSession, action: str, seen: int | None = None) -> bool:
    """A host's button: move the session (once, however often it is pressed; see `seen` in
    LiveSession._move), and score the answers a closed question has. Returns whether it moved."""
    match action:
        case "start":
            return session.start(seen=seen)
        case "close":
            moved = session.close(seen=seen)
        case "reveal":
            moved = session.reveal(seen=seen)
        case "standings":
            return session.standings_show(seen=seen)
        case "next":  # after the last question, once it is revealed: the results
            if not session.has_next(len(session_questions(session))):
                return session.status in LiveSession.ANSWER_SHOWN and session_finish(session=session, seen=seen)
            moved = session.advance(total=len(session_questions(session)), seen=seen)
        case "finish":
            return session_finish(session=session, seen=seen)
        case "lock" | "unlock":
            return session.lock(action == "lock")
        case _:
            raise ValueError(f"No such action: {action}")
    answers_score(session=session)
    return moved


def session_finish(*, session: LiveSession, seen: int | None = None) -> bool:
    """End the session: every answer is scored, and every participant's attempt is finished with
    its score, so it counts in their progress like any quiz (questions left unanswered count as
    not right)."""
    with transaction.atomic():
        if not session.finish(seen=seen):
            return False
        answers_score(session=session)
    return True


IDLE_AFTER = timedelta(days=1)


def sessions_end_idle(*, idle: timedelta = IDLE_AFTER, now: datetime | None = None) -> list[LiveSession]:
    """End every lobby or session in which nothing has happened for `idle`: no question opened,
    nobody joined, moved on or answered. Ended like any session (answers scored, attempts
    finished), which frees its code for a new one. Returns the sessions ended."""
    since = (now or timezone.now()) - idle
    recent = Q(joined_at__gt=since) | Q(opened_at__gt=since)
    busy_players = Participant.objects.filter(recent, session=OuterRef("pk"))
    busy_answers = LiveAnswer.objects.filter(participant__session=OuterRef("pk"), created_at__gt=since)
    idle_sessions = (
        LiveSession.objects.active()
        .filter(created_at__lte=since)
        .exclude(opened_at__gt=since)
        .exclude(Exists(busy_players))
        .exclude(Exists(busy_answers))
    )
    return [session for session in idle_sessions if session_finish(session=session)]


@dataclass(frozen=True)
class HostCounts:
    joined: int
    answered: int  # answers to the question on screen (teacher-paced), or in all (student-paced)
    unscored: int

    def stamp(self, session: LiveSession, now: datetime) -> str:
        """What the host's screen shows changes also with every join and every answer."""
        return f"{session.stamp().value(now)}.{self.joined}.{self.answered}"


def host_counts(session: LiveSession, question: Question | None = None) -> HostCounts:
    """Who has joined and answered (`question`, or any), and how many answers wait to be scored:
    one query, whatever the class size."""
    answers = Q(answers__question=question) if question is not None else Q()
    counts = Participant.objects.filter(session=session, removed=False).aggregate(
        joined=Count("pk", distinct=True),
        answered=Count("answers", filter=answers),
        unscored=Count("answers", filter=Q(answers__response__isnull=True)),
    )
    return HostCounts(**counts)


def host_settle(session: LiveSession, counts: HostCounts, now: datetime) -> None:
    """The host's screen completes what a step left (a worker killed half way through scoring,
    an answer that arrived within the grace after the reveal): answers of a question no longer
    open are scored. Nothing to do costs nothing: `counts` has already been read."""
    if counts.unscored and not (session.status == LiveSession.Status.OPEN and not session.time_up(now)):
        answers_score(session=session)


def everyone_answered(session: LiveSession, counts: HostCounts) -> bool:
    """Teacher-paced: whether every player still in the session has answered the question on screen."""
    return session.is_teacher_paced and 0 < counts.joined <= counts.answered


def host_close_when_all_answered(session: LiveSession, counts: HostCounts, now: datetime) -> bool:
    """With the session's option on (the default), the open question closes by itself, and is
    scored, once every player has answered it. Done on the host's poll, from the counts it reads
    anyway: an answer stays one INSERT, whatever the class size. Returns whether it closed."""
    if not (session.close_when_all_answered and session.status == LiveSession.Status.OPEN):
        return False
    if session.time_up(now) or not everyone_answered(session, counts):
        return False
    # The version seen: if the host pressed a button meanwhile, theirs wins and this does nothing.
    return host_act(session=session, action="close", seen=session.version)
