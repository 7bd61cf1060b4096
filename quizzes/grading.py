"""Grading answers: pure functions, no database.

Typed answers are graded tolerantly, because no question may turn on spelling or typography:
case, accents, punctuation, a leading article, "$", thousands separators, "14th", "June 14"
against "14 June", hedges like "about", a few words around the answer ("President Lukashenko")
and a slip of one or two letters in a long name all pass. A typed answer that contains a
negation or names a distractor does not.
"""

import difflib
import math
import re
from collections.abc import Collection, Mapping, Sequence

from explainer.text import plain
from quizzes.generation import number_read

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


# Part marks, as Moodle gives them for a question imported with its weights (fractions of the
# marks, from -1 to 1). A question without weights is marked all or nothing, as above.

FULL = 1.0
EPSILON = 1e-6  # Moodle's fractions have seven decimals: 0.3333333 × 3 is full marks


def choice_score(chosen: Collection[int], weights: Mapping[int, float]) -> float:
    """Moodle's multiple choice: the sum of the chosen options' fractions, from 0 to 1. (A single
    choice chooses one: its fraction, at least 0.) An option not in `weights` is worth 0."""
    total = math.fsum(weights.get(option, 0.0) for option in set(chosen))
    return 1.0 if total >= FULL - EPSILON else max(0.0, round(total, 7))


def text_score(response: str, accepted: Sequence[str], weights: Sequence[float], rejected: Sequence[str] = ()) -> float:
    """Moodle's short answer with weighted answers: the fraction of the best accepted answer the
    response gives (tolerantly, as `text_matches`), or 0. `weights` runs beside `accepted`; a
    missing weight is full marks."""
    fractions = [weights[index] if index < len(weights) else FULL for index in range(len(accepted))]
    given = normalise(response) if len(response) <= MAX_TEXT_LENGTH else ""
    exact = [fraction for answer, fraction in zip(accepted, fractions, strict=True) if normalise(answer) == given]
    if given and exact:
        return max(exact)
    # Otherwise the best answer it matches tolerantly; the others count as wrong answers for it,
    # so that "cat" is not "frog" misspelt.
    ranked = sorted(range(len(accepted)), key=lambda index: -fractions[index])
    for index in ranked:
        others = [answer for other, answer in enumerate(accepted) if other != index]
        if fractions[index] > 0 and text_matches(response, [accepted[index]], [*rejected, *others]):
            return fractions[index]
    return 0.0


def score_words(score: float) -> str:
    """A score as a student reads it: "full marks", "half marks", "a third of the marks", "no marks"."""
    if score >= FULL - EPSILON:
        return "full marks"
    if score <= EPSILON:
        return "no marks"
    named = {1 / 2: "half marks", 1 / 3: "a third of the marks", 2 / 3: "two thirds of the marks"}
    named |= {1 / 4: "a quarter of the marks", 3 / 4: "three quarters of the marks"}
    for value, words in named.items():
        if abs(score - value) < 1e-4:
            return words
    return f"{score * 100:.4g}% of the marks"


def marks(total: float) -> int | float:
    """Marks as shown: a whole number as one, part marks to two decimals."""
    total = round(total, 2)
    return int(total) if total.is_integer() else total


def number_score(
    response: str, values: Sequence[str], tolerances: Sequence[float], weights: Sequence[float] = ()
) -> float:
    """Moodle's numerical question: the fraction of the best answer whose margin holds the typed
    number (|typed - value| <= tolerance), or 0. A missing tolerance is 0, a missing weight full marks."""
    if len(response) > MAX_TEXT_LENGTH or (typed := number_read(response)) is None:
        return 0.0
    best = 0.0
    for index, written in enumerate(values):
        value = number_read(written)
        tolerance = abs(tolerances[index]) if index < len(tolerances) else 0.0
        weight = weights[index] if index < len(weights) else FULL
        # A hair of slack: 0.1 + 0.2 is 0.30000000000000004 in binary.
        if value is not None and abs(typed - value) <= tolerance + 1e-9 * max(1.0, abs(value)):
            best = max(best, weight)
    return best
