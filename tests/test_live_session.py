"""Live classroom sessions: the host's state machine, who may host and who may play, joining
(codes, nicknames, the rate limit), polling from the cache, answers stored once and scored by the
server's clock, reconnecting, student-paced play, the results screens, and starting from the admin."""

import csv
import io
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from quizzes import generation as g
from quizzes import live
from quizzes.forms import NOT_AN_OPTION
from quizzes.models import (
    JOIN_ALPHABET,
    FailedJoin,
    Learner,
    LiveAnswer,
    LiveSession,
    Participant,
    Quiz,
    Response,
    ReviewCard,
    stamp_key,
)
from quizzes.services.questions import questions_save
from tests.account_helpers import log_in
from tests.live_helpers import (
    answer,
    choose,
    host_action,
    host_page,
    host_poll,
    host_seen,
    join,
    join_try,
    next_question,
    play,
    poll,
    question_open,
    questions,
    session_start,
    short_quiz,
)
from tests.quiz_helpers import HTMX

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commits_now")]

JOIN = reverse("quizzes:session-join")
SESSION_COOKIE = settings.SESSION_COOKIE_NAME


def refreshed(session: LiveSession) -> LiveSession:
    session.refresh_from_db()
    return session


def text(response) -> str:
    return response.content.decode()


def screen(response) -> str:
    """A page without what differs between two renderings of the same screen: tokens and nonces."""
    page = re.sub(r'(nonce|value)="[^"]*"', r'\1=""', text(response))
    return re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', page)


def unknown_code(session: LiveSession) -> str:
    return "AAAAAA" if session.code != "AAAAAA" else "BBBBBB"


def url(name: str, session: LiveSession, *args) -> str:
    return reverse(f"quizzes:{name}", args=[session.public_id, *args])


# The state machine


def test_teacher_paced_session_goes_from_lobby_through_each_stage_and_finishes_after_the_last(
    capitals, teacher, teacher_client
):
    session = session_start(teacher, quiz=capitals)
    join(Client(), session, "Anna")
    steps = [
        ("start", "open", 1, "Question 1 of 2"),
        ("close", "closed", 1, "Time's up"),
        ("reveal", "revealed", 1, "How the class answered"),
        ("standings", "standings", 1, "Leaderboard"),
        ("next", "open", 2, "Question 2 of 2"),
        ("reveal", "revealed", 2, "Show the results"),
        ("next", "finished", 2, "Results"),
    ]
    versions = [session.version]
    for action, status, position, shown in steps:
        response = host_action(teacher_client, session, action)
        assert response.status_code == 200
        assert shown in text(response) and "<html" not in text(response)
        assert (refreshed(session).status, session.position) == (status, position), action
        versions.append(session.version)
    # Each move bumps the version: by one, or by two for a reveal that first closes the question.
    assert versions == [1, 2, 3, 4, 5, 6, 8, 9]
    assert session.finished_at is not None


@pytest.mark.parametrize("leaderboard", ["end", "hidden"])
def test_the_leaderboard_step_exists_only_when_the_leaderboard_is_shown(capitals, teacher, teacher_client, leaderboard):
    session = session_start(teacher, quiz=capitals, leaderboard=leaderboard)
    question_open(teacher_client, session, 1)
    page = text(host_action(teacher_client, session, "reveal"))
    assert "Show the leaderboard" not in page and "Next question" in page
    version = refreshed(session).version
    host_action(teacher_client, session, "standings")
    assert (refreshed(session).status, session.version) == ("revealed", version)
    host_action(teacher_client, session, "next")
    assert (refreshed(session).status, session.position) == ("open", 2)


ROUTES = {
    "lobby": [],
    "open": ["start"],
    "closed": ["start", "close"],
    "revealed": ["start", "reveal"],
    "standings": ["start", "reveal", "standings"],
}


@pytest.mark.parametrize("state", ROUTES)
def test_finish_ends_the_session_from_any_state(capitals, teacher, teacher_client, state):
    session = session_start(teacher, quiz=capitals)
    player = Client()
    join(player, session, "Anna")
    for action in ROUTES[state]:
        host_action(teacher_client, session, action)
    assert refreshed(session).status == state
    response = host_action(teacher_client, session, "finish")
    assert "Results" in text(response)
    assert refreshed(session).status == "finished" and session.finished_at is not None
    assert poll(player, session, str(session.version)).status_code == 286
    assert "That's the end!" in text(play(player, session))


def test_student_paced_session_opens_at_start_ignores_teacher_paced_moves_and_finishes(
    capitals, teacher, teacher_client
):
    session = session_start(teacher, quiz=capitals, pacing="student")
    join(Client(), session, "Anna")
    host_action(teacher_client, session, "start")
    assert refreshed(session).status == "open"
    version = session.version
    for action in ["close", "reveal", "standings", "next"]:
        host_action(teacher_client, session, action)
        assert (refreshed(session).status, session.version) == ("open", version), action
    host_action(teacher_client, session, "finish")
    assert (refreshed(session).status, session.version) == ("finished", version + 1)


@pytest.mark.parametrize(
    ("state", "action", "after"),
    [
        ("lobby", "start", ("open", 1)),
        ("revealed", "next", ("open", 2)),
        ("open", "reveal", ("revealed", 1)),
        ("revealed", "standings", ("standings", 1)),
        ("open", "finish", ("finished", 1)),
    ],
)
def test_a_double_click_with_the_same_version_moves_the_session_once(
    content, teacher, teacher_client, clock, state, action, after
):
    session = session_start(teacher, quiz=short_quiz(teacher, 3))
    join(Client(), session, "Anna")
    for step in ROUTES[state]:
        host_action(teacher_client, session, step)
    seen = str(refreshed(session).version)
    first = teacher_client.post(url("session-host-action", session, action), {"version": seen}, headers=HTMX)
    moved = refreshed(session).version
    second = teacher_client.post(url("session-host-action", session, action), {"version": seen}, headers=HTMX)
    assert first.status_code == second.status_code == 200
    assert (refreshed(session).status, session.position) == after
    assert session.version == moved
    assert screen(first) == screen(second)  # the second click sees the screen the first one made


@pytest.mark.parametrize(
    ("action", "state"),
    [("close", "open"), ("reveal", "open"), ("standings", "revealed"), ("next", "revealed")],
)
def test_a_button_from_an_earlier_screen_moves_nothing(content, teacher, teacher_client, action, state):
    """A stale version (a retried request, a second tab) never acts on the question shown since:
    the state alone would allow it, the version does not."""
    session = session_start(teacher, quiz=short_quiz(teacher, 3))
    join(Client(), session, "Anna")
    for step in ROUTES[state]:
        host_action(teacher_client, session, step)
    stale = str(refreshed(session).version)
    for step in ["reveal", "next"] if state == "open" else ["next"]:
        host_action(teacher_client, session, step)
    host_action(teacher_client, session, "reveal" if state == "revealed" else "start")  # q2 as the stale screen had q1
    before = (refreshed(session).status, session.position, session.version)
    assert before[:2] == (state, 2)
    teacher_client.post(url("session-host-action", session, action), {"version": stale}, headers=HTMX)
    assert (refreshed(session).status, session.position, session.version) == before


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("lobby", "reveal"),
        ("lobby", "close"),
        ("lobby", "standings"),
        ("lobby", "next"),
        ("open", "start"),
        ("open", "standings"),
        ("open", "next"),  # the last question, still open: not straight to the results
        ("closed", "close"),
        ("closed", "next"),
        ("revealed", "close"),
        ("revealed", "start"),
        ("standings", "reveal"),
    ],
)
def test_an_action_in_the_wrong_state_does_nothing(content, teacher, teacher_client, state, action):
    session = session_start(teacher, quiz=short_quiz(teacher, 1))
    join(Client(), session, "Anna")
    for step in ROUTES[state]:
        host_action(teacher_client, session, step)
    before = (refreshed(session).status, session.position, session.version)
    assert host_action(teacher_client, session, action).status_code == 200
    assert (refreshed(session).status, session.position, session.version) == before


def test_a_finished_session_takes_no_more_moves(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals)
    host_action(teacher_client, session, "finish")
    version = refreshed(session).version
    for action in ["start", "next", "reveal", "finish"]:
        host_action(teacher_client, session, action)
    assert (refreshed(session).status, session.version) == ("finished", version)


def test_an_unknown_action_is_not_found(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals)
    response = teacher_client.post(url("session-host-action", session, "explode"), {"version": "1"})
    assert response.status_code == 404
    assert refreshed(session).version == 1


def test_finishing_scores_every_attempt_for_progress_and_schedules_reviews(
    content, teacher, teacher_client, student, student_client
):
    session = session_start(teacher)  # the built-in quiz: its questions ask facts
    guest = Client()
    anna = join(guest, session, "Anna")
    assert student_client.post(JOIN, {"code": session.code}).status_code == 302
    alex = Participant.objects.get(session=session, learner__user=student)
    asked = questions(session)
    # The next choice question on a fact after the first: both students answer it.
    later = next(n for n, q in enumerate(asked, 1) if n > 1 and q.fact and q.kind in live.CHOICE_KINDS)
    host_action(teacher_client, session, "start")
    answer(guest, anna, 1)
    for _ in range(later - 1):
        host_action(teacher_client, session, "reveal")
        host_action(teacher_client, session, "next")
    answer(guest, anna, later)
    answer(student_client, alex, later, right=False)
    assert not Participant.objects.filter(attempt__finished_at__isnull=False).exists()
    host_action(teacher_client, session, "finish")
    refreshed(session)
    fact = asked[later - 1].fact
    for participant, client, score, known in [(anna, guest, 2, True), (alex, student_client, 0, False)]:
        participant.attempt.refresh_from_db()
        assert participant.attempt.finished_at == session.finished_at
        assert participant.attempt.score == score
        result = reverse("quizzes:result", args=[participant.attempt.public_id])
        assert f'href="{result}">{score} of 11</a>' in text(client.get(reverse("quizzes:progress")))
        card = ReviewCard.objects.get(learner=participant.learner, fact=fact)
        assert card.last_correct is known


# Who may host, who may play


@pytest.fixture
def hosted(capitals, teacher):
    session = session_start(teacher, quiz=capitals)
    return session, join(Client(), session, "Anna")


@pytest.mark.parametrize(
    ("persona", "page", "polled", "acted"),
    [
        ("teacher", 200, 200, 302),
        ("superuser", 200, 200, 302),
        ("other_teacher", 404, 404, 404),
        ("student", 404, 404, 404),
        ("guest", 302, 404, 404),
    ],
)
def test_only_the_host_and_a_superuser_reach_the_host_views(hosted, persona_clients, persona, page, polled, acted):
    session, anna = hosted
    client = persona_clients[persona]
    response = host_page(client, session)
    assert response.status_code == page
    if persona == "guest":
        assert response["Location"].startswith(reverse("admin:login") + "?next=")
    if page == 200:
        assert session.code in text(response) and "Anna" in text(response)
    assert host_poll(client, session, "").status_code == polled
    started = client.post(url("session-host-action", session, "start"), {"version": "1"})
    removed = client.post(url("session-remove", session, anna.pk))
    assert started.status_code == removed.status_code == acted
    if acted == 302:
        assert started["Location"] == removed["Location"] == url("session-host", session)
    anna.refresh_from_db()
    allowed = persona in {"teacher", "superuser"}
    assert (refreshed(session).status == "open") is allowed
    assert anna.removed is allowed


@pytest.mark.parametrize(
    ("persona", "status"),
    [("teacher", 200), ("superuser", 200), ("other_teacher", 404), ("student", 302), ("guest", 302)],
)
def test_only_the_host_and_a_superuser_see_the_session_in_the_admin(hosted, persona_clients, persona, status):
    session, _ = hosted
    live.session_finish(session=session)
    client = persona_clients[persona]
    for name in ["change", "report", "report_csv"]:
        response = client.get(reverse(f"admin:quizzes_livesession_{name}", args=[session.pk]))
        assert response.status_code == status, name
        if status == 302:  # not staff: the admin's own login page
            assert response["Location"].startswith(reverse("admin:login"))
        if status == 200:
            assert "Anna" in text(response)
    changelist = client.get(reverse("admin:quizzes_livesession_changelist"))
    if status == 302:
        assert changelist.status_code == 302
    else:
        assert changelist.status_code == 200
        assert (session.code in text(changelist)) is (status == 200)


def test_the_host_page_and_the_player_page_come_whole_or_as_a_fragment(hosted, teacher_client):
    session, _ = hosted
    player = Client()
    join(player, session, "Boris")
    host, host_fragment = host_page(teacher_client, session), host_page(teacher_client, session, htmx=True)
    mine, my_fragment = play(player, session), play(player, session, htmx=True)
    for page, fragment in [(host, host_fragment), (mine, my_fragment)]:
        assert page.status_code == fragment.status_code == 200
        assert "<html" in text(page) and "<html" not in text(fragment)
        assert "HX-Request" in page["Vary"]
    assert session.code in text(host_fragment) and "Anna" in text(host_fragment) and "Boris" in text(host_fragment)
    assert "You're in!" in text(my_fragment) and "Playing as <strong>Boris</strong>" in text(my_fragment)


@pytest.mark.parametrize("persona", ["guest", "student", "teacher"])
def test_someone_who_has_not_joined_is_sent_to_join_and_cannot_answer_or_move_on(hosted, persona_clients, persona):
    session, _ = hosted
    client = persona_clients[persona]
    response = play(client, session)
    assert response.status_code == 302
    assert response["Location"] == reverse("quizzes:session-join-code", args=[session.code])
    assert client.post(url("session-answer", session), {"question": "1"}, headers=HTMX).status_code == 404
    assert client.post(url("session-next", session), {"question": "1"}, headers=HTMX).status_code == 404
    session.finish()
    assert play(client, session).status_code == 404  # an ended session sends nobody to join it


def test_a_participant_answers_only_as_themselves_whatever_the_form_says(hosted, teacher_client):
    session, anna = hosted
    boris_phone = Client()
    boris = join(boris_phone, session, "Boris")
    host_action(teacher_client, session, "start")
    response = choose(
        boris_phone, boris, 1, "Minsk", participant=str(anna.pk), nickname="Anna", learner=str(anna.learner_id)
    )
    assert response.status_code == 200
    assert "Playing as <strong>Boris</strong>" in text(response)
    assert list(LiveAnswer.objects.values_list("participant__nickname", "is_correct")) == [("Boris", False)]
    assert not Response.objects.filter(attempt=anna.attempt).exists()


# Joining


def _join_page(client: Client, code: str) -> str:
    """The join page with what differs between any two requests taken out: the code typed, the tokens."""
    response = client.get(reverse("quizzes:session-join-code", args=[code]))
    assert response.status_code == 200
    return screen(response).replace(code, "CODE")


def test_the_join_page_looks_the_same_for_any_code(capitals, teacher):
    active = session_start(teacher, quiz=capitals)
    ended = session_start(teacher, quiz=capitals)
    ended.finish()
    pages = {_join_page(Client(), code) for code in [active.code, ended.code, unknown_code(active), "nonsense"]}
    assert len(pages) == 1
    (page,) = pages
    assert "Capitals" not in page and live.NO_SUCH_SESSION not in page
    assert 'name="nickname"' in page and 'action="/join/CODE/"' in page
    assert not FailedJoin.objects.exists()  # looking is not guessing


@pytest.mark.parametrize(
    "typed",
    [str.lower, lambda code: f"  {code[:3]} {code[3:]} ", lambda code: f"{code[:3]}-{code[3:]}".lower()],
    ids=["lower-case", "spaces", "dash"],
)
def test_a_code_is_accepted_in_lower_case_and_with_spaces_or_a_dash(capitals, teacher, typed):
    session = session_start(teacher, quiz=capitals)
    response = join_try(Client(), typed(session.code), "Anna")
    assert response.status_code == 302
    assert response["Location"] == url("session-play", session)
    assert Participant.objects.get().nickname == "Anna"


def test_an_unknown_code_and_an_ended_code_are_refused_alike(capitals, teacher):
    ended = session_start(teacher, quiz=capitals)
    ended.finish()
    unknown = join_try(Client(), unknown_code(ended), "Anna")
    finished = join_try(Client(), ended.code, "Anna")
    malformed = join_try(Client(), "XYZ", "Anna")
    for response in [unknown, finished, malformed]:
        assert response.status_code == 400
        assert escape(live.NO_SUCH_SESSION) in text(response)
    assert not Participant.objects.exists()
    assert FailedJoin.objects.count() == 3


def test_joining_gives_the_browser_a_new_session_key(capitals, teacher, student_client):
    session = session_start(teacher, quiz=capitals)
    guest = Client()
    guest_key = guest.session.session_key  # a session from before joining, as on a shared device
    student_key = student_client.cookies[SESSION_COOKIE].value
    join(guest, session, "Anna")
    assert student_client.post(JOIN, {"code": session.code}).status_code == 302
    for client, before in [(guest, guest_key), (student_client, student_key)]:
        after = client.cookies[SESSION_COOKIE].value
        assert after and after != before
        assert not Session.objects.filter(session_key=before).exists()
    assert play(guest, session).status_code == 200  # still the same player under the new key
    assert "Playing as <strong>alex</strong>" in text(play(student_client, session))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("A" * 20, "A" * 20),
        ("Cassandra", "Cassandra"),  # "ass" inside a name is no reason to refuse it
        ("Glasgow Bass", "Glasgow Bass"),
        ("  Anna \t  Maria ", "Anna Maria"),
        ("Anna\u202e", "Anna"),  # a right-to-left override
        ("\u200bBoris\u200d", "Boris"),  # zero-width characters
        ("Ｍａｒｉａ", "Maria"),  # full-width letters, NFKC-normalised
        ("Zoë", "Zoë"),
    ],
)
def test_a_nickname_is_stored_normalised(capitals, teacher, typed, stored):
    session = session_start(teacher, quiz=capitals)
    assert join_try(Client(), session.code, typed).status_code == 302
    participant = Participant.objects.get()
    assert participant.nickname == stored
    assert participant.nickname_key == "".join(c for c in stored.casefold() if c.isalnum()).replace("ë", "e")


@pytest.mark.parametrize("look_alike", ["Аnna", "A n n a", "Ǎnna", "a\u0301nna", "ANNA", "Anna!"])
def test_a_nickname_that_looks_like_a_player_s_is_taken(capitals, teacher, look_alike):
    session = session_start(teacher, quiz=capitals)
    join(Client(), session, "Anna")
    refused = join_try(Client(), session.code, look_alike)
    assert refused.status_code == 400 and escape(live.NICKNAME_TAKEN) in refused.text
    assert join_try(Client(), session.code, "Anne").status_code == 302  # one letter apart is another name


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("A" * 21, "Keep your nickname to 20 characters."),
        ("\ufdfaabc", "Keep your nickname to 20 characters."),  # 4 characters that NFKC makes 21
        ("\u202e\u200b", "Choose a nickname with at least one visible letter."),
        ("", "Choose a nickname."),
        ("shit", "Choose another nickname: this one is not for a class screen."),
        ("Sh1t", "Choose another nickname: this one is not for a class screen."),
        ("big $h!t", "Choose another nickname: this one is not for a class screen."),
        ("F U C K", "Choose another nickname: this one is not for a class screen."),
    ],
)
def test_a_nickname_that_breaks_the_rules_is_refused_with_a_reason(capitals, teacher, typed, message):
    session = session_start(teacher, quiz=capitals)
    response = join_try(Client(), session.code, typed)
    assert response.status_code == 400
    assert escape(message) in text(response)
    assert not Participant.objects.exists()
    assert not FailedJoin.objects.exists()


@pytest.mark.parametrize("second", ["anna", "ANNA", " Anna "])
def test_a_nickname_is_unique_in_its_session_ignoring_case(capitals, teacher, second):
    session = session_start(teacher, quiz=capitals)
    join(Client(), session, "Anna")
    response = join_try(Client(), session.code, second)
    assert response.status_code == 400
    assert escape(live.NICKNAME_TAKEN) in text(response)
    assert Participant.objects.count() == 1
    other = session_start(teacher, quiz=capitals)  # another session: the name is free there
    assert join_try(Client(), other.code, second).status_code == 302


def test_a_signed_in_student_joins_under_their_name_and_a_clash_gets_a_number(
    capitals, teacher, student, student_client
):
    session = session_start(teacher, quiz=capitals)
    page = text(student_client.get(reverse("quizzes:session-join-code", args=[session.code])))
    assert 'name="nickname"' not in page and "You join as <strong>alex</strong>" in page
    join(Client(), session, "Alex")
    response = student_client.post(JOIN, {"code": session.code, "nickname": "Ignored"})
    assert response.status_code == 302
    assert Participant.objects.get(learner__user=student).nickname == "alex 2"
    assert "Playing as <strong>alex 2</strong>" in text(play(student_client, session))


def test_a_locked_lobby_refuses_newcomers_but_takes_back_a_player(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals)
    phone = Client()
    anna = join(phone, session, "Anna")
    assert "the lobby is locked" in text(host_action(teacher_client, session, "lock"))
    refused = join_try(Client(), session.code, "Boris")
    assert refused.status_code == 400 and escape(live.LOCKED) in text(refused)
    again = join_try(phone, session.code, "Anything")  # a reload or a lost connection
    assert again.status_code == 302
    assert list(Participant.objects.values_list("pk", "nickname")) == [(anna.pk, "Anna")]
    host_action(teacher_client, session, "unlock")
    join(Client(), session, "Boris")


def test_a_removed_participant_cannot_rejoin_or_answer(hosted, teacher_client):
    session, _ = hosted
    phone = Client()
    boris = join(phone, session, "Boris")
    host_action(teacher_client, session, "start")
    version = refreshed(session).version
    removed = teacher_client.post(url("session-remove", session, boris.pk), headers=HTMX)
    assert removed.status_code == 200 and "Boris" not in text(removed)
    assert refreshed(session).version == version + 1  # the players' screens change
    rejoin = join_try(phone, session.code, "Boris Again")
    assert rejoin.status_code == 400 and escape(live.REMOVED) in text(rejoin)
    refused = answer(phone, boris, 1)
    assert refused.status_code == 409 and escape(live.REMOVED) in text(refused)
    assert not LiveAnswer.objects.exists()
    assert "You have left this session" in text(play(phone, session))
    assert [row.nickname for row in live.standings(session)] == ["Anna"]


@pytest.mark.parametrize("nickname", ["<img src=x>", "<b>x</b>", '"><i>x'])
def test_nicknames_are_escaped_on_every_screen(capitals, teacher, teacher_client, nickname):
    session = session_start(teacher, quiz=capitals, pacing="student")
    phone = Client()
    player = join(phone, session, nickname)
    screens = [host_page(teacher_client, session), play(phone, session)]
    host_action(teacher_client, session, "start")
    choose(phone, player, 1, "Moscow")
    screens.append(host_page(teacher_client, session))  # the grid
    host_action(teacher_client, session, "finish")
    screens += [host_page(teacher_client, session), play(phone, session)]  # the podium, the result
    for page in map(text, screens):
        assert escape(nickname) in page
        assert nickname not in page


# The limit on wrong codes


def test_twenty_wrong_codes_from_a_browser_get_429_for_ten_minutes_but_a_right_code_still_joins(
    capitals, teacher, clock
):
    session = session_start(teacher, quiz=capitals)
    for _ in range(live.FAILED_JOIN_LIMIT):
        assert join_try(Client(), unknown_code(session), "Anna").status_code == 400
    assert list(FailedJoin.objects.values_list("ip", flat=True).distinct()) == ["127.0.0.1"]
    blocked = join_try(Client(), unknown_code(session), "Anna")
    assert blocked.status_code == 429 and escape(live.TOO_MANY_TRIES) in text(blocked)
    assert join_try(Client(), session.code, "Anna").status_code == 302  # a right code is never refused
    clock.shift(timedelta(minutes=10))
    assert join_try(Client(), unknown_code(session), "Chen").status_code == 400  # the old ones have gone
    assert FailedJoin.objects.count() == 1


def test_forty_students_behind_one_address_all_join(capitals, teacher):
    session = session_start(teacher, quiz=capitals)
    for number in range(40):
        join(Client(REMOTE_ADDR="127.0.0.1"), session, f"Player {number}")
    assert Participant.objects.filter(session=session).count() == 40
    assert not FailedJoin.objects.exists()


def test_nickname_mistakes_do_not_count_as_wrong_codes(capitals, teacher):
    session = session_start(teacher, quiz=capitals)
    join(Client(), session, "Anna")
    for nickname in ["anna"] * 15 + ["shit"] * 10:
        assert join_try(Client(), session.code, nickname).status_code == 400
    assert not FailedJoin.objects.exists()
    join(Client(), session, "Boris")


# Polling


def test_a_student_poll_says_204_when_current_the_new_stage_when_changed_and_286_when_over(hosted, teacher_client):
    session, _ = hosted
    phone = Client()
    join(phone, session, "Boris")
    seen = str(session.version)
    assert poll(phone, session, seen).status_code == 204 and not poll(phone, session, seen).content
    host_action(teacher_client, session, "start")
    changed = poll(phone, session, seen)  # the new stage itself: no event, no second request
    assert changed.status_code == 200 and "HX-Trigger" not in changed
    page = text(changed)
    assert page.lstrip().startswith('<section id="stage"') and "Question 1 of 2" in page and "data-answer-form" in page
    assert f"?v={refreshed(session).version}" in page
    assert poll(phone, session, str(session.version)).status_code == 204
    host_action(teacher_client, session, "finish")
    over = poll(phone, session, str(refreshed(session).version))
    assert over.status_code == 286 and "That's the end!" in text(over) and "data-poll" not in text(over)
    missing = phone.get(reverse("quizzes:session-poll", args=[uuid.uuid4()]), {"v": "1"}, headers=HTMX)
    assert missing.status_code == 286 and missing["HX-Reswap"] == "none"


def test_a_changed_poll_from_someone_who_has_not_joined_is_404(hosted, teacher_client):
    session, _ = hosted
    stranger = Client()
    assert poll(stranger, session, str(session.version)).status_code == 204  # says nothing but "no change"
    host_action(teacher_client, session, "start")
    assert poll(stranger, session, str(session.version)).status_code == 404


def test_a_poll_reads_only_the_cache_and_leaves_the_session_alone(hosted, teacher_client, django_assert_num_queries):
    session, _ = hosted
    phone = Client()
    join(phone, session, "Boris")
    cache.clear()
    with django_assert_num_queries(1):  # once per expiry, from the database
        assert poll(phone, session, "1").status_code == 204
    host_action(teacher_client, session, "start")  # writes the fresh stamp to the cache
    row = Session.objects.get(session_key=phone.cookies[SESSION_COOKIE].value)
    sessions = Session.objects.count()
    with django_assert_num_queries(0):
        assert poll(phone, session, "2").status_code == 204
    responses = [poll(phone, session, "1"), poll(phone, session, "2")]  # the stage, then nothing new
    assert [response.status_code for response in responses] == [200, 204]
    for response in responses:
        assert "Set-Cookie" not in response.headers and not response.cookies
    assert Session.objects.count() == sessions
    assert Session.objects.get(session_key=row.session_key).expire_date == row.expire_date
    assert cache.get(stamp_key(session.public_id)).version == 2


def test_the_stamp_gains_a_t_when_the_timer_runs_out_without_any_write(capitals, teacher, teacher_client, clock):
    session = session_start(teacher, quiz=capitals, timer=20)
    phone = Client()
    join(phone, session, "Anna")
    host_action(teacher_client, session, "start")
    seen = str(refreshed(session).version)
    clock.shift(19)
    assert poll(phone, session, seen).status_code == 204
    assert "data-answer-form" in text(play(phone, session))
    clock.shift(1)
    assert poll(phone, session, seen).status_code == 200
    assert poll(phone, session, f"{seen}t").status_code == 204
    assert (refreshed(session).status, str(session.version)) == ("open", seen)
    page = text(play(phone, session))
    assert "Time's up" in page and "data-answer-form" not in page
    assert "Time's up" in text(host_page(teacher_client, session))


def test_the_host_poll_notices_joins_and_answers_and_stops_when_over(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals)
    join(Client(), session, "Anna")
    seen = host_seen(teacher_client, session)
    assert host_poll(teacher_client, session, seen).status_code == 204
    assert join_try(Client(), session.code, "anna").status_code == 400  # refused: nobody new
    assert host_poll(teacher_client, session, seen).status_code == 204
    phone = Client()
    boris = join(phone, session, "Boris")
    joined = host_poll(teacher_client, session, seen)
    assert joined.status_code == 200 and "live-changed" in joined["HX-Trigger"]
    seen = host_seen(teacher_client, session)
    assert host_poll(teacher_client, session, seen).status_code == 204
    host_action(teacher_client, session, "start")
    assert host_poll(teacher_client, session, seen).status_code == 200
    seen = host_seen(teacher_client, session)
    assert "<strong>0</strong> of 2 answered" in text(host_page(teacher_client, session))
    choose(phone, boris, 1, "Moscow")
    assert host_poll(teacher_client, session, seen).status_code == 200
    assert "<strong>1</strong> of 2 answered" in text(host_page(teacher_client, session))
    host_action(teacher_client, session, "finish")
    assert host_poll(teacher_client, session, seen).status_code == 286


@pytest.mark.parametrize("players", [2, 20])
def test_the_host_poll_runs_the_same_queries_for_2_or_20_players(
    capitals, teacher, teacher_client, django_assert_num_queries, players
):
    session = session_start(teacher, quiz=capitals)
    phones = [(phone := Client(), join(phone, session, f"Player {number}")) for number in range(players)]
    host_action(teacher_client, session, "start")
    for phone, participant in phones:
        choose(phone, participant, 1, "Moscow")
    seen = host_seen(teacher_client, session)
    # Its user (the browser's session comes from the cache), the live session, and one count
    # of joins, answers and answers waiting to be scored.
    with django_assert_num_queries(3):
        assert host_poll(teacher_client, session, seen).status_code == 204


# Answering


@pytest.fixture
def playing(capitals, teacher, teacher_client):
    """Question 1 open, accuracy scoring, a 20-second timer; Anna's phone has joined."""
    session = session_start(teacher, quiz=capitals, timer=20)
    phone = Client()
    anna = join(phone, session, "Anna")
    host_action(teacher_client, session, "start")
    anna.refresh_from_db()
    return session, phone, anna


def test_the_first_answer_is_stored_once_and_says_answer_received(playing):
    session, phone, anna = playing
    response = choose(phone, anna, 1, "Moscow")
    assert response.status_code == 200
    page = text(response)
    assert 'id="answer-received"' in page and "<html" not in page and "data-answer-form" not in page
    (given,) = LiveAnswer.objects.all()
    assert (given.participant, given.question) == (anna, questions(session)[0])
    assert (given.is_correct, given.points) == (True, 1000)
    assert given.response is None and not Response.objects.exists()  # progress follows when the question closes


@pytest.mark.parametrize("second", ["Moscow", "Minsk"])
def test_second_submit_returns_same_fragment_and_stores_one_answer(playing, teacher_client, second):
    session, phone, anna = playing
    first = choose(phone, anna, 1, "Moscow")
    again = choose(phone, anna, 1, second)
    assert first.status_code == again.status_code == 200
    assert screen(first) == screen(again)
    assert LiveAnswer.objects.count() == 1 and LiveAnswer.objects.get().is_correct
    host_action(teacher_client, session, "reveal")
    assert Response.objects.count() == 1 and Response.objects.get().live_answer == LiveAnswer.objects.get()


@pytest.mark.parametrize(("seconds", "stored"), [(20, True), (21.5, True), (22, True), (22.1, False), (60, False)])
def test_an_answer_counts_until_two_seconds_after_the_question_closes(
    capitals, teacher, teacher_client, clock, seconds, stored
):
    session = session_start(teacher, quiz=capitals, timer=20)
    phone = Client()
    anna = join(phone, session, "Anna")
    host_action(teacher_client, session, "start")
    clock.shift(seconds)
    response = choose(phone, anna, 1, "Moscow")
    if stored:
        assert response.status_code == 200 and 'id="answer-received"' in text(response)
        assert LiveAnswer.objects.get().points == 1000
    else:
        assert response.status_code == 409
        assert escape(live.TOO_LATE) in text(response)
        assert not Response.objects.exists() and not LiveAnswer.objects.exists()


def test_an_answer_after_close_now_counts_only_within_the_grace(capitals, teacher, teacher_client, clock):
    session = session_start(teacher, quiz=capitals, timer=None)
    anna_phone, boris_phone = Client(), Client()
    anna, boris = join(anna_phone, session, "Anna"), join(boris_phone, session, "Boris")
    host_action(teacher_client, session, "start")
    clock.shift(300)  # no time limit: still open
    assert "data-answer-form" in text(play(anna_phone, session))
    host_action(teacher_client, session, "close")
    clock.shift(1)
    assert choose(anna_phone, anna, 1, "Moscow").status_code == 200
    clock.shift(2)
    late = choose(boris_phone, boris, 1, "Moscow")
    assert late.status_code == 409 and escape(live.TOO_LATE) in text(late)
    assert list(LiveAnswer.objects.values_list("participant__nickname", flat=True)) == ["Anna"]


@pytest.mark.parametrize(
    ("steps", "number", "message"),
    [
        ([], 1, live.NOT_OPEN),
        (["start"], 2, live.NOT_OPEN),
        (["start", "reveal"], 1, live.TOO_LATE),  # revealed, and the grace is over
        (["start", "reveal", "standings"], 1, live.NOT_OPEN),
        (["finish"], 1, live.NOT_OPEN),
    ],
    ids=["lobby", "another-question", "revealed", "standings", "finished"],
)
def test_an_answer_to_a_question_not_open_is_refused(capitals, teacher, teacher_client, clock, steps, number, message):
    session = session_start(teacher, quiz=capitals)
    phone = Client()
    anna = join(phone, session, "Anna")
    for step in steps:
        host_action(teacher_client, session, step)
    clock.shift(3)
    response = choose(phone, anna, number, "Moscow")
    assert response.status_code == 409
    assert escape(message) in text(response)
    assert not Response.objects.exists() and not LiveAnswer.objects.exists()


def test_an_answer_in_flight_when_the_host_reveals_still_counts_within_the_grace(
    capitals, teacher, teacher_client, clock
):
    session = session_start(teacher, quiz=capitals, timer=20)
    phone = Client()
    anna = join(phone, session, "Anna")
    host_action(teacher_client, session, "start")
    clock.shift(20.1)
    host_action(teacher_client, session, "reveal")  # the moment the projector says "Time's up"
    clock.shift(0.4)  # Anna's answer, sent at 19.9 s, arrives
    response = choose(phone, anna, 1, "Moscow")
    assert response.status_code == 200 and "✓ Right" in text(response)
    assert LiveAnswer.objects.get().points == 1000


@pytest.mark.parametrize("choice", ["not-a-token", "", "1"])
def test_a_tampered_option_is_refused_with_the_form_error_and_nothing_stored(playing, choice):
    session, phone, _ = playing
    response = phone.post(url("session-answer", session), {"question": "1", "choice": choice}, headers=HTMX)
    assert response.status_code == 400
    message = "Choose an answer." if choice == "" else NOT_AN_OPTION
    assert escape(message) in text(response) and "data-answer-form" in text(response)
    assert not Response.objects.exists() and not LiveAnswer.objects.exists()


def test_another_participant_s_option_token_is_not_an_option(playing):
    session, phone, _ = playing
    boris = join(Client(), session, "Boris")
    option = questions(session)[0].options.get(text="Moscow")
    response = phone.post(
        url("session-answer", session), {"question": "1", "choice": boris.attempt.token(option)}, headers=HTMX
    )
    assert response.status_code == 400 and escape(NOT_AN_OPTION) in text(response)
    assert not LiveAnswer.objects.exists()


@pytest.mark.parametrize("number", ["abc", "0", "999", "", "-1", "1.0", "²"])
def test_a_question_number_outside_the_quiz_is_refused(playing, number):
    session, phone, anna = playing
    option = questions(session)[0].options.get(text="Moscow")
    data = {"question": number, "choice": anna.attempt.token(option)}
    response = phone.post(url("session-answer", session), data, headers=HTMX)
    assert response.status_code == 400
    assert "That question is not in this quiz" in text(response) and "Question 1 of 2" in text(response)
    assert not LiveAnswer.objects.exists()


def test_an_answer_without_htmx_is_stored_and_redirects_to_the_play_page(playing):
    session, phone, anna = playing
    response = answer(phone, anna, 1, htmx=False)
    assert response.status_code in {302, 303}
    assert response["Location"] == url("session-play", session)
    assert LiveAnswer.objects.filter(participant=anna).count() == 1
    assert 'id="answer-received"' in text(phone.get(response["Location"]))


def test_timing_sent_by_the_phone_is_ignored(capitals, teacher, teacher_client, clock):
    session = session_start(teacher, quiz=capitals, timer=20, scoring="speed")
    phone = Client()
    anna = join(phone, session, "Anna")
    host_action(teacher_client, session, "start")
    clock.shift(10)
    sent_at = (datetime.now(UTC) - timedelta(seconds=10)).isoformat()
    choose(phone, anna, 1, "Moscow", elapsed="0", elapsed_ms="0", answered_at=sent_at, points="1500")
    assert list(LiveAnswer.objects.values_list("points", "elapsed_ms")) == [(1250, 10_000)]


# Scoring


@pytest.mark.parametrize(
    ("scoring", "seconds", "option", "points"),
    [
        ("speed", 0, "Moscow", 1500),
        ("speed", 5, "Moscow", 1000 + round(500 * 0.75)),
        ("speed", 19, "Moscow", 1025),
        ("speed", 20, "Moscow", 1000),
        ("speed", 21, "Moscow", 1000),  # in the grace: right, but no bonus
        ("speed", 1, "Minsk", 0),
        ("accuracy", 1, "Moscow", 1000),
        ("accuracy", 19, "Moscow", 1000),
        ("accuracy", 1, "Minsk", 0),
    ],
)
def test_points_come_from_the_server_clock(capitals, teacher, teacher_client, clock, scoring, seconds, option, points):
    session = session_start(teacher, quiz=capitals, timer=20, scoring=scoring)
    phone = Client()
    anna = join(phone, session, "Anna")
    host_action(teacher_client, session, "start")
    clock.shift(seconds)
    choose(phone, anna, 1, option)
    assert LiveAnswer.objects.get().points == points
    host_action(teacher_client, session, "reveal")
    assert f"+{points} points" in text(play(phone, session))


def test_the_leaderboard_ranks_by_points_and_equal_scores_share_a_place(capitals, teacher, teacher_client, clock):
    session = session_start(teacher, quiz=capitals, timer=20, scoring="speed")
    phones = {name: Client() for name in ["Dana", "Boris", "Anna", "Chen"]}
    players = {name: join(phone, session, name) for name, phone in phones.items()}
    host_action(teacher_client, session, "start")
    choose(phones["Anna"], players["Anna"], 1, "Moscow")  # 1500
    clock.shift(10)
    choose(phones["Boris"], players["Boris"], 1, "Moscow")  # 1250
    choose(phones["Chen"], players["Chen"], 1, "Moscow")  # 1250
    choose(phones["Dana"], players["Dana"], 1, "Minsk")  # 0
    host_action(teacher_client, session, "reveal")
    page = text(host_action(teacher_client, session, "standings"))
    expected = [("1st", "Anna", 1500, 1), ("2nd", "Boris", 1250, 1), ("2nd", "Chen", 1250, 1), ("4th", "Dana", 0, 0)]
    assert [(row.place, row.nickname, row.points, row.right) for row in live.standings(session)] == expected
    rows = re.findall(r'<tr><td>(\w+)</td><th scope="row">(\w+)</th><td>(\d+)</td><td>(\d+)</td></tr>', page)
    assert rows == [(place, name, str(points), str(right)) for place, name, points, right in expected]
    assert "You are <strong>2nd</strong> of 4, with 1250 points." in text(play(phones["Chen"], session))


def test_equal_points_are_ranked_by_right_answers(capitals, teacher, teacher_client):
    # Points alone cannot tie two players with different right answers (1,000 to 1,500 a right
    # answer); the rule still holds if they do, so the points are set by hand here.
    session = session_start(teacher, quiz=capitals)
    phones = {name: Client() for name in ["Anna", "Boris"]}
    players = {name: join(phone, session, name) for name, phone in phones.items()}
    question_open(teacher_client, session, 1)
    choose(phones["Anna"], players["Anna"], 1, "Moscow")
    choose(phones["Boris"], players["Boris"], 1, "Moscow")
    host_action(teacher_client, session, "reveal")
    host_action(teacher_client, session, "next")
    choose(phones["Boris"], players["Boris"], 2, "Moscow")
    LiveAnswer.objects.filter(participant=players["Anna"]).update(points=1500)
    LiveAnswer.objects.filter(participant=players["Boris"]).update(points=750)
    assert [(row.rank, row.nickname, row.points, row.right) for row in live.standings(session)] == [
        (1, "Boris", 1500, 2),
        (2, "Anna", 1500, 1),
    ]


@pytest.mark.parametrize(
    ("correct", "scoring", "elapsed", "limit", "points"),
    [
        (False, "speed", 0, 20, 0),
        (False, "accuracy", 0, 20, 0),
        (True, "accuracy", 0, 20, 1000),
        (True, "speed", 0, 20, 1500),
        (True, "speed", 10, 20, 1250),
        (True, "speed", 1, 20, 1475),
        (True, "speed", 19.999, 20, 1000),
        (True, "speed", 20, 20, 1000),
        (True, "speed", 25, 20, 1000),  # in the grace, or a slow clock: never less than a right answer
        (True, "speed", -3, 20, 1500),  # never more than the bonus
        (True, "speed", 5, None, 1000),  # no time limit: no bonus
        (True, "speed", 5, 0, 1000),
        (True, "speed", None, 20, 1000),  # student-paced before the question was seen
    ],
)
def test_points_for_its_edge_cases(correct, scoring, elapsed, limit, points):
    elapsed = None if elapsed is None else timedelta(seconds=elapsed)
    assert live.points_for(correct=correct, scoring=scoring, elapsed=elapsed, limit=limit) == points


# Reconnecting


def test_a_reload_mid_question_shows_the_same_question_then_the_same_answer_and_points(
    capitals, teacher, teacher_client, clock
):
    session = session_start(teacher, quiz=capitals, timer=20, scoring="speed")
    phone = Client()
    anna = join(phone, session, "Anna")
    host_action(teacher_client, session, "start")
    for _ in range(2):
        page = text(play(phone, session))
        assert "Question 1 of 2" in page and "data-answer-form" in page
    clock.shift(5)
    choose(phone, anna, 1, "Moscow")
    for _ in range(2):
        page = text(play(phone, session))
        assert 'id="answer-received"' in page and "data-answer-form" not in page
    host_action(teacher_client, session, "reveal")
    pages = [screen(play(phone, session)) for _ in range(2)]
    for page in pages:
        assert "✓ Right" in page and "+1375 points" in page
    assert pages[0] == pages[1]


def test_a_student_who_joins_during_question_3_sees_it_and_answers_it(content, teacher, teacher_client):
    session = session_start(teacher, quiz=short_quiz(teacher, 3))
    join(Client(), session, "Anna")
    question_open(teacher_client, session, 3)
    phone = Client()
    late = join(phone, session, "Late")
    page = text(play(phone, session))
    assert "Question 3 of 3" in page and "Capital question 3" in page and "data-answer-form" in page
    response = choose(phone, late, 3, "Moscow")
    assert response.status_code == 200 and 'id="answer-received"' in text(response)
    assert LiveAnswer.objects.get().question == questions(session)[2]


def test_a_signed_in_student_in_a_second_browser_is_the_same_participant(capitals, teacher, teacher_client, student):
    session = session_start(teacher, quiz=capitals)
    laptop, phone = Client(), Client()
    laptop.force_login(student)
    phone.force_login(student)
    for client in [laptop, phone]:
        assert client.post(JOIN, {"code": session.code}).status_code == 302
    alex = Participant.objects.get(session=session)
    host_action(teacher_client, session, "start")
    choose(laptop, alex, 1, "Moscow")
    assert 'id="answer-received"' in text(play(phone, session))
    again = choose(phone, alex, 1, "Minsk")
    assert again.status_code == 200
    assert list(LiveAnswer.objects.values_list("participant", "is_correct")) == [(alex.pk, True)]


# Student-paced


@pytest.fixture
def self_paced(capitals, teacher, teacher_client):
    """A student-paced session of the two capitals questions, started, with Anna and Boris in it."""
    session = session_start(teacher, quiz=capitals, pacing="student", timer=20)
    phones = {name: Client() for name in ["Anna", "Boris"]}
    players = {name: join(phone, session, name) for name, phone in phones.items()}
    host_action(teacher_client, session, "start")
    return session, phones, players


def test_a_student_paced_answer_shows_feedback_the_explanation_the_source_and_next(self_paced):
    session, phones, players = self_paced
    right = text(choose(phones["Anna"], players["Anna"], 1, "Moscow"))
    wrong = text(choose(phones["Boris"], players["Boris"], 1, "Minsk"))
    for page in [right, wrong]:
        assert "Summit 1 was in Moscow." in page
        assert "Where this comes from" in page and "Sentence 5 of the article" in page
        assert "The answer: <strong>Moscow</strong>" in page
        assert "Next question" in page and 'action="' + url("session-next", session) + '"' in page
    assert "✓ Right" in right and "+1000 points" in right
    assert "✗ Not quite" in wrong and "+0 points" in wrong


def test_next_moves_only_that_student_and_only_once(self_paced):
    session, phones, players = self_paced
    choose(phones["Anna"], players["Anna"], 1, "Moscow")
    page = text(next_question(phones["Anna"], players["Anna"], 1))
    assert "Question 2 of 2" in page and "Capital question 2" in page and "data-answer-form" in page
    next_question(phones["Anna"], players["Anna"], 1)  # a double click
    assert dict(Participant.objects.values_list("nickname", "position")) == {"Anna": 2, "Boris": 1}
    assert "Question 1 of 2" in text(play(phones["Boris"], session))


def test_each_student_s_timer_runs_from_their_own_question(capitals, teacher, teacher_client, clock):
    session = session_start(teacher, quiz=capitals, pacing="student", timer=20, scoring="speed")
    phones = {name: Client() for name in ["Anna", "Boris"]}
    players = {name: join(phone, session, name) for name, phone in phones.items()}
    clock.shift(120)  # the lobby waits two minutes: the clock starts at the start, not at joining
    host_action(teacher_client, session, "start")
    clock.shift(5)
    assert "data-answer-form" in text(play(phones["Anna"], session))
    choose(phones["Anna"], players["Anna"], 1, "Moscow")
    clock.shift(10)
    next_question(phones["Anna"], players["Anna"], 1)
    clock.shift(18)  # Boris at 33 s on question 1: too late; Anna at 18 s on question 2: in time
    late = choose(phones["Boris"], players["Boris"], 1, "Moscow")
    assert late.status_code == 409 and escape(live.TOO_LATE) in text(late)
    assert "Time's up" in text(play(phones["Boris"], session))
    assert choose(phones["Anna"], players["Anna"], 2, "Moscow").status_code == 200
    assert list(LiveAnswer.objects.values_list("participant__nickname", "points")) == [
        ("Anna", 1375),
        ("Anna", 1050),
    ]
    assert next_question(phones["Boris"], players["Boris"], 1).status_code == 200  # time up: on to the next
    assert "Question 2 of 2" in text(play(phones["Boris"], session))


def _grid(page: str) -> dict[str, str]:
    """The host's grid as {nickname: marks}, e.g. {"Anna": "✓–"}."""
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', page)
    return {name: "".join(re.findall(r"[✓✗–]", cells)) for name, cells in rows}


def test_the_host_grid_shows_right_wrong_and_not_yet_per_student_and_question(self_paced, teacher_client):
    session, phones, players = self_paced
    assert _grid(text(host_page(teacher_client, session))) == {"Anna": "––", "Boris": "––"}
    choose(phones["Anna"], players["Anna"], 1, "Moscow")
    choose(phones["Boris"], players["Boris"], 1, "Minsk")
    next_question(phones["Anna"], players["Anna"], 1)
    choose(phones["Anna"], players["Anna"], 2, "Tashkent")
    assert _grid(text(host_page(teacher_client, session))) == {"Anna": "✓✗", "Boris": "✗–"}


def test_after_the_last_question_the_student_sees_all_done(self_paced, teacher_client):
    session, phones, players = self_paced
    anna, phone = players["Anna"], phones["Anna"]
    choose(phone, anna, 1, "Moscow")
    next_question(phone, anna, 1)
    last = text(choose(phone, anna, 2, "Minsk"))
    assert "Finish" in last and "Next question" not in last
    page = text(next_question(phone, anna, 2))
    assert "All done" in page and "data-answer-form" not in page
    assert "Capital question 1" in page and "Capital question 2" in page  # the answers so far
    assert "All done" in text(play(phone, session))
    host_action(teacher_client, session, "finish")
    anna.attempt.refresh_from_db()
    assert anna.attempt.score == 1 and anna.attempt.finished_at is not None


# The results


def test_the_reveal_shows_how_many_chose_each_option_and_marks_the_answer(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals, shuffle=False)
    chosen = {"Anna": "Moscow", "Boris": "Moscow", "Chen": "Minsk", "Dana": None}
    phones = {name: Client() for name in chosen}
    players = {name: join(phone, session, name) for name, phone in phones.items()}
    host_action(teacher_client, session, "start")
    for name, option in chosen.items():
        if option:
            choose(phones[name], players[name], 1, option)
    page = text(host_action(teacher_client, session, "reveal"))
    assert "How the class answered: 3 of 4" in page
    bars = re.findall(r'<li class="bar-row( is-key)?">(.*?)</li>', page, re.DOTALL)
    shown = [
        (bool(key), re.search(r"(\w+)</span>\s*<svg", bar)[1], re.search(r'class="bar-count">([^<]*)<', bar)[1])
        for key, bar in bars
    ]
    assert shown == [
        (True, "Moscow", "2 (67%)"),
        (False, "Minsk", "1 (33%)"),
        (False, "Tashkent", "0 (0%)"),
        (False, "Astana", "0 (0%)"),
    ]
    assert 'width="67"' in page and "Summit 1 was in Moscow." in page
    assert "No answer this time" in text(play(phones["Dana"], session))
    assert "✗ Not quite" in text(play(phones["Chen"], session))


@pytest.mark.parametrize(("leaderboard", "podium"), [("shown", True), ("end", True), ("hidden", False)])
def test_the_results_show_the_podium_unless_the_leaderboard_is_hidden(
    capitals, teacher, teacher_client, leaderboard, podium
):
    session = session_start(teacher, quiz=capitals, leaderboard=leaderboard)
    phones = {name: Client() for name in ["Anna", "Boris"]}
    players = {name: join(phone, session, name) for name, phone in phones.items()}
    host_action(teacher_client, session, "start")
    choose(phones["Anna"], players["Anna"], 1, "Moscow")
    choose(phones["Boris"], players["Boris"], 1, "Minsk")
    host_action(teacher_client, session, "finish")
    page = text(host_page(teacher_client, session))
    student = text(play(phones["Anna"], session))
    assert "You got <strong>1 of 2</strong> right." in student
    if podium:
        assert 'class="podium"' in page and '<span class="podium-name">Anna</span>' in page
        assert "You came <strong>1st</strong> of 2, with 1000 points." in student
    else:
        assert 'class="podium"' not in page and "The leaderboard was hidden" in page and "1000" not in page
        assert "You came" not in student and "points" not in student
    assert "Download the results (CSV)" in page


def test_the_admin_report_and_csv_list_each_player_by_nickname(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals)
    phones = {name: Client() for name in ["Anna", "Boris", "Chen"]}
    players = {name: join(phone, session, name) for name, phone in phones.items()}
    host_action(teacher_client, session, "start")
    choose(phones["Anna"], players["Anna"], 1, "Moscow")
    choose(phones["Boris"], players["Boris"], 1, "Minsk")
    host_action(teacher_client, session, "finish")
    report = text(teacher_client.get(reverse("admin:quizzes_livesession_report", args=[session.pk])))
    for name in ["Anna", "Boris", "Chen"]:
        assert name in report
    assert "Guest " not in report  # nicknames, not the learners' names
    response = teacher_client.get(reverse("admin:quizzes_livesession_report_csv", args=[session.pk]))
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = csv.reader(io.StringIO(text(response)))
    assert header[:4] == ["Student", "Score", "Total", "Percent"]
    assert sorted((row[0], row[1]) for row in rows) == [("Anna", "1"), ("Boris", "0"), ("Chen", "0")]


# Starting from the admin


def test_the_quiz_page_links_to_start_a_live_session_with_the_quiz_chosen(capitals, teacher_client):
    start = f"{reverse('admin:quizzes_livesession_add')}?quiz={capitals.pk}"
    quiz_page = text(teacher_client.get(reverse("admin:quizzes_quiz_change", args=[capitals.pk])))
    assert f'href="{start}">Start live session</a>' in quiz_page
    form = text(teacher_client.get(start))
    assert re.search(rf'<option value="{capitals.pk}" selected>', form)


def test_starting_creates_the_teacher_s_session_and_opens_the_host_view(capitals, teacher, teacher_client):
    data = {"quiz": capitals.pk, "pacing": "teacher", "timer": "30", "scoring": "speed", "leaderboard": "end"}
    response = teacher_client.post(reverse("admin:quizzes_livesession_add"), data)
    session = LiveSession.objects.get()
    assert response.status_code == 302 and response["Location"] == url("session-host", session)
    assert (session.host, session.quiz, session.status, session.version) == (teacher, capitals, "lobby", 1)
    assert (session.timer, session.scoring, session.leaderboard, session.shuffle) == (30, "speed", "end", False)
    page = text(teacher_client.get(response["Location"]))
    assert session.code in page and "Join at" in page and "<svg" in page


def test_a_teacher_cannot_start_another_teacher_s_quiz(content, teacher_client, other_teacher):
    theirs = short_quiz(other_teacher, 1)
    data = {"quiz": theirs.pk, "pacing": "teacher", "timer": "20", "scoring": "accuracy", "leaderboard": "shown"}
    response = teacher_client.post(reverse("admin:quizzes_livesession_add"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert not LiveSession.objects.exists()


def test_a_quiz_with_no_accepted_question_cannot_be_started(content, teacher, teacher_client):
    drafts = Quiz.objects.create(slug="drafts-only", title="Drafts only", owner=teacher)
    draft = g.Draft(kind=g.TRUE_FALSE, stem="True or false?", options=(), explanation="", topic=None)
    questions_save(quiz=drafts, drafts=[draft], is_draft=True)
    data = {"quiz": drafts.pk, "pacing": "teacher", "timer": "20", "scoring": "accuracy", "leaderboard": "shown"}
    response = teacher_client.post(reverse("admin:quizzes_livesession_add"), data)
    assert response.status_code == 200
    assert "This quiz has no question students can see yet." in text(response)
    assert not LiveSession.objects.exists()


@pytest.mark.parametrize(
    ("timer", "stored"), [("4", "refused"), ("601", "refused"), ("0", "refused"), ("5", 5), ("600", 600), ("", None)]
)
def test_the_timer_is_5_to_600_seconds_or_none(capitals, teacher_client, timer, stored):
    data = {"quiz": capitals.pk, "pacing": "teacher", "timer": timer, "scoring": "accuracy", "leaderboard": "shown"}
    response = teacher_client.post(reverse("admin:quizzes_livesession_add"), data)
    if stored == "refused":
        assert response.status_code == 200
        assert "Give between 5 and 600 seconds, or leave it empty for no time limit." in text(response)
        assert not LiveSession.objects.exists()
    else:
        assert response.status_code == 302
        assert LiveSession.objects.get().timer == stored


def test_a_join_code_is_six_unambiguous_characters(capitals, teacher):
    assert not set("0O1IL5S2Z") & set(JOIN_ALPHABET)
    codes = [session_start(teacher, quiz=capitals).code for _ in range(30)]
    for code in codes:
        assert len(code) == 6 and set(code) <= set(JOIN_ALPHABET)
    assert len(set(codes)) == 30


def test_two_active_sessions_never_share_a_code_but_a_finished_one_s_code_is_free(capitals, teacher):
    first = session_start(teacher, quiz=capitals)
    with pytest.raises(IntegrityError), transaction.atomic():
        LiveSession.objects.create(quiz=capitals, host=teacher, code=first.code)
    first.finish()
    again = LiveSession.objects.create(quiz=capitals, host=teacher, code=first.code)
    assert join_try(Client(), first.code, "Anna")["Location"] == url("session-play", again)


# Follow-ups from review: harmless names, no guest left by a wrong guess, no skipping, no-JS messages


@pytest.mark.parametrize("typed", ["Scunthorpe", "Arsenal", "Hancock", "Dickens", "Toshitaka", "Grape", "Cassandra"])
def test_a_name_that_merely_contains_a_blocked_word_is_allowed(capitals, teacher, typed):
    session = session_start(teacher, quiz=capitals)
    assert join_try(Client(), session.code, typed).status_code == 302
    assert Participant.objects.get().nickname == typed


def test_a_blocked_word_hidden_inside_a_name_is_still_refused_for_the_worst_words(capitals, teacher):
    session = session_start(teacher, quiz=capitals)
    response = join_try(Client(), session.code, "xXfuckXx")
    assert response.status_code == 400 and "not for a class screen" in text(response)


def test_a_wrong_code_leaves_no_guest_learner_behind(capitals, teacher):
    session = session_start(teacher, quiz=capitals)
    for _ in range(3):
        assert join_try(Client(), unknown_code(session), "Anna").status_code == 400
    assert not Learner.objects.exists()
    join(Client(), session, "Anna")
    assert Learner.objects.count() == 1


def test_a_student_cannot_skip_a_question_before_answering_it_or_its_time_running_out(
    capitals, teacher, teacher_client, clock
):
    session = session_start(teacher, quiz=capitals, pacing="student", timer=20)
    phone = Client()
    player = join(phone, session, "Anna")
    host_action(teacher_client, session, "start")
    next_question(phone, player, 1)
    assert Participant.objects.get().position == 1
    clock.shift(20)  # time is up: now moving on is allowed, with no answer given
    page = text(next_question(phone, player, 1))
    assert Participant.objects.get().position == 2 and "Question 2 of 2" in page


def test_without_javascript_a_refused_answer_is_said_on_the_page_it_redirects_to(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals)
    phone = Client()
    player = join(phone, session, "Anna")
    question_open(teacher_client, session, 1)
    host_action(teacher_client, session, "finish")
    response = answer(phone, player, 1, htmx=False)
    assert response.status_code == 302
    page = text(phone.get(response["Location"]))
    assert escape(live.NOT_OPEN) in page
    assert not LiveAnswer.objects.exists()


def test_a_stale_reveal_after_the_next_question_opened_reveals_nothing(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals)
    question_open(teacher_client, session, 1)
    stale = refreshed(session).version  # the "Reveal" button as the host first saw it
    host_action(teacher_client, session, "reveal")
    host_action(teacher_client, session, "next")
    url_ = reverse("quizzes:session-host-action", args=[session.public_id, "reveal"])
    teacher_client.post(url_, {"version": str(stale)}, headers=HTMX)
    assert (refreshed(session).status, session.position) == (LiveSession.Status.OPEN, 2)


def test_a_session_ended_from_another_tab_refreshes_the_projector(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals)
    seen = host_seen(teacher_client, session)
    host_action(teacher_client, session, "finish")
    response = host_poll(teacher_client, session, seen)
    assert response.status_code == 286 and "live-changed" in response["HX-Trigger"]


def test_answer_received_repeats_what_the_student_chose_without_saying_if_it_is_right(playing):
    session, phone, player = playing
    page = text(choose(phone, player, 1, "Minsk"))
    letter = next(tile.marker.letter for tile in live.tiles(session, questions(session)[0]) if tile.text == "Minsk")
    assert 'id="answer-received"' in page and f"You answered <strong>{letter}</strong> (Minsk)" in page
    assert "Not quite" not in page and "correct answer" not in page


def test_the_phone_shows_the_game_without_the_site_menu(playing):
    session, phone, _ = playing
    page = text(play(phone, session))
    assert 'class="live-header"' in page and 'aria-label="Main"' not in page


# Follow-ups from the review of the whole change


def _browser(cookie: str, **extra) -> Client:
    """A browser with its own CSRF cookie, as every browser that posts a form has."""
    client = Client(**extra)
    client.cookies[settings.CSRF_COOKIE_NAME] = cookie
    return client


def test_one_browser_s_wrong_codes_do_not_lock_out_its_classmates(capitals, teacher):
    session = session_start(teacher, quiz=capitals)
    typist = _browser("a" * 32)
    for _ in range(live.FAILED_JOIN_LIMIT):
        assert join_try(typist, unknown_code(session), "Anna").status_code == 400
    assert join_try(typist, unknown_code(session), "Anna").status_code == 429  # this browser: slowed down
    assert join_try(_browser("b" * 32), unknown_code(session), "Boris").status_code == 400  # a classmate: not
    assert join_try(typist, session.code, "Anna").status_code == 302  # and the right code, for both
    assert join_try(_browser("b" * 32), session.code, "Boris").status_code == 302


def _ticket(client: Client, session) -> str:
    """The ticket of the join form, as a browser that loads the form has it."""
    page = text(client.get(reverse("quizzes:session-join-code", args=[session.code])))
    return re.search(r'name="ticket" value="([^"]+)"', page)[1]


@pytest.fixture
def guessed_out(capitals, teacher):
    """A session, and the school's address after 200 wrong codes sent with made-up cookies."""
    session = session_start(teacher, quiz=capitals)
    FailedJoin.objects.bulk_create(
        FailedJoin(ip="127.0.0.1", browser=f"{n:016x}") for n in range(live.FAILED_JOIN_ADDRESS_LIMIT)
    )
    return session


def test_after_two_hundred_wrong_codes_a_student_who_loaded_the_form_still_joins(guessed_out, clock):
    session = guessed_out
    student = _browser("c" * 32)
    ticket = _ticket(student, session)
    clock.shift(2)  # typing the code
    joined = join_try(student, session.code, "Chen", data_ticket=ticket)
    assert joined.status_code == 302, text(joined)[-3000:]
    assert join_try(_browser("d" * 32, REMOTE_ADDR="10.0.0.8"), session.code, "Dana").status_code == 302


def test_after_two_hundred_wrong_codes_a_guess_needs_a_ticket_a_second_old_used_once(guessed_out, clock):
    session = guessed_out
    script = _browser("e" * 32)
    assert join_try(script, session.code, "Eve").status_code == 429  # no ticket: not even checked
    ticket = _ticket(script, session)
    assert join_try(script, session.code, "Eve", data_ticket=ticket).status_code == 429  # not a second old
    assert join_try(script, session.code, "Eve", data_ticket=ticket + "x").status_code == 429  # not genuine
    clock.shift(1)
    assert join_try(script, unknown_code(session), "Eve", data_ticket=ticket).status_code == 429  # wrong: spent
    assert join_try(script, session.code, "Eve", data_ticket=ticket).status_code == 429  # spent on a wrong code
    assert not Participant.objects.exists()


def test_a_guest_who_logs_in_keeps_their_place_answers_and_points(capitals, teacher, teacher_client, student):
    Learner.objects.create(user=student)  # the account has progress of its own
    session = session_start(teacher, quiz=capitals)
    phone = Client()
    player = join(phone, session, "Anna")
    host_action(teacher_client, session, "start")
    choose(phone, player, 1, "Moscow")
    log_in(phone, "alex")
    player.refresh_from_db()
    assert player.learner.user == student
    assert "Answer received" in text(play(phone, session))
    assert [row.points for row in live.standings(session)] == [1000]


def test_an_answer_that_arrived_before_the_finish_counts_in_the_results_and_progress(
    capitals, teacher, teacher_client, clock
):
    session = session_start(teacher, quiz=capitals, timer=20)
    phone = Client()
    player = join(phone, session, "Anna")
    host_action(teacher_client, session, "start")
    arrived = Participant.objects.select_related("session__quiz").get(pk=player.pk)  # as the view read it
    clock.shift(5)  # well within the time
    host_action(teacher_client, session, "finish")  # commits while the answer's request is on its way
    question = questions(session)[0]
    key = next(option.pk for option in question.options.all() if option.is_correct)
    live.answer_give(participant=arrived, question=question, number=1, answer={"options": [key]})
    host_page(teacher_client, session)  # the host's screen completes the scoring the finish could not see
    player.attempt.refresh_from_db()
    assert player.attempt.score == 1 and Response.objects.get().attempt == player.attempt
    assert [row.points for row in live.standings(refreshed(session))] == [1000]


def test_an_answer_read_after_the_finish_is_refused(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals, timer=20)
    phone = Client()
    player = join(phone, session, "Anna")
    host_action(teacher_client, session, "start")
    host_action(teacher_client, session, "finish")
    response = choose(phone, player, 1, "Moscow")
    assert response.status_code == 409 and live.NOT_OPEN in text(response)
    assert not LiveAnswer.objects.exists()


def test_a_question_removed_from_the_quiz_mid_session_leaves_the_host_a_way_out(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals)
    join(Client(), session, "Anna")
    question_open(teacher_client, session, 2)
    capitals.questions.filter(position=2).update(is_draft=True)
    host_action(teacher_client, session, "close")  # a new version: the questions are read again
    page = text(host_page(teacher_client, session))
    assert "Question 2 is no longer in the quiz" in page and "End the session" in page
    host_action(teacher_client, session, "finish")
    assert refreshed(session).status == LiveSession.Status.FINISHED


@pytest.mark.parametrize("field", ["question", "version"])
def test_a_number_thousands_of_digits_long_is_refused_not_a_server_error(playing, teacher_client, field):
    session, phone, _ = playing
    huge = "9" * 5000
    if field == "question":
        assert phone.post(url("session-answer", session), {"question": huge}, headers=HTMX).status_code == 400
        assert phone.post(url("session-next", session), {"question": huge}, headers=HTMX).status_code == 200
    else:
        response = teacher_client.post(url("session-host-action", session, "reveal"), {"version": huge}, headers=HTMX)
        assert response.status_code == 200


def test_removed_players_answers_leave_the_count_and_the_chart(playing, teacher_client):
    session, phone, anna = playing
    boris_phone = Client()
    boris = join(boris_phone, session, "Boris")
    choose(phone, anna, 1, "Moscow")
    choose(boris_phone, boris, 1, "Minsk")
    teacher_client.post(url("session-remove", session, anna.pk), headers=HTMX)
    page = text(host_page(teacher_client, session))
    assert "<strong>1</strong> of 1 answered" in page
    host_action(teacher_client, session, "reveal")
    assert "1 (100%)" in text(host_page(teacher_client, session))


def test_without_javascript_the_page_never_refreshes_under_an_answer_being_written(playing):
    session, phone, anna = playing
    assert 'http-equiv="refresh"' not in text(play(phone, session))  # the question's form is on screen
    choose(phone, anna, 1, "Moscow")
    assert 'http-equiv="refresh"' in text(play(phone, session))


def test_a_finished_session_keeps_its_players_and_its_lock(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals)
    anna = join(Client(), session, "Anna")
    host_action(teacher_client, session, "finish")
    teacher_client.post(url("session-remove", session, anna.pk), headers=HTMX)
    host_action(teacher_client, session, "lock")
    anna.refresh_from_db()
    assert not anna.removed and not refreshed(session).locked
