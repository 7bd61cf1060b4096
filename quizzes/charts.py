"""The geometry of the score chart on the progress page: pure, drawn by the template as SVG.

No chart library and no inline style: the template places these numbers in SVG attributes
and the stylesheet colours them.
"""

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 320
HEIGHT = 140
LEFT = 34  # room for the percentages on the axis
RIGHT = 10
TOP = 10
BOTTOM = 10
GRID = (0, 50, 100)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    percent: int


@dataclass(frozen=True)
class Gridline:
    y: float
    percent: int


@dataclass(frozen=True)
class ScoreChart:
    width: int
    height: int
    left: int
    right: float
    points: tuple[Point, ...]
    gridlines: tuple[Gridline, ...]

    @property
    def polyline(self) -> str:
        return " ".join(f"{point.x},{point.y}" for point in self.points)


def _y(percent: int) -> float:
    return round(TOP + (100 - percent) * (HEIGHT - TOP - BOTTOM) / 100, 1)


def score_chart(scores: Sequence[tuple[str, int]]) -> ScoreChart:
    """Scores (a label and a percentage each, oldest first) as points across the chart."""
    span = WIDTH - LEFT - RIGHT
    step = span / (len(scores) - 1) if len(scores) > 1 else 0
    points = tuple(
        Point(
            x=round(LEFT + (index * step if len(scores) > 1 else span / 2), 1),
            y=_y(max(0, min(100, percent))),
            label=label,
            percent=percent,
        )
        for index, (label, percent) in enumerate(scores)
    )
    return ScoreChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        points=points,
        gridlines=tuple(Gridline(y=_y(percent), percent=percent) for percent in GRID),
    )
