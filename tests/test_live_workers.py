"""Two server processes serving one live session, as gunicorn's workers do.

Each worker is its own process with its own memory: a change made through one must reach the
polls another serves, and wrong join codes tried on both must add up. Two gunicorn servers of
one worker each share a fresh SQLite file and the file cache, so each request's worker is
known. Loopback only; both servers are stopped by their process ids.
"""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import PASSWORD

GUNICORN = Path(sys.executable).with_name("gunicorn")

SETUP = f"""
from django.contrib.auth.models import User
from quizzes import live
from quizzes.models import Option, Question, Quiz
teacher = User.objects.create_user("host", password={PASSWORD!r}, is_staff=True, is_superuser=True)
quiz = Quiz.objects.create(slug="two-workers", title="Two workers", owner=teacher)
question = Question.objects.create(quiz=quiz, position=1, kind="single", stem="Which?", explanation="Because.")
Option.objects.create(question=question, position=1, text="This", is_correct=True)
Option.objects.create(question=question, position=2, text="That")
session = live.session_create(quiz=quiz, host=teacher, timer=None)
print(session.code, session.public_id)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 comes back as it is, to be read


class Browser:
    """A browser with its own cookies, talking to one server or another."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)

    def request(self, url: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310 (loopback http)
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def csrf(self, url: str) -> str:
        status, _, html = self.request(url)
        assert status == 200, html
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Two single-worker servers on one fresh database and one cache folder: (url A, url B, code, id)."""
    folder = tmp_path_factory.mktemp("workers")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DJANGO_CACHE_DIR": str(folder / "cache"),
        "DJANGO_DEBUG": "true",  # static files from the finders: no collectstatic needed
        "DJANGO_HTTPS": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, check=True, cwd=settings.BASE_DIR)
    setup = subprocess.run(
        [*manage, "shell", "-c", SETUP], env=env, check=True, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    code, public_id = setup.stdout.strip().splitlines()[-1].split()
    urls, processes = [], []
    try:
        for _ in range(2):
            port = _free_port()
            processes.append(
                subprocess.Popen(
                    [str(GUNICORN), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                    env=env,
                    cwd=settings.BASE_DIR,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{url}/livez", timeout=1)  # noqa: S310 (loopback http)
                    break
                except OSError:
                    time.sleep(0.1)
        yield urls[0], urls[1], code, public_id
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=20)


def _join(browser: Browser, server: str, code: str, nickname: str) -> tuple[int, str]:
    token = browser.csrf(f"{server}/join/")
    status, headers, html = browser.request(
        f"{server}/join/", {"csrfmiddlewaretoken": token, "code": code, "nickname": nickname}
    )
    return status, headers.get("Location", html)


def test_a_change_made_through_one_worker_reaches_polls_served_by_the_other(servers):
    a, b, code, public_id = servers
    student = Browser()
    status, location = _join(student, a, code, "Worker test")
    assert (status, location) == (302, f"/live/{public_id}/")
    status, _, page = student.request(f"{b}/live/{public_id}/")  # the other worker knows the student too
    assert status == 200 and "You're in!" in page
    seen = re.search(r"/poll/\?v=([^\"&]+)", page).group(1)
    poll = f"/live/{public_id}/poll/?v={seen}"
    assert student.request(f"{a}{poll}")[0] == 204
    assert student.request(f"{b}{poll}")[0] == 204

    teacher = Browser()
    token = teacher.csrf(f"{a}/admin/login/")
    status, _, _ = teacher.request(
        f"{a}/admin/login/?next=/admin/", {"csrfmiddlewaretoken": token, "username": "host", "password": PASSWORD}
    )
    assert status == 302
    host_page = f"{a}/live/{public_id}/host/"
    token = teacher.csrf(host_page)
    status, _, _ = teacher.request(f"{a}/live/{public_id}/host/start/", {"csrfmiddlewaretoken": token})
    assert status == 302

    # Started through worker A: worker B's very next poll says so (no waiting for a cache to expire).
    # The poll carries the new stage itself.
    status, _, page = student.request(f"{b}{poll}")
    assert status == 200 and "Question 1 of 1" in page and "Send my answer" in page


def test_wrong_codes_tried_on_both_workers_add_up_to_the_limit_for_that_browser(servers):
    a, b, code, _ = servers
    guesser = Browser()
    for attempt in range(20):
        status, _ = _join(guesser, a if attempt % 2 else b, "QQQQQQ", f"Guess {attempt}")
        assert status == 400
    status, page = _join(guesser, a, code, "Guess right")
    assert status == 429 and "Too many wrong codes" in page
    status, page = _join(guesser, b, code, "Guess right")
    assert status == 429 and "Too many wrong codes" in page
    status, _ = _join(Browser(), b, code, "A classmate")  # another browser behind the same address
    assert status == 302
