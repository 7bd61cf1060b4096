"""The progress page and the home page's summary: mastery per topic, facts known and missed
with their sources, the history of attempts and its chart; each learner sees only their own."""

import re
from collections import defaultdict
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from explainer.models import Fact, Topic
from quizzes.mastery import RECENT, Level
from quizzes.models import Attempt, Learner, Quiz, Response, ReviewCard
from quizzes.progress import topic_progress
from tests.quiz_helpers import attempt_answer, minutes_pass, quiz_take, review_begin, wrong_first

PROGRESS = reverse("quizzes:progress")


def test_a_visitor_who_has_answered_nothing_is_invited_to_start_and_nothing_is_stored(content, guest_client):
    page = guest_client.get(PROGRESS).content.decode()
    assert "Nothing here yet" in page and 'href="/quizzes/"' in page
    assert "How the levels work" in page
    assert not Learner.objects.exists()


def test_after_one_quiz_the_page_shows_levels_facts_sources_and_the_attempt(content, guest_client):
    attempt = quiz_take(guest_client, right=wrong_first(4))
    page = guest_client.get(PROGRESS).content.decode()
    levels = {item.topic.slug: item.level for item in topic_progress(attempt.learner)}
    assert levels["milk-war"] > Level.NOT_STARTED
    for item in topic_progress(attempt.learner):
        assert f"{escape(item.topic.title)}</a> " in page
    assert page.count('class="level-label"') == Topic.objects.count()
    # Missed and known facts, each with its source sentence quoted and linked.
    missed = ReviewCard.objects.filter(learner=attempt.learner, last_correct=False).select_related("fact")
    assert missed
    for card in missed:
        assert escape(card.fact.statement) in page
        sentence = card.fact.sentences.order_by("number").first()
        if sentence:
            assert f'href="/article/#s{sentence.number}"' in page
    assert "Missed: " in page and "Answered correctly: " in page
    assert "due for review" in page or "next review" in page
    # The attempt in the history and on the chart.
    assert f'href="/attempts/{attempt.public_id}/result/">{attempt.score} of 11</a>' in page
    percent = round(100 * attempt.score / 11)
    assert "Quiz: The milk war" in page and f"{percent}%</title>" in page
    assert "<circle" in page and " style=" not in page and "<style" not in page


def test_levels_follow_the_learner_s_latest_answers_per_topic(content, guest_client):
    quiz_take(guest_client, "the-whole-story", right=lambda number, question: number % 3 != 0)
    quiz_take(guest_client, "csto", right=wrong_first(2))
    learner = Learner.objects.get()
    # The same numbers computed another way: in Python, from every stored answer.
    responses = list(
        Response.objects.filter(attempt__learner=learner).select_related("question").order_by("-created_at", "-pk")
    )
    recent = defaultdict(list)
    for response in responses:
        if response.question.topic_id and len(recent[response.question.topic_id]) < RECENT:
            recent[response.question.topic_id].append(response.is_correct)
    published = set(Fact.objects.filter(questions__quiz__status=Quiz.Status.PUBLISHED).values_list("pk", flat=True))
    for item in topic_progress(learner):
        facts = set(item.topic.facts.values_list("pk", flat=True)) & published
        known = learner.cards.filter(fact__in=facts, last_correct=True).count()
        assert item.stats.facts == len(facts)
        assert item.stats.known == known
        assert (item.stats.recent_right, item.stats.recent_total) == (
            sum(recent[item.topic.pk]),
            len(recent[item.topic.pk]),
        )


def test_a_topic_is_mastered_once_its_facts_have_held_across_a_gap(content, guest_client):
    quiz_take(guest_client, "union-state")
    learner = Learner.objects.get()
    topic = Topic.objects.get(slug="union-state")
    facts = topic.facts.filter(questions__quiz__status=Quiz.Status.PUBLISHED).distinct()
    # Weeks of successful reviews, as FSRS would record them: every fact stable for a month.
    for fact in facts:
        ReviewCard.objects.update_or_create(
            learner=learner,
            fact=fact,
            defaults={"due": timezone.now() + timedelta(days=30), "stability": 30.0, "last_correct": True, "reps": 3},
        )
    (item,) = [item for item in topic_progress(learner) if item.topic == topic]
    assert item.level == Level.MASTERED
    page = guest_client.get(PROGRESS).content.decode()
    assert re.search(r"The Union State.*?Mastered", page, re.S)


def test_the_page_runs_the_same_queries_with_a_hundred_attempts(content, guest_client, django_assert_num_queries):
    first = quiz_take(guest_client, right=wrong_first(4))
    # Learner (the session comes from the cache), topics, two for mastery, reviews due, open round, three for the facts,
    # two for the page of history, one for the chart.
    with django_assert_num_queries(12) as few:
        assert guest_client.get(PROGRESS).status_code == 200
    # A hundred more finished attempts, with their answers.
    quiz = first.quiz
    questions = list(quiz.questions.all())
    now = timezone.now()
    attempts = Attempt.objects.bulk_create(
        Attempt(quiz=quiz, learner=first.learner, finished_at=now - timedelta(hours=n), score=n % 12)
        for n in range(1, 101)
    )
    Response.objects.bulk_create(
        Response(attempt=attempt, question=question, answer={"options": []}, is_correct=(attempt.score or 0) > index)
        for attempt in attempts
        for index, question in enumerate(questions)
    )
    with django_assert_num_queries(len(few.captured_queries)):
        page = guest_client.get(PROGRESS).content.decode()
    assert "Page 1 of 6" in page and page.count('/result/">') == 20
    assert page.count('class="chart-point"') == 20


def test_history_pages_are_numbered_and_a_bad_page_number_shows_a_real_page(content, guest_client):
    first = quiz_take(guest_client)
    Attempt.objects.bulk_create(
        Attempt(quiz=first.quiz, learner=first.learner, finished_at=timezone.now() - timedelta(days=n), score=5)
        for n in range(1, 25)
    )
    second = guest_client.get(PROGRESS, {"page": 2}).content.decode()
    assert "Page 2 of 2" in second and second.count('/result/">') == 5
    # Not a number: the first page. Out of range: the last (Django's Paginator.get_page).
    for bad, shown in (("abc", "Page 1 of 2"), ("-1", "Page 2 of 2"), ("99", "Page 2 of 2")):
        response = guest_client.get(PROGRESS, {"page": bad})
        assert response.status_code == 200
        assert shown in response.content.decode()


def test_review_rounds_are_in_the_history_but_not_on_the_chart(content, guest_client):
    quiz_take(guest_client, right=lambda number, question: False)
    minutes_pass(11)
    attempt_answer(guest_client, review_begin(guest_client))
    page = guest_client.get(PROGRESS).content.decode()
    assert "Review round" in page
    assert page.count('class="chart-point"') == 1


def test_each_learner_sees_only_their_own_progress(content, guest_client, student_client):
    theirs = quiz_take(guest_client, right=wrong_first(4))
    mine = student_client.get(PROGRESS).content.decode()
    assert str(theirs.public_id) not in mine and "Nothing here yet" in mine
    assert "Nothing here yet" in Client().get(PROGRESS).content.decode()
    assert student_client.get(reverse("quizzes:result", args=[theirs.public_id])).status_code == 404


def test_home_shows_levels_and_reviews_due_once_there_is_progress(content, guest_client):
    assert "Your progress" not in guest_client.get("/").content.decode()
    quiz_take(guest_client, right=wrong_first(4))
    home = guest_client.get("/").content.decode()
    assert "Your progress" in home and home.count('class="level-label"') == Topic.objects.count()
    assert "Nothing is due for review now." in home
    minutes_pass(11)
    due = ReviewCard.objects.filter(last_correct=False).count()
    home = guest_client.get("/").content.decode()
    assert f"{due} facts due for review" in home and "Review now" in home


def test_the_score_page_says_the_missed_facts_come_back_for_review(content, guest_client):
    attempt = quiz_take(guest_client, right=wrong_first(4))
    page = guest_client.get(reverse("quizzes:result", args=[attempt.public_id])).content.decode()
    missed = attempt.responses.filter(is_correct=False, question__fact__isnull=False).count()
    assert f"{missed} facts you missed come back for" in page


def test_home_offers_to_continue_a_review_round_in_progress(content, guest_client):
    quiz_take(guest_client, right=wrong_first(4))
    minutes_pass(11)
    review_begin(guest_client)
    home = guest_client.get("/").content.decode()
    assert "Continue your review" in home and "Review now" not in home
