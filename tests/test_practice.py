"""Practice right after a quiz (issue 16, item 7): the missed questions again at once, stored as
practice, while the FSRS schedule of every fact stays exactly as the quiz left it."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.models import Attempt, Quiz, Response, ReviewCard
from quizzes.progress import reviews_due, topic_progress
from quizzes.services.learners import cards_rebuild
from tests.quiz_helpers import attempt_answer, minutes_pass, quiz_take, review_begin, wrong_first

PRACTICE = reverse("quizzes:practice-start")


def _schedule(learner) -> dict[int, tuple]:
    return {
        card.fact_id: tuple(getattr(card, name) for name in ReviewCard.SCHEDULE_FIELDS)
        for card in ReviewCard.objects.filter(learner=learner)
    }


def _practice(client, **data) -> Attempt:
    response = client.post(PRACTICE, data)
    assert response.status_code == 302, response.content
    return Attempt.objects.get(public_id=response["Location"].split("/")[2])


def test_score_page_offers_practice_of_the_missed_questions_and_says_when_review_comes(content, guest_client):
    attempt = quiz_take(guest_client, right=wrong_first(4))
    page = guest_client.get(reverse("quizzes:result", args=[attempt.public_id])).content.decode()
    assert "Practise what you missed now" in page
    assert f'name="attempt" value="{attempt.public_id}"' in page
    assert "Practice does not change your review schedule: the real review comes in 9\xa0minutes" in page


def test_practising_missed_questions_records_answers_but_leaves_the_fsrs_schedule_unchanged(content, guest_client):
    attempt = quiz_take(guest_client, right=wrong_first(4))
    missed = list(attempt.responses.filter(is_correct=False).order_by("question__position"))
    before = _schedule(attempt.learner)
    levels = [item.stats for item in topic_progress(attempt.learner)]

    practice = _practice(guest_client, attempt=str(attempt.public_id))
    assert practice.practice and practice.quiz.status == Quiz.Status.REVIEW
    assert [q.stem for q in practice.quiz.questions.all()] == [r.question.stem for r in missed]
    attempt_answer(guest_client, practice)  # every one right this time

    practice.refresh_from_db()
    assert practice.finished_at is not None and practice.score == len(missed)
    assert Response.objects.filter(attempt=practice, is_correct=True).count() == len(missed)
    # The schedule (due dates included) and the mastery levels are as the quiz left them.
    assert _schedule(attempt.learner) == before
    assert [item.stats for item in topic_progress(attempt.learner)] == levels
    assert reviews_due(attempt.learner).open_round is None  # practice is not a review round
    result = guest_client.get(reverse("quizzes:result", args=[practice.public_id])).content.decode()
    assert "This was practice" in result and "back for" not in result
    assert re.search(r"The real <a href=\"/review/\">review</a> comes in 9\xa0minutes", result)
    progress = guest_client.get(reverse("quizzes:progress")).content.decode()
    assert "<td>Practice</td>" in progress


def test_review_page_offers_practice_of_facts_waiting_for_review(content, guest_client):
    attempt = quiz_take(guest_client, right=wrong_first(4))
    page = guest_client.get(reverse("quizzes:review")).content.decode()
    assert "The next fact is due in 9\xa0minutes" in page
    assert "Practise what you missed now" in page
    before = _schedule(attempt.learner)
    waiting = {card.fact_id for card in ReviewCard.objects.filter(learner=attempt.learner, last_correct=False)}

    practice = _practice(guest_client)
    assert {q.fact_id for q in practice.quiz.questions.all()} == waiting
    attempt_answer(guest_client, practice, right=lambda number, question: number % 2 == 0)
    assert _schedule(attempt.learner) == before

    # The real review still comes when FSRS said, with every missed fact in it.
    minutes_pass(11)
    review = review_begin(guest_client)
    assert not review.practice
    assert {q.fact_id for q in review.quiz.questions.all()} == waiting


def test_a_second_press_returns_the_same_practice_round(content, guest_client):
    attempt = quiz_take(guest_client, right=wrong_first(2))
    first = _practice(guest_client, attempt=str(attempt.public_id))
    assert _practice(guest_client, attempt=str(attempt.public_id)) == first
    assert Attempt.objects.filter(practice=True).count() == 1


def test_nothing_missed_means_nothing_to_practise(content, guest_client):
    attempt = quiz_take(guest_client)
    assert (
        "Practise what you missed"
        not in guest_client.get(reverse("quizzes:result", args=[attempt.public_id])).content.decode()
    )
    response = guest_client.post(PRACTICE, follow=True)
    assert "Nothing to practise" in response.content.decode()
    assert not Attempt.objects.filter(practice=True).exists()


@pytest.mark.parametrize("value", ["not-a-uuid", "6f1c2a4e-9b3d-4c8e-a1f2-0d4b5c6e7f80"])  # no attempt has that id
def test_practice_of_an_unknown_or_malformed_attempt_is_404(content, guest_client, value):
    quiz_take(guest_client, right=wrong_first(2))
    assert guest_client.post(PRACTICE, {"attempt": value}).status_code == 404


def test_practice_of_someone_elses_attempt_is_404(content, guest_client, student_client):
    attempt = quiz_take(guest_client, right=wrong_first(2))
    assert student_client.post(PRACTICE, {"attempt": str(attempt.public_id)}).status_code == 404
    assert not Attempt.objects.filter(practice=True).exists()


def test_practice_needs_a_post_with_a_csrf_token(content):
    client = Client(enforce_csrf_checks=True)
    assert client.get(PRACTICE).status_code == 405
    assert client.post(PRACTICE).status_code == 403


def test_a_merge_rebuilding_cards_replays_quiz_answers_not_practice(content, guest_client):
    attempt = quiz_take(guest_client, right=wrong_first(4))
    practice = _practice(guest_client, attempt=str(attempt.public_id))
    attempt_answer(guest_client, practice)  # right: replayed, they would move the missed facts on
    missed = ReviewCard.objects.filter(learner=attempt.learner, last_correct=False)
    cards_rebuild(learner=attempt.learner, fact_ids=set(missed.values_list("fact_id", flat=True)))
    for card in ReviewCard.objects.filter(learner=attempt.learner, last_correct=False):
        assert (card.reps, card.lapses, card.state) == (1, 1, ReviewCard.State.LEARNING)
