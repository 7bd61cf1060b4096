"""Moodle's own test material as ours (issue 18): its GIFT fixture (question/format/gift/tests/
fixtures/questions.gift.txt), snippets from giftformat_test.php and its XML fixtures, each read as
Moodle reads it, refused where Moodle refuses it, and written back so that Moodle reads the same.

The inputs are written out here (the facts carry over, not Moodle's code)."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from quizzes.generation import GAP_FILL, MATCHING, MULTIPLE, NUMERICAL, SINGLE, TRUE_FALSE, Draft, DraftOption
from quizzes.interchange import (
    InterchangeError,
    QuizData,
    gift_dumps,
    gift_loads,
    moodle_xml_dumps,
    moodle_xml_loads,
)

O = DraftOption  # noqa: E741

# Moodle's GIFT fixture, as it stands in Moodle's tree (nine questions; the stray '";' after two
# closing braces is Moodle's own, and Moodle reads it as the text after a missing word).
MOODLE_GIFT = """// essay
::Q8:: How are you? {}

// question: 2  name: Moodle activities
::Moodle activities::[html]Match the <b>activity</b> to the description.{
    =[html]An activity supporting asynchronous discussions. -> Forum
    =[moodle]A teacher asks a question and specifies a choice of multiple responses. -> Choice
    =[plain]A bank of record entries which participants can add to. -> Database
    =[markdown]A collection of web pages that anyone can add to or edit. -> Wiki
    = -> Chat
}

// multiple choice with specified feedback for right and wrong answers
::Q2:: What's between orange and green in the spectrum?
{
    =yellow # right; good!
    ~red # [html]wrong, it's yellow
    ~[plain]blue # wrong, it's yellow
}

// multiple choice, multiple response with specified feedback for right and wrong answers
::colours:: What's between orange and green in the spectrum?
{
    ~%50%yellow # right; good!
    ~%-100%red # [html]wrong
    ~%50%off-beige # right; good!
    ~%-100%[plain]blue # wrong
}

// math range question
::Q5:: What is a number from 1 to 5? {#3:2~#Completely wrong}";

// question: 666  name: Shortanswer
::Shortanswer::Which is the best animal?{
    =Frog#Good!
    =%50%Cat#What is it with Moodlers and cats?
    =%0%*#Completely wrong
}

// true/false, with general feedback
::Q1:: 42 is the Absolute Answer to everything.{
FALSE#42 is the Ultimate Answer.#You gave the right answer.
####This is, of course, a Hitchiker's Guide to the Galaxy reference.}";

// name 0-11
::2-08 TSL::TSL is blablabla.{T}

// name 0-11
::2-08 TSL::TSL is blablabla.{TRUE}
"""

SPECTRUM = "What's between orange and green in the spectrum?"


def by_name(quiz: QuizData) -> dict[str, object]:
    return {draft.name: draft for draft in quiz.questions}


def test_moodle_s_gift_fixture_imports_as_one_file_and_lists_what_it_skips():
    quiz = gift_loads(MOODLE_GIFT)
    assert [draft.name for draft in quiz.questions] == [
        "Moodle activities",
        "Q2",
        "colours",
        "Q5",
        "Shortanswer",
        "Q1",
        "2-08 TSL",
        "2-08 TSL",
    ]
    # Eight of its nine: the essay is skipped and listed.
    assert quiz.skipped == ("line 2: essay, skipped",)


def test_the_numerical_question_is_3_give_or_take_2_with_its_feedback_for_any_other_number():
    draft = by_name(gift_loads(MOODLE_GIFT))["Q5"]
    assert (draft.kind, draft.stem) == ("numerical", 'What is a number from 1 to 5? _____";')
    assert (draft.accepted, draft.tolerances, draft.answer_feedback) == (("3",), (2.0,), (("*", "Completely wrong"),))


# Moodle case, what Moodle holds (giftformat_test.php), and what we hold: one row per question.
CONFORMANCE = [
    pytest.param(
        "Moodle activities",
        MATCHING,
        (
            O("An activity supporting asynchronous discussions.", match="Forum"),
            O("A teacher asks a question and specifies a choice of multiple responses.", match="Choice"),
            O("A bank of record entries which participants can add to.", match="Database"),
            O("A collection of web pages that anyone can add to or edit.", match="Wiki"),
            O("", match="Chat"),  # Moodle's extra wrong answer: a choice with no item
        ),
        id="match-with-an-extra-wrong-answer",
    ),
    pytest.param(
        "Q2",
        SINGLE,
        (
            O("yellow", correct=True, feedback="right; good!"),
            O("red", feedback="wrong, it's yellow"),
            O("blue", feedback="wrong, it's yellow"),
        ),
        id="multichoice-with-feedback",
    ),
    pytest.param(
        "colours",
        MULTIPLE,
        (
            O("yellow", correct=True, feedback="right; good!", weight=0.5),
            O("red", feedback="wrong", weight=-1.0),
            O("off-beige", correct=True, feedback="right; good!", weight=0.5),
            O("blue", feedback="wrong", weight=-1.0),
        ),
        id="multiple-response-with-weights-and-feedback",
    ),
    pytest.param(
        "Q1",
        TRUE_FALSE,
        (
            O("True", feedback="42 is the Ultimate Answer."),
            O("False", correct=True, feedback="You gave the right answer."),
        ),
        id="truefalse-with-feedback",
    ),
]


@pytest.mark.parametrize(("name", "kind", "options"), CONFORMANCE)
def test_each_question_of_moodle_s_fixture_holds_what_moodle_holds(name, kind, options):
    draft = by_name(gift_loads(MOODLE_GIFT))[name]
    assert (draft.kind, draft.options) == (kind, options)


def test_the_short_answer_keeps_cat_at_half_marks_and_every_answer_s_feedback():
    draft = by_name(gift_loads(MOODLE_GIFT))["Shortanswer"]
    assert draft.kind == GAP_FILL
    assert draft.accepted == ("Frog", "Cat") and draft.accepted_weights == (1.0, 0.5)
    assert draft.rejected == ("*",)
    assert dict(draft.answer_feedback) == {
        "Frog": "Good!",
        "Cat": "What is it with Moodlers and cats?",
        "*": "Completely wrong",
    }


def test_general_feedback_and_moodle_s_text_after_the_answers_are_read_as_moodle_reads_them():
    draft = by_name(gift_loads(MOODLE_GIFT))["Q1"]
    assert draft.explanation == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    # Moodle: text after the answers makes a missing word, "_____", followed by that text.
    assert draft.stem == '42 is the Absolute Answer to everything._____";'


def test_t_and_true_are_both_true():
    tsl = [draft for draft in gift_loads(MOODLE_GIFT).questions if draft.name == "2-08 TSL"]
    assert [draft.options for draft in tsl] == [(O("True", correct=True), O("False"))] * 2


@pytest.mark.parametrize("dumps", [gift_dumps, moodle_xml_dumps], ids=["gift", "moodlexml"])
def test_moodle_s_fixture_goes_back_to_moodle_with_everything_it_held(dumps):
    quiz = gift_loads(MOODLE_GIFT)
    text, _ = dumps(quiz)
    back = (gift_loads if dumps is gift_dumps else moodle_xml_loads)(text)
    assert back.questions == quiz.questions


def test_gift_written_back_keeps_names_weights_feedback_and_the_extra_wrong_match():
    text, notes = gift_dumps(gift_loads(MOODLE_GIFT))
    assert "::colours::What's between orange and green in the spectrum?{\n\t~%50%yellow#right; good!\n" in text
    assert "\t~%-100%red#wrong\n" in text
    assert "\t=Frog#Good!\n\t=%50%Cat#What is it with Moodlers and cats?\n\t=%0%*#Completely wrong\n" in text
    assert "\t= -> Chat\n" in text
    assert "{FALSE#42 is the Ultimate Answer.#You gave the right answer.####This is, of course," in text
    # The weights came from Moodle: no note says they were made up here.
    assert not any("Moodle gives part marks" in note for note in notes)


def test_moodle_xml_written_back_keeps_fractions_feedback_and_the_extra_wrong_match():
    text, _ = moodle_xml_dumps(gift_loads(MOODLE_GIFT))
    assert "<name>\n      <text>colours</text>" in text
    assert '<answer fraction="50" format="html">\n      <text>yellow</text>\n      <feedback format="html">' in text
    assert '<answer fraction="-100" format="html">' in text
    assert '<answer fraction="50" format="plain_text">\n      <text>Cat</text>' in text
    assert '<subquestion format="html">\n      <text></text>\n      <answer>\n        <text>Chat</text>' in text


# Snippets of giftformat_test.php: each case, and what Moodle makes of it.

SNIPPETS = [
    pytest.param(
        "::Q1::Who's buried in Grant's tomb?{~%50%Grant ~%50%Grant's wife ~%-100%No one}",
        MULTIPLE,
        (O("Grant", True, weight=0.5), O("Grant's wife", True, weight=0.5), O("No one", weight=-1.0)),
        id="multiple-answer-weights",
    ),
    pytest.param(
        "::Q1::Which is best?{~a ~%50%b =c}",
        SINGLE,
        (O("a", weight=0.0), O("b", weight=0.5), O("c", True, weight=1.0)),
        id="single-choice-with-part-marks-beside-the-key",
    ),
    pytest.param(
        "::Q1::Pick one{=right ~wrong}",
        SINGLE,
        (O("right", True), O("wrong")),
        id="single-choice-all-or-nothing",
    ),
    pytest.param(
        "::Q1::Match{=a -> 1 =b -> 2 =c -> 3 = -> 4}",
        MATCHING,
        (O("a", match="1"), O("b", match="2"), O("c", match="3"), O("", match="4")),
        id="matching-with-a-distractor",
    ),
]


@pytest.mark.parametrize(("text", "kind", "options"), SNIPPETS)
def test_moodle_s_gift_snippets_read_as_moodle_reads_them_and_go_back_the_same(text, kind, options):
    (draft,) = gift_loads(text).questions
    assert (draft.kind, draft.options) == (kind, options)
    for dumps, loads in ((gift_dumps, gift_loads), (moodle_xml_dumps, moodle_xml_loads)):
        written, _ = dumps(QuizData("Snippet", questions=(draft,)))
        assert loads(written).questions == (draft,)


# Grades: Moodle's importer allows only its list of fractions (match_grade_options, 'error').


@pytest.mark.parametrize(
    "weight",
    [
        *("100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40", "33.33333", "30", "25", "20"),
        *("16.66667", "14.28571", "12.5", "11.11111", "10", "5", "0", "-50", "-33.33333", "-100"),
    ],
)
def test_every_grade_moodle_allows_is_read(weight):
    (draft,) = gift_loads(f"Pick{{~%{weight}%a ~%100%b}}").questions
    assert draft.options[0].weight == pytest.approx(float(weight) / 100)


@pytest.mark.parametrize("weight", ["33", "33.3", "45", "12", "99", "-33", "9.09091"])
def test_a_grade_moodle_does_not_allow_is_refused_with_its_line(weight):
    with pytest.raises(InterchangeError) as caught:
        gift_loads(f"// title: Grades\n\nPick{{~%{weight}%a ~%100%b}}")
    assert caught.value.errors == [
        (3, f"weight {weight}% is not a grade Moodle allows (100, 90, 83.33333, 80, 75, 70, 66.66667, …)")
    ]


# Moodle's error_invalid_grades.xml: a multiple select with one answer at 33%. Moodle refuses it.
INVALID_GRADES = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 1  -->
  <question type="multichoice">
    <name>
      <text><![CDATA[Question with <strong>invalid grades</strong> : x > 1 & x < 2]]></text>
    </name>
    <questiontext format="html">
      <text><![CDATA[Select all prime numbers :<br>]]></text>
    </questiontext>
    <single>false</single>
    <answer fraction="-50" format="html">
      <text><![CDATA[<p dir="ltr" style="text-align: left;">1<br></p>]]></text>
    </answer>
    <answer fraction="33" format="html"> <!-- Invalid grade. -->
      <text><![CDATA[<p dir="ltr" style="text-align: left;">2<br></p>]]></text>
    </answer>
    <answer fraction="33.33333" format="html">
      <text><![CDATA[<p dir="ltr" style="text-align: left;">3<br></p>]]></text>
    </answer>
    <answer fraction="-50" format="html">
      <text><![CDATA[<p dir="ltr" style="text-align: left;">4<br></p>]]></text>
    </answer>
    <answer fraction="33.33333" format="html">
      <text><![CDATA[<p dir="ltr" style="text-align: left;">5<br></p>]]></text>
    </answer>
  </question>
</quiz>
"""


def test_moodle_s_invalid_grades_file_is_refused_at_the_bad_grade():
    with pytest.raises(InterchangeError) as caught:
        moodle_xml_loads(INVALID_GRADES)
    assert caught.value.errors == [
        (15, "fraction 33% is not a grade Moodle allows (100, 90, 83.33333, 80, 75, 70, 66.66667, …)")
    ]


def test_the_same_file_with_the_grade_moodle_allows_imports_with_its_weights():
    (draft,) = moodle_xml_loads(INVALID_GRADES.replace('fraction="33"', 'fraction="33.33333"')).questions
    assert draft.kind == MULTIPLE
    assert draft.name == "Question with <strong>invalid grades</strong> : x > 1 & x < 2"  # as Moodle stores it
    assert [option.text for option in draft.options] == ["1", "2", "3", "4", "5"]
    assert [option.weight for option in draft.options] == [-0.5, 0.3333333, 0.3333333, -0.5, 0.3333333]


# Moodle's XML fixtures: truefalse.xml (per-answer feedback with images) and a matching written
# with the qtype's own name.

TRUEFALSE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category>
        <text>$course$/Default for testhead/TrueFalse</text>
    </category>
  </question>
  <question type="truefalse">
    <name>
      <text>Moodle acronym (False)</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p>Moodle is an acronym for <span style="font-style: italic;">Modular Object-Oriented Dynamic Learning Education</span>.</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text><![CDATA[<p>For further information, see the <a href="http://docs.moodle.org/en/About_Moodle">documentation about Moodle</a>.</p>]]></text>
    </generalfeedback>
    <answer fraction="0" format="moodle_auto_format">
      <text>true</text>
      <feedback format="html">
        <text><![CDATA[<p><img src="@@PLUGINFILE@@/thumbdown.jpg" alt="Thumb down" /> Your answer is incorrect.</p>]]></text>
      </feedback>
    </answer>
    <answer fraction="100" format="moodle_auto_format">
      <text>false</text>
      <feedback format="html">
        <text><![CDATA[<p><img src="@@PLUGINFILE@@/thumbup.jpg" alt="Thumb up" /> Your answer is correct.</p>]]></text>
      </feedback>
    </answer>
  </question>
</quiz>
"""  # noqa: E501 (Moodle's lines)


def test_moodle_s_truefalse_fixture_keeps_its_name_category_and_feedback_and_lists_the_images():
    quiz = moodle_xml_loads(TRUEFALSE_XML)
    assert quiz.title == "TrueFalse"
    (draft,) = quiz.questions
    assert draft.name == "Moodle acronym (False)"
    assert draft.options == (
        O("True", feedback="Your answer is incorrect."),
        O("False", correct=True, feedback="Your answer is correct."),
    )
    assert draft.explanation == "For further information, see the documentation about Moodle."
    assert quiz.warnings == (
        "line 8: dropped the image “thumbdown.jpg”, the image “thumbup.jpg” (questions here hold text only)",
    )
    text, _ = moodle_xml_dumps(quiz)
    assert moodle_xml_loads(text).questions == quiz.questions


def test_type_match_is_read_as_matching():
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="match">
    <name><text>Capitals</text></name>
    <questiontext format="html"><text>Match each country to its capital.</text></questiontext>
    <subquestion format="html"><text>Belarus</text><answer><text>Minsk</text></answer></subquestion>
    <subquestion format="html"><text>Russia</text><answer><text>Moscow</text></answer></subquestion>
    <subquestion format="html"><text>Armenia</text><answer><text>Yerevan</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>Kyiv</text></answer></subquestion>
  </question>
</quiz>
"""
    (draft,) = moodle_xml_loads(xml).questions
    assert draft.kind == MATCHING and draft.name == "Capitals"
    assert [(option.text, option.match) for option in draft.options] == [
        ("Belarus", "Minsk"),
        ("Russia", "Moscow"),
        ("Armenia", "Yerevan"),
        ("", "Kyiv"),
    ]
    written, _ = moodle_xml_dumps(QuizData("Capitals", questions=(draft,)))
    assert '<question type="matching">' in written
    assert moodle_xml_loads(written).questions == (draft,)


def test_a_short_answer_in_moodle_xml_keeps_its_part_marks_and_feedback():
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="shortanswer">
    <name><text>Shortanswer</text></name>
    <questiontext format="html"><text>Which is the best animal?</text></questiontext>
    <answer fraction="100" format="moodle_auto_format"><text>Frog</text><feedback format="html"><text>Good!</text></feedback></answer>
    <answer fraction="50" format="moodle_auto_format"><text>Cat</text><feedback format="html"><text>Cats!</text></feedback></answer>
    <answer fraction="0" format="moodle_auto_format"><text>*</text><feedback format="html"><text>No.</text></feedback></answer>
  </question>
</quiz>
"""  # noqa: E501 (Moodle's lines)
    (draft,) = moodle_xml_loads(xml).questions
    assert (draft.accepted, draft.accepted_weights, draft.rejected) == (("Frog", "Cat"), (1.0, 0.5), ("*",))
    assert dict(draft.answer_feedback) == {"Frog": "Good!", "Cat": "Cats!", "*": "No."}
    assert gift_loads(gift_dumps(QuizData("S", questions=(draft,)))[0]).questions == (draft,)


# qtype_ordering's GIFT fixture (question/type/ordering/tests/fixtures/testexport.gift.txt) and the
# syntax its export_to_gift writes: ">count selecttype layout grading details numbering", then an
# item a line.
ORDERING_GIFT = """// question: 123  name: Moodle
// [id:myid]
::Moodle::[html]Put these words in order.{>2     none
Modular
Object
Oriented
Dynamic
Learning
Environment
}
"""


def test_moodle_s_ordering_fixture_reads_as_ordering_and_goes_back_in_moodle_s_syntax():
    (draft,) = gift_loads(ORDERING_GIFT).questions
    assert (draft.kind, draft.name, draft.stem) == ("ordering", "Moodle", "Put these words in order.")
    words = ["Modular", "Object", "Oriented", "Dynamic", "Learning", "Environment"]
    assert [option.text for option in draft.options] == words
    text, _ = gift_dumps(QuizData("Order", questions=(draft,)))
    assert "::Moodle::Put these words in order.{>6 ALL VERTICAL ALL_OR_NOTHING SHOW none\n" + "\n".join(words) in text
    assert gift_loads(text).questions == (draft,)


# Moodle's nested_categories_with_questions.xml: four categories, a question or two in each, an
# essay among them. The quiz takes the first category's name; each question keeps its category,
# and goes back to Moodle under it.


def _tf(name: str) -> str:
    return (
        f'  <question type="truefalse">\n    <name><text>{name}</text></name>\n'
        f'    <questiontext format="html"><text><![CDATA[<p>Testing {name}</p>]]></text></questiontext>\n'
        '    <answer fraction="100" format="moodle_auto_format"><text>true</text></answer>\n'
        '    <answer fraction="0" format="moodle_auto_format"><text>false</text></answer>\n  </question>\n'
    )


def _category(path: str, info: str, fmt: str) -> str:
    return (
        f'  <question type="category">\n    <category><text>{path}</text></category>\n'
        f'    <info format="{fmt}"><text>{info}</text></info>\n  </question>\n'
    )


NESTED_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
    + _category("$course$/Iota", "This is Iota category for test", "plain_text")
    + _tf("Iota Question")
    + _category("$course$/Iota/Kappa", "This is Kappa category for test", "markdown")
    + '  <question type="essay">\n    <name><text>Kappa Essay Question</text></name>\n'
    '    <questiontext format="moodle_auto_format"><text>Testing Kappa Essay Question</text></questiontext>\n'
    "  </question>\n"
    + _tf("Kappa Question")
    + _category("$course$/Iota/Kappa/Lambda", "This is Lambda category for test", "moodle_auto_format")
    + _tf("Lambda Question")
    + _category("$course$/Iota/Mu", "This is Mu category for test", "moodle_auto_format")
    + _tf("Mu Question")
    + "</quiz>\n"
)


def test_moodle_s_nested_categories_name_the_quiz_and_group_its_questions():
    quiz = moodle_xml_loads(NESTED_XML)
    assert (quiz.title, quiz.description) == ("Iota", "This is Iota category for test")
    assert [(draft.name, draft.category) for draft in quiz.questions] == [
        ("Iota Question", "$course$/Iota"),
        ("Kappa Question", "$course$/Iota/Kappa"),
        ("Lambda Question", "$course$/Iota/Kappa/Lambda"),
        ("Mu Question", "$course$/Iota/Mu"),
    ]
    assert quiz.skipped == ("line 17: essay, skipped",)


@pytest.mark.parametrize(("dumps", "loads"), [(gift_dumps, gift_loads), (moodle_xml_dumps, moodle_xml_loads)])
def test_each_question_goes_back_under_its_own_category(dumps, loads):
    quiz = moodle_xml_loads(NESTED_XML)
    text, _ = dumps(quiz)
    assert text.count("$course$/Iota/Kappa/Lambda") == 1
    back = loads(text)
    assert back.questions == quiz.questions


def test_the_quiz_s_own_category_is_not_stored_with_each_question():
    quiz = gift_loads(
        "// title: Week 3\n$CATEGORY: $course$/top/Week 3\n\n::A::One?{T}\n\n$CATEGORY: Other\n\n::B::Two?{F}\n"
    )
    assert quiz.title == "Week 3"
    assert [(draft.name, draft.category) for draft in quiz.questions] == [("A", ""), ("B", "Other")]


def test_an_imported_bank_keeps_its_categories_in_the_database_and_the_export(content, teacher):
    from quizzes.transfer import quiz_export, quiz_import

    quiz = quiz_import(data=moodle_xml_loads(NESTED_XML), owner=teacher)
    assert list(quiz.questions.values_list("name", "category")) == [
        ("Iota Question", "$course$/Iota"),
        ("Kappa Question", "$course$/Iota/Kappa"),
        ("Lambda Question", "$course$/Iota/Kappa/Lambda"),
        ("Mu Question", "$course$/Iota/Mu"),
    ]
    text, _ = quiz_export(quiz=quiz, fmt="gift")
    assert "$CATEGORY: $course$/Iota/Kappa\n\n::Kappa Question::Testing Kappa Question{TRUE}" in text


def test_a_numerical_question_in_moodle_xml_keeps_its_margins_fractions_and_feedback():
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="numerical">
    <name><text>Year</text></name>
    <questiontext format="html"><text>When did Brazil become independent?</text></questiontext>
    <answer fraction="100"><text>1822</text><tolerance>0</tolerance><feedback><text>Right</text></feedback></answer>
    <answer fraction="50"><text>1822</text><tolerance>2</tolerance><feedback><text>Close</text></feedback></answer>
    <answer fraction="0"><text>*</text><tolerance>0</tolerance><feedback><text>No</text></feedback></answer>
    <unitgradingtype>0</unitgradingtype>
  </question>
</quiz>
"""
    (draft,) = moodle_xml_loads(xml).questions
    assert (draft.kind, draft.accepted, draft.tolerances, draft.accepted_weights) == (
        "numerical",
        ("1822", "1822"),
        (0.0, 2.0),
        (1.0, 0.5),
    )
    assert dict(draft.answer_feedback) == {"1822": "Right", "1822:2": "Close", "*": "No"}
    for dumps, loads in ((gift_dumps, gift_loads), (moodle_xml_dumps, moodle_xml_loads)):
        assert loads(dumps(QuizData("Years", questions=(draft,)))[0]).questions == (draft,)


@pytest.mark.parametrize("text", ["Q{#abc}", "Q{#5..1}", "Q{#3:-1}", "Q{#=%0%3}"])
def test_a_numerical_question_moodle_would_refuse_is_refused_with_its_line(text):
    with pytest.raises(InterchangeError) as caught:
        gift_loads(text)
    assert [line for line, _ in caught.value.errors] == [1]


def test_an_export_moodle_would_refuse_says_so():
    right = tuple(DraftOption(f"r{n}", correct=True) for n in range(11))
    draft = Draft(MULTIPLE, "Pick", (*right, O("w")), "", None)
    _, notes = gift_dumps(QuizData("Many", questions=(draft,)))
    assert any("9.09091% is not a grade Moodle allows" in note for note in notes)


def test_a_bad_number_in_an_uploaded_file_is_a_clear_error_not_a_500(content, teacher_client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    xml = (
        '<?xml version="1.0"?>\n<quiz>\n<question type="numerical"><questiontext><text>Q</text></questiontext>\n'
        '<answer fraction="100"><text>1e999</text><tolerance>x</tolerance></answer></question>\n</quiz>\n'
    )
    response = teacher_client.post(
        reverse("admin:quizzes_quiz_import"), {"file": SimpleUploadedFile("n.xml", xml.encode())}
    )
    assert response.status_code == 400
    assert "line 4: &#x27;1e999&#x27; give or take &#x27;x&#x27; is not a number" in response.content.decode()


# Any Moodle question of ordinary text: what Moodle holds of it survives both formats.

# Ordinary text, as tests/test_interchange.py draws it: no control, surrogate, format or private-use
# characters, single spaces, no spaces at the ends.
TEXT = (
    st.text(
        st.characters(exclude_categories=("Cc", "Cs", "Cf", "Co"), exclude_characters="\ufffe\uffff"),
        min_size=1,
        max_size=25,
    )
    .map(lambda text: " ".join(text.split()))
    .filter(bool)
)
GRADES = (1.0, 0.9, 0.8, 0.75, 0.7, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2, 0.1, 0.05)


@st.composite
def moodle_drafts(draw) -> Draft:
    kind = draw(st.sampled_from((SINGLE, MULTIPLE, TRUE_FALSE, GAP_FILL, MATCHING, NUMERICAL)))
    note = st.one_of(st.just(""), TEXT)
    extra: dict = {}
    options: tuple[DraftOption, ...] = ()
    if kind == SINGLE:
        texts = draw(st.lists(TEXT, min_size=2, max_size=4))
        partial = [draw(st.sampled_from((0.0, *GRADES[1:]))) for _ in texts[1:]]
        options = (
            DraftOption(texts[0], correct=True, feedback=draw(note), weight=1.0),
            *(DraftOption(t, feedback=draw(note), weight=w) for t, w in zip(texts[1:], partial, strict=True)),
        )
        if not any(partial):
            options = tuple(replace(option, weight=None) for option in options)
    elif kind == MULTIPLE:
        texts = draw(st.lists(TEXT, min_size=2, max_size=4))
        weights = [draw(st.sampled_from((*GRADES, -0.5, -1.0))) for _ in texts]
        weights[0] = abs(weights[0])
        options = tuple(
            DraftOption(t, correct=w > 0, feedback=draw(note), weight=w) for t, w in zip(texts, weights, strict=True)
        )
    elif kind == TRUE_FALSE:
        key = draw(st.booleans())
        options = (
            DraftOption("True", correct=key, feedback=draw(note)),
            DraftOption("False", correct=not key, feedback=draw(note)),
        )
    elif kind == GAP_FILL:
        accepted = draw(st.lists(TEXT, min_size=1, max_size=3, unique=True))
        weights = [1.0, *(draw(st.sampled_from(GRADES)) for _ in accepted[1:])]
        notes = tuple((text, n) for text in accepted if (n := draw(note)))
        extra = {"accepted": tuple(accepted), "answer_feedback": notes}
        if any(weight != 1.0 for weight in weights):
            extra["accepted_weights"] = tuple(weights)
    elif kind == MATCHING:
        pairs = draw(st.lists(st.tuples(TEXT, TEXT), min_size=4, max_size=5, unique_by=lambda p: p[1].casefold()))
        extra_wrong = draw(st.booleans())  # the last pair's item left out: an extra wrong match
        options = tuple(
            DraftOption("" if extra_wrong and index == len(pairs) - 1 else left, match=right)
            for index, (left, right) in enumerate(pairs)
        )
    else:
        values = draw(st.lists(st.integers(-5000, 5000), min_size=1, max_size=3, unique=True))
        tolerances = tuple(float(draw(st.integers(0, 9))) for _ in values)
        written = tuple(str(value) for value in values)
        extra = {"accepted": written, "tolerances": tolerances}
        if n := draw(note):
            extra["answer_feedback"] = (("*", n),)
    return Draft(
        kind,
        draw(TEXT),
        options,
        draw(note),
        None,
        name=draw(TEXT),
        category=draw(st.one_of(st.just(""), TEXT.map(lambda t: "$course$/top/" + t.replace("/", "-")))),
        **extra,
    )


@hypothesis_settings(max_examples=120, deadline=None)
@given(questions=st.lists(moodle_drafts(), min_size=1, max_size=4))
def test_any_moodle_question_of_ordinary_text_round_trips_through_both_formats(questions):
    quiz = QuizData(title="Property", questions=tuple(questions))
    for dumps, loads in ((gift_dumps, gift_loads), (moodle_xml_dumps, moodle_xml_loads)):
        text, _ = dumps(quiz)
        assert loads(text).questions == quiz.questions, dumps.__name__
