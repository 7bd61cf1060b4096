"""Grading answers: pure functions, no database.

Typed answers are graded tolerantly, because no question may turn on spelling or typography:
case, accents, punctuation, a leading article, "$", thousands separators, "14th", "June 14"
against "14 June", hedges like "about", a few words around the answer ("President Lukashenko")
and a slip of one or two letters in a long name all pass. A typed answer that contains a
negation or names a distractor does not.
"""

import difflib
import re
from collections.abc import Collection, Mapping, Sequence

from explainer.text import plain

MONTH = "january|february|march|april|may|june|july|august|september|october|november|december"
HEDGES = re.compile(r"\b(?:about|around|roughly|approximately|some|almost|nearly)\s+")
NEGATIONS = {"not", "no", "never", "nor", "isnt", "wasnt"}
MAX_EXTRA_WORDS = 3
MIN_FUZZY_LENGTH = 6
FUZZY_RATIO = 0.85
MAX_TEXT_LENGTH = 200


def normalise(text: str) -> str:
    """The form in which typed answers are compared."""
    text = re.sub(r"(?<=\d)[,\u00a0 ](?=\d{3}\b)", "", text)  # 70,000 -> 70000
    text = plain(text)
    text = re.sub(r"\b(\d+)(?:st|nd|rd|th)\b", r"\1", text)  # 14th -> 14
    text = re.sub(rf"\b({MONTH}) (\d{{1,2}})\b", r"\2 \1", text)  # june 14 -> 14 june
    text = re.sub(r"\b(\d+(?:\.\d+)?) ?m\b", r"\1 million", text)
    text = re.sub(r"\b(\d+(?:\.\d+)?) ?bn\b", r"\1 billion", text)
    text = re.sub(r"\b(\d+) (?:per cent|percent)\b", r"\1", text)
    text = re.sub(r"\b(?:us|usd|dollars?)\b", " ", text)
    text = HEDGES.sub("", text)
    return " ".join(text.split())


def _contains(words: list[str], part: list[str]) -> bool:
    return any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))


def _close(response: str, answer: str) -> float:
    return difflib.SequenceMatcher(None, response, answer).ratio()


def text_matches(response: str, accepted: Sequence[str], rejected: Sequence[str] = ()) -> bool:
    """Whether a typed `response` gives one of the `accepted` answers and none of the `rejected` ones."""
    if len(response) > MAX_TEXT_LENGTH:
        return False  # before normalising: no regex work on an overlong response
    given = normalise(response)
    if not given:
        return False
    answers = [normalise(answer) for answer in accepted]
    wrong = [normalise(value) for value in rejected]
    if given in answers:
        return True
    words = given.split()
    if set(words) & NEGATIONS or any(value and _contains(words, value.split()) for value in wrong):
        return False
    for answer in answers:
        if _contains(words, answer.split()) and len(words) - len(answer.split()) <= MAX_EXTRA_WORDS:
            return True
    # A slip of a letter or two in a long name, as long as no wrong answer is as close.
    if any(char.isdigit() for char in given):
        return False
    best = max((_close(given, answer) for answer in answers if len(answer) >= MIN_FUZZY_LENGTH), default=0.0)
    return best >= FUZZY_RATIO and all(_close(given, value) < best for value in wrong)


def choice_correct(chosen: Collection[int], correct: Collection[int]) -> bool:
    """Single choice, true/false and multiple select: exactly the correct options, no more, no fewer."""
    return set(chosen) == set(correct)


def order_correct(given: Sequence[int], correct: Sequence[int]) -> bool:
    return list(given) == list(correct)


def pairs_correct(given: Mapping[int, int]) -> bool:
    """Matching: each item is paired with its own match (both sides are keyed by the item)."""
    return bool(given) and all(left == right for left, right in given.items())
