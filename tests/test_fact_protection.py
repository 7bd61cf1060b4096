"""A fact that questions ask or learners are remembering cannot be deleted: not from the admin,
whose delete pages say why in counts (never another teacher's question or a student's name) and
offer to retire it instead, nor from code. A retired fact is asked no more; its questions and
every learner's progress stay."""

import pytest
from django.contrib.auth.models import User
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from explainer.models import Fact
from quizzes.generation import SINGLE, Draft, DraftOption
from quizzes.models import Learner, Question, Quiz, ReviewCard
from quizzes.services.questions import questions_save
from tests.conftest import PASSWORD

STEM = "Another teacher's secret question about this fact?"


@pytest.fixture
def used_fact(content, other_teacher) -> Fact:
    """A fact another teacher's question asks and a student is remembering."""
    fact = Fact.objects.filter(quizzable=True).order_by("key").first()
    quiz = Quiz.objects.create(slug="petrov", title="Mr Petrov's quiz", owner=other_teacher)
    options = (DraftOption("yes", correct=True), DraftOption("no"))
    questions_save(quiz=quiz, drafts=[Draft(SINGLE, STEM, options, "", None, fact_key=fact.key)])
    student = User.objects.create_user("zoya", password=PASSWORD)
    learner = Learner.objects.create(user=student, display_name="Zoya Secretova")
    ReviewCard.objects.create(learner=learner, fact=fact, due=timezone.now())
    return fact


def test_a_used_fact_is_not_deleted_and_the_page_says_why_in_counts(used_fact, teacher_client):
    url = reverse("admin:explainer_fact_delete", args=[used_fact.pk])
    page = teacher_client.get(url).content.decode()
    assert f"The fact “{used_fact}” cannot be deleted:" in page
    assert "1 question asks it, in 1 quiz (1 not yours): deleting it would leave them without" in page
    assert "1 learner is remembering it: deleting it would wipe their reviews of it." in page
    assert STEM not in page and "Zoya" not in page
    assert 'name="action" value="retire"' in page and "Retire instead" in page
    teacher_client.post(url, {"post": "yes"})
    assert Fact.objects.filter(pk=used_fact.pk).exists()
    assert ReviewCard.objects.filter(fact=used_fact).count() == 1
    assert Question.objects.get(stem=STEM).fact == used_fact


def test_deleting_used_facts_from_the_list_is_refused_the_same_way(used_fact, teacher_client):
    url = reverse("admin:explainer_fact_changelist")
    data = {"action": "delete_selected", "_selected_action": [used_fact.pk]}
    page = teacher_client.post(url, data).content.decode()
    assert "The selected fact cannot be deleted:" in page and STEM not in page
    teacher_client.post(url, {**data, "post": "yes"})
    assert Fact.objects.filter(pk=used_fact.pk).exists()


def test_code_cannot_delete_a_used_fact_either(used_fact):
    with pytest.raises(ProtectedError):
        used_fact.delete()
    assert ReviewCard.objects.filter(fact=used_fact).exists()


def test_retiring_a_fact_stops_asking_it_and_keeps_its_questions_and_cards(used_fact, teacher_client):
    data = {"action": "retire", "_selected_action": [used_fact.pk]}
    response = teacher_client.post(reverse("admin:explainer_fact_changelist"), data, follow=True)
    assert "Retired 1 fact(s)" in response.content.decode()
    used_fact.refresh_from_db()
    assert not used_fact.quizzable
    assert Question.objects.get(stem=STEM).fact == used_fact
    assert ReviewCard.objects.filter(fact=used_fact).exists()
    assert not ReviewCard.objects.filter(fact=used_fact).reviewable().exists()  # it rests


def test_a_fact_nothing_uses_is_deleted_as_before(content, teacher_client):
    fact = Fact.objects.order_by("key").last()
    Question.objects.filter(fact=fact).update(fact=None)  # the built-in quizzes may ask it
    ReviewCard.objects.filter(fact=fact).delete()
    response = teacher_client.post(reverse("admin:explainer_fact_delete", args=[fact.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Fact.objects.filter(pk=fact.pk).exists()
