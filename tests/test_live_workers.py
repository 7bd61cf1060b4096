"""Two server processes serving one live session, as gunicorn's workers do.

Each worker is its own process with its own memory: a change made through one must reach the
polls another serves, and wrong join codes tried on both must add up. Two gunicorn servers of
one worker each share a fresh SQLite file and the file cache, so each request's worker is
known. Loopback only; both servers are stopped by their process ids.
"""

import re

import pytest

from tests.conftest import PASSWORD
from tests.servers import Browser, live_session_setup, manage, server_env, server_start, server_stop

# Real gunicorn processes, each a core's work: not beside other tests.
pytestmark = pytest.mark.serial


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Two single-worker servers on one fresh database and one cache folder: (url A, url B, code, id)."""
    env = server_env(tmp_path_factory.mktemp("workers"))
    manage(env, "migrate", "--no-input", "-v0")
    code, public_id = live_session_setup(env)
    processes = []
    try:
        urls = []
        for _ in range(2):
            process, url = server_start(env)
            processes.append(process)
            urls.append(url)
        yield urls[0], urls[1], code, public_id
    finally:
        for process in processes:
            server_stop(process)


def test_a_change_made_through_one_worker_reaches_polls_served_by_the_other(servers):
    a, b, code, public_id = servers
    student = Browser()
    status, location = student.join(a, code, "Worker test")
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
    assert status == 200 and "Question 1 of 1" in page and "data-answer-form" in page


def test_wrong_codes_tried_on_both_workers_add_up_to_the_limit_for_that_browser(servers):
    a, b, code, _ = servers
    guesser = Browser()
    for attempt in range(20):
        status, _ = guesser.join(a if attempt % 2 else b, "QQQQQQ", f"Guess {attempt}")
        assert status == 400
    for server in (a, b):  # the twenty-first, on either worker
        status, page = guesser.join(server, "QQQQQQ", "One more")
        assert status == 429 and "Too many wrong codes" in page
    status, _ = Browser().join(b, code, "A classmate")  # another browser behind the same address
    assert status == 302
    status, _ = guesser.join(a, code, "Guess right")  # and a right code is never refused
    assert status == 302
