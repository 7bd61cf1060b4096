"""What a teacher sees on the admin's screens (issue 16): a class's code only once it is real,
the owner of a new quiz, a question's own type's fields first, drafts accepted in one go with
their keys in view, reports that judge no question on a handful of answers, the quiz's toolbar
and generate page, its seed, assignments without buttons that delete the quiz, and dates
written so that nobody reads 8 December as 12 August."""

import re
from datetime import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Assignment, Attempt, Classroom, Enrolment, Learner, Quiz, Response
from quizzes.services.questions import questions_save
from tests.conftest import PASSWORD
from tests.quiz_helpers import change_url, choice_draft, draft_quiz_of

CODE = re.compile(r"\b[A-Z0-9]{7}\b")


@pytest.fixture
def quiz(content, teacher) -> Quiz:
    return draft_quiz_of(teacher)


# 1. A class's code


def test_a_new_class_shows_no_code_until_it_is_saved_then_the_one_it_got(teacher, teacher_client):
    add = teacher_client.get(reverse("admin:quizzes_classroom_add")).content.decode()
    assert "Save the class to get its code." in add
    assert "field-code" not in add and not CODE.findall(add.split('id="content-main"')[1])
    response = teacher_client.post(reverse("admin:quizzes_classroom_add"), {"name": "9B", **_no_rows()})
    assert response.status_code == 302
    classroom = Classroom.objects.get(owner=teacher)
    page = teacher_client.get(change_url(classroom)).content.decode()
    assert f'<div class="readonly">{classroom.code}</div>' in page
    assert f"with the code <strong>{classroom.code}</strong>" in page


def _no_rows() -> dict[str, str]:
    rows = {}
    for prefix in ("assignments", "enrolments"):
        rows |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return rows


# 2. The owner of a new quiz


def test_a_new_quiz_names_the_teacher_as_its_owner_before_it_is_saved(content, teacher_client):
    page = teacher_client.get(reverse("admin:quizzes_quiz_add")).content.decode()
    owner = page.split("field-owner_name")[1].split("</div>\n</div>")[0]
    assert "ms-ivanova" in owner and "Built-in" not in owner
    assert "field-seed" not in page  # nothing generated yet
    # A form sent back with an error still says whose it will be.
    refused = teacher_client.post(reverse("admin:quizzes_quiz_add"), {"title": "", "slug": "", **_no_questions()})
    assert refused.status_code == 200 and "ms-ivanova" in refused.content.decode().split("field-owner_name")[1]


def _no_questions() -> dict[str, str]:
    return {"questions-TOTAL_FORMS": "0", "questions-INITIAL_FORMS": "0"}


def test_a_built_in_quiz_still_says_built_in(content, teacher_client):
    page = teacher_client.get(change_url(Quiz.objects.get(slug="milk-war"))).content.decode()
    assert "Built-in (read-only)" in page


# 6. The seed, the assignment rows, the due date


def test_the_quiz_keeps_the_seed_its_questions_were_generated_with(quiz, teacher_client):
    url = reverse("admin:quizzes_quiz_generate", args=[quiz.pk])
    teacher_client.post(url, {"kinds": ["single"], "count": 2, "seed": 4242})
    quiz.refresh_from_db()
    assert quiz.seed == 4242
    page = teacher_client.get(change_url(quiz)).content.decode()
    assert '<div class="readonly">4242</div>' in page.split("field-seed")[1]


def test_an_assignment_row_offers_the_quiz_choice_without_buttons_that_change_or_delete_the_quiz(
    quiz, teacher, teacher_client
):
    quiz.publish()
    classroom = Classroom.objects.create(name="9B", owner=teacher)
    assignment = Assignment.objects.create(classroom=classroom, quiz=quiz)
    for url in (change_url(classroom), change_url(assignment), reverse("admin:quizzes_assignment_add")):
        page = teacher_client.get(url).content.decode()
        assert "related-widget-wrapper" in page
        for button in ("delete-related", "change-related", "add-related"):
            assert button not in page, (url, button)
    # Nor by a quiz's topic, which the ✗ would delete from the reading side.
    page = teacher_client.get(change_url(quiz)).content.decode()
    assert "delete-related" not in page and "add-related" not in page


def test_a_due_date_is_written_and_read_back_unambiguously(quiz, teacher, teacher_client):
    quiz.publish()
    classroom = Classroom.objects.create(name="9B", owner=teacher)
    data = {
        "name": "9B",
        **_no_rows(),
        "assignments-TOTAL_FORMS": "1",
        "assignments-0-quiz": quiz.pk,
        "assignments-0-due_at_0": "8 Dec 2026",
        "assignments-0-due_at_1": "18:00",
    }
    response = teacher_client.post(change_url(classroom), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assignment = Assignment.objects.get()
    assert timezone.localtime(assignment.due_at).replace(tzinfo=None) == datetime(2026, 12, 8, 18, 0)
    page = teacher_client.get(change_url(classroom)).content.decode()
    assert 'value="08 Dec 2026"' in page and "08/12/2026" not in page
    # What a teacher types the British way, or the ISO way, still means 8 December.
    for typed in ("08/12/2026", "2026-12-08"):
        data |= {
            "assignments-INITIAL_FORMS": "1",
            "assignments-0-id": assignment.pk,
            "assignments-0-classroom": classroom.pk,
            "assignments-0-due_at_0": typed,
        }
        assert teacher_client.post(change_url(classroom), data).status_code == 302
        assignment.refresh_from_db()
        assert timezone.localtime(assignment.due_at).date() == datetime(2026, 12, 8).date()


# 5. Reports on a handful of students


def _homework_done_by(quiz: Quiz, teacher, students: int, right: int) -> Assignment:
    """`students` finish the quiz as homework; the first `right` choose the key, the rest Minsk."""
    quiz.publish()
    classroom = Classroom.objects.create(name="9B", owner=teacher)
    assignment = Assignment.objects.create(classroom=classroom, quiz=quiz)
    question = quiz.questions.prefetch_related("options").get()
    key = question.options.get(is_correct=True)
    minsk = question.options.get(text="Minsk")
    for n in range(students):
        user = User.objects.create_user(f"s{n:03}", password=PASSWORD)
        Enrolment.objects.create(classroom=classroom, student=user)
        learner = Learner.objects.create(user=user, display_name=f"Student {n:03}")
        attempt = Attempt.objects.create(
            quiz=quiz, learner=learner, assignment=assignment, finished_at=timezone.now(), score=int(n < right)
        )
        chosen = key if n < right else minsk
        Response.objects.create(
            attempt=attempt, question=question, answer={"options": [chosen.pk]}, is_correct=n < right
        )
    return assignment


def test_a_report_on_a_handful_of_students_says_too_few_answers_instead_of_flags(quiz, teacher, teacher_client):
    assignment = _homework_done_by(quiz, teacher, students=3, right=0)  # "very hard", Minsk beats the key
    page = teacher_client.get(reverse("admin:quizzes_assignment_report", args=[assignment.pk])).content.decode()
    assert "3 students finished it" in page and "Minsk: 3 (100%)" in page
    assert "Too few answers to judge (3 of the 10 needed)." in page
    assert "no question is flagged yet" in page
    assert "errornote" not in page and "Very hard" not in page and "chosen more often than the key" not in page


def test_a_report_on_ten_students_flags_what_looks_wrong(quiz, teacher, teacher_client):
    assignment = _homework_done_by(quiz, teacher, students=10, right=0)
    page = teacher_client.get(reverse("admin:quizzes_quiz_report", args=[quiz.pk])).content.decode()
    assert "10 students finished it" in page
    assert "Too few answers to judge" not in page and "no question is flagged yet" not in page
    assert "Very hard (facility below 10%)" in page and "(“Minsk”) was chosen more often than the key" in page
    assert assignment.quiz == quiz


# 4. Accepting drafts


def _drafts(quiz: Quiz, *stems: str) -> list:
    return questions_save(quiz=quiz, drafts=[choice_draft(stem, key=1) for stem in stems], is_draft=True)


def test_the_quiz_page_shows_each_question_s_key_and_offers_to_accept_drafts(quiz, teacher_client):
    _drafts(quiz, "Draft one?", "Draft two?")
    gap = questions_save(quiz=quiz, drafts=[choice_draft("Gap?")], is_draft=True)[0]
    gap.options.all().delete()
    quiz.questions.filter(pk=gap.pk).update(kind="gap_fill", accepted_answers=["Moscow", "Moskva", "Moskau", "MSK"])
    page = teacher_client.get(change_url(quiz)).content.decode()
    keys = re.findall(r'<td class="field-key">(.*?)</td>', page, flags=re.S)
    assert [re.sub(r"<[^>]+>|\s+", " ", key).strip() for key in keys] == [
        "Moscow",
        "Minsk",
        "Minsk",
        "Moscow / Moskva (+2 more)",
    ]
    assert page.count('form="accept-drafts"') == 3 + 2  # a box by each draft, and the two buttons
    assert "3 drafts to review." in page and "Accept all drafts" in page and "Accept selected drafts" in page
    assert 'id="accept-drafts"' in page and page.count("Accepted") >= 1


def test_accept_selected_drafts_accepts_only_those_ticked(quiz, teacher_client):
    one, two, three = _drafts(quiz, "Draft one?", "Draft two?", "Draft three?")
    url = reverse("admin:quizzes_quiz_accept_drafts", args=[quiz.pk])
    response = teacher_client.post(url, {"question": [one.pk, three.pk]}, follow=True)
    assert response.redirect_chain == [(change_url(quiz), 302)]
    assert "Accepted 2 draft question(s): students will see them once you publish the quiz." in (
        response.content.decode()
    )
    assert list(quiz.questions.filter(is_draft=True)) == [two]
    # A double click accepts nothing more and is no error.
    assert teacher_client.post(url, {"question": [one.pk, three.pk]}).status_code == 302
    assert list(quiz.questions.filter(is_draft=True)) == [two]
    page = teacher_client.get(change_url(quiz)).content.decode()
    assert "1 draft to review." in page


def test_accept_all_drafts_accepts_every_draft_and_leaves_a_broken_one_with_its_reason(quiz, teacher_client):
    quiz.publish()
    good = _drafts(quiz, "Draft one?", "Draft two?")
    broken = _drafts(quiz, "Broken?")[0]
    broken.options.update(is_correct=False)
    url = reverse("admin:quizzes_quiz_accept_drafts", args=[quiz.pk])
    page = teacher_client.post(url, {"all": "1"}, follow=True).content.decode()
    assert "Accepted 2 draft question(s): students see them now." in page
    assert f"Question {broken.position} stays a draft: A single choice question needs exactly one correct" in page
    assert list(quiz.questions.filter(is_draft=True)) == [broken]
    assert all(not question.is_draft for question in quiz.questions.filter(pk__in=[q.pk for q in good]))
    history = teacher_client.get(reverse("admin:quizzes_quiz_history", args=[quiz.pk])).content.decode()
    assert "Accepted 2 draft question(s)." in history


def test_accepting_drafts_is_a_post_of_the_owner_with_questions_of_that_quiz(
    quiz, teacher, teacher_client, other_teacher_client
):
    draft = _drafts(quiz, "Draft one?")[0]
    url = reverse("admin:quizzes_quiz_accept_drafts", args=[quiz.pk])
    assert teacher_client.get(url).status_code == 405
    assert other_teacher_client.post(url, {"all": "1"}).status_code == 404
    mine = Quiz.objects.create(slug="other", title="Other", owner=teacher)
    elsewhere = _drafts(mine, "Elsewhere?")[0]
    for bad in ({"question": [elsewhere.pk]}, {"question": ["x"]}, {"question": ["\u00b2"]}):
        assert teacher_client.post(url, bad).status_code == 400
    builtin = Quiz.objects.get(slug="csto")
    assert (
        teacher_client.post(reverse("admin:quizzes_quiz_accept_drafts", args=[builtin.pk]), {"all": "1"}).status_code
        == 403
    )
    anonymous = Client()
    assert anonymous.post(url, {"all": "1"}).status_code == 302  # to the login page
    draft.refresh_from_db()
    elsewhere.refresh_from_db()
    assert draft.is_draft and elsewhere.is_draft
    nothing = teacher_client.post(url, {}, follow=True).content.decode()
    assert "Tick the drafts to accept first." in nothing


# 3. The question form: its type's fields, stem and options first


def _positions(page: str, *markers: str) -> list[int]:
    return [page.index(marker) for marker in markers]


def test_a_single_choice_question_shows_its_options_under_the_stem_and_no_gap_fill_section(quiz, teacher_client):
    question = quiz.questions.get()
    page = teacher_client.get(change_url(question)).content.decode()
    gap_fill = re.search(r'<fieldset class="module aligned ([^"]*)"[^>]*>\s*<h2[^>]*>Accepted answers', page)
    assert gap_fill and gap_fill.group(1).split() == ["kind-part", "kind-gap_fill", "kind-numerical", "hidden"]
    options = re.search(r'<fieldset class="module ([^"]*)" aria-labelledby="options-heading"', page)
    assert "hidden" not in options.group(1).split() and "kind-single" in options.group(1).split()
    # The stem, the options, the feedback, then the sentence picker, folded.
    stem, options_at, feedback, picker = _positions(
        page, 'name="stem"', 'id="options-group"', ">Feedback and source<", 'name="sentences"'
    )
    assert stem < options_at < feedback < picker
    assert re.search(r"<details><summary>\s*<h2[^>]*>Choose the source sentences</h2>", page)
    assert 'src="/static/js/admin_question.js"' in page
    assert '<textarea name="stem" cols="40" rows="3"' in page


def test_a_gap_fill_question_shows_its_accepted_answers_and_no_options(quiz, teacher_client):
    question = questions_save(quiz=quiz, drafts=[choice_draft("Gap?")])[0]
    question.options.all().delete()
    quiz.questions.filter(pk=question.pk).update(kind="gap_fill", accepted_answers=["Moscow"])
    page = teacher_client.get(change_url(question)).content.decode()
    gap_fill = re.search(r'<fieldset class="module aligned ([^"]*)"[^>]*>\s*<h2[^>]*>Accepted answers', page)
    assert "hidden" not in gap_fill.group(1).split()
    options = re.search(r'<fieldset class="module ([^"]*)" aria-labelledby="options-heading"', page)
    assert "hidden" in options.group(1).split()
    assert page.index("Accepted answers") < page.index(">Feedback and source<")


def test_a_new_question_shows_every_part_until_its_type_is_chosen(quiz, teacher_client):
    url = reverse("admin:quizzes_question_add")
    page = teacher_client.get(url, {"quiz": quiz.pk}).content.decode()
    assert 'class="module aligned kind-part kind-gap_fill kind-numerical"' in page and "kind-part kind-single" in page
    assert re.search(r'class="module kind-part[^"]*" aria-labelledby="options-heading"', page)
    asked = teacher_client.get(url, {"quiz": quiz.pk, "kind": "ordering"}).content.decode()
    assert 'class="module aligned kind-part kind-gap_fill kind-numerical hidden"' in asked
    assert '<option value="ordering" selected>' in asked


def test_a_question_sent_back_with_errors_keeps_every_field_it_was_sent_with(quiz, teacher_client):
    data = {
        "quiz": quiz.pk,
        "position": 2,
        "kind": "gap_fill",
        "stem": "The summit was in ____.",
        "accepted_answers": "",
        "rejected_answers": "Minsk",
        "explanation": "Moscow.",
        "options-TOTAL_FORMS": "0",
        "options-INITIAL_FORMS": "0",
    }
    response = teacher_client.post(reverse("admin:quizzes_question_add"), data)
    page = response.content.decode()
    assert response.status_code == 200 and "A gap-fill question needs at least one accepted answer." in page
    assert re.search(r'<textarea name="rejected_answers"[^>]*>\s*Minsk</textarea>', page)
    # Its error shows in the options' section, which the page keeps in view for it (admin_question.js).
    options = re.search(r'<fieldset class="module ([^"]*)" aria-labelledby="options-heading"', page)
    assert "hidden" not in options.group(1).split()


# 6. The quiz's toolbar and the generate page


def test_the_quiz_toolbar_s_buttons_are_styled_as_its_links_and_the_generate_page_as_an_admin_form(
    quiz, teacher_client
):
    page = teacher_client.get(change_url(quiz)).content.decode()
    tools = page.split('<ul class="object-tools">')[1].split("</ul>")[0]
    assert tools.count('class="inline-action"') == 2 and 'class="button"' not in tools  # Publish, Duplicate
    assert re.search(r'<link rel="stylesheet" href="/static/css/admin\.css', page)
    generate = teacher_client.get(reverse("admin:quizzes_quiz_generate", args=[quiz.pk])).content.decode()
    assert '<fieldset class="module aligned ">' in generate
    for name in ("topics", "kinds", "count", "seed"):
        assert f'class="form-row field-{name}"' in generate
    refused = teacher_client.post(reverse("admin:quizzes_quiz_generate", args=[quiz.pk]), {"kinds": [], "count": 0})
    assert refused.status_code == 400
    errors = refused.content.decode()
    assert 'class="flex-container errors' in errors and "Tick at least one question type." in errors
