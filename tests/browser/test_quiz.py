"""A student takes a quiz in a real browser: by keyboard with htmx feedback in place, across a
reload, and again with JavaScript switched off. axe finds nothing serious on the quiz pages."""

import re

import pytest
from playwright.sync_api import expect

from quizzes.models import Question, Response
from tests.browser.answering import answer_by_keyboard, latest_attempt, nth_question
from tests.browser.conftest import serious_accessibility_violations

pytestmark = pytest.mark.browser


def test_a_student_takes_a_whole_quiz_by_keyboard_with_feedback_in_place(site, page, problems):
    page.goto(site + "/quizzes/csto/")
    page.get_by_role("button", name="Start the quiz").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Question 1 of 11")).to_be_visible()
    attempt = latest_attempt()
    # A marker that survives only as long as the page is not reloaded: htmx swaps, it does not navigate.
    page.evaluate("window.stillTheSamePage = true")

    # Checking without an answer explains what is missing, in place, and stores nothing.
    page.get_by_role("button", name="Check my answer").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(re.compile("Choose|Select|Type|Give|Match"))
    assert page.evaluate("window.stillTheSamePage") is True
    assert not Response.objects.filter(attempt=attempt).exists()
    # The browser logs the expected 400 as a console error; anything else still counts.
    assert problems == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    problems.clear()

    for number in range(1, 12):
        question = nth_question(attempt, number)
        expect(page.get_by_role("heading", name=f"Question {number} of 11")).to_be_visible()
        answer_by_keyboard(page, attempt, question)
        feedback = page.locator(".feedback-title")
        expect(feedback).to_have_text("✓ Correct")
        expect(feedback).to_be_focused()
        expect(page.locator(".feedback")).to_have_attribute("aria-live", "polite")
        expect(page.locator(".source")).to_contain_text("Where this comes from")
        assert page.evaluate("window.stillTheSamePage") is True, f"question {number} reloaded the page"
        link = page.get_by_role("link", name="Next question" if number < 11 else "See your score")
        link.focus()
        page.keyboard.press("Enter")
        if number < 11:
            expect(page).to_have_url(re.compile(rf"/questions/{number + 1}/$"))

    expect(page.get_by_role("heading", level=1)).to_have_text("You scored 11 of 11")
    assert Response.objects.filter(attempt=attempt, is_correct=True).count() == 11
    assert problems == []


def test_a_reload_mid_quiz_comes_back_to_the_same_question_in_the_same_state(site, page, problems):
    page.goto(site + "/quizzes/milk-war/")
    page.get_by_role("button", name="Start the quiz").click()
    attempt = latest_attempt()
    first_order = page.locator(".question-card label").all_inner_texts()
    page.reload()
    assert page.locator(".question-card label").all_inner_texts() == first_order

    answer_by_keyboard(page, attempt, nth_question(attempt, 1))
    expect(page.locator(".feedback-title")).to_have_text("✓ Correct")
    page.get_by_role("link", name="Next question").click()
    expect(page).to_have_url(re.compile(r"/questions/2/$"))
    answer_by_keyboard(page, attempt, nth_question(attempt, 2))
    expect(page.locator(".feedback-title")).to_be_visible()

    page.reload()
    expect(page).to_have_url(re.compile(r"/questions/2/$"))
    expect(page.locator(".feedback-title")).to_have_text("✓ Correct")
    page.get_by_role("link", name="Next question").click()
    expect(page.get_by_role("heading", name="Question 3 of 11")).to_be_visible()
    assert Response.objects.filter(attempt=attempt).count() == 2
    assert problems == []


def test_without_javascript_a_student_completes_a_quiz_with_plain_forms(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/quizzes/union-state/")
    page.get_by_role("button", name="Start the quiz").click()
    attempt = latest_attempt()
    for number in range(1, 12):
        question = nth_question(attempt, number)
        options = list(question.options.all())
        match question.kind:
            case Question.Kind.GAP_FILL:
                page.get_by_label("Your answer").fill(question.accepted_answers[0])
            case Question.Kind.ORDERING:
                for place, option in enumerate(options, start=1):
                    page.locator(f"select[name='place-{attempt.token(option)}']").select_option(str(place))
            case Question.Kind.MATCHING:
                for option in options:
                    page.locator(f"select[name='match-{attempt.token(option)}']").select_option(
                        attempt.token(option, "match")
                    )
            case _:
                for option in options:
                    if option.is_correct == (number % 2 == 1):
                        page.locator(f"input[value='{attempt.token(option)}']").check()
                if not page.locator("input:checked").count():
                    page.locator("input").first.check()
        page.get_by_role("button", name="Check my answer").click()
        expect(page.locator(".feedback-title")).to_be_visible()
        page.get_by_role("link", name="Next question" if number < 11 else "See your score").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("You scored")
    attempt.refresh_from_db()
    assert attempt.finished_at is not None
    assert Response.objects.filter(attempt=attempt).count() == 11
    context.close()


def test_the_quiz_pages_pass_axe(site, page, problems):
    for path in ("/quizzes/", "/quizzes/csto/"):
        page.goto(site + path)
        assert serious_accessibility_violations(page) == [], path
    page.get_by_role("button", name="Start the quiz").click()
    attempt = latest_attempt()
    for number in range(1, 12):
        question = nth_question(attempt, number)
        assert serious_accessibility_violations(page) == [], f"question {number} ({question.kind})"
        answer_by_keyboard(page, attempt, question)
        expect(page.locator(".feedback-title")).to_be_visible()
        assert serious_accessibility_violations(page) == [], f"feedback {number} ({question.kind})"
        page.get_by_role("link", name="Next question" if number < 11 else "See your score").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("You scored")
    assert serious_accessibility_violations(page) == []
    assert problems == []
