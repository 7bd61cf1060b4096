"""Answering quiz questions in a real browser, by keyboard, as a student does."""

from playwright.sync_api import Page, expect

from quizzes.models import Attempt, Question

CHOICE_KINDS = {Question.Kind.SINGLE, Question.Kind.TRUE_FALSE}


def latest_attempt() -> Attempt:
    return Attempt.objects.select_related("quiz").latest("started_at")


def nth_question(attempt: Attempt, number: int) -> Question:
    return list(attempt.quiz.questions.prefetch_related("options"))[number - 1]


def choose_by_keyboard(page: Page, select_selector: str, value: str) -> None:
    """Pick an option of a <select> with the arrow keys, as a keyboard user does."""
    select = page.locator(select_selector)
    values = select.locator("option").evaluate_all("options => options.map(o => o.value)")
    select.focus()
    for _ in range(values.index(value)):
        page.keyboard.press("ArrowDown")
    expect(select).to_have_value(value)


def answer_by_keyboard(page: Page, attempt: Attempt, question: Question, *, right: bool = True) -> None:
    """Answer rightly, or (a single choice or true/false question) wrongly, by keyboard."""
    assert right or question.kind in CHOICE_KINDS, "only choice questions are answered wrongly here"
    options = list(question.options.all())
    match question.kind:
        case Question.Kind.GAP_FILL:
            field = page.get_by_label("Your answer")
            expect(field).to_be_focused()
            page.keyboard.type(question.accepted_answers[0])
        case Question.Kind.ORDERING:
            for place, option in enumerate(options, start=1):
                choose_by_keyboard(page, f"select[name='place-{attempt.token(option)}']", str(place))
        case Question.Kind.MATCHING:
            for option in options:
                choose_by_keyboard(
                    page, f"select[name='match-{attempt.token(option)}']", attempt.token(option, "match")
                )
        case Question.Kind.MULTIPLE:
            for option in options:
                if option.is_correct:
                    page.locator(f"input[value='{attempt.token(option)}']").focus()
                    page.keyboard.press("Space")
        case _:
            # The database knows the key: the first option that is right (or wrong) is chosen.
            chosen = next(option for option in options if option.is_correct == right)
            page.locator(f"input[value='{attempt.token(chosen)}']").focus()
            page.keyboard.press("Space")
    page.get_by_role("button", name="Check my answer").focus()
    page.keyboard.press("Enter")
