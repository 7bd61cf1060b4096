"""Typed answers are graded tolerantly, but never so loosely that a wrong answer passes."""

import pytest

from quizzes.grading import choice_correct, normalise, order_correct, pairs_correct, text_matches

LUKASHENKO = ["Alexander Lukashenko", "Lukashenko", "Lukashenka", "Alexander Lukashenka"]


@pytest.mark.parametrize(
    ("response", "accepted"),
    [
        ("alexander lukashenko", LUKASHENKO),
        ("LUKASHENKA", LUKASHENKO),
        ("  Lukashenko. ", LUKASHENKO),
        ("President Lukashenko", LUKASHENKO),  # words around the answer
        ("Lukashenco", LUKASHENKO),  # a slip of one letter in a long name
        ("Chisinau", ["Chișinău"]),  # diacritics
        ("$500 million", ["500 million"]),
        ("500 million", ["$500 million"]),
        ("$500m", ["$500 million"]),
        ("500 million dollars", ["$500 million"]),
        ("US$2 bn", ["$2 billion"]),
        ("70000 tonnes", ["70,000 tonnes"]),
        ("24 per cent", ["about 24%"]),
        ("June 6, 2009", ["6 June 2009"]),
        ("6th June 2009", ["6 June 2009"]),
        ("the CSTO", ["CSTO"]),
        ("Csto", ["the CSTO"]),
        ("in Moscow", ["Moscow"]),
        ("the Soviet Union", ["Soviet Union"]),
    ],
)
def test_accepted(response, accepted):
    assert text_matches(response, accepted)


@pytest.mark.parametrize(
    ("response", "accepted", "rejected"),
    [
        ("", LUKASHENKO, []),
        ("   ", LUKASHENKO, []),
        ("Medvedev", LUKASHENKO, ["Dmitry Medvedev"]),
        ("not Lukashenko", LUKASHENKO, []),
        ("Lukashenko or Medvedev", LUKASHENKO, ["Medvedev"]),
        ("7 June 2009", ["6 June 2009"], []),
        ("16 June 2009", ["6 June 2009"], []),
        ("600 million", ["$500 million"], []),
        ("Minsk", ["Moscow"], ["Minsk"]),
        ("Moskva is where the summit was held in June of that year", ["Moscow"], []),
        ("x" * 201, ["x" * 201], []),
    ],
)
def test_rejected(response, accepted, rejected):
    assert not text_matches(response, accepted, rejected)


def test_a_near_miss_closer_to_a_distractor_is_wrong():
    # Close to the answer, but closer to a wrong answer: no benefit of the doubt.
    assert text_matches("Sergey Sidorsky", ["Sergei Sidorsky"], ["Sergei Sidorov"])
    assert not text_matches("Sergey Sidorov", ["Sergei Sidorsky"], ["Sergei Sidorov"])


def test_normalise_is_stable():
    assert normalise("On June 14th, 2009") == "on 14 june 2009"
    assert normalise(normalise("The $2 bn loan")) == normalise("The $2 bn loan")


def test_choices_orders_and_pairs():
    assert choice_correct([3], [3])
    assert not choice_correct([3, 4], [3])
    assert not choice_correct([], [3])
    assert order_correct([1, 2, 3], [1, 2, 3])
    assert not order_correct([2, 1, 3], [1, 2, 3])
    assert pairs_correct({1: 1, 2: 2})
    assert not pairs_correct({1: 2, 2: 1})
    assert not pairs_correct({})
