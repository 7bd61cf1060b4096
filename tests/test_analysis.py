"""A teacher's report: facility, discrimination, option counts, flags, student rows and a CSV that
cannot run formulas. Pure: no database."""

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzes.analysis import (
    JUDGED_FROM,
    NEGATIVE_DISCRIMINATION,
    VERY_EASY_FLAG,
    VERY_HARD_FLAG,
    AnswerScore,
    AttemptScores,
    OptionInfo,
    Outcome,
    QuestionInfo,
    csv_safe,
    item_analysis,
    results_csv,
    student_scores,
)

MOSCOW = OptionInfo(11, "Moscow", is_correct=True)
MINSK = OptionInfo(12, "Minsk", is_correct=False)
KYIV = OptionInfo(13, "Kyiv", is_correct=False)
TRUE = OptionInfo(21, "True", is_correct=True)
FALSE = OptionInfo(22, "False", is_correct=False)
MILK = OptionInfo(31, "Milk", is_correct=True)
CHEESE = OptionInfo(32, "Cheese", is_correct=True)
OIL = OptionInfo(33, "Oil", is_correct=False)

Q1 = QuestionInfo(1, 1, "Where was the CSTO summit held?", "single", (MOSCOW, MINSK, KYIV))
Q2 = QuestionInfo(2, 2, "Russia banned Belarusian dairy imports.", "true_false", (TRUE, FALSE))
Q3 = QuestionInfo(3, 3, "Which products were banned?", "multiple", (MILK, CHEESE, OIL))
QUESTIONS = [Q1, Q2, Q3]


def right(*options: int) -> AnswerScore:
    return AnswerScore(correct=True, options=options)


def wrong(*options: int) -> AnswerScore:
    return AnswerScore(correct=False, options=options)


# The hand-computed example: 5 attempts × 3 questions, scores 1/0.
#
#          Q1  Q2  Q3  total   chosen
#   Ana     1   1   0    2     Moscow, True, Milk+Oil
#   Ben     1   1   0    2     Moscow, True, Milk
#   Cai     0   0   1    1     Minsk,  False, Milk+Cheese
#   Dee     0   1   0    1     Minsk,  True, Cheese+Oil
#   Eve     0   0   0    0     Minsk,  False, (Q3 left blank: scores 0)
#
# Facility F = 100 × mean: Q1 2/5 = 40, Q2 3/5 = 60, Q3 1/5 = 20 (Eve's blank counts, so not 1/4).
#
# Discrimination D = 100 × r(item, rest of test), rest = total − item.
# Q1: x = 1 1 0 0 0, mean 0.4; rest = 1 1 1 1 0, mean 0.8
#     deviations x: .6 .6 −.4 −.4 −.4; rest: .2 .2 .2 .2 −.8
#     Σdx·dr = .12 + .12 − .08 − .08 + .32 = 0.40; Σdx² = 1.20; Σdr² = 4 × .04 + .64 = 0.80
#     r = 0.40 / √(1.20 × 0.80) = 0.40 / 0.9798 = 0.4082 → D = 40.8
# Q2: x = 1 1 0 1 0, mean 0.6; rest = 1 1 1 0 0, mean 0.6
#     deviations x: .4 .4 −.6 .4 −.6; rest: .4 .4 .4 −.6 −.6
#     Σdx·dr = .16 + .16 − .24 − .24 + .36 = 0.20; Σdx² = Σdr² = 3 × .16 + 2 × .36 = 1.20
#     r = 0.20 / 1.20 = 0.1667 → D = 16.7
# Q3: x = 0 0 1 0 0, mean 0.2; rest = 2 2 0 1 0, mean 1.0
#     deviations x: −.2 −.2 .8 −.2 −.2; rest: 1 1 −1 0 −1
#     Σdx·dr = −.2 − .2 − .8 + 0 + .2 = −1.0; Σdx² = 4 × .04 + .64 = 0.80; Σdr² = 4
#     r = −1.0 / √(0.80 × 4) = −1 / 1.7889 = −0.5590 → D = −55.9 (flagged)
#
# Options (percent of the 5 attempts): Q1 Moscow 2 (40), Minsk 3 (60), Kyiv 0: Minsk beats the key.
# Q2 True 3 (60), False 2 (40). Q3 Milk 3 (60), Cheese 2 (40), Oil 2 (40): Oil ties the least
# chosen key, Cheese, and is not flagged.
ATTEMPTS = [
    AttemptScores(101, "Eve", {1: wrong(12), 2: wrong(22)}),
    AttemptScores(102, "Cai", {1: wrong(12), 2: wrong(22), 3: right(31, 32)}),
    AttemptScores(103, "Ana", {1: right(11), 2: right(21), 3: wrong(31, 33)}),
    AttemptScores(104, "Dee", {1: wrong(12), 2: right(21), 3: wrong(32, 33)}),
    AttemptScores(105, "Ben", {1: right(11), 2: right(21), 3: wrong(31)}),
]


def analysed(questions=QUESTIONS, attempts=ATTEMPTS):
    return {item.question.id: item for item in item_analysis(questions, attempts)}


def test_facility_is_the_share_of_attempts_right():
    items = analysed()
    assert [items[q].facility for q in (1, 2, 3)] == pytest.approx([40.0, 60.0, 20.0])


def test_discrimination_correlates_each_item_with_the_rest_of_the_test():
    items = analysed()
    assert round(items[1].discrimination, 1) == 40.8
    assert round(items[2].discrimination, 1) == 16.7
    assert round(items[3].discrimination, 1) == -55.9


def test_unanswered_question_counts_as_wrong_but_not_as_answered():
    q3 = analysed()[3]
    assert (q3.attempts, q3.answered) == (5, 4)
    assert q3.facility == pytest.approx(20.0)  # 1 of 5, not 1 of 4


def test_negative_discrimination_is_flagged():
    items = analysed()
    assert items[3].flags == [NEGATIVE_DISCRIMINATION]
    assert NEGATIVE_DISCRIMINATION not in items[1].flags
    assert items[2].flags == []


def test_distractor_chosen_more_often_than_the_key_is_flagged():
    assert analysed()[1].flags == ["A distractor (“Minsk”) was chosen more often than the key."]


def test_option_counts_and_percents_of_all_attempts():
    items = analysed()
    assert [(o.option.text, o.count, o.percent) for o in items[1].option_counts] == [
        ("Moscow", 2, 40.0),
        ("Minsk", 3, 60.0),
        ("Kyiv", 0, 0.0),
    ]
    assert [(o.option, o.count, o.percent) for o in items[2].option_counts] == [(TRUE, 3, 60.0), (FALSE, 2, 40.0)]
    assert [(o.option.id, o.count, o.percent) for o in items[3].option_counts] == [
        (31, 3, 60.0),
        (32, 2, 40.0),
        (33, 2, 40.0),
    ]


def test_question_everyone_gets_right_has_facility_100_and_no_discrimination():
    easy = QuestionInfo(4, 4, "Which country is Minsk the capital of?", "gap_fill")
    attempts = [AttemptScores(a.attempt_id, a.student, {**a.answers, 4: AnswerScore(correct=True)}) for a in ATTEMPTS]
    items = analysed([*QUESTIONS, easy], attempts)
    assert items[4].facility == 100.0
    assert items[4].discrimination is None  # the item has no variance
    assert items[4].flags == [VERY_EASY_FLAG]
    assert items[4].option_counts == []  # not a choice question
    # A constant item shifts every rest-of-test score by one: the others' correlations are unchanged.
    assert round(items[1].discrimination, 1) == 40.8


def test_question_nobody_gets_right_is_flagged_very_hard():
    attempts = [AttemptScores(i, f"S{i}", {1: wrong(12), 2: right(21) if i % 2 else wrong(22)}) for i in range(4)]
    q1 = analysed([Q1, Q2], attempts)[1]
    assert q1.facility == 0.0
    assert q1.discrimination is None
    assert VERY_HARD_FLAG in q1.flags


@pytest.mark.parametrize(("right_count", "flagged"), [(9, False), (10, True)])
def test_very_easy_means_strictly_above_90(right_count, flagged):
    attempts = [AttemptScores(i, f"S{i}", {2: right(21) if i < right_count else wrong(22)}) for i in range(10)]
    assert (VERY_EASY_FLAG in analysed([Q2], attempts)[2].flags) is flagged


def test_discrimination_is_undefined_with_fewer_than_two_attempts():
    q1 = analysed(attempts=ATTEMPTS[2:3])[1]
    assert q1.facility == 100.0
    assert q1.discrimination is None


def test_discrimination_is_undefined_when_the_rest_of_the_test_does_not_vary():
    # A one-question quiz: the rest of the test is always 0.
    attempts = [AttemptScores(1, "A", {1: right(11)}), AttemptScores(2, "B", {1: wrong(12)})]
    q1 = analysed([Q1], attempts)[1]
    assert q1.facility == 50.0
    assert q1.discrimination is None


@pytest.mark.parametrize(("attempts", "judged"), [(0, False), (5, False), (9, False), (10, True), (30, True)])
def test_questions_are_judged_from_ten_attempts(attempts, judged):
    students = [AttemptScores(i, f"S{i}", {1: wrong(12)}) for i in range(attempts)]
    q1 = analysed([Q1], students)[1]
    assert q1.judged is judged
    assert JUDGED_FROM == 10


def test_without_attempts_there_are_no_statistics_and_no_flags():
    q1 = analysed(attempts=[])[1]
    assert (q1.attempts, q1.answered, q1.facility, q1.discrimination, q1.flags) == (0, 0, None, None, [])
    assert [o.percent for o in q1.option_counts] == [0.0, 0.0, 0.0]


def test_student_rows_sorted_by_name_with_right_wrong_and_blank():
    rows = student_scores(QUESTIONS, ATTEMPTS)
    assert [(r.student, r.score, r.total, round(r.percent, 1)) for r in rows] == [
        ("Ana", 2, 3, 66.7),
        ("Ben", 2, 3, 66.7),
        ("Cai", 1, 3, 33.3),
        ("Dee", 1, 3, 33.3),
        ("Eve", 0, 3, 0.0),
    ]
    assert rows[2].outcomes == (Outcome.WRONG, Outcome.WRONG, Outcome.RIGHT)
    assert rows[4].outcomes == (Outcome.WRONG, Outcome.WRONG, Outcome.BLANK)
    assert rows[4].attempt_id == 101


def test_student_rows_sort_ignores_case():
    attempts = [AttemptScores(1, "bob", {}), AttemptScores(2, "Alice", {}), AttemptScores(3, "Carol", {})]
    assert [r.student for r in student_scores(QUESTIONS, attempts)] == ["Alice", "bob", "Carol"]


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_results_csv_has_a_header_and_one_row_per_student():
    rows = parse(results_csv(QUESTIONS, ATTEMPTS))
    assert rows == [
        ["Student", "Score", "Total", "Percent", "Q1", "Q2", "Q3"],
        ["Ana", "2", "3", "66.7", "1", "1", "0"],
        ["Ben", "2", "3", "66.7", "1", "1", "0"],
        ["Cai", "1", "3", "33.3", "0", "0", "1"],
        ["Dee", "1", "3", "33.3", "0", "1", "0"],
        ["Eve", "0", "3", "0.0", "0", "0", ""],
    ]


def test_results_csv_quotes_text_and_leaves_numbers_bare():
    lines = results_csv(QUESTIONS, ATTEMPTS[:1]).splitlines()
    assert lines[1] == '"Eve",0,3,0.0,0,0,""'


@pytest.mark.parametrize(
    ("name", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Anne-Marie", "Anne-Marie"),  # a hyphen inside a name is harmless
        ("Zoë", "Zoë"),
    ],
)
def test_results_csv_escapes_formula_injection_in_names(name, cell):
    rows = parse(results_csv([Q1], [AttemptScores(1, name, {1: right(11)})]))
    assert rows[1] == [cell, "1", "1", "100.0", "1"]


def test_csv_safe_leaves_empty_and_plain_text_alone():
    assert csv_safe("") == ""
    assert csv_safe("O'Brien") == "O'Brien"
    assert csv_safe("2 + 2") == "2 + 2"


@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda questions: st.lists(
            st.lists(st.sampled_from([1, 0, None]), min_size=questions, max_size=questions), max_size=8
        )
    )
)
def test_statistics_stay_in_range_for_any_score_matrix(matrix):
    # Each cell: 1 right, 0 wrong, None blank.
    width = len(matrix[0]) if matrix else 3
    questions = [QuestionInfo(q, q, f"Q{q}", "single", (MOSCOW, MINSK)) for q in range(1, width + 1)]
    attempts = [
        AttemptScores(
            i,
            f"S{i}",
            {q: right(11) if cell else wrong(12) for q, cell in enumerate(row, start=1) if cell is not None},
        )
        for i, row in enumerate(matrix)
    ]
    for item in item_analysis(questions, attempts):
        assert (item.facility is None) == (not attempts)
        assert item.facility is None or 0 <= item.facility <= 100
        assert item.discrimination is None or -100 <= item.discrimination <= 100
        if len(attempts) < 2:
            assert item.discrimination is None
        assert item.option_counts[0].percent == pytest.approx(item.facility or 0.0)
    for row in student_scores(questions, attempts):
        assert 0 <= row.percent <= 100
