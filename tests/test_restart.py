"""A restart of the server keeps every session: `make serve` keeps its secret key in a file
(DJANGO_SECRET_KEY_FILE), made once, so a browser's cookies are still good after a restart."""

import os
import stat

import pytest

from tests.servers import Browser, live_session_setup, manage, server_env, server_start, server_stop

# Real gunicorn processes, each a core's work: not beside other tests.
pytestmark = pytest.mark.serial


@pytest.fixture
def kept_key(tmp_path):
    # Production settings, as `make serve` runs them: no key but the kept one.
    env = server_env(
        tmp_path,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY_FILE=str(tmp_path / "secrets" / "secret_key"),
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
    )
    env.pop("DJANGO_SECRET_KEY", None)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    return env, tmp_path / "secrets" / "secret_key"


def test_an_answer_sent_after_a_restart_is_stored(kept_key):
    env, key_file = kept_key
    code, public_id = live_session_setup(env)
    student = Browser()
    process, url = server_start(env)
    try:
        assert student.join(url, code, "Anna") == (302, f"/live/{public_id}/")
        manage(env, "shell", "-c", "from quizzes.models import LiveSession; LiveSession.objects.get().start()")
        status, _, page = student.request(f"{url}/live/{public_id}/")
        assert status == 200 and "data-answer-form" in page
    finally:
        server_stop(process)
    key = key_file.read_text()
    process, url = server_start(env)  # the same key, read from its file
    try:
        _, _, page = student.request(f"{url}/live/{public_id}/")
        assert "data-answer-form" in page, "the restarted server did not know the player"
        choice = page.split('name="choice" value="', 1)[1].split('"', 1)[0]
        token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        status, headers, _ = student.request(
            f"{url}/live/{public_id}/answer/", {"csrfmiddlewaretoken": token, "question": "1", "choice": choice}
        )
        assert (status, headers.get("Location")) == (302, f"/live/{public_id}/")
        stored = manage(env, "shell", "-c", "from quizzes.models import LiveAnswer; print(LiveAnswer.objects.count())")
        assert stored.strip().splitlines()[-1] == "1"
    finally:
        server_stop(process)
    assert key_file.read_text() == key and len(key) >= 50
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
