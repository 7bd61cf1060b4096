"""Quizzes travel to and from Moodle as GIFT and Moodle XML: every kind comes back as it left,
what a format cannot hold is said in the notes, and a bad file is refused whole, line by line."""

import io
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from quizzes import transfer
from quizzes.generation import (
    GAP_FILL,
    KINDS,
    MATCHING,
    MULTIPLE,
    ORDERING,
    SINGLE,
    TRUE_FALSE,
    Draft,
    DraftOption,
    ordinal,
)
from quizzes.interchange import (
    FORMATS,
    SUPPORTED,
    InterchangeError,
    QuizData,
    dumps,
    format_detect,
    gift_dumps,
    gift_loads,
    html_to_text,
    loads,
    moodle_xml_dumps,
    moodle_xml_loads,
)
from quizzes.interchange.model import fraction_of, weights
from quizzes.models import Question, Quiz
from quizzes.transfer import quiz_data, quiz_export, quiz_import

O = DraftOption  # noqa: E741 (short, for the tables of options below)

DRAFTS = (
    Draft(
        kind=SINGLE,
        stem="On what date did Belarus join the Eastern Partnership?",
        options=(O("7 May 2009", correct=True), O("28 May 2009"), O("12 January 2009"), O("7 May 2008")),
        explanation="Belarus joined on 7 May 2009.",
        topic="milk-war",
        fact_key="B12",
        sentences=(4, 5),
    ),
    Draft(
        kind=MULTIPLE,
        stem="By 14 June 2009, which countries had recognised Abkhazia? Select all that apply.",
        options=(O("Nicaragua", correct=True), O("Russia", correct=True), O("Belarus"), O("Venezuela")),
        explanation="Only two countries had.",
        topic="csto",
    ),
    Draft(
        kind=TRUE_FALSE,
        stem="True or false? On 14 June 2009 Belarus signalled a rift with Russia.",
        options=(O("True", correct=True), O("False")),
        explanation="True.",
        topic=None,
        source_note="The article's first sentence.",
    ),
    Draft(
        kind=GAP_FILL,
        stem="Fill the gap: deliveries resumed on Thursday _____.",
        options=(),
        explanation="On 18 June 2009.",
        topic=None,
        accepted=("18 June 2009", "June 18, 2009", "18 June"),
        rejected=("15 June 2009", "20 June 2009"),
    ),
    Draft(
        kind=ORDERING,
        stem="Put these events in the order they happened, earliest first.",
        options=(O("Gas supplies cut"), O("Wine ban"), O("Russo-Georgian war"), O("Dairy ban lifted")),
        explanation="In order of their dates.",
        topic=None,
        item_keys=("E1", "E2", "E3", "E4"),
    ),
    Draft(
        kind=MATCHING,
        stem="Match each person to their role.",
        options=(
            O("Gennady Onishchenko", match="Head of Rospotrebnadzor"),
            O("Sergei Sidorsky", match="Belarus's prime minister"),
            O("Alexei Kudrin", match="Russia's finance minister"),
        ),
        explanation="Onishchenko: Rospotrebnadzor; Sidorsky: prime minister; Kudrin: finance.",
        topic=None,
    ),
)
QUIZ = QuizData(
    title="Quiz: the milk war", description="Eleven questions.\nEach traced to its source.", questions=DRAFTS
)
SPECIAL = "Is {x} = ~y # z: see https://example.org/a?b=1#c or C:\\temp\\new -> ok? 100% [sic]"


def portable(draft: Draft) -> Draft:
    """What both formats hold of a question: everything but its sources. A multiple select made
    here comes back with the weights it was written with (Moodle's part marks)."""
    draft = replace(draft, topic=None, fact_key=None, sentences=(), source_note="", item_keys=())
    if draft.kind == MULTIPLE and all(option.weight is None for option in draft.options):
        share, wrong = (fraction_of(float(value)) for value in weights(draft))
        options = tuple(replace(option, weight=share if option.correct else wrong) for option in draft.options)
        draft = replace(draft, options=options)
    return draft


def unnamed(quiz: QuizData) -> QuizData:
    """`quiz` without the names both formats give unnamed questions ("Q1", "Q2", …)."""
    drafts = [replace(draft, name="") if draft.name == f"Q{n}" else draft for n, draft in enumerate(quiz.questions, 1)]
    return replace(quiz, questions=tuple(drafts))


def round_trip(quiz: QuizData, fmt: str) -> tuple[QuizData, str, list[str]]:
    text, notes = dumps(quiz, fmt)
    found, back = loads(text)
    assert found == fmt
    return unnamed(back), text, notes


def error_lines(text: str, loader) -> list[tuple[int, str]]:
    with pytest.raises(InterchangeError) as caught:
        loader(text)
    return caught.value.errors


# Round trips


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_kind_comes_back_with_its_stem_options_answers_and_explanation(fmt):
    back, _, _ = round_trip(QUIZ, fmt)
    assert back.title == QUIZ.title and back.description == QUIZ.description
    assert [draft.kind for draft in back.questions] == list(KINDS)
    assert back.questions == tuple(portable(draft) for draft in DRAFTS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_notes_say_once_how_many_questions_lose_their_sources(fmt):
    _, notes = dumps(QUIZ, fmt)
    name = {"gift": "GIFT", "moodlexml": "Moodle XML"}[fmt]
    sources = [note for note in notes if note.startswith("Sources")]
    assert sources == [
        f"Sources (fact, topic, article sentences, source note) are not part of {name}; 4 questions lose theirs."
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_notes_name_the_approximated_questions(fmt):
    _, notes = dumps(QUIZ, fmt)
    assert any(note.startswith("Q2 (multiple select): Moodle gives part marks") for note in notes)
    assert any(note.startswith("Q4 (gap-fill):") and "2 wrong answers are written at 0%" in note for note in notes)
    assert not any(note.startswith(("Q1 ", "Q3 ", "Q6 ")) for note in notes)


def test_gift_writes_each_kind_in_moodle_s_own_syntax():
    text, _ = gift_dumps(QUIZ)
    assert text.startswith(
        "// title: Quiz: the milk war\n"
        + "// description: Eleven questions.\\nEach traced to its source.\n"
        + "$CATEGORY: $course$/top/Quiz: the milk war\n\n"
    )
    assert "::Q1::On what date did Belarus join the Eastern Partnership?{\n\t=7 May 2009\n\t~28 May 2009\n" in text
    assert "\t~%50%Nicaragua\n\t~%50%Russia\n\t~%-100%Belarus\n" in text
    assert "::Q3::True or false? On 14 June 2009 Belarus signalled a rift with Russia.{TRUE####True.}" in text
    assert "\t=18 June 2009\n\t=June 18, 2009\n\t=18 June\n\t=%0%15 June 2009\n\t=%0%20 June 2009\n" in text
    assert "\t=Gennady Onishchenko -> Head of Rospotrebnadzor\n" in text
    assert "\t####Onishchenko\\: Rospotrebnadzor; Sidorsky\\: prime minister; Kudrin\\: finance.\n}" in text


def test_gift_writes_ordering_in_moodle_s_ordering_syntax_and_reads_it_back():
    text, notes = gift_dumps(QuizData(title="Order", questions=(DRAFTS[4],)))
    # As qtype_ordering's export_to_gift writes it: count, select type, layout, grading, details, numbering.
    assert (
        "::Q1::Put these events in the order they happened, earliest first.{>4 ALL VERTICAL ALL_OR_NOTHING SHOW none\n"
        "Gas supplies cut\nWine ban\nRusso-Georgian war\nDairy ban lifted\n####In order of their dates.\n}"
    ) in text
    assert not any("(ordering)" in note for note in notes)
    assert unnamed(gift_loads(text)).questions == (portable(DRAFTS[4]),)


def test_an_ordering_moodle_s_syntax_cannot_hold_goes_as_matching_to_places_after_a_marker():
    draft = replace(DRAFTS[4], options=(O("Gas {supplies} cut"), *DRAFTS[4].options[1:]))
    text, notes = gift_dumps(QuizData(title="Order", questions=(draft,)))
    assert "// ordering\n::Q1::Put these events" in text
    assert (
        "\t=Gas \\{supplies\\} cut -> 1st\n\t=Wine ban -> 2nd\n\t=Russo-Georgian war -> 3rd\n"
        "\t=Dairy ban lifted -> 4th\n"
    ) in text
    assert any(
        note.startswith("Q1 (ordering): an item holds a character Moodle's ordering syntax cannot") for note in notes
    )
    assert unnamed(gift_loads(text)).questions == (portable(draft),)
    # Moodle, which ignores comments, sees a matching of items to places; so does a file without the marker.
    (matching,) = gift_loads(text.replace("// ordering\n", "")).questions
    assert matching.kind == MATCHING
    assert [(o.text, o.match) for o in matching.options][:2] == [("Gas {supplies} cut", "1st"), ("Wine ban", "2nd")]


def test_ordinals_read_as_english():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
        "111th",
    ]


def test_multiple_select_weights_share_100_percent_among_the_right_answers():
    draft = Draft(MULTIPLE, "Which?", (O("a", True), O("b", True), O("c", True), O("d")), "", None)
    text, _ = gift_dumps(QuizData("Weights", questions=(draft,)))
    assert "\t~%33.33333%a\n\t~%33.33333%b\n\t~%33.33333%c\n\t~%-100%d\n" in text
    xml, _ = moodle_xml_dumps(QuizData("Weights", questions=(draft,)))
    assert xml.count('<answer fraction="33.33333" format="html">') == 3
    assert '<answer fraction="-100" format="html">' in xml


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_true_false_whose_options_are_not_true_and_false_goes_as_single_choice_and_says_so(fmt):
    draft = Draft(TRUE_FALSE, "Is it?", (O("Yes", correct=True), O("No")), "", None)
    back, _, notes = round_trip(QuizData("Yes or no", questions=(draft,)), fmt)
    assert back.questions == (replace(draft, kind=SINGLE),)
    assert "Q1 (true or false): its options are not exactly True and False; written as single choice." in notes


@pytest.mark.parametrize("fmt", FORMATS)
def test_special_characters_and_a_url_survive_in_every_part_of_a_question(fmt):
    drafts = (
        Draft(SINGLE, SPECIAL, (O(SPECIAL, correct=True), O("%5% off"), O("[html]<b>x</b>")), SPECIAL, None),
        Draft(GAP_FILL, SPECIAL, (), SPECIAL, None, accepted=(SPECIAL, "%x"), rejected=(SPECIAL + "!",)),
        Draft(MATCHING, "Match", (O(SPECIAL, match=SPECIAL), O("a->b", match="->"), O("-", match=">")), "", None),
        Draft(ORDERING, "Order", (O(SPECIAL), O("#1"), O("TRUE")), "", None),
    )
    back, _, _ = round_trip(QuizData(title="Braces {and} slashes / here", questions=drafts), fmt)
    assert back.questions == drafts
    assert back.title == "Braces {and} slashes / here"


def test_gift_escapes_what_moodle_escapes():
    draft = Draft(SINGLE, SPECIAL, (O("a=b", correct=True), O("c~d")), "", None)
    text, notes = gift_dumps(QuizData("Escapes", questions=(draft,)))
    escaped = (
        "Is \\{x\\} \\= \\~y \\# z\\: see https\\://example.org/a?b\\=1\\#c or C\\:\\\\temp\\\\new -> ok? 100% [sic]"
    )
    assert f"::Q1::{escaped}{{\n\t=a\\=b\n\t~c\\~d\n}}" in text
    assert not any("->" in note for note in notes)  # "->" in a stem is plain text


def test_gift_writes_an_arrow_inside_a_matching_item_so_it_stays_text_and_says_so():
    draft = DRAFTS[5]
    draft = replace(draft, options=(O("a -> b", match="1"), *draft.options[1:]))
    text, notes = gift_dumps(QuizData("Arrows", questions=(draft,)))
    assert "\t=a -\\> b -> 1\n" in text
    assert any(note.startswith("Q1 (matching): '->' inside an answer is written '-\\>'") for note in notes)


def test_moodle_xml_escapes_the_html_it_writes_and_reads_plain_text_back():
    draft = Draft(SINGLE, "Is 1 < 2 & <b>bold</b>?\nSecond line.", (O("<i>yes</i>", True), O("no")), "", None)
    xml, _ = moodle_xml_dumps(QuizData("HTML", questions=(draft,)))
    assert "<text>&lt;p&gt;Is 1 &amp;lt; 2 &amp;amp; &amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt;?&lt;br&gt;Second" in xml
    assert unnamed(moodle_xml_loads(xml)).questions == (draft,)


def test_moodle_xml_writes_ordering_for_moodle_s_ordering_type_graded_all_or_nothing():
    xml, _ = moodle_xml_dumps(QuizData("Order", questions=(DRAFTS[4],)))
    assert '<question type="ordering">' in xml
    assert "<selecttype>ALL</selecttype>" in xml and "<gradingtype>ALL_OR_NOTHING</gradingtype>" in xml
    assert '<answer fraction="1.0000000" format="html">\n      <text>Gas supplies cut</text>' in xml


def test_moodle_xml_keeps_a_gap_fill_s_wrong_answers_at_fraction_0():
    xml, _ = moodle_xml_dumps(QuizData("Gap", questions=(DRAFTS[3],)))
    assert '<answer fraction="0" format="plain_text">\n      <text>15 June 2009</text>' in xml
    assert moodle_xml_loads(xml).questions[0].rejected == ("15 June 2009", "20 June 2009")


def test_moodle_xml_replaces_characters_xml_cannot_hold_and_says_so():
    draft = Draft(SINGLE, "Bad \ufffe char", (O("a", True), O("b")), "", None)
    xml, notes = moodle_xml_dumps(QuizData("Odd", questions=(draft,)))
    assert moodle_xml_loads(xml).questions[0].stem == "Bad \ufffd char"
    assert "Q1 (single choice): characters XML cannot hold were replaced by \ufffd." in notes


def test_dumps_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="Unknown format 'qti'"):
        dumps(QUIZ, "qti")


# Reading files written elsewhere


def test_gift_reads_moodle_s_documented_examples():
    text = """// From the GIFT documentation, with Moodle's own comments.
// question: 1  name: Grant's tomb
::Grant::Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}

Grant is {~buried =entombed ~living} in Grant's tomb.

Grant is buried in Grant's tomb.{F}

Who's buried in Grant's tomb?{=no one =nobody =%0%Grant#Not quite.}

Match the following countries with their corresponding
capitals.{
    =Canada -> Ottawa
    // a comment between answers
    =Italy  -> Rome
    =Japan  -> Tokyo
}

What's between orange and green in the spectrum?
{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow ####Yellow, as in the rainbow. }

[html]<p>Which of these are <b>primes</b>?</p>{~%50%2 ~%50%3 ~%-100%4}
"""
    single, missing, false, short, matching, feedback, html = gift_loads(text).questions
    assert (single.kind, single.stem) == (SINGLE, "Who's buried in Grant's tomb?")
    assert [o.correct for o in single.options] == [False, False, True]
    assert (missing.stem, missing.options[1]) == ("Grant is _____ in Grant's tomb.", O("entombed", correct=True))
    assert false.options == (O("True"), O("False", correct=True))
    assert (short.kind, short.accepted, short.rejected) == (GAP_FILL, ("no one", "nobody"), ("Grant",))
    assert matching.stem == "Match the following countries with their corresponding\ncapitals."
    assert [(o.text, o.match) for o in matching.options] == [
        ("Canada", "Ottawa"),
        ("Italy", "Rome"),
        ("Japan", "Tokyo"),
    ]
    # Feedback on one answer has nowhere to go; the general feedback is the explanation.
    assert [o.text for o in feedback.options] == ["yellow", "red", "blue"]
    assert feedback.explanation == "Yellow, as in the rainbow."
    assert (html.kind, html.stem) == (MULTIPLE, "Which of these are primes?")
    assert [o.correct for o in html.options] == [True, True, False]


def test_gift_reads_moodle_s_ordering_syntax_as_ordering():
    text = "::Moodle::[html]Put these words in order.{>3 ALL VERTICAL\nModular\nObject\nOriented\n}\n"
    (draft,) = gift_loads(text).questions
    assert (draft.kind, [o.text for o in draft.options]) == (ORDERING, ["Modular", "Object", "Oriented"])


def test_gift_without_a_title_comment_takes_the_category_name():
    data = gift_loads("$CATEGORY: $course$/top/Default for Year 9/Milk war\n\n::Q1::Is it?{T}\n")
    assert data.title == "Milk war"


def test_moodle_xml_from_moodle_with_cdata_html_and_feedback_reads_as_plain_text():
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category><text>$course$/top/Default for C1/Week 3</text></category>
    <info format="html"><text><![CDATA[<p>Weekly&nbsp;check &amp; review</p>]]></text></info>
  </question>
  <question type="multichoice">
    <name><text>Capital</text></name>
    <questiontext format="html">
      <text><![CDATA[<p dir="ltr">What is the capital<br>of <strong>Belarus</strong>?</p>
<p>Choose one.</p>]]></text>
    </questiontext>
    <generalfeedback format="html"><text><![CDATA[<p>Minsk.</p><script>alert(1)</script>]]></text></generalfeedback>
    <single>true</single>
    <answer fraction="100" format="html"><text><![CDATA[<p>Minsk</p>]]></text>
      <feedback format="html"><text>Right.</text></feedback></answer>
    <answer fraction="0" format="html"><text>Moscow</text></answer>
  </question>
</quiz>
"""
    data = moodle_xml_loads(xml)
    assert (data.title, data.description) == ("Week 3", "Weekly\u00a0check & review")
    (draft,) = data.questions
    assert draft.stem == "What is the capital\nof Belarus?\n\nChoose one."
    assert draft.explanation == "Minsk."
    assert draft.options == (O("Minsk", correct=True, feedback="Right."), O("Moscow"))
    assert draft.name == "Capital"


def test_html_becomes_plain_text_with_its_line_breaks():
    assert html_to_text("<p>One &amp;  two</p>\n  <p>Three<br/>four</p>") == "One & two\n\nThree\nfour"


# Malformed files: every problem, with its line, and nothing imported


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("// title: Broken\n\n::Q1::What is it?{\n\t=this\n\t~that\n", [3], id="brace-never-closed"),
        pytest.param("::Q1::What is it}?\n{=a ~b}\n", [1], id="closing-brace-first"),
        pytest.param("::Q1::Pick{=a {b} ~c}\n", [1], id="brace-inside-answers"),
        pytest.param("::Q1::Two and two?{#four}\n", [1], id="numerical-not-a-number"),
        pytest.param("::Q1::Tell me about it.{}\n", [1], id="essay"),
        pytest.param("\n\nJust a description, no answers.\n", [3], id="description"),
        pytest.param("::Q1::Pick{\n~a\n~b\n~c\n}\n", [1], id="choice-with-no-right-answer"),
        pytest.param("::Q1::Pick{=a =b ~c}\n", [1], id="single-with-two-right-answers"),
        pytest.param("::Q1::Match{\n=a -> 1\n=b -> 2\n}\n", [1], id="matching-with-two-pairs"),
        pytest.param("::Q1::Match{\n=a -> 1\n=b\n=c -> 3\n=d -> 4\n}\n", [3], id="pair-without-arrow"),
        pytest.param("::Q1::Match{\n=a -> 1\n= -> 2\n=c -> 3\n}\n", [1], id="two-pairs-and-an-extra-wrong-match"),
        pytest.param("// ordering\n::Q1::Order{\n=a -> 1st\n=b -> 3rd\n=c -> 3rd\n}\n", [2], id="ordering-bad-places"),
        pytest.param("::Q1::Pick{=a ~ ~c}\n", [1], id="empty-answer"),
        pytest.param("::Q1::Gap{=%0%a =%0%b}\n", [1], id="short-answer-all-wrong"),
        pytest.param("\n::Q1 What?{=a}\n", [2], id="name-not-closed"),
    ],
)
def test_malformed_gift_is_refused_with_the_line_of_each_problem(text, expected):
    assert [line for line, _ in error_lines(text, gift_loads)] == expected


def test_gift_errors_say_what_is_wrong():
    messages = dict(error_lines("::Q1::Tell me.{}\n\n::Q2::Match{\n=a -> 1\n=b -> 2\n}\n", gift_loads))
    assert messages[1].startswith("an essay question ({}) is not supported")
    assert messages[3] == "a matching question needs at least 3 pairs; it has 2"


def test_a_gift_file_with_several_bad_questions_lists_them_all_and_gives_nothing():
    text = (
        "// title: Mixed\n"  # 1
        "\n"
        "::Q1::Fine{=yes ~no}\n"  # 3
        "\n"
        "::Q2::Broken{=a\n"  # 5
        "~b\n"
        "\n"
        "::Q3::Also fine{TRUE}\n"  # 8
        "\n"
        "::Q4::Empty answer{=a\n"  # 10
        "~\n"  # 11
        "~c}\n"
    )
    with pytest.raises(InterchangeError) as caught:
        gift_loads(text)
    assert caught.value.errors == [(5, "'{' is never closed with '}'"), (11, "an empty answer")]
    assert str(caught.value) == "line 5: '{' is never closed with '}'\nline 11: an empty answer"


def test_a_title_or_answer_too_long_for_the_database_is_refused_at_its_line():
    long = "x" * 301
    gift = f"// title: {'T' * 201}\n\n::Q1::Pick{{\n=a\n~{long}\n}}\n"
    assert error_lines(gift, gift_loads) == [
        (1, "the title is longer than 200 characters"),
        (5, "an answer is longer than 300 characters"),
    ]
    draft = Draft(SINGLE, "Pick", (O("a", correct=True), O(long)), "", None)
    xml, _ = moodle_xml_dumps(QuizData("T" * 201, questions=(draft,)))
    lines = xml.split("\n")
    category = next(n for n, line in enumerate(lines, start=1) if 'type="category"' in line)
    answer = next(n for n, line in enumerate(lines, start=1) if "xxx" in line) - 1  # the <answer> above its <text>
    assert error_lines(xml, moodle_xml_loads) == [
        (category, "the title is longer than 200 characters"),
        (answer, "an answer is longer than 300 characters"),
    ]


XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'  # lines 1 and 2


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param('  <question type="multichoice">\n  </quiz>\n', [4], id="not-well-formed"),
        pytest.param(
            '  <question type="numerical">\n    <questiontext><text>2+2?</text></questiontext>\n', [3], id="numerical"
        ),
        pytest.param(
            '  <question type="multichoice">\n    <questiontext><text>Pick</text></questiontext>\n'
            '    <answer fraction="0"><text>a</text></answer>\n    <answer fraction="0"><text>b</text></answer>\n',
            [3],
            id="single-with-no-right-answer",
        ),
        pytest.param(
            '  <question type="matching">\n    <questiontext><text>Match</text></questiontext>\n'
            "    <subquestion><text>a</text><answer><text>1</text></answer></subquestion>\n"
            "    <subquestion><text>b</text><answer><text>2</text></answer></subquestion>\n",
            [3],
            id="matching-with-two-pairs",
        ),
        pytest.param(
            '  <question type="matching">\n    <questiontext><text>Match</text></questiontext>\n'
            "    <subquestion><text>a</text><answer><text>1</text></answer></subquestion>\n"
            "    <subquestion><text></text><answer><text>2</text></answer></subquestion>\n"
            "    <subquestion><text>c</text><answer><text>3</text></answer></subquestion>\n"
            "    <subquestion><text>d</text><answer><text></text></answer></subquestion>\n",
            [8],
            id="an-extra-wrong-match-is-read-an-item-without-its-match-is-not",
        ),
        pytest.param(
            '  <question type="truefalse">\n    <questiontext><text>Is it?</text></questiontext>\n'
            '    <answer fraction="0"><text>true</text></answer>\n'
            '    <answer fraction="0"><text>false</text></answer>\n',
            [3],
            id="true-false-with-no-right-answer",
        ),
        pytest.param(
            '  <question type="shortanswer">\n    <questiontext><text>Gap</text></questiontext>\n'
            '    <answer fraction="half"><text>a</text></answer>\n',
            [3, 5],
            id="bad-fraction-and-no-accepted-answer",
        ),
        pytest.param(
            '  <question type="ordering">\n    <questiontext><text></text></questiontext>\n'
            "    <answer><text>a</text></answer>\n    <answer><text>b</text></answer>\n"
            "    <answer><text>c</text></answer>\n",
            [3],
            id="no-question-text",
        ),
        pytest.param("  <category>Odd</category>\n", [3], id="unexpected-element"),
    ],
)
def test_malformed_moodle_xml_is_refused_with_the_line_of_each_problem(body, expected):
    closing = "" if "</quiz>" in body else "  </question>\n</quiz>\n"
    if body.startswith("  <category>"):
        closing = "</quiz>\n"
    assert [line for line, _ in error_lines(XML_HEAD + body + closing, moodle_xml_loads)] == expected


def test_moodle_xml_parse_errors_carry_the_parser_s_line_even_after_blank_lines():
    errors = error_lines("\n\n" + XML_HEAD + "  <question>\n  </quizz>\n", moodle_xml_loads)
    assert errors == [(6, "not well-formed XML: mismatched tag (column 5)")]


def test_moodle_xml_with_a_wrong_root_or_no_questions_is_refused():
    assert error_lines('<?xml version="1.0"?>\n\n<questions/>\n', moodle_xml_loads) == [
        (3, "the root element is <questions>; Moodle XML starts with <quiz>")
    ]
    assert error_lines("<quiz>\n</quiz>\n", moodle_xml_loads) == [(1, "no questions found")]


def test_a_moodle_xml_file_with_several_bad_questions_lists_them_all_and_gives_nothing():
    text, _ = moodle_xml_dumps(QUIZ)
    # The single choice loses its right answer to a bad fraction; the matching becomes a type we lack.
    text = text.replace('type="matching"', 'type="calculated"').replace('fraction="100"', 'fraction="x"', 1)
    lines = text.split("\n")
    single = next(n for n, line in enumerate(lines, start=1) if 'type="multichoice"' in line)
    fraction = next(n for n, line in enumerate(lines, start=1) if 'fraction="x"' in line)
    calculated = next(n for n, line in enumerate(lines, start=1) if 'type="calculated"' in line)
    assert error_lines(text, partial(moodle_xml_loads, strict=True)) == [
        (single, "a single choice needs one right answer (fraction 100); it has 0"),
        (fraction, "fraction 'x' is not a number"),
        (calculated, f"question type 'calculated' is not supported: use {SUPPORTED}"),
    ]


@pytest.mark.parametrize(
    "attack",
    [
        pytest.param(
            '<?xml version="1.0"?>\n<!DOCTYPE quiz [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
            '<quiz><question type="truefalse"><questiontext><text>&xxe;</text></questiontext></question></quiz>\n',
            id="external-entity",
        ),
        pytest.param(
            '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n  <!ENTITY lol "lol">\n'
            '  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
            '  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
            "<quiz>&lol3;</quiz>\n",
            id="billion-laughs",
        ),
    ],
)
def test_xml_with_entities_is_refused_not_expanded(attack):
    with pytest.raises(InterchangeError) as caught:
        moodle_xml_loads(attack)
    assert caught.value.errors == [(2, "refused: DTDForbidden (DTDs and entities are not allowed)")]
    assert "root:" not in str(caught.value) and "lollol" not in str(caught.value)


# Format detection


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ('<?xml version="1.0"?><quiz/>', "moodlexml"),
        ("\ufeff\n  <quiz>\n</quiz>", "moodlexml"),
        ("\r\n<?xml version='1.0'?>", "moodlexml"),
        ("// title: Milk war\n::Q1::Is it?{T}", "gift"),
        ("\ufeff::Q1::Is it?{T}", "gift"),
        ("<p>HTML is not Moodle XML</p>{T}", "gift"),
        ("", "gift"),
    ],
)
def test_the_format_is_detected_from_the_start_of_the_text(text, fmt):
    assert format_detect(text) == fmt


def test_a_byte_order_mark_and_windows_line_ends_are_read_like_plain_text():
    text, _ = gift_dumps(QUIZ)
    assert gift_loads("\ufeff" + text.replace("\n", "\r\n")) == gift_loads(text)
    xml, _ = moodle_xml_dumps(QUIZ)
    assert loads("\ufeff" + xml) == ("moodlexml", moodle_xml_loads(xml))


# Any question built from ordinary text goes through both formats unchanged

# Printable text: what explainer.text.invisible_strip removes on import (controls, format and
# private-use characters) does not come back, by design.
WORDS = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Cf", "Co"), exclude_characters="\ufffe\uffff"),
    min_size=1,
    max_size=25,
)
TEXT = WORDS.map(lambda text: " ".join(text.split())).filter(bool)  # as typed: single spaces, no ends


@st.composite
def drafts(draw) -> Draft:
    kind = draw(st.sampled_from(KINDS))
    options: tuple[DraftOption, ...] = ()
    accepted: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    if kind in {SINGLE, MULTIPLE}:
        texts = draw(st.lists(TEXT, min_size=2, max_size=5))
        if kind == SINGLE:
            right = draw(st.integers(0, len(texts) - 1))
            flags = [index == right for index in range(len(texts))]
        else:
            flags = draw(st.lists(st.booleans(), min_size=len(texts), max_size=len(texts)).filter(any))
        options = tuple(DraftOption(text, correct=flag) for text, flag in zip(texts, flags, strict=True))
    elif kind == TRUE_FALSE:
        key = draw(st.booleans())
        options = (DraftOption("True", correct=key), DraftOption("False", correct=not key))
    elif kind == GAP_FILL:
        accepted = tuple(draw(st.lists(TEXT, min_size=1, max_size=3)))
        rejected = tuple(draw(st.lists(TEXT, max_size=3)))
    elif kind == ORDERING:
        options = tuple(DraftOption(text) for text in draw(st.lists(TEXT, min_size=3, max_size=5)))
    else:
        # Each item needs its own answer, as the admin requires.
        pairs = draw(st.lists(st.tuples(TEXT, TEXT), min_size=3, max_size=5, unique_by=lambda p: p[1].casefold()))
        options = tuple(DraftOption(left, match=right) for left, right in pairs)
    explanation = draw(st.one_of(st.just(""), TEXT))
    return Draft(kind, draw(TEXT), options, explanation, None, accepted=accepted, rejected=rejected)


@hypothesis_settings(max_examples=150, deadline=None)
@given(questions=st.lists(drafts(), min_size=1, max_size=4))
def test_any_question_of_ordinary_text_round_trips_through_both_formats(questions):
    quiz = QuizData(title="Property", description="Any text.", questions=tuple(questions))
    for fmt in FORMATS:
        back, _, _ = round_trip(quiz, fmt)
        assert back == replace(quiz, questions=tuple(portable(draft) for draft in quiz.questions)), fmt


# The database side: the built-in quiz out and back in, and the commands


def _snapshot(quiz: Quiz) -> list[tuple]:
    return [
        (
            question.kind,
            question.stem,
            question.explanation,
            question.accepted_answers,
            question.rejected_answers,
            question.key_text(),
            [(option.text, option.is_correct, option.match) for option in question.options.all()],
        )
        for question in quiz.questions.prefetch_related("options")
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_milk_war_quiz_exported_and_imported_is_a_teacher_s_draft_with_the_same_questions(content, teacher, fmt):
    original = Quiz.objects.get(slug="milk-war")
    text, notes = quiz_export(quiz=original, fmt=fmt)
    _, data = loads(text)
    imported = quiz_import(data=data, owner=teacher)
    assert (imported.status, imported.owner, imported.title) == (Quiz.Status.DRAFT, teacher, original.title)
    assert imported.description == original.description
    assert imported.slug == "quiz-the-milk-war-russias-2009-ban-on-belarusian-dairy"
    assert _snapshot(imported) == _snapshot(original)
    assert len(_snapshot(imported)) == original.questions.count() == 11
    # Sources do not travel, and the notes said so.
    assert not imported.questions.exclude(fact=None).exists()
    assert notes[-1].endswith("11 questions lose theirs.")


def test_quiz_data_lists_questions_in_order_with_their_sources(content):
    quiz = Quiz.objects.get(slug="milk-war")
    data = quiz_data(quiz=quiz)
    questions = list(quiz.questions.all())
    assert [draft.stem for draft in data.questions] == [question.stem for question in questions]
    ordering = next(draft for draft in data.questions if draft.kind == ORDERING)
    question = next(question for question in questions if question.kind == Question.Kind.ORDERING)
    assert [option.text for option in ordering.options] == question.key_text()
    assert any(draft.fact_key for draft in data.questions) and any(draft.sentences for draft in data.questions)


def test_importing_the_same_title_twice_gives_numbered_slugs(content, teacher):
    data = QuizData(title="Milk war!", questions=DRAFTS[:2])
    slugs = [quiz_import(data=data, owner=teacher).slug for _ in range(3)]
    assert slugs == ["milk-war-2", "milk-war-3", "milk-war-4"]  # "milk-war" is the built-in quiz
    assert quiz_import(data=QuizData(title="", questions=DRAFTS[:1]), owner=teacher).title == "Imported quiz"


def test_an_import_that_fails_half_way_leaves_no_quiz_behind(content, teacher, monkeypatch):
    def broken(*, quiz, drafts):
        raise RuntimeError("disk full")

    monkeypatch.setattr(transfer, "questions_save", broken)
    before = Quiz.objects.count()
    with pytest.raises(RuntimeError):
        quiz_import(data=QUIZ, owner=teacher)
    assert Quiz.objects.count() == before


def test_export_command_writes_the_file_to_stdout_and_notes_to_stderr(content):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_quiz", "milk-war", "--format", "gift", stdout=out, stderr=err)
    assert out.getvalue() == quiz_export(quiz=Quiz.objects.get(slug="milk-war"), fmt="gift")[0]
    assert out.getvalue().startswith("// title: Quiz: The milk war")
    assert "Note: Q" in err.getvalue() and "Note: Sources" in err.getvalue()


def test_export_command_writes_to_output_when_asked(content, tmp_path: Path):
    target = tmp_path / "milk-war.xml"
    out = io.StringIO()
    call_command(
        "export_quiz", "milk-war", "--format", "moodlexml", "--output", str(target), stdout=out, stderr=io.StringIO()
    )
    assert target.read_text(encoding="utf-8").startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    assert f"Wrote milk-war (11 questions) as Moodle XML to {target}." in out.getvalue()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["no-such-quiz", "--format", "gift"], "No quiz with the slug 'no-such-quiz'."),
        (["milk-war", "--format", "qti"], "invalid choice: 'qti'"),
    ],
)
def test_export_command_refuses_an_unknown_quiz_or_format(content, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_quiz", *arguments, stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize("fmt", FORMATS)
def test_import_command_creates_a_draft_quiz_and_prints_its_slug_and_size(content, teacher, tmp_path, fmt):
    source = tmp_path / "quiz.txt"
    source.write_text(dumps(QUIZ, fmt)[0], encoding="utf-8")
    out = io.StringIO()
    call_command("import_quiz", str(source), "--owner", teacher.username, stdout=out)
    quiz = Quiz.objects.get(owner=teacher)
    name = {"gift": "GIFT", "moodlexml": "Moodle XML"}[fmt]
    assert out.getvalue() == f"Created draft quiz {quiz.slug} with 6 questions from {name}.\n"
    assert (quiz.slug, quiz.status, quiz.questions.count()) == ("quiz-the-milk-war", Quiz.Status.DRAFT, 6)


def test_import_command_refuses_a_malformed_file_listing_every_line_and_saves_nothing(content, teacher, tmp_path):
    source = tmp_path / "broken.gift"
    source.write_text("::Q1::Fine{=a ~b}\n\n::Q2::Tell me about it.{}\n\n::Q3::Pick{~a ~b}\n", encoding="utf-8")
    before = Quiz.objects.count()
    with pytest.raises(CommandError) as caught:
        call_command("import_quiz", str(source), "--owner", teacher.username, "--strict", stdout=io.StringIO())
    message = str(caught.value)
    assert message.startswith(f"{source} was not imported; nothing was saved:\nline 3: an essay question")
    assert "\nline 5: no right answer" in message
    assert Quiz.objects.count() == before


def test_import_command_refuses_an_unknown_owner_a_missing_file_and_a_file_not_in_utf8(content, teacher, tmp_path):
    source = tmp_path / "latin1.txt"
    source.write_bytes("::Q1::Caf\u00e9?{T}".encode("latin-1"))
    with pytest.raises(CommandError, match="No user called 'nobody'"):
        call_command("import_quiz", str(source), "--owner", "nobody")
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        call_command("import_quiz", str(source), "--owner", teacher.username)
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_quiz", str(tmp_path / "missing.txt"), "--owner", teacher.username)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("::Q1::Pick\x00 one{=a ~b}\n", "line 1: a control character"),
        ("::Q1::Match{\n=a -> 1\n=b -> 1\n=c -> 1\n}\n", "line 1: Each matching item needs a different answer."),
        ("".join(f"::Q{n}::Pick{{=a ~b}}\n\n" for n in range(1, 203)), "line 401: more than 200 questions"),
        ("::Q1::Pick{=a " + " ".join(f"~w{n}" for n in range(60)) + "}\n", "line 1: more than 50 answers"),
    ],
)
def test_an_import_is_held_to_what_the_admin_accepts(text, message):
    with pytest.raises(InterchangeError) as caught:
        gift_loads(text)
    assert message in str(caught.value)
