"""Spaced review: every answer schedules its fact with FSRS, and review serves what is due as new questions."""

import random
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes import generation as g
from quizzes.models import Attempt, Learner, Question, Quiz, Response, ReviewCard
from quizzes.progress import reviews_due
from quizzes.services.questions import material_load
from tests.generation_helpers import BAN_DATE, CLAIM, MEMBERS
from tests.quiz_helpers import HTMX, answer_data, attempt_answer, minutes_pass, quiz_take, review_begin, wrong_first

# Every answer updates the learner's memory of its fact


def test_every_answer_on_a_fact_schedules_that_fact_for_its_learner(content, guest_client):
    attempt = quiz_take(guest_client, right=wrong_first(4))
    responses = list(attempt.responses.select_related("question"))
    with_fact = [r for r in responses if r.question.fact_id]
    cards = {card.fact_id: card for card in ReviewCard.objects.filter(learner=attempt.learner)}
    # Ordering and matching questions ask about several facts or events at once: they schedule none.
    assert set(cards) == {r.question.fact_id for r in with_fact}
    assert 0 < len(cards) < len(responses)
    for response in with_fact:
        card = cards[response.question.fact_id]
        assert (card.last_correct, card.reps, card.lapses) == (response.is_correct, 1, int(not response.is_correct))
        assert card.last_kind == response.question.kind
        assert card.last_review == response.created_at


def test_a_missed_fact_is_due_before_a_known_one(content, guest_client):
    before = timezone.now()
    attempt = quiz_take(guest_client, right=wrong_first(4))
    cards = list(ReviewCard.objects.filter(learner=attempt.learner))
    missed = [card for card in cards if not card.last_correct]
    known = [card for card in cards if card.last_correct]
    assert missed and known
    # Missed: back in ten minutes. Known: in days.
    for card in missed:
        assert timedelta(minutes=9) < card.due - before < timedelta(minutes=11)
    for card in known:
        assert card.due - before > timedelta(days=1)
    assert max(card.due for card in missed) < min(card.due for card in known)
    assert reviews_due(attempt.learner).due == 0
    assert reviews_due(attempt.learner, before + timedelta(minutes=15)).due == len(missed)


def test_a_fact_known_again_in_review_comes_back_later_than_one_missed_again(content, guest_client):
    attempt = quiz_take(guest_client, right=lambda number, question: False)
    minutes_pass(11)
    review = review_begin(guest_client)
    attempt_answer(guest_client, review, right=lambda number, question: number % 2 == 0)
    now = timezone.now()
    for response in review.responses.select_related("question"):
        card = ReviewCard.objects.get(learner=attempt.learner, fact=response.question.fact)
        assert card.reps == 2
        if response.is_correct:
            assert card.due - now > timedelta(hours=12), card
        else:
            assert card.due - now < timedelta(minutes=11), card


# The review page and a review round


def test_right_after_a_quiz_the_review_page_says_when_the_first_fact_is_due(content, guest_client):
    quiz_take(guest_client, right=wrong_first(3))
    page = guest_client.get(reverse("quizzes:review")).content.decode()
    assert "Nothing is due for review now. The next fact is due in 9\xa0minutes" in page
    result = guest_client.get(reverse("quizzes:progress")).content.decode()
    assert "Review now" not in result


def test_a_round_asks_each_due_fact_once_by_a_question_of_another_type(content, guest_client):
    attempt = quiz_take(guest_client, right=wrong_first(5))
    missed = {
        r.question.fact_id: r.question.kind
        for r in attempt.responses.select_related("question")
        if not r.is_correct and r.question.fact_id
    }
    minutes_pass(11)
    page = guest_client.get(reverse("quizzes:review")).content.decode()
    assert f"{len(missed)} facts due for review" in page
    review = review_begin(guest_client)
    assert review.quiz.status == Quiz.Status.REVIEW and review.quiz.learner == attempt.learner
    questions = list(review.quiz.questions.all())
    assert {q.fact_id for q in questions} == set(missed)
    assert len(questions) == len(missed)
    facts = {fact.key: fact for fact in material_load().facts}
    for question in questions:
        assert question.kind in g.REVIEW_KINDS
        assert question.sentences.exists() or question.source_note
        fact = facts[question.fact.key]
        ways = {g.review_question(fact, random.Random(1), {}, after=kind).kind for kind in g.REVIEW_KINDS}
        if len(ways) > 1:  # a fact with one way to ask it is asked that way again
            assert question.kind != missed[question.fact_id], question.stem
    # The round is private: not listed, no quiz page, and another browser cannot open it.
    assert review.quiz.slug not in guest_client.get(reverse("quizzes:list")).content.decode()
    assert guest_client.get(reverse("quizzes:detail", args=[review.quiz.slug])).status_code == 404
    assert Client().get(reverse("quizzes:question", args=[review.public_id, 1])).status_code == 404


@pytest.fixture
def round_started(content, guest_client) -> tuple[Attempt, Question, str]:
    """A review round ten minutes after a quiz with two misses: the round, its first question and its URL."""
    quiz_take(guest_client, right=wrong_first(2))
    minutes_pass(11)
    review = review_begin(guest_client)
    question = review.quiz.questions.prefetch_related("options").first()
    return review, question, reverse("quizzes:question", args=[review.public_id, 1])


def test_the_review_question_page_uses_the_quiz_feedback(round_started, guest_client):
    review, question, url = round_started
    page = guest_client.get(url).content.decode()
    assert "Question 1 of" in page and 'href="/review/"' in page
    fragment = guest_client.post(url, answer_data(review, question), headers=HTMX).content.decode()
    assert "<html" not in fragment and "✓ Correct" in fragment and "Where this comes from" in fragment


def test_a_review_answer_is_stored_and_scheduled_once(round_started, guest_client):
    review, question, url = round_started
    first = guest_client.post(url, answer_data(review, question), headers=HTMX)
    again = guest_client.post(url, answer_data(review, question), headers=HTMX)
    assert first.status_code == again.status_code == 200
    assert Response.objects.filter(attempt=review, question=question).count() == 1
    card = ReviewCard.objects.get(learner=review.learner, fact=question.fact)
    assert card.reps == 2 and card.last_correct


def test_starting_twice_continues_the_open_round(content, guest_client):
    quiz_take(guest_client, right=wrong_first(3))
    minutes_pass(11)
    first = review_begin(guest_client)
    assert review_begin(guest_client) == first
    assert Quiz.objects.reviews().count() == 1
    page = guest_client.get(reverse("quizzes:review")).content.decode()
    assert "Continue your review" in page


def test_the_next_round_asks_again_in_yet_another_way(content, guest_client):
    # The last four missed: facts that more than one type of question can ask (a quiz's first
    # question, an easy single choice, may be on a fact only a single choice asks).
    quiz_take(guest_client, right=lambda number, question: number < 8)
    minutes_pass(11)
    first = review_begin(guest_client)
    attempt_answer(guest_client, first, right=lambda number, question: False)
    kinds = {q.fact_id: q.kind for q in first.quiz.questions.all()}
    minutes_pass(11)
    second = review_begin(guest_client)
    assert second != first
    changed = [q for q in second.quiz.questions.all() if q.kind != kinds[q.fact_id]]
    assert len(changed) >= len(kinds) - 1


def test_starting_with_nothing_due_says_so(content, guest_client):
    response = guest_client.post(reverse("quizzes:review-start"), follow=True)
    assert "Nothing is due for review right now." in response.content.decode()
    assert not Learner.objects.exists() and not Quiz.objects.reviews().exists()


def test_a_round_takes_the_most_overdue_facts_first_and_at_most_ten(content, guest_client):
    quiz_take(guest_client, "the-whole-story", right=lambda number, question: False)
    quiz_take(guest_client, "milk-war", right=lambda number, question: False)
    cards = list(ReviewCard.objects.order_by("due"))
    assert len(cards) > 10
    minutes_pass(11)
    review = review_begin(guest_client)
    assert {q.fact_id for q in review.quiz.questions.all()} == {card.fact_id for card in cards[:10]}


# Pure: choosing the type of a review question


@pytest.mark.parametrize(
    ("after", "expected"),
    [("", g.SINGLE), (g.SINGLE, g.GAP_FILL), (g.GAP_FILL, g.TRUE_FALSE), (g.TRUE_FALSE, g.SINGLE)],
)
def test_review_questions_rotate_through_the_types_a_fact_supports(after, expected):
    sentences = {10: "Russia banned imports of Belarusian dairy products on 6 June 2009."}
    draft = g.review_question(BAN_DATE, random.Random(1), sentences, after=after)
    assert draft.kind == expected and draft.fact_key == "A26"


def test_a_set_fact_is_reviewed_as_multiple_select_and_a_claim_only_attributed():
    assert g.review_question(MEMBERS, random.Random(1), {}, after=g.TRUE_FALSE).kind == g.MULTIPLE
    for after in ("", *g.REVIEW_KINDS):
        draft = g.review_question(CLAIM, random.Random(1), {}, after=after)
        assert draft.kind == g.SINGLE and draft.stem.startswith("According to Lukashenko")


def test_a_question_of_a_kind_review_cannot_make_is_reviewed_as_the_first_it_can():
    assert Question.Kind.ORDERING not in g.REVIEW_KINDS
    assert g.review_question(BAN_DATE, random.Random(1), {}, after=g.ORDERING).kind == g.SINGLE


def test_only_a_review_round_belongs_to_a_learner(content):
    learner = Learner.objects.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        Quiz.objects.create(slug="listed-yet-private", title="x", status=Quiz.Status.PUBLISHED, learner=learner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Quiz.objects.create(slug="nobody-s-round", title="x", status=Quiz.Status.REVIEW)


def test_a_fact_no_longer_quizzable_rests_instead_of_blocking_review(content, guest_client):
    attempt = quiz_take(guest_client, right=wrong_first(4))
    minutes_pass(11)
    missed = list(ReviewCard.objects.filter(last_correct=False).select_related("fact"))
    resting = missed[0].fact
    resting.quizzable = False
    resting.save()
    assert reviews_due(attempt.learner).due == len(missed) - 1
    review = review_begin(guest_client)
    assert resting.pk not in {q.fact_id for q in review.quiz.questions.all()}
