"""Live sessions for a class in a room: the question closes itself once everyone has answered, the
countdown comes from an absolute deadline, ending asks first, idle sessions end by themselves,
the leaderboard shows places moved, the grid can hide names, tiles are readable, and students
find the way in (the join links, the class page's address and QR code).

The screens' layout (one screen per stage, nothing sideways on a phone) is measured in a real
browser: tests/browser/test_projector.py."""

import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes import live
from quizzes.models import Classroom, LiveAnswer, LiveSession, Participant, Response
from tests.live_helpers import (
    choose,
    crowd,
    host_action,
    host_page,
    host_poll,
    host_seen,
    join,
    play,
    questions,
    session_start,
)
from tests.quiz_helpers import HTMX

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commits_now")]


def text(response) -> str:
    return response.content.decode()


def refreshed(session: LiveSession) -> LiveSession:
    session.refresh_from_db()
    return session


def host_url(session: LiveSession, query: str = "") -> str:
    return reverse("quizzes:session-host", args=[session.public_id]) + query


# The question closes once everyone has answered


@pytest.fixture
def three_playing(capitals, teacher, teacher_client):
    """Question 1 open for Anna, Boris and Chen (their phones), a 20-second timer."""
    session = session_start(teacher, quiz=capitals, timer=20)
    phones = {name: Client() for name in ["Anna", "Boris", "Chen"]}
    players = {name: join(phone, session, name) for name, phone in phones.items()}
    host_action(teacher_client, session, "start")
    return session, phones, players


def test_the_question_closes_by_itself_on_the_host_s_poll_once_everyone_has_answered(three_playing, teacher_client):
    session, phones, players = three_playing
    seen = host_seen(teacher_client, session)
    for name in ["Anna", "Boris"]:
        choose(phones[name], players[name], 1, "Moscow")
    host_poll(teacher_client, session, seen)
    assert refreshed(session).status == LiveSession.Status.OPEN  # Chen has not answered
    assert not Response.objects.exists()

    choose(phones["Chen"], players["Chen"], 1, "Minsk")
    response = host_poll(teacher_client, session, seen)
    assert response.status_code == 200 and "live-changed" in response["HX-Trigger"]
    assert refreshed(session).status == LiveSession.Status.CLOSED
    assert Response.objects.count() == 3  # scored as it closed
    page = text(host_page(teacher_client, session))
    assert "Everyone has answered" in page and "<strong>3</strong> of 3 answered" in page
    assert "Reveal the answer" in page and "Close now" not in page


def test_the_host_s_poll_closes_it_once_and_a_double_poll_moves_nothing_more(three_playing, teacher_client):
    session, phones, players = three_playing
    for name, phone in phones.items():
        choose(phone, players[name], 1, "Moscow")
    seen = host_seen(teacher_client, session)  # the page itself closed it
    version = refreshed(session).version
    assert session.status == LiveSession.Status.CLOSED
    assert host_poll(teacher_client, session, seen).status_code == 204
    assert refreshed(session).version == version


def test_a_removed_player_is_not_waited_for(three_playing, teacher_client):
    session, phones, players = three_playing
    teacher_client.post(reverse("quizzes:session-remove", args=[session.public_id, players["Chen"].pk]), headers=HTMX)
    for name in ["Anna", "Boris"]:
        choose(phones[name], players[name], 1, "Moscow")
    host_seen(teacher_client, session)
    assert refreshed(session).status == LiveSession.Status.CLOSED


def test_with_the_option_off_the_question_stays_open_until_the_teacher_or_the_timer(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals, timer=20, close_when_all_answered=False)
    phone = Client()
    anna = join(phone, session, "Anna")
    host_action(teacher_client, session, "start")
    choose(phone, anna, 1, "Moscow")
    seen = host_seen(teacher_client, session)
    host_poll(teacher_client, session, seen)
    assert refreshed(session).status == LiveSession.Status.OPEN
    assert "Everyone has answered" not in text(host_page(teacher_client, session))


def test_nobody_in_the_session_is_not_everyone_and_student_paced_sessions_never_close(
    capitals, teacher, teacher_client
):
    empty = session_start(teacher, quiz=capitals)
    host_action(teacher_client, empty, "start")
    host_seen(teacher_client, empty)
    assert refreshed(empty).status == LiveSession.Status.OPEN
    paced = session_start(teacher, quiz=capitals, pacing="student")
    (anna,) = crowd(paced, 1)
    host_action(teacher_client, paced, "start")
    for question in questions(paced):
        LiveAnswer.objects.create(participant=anna, question=question, answer={}, is_correct=False)
    host_seen(teacher_client, paced)
    assert refreshed(paced).status == LiveSession.Status.OPEN


def test_the_option_is_on_by_default_and_chosen_when_the_session_starts(capitals, teacher_client):
    page = text(teacher_client.get(reverse("admin:quizzes_livesession_add") + f"?quiz={capitals.pk}"))
    assert 'name="close_when_all_answered"' in page and "Close when everyone has answered" in page
    data = {"quiz": capitals.pk, "pacing": "teacher", "timer": "20", "scoring": "accuracy", "leaderboard": "shown"}
    teacher_client.post(reverse("admin:quizzes_livesession_add"), data)  # an unticked box: off
    assert LiveSession.objects.get().close_when_all_answered is False
    assert LiveSession().close_when_all_answered is True


# The countdown: an absolute deadline


def _deadline(page: str) -> tuple[int, int, int]:
    found = re.search(r'data-deadline="(\d+)" data-now="(\d+)" data-duration="(\d+)"', page)
    assert found, "no countdown on the page"
    return int(found[1]), int(found[2]), int(found[3])


def _seconds(page: str) -> int:
    return int(re.search(r"data-countdown-value>(\d+)<", page)[1])


def test_the_countdown_carries_the_deadline_and_the_server_s_clock(capitals, teacher, teacher_client, clock):
    session = session_start(teacher, quiz=capitals, timer=20)
    phone = Client()
    join(phone, session, "Anna")
    host_action(teacher_client, session, "start")
    closes = int(refreshed(session).closes_at.timestamp() * 1000)
    now = int(timezone.now().timestamp() * 1000)
    for page in (text(host_page(teacher_client, session)), text(play(phone, session))):
        assert _deadline(page) == (closes, now, 20)
        assert _seconds(page) == 20
    clock.shift(5.5)
    for page in (text(host_page(teacher_client, session)), text(play(phone, session))):
        assert _deadline(page) == (closes, now + 5500, 20)  # the same deadline, whenever it is asked
        assert _seconds(page) == 15
        assert 'stroke-dashoffset="28"' in page  # of the ring: 5.5 of 20 seconds spent


def test_student_paced_each_player_counts_down_to_their_own_deadline(capitals, teacher, teacher_client, clock):
    session = session_start(teacher, quiz=capitals, pacing="student", timer=30)
    phones = {name: Client() for name in ["Anna", "Boris"]}
    players = {name: join(phone, session, name) for name, phone in phones.items()}
    host_action(teacher_client, session, "start")
    clock.shift(10)
    choose(phones["Anna"], players["Anna"], 1, "Moscow")
    phones["Anna"].post(reverse("quizzes:session-next", args=[session.public_id]), {"question": "1"})
    anna, boris = (_deadline(text(play(phones[name], session))) for name in ["Anna", "Boris"])
    assert anna[0] - boris[0] == 10_000
    assert "data-refresh-at-zero" in text(play(phones["Anna"], session))


# Ending the session asks first


def test_ending_the_session_asks_first_with_and_without_javascript(three_playing, teacher_client):
    session, _, _ = three_playing
    finish = reverse("quizzes:session-host-action", args=[session.public_id, "finish"])
    page = text(host_page(teacher_client, session))
    assert f'action="{finish}"' not in page  # no button on the stage ends it at once
    assert re.search(
        r'<form method="get" action="[^"]*/host/"[^>]*>\s*<input type="hidden" name="end" value="1">', page
    )

    asked = teacher_client.get(host_url(session, "?end=1"))
    confirm = text(asked)
    assert "End the session for everyone?" in confirm and f'action="{finish}"' in confirm
    assert f'href="{host_url(session)}"' in confirm and "Keep playing" in confirm
    assert "data-next" not in confirm  # the clicker's key cannot end it
    assert f'hx-get="{host_url(session, "?end=1")}"' in confirm  # a refresh of the stage still asks
    # The same question as a fragment, for htmx.
    fragment = text(teacher_client.get(host_url(session, "?end=1"), headers=HTMX))
    assert "<html" not in fragment and "End the session for everyone?" in fragment
    assert refreshed(session).status == LiveSession.Status.OPEN

    version = session.version
    done = teacher_client.post(finish, {"version": str(version)})  # "Yes, end the session", without JavaScript
    assert done.status_code == 302 and done["Location"] == host_url(session)
    assert refreshed(session).status == LiveSession.Status.FINISHED
    assert "End the session for everyone?" not in text(teacher_client.get(host_url(session, "?end=1")))


def test_other_teachers_cannot_even_ask_to_end_a_session(three_playing, other_teacher_client, student_client):
    session, _, _ = three_playing
    assert other_teacher_client.get(host_url(session, "?end=1")).status_code == 404
    assert student_client.get(host_url(session, "?end=1")).status_code == 404


# The clicker's key: one main button per stage


@pytest.mark.parametrize(
    ("steps", "main"),
    [
        ([], "Start the quiz"),
        (["start"], "Reveal the answer"),
        (["start", "close"], "Reveal the answer"),
        (["start", "reveal"], "Show the leaderboard"),
        (["start", "reveal", "standings"], "Next question"),
    ],
)
def test_each_stage_has_one_main_button_for_the_clicker(capitals, teacher, teacher_client, steps, main):
    session = session_start(teacher, quiz=capitals)
    join(Client(), session, "Anna")
    for step in steps:
        host_action(teacher_client, session, step)
    page = text(host_page(teacher_client, session))
    buttons = re.findall(r"<button[^>]*data-next[^>]*>([^<]*)</button>", page)
    assert buttons == [main]


# Stale sessions end by themselves


def test_sessions_idle_for_a_day_end_and_free_their_code(capitals, teacher, teacher_client, clock):
    lobby = session_start(teacher, quiz=capitals)  # nobody ever came
    playing = session_start(teacher, quiz=capitals)  # the last answer 25 hours ago
    (anna,) = crowd(playing, 1)
    host_action(teacher_client, playing, "start")
    old_lobby = session_start(teacher, quiz=capitals)  # someone joins it later
    finished = session_start(teacher, quiz=capitals)
    host_action(teacher_client, finished, "finish")
    clock.shift(timedelta(hours=1))
    LiveAnswer.objects.create(participant=anna, question=questions(playing)[0], answer={}, is_correct=False)
    clock.shift(timedelta(hours=22))
    recent = session_start(teacher, quiz=capitals)  # started 3 hours before the check
    clock.shift(timedelta(hours=2, minutes=30))
    crowd(old_lobby, 1)
    clock.shift(timedelta(minutes=30))

    out = StringIO()
    call_command("live_sessions_end_idle", stdout=out)
    assert "Ended 2 idle live session(s), freeing their codes: " in out.getvalue()
    assert lobby.code in out.getvalue() and playing.code in out.getvalue()
    statuses = {session.pk: session.status for session in LiveSession.objects.all()}
    assert statuses == {
        lobby.pk: "finished",
        playing.pk: "finished",
        old_lobby.pk: "lobby",
        recent.pk: "lobby",
        finished.pk: "finished",
    }
    # Ended like any session: the answer scored, the attempt finished; and the code is free again.
    anna.attempt.refresh_from_db()
    assert anna.attempt.finished_at is not None and Response.objects.filter(attempt=anna.attempt).count() == 1
    assert live.session_create(quiz=capitals, host=teacher, code=lobby.code).code == lobby.code
    out = StringIO()
    call_command("live_sessions_end_idle", stdout=out)
    assert "No live session has been idle for 24 hours." in out.getvalue()


def test_make_serve_ends_idle_sessions_before_gunicorn_starts():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    serve = makefile.split("\nserve: content\n", 1)[1].split("\n\n", 1)[0]
    assert serve.index("manage.py live_sessions_end_idle") < serve.index("gunicorn")


# The leaderboard, the phone between questions, the grid without names


def test_the_leaderboard_shows_places_moved_from_the_second_question(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals)
    phones = {name: Client() for name in ["Anna", "Boris", "Chen"]}
    players = {name: join(phone, session, name) for name, phone in phones.items()}
    host_action(teacher_client, session, "start")
    choose(phones["Anna"], players["Anna"], 1, "Moscow")
    host_action(teacher_client, session, "reveal")
    first = text(host_action(teacher_client, session, "standings"))
    assert "Moved" not in first  # everyone started level
    host_action(teacher_client, session, "next")
    for name in ["Boris", "Chen"]:
        choose(phones[name], players[name], 2, "Moscow")
    host_action(teacher_client, session, "reveal")
    page = text(host_action(teacher_client, session, "standings"))
    rows = re.findall(
        r'<tr><td>(\w+)</td><th scope="row">(\w+)</th><td>(\d+)</td><td>\d+</td><td>(.*?)</td></tr>', page
    )
    moved = {name: re.sub(r"<[^>]+>", "", cell) for _, name, _, cell in rows}
    # Anna led alone (1st), Boris and Chen shared 2nd; now all three share 1st.
    assert moved == {"Anna": "– no change", "Boris": "▲ 1 place up", "Chen": "▲ 1 place up"}
    phone = text(play(phones["Boris"], session))
    assert "You are <strong>1st</strong> of 3" in phone


def test_between_questions_a_phone_says_how_far_to_the_next_place(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals)
    phones = {name: Client() for name in ["Anna", "Boris"]}
    players = {name: join(phone, session, name) for name, phone in phones.items()}
    host_action(teacher_client, session, "start")
    choose(phones["Anna"], players["Anna"], 1, "Moscow")
    choose(phones["Boris"], players["Boris"], 1, "Minsk")
    host_action(teacher_client, session, "reveal")
    host_action(teacher_client, session, "standings")
    boris = text(play(phones["Boris"], session))
    assert "You are <strong>2nd</strong> of 2, with 0 points." in boris
    assert "<strong>1000</strong> points behind 1st place." in boris
    assert "You lead by <strong>1000</strong> points." in text(play(phones["Anna"], session))


@pytest.mark.parametrize("leaderboard", ["end", "hidden"])
def test_no_rank_between_questions_unless_the_leaderboard_is_shown(capitals, teacher, teacher_client, leaderboard):
    session = session_start(teacher, quiz=capitals, leaderboard=leaderboard)
    phone = Client()
    anna = join(phone, session, "Anna")
    join(Client(), session, "Boris")
    host_action(teacher_client, session, "start")
    choose(phone, anna, 1, "Moscow")
    host_action(teacher_client, session, "reveal")
    page = text(play(phone, session))
    assert "You are" not in page and "behind" not in page
    assert ("+1000 points" in page) is (leaderboard == "end")


def test_the_hidden_leaderboard_ends_on_the_class_s_result_not_a_podium(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals, leaderboard="hidden")
    phones = {name: Client() for name in ["Anna", "Boris"]}
    players = {name: join(phone, session, name) for name, phone in phones.items()}
    host_action(teacher_client, session, "start")
    choose(phones["Anna"], players["Anna"], 1, "Moscow")
    host_action(teacher_client, session, "finish")
    page = text(host_page(teacher_client, session))
    assert "podium" not in page and "Anna" not in page
    assert "The class got <strong>25%</strong> of the answers right." in page


def test_the_grid_can_hide_names_and_every_step_keeps_them_hidden(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals, pacing="student")
    crowd(session, 3)
    host_action(teacher_client, session, "start")
    shown = text(host_page(teacher_client, session))
    assert '<th scope="row">P0</th>' in shown and "Hide names" in shown
    hidden = text(teacher_client.get(host_url(session, "?names=hidden")))
    # Not in the players' panel either (left out); the random CSRF token and nonces may hold "P0".
    without_secrets = re.sub(r'"X-CSRFToken": "[^"]*"|nonce="[^"]*"|value="[^"]*"', "", hidden)
    assert re.findall(r"\bP\d\b", without_secrets) == []
    assert re.findall(r'<th scope="row">([^<]+)</th>', hidden) == ["Student 1", "Student 2", "Student 3"]
    assert "Show names" in hidden
    assert f'hx-get="{host_url(session, "?names=hidden")}"' in hidden  # the stage refreshes as it is
    assert '<input type="hidden" name="names" value="hidden">' in hidden  # and so does "End the session"
    # A step taken without JavaScript comes back to the grid without names.
    step = reverse("quizzes:session-host-action", args=[session.public_id, "lock"]) + "?names=hidden"
    response = teacher_client.post(step, {"version": str(refreshed(session).version)})
    assert response["Location"] == host_url(session, "?names=hidden")


# Tiles a class can read


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_tile_colour_has_aa_contrast_with_its_text():
    css = (Path(settings.BASE_DIR) / "static/css/site.css").read_text()
    ink = re.search(r"--tile-ink:\s*(#[0-9a-fA-F]{6})", css)[1]
    colours = dict(re.findall(r"\.tile--(\w+)\s*\{\s*--tile:\s*(#[0-9a-fA-F]{6})", css))
    assert set(colours) == set(live.COLOURS)  # every marker's colour has its rule
    everywhere = re.findall(r"--tile:\s*(#[0-9a-fA-F]{6})", css)  # the bars' cards and the default too
    assert len(everywhere) > len(colours)
    for colour in everywhere:
        assert contrast(colour, ink) >= 4.5, f"{colour} against {ink}: {contrast(colour, ink):.2f}"
    assert contrast("#777777", "#ffffff") < 4.5  # the check itself can fail


# Getting in


def test_every_page_s_menu_leads_to_the_game_and_a_student_s_to_their_class(content, client, student_client):
    join_game = f'href="{reverse("quizzes:session-join")}"'
    join_class = f'href="{reverse("quizzes:class-join")}"'
    for url in ["/", "/article/", "/quizzes/"]:
        page = text(client.get(url))
        assert join_game in page and "Join a game" in page, url
        assert join_class not in page, url  # a guest has no class to join
        student = text(student_client.get(url))
        assert join_game in student and join_class in student and "Join a class" in student, url
    home = text(client.get("/"))
    assert home.count(join_game) == 3  # the menu (wide, and behind the phone's Menu button) and the home page


def test_a_teacher_s_menu_has_no_class_to_join(teacher_client, content):
    assert f'href="{reverse("quizzes:class-join")}"' not in text(teacher_client.get("/quizzes/"))


def test_the_class_page_gives_the_full_join_address_and_its_qr_code(teacher, teacher_client, student_client):
    classroom = Classroom.objects.create(name="9B", owner=teacher)
    page = text(teacher_client.get(reverse("admin:quizzes_classroom_change", args=[classroom.pk])))
    address = "http://testserver/classes/join/"
    assert f"{address} with the code <strong>{classroom.code}</strong>" in page
    qr = re.search(r"<svg[^>]*class=\"class-qr\"[^>]*>.*?</svg>", page, re.DOTALL)
    assert qr and f"<title>{address}?code={classroom.code}</title>" in qr[0] and "style=" not in qr[0]
    # The QR code's address opens the form with the code filled in.
    form = text(student_client.get(f"/classes/join/?code={classroom.code}"))
    assert f'value="{classroom.code}"' in form


def test_a_tap_tile_is_a_button_per_option_and_multiple_select_still_confirms(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals)
    phone = Client()
    join(phone, session, "Anna")
    host_action(teacher_client, session, "start")
    page = text(play(phone, session))
    tokens = [session.deck().token(option) for option in live.session_questions(session)[0].options.all()]
    for token in tokens:
        assert f'<button class="tile-button" type="submit" name="choice" value="{token}">' in page
    assert "Send my answer" not in page and "Tap your answer" in page
    assert Participant.objects.get().answers.count() == 0
