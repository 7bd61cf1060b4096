"""A player's screen: which one they see now, and whether it is shared by everyone at this version."""

from dataclasses import dataclass
from datetime import datetime

from quizzes.models import LiveAnswer, LiveSession, Participant, Question


@dataclass(frozen=True)
class Screen:
    """What a player's screen shows now: lobby, ask (the question, open), wait (answered or
    closed, before the reveal), answer (the key: after the reveal, or student-paced once
    answered or out of time), done (student-paced: no question left), finished or removed."""

    name: str
    number: int = 0
    question: Question | None = None
    given: LiveAnswer | None = None

    SHARED = frozenset({"lobby", "ask", "wait", "answer"})

    @property
    def shared(self) -> bool:
        """Whether the screen itself (not the player's own line above it) is the same for every
        player who sees it at this version: then it is rendered once for all of them."""
        return self.name in self.SHARED

    @property
    def key(self) -> str:
        return f"screen:{self.name}:{self.number}"


UNREAD = object()


def player_screen(participant: Participant, questions: list[Question], now: datetime, given=UNREAD) -> Screen:
    """The screen of `participant` now. `given`: their answer to the question on it, when the
    caller has it (an answer just stored); otherwise it is read (one query)."""
    session = participant.session
    if participant.removed:
        return Screen("removed")
    if session.is_finished:
        return Screen("finished")
    if session.status == LiveSession.Status.LOBBY:
        return Screen("lobby")
    number = session.number_for(participant)
    if not 1 <= number <= len(questions):
        return Screen("done", number)
    question = questions[number - 1]
    if given is UNREAD or (given is not None and given.question_id != question.pk):
        given = LiveAnswer.objects.filter(participant=participant, question=question).first()
    if session.is_teacher_paced and session.status in LiveSession.ANSWER_SHOWN:
        name = "answer"
    elif given is None and session.open_for(participant, now):
        name = "ask"
    else:
        name = "wait" if session.is_teacher_paced else "answer"
    return Screen(name, number, question, given)
