"""What a student sees around the pages (issue 16, items 6 and 9-11): the menu button of narrow
screens (a <details>, so it opens without JavaScript), their display name in the header, their
homework first on the home page where they land after signing in, the explainers' facts folded
by kind, and a footer that does not ask a signed-in teacher to sign in."""

import re
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from explainer.models import Fact
from quizzes.models import Assignment, Classroom, Enrolment, Learner, Quiz
from tests.conftest import PASSWORD


def test_the_header_has_a_menu_button_that_needs_no_javascript(content, guest_client):
    html = guest_client.get("/glossary/").text
    menu = re.search(r'<details class="nav-menu">\s*<summary>Menu</summary>(.*?)</details>', html, re.S)
    assert menu, "a <details> menu with a <summary> button"
    # The same links as the wide header's, the current page marked.
    assert menu.group(1).count("<li>") == 10
    assert f'href="{reverse("explainer:glossary")}" aria-current="page"' in menu.group(1)
    assert "<script" not in menu.group(1)


def test_the_header_shows_the_display_name_not_the_username(content, student, student_client):
    Learner.objects.create(user=student, display_name="Alex P.")
    for path in ("/", "/topics/csto/", "/quizzes/", "/progress/"):
        html = student_client.get(path).text
        assert '<span class="account-name">Alex P.</span>' in html, path


def test_a_student_lands_on_the_home_page_after_signing_in(content, student):
    response = Client().post(reverse("accounts:login"), {"username": "alex", "password": PASSWORD})
    assert response["Location"] == reverse("explainer:home")


def _homework_for(student, teacher) -> None:
    classroom = Classroom.objects.create(name="9B", owner=teacher)
    Enrolment.objects.create(classroom=classroom, student=student)
    Assignment.objects.create(
        classroom=classroom, quiz=Quiz.objects.get(slug="csto"), due_at=timezone.now() + timedelta(days=1)
    )


def test_a_students_due_homework_comes_before_the_introduction(content, student, teacher, student_client):
    assert "Your homework" not in student_client.get("/").text
    _homework_for(student, teacher)
    html = student_client.get("/").text
    assert html.index('id="homework-title"') < html.index('id="hero-title"')
    assert "Due soon" in html and "Quiz: The CSTO" in html


def test_an_explainers_facts_are_folded_by_kind(content, guest_client):
    html = guest_client.get("/topics/milk-war/").text
    facts = html[html.index('id="facts-title"') :]
    folds = re.findall(r'<details class="fact-kind">\s*<summary>([^<]+) <span class="note">\((\d+) facts?\)', facts)
    kinds = dict(Fact.Kind.choices)
    in_topic = Fact.objects.filter(topics__slug="milk-war")
    assert {label.strip() for label, _ in folds} == {kinds[kind] for kind in in_topic.values_list("kind", flat=True)}
    assert sum(int(count) for _, count in folds) == in_topic.count()
    assert "<details open" not in facts  # folded: a phone's page is no longer tens of thousands of pixels


def test_the_footer_does_not_ask_a_signed_in_teacher_to_sign_in(content, teacher_client, guest_client):
    for client in (teacher_client, guest_client):
        for path in ("/", "/topics/csto/", "/quizzes/"):
            html = client.get(path).text
            assert "Teachers: sign in" not in html
            assert f'<a href="{reverse("admin:index")}">For teachers: the admin</a>' in html
