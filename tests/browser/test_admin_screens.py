"""What only a browser shows of the teachers' admin (issue 16): a question's page lays out its
own type's parts, the stem and options first and the sentence picker folded, and follows the
"Kind" menu as it changes; the quiz's toolbar is one style under a title that keeps its width;
the generate page is laid out as an admin form; the calendar writes a due date in words, and
the quiz chosen for homework has no button beside it that would change or delete the quiz."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from quizzes.models import Assignment, Classroom, Quiz
from quizzes.services.questions import questions_save
from tests.browser.conftest import serious_accessibility_violations
from tests.browser.teaching import admin_login, teachers_group
from tests.conftest import _teacher
from tests.quiz_helpers import choice_draft

pytestmark = pytest.mark.browser


@pytest.fixture
def quiz(site) -> Quiz:
    teachers_group()
    quiz = Quiz.objects.create(
        slug="ivanova", title="Ms Ivanova's milk war, for 9B and 9C, before the summer", owner=_teacher("ms-ivanova")
    )
    questions_save(quiz=quiz, drafts=[choice_draft()])
    return quiz


def _top(page: Page, selector: str) -> float:
    return page.locator(selector).bounding_box()["y"]


def test_a_question_shows_its_type_s_parts_stem_and_options_first(site, quiz, page: Page, problems):
    page.set_viewport_size({"width": 1366, "height": 768})
    admin_login(page, site, "ms-ivanova")
    question = quiz.questions.get()
    page.goto(f"{site}/admin/quizzes/question/{question.pk}/change/")

    options = page.locator("#options-group")
    accepted = page.get_by_role("group", name="Accepted answers")
    picker = page.locator("#id_sentences_from")
    expect(options).to_be_visible()
    expect(accepted).to_be_hidden()  # a single-choice question has no accepted answers to type
    expect(picker).to_be_hidden()  # folded
    # The options come right under the stem, within the first screen; the feedback after them.
    assert _top(page, "#id_stem") < _top(page, "#options-group") < _top(page, "#id_explanation")
    assert _top(page, "#options-group") < 768
    expect(options.locator("th.column-is_correct")).to_be_visible()
    expect(options.locator("th.column-match")).to_be_hidden()  # only matching pairs items

    page.get_by_role("group", name="Choose the source sentences").locator("summary").click()
    expect(picker).to_be_visible()
    assert _top(page, "#options-group") < _top(page, "#id_sentences_from")

    # The parts follow the "Kind" menu.
    kind = page.get_by_label("Kind")
    kind.select_option(label="Ordering")
    expect(accepted).to_be_hidden()
    expect(options.locator("th.column-is_correct")).to_be_hidden()  # the order is the key
    kind.select_option(label="Matching")
    expect(options.locator("th.column-match")).to_be_visible()
    kind.select_option(label="Gap-fill")
    expect(accepted).to_be_visible()
    expect(options).to_be_visible()  # its saved options stay in view: a gap-fill question must lose them

    # A new question: a gap-fill one has no options at all.
    page.goto(f"{site}/admin/quizzes/question/add/?quiz={quiz.pk}")
    expect(accepted).to_be_visible()
    expect(options).to_be_visible()  # no type chosen yet: every part
    page.get_by_label("Kind").select_option(label="Gap-fill")
    expect(options).to_be_hidden()
    expect(accepted).to_be_visible()
    page.get_by_label("Kind").select_option(label="True or false")
    expect(options).to_be_visible()
    expect(accepted).to_be_hidden()
    assert problems == []


def test_the_quiz_toolbar_is_one_style_under_a_title_that_keeps_its_width(site, quiz, page: Page, problems):
    page.set_viewport_size({"width": 1366, "height": 768})
    admin_login(page, site, "ms-ivanova")
    page.goto(f"{site}/admin/quizzes/quiz/{quiz.pk}/change/")
    title = page.locator("#content h2").first
    tools = page.locator(".object-tools li > a, .object-tools li button")
    expect(tools).to_have_count(9)  # preview, live, generate, write, publish, report, duplicate, history, site
    looks = tools.evaluate_all(
        """tools => tools.map(tool => {
            const style = getComputedStyle(tool);
            return [style.backgroundColor, style.fontSize, style.textTransform, style.borderRadius, style.color];
        })"""
    )
    assert len(set(map(tuple, looks))) == 1, looks
    heading = title.bounding_box()
    assert page.locator(".object-tools").bounding_box()["y"] > heading["y"]  # under the title, not beside it
    assert heading["height"] < 40, "the title is on one line"

    page.get_by_role("link", name="Generate questions").click()
    form = page.locator("#content-main form")
    expect(form.locator("fieldset.module.aligned")).to_have_count(1)
    expect(form.locator(".help").filter(has_text="None ticked: the whole story.")).to_be_visible()
    expect(form.locator(".submit-row")).to_be_visible()
    assert serious_accessibility_violations(page) == [], "the generate page"
    assert problems == []


def test_homework_is_set_with_the_calendar_in_words_and_no_button_deletes_the_quiz(site, quiz, page: Page, problems):
    quiz.publish()
    classroom = Classroom.objects.create(name="9B", owner=quiz.owner)
    admin_login(page, site, "ms-ivanova")
    page.goto(f"{site}/admin/quizzes/classroom/{classroom.pk}/change/")
    row = page.locator("#assignments-group tbody tr.form-row").first
    row.locator("select[name='assignments-0-quiz']").select_option(label=quiz.title)
    expect(row.locator(".related-widget-wrapper-link")).to_have_count(1)  # the eye only: nothing to change or delete
    row.get_by_role("button", name="Today (").click()  # the calendar's shortcut: "Today (5 Dec 2026)"
    today = timezone.localdate()
    expect(row.locator("input[name='assignments-0-due_at_0']")).to_have_value(f"{today:%d %b %Y}")
    row.locator("input[name='assignments-0-due_at_1']").fill("18:00")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    due = timezone.localtime(Assignment.objects.get(classroom=classroom).due_at)
    assert (due.date(), due.hour) == (today, 18)
    expect(page.locator("input[name='assignments-0-due_at_0']")).to_have_value(f"{today:%d %b %Y}")
    assert problems == []
