"""Students on phones (issue 16): no page scrolls sideways at 360 and 390 px, questions of all six
types and their feedback included; the header is a menu button that works by keyboard and
without JavaScript; the explainers' facts are folded and readable; a quiz opens with an easy
single-choice question; the feedback heading takes the focus without a box drawn inside it."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from explainer.models import Fact
from quizzes import generation
from quizzes.models import Assignment, Classroom, Enrolment, Learner, Question, Quiz
from quizzes.services.builtin import STORY_SLUG, default_quizzes
from tests.browser.answering import CHOICE_KINDS, answer_by_keyboard, latest_attempt, nth_question
from tests.browser.conftest import console_problems, serious_accessibility_violations
from tests.conftest import PASSWORD, READING_PAGES

pytestmark = pytest.mark.browser

PHONES = [pytest.param((360, 740), id="360x740"), pytest.param((390, 844), id="390x844")]
# A teacher pastes a source as a bare address: it must wrap, not widen the page.
LONG_URL = "https://www.example.org/archive/2009/06/14/russia-belarus-milk-war-dairy-ban-" + "x" * 60 + ".html"

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(walker.currentNode);
    if (range.getBoundingClientRect().right > width + 0.5) texts.push(walker.currentNode.parentElement);
  }
  return [...document.querySelectorAll('body *'), ...texts]
    .filter(e => e.getBoundingClientRect().right > width + 0.5 || texts.includes(e))
    .slice(-4)
    .map(e => `${e.tagName}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`)
    .concat([`scrollWidth=${document.documentElement.scrollWidth} > ${width}`]);
}"""


def sideways(page: Page) -> list[str]:
    """What sticks out past the right edge of the screen, if the page scrolls sideways; else []."""
    return page.evaluate(OVERFLOW)


def _phone(browser, size: tuple[int, int], *, javascript: bool = True) -> Page:
    width, height = size
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=True, java_script_enabled=javascript
    )
    return context.new_page()


def _long_sources() -> None:
    """A long address as the source of the story quiz's first fact, in the fact base and in the quiz."""
    question = Quiz.objects.get(slug=STORY_SLUG).questions.exclude(fact=None).order_by("position").first()
    question.source_note = LONG_URL
    question.save()
    question.sentences.clear()  # the note shows where no sentence does
    fact = question.fact
    fact.source_note = LONG_URL
    fact.save()
    fact.sentences.clear()


def _student_with_homework() -> User:
    user = User.objects.create_user("sasha", password=PASSWORD)
    Learner.objects.create(user=user, display_name="Sasha K.")
    classroom = Classroom.objects.create(name="9B", owner=User.objects.create_user("ms-ivanova", is_staff=True))
    Enrolment.objects.create(classroom=classroom, student=user)
    Assignment.objects.create(
        classroom=classroom, quiz=Quiz.objects.get(slug="csto"), due_at=timezone.now() + timedelta(days=1)
    )
    return user


def _log_in(page: Page, site: str) -> None:
    page.goto(site + "/accounts/login/")
    page.get_by_label("Username").fill("sasha")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("size", PHONES)
def test_no_student_page_scrolls_sideways_on_a_phone(site, browser, size):
    _long_sources()
    _student_with_homework()
    page = _phone(browser, size)
    problems = console_problems(page)
    paths = [*READING_PAGES, *(f"/topics/{spec.topic}/" for spec in default_quizzes() if spec.topic)]
    paths += [f"/quizzes/{spec.slug}/" for spec in default_quizzes()]
    paths += ["/join/", "/progress/", "/review/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
    for path in dict.fromkeys(paths):
        page.goto(site + path)
        assert sideways(page) == [], path

    # The story quiz has all six types: each question, and its feedback, fits the screen.
    page.goto(site + f"/quizzes/{STORY_SLUG}/")
    page.get_by_role("button", name="Start the quiz").click()
    attempt = latest_attempt()
    total = attempt.quiz.questions.count()
    kinds = set()
    for number in range(1, total + 1):
        question = nth_question(attempt, number)
        kinds.add(question.kind)
        expect(page.get_by_role("heading", name=f"Question {number} of {total}")).to_be_visible()
        assert sideways(page) == [], f"question {number} ({question.kind})"
        answer_by_keyboard(page, attempt, question, right=question.kind not in CHOICE_KINDS)
        expect(page.locator(".feedback-title")).to_be_visible()
        assert sideways(page) == [], f"feedback on question {number} ({question.kind})"
        page.get_by_role("link", name="Next question" if number < total else "See your score").click()
    assert kinds == set(generation.KINDS)  # the six the generator makes
    expect(page.get_by_role("heading", level=1)).to_contain_text("You scored")
    expect(page.locator("main")).to_contain_text(LONG_URL)
    assert sideways(page) == [], "result"
    # Practice what was missed, at once (item 7), on the phone too.
    page.get_by_role("button", name="Practise what you missed now").click()
    expect(page.get_by_text("Practice: what you missed, asked again.")).to_be_visible()
    assert sideways(page) == [], "a practice question"
    for path in ("/progress/", "/facts/", "/review/"):
        page.goto(site + path)
        if path != "/review/":
            expect(page.locator("main")).to_contain_text(LONG_URL)
        assert sideways(page) == [], path

    # Signed in, with homework: home, joining a class.
    _log_in(page, site)
    for path in ("/", "/classes/join/", "/join/", "/accounts/password/"):
        page.goto(site + path)
        assert sideways(page) == [], f"{path}, signed in"
    assert problems == []


@pytest.mark.parametrize("size", PHONES)
def test_the_phone_header_is_one_menu_button_that_opens_by_keyboard(site, browser, size):
    page = _phone(browser, size)
    page.goto(site + "/topics/milk-war/")
    header = page.locator(".site-header")
    # Before: nine links wrapping onto three lines, 22 % of the screen.
    assert header.bounding_box()["height"] <= 0.15 * size[1]
    menu = header.get_by_role("navigation", name="Main")
    expect(menu).to_be_hidden()
    button = header.locator("summary", has_text="Menu")
    expect(button).to_be_visible()
    button.focus()
    page.keyboard.press("Enter")
    expect(menu.get_by_role("link", name="Quizzes")).to_be_visible()
    expect(menu.get_by_role("link", name="Explainers")).to_have_attribute("aria-current", "page")
    menu.get_by_role("link", name="Glossary").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/glossary/$"))
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()  # closed again on the new page
    assert serious_accessibility_violations(page) == []


def test_without_javascript_the_phone_menu_still_opens(site, browser):
    page = _phone(browser, (360, 740), javascript=False)
    page.goto(site + "/")
    page.locator(".site-header summary").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    expect(page).to_have_url(re.compile(r"/review/$"))


def test_on_a_laptop_the_links_stay_in_the_header_without_a_menu(site, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site + "/")
    expect(page.locator(".site-header summary")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Quizzes")).to_be_visible()


def test_an_explainers_facts_are_folded_by_kind_with_their_status_readable_on_a_phone(site, browser):
    page = _phone(browser, (360, 740))
    page.goto(site + "/topics/milk-war/")
    # Before: 24,000 to 42,000 px, mostly the facts table.
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 15000, height
    kinds = page.locator(".topic-facts details")
    assert kinds.count() >= 2
    first = kinds.first
    expect(first.locator(".status").first).to_be_hidden()
    first.locator("summary").click()
    status = first.locator(".status").first
    expect(status).to_be_visible()
    # The whole label shows: nothing of it is cut by its box or the screen.
    box = status.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert status.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    assert sideways(page) == []
    # Every fact of the topic is in one of the folds.
    assert page.locator(".topic-facts tbody tr").count() == Fact.objects.filter(topics__slug="milk-war").count()


def test_every_quiz_opens_with_a_single_choice_question(site, page):
    for spec in default_quizzes():
        page.goto(site + f"/quizzes/{spec.slug}/")
        page.get_by_role("button", name="Start the quiz").click()
        expect(page.get_by_role("heading", name=re.compile(r"^Question 1 of"))).to_be_visible()
        assert nth_question(latest_attempt(), 1).kind == Question.Kind.SINGLE, spec.slug
        card = page.locator("#question-card")
        expect(card.locator("select")).to_have_count(0)
        assert card.locator("input[type='radio']").count() >= 2


def test_the_feedback_heading_takes_the_focus_without_a_ring_drawn_inside_the_banner(site, page):
    page.goto(site + "/quizzes/csto/")
    page.get_by_role("button", name="Start the quiz").click()
    attempt = latest_attempt()
    answer_by_keyboard(page, attempt, nth_question(attempt, 1))  # by keyboard: :focus-visible applies
    title = page.locator(".feedback-title")
    expect(title).to_have_text("✓ Correct")
    expect(title).to_be_focused()
    assert title.evaluate("e => getComputedStyle(e).outlineStyle") == "none"
    # Where the focus is still shows: around the whole banner, outside it.
    assert page.locator(".feedback").evaluate("e => getComputedStyle(e).boxShadow") != "none"
