"""When the cache fails: it is a helper, never the truth. Pages render, live sessions go on from
the database, answers are stored, and /healthz says what is down so a load balancer can act."""

import logging
import sqlite3

import pytest
from django.db import connection
from django.test import Client

from config.cache import FileCache, RedisSharedCache
from quizzes.models import LiveAnswer, Response
from tests.live_helpers import choose, host_action, join, play, poll, session_start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commits_now")]


@pytest.fixture(params=["files", "redis"])
def broken_cache(request, settings, tmp_path):
    """A cache folder that cannot be made (a file stands where it should be), or a Redis that is not there."""
    if request.param == "files":
        blocker = tmp_path / "in-the-way"
        blocker.write_text("not a folder")
        settings.CACHES = {"default": {"BACKEND": "config.cache.FileCache", "LOCATION": str(blocker / "cache")}}
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "config.cache.RedisSharedCache",
                "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens there
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }
    return request.param


@pytest.mark.parametrize("url", ["/", "/article/", "/topics/csto/", "/quizzes/"])
def test_reading_pages_render_without_a_cache(content, broken_cache, url):
    response = Client().get(url)
    assert response.status_code == 200 and "Milk War" in response.text


def test_healthz_says_the_cache_is_down_with_503(db, broken_cache):
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.text == "database ok\ncache unavailable\n"


def test_a_live_session_goes_on_from_the_database_and_stores_every_answer(
    capitals, teacher, teacher_client, broken_cache
):
    session = session_start(teacher, quiz=capitals)
    phone = Client()
    anna = join(phone, session, "Anna")
    assert "You're in!" in play(phone, session).text
    host_action(teacher_client, session, "start")
    session.refresh_from_db()
    assert poll(phone, session, str(session.version)).status_code == 204  # from the database: no change
    changed = poll(phone, session, "1")
    assert changed.status_code == 200 and "data-answer-form" in changed.text
    assert 'id="answer-received"' in choose(phone, anna, 1, "Moscow").text
    host_action(teacher_client, session, "reveal")
    assert LiveAnswer.objects.get().response == Response.objects.get()
    assert "✓ Right" in play(phone, session, htmx=True).text


def test_a_broken_cache_is_logged_once_not_per_request(content, broken_cache, caplog, monkeypatch):
    for backend in (FileCache, RedisSharedCache):  # as in a fresh process: nothing logged yet
        monkeypatch.setattr(backend, "_logged_at", float("-inf"))
    with caplog.at_level(logging.ERROR, logger="config.cache"):
        for _ in range(5):
            assert Client().get("/topics/csto/").status_code == 200
    assert len([record for record in caplog.records if record.name == "config.cache"]) == 1


# A database locked for longer than a writer may wait


@pytest.fixture
def locked_database(settings):
    """Another connection holding SQLite's write lock, until the test lets go; the app's own
    connection waits a tenth of a second for it instead of its five."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's lock: PostgreSQL locks rows, not the database")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 100")
    locker = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    yield locker
    locker.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # starts from the seeded data, however flushed
def test_an_answer_during_a_long_lock_gets_503_with_retry_after_and_is_stored_when_sent_again(
    capitals, teacher, teacher_client, request
):
    session = session_start(teacher, quiz=capitals)
    phone = Client(raise_request_exception=False)  # as a browser: it sees what the server answers
    anna = join(phone, session, "Anna")
    host_action(teacher_client, session, "start")
    play(phone, session)  # the session's row and screen are in the cache now
    locker = request.getfixturevalue("locked_database")
    busy = choose(phone, anna, 1, "Moscow")
    assert busy.status_code == 503 and busy["Retry-After"] == "3"
    assert "saved nothing. Try again in a few seconds." in busy.text
    # Reading needs no write: pages and polls do not wait behind the lock.
    assert Client().get("/topics/csto/").status_code == 200
    assert poll(phone, session, str(session.version + 1)).status_code in {200, 204}
    locker.execute("ROLLBACK")
    again = choose(phone, anna, 1, "Moscow")  # as the phone's script sends it again
    assert again.status_code == 200 and 'id="answer-received"' in again.text
    assert LiveAnswer.objects.count() == 1
