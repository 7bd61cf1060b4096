"""Part marks as Moodle gives them, for questions imported with Moodle's weights: graded by
Moodle's rule against hand-worked examples, shown to the student honestly ("half marks", with the
feedback written for their answer), and counted in the score, the report and its CSV (issue 18)."""

import csv
import io

import pytest
from django.urls import reverse

from quizzes.grading import choice_score, marks, score_words, text_score
from quizzes.interchange import gift_loads
from quizzes.models import Attempt, Question, Response
from quizzes.transfer import quiz_import

# Moodle's rule for a multiple select (qtype_multichoice_multi_question::grade_response): the sum
# of the fractions of the chosen answers, at most 1 and at least 0. The "colours" question of
# Moodle's GIFT fixture: yellow 50%, red -100%, off-beige 50%, blue -100%.
YELLOW, RED, BEIGE, BLUE = 1, 2, 3, 4
COLOURS = {YELLOW: 0.5, RED: -1.0, BEIGE: 0.5, BLUE: -1.0}


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ({YELLOW}, 0.5),  # 0.5
        ({YELLOW, BEIGE}, 1.0),  # 0.5 + 0.5
        ({YELLOW, RED}, 0.0),  # 0.5 - 1 = -0.5, floored at 0
        ({YELLOW, BEIGE, RED}, 0.0),  # 1 - 1
        ({RED, BLUE}, 0.0),  # -2, floored
        (set(), 0.0),  # nothing chosen
        ({99}, 0.0),  # not an option: worth nothing
    ],
)
def test_a_multiple_select_scores_the_sum_of_the_chosen_fractions_floored_at_zero(chosen, expected):
    assert choice_score(chosen, COLOURS) == expected


def test_thirds_written_to_seven_decimals_add_up_to_full_marks():
    thirds = {1: 0.3333333, 2: 0.3333333, 3: 0.3333333, 4: -1.0}
    assert choice_score({1, 2, 3}, thirds) == 1.0
    assert choice_score({1, 2}, thirds) == pytest.approx(0.6666666)
    assert score_words(choice_score({1, 2}, thirds)) == "two thirds of the marks"


def test_a_single_choice_with_part_marks_scores_the_chosen_answer_s_fraction():
    # {~a ~%50%b =c}
    weights = {1: 0.0, 2: 0.5, 3: 1.0}
    assert [choice_score({option}, weights) for option in (1, 2, 3)] == [0.0, 0.5, 1.0]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Frog", 1.0),
        ("frog", 1.0),
        ("Cat", 0.5),  # =%50%Cat is worth half
        ("a cat", 0.5),
        ("dog", 0.0),
        ("", 0.0),
    ],
)
def test_a_short_answer_scores_the_fraction_of_the_answer_it_gives(typed, expected):
    assert text_score(typed, ["Frog", "Cat"], [1.0, 0.5], ["*"]) == expected


def test_a_short_answer_takes_the_best_answer_when_a_response_gives_two():
    assert text_score("Lukashenko", ["Lukashenka", "Lukashenko"], [0.5, 1.0]) == 1.0


@pytest.mark.parametrize(
    ("score", "words"),
    [
        (1.0, "full marks"),
        (0.5, "half marks"),
        (0.25, "a quarter of the marks"),
        (0.0, "no marks"),
        (0.1, "10% of the marks"),
    ],
)
def test_part_marks_are_put_in_words(score, words):
    assert score_words(score) == words


def test_marks_read_as_a_whole_number_or_to_two_decimals():
    assert (marks(2.0), marks(1.5), marks(0.3333333 * 2)) == (2, 1.5, 0.67)


# Through the site: a teacher imports Moodle's questions, a student answers them.

BANK = """// title: Moodle's colours

::colours:: What's between orange and green in the spectrum?
{
    ~%50%yellow # right; good!
    ~%-100%red # [html]wrong
    ~%50%off-beige # right; good!
    ~%-100%[plain]blue # wrong
}

::Shortanswer::Which is the best animal?{
    =Frog#Good!
    =%50%Cat#What is it with Moodlers and cats?
    =%0%*#Completely wrong
}

::Moodle activities::Match the activity to the description.{
    =An activity supporting asynchronous discussions. -> Forum
    =A teacher asks a question and specifies a choice of multiple responses. -> Choice
    =A bank of record entries which participants can add to. -> Database
    = -> Chat
}

::Q2:: What's between orange and green in the spectrum?{
    =yellow # right; good!
    ~red # wrong, it's yellow
}
"""


@pytest.fixture
def moodle_quiz(content, teacher):
    quiz = quiz_import(data=gift_loads(BANK), owner=teacher)
    quiz.publish()
    return quiz


def _question(quiz, name: str) -> Question:
    return quiz.questions.prefetch_related("options").get(name=name)


def _start(client, quiz) -> Attempt:
    response = client.post(reverse("quizzes:start", args=[quiz.slug]))
    return Attempt.objects.get(public_id=response["Location"].split("/")[2])


def _answer(client, attempt: Attempt, number: int, data: dict) -> str:
    url = reverse("quizzes:question", args=[attempt.public_id, number])
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_the_import_stores_names_weights_feedback_and_the_extra_wrong_match(moodle_quiz):
    colours = _question(moodle_quiz, "colours")
    assert [(o.text, o.weight, o.feedback) for o in colours.options.all()] == [
        ("yellow", 0.5, "right; good!"),
        ("red", -1.0, "wrong"),
        ("off-beige", 0.5, "right; good!"),
        ("blue", -1.0, "wrong"),
    ]
    short = _question(moodle_quiz, "Shortanswer")
    assert (short.accepted_answers, short.accepted_weights) == (["Frog", "Cat"], [1.0, 0.5])
    assert short.answer_feedback == {
        "Frog": "Good!",
        "Cat": "What is it with Moodlers and cats?",
        "*": "Completely wrong",
    }
    matching = _question(moodle_quiz, "Moodle activities")
    assert [(o.text, o.match) for o in matching.options.all()][-1] == ("", "Chat")


def test_a_student_gets_half_marks_sees_them_and_the_feedback_for_their_choice(moodle_quiz, student_client):
    attempt = _start(student_client, moodle_quiz)
    colours = _question(moodle_quiz, "colours")
    yellow = colours.options.get(text="yellow")
    page = _answer(student_client, attempt, 1, {"choices": [attempt.token(yellow)]})
    assert "Partly right: half marks" in page
    assert '<span class="answer-feedback">right; good!</span>' in page
    assert "wrong</span>" not in page  # feedback only for what was chosen
    response = Response.objects.get(attempt=attempt, question=colours)
    assert (response.score, response.is_correct) == (0.5, False)


def _first_answered(client, quiz) -> Attempt:
    """An attempt with the first question (colours) answered: questions are taken in order."""
    attempt = _start(client, quiz)
    yellow = _question(quiz, "colours").options.get(text="yellow")
    _answer(client, attempt, 1, {"choices": [attempt.token(yellow)]})
    return attempt


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("cat", ["Partly right: half marks", "What is it with Moodlers and cats?"]),
        ("Frog", ["Correct", "Good!"]),
        ("a lizard", ["Not quite", "Completely wrong"]),  # Moodle's "*": any other answer
    ],
)
def test_a_typed_answer_shows_its_marks_and_the_feedback_written_for_it(moodle_quiz, student_client, typed, shown):
    page = _answer(student_client, _first_answered(student_client, moodle_quiz), 2, {"text": typed})
    for words in shown:
        assert words in page


def test_the_extra_wrong_match_is_a_choice_but_not_an_item(moodle_quiz, student_client):
    attempt = _first_answered(student_client, moodle_quiz)
    _answer(student_client, attempt, 2, {"text": "Frog"})
    page = student_client.get(reverse("quizzes:question", args=[attempt.public_id, 3])).content.decode()
    assert page.count(">Chat</option>") == 3  # one select per item, each offering it
    assert page.count("<select") == 3


def test_part_marks_count_in_the_score_the_report_and_the_csv(moodle_quiz, teacher_client, student_client):
    attempt = _start(student_client, moodle_quiz)
    colours = _question(moodle_quiz, "colours")
    _answer(student_client, attempt, 1, {"choices": [attempt.token(colours.options.get(text="yellow"))]})
    _answer(student_client, attempt, 2, {"text": "Frog"})
    matching = _question(moodle_quiz, "Moodle activities")
    items = [o for o in matching.options.all() if o.text]
    _answer(student_client, attempt, 3, {f"match-{attempt.token(o)}": attempt.token(o, "match") for o in items})
    single = _question(moodle_quiz, "Q2")
    page = _answer(student_client, attempt, 4, {"choice": attempt.token(single.options.get(text="red"))})
    assert "wrong, it&#x27;s yellow" in page
    attempt.refresh_from_db()
    assert attempt.score == 2.5  # 0.5 + 1 + 1 + 0
    result = student_client.get(reverse("quizzes:result", args=[attempt.public_id])).content.decode()
    assert "You scored 2.5 of 4" in result

    report = teacher_client.get(reverse("admin:quizzes_quiz_report", args=[moodle_quiz.pk])).content.decode()
    assert "2.5 of 4" in report
    assert "◐" in report  # the colours question: part marks
    rows = list(
        csv.reader(
            io.StringIO(
                teacher_client.get(reverse("admin:quizzes_quiz_report_csv", args=[moodle_quiz.pk])).content.decode()
            )
        )
    )
    assert rows[0][:5] == ["Student", "Score", "Total", "Percent", "Q1"]
    assert rows[1][1:] == ["2.5", "4", "62.5", "0.5", "1", "1", "0"]


def test_the_teacher_sees_and_can_edit_each_option_s_weight_and_feedback(moodle_quiz, teacher_client):
    colours = _question(moodle_quiz, "colours")
    page = teacher_client.get(reverse("admin:quizzes_question_change", args=[colours.pk])).content.decode()
    assert "right; good!" in page
    assert 'value="-1.0"' in page and 'value="0.5"' in page


def test_an_option_without_text_is_refused_but_in_a_matching_where_it_is_an_extra_wrong_match():
    from quizzes.generation import MATCHING, SINGLE, question_problems

    assert "Give every option its text." in question_problems(SINGLE, [("a", True, ""), (" ", False, "")], [])
    pairs = [("a", False, "1"), ("b", False, "2"), ("c", False, "3"), ("", False, "4")]
    assert question_problems(MATCHING, pairs, []) == []


# Numerical (Moodle's {#3:2}, {#1..5}, {#=1822:0 =%50%1822:2}), a seventh type.


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3", 1.0),
        ("1", 1.0),  # 3 - 2: the margin is inclusive, as Moodle's
        ("5.0", 1.0),
        ("5,5", 0.0),  # a decimal comma reads as a decimal point
        ("0.999", 0.0),
        ("three", 0.0),
        ("", 0.0),
    ],
)
def test_a_number_scores_when_it_is_within_the_margin(typed, expected):
    from quizzes.grading import number_score

    assert number_score(typed, ["3"], [2.0]) == expected


def test_the_best_number_s_fraction_counts():
    from quizzes.grading import number_score

    # {#=1822:0 =%50%1822:2}: the year exactly for full marks, two years out for half.
    assert [number_score(typed, ["1822", "1822"], [0.0, 2.0], [1.0, 0.5]) for typed in ("1822", "1823", "1825")] == [
        1.0,
        0.5,
        0.0,
    ]


NUMERICAL_BANK = """// title: Numbers

::Q5:: What is a number from 1 to 5? {#3:2~#Completely wrong}

::Year:: When did Brazil become independent?{#
    =1822:0 #Right
    =%50%1822:2 #Close
}
"""


@pytest.mark.parametrize(
    ("number", "typed", "shown"),
    [
        (1, "4", ["Correct"]),
        (1, "7", ["Not quite", "Completely wrong", "3 ± 2"]),
        (2, "1823", ["Partly right: half marks", "Close"]),
    ],
)
def test_a_student_answers_a_numerical_question(content, teacher, student_client, number, typed, shown):
    quiz = quiz_import(data=gift_loads(NUMERICAL_BANK), owner=teacher)
    quiz.publish()
    attempt = _start(student_client, quiz)
    if number == 2:
        _answer(student_client, attempt, 1, {"text": "3"})
    page = _answer(student_client, attempt, number, {"text": typed})
    for words in shown:
        assert words in page


# Safe HTML kept: a stem Moodle wrote in HTML shows its formatting, through the explainers' nh3
# sanitiser; what it cannot hold (scripts, handlers, styles) never reaches the page.


def test_a_stem_s_html_is_kept_and_shown_sanitised(content, teacher, student_client):
    bank = (
        "::Moodle activities::[html]Match the <b>activity</b> to the <em>description</em>"
        '<script>alert(1)</script><img src\\="x" onerror\\="alert(2)">.{\n'
        "=Forum -> asynchronous\n=Choice -> one question\n=Database -> records\n= -> Chat\n}\n"
    )
    quiz = quiz_import(data=gift_loads(bank), owner=teacher)
    question = quiz.questions.get()
    assert question.stem == "Match the activity to the description."
    assert question.stem_html.startswith("Match the <b>activity</b>")
    quiz.publish()
    attempt = _start(student_client, quiz)
    page = student_client.get(reverse("quizzes:question", args=[attempt.public_id, 1])).content.decode()
    assert "Match the <strong>activity</strong> to the <em>description</em>." in page
    assert "alert(" not in page and "onerror" not in page


def test_an_edited_stem_shows_the_edit_not_the_old_html(content, teacher):
    quiz = quiz_import(data=gift_loads("::Q::[html]Is <b>this</b> bold?{T}\n"), owner=teacher)
    question = quiz.questions.get()
    assert question.stem_display == "Is <strong>this</strong> bold?"
    question.stem = "Is this plain?"
    assert question.stem_display == "Is this plain?"


def test_the_html_goes_back_to_moodle_as_html(content, teacher):
    from quizzes.transfer import quiz_export

    quiz = quiz_import(data=gift_loads("::Q::[html]Is <b>this</b> bold?{T}\n"), owner=teacher)
    gift, _ = quiz_export(quiz=quiz, fmt="gift")
    assert "::Q::[html]Is <b>this</b> bold?{TRUE}" in gift
    xml, _ = quiz_export(quiz=quiz, fmt="moodlexml")
    assert "<text>Is &lt;b&gt;this&lt;/b&gt; bold?</text>" in xml


# The report counts each student's first attempt, or, when the teacher asks, the last or highest.


def test_the_report_and_csv_count_the_first_last_or_highest_attempt(moodle_quiz, teacher_client, student_client):
    colours = _question(moodle_quiz, "colours")
    matching = _question(moodle_quiz, "Moodle activities")
    single = _question(moodle_quiz, "Q2")

    def take(yellow_only: bool, frog: bool) -> None:
        attempt = _start(student_client, moodle_quiz)
        chosen = [colours.options.get(text="yellow")] + ([] if yellow_only else [colours.options.get(text="off-beige")])
        _answer(student_client, attempt, 1, {"choices": [attempt.token(o) for o in chosen]})
        _answer(student_client, attempt, 2, {"text": "Frog" if frog else "dog"})
        items = [o for o in matching.options.all() if o.text]
        _answer(student_client, attempt, 3, {f"match-{attempt.token(o)}": attempt.token(o, "match") for o in items})
        _answer(student_client, attempt, 4, {"choice": attempt.token(single.options.get(text="red"))})

    take(yellow_only=True, frog=True)  # 0.5 + 1 + 1 + 0 = 2.5
    take(yellow_only=False, frog=True)  # 1 + 1 + 1 + 0 = 3
    take(yellow_only=True, frog=False)  # 0.5 + 0 + 1 + 0 = 1.5
    url = reverse("admin:quizzes_quiz_report", args=[moodle_quiz.pk])
    csv_url = reverse("admin:quizzes_quiz_report_csv", args=[moodle_quiz.pk])
    for which, score in (
        ("", "3"),  # Moodle's default: the highest score
        ("?attempts=first", "2.5"),
        ("?attempts=last", "1.5"),
        ("?attempts=highest", "3"),
    ):
        page = teacher_client.get(url + which).content.decode()
        assert f"<td>{score} of 4</td>" in page, which
        rows = list(csv.reader(io.StringIO(teacher_client.get(csv_url + which).content.decode())))
        assert rows[1][1] == score, which
    page = teacher_client.get(url + "?attempts=first").content.decode()
    assert "Each student's first attempt counts: the fairest measure of a question" in page
    assert f'href="{csv_url}?attempts=first"' in page
    assert "Each student's highest score counts, as in Moodle." in teacher_client.get(url).content.decode()
    assert "<td>3 of 4</td>" in teacher_client.get(url + "?attempts=nonsense").content.decode()


def test_a_numerical_question_s_page_shows_its_numbers_not_options(content, teacher, teacher_client):
    quiz = quiz_import(data=gift_loads(NUMERICAL_BANK), owner=teacher)
    question = quiz.questions.get(name="Q5")
    page = teacher_client.get(reverse("admin:quizzes_question_change", args=[question.pk])).content.decode()
    assert "kind-numerical" in page  # the accepted answers are its part
    quiz_page = teacher_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()
    assert "3 ± 2" in quiz_page  # its key in the quiz's list of questions
