"""A guest's progress in a real browser: a quiz with some answers wrong, the progress page with
the facts missed and their sources, an account that keeps it all across logging out and in,
and a spaced review ten minutes later that moves the missed facts to those answered correctly.
axe finds nothing serious on the progress, review, sign-up and login pages."""

import re
from datetime import timedelta

import pytest
from django.db.models import F
from playwright.sync_api import Page, expect

from explainer.models import Fact
from quizzes.models import Attempt, Learner, Question, ReviewCard
from quizzes.services.answering import fact_reviewable
from tests.browser.answering import CHOICE_KINDS, answer_by_keyboard, latest_attempt, nth_question
from tests.browser.conftest import serious_accessibility_violations
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

QUIZ_TITLE = "Quiz: The milk war: Russia's 2009 ban on Belarusian dairy"


def answer_every_question(
    page: Page, attempt: Attempt, *, wrong_kinds: set[str] = frozenset(), wrong_at_most: int = 99
) -> list[Question]:
    """Answer the whole attempt through the question pages, the first `wrong_at_most` questions of
    `wrong_kinds` wrongly; returns the questions answered wrongly."""
    total = attempt.quiz.questions.count()
    missed = []
    for number in range(1, total + 1):
        question = nth_question(attempt, number)
        right = question.kind not in wrong_kinds or len(missed) >= wrong_at_most
        expect(page.get_by_role("heading", name=f"Question {number} of {total}")).to_be_visible()
        answer_by_keyboard(page, attempt, question, right=right)
        expect(page.locator(".feedback-title")).to_have_text("✓ Correct" if right else "✗ Not quite")
        if not right:
            missed.append(question)
        page.get_by_role("link", name="Next question" if number < total else "See your score").click()
    return missed


def _topic(page: Page):
    """The milk war's entry on the progress page."""
    return page.locator(".topic-progress").filter(has=page.get_by_role("heading", name=re.compile("^The milk war")))


def _attempts_table(page: Page):
    return page.get_by_role("table", name="Your finished attempts, newest first")


def _expect_quiz_progress(page: Page, missed_facts: list[Fact]) -> None:
    """The progress after the quiz: a level, the facts missed with their sources, the attempt."""
    topic = _topic(page)
    # 5 of the last 9 answers on the topic are right: below the 60% of "Familiar".
    expect(topic.locator(".level-label")).to_have_text("Attempted")
    expect(topic).to_contain_text("You know 4 of the")
    expect(topic).to_contain_text("Your last 9 answers on it: 5 right (56%).")
    missed = topic.locator("details").filter(has_text="Missed:")
    expect(missed.locator("summary")).to_have_text(f"Missed: {len(missed_facts)} facts to review")
    expect(missed.locator(".fact-progress")).to_have_count(len(missed_facts))
    for fact in missed_facts:
        card = missed.locator(".fact-progress").filter(has_text=fact.statement)
        expect(card).to_be_visible()
        if sentence := fact.sentences.order_by("number").first():
            # The article's own sentence is quoted, with a link to it.
            expect(card.locator("blockquote")).to_contain_text(sentence.text)
            expect(card.get_by_role("link", name=f"Sentence {sentence.number} of the article")).to_be_visible()
    assert any(fact.sentences.exists() for fact in missed_facts), "at least one missed fact quotes the article"
    expect(topic.locator("details").filter(has_text="Answered correctly:").locator("summary")).to_have_text(
        "Answered correctly: 4 facts"
    )
    # Missed facts come back in ten minutes, not at once.
    expect(page.locator(".reviews-due")).to_contain_text("Nothing is due for review now.")
    rows = _attempts_table(page).locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(QUIZ_TITLE)
    expect(rows.first.get_by_role("link")).to_have_text("6 of 11")


def test_a_guest_keeps_their_progress_in_an_account_and_reviews_what_they_missed(site, page, problems):
    # 1. A guest takes the milk-war quiz, getting five single-choice and true/false questions wrong.
    page.goto(site + "/quizzes/milk-war/")
    page.get_by_role("button", name="Start the quiz").click()
    attempt = latest_attempt()
    missed_questions = answer_every_question(page, attempt, wrong_kinds=CHOICE_KINDS, wrong_at_most=5)
    missed_facts = [question.fact for question in missed_questions]
    assert len(missed_facts) == 5 and None not in missed_facts
    expect(page.get_by_role("heading", level=1)).to_have_text("You scored 6 of 11")
    expect(page.locator("main")).to_contain_text("5 facts you missed come back for review in ten minutes")

    # 2. Their progress, kept in this browser.
    page.get_by_role("link", name="Your progress").click()
    expect(page).to_have_url(re.compile(r"/progress/$"))
    expect(page.locator(".lede")).to_contain_text("You are a guest: this is kept in this browser.")
    _expect_quiz_progress(page, missed_facts)
    assert serious_accessibility_violations(page) == [], "progress, as a guest"

    # 3. They sign up from the header, and land on their progress, now in their account.
    page.locator(".site-header").get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    assert serious_accessibility_violations(page) == [], "sign-up"
    page.get_by_label("Username").fill("sasha")
    page.get_by_label("Display name").fill("Sasha")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page).to_have_url(re.compile(r"/progress/$"))
    expect(page.get_by_role("status")).to_have_text("Welcome, Sasha. Your progress is now kept in your account.")
    expect(page.locator(".lede")).to_contain_text("Signed in as Sasha: this is kept in your account, on any device.")
    expect(page.locator(".site-header .account-name")).to_have_text("Sasha")  # the display name
    _expect_quiz_progress(page, missed_facts)
    assert serious_accessibility_violations(page) == [], "progress, signed in"
    learner = Learner.objects.get(user__username="sasha")
    assert not Learner.objects.filter(user__isnull=True).exists(), "the guest was merged into the account"
    asked = {
        question.fact_id for question in attempt.quiz.questions.select_related("fact") if fact_reviewable(question.fact)
    }
    assert learner.cards.count() == len(asked)  # one card for each fact the quiz asked that schedules reviews

    # 4. Logged out, this browser shows nothing; logged in again, everything is back.
    page.locator(".site-header").get_by_role("button", name="Log out").click()
    expect(page.locator(".site-header").get_by_role("link", name="Log in")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Progress").click()
    expect(page.locator(".lede")).to_contain_text("Nothing here yet.")
    page.locator(".site-header").get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    assert serious_accessibility_violations(page) == [], "login"
    page.get_by_label("Username").fill("sasha")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/progress/$"))
    expect(page.locator(".lede")).to_contain_text("Signed in as Sasha")
    _expect_quiz_progress(page, missed_facts)

    # 5. Ten minutes pass: rather than wait, every review card falls due 11 minutes earlier,
    #    as if its answer had been given 11 minutes ago. The missed facts are now due.
    ReviewCard.objects.update(
        due=F("due") - timedelta(minutes=11), last_review=F("last_review") - timedelta(minutes=11)
    )
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review")
    expect(page.get_by_text("5 facts due for review.")).to_be_visible()
    assert serious_accessibility_violations(page) == [], "review, with facts due"
    page.get_by_role("button", name="Review now").click()
    expect(page).to_have_url(re.compile(r"/attempts/[0-9a-f-]+/questions/1/$"))
    review = latest_attempt()
    assert review.quiz.is_review and review.learner == learner
    assert {question.fact for question in review.quiz.questions.all()} == set(missed_facts)
    assert answer_every_question(page, review) == []
    expect(page.get_by_role("heading", level=1)).to_have_text("You scored 5 of 5")

    page.get_by_role("link", name="Back to review").click()
    expect(page).to_have_url(re.compile(r"/review/$"))
    expect(page.locator("main")).to_contain_text("Nothing is due for review now. The next fact is due in")
    expect(page.get_by_role("button", name="Review now")).to_have_count(0)
    assert serious_accessibility_violations(page) == [], "review, nothing due"

    page.get_by_role("link", name="Your progress, topic by topic").click()
    topic = _topic(page)
    # Now most of the last 10 answers on the topic are right: the 5 reviews and some of the quiz's.
    expect(topic.locator(".level-label")).to_have_text("Familiar")
    expect(topic.locator("details").filter(has_text="Missed:")).to_have_count(0)
    known = topic.locator("details").filter(has_text="Answered correctly:")
    expect(known.locator("summary")).to_have_text("Answered correctly: 9 facts")  # the 4 from before and the 5 reviewed
    known.locator("summary").click()
    for fact in missed_facts:
        expect(known.locator(".fact-progress").filter(has_text=fact.statement)).to_be_visible()
    rows = _attempts_table(page).locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Review round")
    expect(rows.first.get_by_role("link")).to_have_text("5 of 5")
    assert serious_accessibility_violations(page) == [], "progress, after the review"
    assert problems == []
