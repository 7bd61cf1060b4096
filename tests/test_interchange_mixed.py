"""A mixed bank imports what it can: every supported question goes in, every other one is listed
by its line and what it is, and `strict` keeps all or nothing (issue 18, item 1)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from quizzes.interchange import InterchangeError, gift_loads, loads, moodle_xml_loads
from quizzes.models import Quiz

MIXED_GIFT = (
    "// essay\n"  # 1
    "::Q8:: How are you? {}\n"  # 2
    "\n"
    "::Q2:: What's between orange and green?{=yellow ~red ~blue}\n"  # 4
    "\n"
    "::Q5:: Describe the ban in your own words. {}\n"  # 6
    "\n"
    "Just some words about the next part.\n"  # 8
    "\n"
    "::Q1:: 42 is the Absolute Answer to everything.{FALSE}\n"  # 10
)

MIXED_XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="essay">
    <name><text>Essay</text></name>
    <questiontext format="html"><text>Tell me.</text></questiontext>
  </question>
  <question type="truefalse">
    <name><text>TF</text></name>
    <questiontext format="html"><text>The sky is blue.</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
  <question type="multianswer">
    <questiontext format="html"><text>{1:SHORTANSWER:=x}</text></questiontext>
  </question>
</quiz>
"""


def test_gift_imports_the_supported_questions_and_lists_the_others_by_line():
    quiz = gift_loads(MIXED_GIFT)
    assert [draft.stem for draft in quiz.questions] == [
        "What's between orange and green?",
        "42 is the Absolute Answer to everything.",
    ]
    assert quiz.skipped == (
        "line 2: essay, skipped",
        "line 6: essay, skipped",
        "line 8: description (text without a question), skipped",
    )


def test_moodle_xml_imports_the_supported_questions_and_lists_the_others_by_line():
    quiz = moodle_xml_loads(MIXED_XML)
    assert [draft.stem for draft in quiz.questions] == ["The sky is blue."]
    assert quiz.skipped == ("line 3: essay, skipped", "line 13: embedded answers (Cloze), skipped")


@pytest.mark.parametrize(("text", "lines"), [(MIXED_GIFT, [2, 6, 8]), (MIXED_XML, [3, 13])])
def test_strict_refuses_a_mixed_bank_whole_with_each_line(text, lines):
    with pytest.raises(InterchangeError) as caught:
        loads(text, strict=True)
    assert [line for line, _ in caught.value.errors] == lines


def test_a_file_of_only_unsupported_questions_is_refused_as_before():
    with pytest.raises(InterchangeError) as caught:
        gift_loads("::Q1::Tell me.{}\n\n::Q2::Tell me more.{}\n")
    assert [line for line, _ in caught.value.errors] == [1, 3]


def test_a_malformed_question_still_refuses_the_whole_file_with_its_line():
    with pytest.raises(InterchangeError) as caught:
        gift_loads("::Q1::Tell me.{}\n\n::Q2::Pick{=a\n~b\n\n::Q3::Fine{T}\n")
    assert caught.value.errors == [(3, "'{' is never closed with '}'")]


def test_a_question_type_that_is_not_a_name_is_refused_not_skipped():
    text = MIXED_XML.replace('type="essay"', 'type="&lt;script&gt;"')
    with pytest.raises(InterchangeError, match="line 3: question type '<script>' is not supported"):
        moodle_xml_loads(text)


def test_the_import_command_imports_a_mixed_bank_and_prints_what_it_skipped(content, teacher, tmp_path):
    source = tmp_path / "mixed.gift"
    source.write_text(MIXED_GIFT, encoding="utf-8")
    out = io.StringIO()
    call_command("import_quiz", str(source), "--owner", teacher.username, stdout=out)
    quiz = Quiz.objects.get(owner=teacher, title="Imported quiz")
    assert quiz.questions.count() == 2
    output = out.getvalue()
    assert "with 2 questions from GIFT" in output
    assert "Not imported: line 2: essay, skipped\n" in output
    assert "Not imported: line 6: essay, skipped\n" in output


def test_the_import_command_with_strict_saves_nothing(content, teacher, tmp_path):
    source = tmp_path / "mixed.gift"
    source.write_text(MIXED_GIFT, encoding="utf-8")
    before = Quiz.objects.count()
    with pytest.raises(CommandError, match="line 2: an essay question"):
        call_command("import_quiz", str(source), "--owner", teacher.username, "--strict", stdout=io.StringIO())
    assert Quiz.objects.count() == before


def test_the_admin_import_page_lists_the_skipped_questions(content, teacher, teacher_client):
    upload = SimpleUploadedFile("mixed.xml", MIXED_XML.encode())
    response = teacher_client.post(reverse("admin:quizzes_quiz_import"), {"file": upload}, follow=True)
    page = response.content.decode()
    assert "Questions of a type this site lacks were skipped" in page
    assert "<li>line 3: essay, skipped</li>" in page
    assert "<li>line 13: embedded answers (Cloze), skipped</li>" in page
    quiz = Quiz.objects.get(owner=teacher)
    assert list(quiz.questions.values_list("stem", flat=True)) == ["The sky is blue."]


def test_the_admin_import_page_all_or_nothing_refuses_with_the_lines(content, teacher, teacher_client):
    upload = SimpleUploadedFile("mixed.gift", MIXED_GIFT.encode())
    response = teacher_client.post(reverse("admin:quizzes_quiz_import"), {"file": upload, "strict": "on"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "line 6: an essay question" in page
    assert not Quiz.objects.filter(owner=teacher).exists()
