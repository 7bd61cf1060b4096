"""A teacher's whole journey in the admin, in a real browser: a quiz made from generated drafts
(one edited, two accepted, then all the others) and an ordering question written by hand, previewed, published and
assigned to a class; a student joins the class with its code and does the homework; the
teacher reads the report and downloads it; a second teacher finds none of it. axe finds nothing
serious on the student's pages."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from quizzes import generation
from quizzes.models import Assignment, Question, Quiz
from tests.browser.answering import answer_by_keyboard, latest_attempt, nth_question
from tests.browser.conftest import console_problems, serious_accessibility_violations
from tests.browser.teaching import admin_login, teachers_group
from tests.conftest import PASSWORD, _teacher

pytestmark = pytest.mark.browser

MILK_WAR = "The milk war: Russia's 2009 ban on Belarusian dairy"
ORDERING_STEM = "Put these events of the milk war in the order they happened."
# Three events, in their correct order (the option's position is its place).
EVENTS = [
    "Russia bans most Belarusian dairy imports",
    "Lukashenko stays away from the CSTO summit in Moscow",
    "Russia lifts the ban on Belarusian dairy",
]


@pytest.fixture
def teachers(site) -> tuple[User, User]:
    """Ms Ivanova, who owns things, and Mr Petrov, who must not see them: staff, not superusers."""
    teachers_group()
    return _teacher("ms-ivanova"), _teacher("mr-petrov")


def _messages(page: Page):
    return page.locator(".messagelist")


def _save_and_continue(page: Page) -> None:
    page.get_by_role("button", name="Save and continue editing").click()


def _question_rows(page: Page):
    return page.locator("#questions-group tbody tr.form-row.has_original")


def _add_quiz_with_drafts(page: Page, site: str) -> str:
    """Steps 1–3: the quiz, five generated drafts, one edited, all accepted. Returns its admin URL."""
    page.locator("tr.model-quiz").get_by_role("link", name="Add").click()
    # Typed key by key: the admin's prepopulate script fills the slug from the title as it is typed.
    page.get_by_label("Title").press_sequentially("Milk war check")
    expect(page.get_by_label("Slug")).to_have_value("milk-war-check")
    page.get_by_label("Topic").select_option(label=MILK_WAR)
    _save_and_continue(page)
    expect(_messages(page)).to_contain_text("was added successfully")
    expect(page.locator("#quiz_form")).to_contain_text("Draft: students do not see it until you publish it.")
    quiz_url = page.url
    quiz = Quiz.objects.get(slug="milk-war-check")
    assert quiz.owner.username == "ms-ivanova" and quiz.status == Quiz.Status.DRAFT

    page.get_by_role("link", name="Generate questions").click()
    expect(page.locator("h1")).to_have_text("Generate questions for “Milk war check”")
    page.get_by_label(MILK_WAR).check()
    types = page.locator("#id_kinds input[type='checkbox']")
    assert types.count() == 6 and all(box.is_checked() for box in types.all()), "every type is ticked"
    page.get_by_label("How many").fill("5")
    page.get_by_label("Seed").fill("7")
    page.get_by_role("button", name="Generate drafts").click()
    expect(page).to_have_url(quiz_url)
    expect(_messages(page)).to_contain_text("Added 5 draft question(s) (seed 7).")
    rows = _question_rows(page)
    expect(rows).to_have_count(5)
    for row in rows.all():
        expect(row.locator("td.field-status")).to_contain_text("Draft")
        expect(row.locator("td.field-key")).not_to_be_empty()  # each draft's key, to check at a glance
    # Each draft says where it comes from: its fact, or (the ordering one) the timeline.
    sources = rows.locator("td.field-source").all_inner_texts()
    assert sorted(text.startswith("Fact ") for text in sources) == [False, True, True, True, True], sources
    assert "From the timeline." in sources
    assert set(quiz.questions.values_list("kind", flat=True)) == {
        Question.Kind.SINGLE,
        Question.Kind.MULTIPLE,
        Question.Kind.TRUE_FALSE,
        Question.Kind.GAP_FILL,
        Question.Kind.ORDERING,
    }

    # One draft is edited on its own page, reached from its row.
    first = quiz.questions.order_by("position", "pk").first()
    rows.first.get_by_role("link", name="Change").click()
    expect(page).to_have_url(re.compile(rf"/admin/quizzes/question/{first.pk}/change/$"))
    stem = page.get_by_label("Stem")
    expect(stem).to_have_value(first.stem)
    stem.fill("Edited by Ms Ivanova: " + first.stem)
    _save_and_continue(page)
    expect(_messages(page)).to_contain_text("was changed successfully")
    first.refresh_from_db()
    assert first.stem.startswith("Edited by Ms Ivanova: ") and first.is_draft

    # Back in the quiz, two drafts are accepted, then all the others with one click.
    page.goto(quiz_url)
    expect(_question_rows(page).first).to_contain_text("Edited by Ms Ivanova: ")
    for row in _question_rows(page).all()[:2]:
        row.get_by_label("accept").check()
    page.get_by_role("button", name="Accept selected drafts").click()
    expect(_messages(page)).to_contain_text("Accepted 2 draft question(s)")
    expect(page.locator("#quiz_form")).to_contain_text("3 drafts to review.")
    page.get_by_role("button", name="Accept all drafts").click()
    expect(_messages(page)).to_contain_text("Accepted 3 draft question(s)")
    expect(_question_rows(page).locator("td.field-status")).to_have_text(["Accepted"] * 5)
    expect(page.get_by_role("button", name="Accept all drafts")).to_have_count(0)
    assert not quiz.questions.filter(is_draft=True).exists()
    return quiz_url


def _fill_option(page: Page, index: int, position: int, text: str) -> None:
    page.locator(f"input[name='options-{index}-position']").fill(str(position))
    page.locator(f"input[name='options-{index}-text']").fill(text)


def _write_ordering_question(page: Page, site: str) -> None:
    """Step 4: an ordering question by hand; two items are refused, three are saved."""
    page.goto(site + "/admin/quizzes/question/add/")
    page.get_by_label("Quiz:", exact=True).select_option(label="Milk war check")
    page.get_by_label("Position:", exact=True).fill("6")
    page.get_by_label("Kind").select_option(label="Ordering")
    page.get_by_label("Stem").fill(ORDERING_STEM)
    page.get_by_label("Explanation").fill("The ban came first; the boycott of the summit followed; then the ban ended.")
    add_option = page.get_by_role("button", name="Add another Option")
    for index, text in enumerate(EVENTS[:2]):
        add_option.click()
        _fill_option(page, index, index + 1, text)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#options-group")).to_contain_text("An ordering question needs at least three items; it has 2.")
    assert not Question.objects.filter(stem=ORDERING_STEM).exists()

    page.get_by_role("button", name="Add another Option").click()
    _fill_option(page, 2, 3, EVENTS[2])
    _save_and_continue(page)
    expect(_messages(page)).to_contain_text("was added successfully")
    question = Question.objects.get(stem=ORDERING_STEM)
    assert question.kind == Question.Kind.ORDERING and not question.is_draft
    assert [option.text for option in question.options.all()] == EVENTS


def _preview_and_publish(page: Page, quiz_url: str) -> None:
    """Steps 5–6."""
    page.goto(quiz_url)
    expect(_question_rows(page)).to_have_count(6)
    page.get_by_role("link", name="Preview as a student").click()
    expect(page.get_by_text("Preview for teachers: nothing is recorded")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Milk war check")
    expect(page.locator(".question-card")).to_have_count(6)
    expect(page.locator(".question-card").filter(has_text=ORDERING_STEM)).to_be_visible()
    expect(page.locator(".question-card").filter(has_text="Edited by Ms Ivanova: ")).to_be_visible()
    expect(page.get_by_text("Draft: students do not see this question yet.")).to_have_count(0)
    page.get_by_role("link", name="Back to the quiz in the admin").click()

    page.get_by_role("button", name="Publish").click()
    expect(_messages(page)).to_contain_text("Published “Milk war check”: students can take it now.")
    expect(page.locator("#quiz_form")).to_contain_text("Published: students can take it.")
    expect(page.get_by_role("button", name="Unpublish")).to_be_visible()
    assert Quiz.objects.get(slug="milk-war-check").status == Quiz.Status.PUBLISHED


def _class_with_homework(page: Page, site: str) -> tuple[str, str]:
    """Step 7: the class 9B with the quiz as homework. Returns the class's admin URL and code."""
    page.goto(site + "/admin/")
    page.locator("tr.model-classroom").get_by_role("link", name="Add").click()
    expect(page.locator(".field-join_url")).to_contain_text("Save the class to get its code.")
    page.get_by_label("Name").fill("9B")
    _save_and_continue(page)
    expect(_messages(page)).to_contain_text("was added successfully")
    code = page.locator(".field-code .readonly").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{7}", code), code
    expect(page.locator(".field-join_url")).to_contain_text(f"/classes/join/ with the code {code}")
    class_url = page.url

    due = timezone.localtime() + timedelta(days=7)
    row = page.locator("#assignments-group tbody tr.form-row").first
    row.locator("select[name='assignments-0-quiz']").select_option(label="Milk war check")
    row.locator("input[name='assignments-0-due_at_0']").fill(due.strftime("%Y-%m-%d"))
    row.locator("input[name='assignments-0-due_at_1']").fill("18:00:00")
    _save_and_continue(page)
    expect(_messages(page)).to_contain_text("was changed successfully")
    expect(page.locator("#assignments-group")).to_contain_text("Report")
    assignment = Assignment.objects.get(classroom__code=code)
    assert assignment.quiz.slug == "milk-war-check" and assignment.classroom.owner.username == "ms-ivanova"
    assert f"{timezone.localtime(assignment.due_at):%Y-%m-%d %H:%M}" == f"{due:%Y-%m-%d} 18:00"
    return class_url, code


def _student_does_the_homework(browser: Browser, site: str, code: str) -> None:
    """Step 8: in a browser of their own, Sasha logs in, joins 9B and does the homework."""
    User.objects.create_user("sasha", password=PASSWORD)
    context = browser.new_context()
    page = context.new_page()
    problems = console_problems(page)

    page.goto(site + "/accounts/login/")
    page.get_by_label("Username").fill("sasha")
    page.get_by_label("Password").fill(PASSWORD)
    assert serious_accessibility_violations(page) == [], "login"
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".site-header")).to_contain_text("sasha")

    page.goto(site + "/classes/join/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Join a class")
    assert serious_accessibility_violations(page) == [], "join a class"
    page.get_by_label("Class code").fill(code)
    page.get_by_role("button", name="Join").click()
    expect(page).to_have_url(site + "/")
    expect(page.get_by_role("status")).to_contain_text("You have joined 9B. Its homework is on your home page.")
    homework = page.get_by_role("region", name="Your homework")
    item = homework.get_by_role("listitem").filter(has_text="Milk war check")
    due = timezone.localtime(Assignment.objects.get(classroom__code=code).due_at)
    expect(item).to_contain_text(f"Milk war check for 9B, due {due:%A} {due.day} {due:%B}, 18:00")
    assert serious_accessibility_violations(page) == [], "home, with homework"

    item.get_by_role("button", name="Start").click()
    expect(page).to_have_url(re.compile(r"/attempts/[0-9a-f-]+/questions/1/$"))
    attempt = latest_attempt()
    assert attempt.quiz.slug == "milk-war-check" and attempt.assignment is not None
    total = attempt.quiz.questions.count()
    assert total == 6
    kinds = set()
    for number in range(1, total + 1):
        question = nth_question(attempt, number)
        kinds.add(question.kind)
        expect(page.get_by_role("heading", name=f"Question {number} of {total}")).to_be_visible()
        answer_by_keyboard(page, attempt, question)
        expect(page.locator(".feedback-title")).to_have_text("✓ Correct")
        page.get_by_role("link", name="Next question" if number < total else "See your score").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"You scored {total} of {total}")
    assert serious_accessibility_violations(page) == [], "score"
    assert kinds == set(generation.KINDS) - {Question.Kind.MATCHING}

    # The homework is done: no Start button any more.
    page.goto(site + "/")
    item = page.get_by_role("region", name="Your homework").get_by_role("listitem").filter(has_text="Milk war check")
    expect(item.locator(".homework-status")).to_have_text("Done")
    expect(item.get_by_role("button", name="Start")).to_have_count(0)
    assert problems == []
    context.close()


def _report(page: Page, site: str, class_url: str) -> None:
    """Step 9: the teacher reads the homework's report and downloads it."""
    page.goto(class_url)
    page.locator("#assignments-group").get_by_role("link", name="Report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Report:")
    expect(page.locator("#content")).to_contain_text("1 student finished it.")
    students = page.locator("#content table").first
    row = students.locator("tbody tr").filter(has_text="sasha")
    expect(row).to_contain_text("6 of 6")
    expect(row).to_contain_text("100%")
    expect(page.get_by_role("heading", name="Questions")).to_be_visible()
    items = page.locator("#content table").nth(1).locator("tbody tr")
    expect(items).to_have_count(6)
    for item in items.all():
        expect(item.locator("td").first).to_have_text("100%")
    expect(items.filter(has_text=ORDERING_STEM)).to_have_count(1)
    link = page.get_by_role("link", name="Download the results (CSV)")
    response = page.request.get(site + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "sasha" in response.text()


def _other_teacher_sees_none_of_it(browser: Browser, site: str, urls: list[str]) -> None:
    """Step 10: Mr Petrov's admin has no trace of Ms Ivanova's quiz, class or report."""
    context = browser.new_context()
    page = context.new_page()
    admin_login(page, site, "mr-petrov")
    page.locator("tr.model-quiz").get_by_role("link", name="Quizzes").click()
    expect(page.locator("#result_list")).to_contain_text("Quiz: The milk war")  # the built-in library
    expect(page.locator("#result_list")).not_to_contain_text("Milk war check")
    page.get_by_role("navigation", name="Sidebar").get_by_role("link", name="Classes").click()
    expect(page.locator("#changelist")).to_contain_text("0 classes")
    for url in urls:
        response = page.goto(url)
        assert response.status == 404, url
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    context.close()


def test_a_teacher_builds_assigns_and_reports_a_quiz_that_another_teacher_cannot_see(
    site, teachers, page, problems, browser
):
    admin_login(page, site, "ms-ivanova")
    quiz_url = _add_quiz_with_drafts(page, site)
    _write_ordering_question(page, site)
    _preview_and_publish(page, quiz_url)
    class_url, code = _class_with_homework(page, site)
    _student_does_the_homework(browser, site, code)
    _report(page, site, class_url)
    assert problems == []

    quiz = Quiz.objects.get(slug="milk-war-check")
    assignment = Assignment.objects.get(classroom__code=code)
    _other_teacher_sees_none_of_it(
        browser,
        site,
        [
            quiz_url,
            class_url,
            f"{site}/admin/quizzes/assignment/{assignment.pk}/report/",
            f"{site}/admin/quizzes/quiz/{quiz.pk}/report/",
        ],
    )
