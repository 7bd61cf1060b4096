"""The statistics of a teacher's quiz report: pure functions, no database.

Item statistics follow Moodle's quiz statistics report
(https://docs.moodle.org/dev/Quiz_statistics_calculations), for questions scored from 0 to 1 (part
marks, from a question imported with Moodle's weights, count as their fraction):

- *facility index* F = 100 × the mean score on the question / its maximum score, that is the
  share of attempts that got it right;
- *discrimination index* D = 100 × the Pearson correlation, across attempts, between the score
  on the question and the score on the rest of the test (the attempt's total minus this question),
  so that a question does not correlate with itself. D is undefined (None) when either score has
  no variance, which includes fewer than two attempts.

Every attempt passed in counts for every question: a question left unanswered scores 0, as Moodle
counts it for a finished attempt. Which attempts to pass in (finished ones only, first attempts
only, as Moodle does by default) is the caller's choice.

The CSV export is safe to open in a spreadsheet: text cells that a spreadsheet would read as a
formula get a leading apostrophe (OWASP, "CSV Injection").
"""

import csv
import enum
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from quizzes.generation import CHOICE_KINDS
from quizzes.grading import marks as marks_shown

VERY_EASY = 90.0  # facility above this is flagged
VERY_HARD = 10.0  # facility below this is flagged
# Below this many attempts one student moves the facility by more than 10 points and the
# discrimination swings from sign to sign: the report shows the numbers but judges no question.
JUDGED_FROM = 10

NEGATIVE_DISCRIMINATION = (
    "Negative discrimination: strong students got this wrong more often than weak ones — check the key."
)
VERY_EASY_FLAG = "Very easy (facility above 90%)"
VERY_HARD_FLAG = "Very hard (facility below 10%)"

# OWASP's list, plus NUL from ASVS 1.2.10: a cell starting with one of these may be run as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


@dataclass(frozen=True)
class OptionInfo:
    id: int
    text: str
    is_correct: bool


@dataclass(frozen=True)
class QuestionInfo:
    id: int
    number: int  # its position in the quiz, from 1: "Q3"
    stem: str
    kind: str
    options: tuple[OptionInfo, ...] = ()


@dataclass(frozen=True)
class AnswerScore:
    correct: bool
    options: tuple[int, ...] = ()  # choice questions: the ids of the options chosen
    score: float | None = None  # the part of the marks, 0 to 1; None: 1 if correct, else 0

    @property
    def marks(self) -> float:
        return (1.0 if self.correct else 0.0) if self.score is None else self.score


# Scores are counted in millionths of a mark, as integers: the correlation below detects zero
# variance exactly, and Moodle's fractions (seven decimals) lose nothing that shows.
UNITS = 1_000_000


@dataclass(frozen=True)
class AttemptScores:
    attempt_id: int
    student: str
    answers: Mapping[int, AnswerScore] = field(default_factory=dict)  # by question id; missing means blank


class OptionCount(NamedTuple):
    option: OptionInfo
    count: int  # attempts that chose it
    percent: float  # of all attempts analysed (0 when there are none), so the key's share is the facility


@dataclass(frozen=True)
class ItemStats:
    question: QuestionInfo
    attempts: int  # attempts analysed: Moodle's s, the facility's denominator
    answered: int  # of them, those that gave an answer
    facility: float | None  # 0–100; None without attempts
    discrimination: float | None  # −100…100; None when undefined
    option_counts: list[OptionCount]  # choice questions only, in the question's option order
    flags: list[str]  # warnings for the teacher, most serious first; mean something only if `judged`

    @property
    def judged(self) -> bool:
        """Whether enough attempts were analysed for the flags to say anything about the question."""
        return self.attempts >= JUDGED_FROM


class Outcome(enum.StrEnum):
    RIGHT = "right"
    PARTIAL = "partial"  # part marks
    WRONG = "wrong"
    BLANK = "blank"


@dataclass(frozen=True)
class StudentRow:
    student: str
    attempt_id: int
    score: int | float  # marks: a whole number, or with part marks to two decimals
    total: int  # questions in the quiz
    percent: float | None  # None for a quiz without questions
    outcomes: tuple[Outcome, ...]  # one per question, in the order the questions were given
    marks: tuple[float, ...] = ()  # one per question: the part of its marks earned (blank: 0)


def _score(attempt: AttemptScores, question: QuestionInfo) -> int:
    """The attempt's score on the question, in UNITS."""
    answer = attempt.answers.get(question.id)
    return round(answer.marks * UNITS) if answer is not None else 0


def _correlation(xs: Sequence[int], ys: Sequence[int]) -> float | None:
    """Pearson's r of two integer series, or None when either has no variance."""
    n = len(xs)
    if n < 2:
        return None
    sum_x, sum_y = sum(xs), sum(ys)
    # n² × covariance and n² × variances, in integers: zero variance is detected exactly,
    # not as a float that happens to come out at 1e-17.
    covariance = n * sum(x * y for x, y in zip(xs, ys, strict=True)) - sum_x * sum_y
    variance_x = n * sum(x * x for x in xs) - sum_x * sum_x
    variance_y = n * sum(y * y for y in ys) - sum_y * sum_y
    if variance_x == 0 or variance_y == 0:
        return None
    r = covariance / math.sqrt(variance_x * variance_y)
    return max(-1.0, min(1.0, r))  # rounding must not report a correlation beyond ±1


def _option_counts(question: QuestionInfo, attempts: Sequence[AttemptScores]) -> list[OptionCount]:
    counts = dict.fromkeys((option.id for option in question.options), 0)
    for attempt in attempts:
        answer = attempt.answers.get(question.id)
        # A set: an option listed twice in one answer is still one student choosing it.
        for option_id in set(answer.options) if answer else ():
            if option_id in counts:
                counts[option_id] += 1
    n = len(attempts)
    return [
        OptionCount(option, counts[option.id], 100 * counts[option.id] / n if n else 0.0) for option in question.options
    ]


def _flags(facility: float | None, discrimination: float | None, option_counts: list[OptionCount]) -> list[str]:
    flags = []
    if discrimination is not None and discrimination < 0:
        flags.append(NEGATIVE_DISCRIMINATION)
    key_counts = [entry.count for entry in option_counts if entry.option.is_correct]
    if key_counts:
        # Against the least chosen key: in a multiple select, a distractor that beats any one
        # correct option convinced more students than that option did.
        least_key = min(key_counts)
        for entry in option_counts:
            if not entry.option.is_correct and entry.count > least_key:
                flags.append(f"A distractor (“{entry.option.text}”) was chosen more often than the key.")
    if facility is not None and facility > VERY_EASY:
        flags.append(VERY_EASY_FLAG)
    if facility is not None and facility < VERY_HARD:
        flags.append(VERY_HARD_FLAG)
    return flags


def item_analysis(questions: Sequence[QuestionInfo], attempts: Sequence[AttemptScores]) -> list[ItemStats]:
    """Facility, discrimination, option counts and warnings for each question, in the order given."""
    scores = [[_score(attempt, question) for question in questions] for attempt in attempts]
    totals = [sum(row) for row in scores]
    n = len(attempts)
    items = []
    for index, question in enumerate(questions):
        item_scores = [row[index] for row in scores]
        rest = [total - score for total, score in zip(totals, item_scores, strict=True)]
        facility = 100 * sum(item_scores) / (n * UNITS) if n else None
        r = _correlation(item_scores, rest)
        discrimination = 100 * r if r is not None else None
        option_counts = _option_counts(question, attempts) if question.kind in CHOICE_KINDS else []
        items.append(
            ItemStats(
                question=question,
                attempts=n,
                answered=sum(question.id in attempt.answers for attempt in attempts),
                facility=facility,
                discrimination=discrimination,
                option_counts=option_counts,
                flags=_flags(facility, discrimination, option_counts),
            )
        )
    return items


def _outcome(attempt: AttemptScores, question: QuestionInfo) -> Outcome:
    answer = attempt.answers.get(question.id)
    if answer is None:
        return Outcome.BLANK
    if answer.correct:
        return Outcome.RIGHT
    return Outcome.PARTIAL if answer.marks > 0 else Outcome.WRONG


def student_scores(questions: Sequence[QuestionInfo], attempts: Sequence[AttemptScores]) -> list[StudentRow]:
    """One row per attempt, sorted by student name (then attempt, for a student with several)."""
    rows = []
    for attempt in attempts:
        outcomes = tuple(_outcome(attempt, question) for question in questions)
        marks = tuple(_score(attempt, question) / UNITS for question in questions)
        score = marks_shown(math.fsum(marks))
        total = len(questions)
        rows.append(
            StudentRow(
                student=attempt.student,
                attempt_id=attempt.attempt_id,
                score=score,
                total=total,
                percent=100 * score / total if total else None,
                outcomes=outcomes,
                marks=marks,
            )
        )
    return sorted(rows, key=lambda row: (row.student.casefold(), row.student, row.attempt_id))


def csv_safe(value: str) -> str:
    """`value` as a spreadsheet shows it as text, never runs it as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


CSV_OUTCOME: dict[Outcome, int | str] = {Outcome.RIGHT: 1, Outcome.WRONG: 0, Outcome.BLANK: ""}


def _csv_cell(outcome: Outcome, marks: float) -> int | float | str:
    """1, 0 or blank; part marks as their fraction, to four decimals (0.5)."""
    return round(marks, 4) if outcome == Outcome.PARTIAL else CSV_OUTCOME[outcome]


def csv_rows(questions: Sequence[QuestionInfo], attempts: Sequence[AttemptScores]) -> list[list[str | int | float]]:
    """The results table: a header, then per student score, total, percent and 1/0/blank per question
    (part marks as their fraction).

    Text cells have been through csv_safe; the numbers are ours and stay numbers.
    """
    header = ["Student", "Score", "Total", "Percent", *(f"Q{question.number}" for question in questions)]
    rows: list[list[str | int | float]] = [list(header)]  # our own words: nothing to escape
    for row in student_scores(questions, attempts):
        percent = round(row.percent, 1) if row.percent is not None else ""
        rows.append(
            [
                csv_safe(row.student),
                row.score,
                row.total,
                percent,
                *(_csv_cell(outcome, marks) for outcome, marks in zip(row.outcomes, row.marks, strict=True)),
            ]
        )
    return rows


def results_csv(questions: Sequence[QuestionInfo], attempts: Sequence[AttemptScores]) -> str:
    """csv_rows as CSV text (RFC 4180, CRLF line ends)."""
    buffer = io.StringIO()
    # Text quoted, numbers bare: a quoted name stays one cell even where a spreadsheet splits on
    # ";" or tabs, so no part of it can start a cell of its own.
    csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC).writerows(csv_rows(questions, attempts))
    return buffer.getvalue()
