"""Load benchmark for live sessions (`make bench`). A tool, not a test.

It starts the site under gunicorn in a fresh temporary directory (SQLite, or PostgreSQL with
--postgres; the file cache, or a Redis of its own with --redis), and plays teacher-paced live
sessions over loopback: one, or --sessions N at once, each with its own host and --students
simulated students. All join, all poll every two seconds, and all answer each question within a
few seconds of it opening. Then it prints, per kind of request, the throughput, latency
percentiles and errors; whether every acknowledged answer was stored; how soon after a question
opened each phone had it; the server's CPU per student per question against its CPU for one
/livez request; and the throughput of a poll and of a topic page against a trivial view (/livez)
measured on the same server in the same run, the ceiling a request can reach (everything a
poll adds on top of it is the app's own cost).

    python bench/live.py                           # 300 students, SQLite
    python bench/live.py --students 2000 --postgres
    python bench/live.py --sessions 20 --students 30 --redis

It plays either protocol of a student's poll: a changed poll answered with the new stage itself
(200 with a body, counted as "changed"), or with the event `live-changed` and an empty body,
after which the phone fetches its stage (counted as "stage").

Exit status: 0 when the harness ran, whether or not the targets were met (with --strict, 1 when
one was missed); 2 when the harness itself failed (setup, server start, a bug, or the time limit).
"""

import argparse
import asyncio
import functools
import html
import math
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv's: gunicorn sits next to its python
HOST = "127.0.0.1"
CHANGED = "live-changed"  # the htmx event on which a phone fetches its stage afresh
ACKNOWLEDGED = 'id="answer-received"'

# The pages are parsed with regular expressions only: the client shares the two cores with the
# server, and a real HTML parser would cost more than the requests it measures.
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
POLL_URL = re.compile(r'hx-get="([^"]*/poll/\?v=[^"]*)"')
QUESTION_INPUT = re.compile(r'<input[^>]*\bname="question"[^>]*\bvalue="(\d+)"')
# A single choice is a tile: a submit button (one tap answers) or, in other forms, a radio input.
CHOICE_INPUT = re.compile(r'<(?:input|button)[^>]*\bname="choice"[^>]*\bvalue="([^"]+)"')
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# The targets of the issue (live sessions at hall scale), for this 2-core machine. The latency
# targets are set for a size of run: a class (300 students, or 20 sessions of 30) and a hall
# (2,000); the others hold at any size.
CLASS_STUDENTS = 600  # up to this many students in all: the class targets
HALL_STUDENTS = 2000  # up to this many: the hall targets
POLL_P95_MS = 50
CHANGED_P95_MS = 150  # a changed poll, or the stage fetched after one
ANSWER_P95_MS = 300
CEILING_RATIO = 0.8  # poll / livez
HALL_POLL_P95_MS = 500
HALL_ANSWER_P95_MS = 3000
SHOWN_SECONDS = 4.0  # a phone has the question this soon after it opened ...
SHOWN_SHARE = 0.95  # ... for this share of the phones
CPU_RATIO = 8.0  # server CPU per student per question / server CPU per /livez request
TOPIC_RATIO = 0.5  # topic page / livez
CEILING_ROUNDS = 3

SESSION_CATEGORIES = ["join", "page", "poll", "changed", "stage", "answer"]
CEILING_CATEGORIES = ["ceiling livez", "ceiling poll", "ceiling topic"]


class BenchError(Exception):
    """The harness could not run the benchmark (as opposed to the app missing a target)."""


# Measuring


@dataclass
class Category:
    """The requests of one kind: their latencies, their errors, and the span they ran over."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first: float = math.inf
    last: float = 0.0
    seconds: float = 0.0  # for the ceiling's bursts, which take turns: the time this kind had the server

    @property
    def count(self) -> int:
        return len(self.latencies) + self.errors

    def rate(self) -> float:
        """Requests per second over the span from the first request's start to the last one's end:
        for bursty kinds (joins, answers) this is the rate while they happened, not per session."""
        span = self.seconds or self.last - self.first
        return self.count / span if span > 0 else math.nan

    def p95(self) -> float:
        """In milliseconds."""
        return percentile(sorted(self.latencies), 0.95) * 1000


@dataclass
class Reply:
    status: int
    headers: Mapping[str, str]  # case-insensitive, as aiohttp gives them
    body: str


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least `fraction` of the values at or below it."""
    if not ordered:
        return math.nan
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


class Stats:
    """Every request the harness makes goes through `fetch`, which times it and judges it."""

    def __init__(self) -> None:
        self.categories: dict[str, Category] = {}
        self.problems: Counter[str] = Counter()
        self.examples: dict[str, str] = {}

    def category(self, name: str) -> Category:
        return self.categories.setdefault(name, Category())

    def record(self, name: str, start: float, ok: bool, problem: str = "", example: str = "") -> None:
        end = time.perf_counter()
        category = self.category(name)
        category.first = min(category.first, start)
        category.last = max(category.last, end)
        if ok:
            category.latencies.append(end - start)
            return
        category.errors += 1
        key = f"{name}: {problem}"
        self.problems[key] += 1
        self.examples.setdefault(key, example)

    def error_count(self) -> int:
        return sum(category.errors for category in self.categories.values())

    async def fetch(
        self,
        name: str,
        http: aiohttp.ClientSession,
        method: str,
        url: str,
        ok: Callable[[Reply], bool],
        kind: Callable[[Reply], str] | None = None,
        **kwargs,
    ) -> Reply | None:
        """The reply, recorded as a success when `ok` says so; None after a network error or timeout.
        It counts in the category `name`, or the one `kind` names once the reply is in."""
        path = UUID.sub("<id>", urllib.parse.urlsplit(url).path)
        start = time.perf_counter()
        try:
            async with http.request(method, url, allow_redirects=False, **kwargs) as response:
                reply = Reply(response.status, response.headers.copy(), await response.text())
        except (aiohttp.ClientError, OSError) as error:  # OSError covers TimeoutError
            self.record(name, start, False, f"{method} {path}: {type(error).__name__}", str(error)[:300])
            return None
        good = ok(reply)
        problem = "" if good else f"{method} {path}: HTTP {reply.status}"
        self.record(kind(reply) if kind else name, start, good, problem, reply.body[:300])
        return reply


# The Django side, run in the harness's own process (one thread, one database connection)


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def bench_quiz(questions: int):
    """A teacher and a published quiz of `questions` single-choice questions copied from the
    built-in quizzes: single choice, so every simulated answer is one radio button."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from quizzes.models import Question, Quiz
    from quizzes.services.questions import questions_copy

    teacher = get_user_model().objects.create_user("bench-teacher", password=secrets.token_urlsafe(), is_staff=True)
    sources = list(
        Question.objects.accepted()
        .filter(quiz__in=Quiz.objects.builtin(), kind=Question.Kind.SINGLE)
        .order_by("quiz", "position", "pk")[:questions]
    )
    if len(sources) < questions:
        raise BenchError(f"The built-in quizzes have {len(sources)} single-choice questions, not {questions}")
    with transaction.atomic():
        quiz = Quiz.objects.create(owner=teacher, status=Quiz.Status.PUBLISHED, slug="bench", title="Bench")
        questions_copy(questions=sources, quiz=quiz)
    return teacher, quiz


def topic_slug() -> str:
    from explainer.models import Topic

    slug = Topic.objects.in_order().values_list("slug", flat=True).first()
    if slug is None:
        raise BenchError("The content has no topic: no topic page to measure")
    return slug


def session_new(teacher, quiz):
    from quizzes import live

    return live.session_create(
        quiz=quiz, host=teacher, pacing="teacher", timer=None, scoring="speed", leaderboard="shown"
    )


def host_move(session, action: str, total: int) -> float | None:
    """What the teacher's buttons do ("start", "next", "reveal", "finish"): through
    `quizzes.live.host_act` where the app has it (the move and the bulk scoring), else through
    the model, which publishes the new stamp to the cache the workers' polls read once the change
    commits. Returns when the question on screen opened, by the server's clock (a Unix time)."""
    from quizzes import live

    session.refresh_from_db()
    if hasattr(live, "host_act"):
        moved = live.host_act(session=session, action=action)
    else:
        match action:
            case "start":
                moved = session.start()
            case "reveal":
                moved = session.reveal()
            case "next":
                moved = session.advance(total=total)
            case "finish":
                moved = live.session_finish(session=session)
    if not moved:
        raise BenchError(f"The session did not {action} (it is {session.status}, question {session.position})")
    session.refresh_from_db()
    return session.opened_at.timestamp() if session.opened_at else None


@dataclass
class Stored:
    participants: int
    answers: set[tuple[str, int]]  # (nickname, question number)
    responses: int


def answers_stored(session) -> Stored:
    from quizzes.models import LiveAnswer, Participant, Response

    answers = LiveAnswer.objects.filter(participant__session=session)
    return Stored(
        participants=Participant.objects.filter(session=session).count(),
        answers=set(answers.values_list("participant__nickname", "question__position")),
        responses=Response.objects.filter(attempt__participant__session=session).count(),
    )


def connections_close() -> None:
    from django.db import connections

    connections.close_all()


# The simulated classes


class Bench:
    """What every session and the ceiling share: the server, the counts, the measurements."""

    def __init__(self, args: argparse.Namespace, base: str, executor: ThreadPoolExecutor) -> None:
        self.args = args
        self.base = base
        self.executor = executor
        self.stats = Stats()
        self.timeout = aiohttp.ClientTimeout(total=args.request_timeout)
        self.connector: aiohttp.TCPConnector | None = None
        self.server_pid = 0
        self.redis_pid = 0
        self.rooms: list[Room] = []
        # What the run found, for the report.
        self.stragglers = 0
        self.ceiling_cpu: Cpu | None = None
        self.session_cpu: Cpu | None = None
        self.livez_server_cpu = 0.0  # gunicorn's CPU seconds during the /livez bursts alone

    async def orm(self, function: Callable, *args):
        """Run a database call in the harness's one ORM thread, out of the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, functools.partial(function, *args))

    @property
    def joined(self) -> int:
        return sum(room.joined for room in self.rooms)

    def cpu_now(self) -> tuple[float, ...]:
        return cpu_now(self.server_pid, self.redis_pid)

    def cpu_since(self, before: tuple[float, ...]) -> "Cpu":
        return cpu_since(before, self.server_pid, self.redis_pid)


class Room:
    """One live session: its host, its students, what they sent and what was stored."""

    def __init__(self, bench: Bench, number: int) -> None:
        self.bench = bench
        self.number = number
        self.session = None
        self.code = ""
        self.students: list[Student] = []
        self.joins_done = 0
        self.joined = 0
        self.answered: Counter[int] = Counter()  # answer POSTs finished (acknowledged or not), per question
        self.sent = 0
        self.acknowledged: set[tuple[str, int]] = set()
        self.opened: dict[int, float] = {}  # question number: when it opened (Unix time, the server's clock)
        self.stored: Stored | None = None
        self.host_lines: list[str] = []
        self.took: dict[int, float] = {}  # question number: seconds until every answer was back


class Student:
    """One phone: its own cookie jar (so its own Django session), over a shared connector."""

    def __init__(self, bench: Bench, room: Room | None, number: int, stats: Stats | None = None) -> None:
        self.bench = bench
        self.room = room
        self.stats = stats or bench.stats
        self.nickname = f"s{number:04d}"
        self.http = aiohttp.ClientSession(
            connector=bench.connector,
            connector_owner=False,
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # unsafe: keep cookies from an IP address
            timeout=bench.timeout,
        )
        self.play_url = ""
        self.poll_url = ""
        self.joined = False
        self.asked: set[int] = set()
        self.shown: dict[int, float] = {}  # question number: when a reply first brought its form (Unix time)
        self.answers: set[asyncio.Task] = set()

    async def close(self) -> None:
        await self.http.close()

    def csrf_cookie(self) -> str:
        return next((cookie.value for cookie in self.http.cookie_jar if cookie.key == "csrftoken"), "")

    async def run(self) -> None:
        room = self.room
        await asyncio.sleep(random.uniform(0, self.bench.args.join_window))
        try:
            self.joined = await self.join(room.code)
        finally:
            room.joins_done += 1
        if not self.joined:
            return
        room.joined += 1
        try:
            await self.poll()
            await asyncio.gather(*self.answers)
        finally:  # cancelled (the time is up): the answers in flight go with the student
            for task in self.answers:
                task.cancel()

    async def join(self, code: str) -> bool:
        """The join form, the join itself, then the play page (which carries the poll address)."""
        join_url = f"{self.bench.base}/join/{code}/"
        form = await self.stats.fetch(
            "page", self.http, "GET", join_url, lambda r: r.status == 200 and CSRF_INPUT.search(r.body) is not None
        )
        if form is None or form.status != 200 or not (token := CSRF_INPUT.search(form.body)):
            return False
        joined = await self.stats.fetch(
            "join",
            self.http,
            "POST",
            join_url,
            lambda r: r.status == 302 and "/live/" in r.headers.get("Location", ""),
            data={"csrfmiddlewaretoken": html.unescape(token[1]), "code": code, "nickname": self.nickname},
            headers={"Referer": join_url, "Origin": self.bench.base},
        )
        if joined is None or joined.status != 302 or "/live/" not in (location := joined.headers.get("Location", "")):
            return False
        self.play_url = urllib.parse.urljoin(join_url, location)
        page = await self.stats.fetch(
            "page", self.http, "GET", self.play_url, lambda r: r.status == 200 and POLL_URL.search(r.body) is not None
        )
        if page is None or page.status != 200:
            return False
        self.read(page.body)
        return bool(self.poll_url)

    def read(self, body: str) -> None:
        """Take from a page or fragment what htmx would act on: the poll address with the stamp
        the screen now shows, and an answer form for a question not answered yet."""
        if found := POLL_URL.search(body):
            self.poll_url = urllib.parse.urljoin(self.play_url, html.unescape(found[1]))
        question = QUESTION_INPUT.search(body)
        choices = CHOICE_INPUT.findall(body)
        if question and choices:
            number = int(question[1])
            self.shown.setdefault(number, time.time())
            if number not in self.asked and self.room is not None:
                self.asked.add(number)
                token = CSRF_INPUT.search(body)
                task = asyncio.create_task(self.answer(number, choices, html.unescape(token[1]) if token else ""))
                self.answers.add(task)

    async def poll(self) -> None:
        """Poll every interval (the first at a random moment, as phones open the page at random
        times) until the server answers 286, the end of the session. A changed poll brings the new
        stage itself (200 with a body), or, from an app before that, the event `live-changed`
        on which the stage fetches itself afresh; both are honoured, as htmx would."""
        interval = self.bench.args.poll_interval
        loop = asyncio.get_running_loop()
        await asyncio.sleep(random.uniform(0, interval))
        next_at = loop.time()
        while True:
            reply = await self.stats.fetch(
                "poll", self.http, "GET", self.poll_url, poll_ok, kind=poll_kind, headers={"HX-Request": "true"}
            )
            if reply is not None and reply.status in {200, 286}:
                if reply.body.strip():
                    self.read(reply.body)
                if CHANGED in reply.headers.get("HX-Trigger", ""):
                    await self.refresh()
            if reply is not None and reply.status == 286:
                return
            # Like htmx's `every 2s`: a fixed rhythm; a poll that ran late does not bring the next forward.
            next_at = max(next_at + interval, loop.time())
            await asyncio.sleep(next_at - loop.time())

    async def refresh(self) -> None:
        """What the stage does on `live-changed`: fetch itself afresh as a fragment."""
        reply = await self.stats.fetch(
            "stage",
            self.http,
            "GET",
            self.play_url,
            lambda r: r.status == 200 and "<html" not in r.body,
            headers={"HX-Request": "true"},
        )
        if reply is not None and reply.status == 200:
            self.read(reply.body)

    async def answer(self, number: int, choices: list[str], token: str) -> None:
        """Answer once, a few seconds after the question appeared, as htmx posts the form."""
        bench, room = self.bench, self.room
        try:
            await asyncio.sleep(random.uniform(0, bench.args.answer_within))
            room.sent += 1
            reply = await self.stats.fetch(
                "answer",
                self.http,
                "POST",
                f"{bench.base}{urllib.parse.urlsplit(self.play_url).path}answer/",
                lambda r: r.status == 200 and ACKNOWLEDGED in r.body,
                data={
                    "csrfmiddlewaretoken": token or self.csrf_cookie(),
                    "question": str(number),
                    "choice": random.choice(choices),
                },
                headers={
                    "HX-Request": "true",
                    "X-CSRFToken": self.csrf_cookie(),
                    "Referer": self.play_url,
                    "Origin": bench.base,
                },
            )
            if reply is not None and reply.status == 200 and ACKNOWLEDGED in reply.body:
                room.acknowledged.add((self.nickname, number))
        finally:
            room.answered[number] += 1


def poll_ok(reply: Reply) -> bool:
    """204: unchanged. 286: the end. 200: changed, with the new stage (which carries the next
    poll's address), or with an empty body and `live-changed` (the protocol before that)."""
    if reply.status in {204, 286}:
        return True
    if reply.status != 200:
        return False
    if reply.body.strip():
        return "<html" not in reply.body and POLL_URL.search(reply.body) is not None
    return CHANGED in reply.headers.get("HX-Trigger", "")


def poll_kind(reply: Reply) -> str:
    """A poll that brought a screen (the new stage, or the results with the 286) is "changed"."""
    return "changed" if reply.status in {200, 286} and reply.body.strip() else "poll"


# The teacher


async def host(room: Room) -> None:
    """Wait for everyone to join, then open each question, reveal it once every student who
    joined has answered (or the wait runs out), and finish."""
    bench = room.bench
    args = bench.args
    while room.joins_done < args.students:
        await asyncio.sleep(0.2)
    await asyncio.sleep(args.poll_interval + 1)  # a round of lobby polls with everyone in
    loop = asyncio.get_running_loop()
    for number in range(1, args.questions + 1):
        clicked = time.time()
        opened_at = await bench.orm(host_move, room.session, "start" if number == 1 else "next", args.questions)
        room.opened[number] = opened_at or clicked
        opened = loop.time()
        while room.answered[number] < room.joined and loop.time() - opened < args.answer_wait:
            await asyncio.sleep(0.2)
        took = room.took[number] = loop.time() - opened
        line = f"question {number}: {room.answered[number]} of {room.joined} answers sent back in {took:.1f} s"
        room.host_lines.append(line)
        if args.sessions == 1:
            print(f"  {line}", flush=True)
        await bench.orm(host_move, room.session, "reveal", args.questions)
        await asyncio.sleep(args.poll_interval + 1)  # every screen shows the answer
    await bench.orm(host_move, room.session, "finish", args.questions)
    if args.sessions > 1:
        print(f"  session {room.number}: finished", flush=True)


# The ceiling


async def burst(
    stats: Stats,
    name: str,
    url: str,
    ok: Callable[[Reply], bool],
    concurrency: int,
    seconds: float,
    *,
    htmx: bool = True,
):
    """A closed loop: `concurrency` clients each send the next request as soon as the last returns.
    No cookies are kept: every request is a first visit."""
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=True)
    headers = {"HX-Request": "true"} if htmx else {}
    async with aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.DummyCookieJar(), timeout=aiohttp.ClientTimeout(total=30)
    ) as http:
        start = time.perf_counter()
        end = start + seconds

        async def client() -> None:
            while time.perf_counter() < end:
                await stats.fetch(name, http, "GET", url, ok, headers=headers)

        await asyncio.gather(*(client() for _ in range(concurrency)))
        stats.category(name).seconds += time.perf_counter() - start


async def ceiling(bench: Bench, code: str, topic_url: str) -> None:
    """/livez, a student's poll (nothing changed: 204) and a topic page for a first visitor, in
    turns, on the same server; gunicorn's CPU during the /livez bursts is kept, the cost of one
    trivial request. The poll address comes from a probe student who joined a session of its
    own, so the sessions' counts stay exactly N; a poll reads only the cache, so whose session
    it is does not change its cost."""
    args = bench.args
    livez = f"{bench.base}/livez"
    probe = Student(bench, None, 0, stats=Stats())
    try:
        if not await probe.join(code):
            print("  the probe student could not join: no poll ceiling", flush=True)
        # A second of each, not counted, first: every worker has imported its views, opened its
        # database connection and the topic page is in the cache before a measurement starts.
        for url, htmx in ((livez, True), (probe.poll_url, True), (topic_url, False)):
            if url:
                await burst(Stats(), "warm-up", url, lambda r: True, args.concurrency, 1, htmx=htmx)
        # Taking turns, a few times each, so that a change in the machine's speed (another
        # process, a CPU clocking down) weighs on every side of the ratios alike.
        seconds = args.burst / CEILING_ROUNDS
        for _ in range(CEILING_ROUNDS):
            before = bench.cpu_now()
            await burst(bench.stats, "ceiling livez", livez, lambda r: r.status == 200, args.concurrency, seconds)
            bench.livez_server_cpu += bench.cpu_since(before).server
            if probe.poll_url:
                unchanged = lambda r: r.status == 204  # noqa: E731 (a name keeps the call on one line)
                await burst(bench.stats, "ceiling poll", probe.poll_url, unchanged, args.concurrency, seconds)
            page = lambda r: r.status == 200 and "<html" in r.body  # noqa: E731
            await burst(bench.stats, "ceiling topic", topic_url, page, args.concurrency, seconds, htmx=False)
    finally:
        await probe.close()


# The server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def manage(env: dict[str, str], *command: str, timeout: float) -> None:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise BenchError(f"manage.py {' '.join(command)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    print(f"  manage.py {command[0]}: {time.perf_counter() - started:.1f} s", flush=True)


def server_start(env: dict[str, str], port: int, workers: int, log) -> subprocess.Popen:
    """gunicorn in its own process group, so that stopping it stops its workers too."""
    return subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            f"--bind={HOST}:{port}",
            f"--workers={workers}",
            "--backlog=4096",
            "--error-logfile=-",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def server_stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


async def server_ready(base: str, server: subprocess.Popen, seconds: float = 30) -> None:
    end = time.perf_counter() + seconds
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while time.perf_counter() < end:
            if server.poll() is not None:
                raise BenchError(f"gunicorn exited with status {server.returncode}")
            try:
                async with http.get(f"{base}/livez") as response:
                    if response.status == 200:
                        return
            except (aiohttp.ClientError, OSError):
                pass
            await asyncio.sleep(0.2)
    raise BenchError(f"gunicorn did not answer /livez within {seconds:.0f} s")


def redis_start(workdir: Path) -> tuple[subprocess.Popen, str]:
    """Debian's redis-server on a free loopback port, keeping nothing on disk: (its process, its URL)."""
    port = free_port()
    log = (workdir / "redis.log").open("w")
    command = [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind", HOST]
    command += ["--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", str(workdir)]
    server = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()  # the child has its own copy
    end = time.monotonic() + 10
    while time.monotonic() < end:
        if server.poll() is not None:
            said = (workdir / "redis.log").read_text(errors="replace")[-2000:]
            raise BenchError(f"redis-server exited with status {server.returncode}:\n{said}")
        try:
            with socket.create_connection((HOST, port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                if connection.recv(64).startswith(b"+PONG"):
                    return server, f"redis://{HOST}:{port}/0"
        except OSError:
            pass
        time.sleep(0.1)
    redis_stop(server)
    raise BenchError("redis-server did not answer PING within 10 s")


def redis_stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def log_summary(path: Path, distinct: int = 30) -> str:
    """gunicorn's log, shortened: its first traceback in full, then each distinct line (session ids
    masked) with how often it came, as 2,000 students can log the same warning thousands of times."""
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    summary = []
    start = next((n for n, line in enumerate(lines) if line.startswith("Traceback")), None)
    if start is not None:
        end = next((n for n in range(start + 1, len(lines)) if not lines[n].startswith(" ")), len(lines) - 1)
        summary += ["the first traceback:", *lines[max(start - 1, 0) : end + 1], ""]
    counts = Counter(UUID.sub("<id>", line) for line in lines if "[INFO]" not in line)
    summary += [f"{count:>7} x {line}" for line, count in counts.most_common(distinct)]
    return "\n".join(summary)


def cpu_seconds(server_pid: int, redis_pid: int) -> tuple[float, float, float, float, float]:
    """CPU time (user and system) of gunicorn, of PostgreSQL, of our redis-server, of every process
    on the machine, and of the kernel's interrupt handling (loopback networking, mostly), from
    /proc, so Linux only. What the server, the database, Redis and the harness do not account for
    is other work, which skews the results."""
    processes: dict[int, tuple[str, int, int]] = {}  # pid: (name, parent's pid, CPU ticks)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # the process ended while we looked
        name, fields = text[text.index("(") + 1 : text.rindex(")")], text.rsplit(")", 1)[1].split()
        # Its own time and that of its children it has waited for: a gunicorn worker or a
        # PostgreSQL backend that ended meanwhile still counts, in its parent's.
        processes[int(stat.parent.name)] = (name, int(fields[1]), sum(map(int, fields[11:15])))

    def tree(root: int) -> int:
        return sum(ticks for pid, (_, parent, ticks) in processes.items() if root in {pid, parent})

    postmasters = [
        pid
        for pid, (name, parent, _) in processes.items()
        if name == "postgres" and processes.get(parent, ("",))[0] != "postgres"
    ]
    tick = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (
        tree(server_pid) / tick,
        sum(tree(pid) for pid in postmasters) / tick,
        (tree(redis_pid) if redis_pid else 0) / tick,
        (user + nice + system) / tick,
        (irq + softirq + steal) / tick,
    )


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Cpu:
    """Who used the CPU over a stretch of the run, in seconds (see cpu_seconds)."""

    wall: float
    server: float
    database: float
    redis: float
    harness: float
    interrupts: float
    other: float

    def line(self, what: str) -> str:
        cores = os.cpu_count() or 1
        return (
            f"CPU during {what}, of {self.wall * cores:.0f} s on {cores} cores: gunicorn {self.server:.0f} s, "
            f"PostgreSQL {self.database:.0f} s, Redis {self.redis:.0f} s, harness {self.harness:.0f} s, "
            f"interrupts {self.interrupts:.0f} s, other processes {self.other:.0f} s"
        )

    @property
    def disturbed(self) -> bool:
        """Whether other work took enough of the machine to skew the measurements."""
        return self.other > 0.1 * self.wall * (os.cpu_count() or 1)


def cpu_now(server_pid: int, redis_pid: int = 0) -> tuple[float, ...]:
    return (time.perf_counter(), *cpu_seconds(server_pid, redis_pid), own_cpu_seconds())


def cpu_since(before: tuple[float, ...], server_pid: int, redis_pid: int = 0) -> Cpu:
    wall, server, database, redis, processes, interrupts, harness = (
        now - then for now, then in zip(cpu_now(server_pid, redis_pid), before, strict=True)
    )
    # Per-process and machine-wide counts tick apart: a second or two either way is noise.
    other = max(processes - server - database - redis - harness, 0.0)
    return Cpu(wall, server, database, redis, harness, interrupts, other)


# PostgreSQL


def database_recreate(url: str, *, create: bool = True) -> None:
    """Drop the bench database (and create it empty), through the `postgres` maintenance database."""
    import psycopg
    from psycopg import sql

    name = urllib.parse.urlsplit(url).path.lstrip("/")  # with "bench" in it: see arguments()
    maintenance = urllib.parse.urlsplit(url)._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            if create:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        raise BenchError(f"PostgreSQL: could not recreate {name}: {error}") from error


# The report


def shown_within(bench: Bench) -> tuple[dict[int, float], float, float]:
    """How soon each joined student's phone had each question's answer form after it opened:
    the share within SHOWN_SECONDS per question and overall, and the 95th percentile of the
    delay (a phone that never had it counts as infinitely late)."""
    delays: dict[int, list[float]] = {}
    for room in bench.rooms:
        for number, opened in room.opened.items():
            delays.setdefault(number, []).extend(
                student.shown.get(number, math.inf) - opened for student in room.students if student.joined
            )

    def share(values: list[float]) -> float:
        return sum(value <= SHOWN_SECONDS for value in values) / len(values) if values else math.nan

    every = [delay for values in delays.values() for delay in values]
    return (
        {number: share(values) for number, values in sorted(delays.items())},
        share(every),
        percentile(sorted(every), 0.95),
    )


def report(bench: Bench) -> list[bool]:
    """Print the table, the answers' integrity and the targets; returns whether each target was met."""
    args = bench.args
    stats = bench.stats
    total = args.sessions * args.students
    wall = bench.session_cpu.wall if bench.session_cpu else math.nan
    print()
    sessions = (
        f"{args.sessions} live sessions at once, {args.students} students each"
        if args.sessions > 1
        else f"Live session: {args.students} students"
    )
    print(
        f"{sessions}, {args.questions} questions, polls every {args.poll_interval:g} s, "
        f"{args.workers} gunicorn sync workers, {'PostgreSQL' if args.postgres else 'SQLite'}, "
        f"{'Redis' if args.redis else 'file cache'}, {wall:.0f} s"
    )
    print()
    header = f"{'category':<15}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
    print(header)
    print("-" * len(header))
    for name in SESSION_CATEGORIES + CEILING_CATEGORIES:
        category = stats.category(name)
        ordered = sorted(category.latencies)
        if not category.count:  # "stage" (or "changed"): the protocol this app does not speak
            print(f"{name:<15}{0:>8}{'-':>9}{'-':>9}{'-':>9}{'-':>9}{0:>8}")
            continue
        p50, p95, p99 = (percentile(ordered, q) * 1000 for q in (0.50, 0.95, 0.99))
        print(
            f"{name:<15}{category.count:>8}{category.rate():>9.0f}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{category.errors:>8}"
        )
    print()
    print("join = the join POST; page = the join form and the play page (full pages); poll = a poll that")
    print("brought no screen (204, or the end); changed = a poll that brought the new stage (or the results);")
    print("stage = the fragment fetched after a poll said it changed (the app before polls carried it);")
    print("req/s = count over the span from first start to last end (for the ceiling: over the bursts' own time).")
    print()
    livez = stats.category("ceiling livez")
    poll_ratio, topic_ratio = (
        stats.category(name).rate() / livez.rate() if livez.rate() else math.nan
        for name in ("ceiling poll", "ceiling topic")
    )
    print(
        f"ceiling: {args.concurrency} clients, {args.burst:g} s each in {CEILING_ROUNDS} turns: "
        f"livez {livez.rate():.0f} req/s, poll/livez {poll_ratio:.3f}, topic/livez {topic_ratio:.3f} "
        "(the topic page for a first visitor, no cookies)"
    )
    for what, cpu in (("the ceiling", bench.ceiling_cpu), ("the sessions", bench.session_cpu)):
        if cpu is not None:
            print(cpu.line(what))
            if cpu.disturbed:
                print(f"WARNING: other processes used the CPU during {what}: its figures are skewed")
    livez_cpu = bench.livez_server_cpu / len(livez.latencies) if livez.latencies else math.nan
    student_questions = bench.joined * args.questions
    session_server = bench.session_cpu.server if bench.session_cpu else math.nan
    student_cpu = session_server / student_questions if student_questions else math.nan
    cpu_ratio = student_cpu / livez_cpu if livez_cpu else math.nan
    print(
        f"server (gunicorn) CPU: {livez_cpu * 1000:.2f} ms per /livez request ({bench.livez_server_cpu:.1f} s for "
        f"{len(livez.latencies)}); {student_cpu * 1000:.2f} ms per student per question ({session_server:.1f} s "
        f"for {bench.joined} students x {args.questions} questions); ratio {cpu_ratio:.1f}"
    )
    per_question, shown_share, shown_p95 = shown_within(bench)
    print(
        f"phones with the question within {SHOWN_SECONDS:g} s of its opening: "
        + ", ".join(f"q{number} {share:.1%}" for number, share in per_question.items())
        + f"; overall {shown_share:.1%} (p95 of the delay {shown_p95:.2f} s)"
    )

    # The answers' integrity, per session and summed.
    print()
    if args.sessions == 1:
        for line in bench.rooms[0].host_lines:
            print(line)
    else:
        for number in range(1, args.questions + 1):
            answered = sum(room.answered[number] for room in bench.rooms)
            slowest = max((room.took.get(number, math.nan) for room in bench.rooms), default=math.nan)
            print(
                f"question {number}: {answered} of {bench.joined} answers sent back, "
                f"in {slowest:.1f} s in the slowest session"
            )
    lost = unacknowledged = 0
    equal_all = True
    sums = Counter()
    for room in bench.rooms:
        stored = room.stored
        if stored is None:
            equal_all = False
            continue
        room_lost = len(room.acknowledged - stored.answers)
        room_unacknowledged = len(stored.answers - room.acknowledged)
        equal = len(room.acknowledged) == len(stored.answers) == stored.responses and not room_lost
        equal_all &= equal
        lost += room_lost
        unacknowledged += room_unacknowledged
        sums.update(
            participants=stored.participants,
            expected=room.joined * args.questions,
            sent=room.sent,
            acknowledged=len(room.acknowledged),
            stored=len(stored.answers),
            responses=stored.responses,
        )
        if args.sessions > 1:
            print(
                f"  session {room.number} ({room.code}): joined {stored.participants} of {args.students}, "
                f"sent {room.sent}, acknowledged {len(room.acknowledged)}, stored {len(stored.answers)} "
                f"(responses {stored.responses}): {'equal' if equal else 'NOT EQUAL'}, lost {room_lost}"
            )
    print(f"participants joined: {sums['participants']} of {total}")
    print(
        f"answers: expected {sums['expected']}, sent {sums['sent']}, acknowledged {sums['acknowledged']}, "
        f"stored {sums['stored']} (responses {sums['responses']}): {'equal' if equal_all else 'NOT EQUAL'}"
    )
    print(f"acknowledged but not stored (lost): {lost}; stored but not acknowledged: {unacknowledged}")
    if bench.stragglers:
        print(f"students still running after the sessions ended (cancelled): {bench.stragglers}")
    errors = stats.error_count() + bench.stragglers
    if stats.problems:
        print()
        print("errors by kind (with the first reply's start):")
        for key, count in stats.problems.most_common():
            print(f"  {count:>6}  {key}")
            print(f"          {stats.examples[key][:200]!r}")

    poll_p95 = stats.category("poll").p95()
    changed_name = "changed" if stats.category("changed").latencies else "stage"
    changed_p95 = stats.category(changed_name).p95()
    answer_p95 = stats.category("answer").p95()
    stored_all = all(room.stored is not None for room in bench.rooms)
    class_size = total <= CLASS_STUDENTS
    hall_size = CLASS_STUDENTS < total <= HALL_STUDENTS
    set_for_class = "set for 300 students, or 20 x 30"
    set_for_hall = "set for 2,000 students"
    checks = [
        ("no errors", errors == 0, f"{errors}", ""),
        (
            "no lost answers (acknowledged = stored = responses)",
            stored_all and equal_all and lost == 0 and unacknowledged == 0,
            f"{lost} lost, {unacknowledged} unacknowledged",
            "",
        ),
        (
            f"poll p95 < {POLL_P95_MS} ms",
            poll_p95 < POLL_P95_MS,
            f"{poll_p95:.1f} ms",
            "" if class_size else set_for_class,
        ),
        (
            f"{changed_name} p95 < {CHANGED_P95_MS} ms",
            changed_p95 < CHANGED_P95_MS,
            f"{changed_p95:.1f} ms",
            "" if class_size else set_for_class,
        ),
        (
            f"answer p95 < {ANSWER_P95_MS} ms",
            answer_p95 < ANSWER_P95_MS,
            f"{answer_p95:.1f} ms",
            "" if class_size else set_for_class,
        ),
        (f"poll/livez >= {CEILING_RATIO}", poll_ratio >= CEILING_RATIO, f"{poll_ratio:.3f}", ""),
        (
            f"poll p95 < {HALL_POLL_P95_MS} ms",
            poll_p95 < HALL_POLL_P95_MS,
            f"{poll_p95:.1f} ms",
            "" if hall_size else set_for_hall,
        ),
        (
            f"answer p95 < {HALL_ANSWER_P95_MS / 1000:g} s",
            answer_p95 < HALL_ANSWER_P95_MS,
            f"{answer_p95:.1f} ms",
            "" if hall_size else set_for_hall,
        ),
        (
            f"{SHOWN_SHARE:.0%} of phones show each question within {SHOWN_SECONDS:g} s",
            min(per_question.values(), default=math.nan) >= SHOWN_SHARE,
            f"worst question {min(per_question.values(), default=math.nan):.1%}, overall {shown_share:.1%}",
            "" if total <= HALL_STUDENTS else set_for_hall,
        ),
        (
            f"server CPU per student per question <= {CPU_RATIO:g} x livez",
            cpu_ratio <= CPU_RATIO,
            f"{cpu_ratio:.1f}",
            "",
        ),
        (f"topic/livez >= {TOPIC_RATIO}", topic_ratio >= TOPIC_RATIO, f"{topic_ratio:.3f}", ""),
    ]
    print()
    print("targets:")
    results = []
    for label, met, value, not_applied in checks:
        if not_applied:
            print(f"  {'n/a':<5} {label}: {value} ({not_applied})")
            continue
        results.append(met)
        print(f"  {'PASS' if met else 'FAIL':<5} {label}: {value}")
    return results


# Running it


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--students", type=int, default=300, help="simulated students in each session (default 300)")
    parser.add_argument("--sessions", type=int, default=1, help="live sessions at once, each with its host (1)")
    parser.add_argument("--questions", type=int, default=5, help="single-choice questions (default 5)")
    parser.add_argument("--poll-interval", type=float, default=2.0, help="seconds between a student's polls (2)")
    parser.add_argument(
        "--answer-within", type=float, default=3.0, help="students answer 0 to this many seconds in (3)"
    )
    parser.add_argument(
        "--join-window",
        type=float,
        help="seconds over which all students join, at random moments (default: students in all / 20, min 10)",
    )
    parser.add_argument(
        "--answer-wait",
        type=float,
        help="most seconds a question waits for all answers (default: 3 request timeouts and more)",
    )
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn sync workers (2 x cores + 1)"
    )
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument(
        "--database-url",
        default="postgres://milkwar:milkwar@127.0.0.1:5432/milkwar_bench",
        help="with --postgres: a database to drop and create afresh (its name must contain 'bench')",
    )
    parser.add_argument(
        "--redis", action="store_true", help="the cache in a redis-server of its own on loopback (not the file cache)"
    )
    parser.add_argument("--concurrency", type=int, default=50, help="clients in each ceiling burst (50)")
    parser.add_argument("--burst", type=float, default=6.0, help="seconds of ceiling load for each endpoint (6)")
    parser.add_argument(
        "--request-timeout", type=float, default=30.0, help="seconds before a request counts as failed (30)"
    )
    parser.add_argument("--timeout", type=float, help="seconds the whole run may take (default 600, 800 for 2,000)")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args()
    if args.postgres and "bench" not in urllib.parse.urlsplit(args.database_url).path:
        parser.error("--database-url: the database is dropped and created afresh, so its name must contain 'bench'")
    if args.students < 1 or args.sessions < 1 or args.questions < 1:
        parser.error("--students, --sessions and --questions must be at least 1")
    total = args.students * args.sessions
    if args.timeout is None:
        args.timeout = max(600.0, total * 0.4)
    if args.join_window is None:
        args.join_window = max(10.0, total / 20)  # 20 a second: a hall typing in a code
    if args.answer_wait is None:
        # Time for the slowest student to see the question and answer, however slow the server:
        # when every request takes its longest, a poll, the stage, then the answer. Waiting less
        # would count the host's impatience as the app's errors (a late answer is refused).
        args.answer_wait = args.poll_interval + args.answer_within + 3 * args.request_timeout
    return args


async def measure(
    args: argparse.Namespace, env: dict[str, str], executor: ThreadPoolExecutor, log: Path, redis_pid: int
) -> list[bool]:
    port = free_port()
    base = f"http://{HOST}:{port}"
    bench = Bench(args, base, executor)
    bench.redis_pid = redis_pid
    teacher, quiz = await bench.orm(bench_quiz, args.questions)
    topic_url = f"{base}/topics/{await bench.orm(topic_slug)}/"
    with log.open("w") as log_file:
        server = server_start(env, port, args.workers, log_file)
    bench.server_pid = server.pid
    tasks: list[asyncio.Task] = []
    hosts: list[asyncio.Task] = []
    try:
        await server_ready(base, server)
        print(f"gunicorn: {args.workers} workers on {base}", flush=True)
        # 2,000 students at once would exceed aiohttp's default of 100 connections: no limit but the
        # server's backlog. force_close: gunicorn's sync workers close every connection anyway.
        bench.connector = aiohttp.TCPConnector(limit=0, force_close=True)

        print("ceiling: /livez, a poll and a topic page, in turns, in closed-loop bursts", flush=True)
        probe_session = await bench.orm(session_new, teacher, quiz)
        before = bench.cpu_now()
        await ceiling(bench, probe_session.code, topic_url)
        bench.ceiling_cpu = bench.cpu_since(before)
        await bench.orm(host_move, probe_session, "finish", args.questions)

        for number in range(1, args.sessions + 1):
            room = Room(bench, number)
            room.session = await bench.orm(session_new, teacher, quiz)
            room.code = room.session.code
            room.students = [Student(bench, room, student) for student in range(1, args.students + 1)]
            bench.rooms.append(room)
        codes = ", ".join(room.code for room in bench.rooms)
        print(
            f"session{'s' if args.sessions > 1 else ''} {codes}: {args.sessions * args.students} students "
            f"join over {args.join_window:g} s",
            flush=True,
        )
        before = bench.cpu_now()
        tasks = [asyncio.create_task(student.run()) for room in bench.rooms for student in room.students]
        hosts = [asyncio.create_task(host(room)) for room in bench.rooms]
        await asyncio.gather(*hosts)
        # After the finish, each student stops at its next poll (286) and reads its results:
        # one or two requests, each of which has the request timeout to succeed or fail.
        done, pending = await asyncio.wait(tasks, timeout=args.poll_interval + 2 * args.request_timeout + 5)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        bench.stragglers = len(pending)
        failures = [task.exception() for task in done if task.exception() is not None]
        if failures:
            raise BenchError(f"{len(failures)} simulated students crashed; the first: {failures[0]!r}") from failures[0]
        bench.session_cpu = bench.cpu_since(before)
        for room in bench.rooms:
            room.stored = await bench.orm(answers_stored, room.session)
    finally:
        # When the time ran out or a host failed: hosts and students stop before their sessions close.
        for task in hosts + tasks:
            task.cancel()
        await asyncio.gather(*hosts, *tasks, return_exceptions=True)
        for room in bench.rooms:
            for student in room.students:
                await student.close()
        if bench.connector is not None:
            await bench.connector.close()
        server_stop(server)
    results = report(bench)
    if (bench.stats.error_count() or "Traceback" in log.read_text(errors="replace")) and (summary := log_summary(log)):
        print()
        print(f"gunicorn's log, summarised:\n{summary}")
    return results


def main() -> int:
    args = arguments()
    if args.redis and shutil.which("redis-server") is None:
        print("bench failed: --redis needs Debian's redis-server: apt-get install redis-server", file=sys.stderr)
        return 2
    deadline = time.monotonic() + args.timeout
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # a socket per student, and more
    workdir = Path(tempfile.mkdtemp(prefix="milkwar-bench-"))
    database_url = args.database_url if args.postgres else f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_HTTPS": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "DJANGO_CACHE_DIR": str(workdir / "cache"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SECRET_KEY_FILE", None)
    env.pop("REDIS_URL", None)  # the file cache in the temporary directory, or the Redis started below
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="orm")
    created = False
    redis: subprocess.Popen | None = None
    try:
        print(f"setting up in {workdir}", flush=True)
        if args.redis:
            # gunicorn's workers and the harness (whose host moves publish the session's stamp) share it.
            redis, env["REDIS_URL"] = redis_start(workdir)
            print(f"  redis-server (pid {redis.pid}) on {env['REDIS_URL']}", flush=True)
        if args.postgres:
            database_recreate(database_url)
            created = True
        manage(env, "migrate", "--no-input", timeout=deadline - time.monotonic())
        manage(env, "load_content", timeout=deadline - time.monotonic())
        manage(env, "collectstatic", "--no-input", "-v0", timeout=deadline - time.monotonic())
        executor.submit(django_setup, env).result()
        results = asyncio.run(
            asyncio.wait_for(
                measure(args, env, executor, workdir / "gunicorn.log", redis.pid if redis else 0),
                deadline - time.monotonic(),
            )
        )
    except (BenchError, TimeoutError, subprocess.TimeoutExpired) as error:
        message = (
            f"ran out of time ({args.timeout:g} s, --timeout)"
            if isinstance(error, TimeoutError | subprocess.TimeoutExpired)
            else str(error)
        )
        print(f"\nbench failed: {message}", file=sys.stderr)
        log = workdir / "gunicorn.log"
        if summary := log_summary(log):
            print(f"gunicorn's log, summarised:\n{summary}", file=sys.stderr)
        return 2
    except Exception:  # a bug in the harness: still exit 2, after the clean-up below
        traceback.print_exc()
        return 2
    finally:
        if "django" in sys.modules:
            executor.submit(connections_close).result()
        executor.shutdown()
        if created:
            try:
                database_recreate(database_url, create=False)
            except BenchError as error:  # cleaning up: say so, and keep the run's own outcome
                print(f"could not drop the bench database: {error}", file=sys.stderr)
        if redis is not None:
            redis_stop(redis)
        shutil.rmtree(workdir, ignore_errors=True)
    if args.strict and not all(results):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
