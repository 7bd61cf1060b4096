"""Mastery levels at the edges of their thresholds, and the score chart's geometry: pure, no database."""

import pytest

from quizzes import charts
from quizzes.mastery import Level, TopicStats, level


def stats(right: int, total: int, *, facts: int = 10, known: int = 0, secure: int = 0) -> TopicStats:
    return TopicStats(facts=facts, known=known, secure=secure, recent_right=right, recent_total=total)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (stats(0, 0), Level.NOT_STARTED),
        (stats(0, 1), Level.ATTEMPTED),
        # Familiar from 60% of recent answers right.
        (stats(5, 10), Level.ATTEMPTED),
        (stats(6, 10), Level.FAMILIAR),
        (stats(3, 5), Level.FAMILIAR),
        (stats(1, 1), Level.FAMILIAR),
        # Proficient from 80% right *and* half the topic's facts known.
        (stats(8, 10, known=5), Level.PROFICIENT),
        (stats(8, 10, known=4), Level.FAMILIAR),
        (stats(7, 10, known=10), Level.FAMILIAR),
        (stats(4, 5, facts=7, known=4), Level.PROFICIENT),  # 4/7 ≥ 1/2
        (stats(4, 5, facts=9, known=4), Level.FAMILIAR),  # 4/9 < 1/2
        # Mastered from 90% right *and* 80% of the facts remembered across a gap.
        (stats(9, 10, known=10, secure=8), Level.MASTERED),
        (stats(9, 10, known=10, secure=7), Level.PROFICIENT),
        (stats(8, 10, known=10, secure=10), Level.PROFICIENT),
        (stats(10, 10, facts=0), Level.FAMILIAR),  # no fact to know: never beyond familiar
    ],
)
def test_levels_at_the_edges_of_their_thresholds(given, expected):
    assert level(given) == expected


def test_levels_read_as_words_and_order_as_numbers():
    assert [item.label for item in Level] == ["Not started", "Attempted", "Familiar", "Proficient", "Mastered"]
    assert Level.NOT_STARTED.slug == "not-started"
    assert Level.ATTEMPTED < Level.MASTERED


def test_accuracy_is_exact_at_sixty_per_cent():
    assert stats(6, 10).accuracy_percent == 60
    assert stats(2, 3).accuracy_percent == 67


def test_the_chart_places_scores_left_to_right_and_high_scores_high():
    chart = charts.score_chart([("first", 0), ("second", 50), ("third", 100)])
    xs = [point.x for point in chart.points]
    ys = [point.y for point in chart.points]
    assert xs == [charts.LEFT, (charts.LEFT + chart.right) / 2, chart.right]
    assert ys == [charts.HEIGHT - charts.BOTTOM, charts.HEIGHT / 2, charts.TOP]
    assert chart.polyline == f"{xs[0]},{ys[0]} {xs[1]},{ys[1]} {xs[2]},{ys[2]}"
    assert [line.percent for line in chart.gridlines] == [0, 50, 100]
    assert [line.y for line in chart.gridlines] == [ys[0], ys[1], ys[2]]


def test_one_score_sits_in_the_middle_and_none_draws_nothing():
    (point,) = charts.score_chart([("only", 75)]).points
    assert point.x == (charts.LEFT + charts.WIDTH - charts.RIGHT) / 2
    assert point.label == "only" and point.percent == 75
    assert charts.score_chart([]).points == ()
