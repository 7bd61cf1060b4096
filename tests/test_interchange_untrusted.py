"""A quiz file is untrusted input: whatever a teacher uploads, random, mutated or built to hurt, the
importers answer with a quiz or with errors that each carry a line, in bounded time, never with
another exception. Numbers that cannot be percentages are refused; images and files that cannot
come along are listed; invisible characters are removed as they are from nicknames."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from quizzes.generation import GAP_FILL, MATCHING, MULTIPLE, ORDERING, SINGLE, TRUE_FALSE, Draft, DraftOption
from quizzes.interchange import (
    InterchangeError,
    QuizData,
    gift_dumps,
    gift_loads,
    loads,
    moodle_xml_dumps,
    moodle_xml_loads,
)
from quizzes.interchange.model import ERRORS_SHOWN
from quizzes.models import Quiz

O = DraftOption  # noqa: E741 (short, for the options below)

SEED_QUIZ = QuizData(
    title="Seed: the milk war",
    description="Every kind of question.\nTwo lines.",
    questions=(
        Draft(SINGLE, "Which year?", (O("2009", correct=True), O("2008"), O("%5% off")), "In 2009.", None),
        Draft(MULTIPLE, "Which members?", (O("Russia", True), O("Belarus", True), O("Georgia")), "", None),
        Draft(TRUE_FALSE, "Was milk banned?", (O("True", correct=True), O("False")), "Yes.", None),
        Draft(GAP_FILL, "Ban lifted on _____.", (), "", None, accepted=("17 June",), rejected=("1 June",)),
        Draft(ORDERING, "Order them.", (O("Wine ban"), O("Milk ban"), O("Gas cut")), "", None),
        Draft(
            MATCHING,
            "Match.",
            (O("Putin", match="PM"), O("Lukashenko", match="President"), O("a", match="b")),
            "",
            None,
        ),
    ),
)
GIFT_SEEDS = [
    gift_dumps(SEED_QUIZ)[0],
    "::Grant::Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}\n\n"
    "Grant is {~buried =entombed ~living} in Grant's tomb.\n\n"
    "Who's buried in Grant's tomb?{=no one =nobody =%0%Grant#Not quite.}\n\n"
    "::Moodle::[html]Put these in order.{>3 ALL VERTICAL\nModular\nObject\nOriented\n}\n\n"
    '[html]<p>See <img src="@@PLUGINFILE@@/map.png"></p>{~%50%2 ~%50%3 ~%-100%4 ####Primes.}\n',
]
XML_SEEDS = [
    moodle_xml_dumps(SEED_QUIZ)[0],
    '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n  <question type="multichoice">\n'
    '    <questiontext format="html"><text><![CDATA[<p>See <img src="@@PLUGINFILE@@/a.png"></p>]]></text>\n'
    '      <file name="a.png" path="/" encoding="base64">iVBORw0KGgo=</file></questiontext>\n'
    '    <answer fraction="100"><text>yes</text></answer>\n    <answer fraction="0"><text>no</text></answer>\n'
    "  </question>\n</quiz>\n",
]
GIFT_TOKENS = [
    *"{}~=#:->%\\\n",
    "####",
    "::",
    "->",
    "%50%",
    "%100000%",
    "%-1e9%",
    "%nan%",
    "\\n",
    "\n\n",
    "// ordering\n",
    "// title: ",
    "$CATEGORY: $course$/top/",
    "[html]",
    "[markdown]",
    "<p>",
    "</",
    "<!--",
    "<![",
    '<img src="@@PLUGINFILE@@/a.png">',
    "![x](data:image/png;base64,AAAA)",
    "{>3 ALL\n",
    "TRUE",
    "F",
    "\u202e",
    "\u200b",
    "\ue000",
    "\x00",
    "\ufeff",
]
XML_TOKENS = [
    *"<>/\"'&=\n",
    "</question>",
    '<question type="multichoice">',
    '<question type="truefalse">',
    '<question type="matching">',
    '<question type="category">',
    "<questiontext><text>Q</text></questiontext>",
    '<answer fraction="100"><text>a</text></answer>',
    '<answer fraction="1e308">',
    '<answer fraction="NaN">',
    '<answer fraction="-inf">',
    "<subquestion><text>a</text><answer><text>b</text></answer></subquestion>",
    "<single>false</single>",
    "<text>",
    "</text>",
    "&lt;",
    "&lt;![",
    "&amp;",
    "&#x202e;",
    "&#0;",
    "<![CDATA[",
    "]]>",
    "<!DOCTYPE quiz>",
    '<!ENTITY a "b">',
    "&a;",
    "<?pi x?>",
    "<!-- c -->",
    '<file name="a.png" encoding="base64">AAAA</file>',
    "&lt;img src=&quot;data:image/png;base64,AAAA&quot;&gt;",
    '<?xml version="1.0" encoding="UTF-16"?>',
    "\ufeff",
    "\x00",
]
INVISIBLE_LEFT = ("\u202e", "\u200b", "\u200d", "\ufeff", "\ue000", "\x85")


@st.composite
def mutated(draw, seeds: list[str], tokens: list[str]) -> str:
    """A well-formed file, then a few edits: tokens of the format put in, slices cut, repeated or swapped."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(text)))
        end = min(len(text), at + draw(st.integers(0, 40)))
        match draw(st.sampled_from(["insert", "cut", "repeat", "replace"])):
            case "insert":
                text = text[:at] + draw(st.one_of(st.sampled_from(tokens), st.text(max_size=6))) + text[at:]
            case "cut":
                text = text[:at] + text[end:]
            case "repeat":
                text = text[:end] + text[at:end] * draw(st.integers(1, 30)) + text[end:]
            case _:
                text = text[:at] + draw(st.sampled_from(tokens)) + text[end:]
    return text


def random_text(tokens: list[str]) -> st.SearchStrategy[str]:
    pieces = st.one_of(st.sampled_from(tokens), st.text(max_size=8))
    return st.lists(pieces, max_size=60).map("".join)


def read_or_refuse(loader, text: str) -> None:
    """The property: a quiz with questions, or errors each on a line of the file, nothing else."""
    try:
        quiz = loader(text)
    except InterchangeError as error:
        assert error.errors, "refused without a reason"
        assert len(error.errors) <= ERRORS_SHOWN
        lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1  # CR ends a line too
        for line, message in error.errors:
            assert type(line) is int and 1 <= line <= lines, (line, message)
            assert message and len(message) < 300, message
    else:
        assert isinstance(quiz, QuizData) and quiz.questions
        texts = [quiz.title, quiz.description]
        for draft in quiz.questions:
            texts += [draft.stem, draft.explanation, *draft.accepted, *draft.rejected]
            texts += [text for option in draft.options for text in (option.text, option.match)]
        assert not any(char in text for text in texts for char in INVISIBLE_LEFT)


FUZZ = hypothesis_settings(
    max_examples=2000,
    deadline=None,  # not timed per example (a busy machine would fail it): hostile files, below
    suppress_health_check=[HealthCheck.too_slow],
)


@FUZZ
@given(text=st.one_of(mutated(GIFT_SEEDS, GIFT_TOKENS), random_text(GIFT_TOKENS), st.text(max_size=300)))
def test_any_gift_text_gives_a_quiz_or_line_numbered_errors(text):
    read_or_refuse(gift_loads, text)


@FUZZ
@given(text=st.one_of(mutated(XML_SEEDS, XML_TOKENS), random_text(XML_TOKENS), st.text(max_size=300)))
def test_any_moodle_xml_text_gives_a_quiz_or_line_numbered_errors(text):
    read_or_refuse(moodle_xml_loads, text)


def test_the_seeds_of_the_fuzzing_are_read_as_quizzes():
    for text in GIFT_SEEDS + XML_SEEDS:
        assert loads(text)[1].questions


# Files built to hang or crash the importer

SIZE_CAP = 2 * 1024 * 1024  # the admin's ImportForm.MAX_BYTES
HOSTILE = {
    "a long run of tildes": "Q {=a " + "~" * 1_900_000 + "}",
    "a long run of equals signs": "Q {" + "=a " * 600_000 + "}",
    "escaped tildes": "Q {=a ~" + "\\~" * 900_000 + "}",
    "a million lines": "Q {>3\n" + "x\n" * 900_000 + "}",
    "many questions": "Q{=a ~b}\n\n" * 190_000,
    "many broken questions": "Q{\n\n" * 450_000,
    "runs of </ in HTML": "[html]" + "</" * 900_000 + "{=a ~b}",
    "a weight of a million digits": "Q{~%" + "1" * 1_900_000 + "% a =b}",
    "XML with a million answers": '<?xml version="1.0"?><quiz><question type="multichoice">'
    + '<answer fraction="0"><text>b</text></answer>' * 40_000
    + "</question></quiz>",
    "XML nested deep": '<?xml version="1.0"?><quiz><question type="truefalse">' + "<a>" * 600_000 + "</quiz>",
    "XML with runs of </ in HTML": '<?xml version="1.0"?><quiz><question type="multichoice"><questiontext><text>'
    + "&lt;/" * 380_000
    + "</text></questiontext></question></quiz>",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_file_under_the_size_cap_is_answered_in_seconds(text):
    assert len(text.encode()) < SIZE_CAP
    started = time.perf_counter()
    read_or_refuse(lambda text: loads(text)[1], text)
    assert time.perf_counter() - started < 5


def test_a_long_run_of_tildes_gives_one_error_not_one_per_tilde():
    with pytest.raises(InterchangeError) as caught:
        gift_loads("Q {=a " + "~" * 1_900_000 + "}")
    assert caught.value.errors == [(1, "more than 50 answers in one question")]


def test_the_errors_listed_stop_at_fifty_then_say_how_many_more():
    text = "".join(f"::Q{n}::Pick{{=a ~}}\n\n" for n in range(1, 81))  # an empty answer in each
    with pytest.raises(InterchangeError) as caught:
        gift_loads(text)
    assert len(caught.value.errors) == 50 and caught.value.more == 30
    assert str(caught.value).endswith("\nline 99: an empty answer\n… and 30 more problems: correct these first.")


def test_a_lone_quote_in_braces_is_a_line_numbered_error_not_a_crash():
    with pytest.raises(InterchangeError) as caught:
        gift_loads('Q {"}')
    assert str(caught.value) == "line 1: text before the first answer: start each answer with ="


def test_the_admin_answers_a_hostile_upload_with_its_errors_in_seconds(content, teacher_client):
    upload = SimpleUploadedFile("tildes.gift", ("Q {=a " + "~" * 1_900_000 + "}").encode())
    started = time.perf_counter()
    response = teacher_client.post(reverse("admin:quizzes_quiz_import"), {"file": upload})
    assert time.perf_counter() - started < 5
    assert response.status_code == 400
    assert "line 1: more than 50 answers in one question" in response.content.decode()


# Numbers that cannot be percentages


XML_QUESTION = (
    '<?xml version="1.0"?>\n<quiz>\n<question type="multichoice">\n<questiontext><text>Pick</text></questiontext>\n'
    '<answer fraction="{}"><text>a</text></answer>\n<answer fraction="0"><text>b</text></answer>\n'
    "</question>\n</quiz>\n"
)


@pytest.mark.parametrize("fraction", ["1e308", "NaN", "-inf", "infinity", "100.5", "-101"])
def test_a_moodle_fraction_that_is_no_percentage_is_refused_at_its_line(fraction):
    with pytest.raises(InterchangeError) as caught:
        moodle_xml_loads(XML_QUESTION.format(fraction))
    assert (5, f"fraction {fraction!r} is not a percentage from -100 to 100") in caught.value.errors


@pytest.mark.parametrize("weight", ["100000", "-1e9", "nan", "-inf", "101", "1.2.3"])
def test_a_gift_weight_that_is_no_percentage_is_refused_not_read_as_text(weight):
    with pytest.raises(InterchangeError) as caught:
        gift_loads(f"::Q1::Pick\n{{\n~%{weight}%a\n~%100%b\n~c\n}}\n")
    (error,) = [error for error in caught.value.errors if "weight" in error[1]]
    assert error[0] == 3 and error[1].startswith(f"weight {weight!r} is not a")


def test_weights_within_a_percentage_still_read():
    (draft,) = gift_loads("Pick{~%33.33333%a ~%66.66667%b ~%-100%c}").questions
    assert [option.correct for option in draft.options] == [True, True, False]


# Images and files: dropped, and listed


def test_images_and_files_a_question_cannot_hold_are_listed_with_their_line():
    gift = (
        "// title: Pictures\n\n"
        '::Q1::[html]<p>See <img src="@@PLUGINFILE@@/map%20of%20Belarus.png" alt="map"></p>'
        '{=[html]<img src\\="data\\:image/png;base64,iVBORw0KGgo\\="> yes ~no}\n\n'
        "::Q2::[markdown]Read ![plan](@@PLUGINFILE@@/plan.pdf) first.{TRUE}\n\n"
        "::Q3::No pictures here.{TRUE}\n"
    )
    data = gift_loads(gift)
    assert data.questions[0].stem == "See" and data.questions[0].options[0].text == "yes"
    assert data.questions[1].stem == "Read first."
    assert data.warnings == (
        "line 3: dropped the image “map of Belarus.png”, an embedded image (image/png) (questions here hold text only)",
        "line 5: dropped the image “plan.pdf” (questions here hold text only)",
    )


def test_moodle_xml_attachments_are_listed_once_with_the_images_that_show_them():
    data = moodle_xml_loads(XML_SEEDS[1].replace("<file", '<file name="b.pdf">x</file><file', 1))
    assert data.warnings == (
        "line 3: dropped the image “a.png”, the attached file “b.pdf” (questions here hold text only)",
    )


def test_the_import_command_and_the_admin_say_what_was_dropped(content, teacher, teacher_client, tmp_path):
    source = tmp_path / "pictures.xml"
    source.write_text(XML_SEEDS[1], encoding="utf-8")
    out = io.StringIO()
    call_command("import_quiz", str(source), "--owner", teacher.username, stdout=out)
    assert "Not imported: line 3: dropped the image “a.png”" in out.getvalue()
    upload = SimpleUploadedFile("pictures.xml", XML_SEEDS[1].encode())
    response = teacher_client.post(reverse("admin:quizzes_quiz_import"), {"file": upload}, follow=True)
    page = response.content.decode()
    assert "Images and files were not imported:<ul><li>line 3: dropped the image “a.png”" in page
    assert Quiz.objects.filter(owner=teacher).count() == 2


# Invisible characters: the nickname rule


def test_right_to_left_overrides_and_zero_width_characters_are_removed_from_imported_text():
    gift = "// title: Milk\u200b war\n\n::Q1::Who\u202e won?{=Min\u200dsk ~Mos\ufeffcow ####Min\u2066sk.}\n"
    data = gift_loads(gift)
    (draft,) = data.questions
    assert (data.title, draft.stem, draft.explanation) == ("Milk war", "Who won?", "Minsk.")
    assert [option.text for option in draft.options] == ["Minsk", "Moscow"]
    xml = XML_QUESTION.format("100").replace("<text>Pick</text>", "<text>Pi&#x202e;ck&#8203;</text>")
    assert moodle_xml_loads(xml).questions[0].stem == "Pick"
