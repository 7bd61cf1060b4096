"""Mastery of a topic, from a learner's answers: pure, no database.

Five levels, after Khan Academy's, computed from three numbers per topic:
- *recent accuracy*: the share right of the learner's last RECENT answers on the topic's questions;
- *known*: the share of the topic's facts whose latest answer was right;
- *secure*: the share of the topic's facts whose latest answer was right and whose memory has
  held across a gap (FSRS stability of SECURE_DAYS or more: in practice, recalled again in a
  spaced review days after it was first learnt).

| Level       | Needs                                                                  |
|-------------|------------------------------------------------------------------------|
| Not started | no answer yet on the topic                                             |
| Attempted   | at least one answer                                                    |
| Familiar    | recent accuracy ≥ 60%                                                  |
| Proficient  | recent accuracy ≥ 80% and known ≥ 50% of the topic's facts             |
| Mastered    | recent accuracy ≥ 90% and secure ≥ 80% of the topic's facts            |

The facts of a topic are those its published quizzes ask about: what a learner can meet.
"""

import enum
from dataclasses import dataclass
from fractions import Fraction

RECENT = 10  # answers
SECURE_DAYS = 7.0

# Fractions, so that 6 right out of 10 is exactly 60%: a threshold's edge is never a rounding error.
FAMILIAR_ACCURACY = Fraction(6, 10)
PROFICIENT_ACCURACY = Fraction(8, 10)
PROFICIENT_KNOWN = Fraction(5, 10)
MASTERED_ACCURACY = Fraction(9, 10)
MASTERED_SECURE = Fraction(8, 10)


class Level(enum.IntEnum):
    NOT_STARTED = 0
    ATTEMPTED = 1
    FAMILIAR = 2
    PROFICIENT = 3
    MASTERED = 4

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()

    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")


@dataclass(frozen=True)
class TopicStats:
    facts: int = 0  # the topic's facts a learner can meet
    known: int = 0  # of them, whose latest answer was right
    secure: int = 0  # of those, whose memory has held across a gap
    recent_right: int = 0
    recent_total: int = 0  # at most RECENT

    @property
    def accuracy(self) -> Fraction:
        return Fraction(self.recent_right, self.recent_total) if self.recent_total else Fraction(0)

    def share(self, count: int) -> Fraction:
        return Fraction(count, self.facts) if self.facts else Fraction(0)

    @property
    def accuracy_percent(self) -> int:
        return round(self.accuracy * 100)


def level(stats: TopicStats) -> Level:
    if stats.recent_total == 0:
        return Level.NOT_STARTED
    if stats.accuracy >= MASTERED_ACCURACY and stats.share(stats.secure) >= MASTERED_SECURE:
        return Level.MASTERED
    if stats.accuracy >= PROFICIENT_ACCURACY and stats.share(stats.known) >= PROFICIENT_KNOWN:
        return Level.PROFICIENT
    if stats.accuracy >= FAMILIAR_ACCURACY:
        return Level.FAMILIAR
    return Level.ATTEMPTED
