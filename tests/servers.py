"""Real servers for tests: gunicorn processes on loopback, and a browser that talks to them.

Each server is its own process (its own memory, as gunicorn's workers are); a test starts and
stops them by process id.
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

from django.conf import settings

from tests.conftest import PASSWORD

GUNICORN = Path(sys.executable).with_name("gunicorn")
MANAGE = [sys.executable, str(settings.BASE_DIR / "manage.py")]


LIVE_SETUP = f"""
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


def live_session_setup(env: dict) -> tuple[str, str]:
    """A teacher ("host", PASSWORD), a one-question quiz and a live session in its lobby: (code, public id)."""
    code, public_id = manage(env, "shell", "-c", LIVE_SETUP).strip().splitlines()[-1].split()
    return code, public_id


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *command: str) -> str:
    """Run a management command with `env`; returns what it printed."""
    done = subprocess.run(
        [*MANAGE, *command], env=env, check=True, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    return done.stdout


def server_env(folder: Path, **more: str) -> dict:
    """A fresh SQLite database and cache folder in `folder`, debug static files, plain http."""
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DJANGO_CACHE_DIR": str(folder / "cache"),
        "DJANGO_DEBUG": "true",  # static files from the finders: no collectstatic needed
        "DJANGO_HTTPS": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        **more,
    }


def server_start(env: dict) -> tuple[subprocess.Popen, str]:
    """One single-worker gunicorn with `env`, answering: (its process, its URL)."""
    port = free_port()
    process = subprocess.Popen(
        [str(GUNICORN), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/livez", timeout=1)  # noqa: S310 (loopback http)
            break
        except OSError:
            time.sleep(0.1)
    return process, url


def server_stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


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

    def join(self, server: str, code: str, nickname: str) -> tuple[int, str]:
        """Post the join form: (status, where it sends the browser, or the page)."""
        token = self.csrf(f"{server}/join/")
        status, headers, html = self.request(
            f"{server}/join/", {"csrfmiddlewaretoken": token, "code": code, "nickname": nickname}
        )
        return status, headers.get("Location", html)
