"""A classroom answering at once: no answer lost, none counted twice, no server error.

Real threads, each with its own database connection, against the test database (a file for
SQLite: see config/settings.py). Run on SQLite and, in CI, again on PostgreSQL.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connections
from django.db.models import Count
from django.test import Client

from quizzes import live
from quizzes.models import Learner, LiveAnswer, Participant, Response
from quizzes.services.learners import LEARNER_SESSION_KEY
from tests.live_helpers import answer, join_try, session_start

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the seeded data, however flushed

STUDENTS = 300
DUPLICATES = 30
THREADS = 32


def _phone(learner: Learner) -> str:
    """The cookie of a browser whose session names `learner` (as after joining)."""
    store = SessionStore()
    store[LEARNER_SESSION_KEY] = learner.pk
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


_threads = threading.local()


def _client() -> Client:
    """One test client per thread (each loads the whole middleware stack); phones differ by cookie."""
    if not hasattr(_threads, "client"):
        _threads.client = Client()
    return _threads.client


def _post(job) -> int:
    cookie, participant, right = job
    try:
        return answer(_client(), participant, 1, right=right, headers={"Cookie": cookie}).status_code
    finally:
        connections.close_all()  # this thread's connections only


def test_300_simultaneous_answers_and_30_repeats_store_exactly_300(content, teacher):
    session = session_start(teacher, timer=None)
    participants = [
        live.session_join(session=session, learner=Learner.objects.create(), nickname=f"Student {n}")
        for n in range(STUDENTS)
    ]
    session.start()
    jobs = [(_phone(p.learner), p, n % 2 == 0) for n, p in enumerate(participants)]
    # A double click or a retry arrives from another connection with the same session.
    jobs += [(_phone(p.learner), p, n % 2 == 1) for n, p in enumerate(participants[:DUPLICATES])]

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        statuses = list(pool.map(_post, jobs))

    assert [status for status in statuses if status != 200] == []
    assert LiveAnswer.objects.filter(participant__session=session).count() == STUDENTS
    assert live.host_act(session=session, action="reveal")  # the question closes: scored in bulk
    assert Response.objects.filter(attempt__participant__session=session).count() == STUDENTS
    # One answer each, whichever of a student's two requests arrived first.
    answered = Participant.objects.filter(session=session).annotate(answers_given=Count("answers"))
    assert sorted({row.answers_given for row in answered}) == [1]


def _guess(job) -> int:
    cookie, code = job
    try:
        return join_try(_client(), code, "Guesser", HTTP_COOKIE=cookie).status_code
    finally:
        connections.close_all()


def test_sixty_simultaneous_wrong_codes_from_one_browser_are_counted_one_by_one(content, teacher):
    session = session_start(teacher)
    wrong = "AAAAAA" if session.code != "AAAAAA" else "BBBBBB"
    cookie = f"{settings.CSRF_COOKIE_NAME}={'g' * 32}"
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        statuses = list(pool.map(_guess, [(cookie, wrong)] * 60))
    assert sorted(statuses) == [400] * live.FAILED_JOIN_LIMIT + [429] * (60 - live.FAILED_JOIN_LIMIT)
    assert _guess((cookie, session.code)) == 302  # and the right code is never refused
