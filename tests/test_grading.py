"""Typed answers are graded tolerantly, but never so loosely that a wrong answer passes."""

import pytest
import yaml
from django.conf import settings
from hypothesis import given
from hypothesis import settings as settings_for_hypothesis
from hypothesis import strategies as st

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


# Over the real fact base: every accepted answer passes, in any case and with stray punctuation;
# no distractor ever does, so a student who picks a wrong value is never marked right.

FACTS = [
    fact
    for fact in yaml.safe_load((settings.CONTENT_DIR / "facts.yaml").read_text())
    if len(fact["answer"]) == 1 and fact.get("quizzable", True)
]


@pytest.mark.parametrize("fact", FACTS, ids=lambda fact: str(fact["key"]))
def test_the_fact_base_s_answers_pass_and_its_distractors_fail(fact):
    accepted = [str(value) for value in (*fact["answer"], *(fact.get("accept") or []))]
    rejected = [str(value) for value in fact.get("distractors") or []]
    for value in accepted:
        assert text_matches(value, accepted, rejected), value
    for value in rejected:
        assert not text_matches(value, accepted, rejected), value


@settings_for_hypothesis(max_examples=200, deadline=None)
@given(fact=st.sampled_from(FACTS), data=st.data())
def test_case_and_punctuation_never_matter(fact, data):
    accepted = [str(value) for value in (*fact["answer"], *(fact.get("accept") or []))]
    value = data.draw(st.sampled_from(accepted))
    flips = data.draw(st.lists(st.booleans(), min_size=len(value), max_size=len(value)))
    typed = "".join(c.upper() if flip else c.lower() for c, flip in zip(value, flips, strict=True))
    before = data.draw(st.sampled_from(["", " ", "“", "("]))
    typed = before + typed + data.draw(st.sampled_from(["", ".", "!", " ", ")"]))
    assert text_matches(typed, accepted, [str(d) for d in fact.get("distractors") or []])
