"""What the projector reads: standings and places moved, the answers' distribution, the
student-paced grid."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from quizzes.generation import ordinal
from quizzes.live.cache import per_version
from quizzes.live.tiles import Marker, tiles
from quizzes.models import GRACE, LiveAnswer, LiveSession, Participant, Question

PODIUM = 3
STANDINGS_SHOWN = 5


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
    in_grace = session.closes_at is not None and timezone.now() <= session.closes_at + GRACE
    if session.status in LiveSession.SETTLED and not in_grace:
        return per_version(session, "standings", lambda: _standings_read(session))
    return _standings_read(session)


def standing_of(rows: list[Standing], participant: Participant) -> Standing | None:
    return next((row for row in rows if row.participant_id == participant.pk), None)


def place_above(rows: list[Standing], standing: Standing) -> Standing | None:
    """The nearest player placed above `standing` (the lowest of them, if several share it): the
    place to catch up with next. None for the leaders."""
    above = [row for row in rows if row.rank < standing.rank]
    return above[-1] if above else None


def standings_moved(session: LiveSession, question: Question) -> dict[int, int]:
    """Teacher-paced, on the leaderboard after `question`: how many places each player moved
    with it (up: positive), against the standings before it. Read once per version, like the
    standings; empty after the first question, when everyone started level."""
    if session.position <= 1:
        return {}

    def read() -> dict[int, int]:
        before = {row.participant_id: row.rank for row in _standings_read(session, without=question)}
        return {row.participant_id: before[row.participant_id] - row.rank for row in standings(session)}

    in_grace = session.closes_at is not None and timezone.now() <= session.closes_at + GRACE
    return read() if in_grace else per_version(session, "moved", read)


def _standings_read(session: LiveSession, without: Question | None = None) -> list[Standing]:
    right = Q(answers__is_correct=True)
    counted = None
    if without is not None:  # the standings as they were before that question
        counted = ~Q(answers__question=without)
        right &= counted
    rows = (
        Participant.objects.filter(session=session, removed=False)
        .annotate(
            total=Coalesce(Sum("answers__points", filter=counted), 0),
            right=Count("answers", filter=right),
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
    marker: Marker | None = None


def distribution(session: LiveSession, question: Question) -> list[Bar]:
    """How the participants answered `question`: one bar per option in the session's order
    (choice questions), or right and wrong (typed, ordering and matching answers). Options must
    be prefetched."""
    answers = list(
        LiveAnswer.objects.filter(
            participant__session=session, participant__removed=False, question=question
        ).values_list("answer", "is_correct")
    )
    total = len(answers) or 1
    if choices := tiles(session, question):
        counts = dict.fromkeys((tile.option_id for tile in choices), 0)
        for answer, _ in answers:
            for pk in answer.get("options", []):
                if pk in counts:
                    counts[pk] += 1
        return [
            Bar(
                tile.text, counts[tile.option_id], round(100 * counts[tile.option_id] / total), tile.is_key, tile.marker
            )
            for tile in choices
        ]
    right = sum(correct for _, correct in answers)
    return [
        Bar("Right", right, round(100 * right / total), True),
        Bar("Not right", len(answers) - right, round(100 * (len(answers) - right) / total), False),
    ]


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
