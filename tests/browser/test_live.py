"""Live classroom sessions in real browsers: a teacher hosts on the projector (one browser) and
students play on their phones (one browser each). Every change reaches the other screens by
their polls (every 2 s), never by a reload. axe finds nothing serious on the join, play and
host pages, and no page logs a console error (a CSP violation, a failed request, a script error)."""

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from quizzes import live
from quizzes.generation import ordinal
from quizzes.models import Attempt, LiveAnswer, LiveSession, Participant, Question, Quiz, Response
from quizzes.services.authoring import quiz_duplicate
from tests.browser.conftest import console_problems, serious_accessibility_violations
from tests.browser.teaching import admin_login, teachers_group
from tests.conftest import _teacher

pytestmark = pytest.mark.browser

# Polls run every 2 s: a change shows on another screen within one or two polls.
POLLED = 10_000
TITLE = "Milk war live check"


@pytest.fixture
def teacher_user(site) -> User:
    teachers_group()
    return _teacher("ms-ivanova")


@pytest.fixture
def small_quiz(teacher_user) -> Quiz:
    """Ms Ivanova's quiz of three single-choice questions, copied from the built-in milk war quiz."""
    copy = quiz_duplicate(quiz=Quiz.objects.get(slug="milk-war"), owner=teacher_user)
    kept = list(copy.questions.accepted().filter(kind=Question.Kind.SINGLE).order_by("position", "pk")[:3])
    assert len(kept) == 3, "the built-in milk war quiz has three single-choice questions"
    copy.questions.exclude(pk__in=[question.pk for question in kept]).delete()
    for position, question in enumerate(kept, start=1):
        question.position = position
        question.save(update_fields=["position"])
    copy.title = TITLE
    copy.save(update_fields=["title"])
    copy.publish()
    return copy


@dataclass
class Student:
    nickname: str
    page: Page
    problems: list[str]

    @property
    def participant(self) -> Participant:
        return Participant.objects.select_related("attempt", "session").get(nickname=self.nickname)


@pytest.fixture
def new_student(browser):
    """A student's phone: a browser context of its own (its own cookies, so its own learner),
    watched for console errors; closed when the test ends."""
    contexts = []

    def make(nickname: str) -> Student:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        contexts.append(context)
        page = context.new_page()
        return Student(nickname, page, console_problems(page))

    yield make
    for context in contexts:
        context.close()


class AxeLog:
    """axe's serious and critical violations, screen by screen: one failure lists them all."""

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    def check(self, page: Page, screen: str) -> None:
        if violations := serious_accessibility_violations(page):
            self.found[screen] = violations


def _host_starts(page: Page, site: str, quiz: Quiz, *, student_paced: bool = False, timer: str = "") -> LiveSession:
    """From the quiz's admin page: "Start live session", the options, "Open the lobby"."""
    admin_login(page, site, "ms-ivanova")
    page.goto(f"{site}/admin/quizzes/quiz/{quiz.pk}/change/")
    page.get_by_role("link", name="Start live session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a live session")
    expect(page.get_by_label("Quiz")).to_have_value(str(quiz.pk))
    page.get_by_label("Student-paced" if student_paced else "Teacher-paced").check()
    page.get_by_label("Seconds per question").fill(timer)
    page.get_by_role("button", name="Open the lobby").click()
    session = LiveSession.objects.get(quiz=quiz, status=LiveSession.Status.LOBBY)
    expect(page).to_have_url(f"{site}/live/{session.public_id}/host/")
    assert session.pacing == (LiveSession.Pacing.STUDENT if student_paced else LiveSession.Pacing.TEACHER)
    assert session.timer == (int(timer) if timer else None)
    expect(page.locator(".join-code")).to_have_text(session.code)
    expect(page.locator("#host-stage h2")).to_have_text("0 joined")
    return session


def _join(student: Student, url: str, *, code: str | None = None) -> None:
    """Join with the form at `url`: the code typed (`code`), or already filled in (the QR code's URL)."""
    page = student.page
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Join a live session")
    if code is not None:
        page.get_by_label("Game code").fill(code)
    page.get_by_label("Nickname").fill(student.nickname)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're in!")
    expect(page.locator(".live-player")).to_have_text(f"Playing as {student.nickname}")
    # A marker that survives only as long as the page is not reloaded: the screen changes by itself.
    page.evaluate("window.sameScreen = true")


def _still_the_same_screen(student: Student) -> None:
    assert student.page.evaluate("window.sameScreen") is True, f"{student.nickname}'s page was reloaded"


def _send(student: Student, question: Question, *, right: bool) -> None:
    """Tap the first option that is right (or wrong), as a phone does: one tap sends it."""
    deck = student.participant.session.deck()  # one order and one set of tokens for the whole session
    chosen = next(option for option in question.options.all() if option.is_correct == right)
    student.page.locator(f"button[value='{deck.token(chosen)}']").click()


def _answer(student: Student, question: Question, *, right: bool) -> None:
    """Teacher-paced: send the answer, which waits for the teacher to reveal it."""
    _send(student, question, right=right)
    expect(student.page.locator("#answer-received")).to_contain_text("Answer received")


def _standings(page: Page) -> list[list[str]]:
    """Place, player, points and right answers (not the places moved, from the second question)."""
    rows = page.locator("table.standings tbody tr")
    return [[cell.strip() for cell in row.locator("td, th").all_inner_texts()[:4]] for row in rows.all()]


def _expected_standings(points: dict[str, int]) -> list[list[str]]:
    """Place, nickname, points and right answers (1,000 points each: accuracy scoring); equal scores share a place."""
    order = sorted(points, key=lambda name: (-points[name], name.casefold()))
    return [
        [
            ordinal(1 + sum(other > points[name] for other in points.values())),
            name,
            str(points[name]),
            str(points[name] // 1000),
        ]
        for name in order
    ]


# Who answers rightly, question by question: Anya all three, Boris two, Chen one.
PLAN = {
    "Anya": [True, True, True],
    "Boris": [True, False, True],
    "Chen": [False, True, False],
}


def _lobby_fills(host: Page, site: str, session: LiveSession, students: list[Student]) -> None:
    """The students join three ways (the code typed, the QR code's address, the code typed
    loosely on a phone); the projector counts them and lists them without a reload."""
    code = session.code
    join_url = host.locator(".join-url").inner_text().strip()
    assert join_url.endswith(f"/join/{code}/"), join_url
    expect(host.locator("figure.qr svg")).to_be_visible()
    expect(host.get_by_role("button", name="Start the quiz")).to_have_count(0)
    host.evaluate("window.sameScreen = true")
    anya, boris, chen = students
    _join(anya, site + "/join/", code=code)
    expect(host.locator("#host-stage h2")).to_have_text("1 joined", timeout=POLLED)
    _join(boris, join_url)  # the QR code's address: the code is already filled in
    _join(chen, site + "/join/", code=f"{code[:3].lower()} {code[3:].lower()}")  # as typed on a phone
    expect(host.locator("#host-stage h2")).to_have_text("3 joined", timeout=POLLED)
    expect(host.locator(".players .player-name")).to_have_text([student.nickname for student in students])
    assert host.evaluate("window.sameScreen") is True, "the host's page was reloaded"


def _question_shows_everywhere(
    host: Page, session: LiveSession, students: list[Student], question: Question, number: int, total: int
) -> list:
    """One order and one set of markers, on the projector and on every phone; returns the tiles."""
    expect(host.get_by_role("heading", level=1)).to_have_text(question.stem)
    expect(host.locator(".progress-label")).to_have_text(f"Question {number} of {total}")
    tiles = live.tiles(session, question)
    shown = [f"{tile.marker.shape} {tile.marker.letter} {tile.text}" for tile in tiles]
    expect(host.locator(".tiles li")).to_have_text(shown)
    expect(host.locator(".timer")).to_contain_text("seconds left")
    for student in students:
        expect(student.page.get_by_role("heading", level=1)).to_have_text(
            f"Question {number} of {total}", timeout=POLLED
        )
        expect(student.page.locator("legend.stem")).to_have_text(question.stem)
        expect(student.page.locator(".choices .tile-button")).to_have_text(shown)
        _still_the_same_screen(student)
    return tiles


def _reload_keeps_the_question_open(student: Student, total: int) -> None:
    """A phone that reloads before answering gets the same question, still open to it."""
    student.page.reload()
    expect(student.page.get_by_role("heading", level=1)).to_have_text(f"Question 1 of {total}")
    expect(student.page.locator(".tile-button").first).to_be_enabled()
    student.page.evaluate("window.sameScreen = true")


def _everyone_answers(host: Page, students: list[Student], question: Question, number: int) -> None:
    for answered, student in enumerate(students, start=1):
        _answer(student, question, right=PLAN[student.nickname][number - 1])
        if number == 1:  # the count goes up answer by answer
            expect(host.locator(".answered-count")).to_have_text(f"{answered} of 3 answered", timeout=POLLED)
    expect(host.locator(".answered-count")).to_have_text("3 of 3 answered", timeout=POLLED)


def _reveal_shows(host: Page, students: list[Student], question: Question, number: int, tiles: list) -> None:
    """The distribution (one bar per option, in the session's order with its marker, the key
    marked) and the explanation with its source on the projector; each phone's own feedback."""
    host.get_by_role("button", name="Reveal the answer").click()
    chosen = [next(o for o in question.options.all() if o.is_correct == rights[number - 1]) for rights in PLAN.values()]
    options = {option.pk: option for option in question.options.all()}
    bars = host.locator(".bars .bar-row")
    expect(bars).to_have_count(len(tiles))
    for bar, tile in zip(bars.all(), tiles, strict=True):
        option = options[tile.option_id]
        count = chosen.count(option)
        expect(bar.locator(".bar-label")).to_contain_text(f"{tile.marker.letter} ")
        expect(bar.locator(".bar-label")).to_contain_text(option.text)
        expect(bar.locator(".bar-count")).to_have_text(f"{count} ({round(100 * count / 3)}%)")
        expect(bar).to_have_class(re.compile(r"\bis-key\b") if option.is_correct else re.compile(r"^bar-row$"))
    expect(host.locator(".distribution figcaption")).to_have_text("How the class answered: 3 of 3")
    expect(host.locator(".explanation")).to_have_text(question.explanation)
    expect(host.locator(".source")).to_contain_text("Where this comes from")
    for student in students:
        right = PLAN[student.nickname][number - 1]
        feedback = student.page.locator(".feedback")
        expect(feedback.locator(".feedback-title")).to_have_text("✓ Right" if right else "✗ Not quite", timeout=POLLED)
        expect(feedback).to_contain_text(f"+{1000 if right else 0} points")
        expect(student.page.locator(".source")).to_contain_text("Where this comes from")
        _still_the_same_screen(student)


def _leaderboard_shows(host: Page, students: list[Student], points: dict[str, int], number: int) -> None:
    """The leaderboard as its own screen; each phone says its place."""
    host.get_by_role("button", name="Show the leaderboard").click()
    expect(host.get_by_role("heading", name="Leaderboard")).to_be_visible()
    expected = _expected_standings(points)
    assert _standings(host) == expected, number
    for place, name, score, _ in expected:
        student = next(s for s in students if s.nickname == name)
        expect(student.page.locator(".live-result")).to_have_text(
            f"You are {place} of 3, with {score} points.", timeout=POLLED
        )


def _podium_shows(host: Page, students: list[Student], points: dict[str, int]) -> None:
    """The podium on the projector; each phone's place, score and answers."""
    host.get_by_role("button", name="Show the results").click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Results")
    expected = _expected_standings(points)
    assert expected == [["1st", "Anya", "3000", "3"], ["2nd", "Boris", "2000", "2"], ["3rd", "Chen", "1000", "1"]]
    expect(host.get_by_role("list", name="Podium").get_by_role("listitem")).to_have_text(
        [f"{place} {name} {score} points" for place, name, score, _ in expected]
    )
    assert _standings(host) == expected
    expect(host.get_by_role("link", name="Results and question analysis")).to_be_visible()
    assert host.evaluate("window.sameScreen") is True, "the host's page was reloaded"
    for place, name, score, right in expected:
        student = next(s for s in students if s.nickname == name)
        expect(student.page.get_by_role("heading", level=1)).to_have_text("That's the end!", timeout=POLLED)
        results = student.page.locator(".live-result")
        expect(results.first).to_have_text(f"You came {place} of 3, with {score} points.")
        expect(results.nth(1)).to_have_text(f"You got {right} of 3 right.")
        expect(student.page.locator(".live-answers li")).to_have_count(3)
        _still_the_same_screen(student)


def _database_holds_every_answer(session: LiveSession, questions: list[Question]) -> None:
    """Nine answers with their points, and every attempt finished with its score."""
    session.refresh_from_db()
    assert session.status == LiveSession.Status.FINISHED and session.finished_at is not None
    for name, rights in PLAN.items():
        participant = Participant.objects.get(session=session, nickname=name)
        answers = list(participant.answers.order_by("question__position"))
        assert [answer.question_id for answer in answers] == [question.pk for question in questions], name
        assert [answer.is_correct for answer in answers] == rights, name
        assert [answer.points for answer in answers] == [1000 * right for right in rights], name
        attempt = Attempt.objects.get(pk=participant.attempt_id)
        # Finished when its last answer came in (or, for one with questions left, when the session ended).
        assert attempt.finished_at is not None and attempt.score == sum(rights), name
        assert Response.objects.filter(attempt=attempt).count() == 3, name
    assert LiveAnswer.objects.filter(participant__session=session).count() == 9


def test_a_teacher_paced_session_with_three_students_from_lobby_to_podium(
    site, small_quiz, page, problems, new_student
):
    host = page
    session = _host_starts(host, site, small_quiz, timer="120")
    students = [new_student(name) for name in PLAN]
    _lobby_fills(host, site, session, students)

    questions = live.session_questions(session)
    total = len(questions)
    assert total == 3
    points = dict.fromkeys(PLAN, 0)
    host.get_by_role("button", name="Start the quiz").click()
    for number, question in enumerate(questions, start=1):
        tiles = _question_shows_everywhere(host, session, students, question, number, total)
        if number == 1:
            _reload_keeps_the_question_open(students[1], total)
        _everyone_answers(host, students, question, number)
        for name, rights in PLAN.items():
            points[name] += 1000 * rights[number - 1]
        _reveal_shows(host, students, question, number, tiles)
        if number < total:
            _leaderboard_shows(host, students, points, number)
            host.get_by_role("button", name="Next question").click()

    _podium_shows(host, students, points)
    _database_holds_every_answer(session, questions)
    assert problems == []
    for student in students:
        assert student.problems == [], student.nickname


def test_a_student_paced_session_shows_each_answer_on_the_hosts_grid(site, small_quiz, page, problems, new_student):
    host = page
    session = _host_starts(host, site, small_quiz, student_paced=True)
    host.evaluate("window.sameScreen = true")
    dana = new_student("Dana")
    _join(dana, site + "/join/", code=session.code)
    expect(host.locator("#host-stage h2")).to_have_text("1 joined", timeout=POLLED)
    host.get_by_role("button", name="Start the quiz").click()

    expect(host.get_by_role("heading", level=1)).to_have_text("Students at their own pace")
    grid = host.locator("table.live-grid")
    expect(grid.locator("caption")).to_contain_text("✓ right, ✗ not right, – not answered yet")
    row = grid.locator("tbody tr").filter(has_text="Dana")
    marks = row.locator("td")
    expect(marks).to_have_count(3)
    expect(marks).to_have_text(["– not yet"] * 3)

    questions = live.session_questions(session)
    page = dana.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Question 1 of 3", timeout=POLLED)
    _still_the_same_screen(dana)
    # No timer: the question waits for the student.
    expect(page.locator(".timer")).to_have_count(0)

    # A wrong answer: at once, the feedback with the key, the explanation and its source.
    _send(dana, questions[0], right=False)
    expect(page.locator(".feedback-title")).to_have_text("✗ Not quite")
    expect(page.locator(".key")).to_contain_text(questions[0].key_text()[0])
    expect(page.locator(".explanation")).to_have_text(questions[0].explanation)
    expect(page.locator(".source")).to_contain_text("Where this comes from")
    expect(marks.nth(0)).to_have_text("✗ not right", timeout=POLLED)
    expect(marks.nth(0)).to_have_class("is-wrong")

    page.get_by_role("button", name="Next question").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Question 2 of 3")
    _send(dana, questions[1], right=True)
    expect(page.locator(".feedback-title")).to_have_text("✓ Right")
    expect(marks).to_have_text(["✗ not right", "✓ right", "– not yet"], timeout=POLLED)
    expect(marks.nth(1)).to_have_class("is-right")
    assert host.evaluate("window.sameScreen") is True, "the host's page was reloaded"

    # The teacher ends the session before Dana reaches question 3.
    page.get_by_role("button", name="Next question").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Question 3 of 3")
    host.get_by_role("button", name="End the session").click()
    host.get_by_role("button", name="Yes, end the session").click()  # it asks first
    expect(host.get_by_role("heading", level=1)).to_have_text("Results")
    expect(page.get_by_role("heading", level=1)).to_have_text("That's the end!", timeout=POLLED)
    expect(page.locator(".live-result").first).to_have_text("You came 1st of 1, with 1000 points.")
    expect(page.locator(".live-result").nth(1)).to_have_text("You got 1 of 3 right.")
    _still_the_same_screen(dana)

    session.refresh_from_db()
    assert session.status == LiveSession.Status.FINISHED
    participant = dana.participant
    assert list(participant.answers.order_by("question__position").values_list("is_correct", flat=True)) == [
        False,
        True,
    ]
    participant.attempt.refresh_from_db()
    assert participant.attempt.finished_at == session.finished_at and participant.attempt.score == 1
    assert problems == []
    assert dana.problems == []


def test_the_live_pages_pass_axe_and_log_no_console_error(site, small_quiz, page, problems, new_student):
    axe = AxeLog()
    host = page
    session = _host_starts(host, site, small_quiz, timer="60")
    eva = new_student("Eva")
    eva.page.goto(site + "/join/")
    axe.check(eva.page, "join")
    # A code nobody uses: the error is said in words, next to the field, and the code stays typed.
    eva.page.get_by_label("Game code").fill("XXXXXX")
    eva.page.get_by_label("Nickname").fill("Eva")
    eva.page.get_by_role("button", name="Join").click()
    expect(eva.page.get_by_role("alert")).to_contain_text(live.NO_SUCH_SESSION)
    expect(eva.page.get_by_label("Game code")).to_have_value("XXXXXX")
    axe.check(eva.page, "join: a wrong code")
    # The browser logs the refused join's 400 as a console error; anything else still counts.
    assert eva.problems == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    eva.problems.clear()
    eva.page.goto(f"{site}/join/{session.code}/")
    axe.check(eva.page, "join with the code filled in")
    _join(eva, f"{site}/join/{session.code}/")
    axe.check(eva.page, "play: lobby")
    expect(host.locator("#host-stage h2")).to_have_text("1 joined", timeout=POLLED)
    axe.check(host, "host: lobby")

    question = live.session_questions(session)[0]
    host.get_by_role("button", name="Start the quiz").click()
    expect(host.locator(".timer")).to_contain_text("seconds left")
    axe.check(host, "host: question")
    expect(eva.page.get_by_role("heading", level=1)).to_have_text("Question 1 of 3", timeout=POLLED)
    axe.check(eva.page, "play: question")
    _answer(eva, question, right=True)
    axe.check(eva.page, "play: answer received")
    expect(host.locator(".answered-count")).to_have_text("1 of 1 answered", timeout=POLLED)

    host.get_by_role("button", name="Reveal the answer").click()
    expect(host.locator(".bars")).to_be_visible()
    axe.check(host, "host: reveal")
    expect(eva.page.locator(".feedback-title")).to_have_text("✓ Right", timeout=POLLED)
    axe.check(eva.page, "play: reveal")

    host.get_by_role("button", name="Show the leaderboard").click()
    expect(host.get_by_role("heading", name="Leaderboard")).to_be_visible()
    axe.check(host, "host: leaderboard")
    expect(eva.page.locator(".live-result")).to_have_text("You are 1st of 1, with 1000 points.", timeout=POLLED)
    axe.check(eva.page, "play: leaderboard")

    host.locator("summary").filter(has_text="Players (1)").click()
    expect(host.locator(".host-more .player-name")).to_have_text(["Eva"])
    axe.check(host, "host: players, opened")
    host.get_by_role("button", name="End the session").click()
    expect(host.locator(".host-confirm")).to_contain_text("End the session for everyone?")
    axe.check(host, "host: end the session?")
    host.get_by_role("button", name="Yes, end the session").click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Results")
    axe.check(host, "host: results")
    expect(eva.page.get_by_role("heading", level=1)).to_have_text("That's the end!", timeout=POLLED)
    axe.check(eva.page, "play: the end")

    assert problems == []
    assert eva.problems == []
    assert axe.found == {}


def test_an_answer_the_server_was_too_busy_to_store_is_sent_again_and_stored(site, small_quiz, page, new_student):
    session = _host_starts(page, site, small_quiz, timer="120")
    student = new_student("Ola")
    _join(student, site + "/join/", code=session.code)
    page.get_by_role("button", name="Start the quiz").click()
    expect(student.page.get_by_role("heading", level=1)).to_have_text("Question 1 of 3", timeout=POLLED)
    busy = []

    def first_answer_busy(route) -> None:
        """The server too busy to write, once (as with SQLite locked past its wait): 503 and Retry-After."""
        if not busy:
            busy.append(route.request.url)
            route.fulfill(status=503, headers={"Retry-After": "1"}, body="busy")
        else:
            route.continue_()

    student.page.route("**/answer/", first_answer_busy)
    _send(student, live.session_questions(session)[0], right=True)
    expect(student.page.locator("#answer-received")).to_contain_text("Answer received", timeout=POLLED)
    assert busy and LiveAnswer.objects.filter(participant__nickname="Ola").count() == 1
