"""Load benchmark for live sessions (`make bench`). A script, not a pytest module.

It starts the site under gunicorn in a fresh temporary directory (SQLite, or PostgreSQL with
--postgres), and plays one teacher-paced live session over loopback with N simulated students:
all join, all poll every two seconds, and all answer each question within a few seconds of it
opening. Then it prints, per kind of request, the throughput, latency percentiles and errors;
whether every acknowledged answer was stored; and the poll endpoint's throughput against a
trivial view (/livez) measured on the same server in the same run, which is the ceiling a poll
can reach (everything a poll adds on top is the app's own cost).

    python tests/bench.py                          # 300 students, SQLite
    python tests/bench.py --students 2000 --postgres

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
CHANGED = "live-changed"  # the htmx event a poll triggers when the screen must refresh
ACKNOWLEDGED = 'id="answer-received"'

# The pages are parsed with regular expressions only: the client shares the two cores with the
# server, and a real HTML parser would cost more than the requests it measures.
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
POLL_URL = re.compile(r'hx-get="([^"]*/poll/\?v=[^"]*)"')
QUESTION_INPUT = re.compile(r'<input[^>]*\bname="question"[^>]*\bvalue="(\d+)"')
CHOICE_INPUT = re.compile(r'<input[^>]*\bname="choice"[^>]*\bvalue="([^"]+)"')
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# The targets of the issue, for this 2-core machine.
TARGET_STUDENTS = 300  # the latency targets are set for a class of this size
POLL_P95_MS = 50
ANSWER_P95_MS = 500
CEILING_RATIO = 0.8
CEILING_ROUNDS = 3

SESSION_CATEGORIES = ["join", "page", "poll", "stage", "answer"]
CEILING_CATEGORIES = ["ceiling livez", "ceiling poll"]


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
        **kwargs,
    ) -> Reply | None:
        """The reply, recorded as a success when `ok` says so; None after a network error or timeout."""
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
        self.record(name, start, good, problem, reply.body[:300])
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
    from quizzes.services import questions_copy

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


def session_new(teacher, quiz):
    from quizzes import live

    return live.session_create(
        quiz=quiz, host=teacher, pacing="teacher", timer=None, scoring="speed", leaderboard="shown"
    )


def host_move(session, action: str, total: int) -> None:
    """What the teacher's buttons do, through the model, which publishes the new stamp to the
    cache the workers' polls read once the change commits."""
    from quizzes import live

    session.refresh_from_db()
    match action:
        case "start":
            moved = session.start()
        case "reveal":
            moved = session.reveal()
        case "advance":
            moved = session.advance(total=total)
        case "finish":
            moved = live.session_finish(session=session)
    if not moved:
        raise BenchError(f"The session did not {action} (it is {session.status}, question {session.position})")


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


# The simulated students


class Bench:
    """What the students and the host share: the server's address, the session, the counts."""

    def __init__(self, args: argparse.Namespace, base: str, executor: ThreadPoolExecutor) -> None:
        self.args = args
        self.base = base
        self.executor = executor
        self.stats = Stats()
        self.timeout = aiohttp.ClientTimeout(total=args.request_timeout)
        self.connector: aiohttp.TCPConnector | None = None
        self.code = ""
        self.joins_done = 0
        self.joined = 0
        self.answered: Counter[int] = Counter()  # answer POSTs finished (acknowledged or not), per question
        self.sent = 0
        self.acknowledged: set[tuple[str, int]] = set()
        # What the run found, for the report.
        self.stored: Stored | None = None
        self.host_lines: list[str] = []
        self.stragglers = 0
        self.ceiling_cpu: Cpu | None = None
        self.session_cpu: Cpu | None = None

    async def orm(self, function: Callable, *args):
        """Run a database call in the harness's one ORM thread, out of the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, functools.partial(function, *args))


class Student:
    """One phone: its own cookie jar (so its own Django session), over a shared connector."""

    def __init__(self, bench: Bench, number: int, stats: Stats | None = None) -> None:
        self.bench = bench
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
        self.asked: set[int] = set()
        self.answers: set[asyncio.Task] = set()

    async def close(self) -> None:
        await self.http.close()

    def csrf_cookie(self) -> str:
        return next((cookie.value for cookie in self.http.cookie_jar if cookie.key == "csrftoken"), "")

    async def run(self) -> None:
        await asyncio.sleep(random.uniform(0, self.bench.args.join_window))
        try:
            joined = await self.join(self.bench.code)
        finally:
            self.bench.joins_done += 1
        if not joined:
            return
        self.bench.joined += 1
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
        if question and choices and int(question[1]) not in self.asked:
            number = int(question[1])
            self.asked.add(number)
            token = CSRF_INPUT.search(body)
            task = asyncio.create_task(self.answer(number, choices, html.unescape(token[1]) if token else ""))
            self.answers.add(task)

    async def poll(self) -> None:
        """Poll every interval (the first at a random moment, as phones open the page at random
        times) until the server answers 286, the end of the session."""
        interval = self.bench.args.poll_interval
        loop = asyncio.get_running_loop()
        await asyncio.sleep(random.uniform(0, interval))
        next_at = loop.time()
        while True:
            reply = await self.stats.fetch(
                "poll",
                self.http,
                "GET",
                self.poll_url,
                lambda r: r.status in {204, 286} or (r.status == 200 and CHANGED in r.headers.get("HX-Trigger", "")),
                headers={"HX-Request": "true"},
            )
            if reply is not None and reply.status in {200, 286} and CHANGED in reply.headers.get("HX-Trigger", ""):
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
        bench = self.bench
        try:
            await asyncio.sleep(random.uniform(0, bench.args.answer_within))
            bench.sent += 1
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
                bench.acknowledged.add((self.nickname, number))
        finally:
            bench.answered[number] += 1


# The teacher


async def host(bench: Bench, session) -> list[str]:
    """Wait for everyone to join, then open each question, reveal it once every student who
    joined has answered (or the wait runs out), and finish. Returns a line per question."""
    args = bench.args
    while bench.joins_done < args.students:
        await asyncio.sleep(0.2)
    await asyncio.sleep(args.poll_interval + 1)  # a round of lobby polls with everyone in
    lines = []
    loop = asyncio.get_running_loop()
    for number in range(1, args.questions + 1):
        await bench.orm(host_move, session, "start" if number == 1 else "advance", args.questions)
        opened = loop.time()
        while bench.answered[number] < bench.joined and loop.time() - opened < args.answer_wait:
            await asyncio.sleep(0.2)
        lines.append(
            f"question {number}: {bench.answered[number]} of {bench.joined} answers sent back in "
            f"{loop.time() - opened:.1f} s"
        )
        print(f"  {lines[-1]}", flush=True)
        await bench.orm(host_move, session, "reveal", args.questions)
        await asyncio.sleep(args.poll_interval + 1)  # every screen shows the answer
    await bench.orm(host_move, session, "finish", args.questions)
    return lines


# The ceiling


async def burst(stats: Stats, name: str, url: str, ok: Callable[[Reply], bool], concurrency: int, seconds: float):
    """A closed loop: `concurrency` clients each send the next request as soon as the last returns."""
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as http:
        start = time.perf_counter()
        end = start + seconds

        async def client() -> None:
            while time.perf_counter() < end:
                await stats.fetch(name, http, "GET", url, ok, headers={"HX-Request": "true"})

        await asyncio.gather(*(client() for _ in range(concurrency)))
        stats.category(name).seconds += time.perf_counter() - start


async def ceiling(bench: Bench, code: str) -> None:
    """/livez and a student's poll (nothing changed: 204), in turns, on the same server.
    The poll address comes from a probe student who joined a session of its own, so the main
    session's counts stay exactly N; a poll reads only the cache, so whose session it is
    does not change its cost."""
    args = bench.args
    livez = f"{bench.base}/livez"
    probe = Student(bench, 0, stats=Stats())
    try:
        if not await probe.join(code):
            print("  the probe student could not join: no poll ceiling", flush=True)
        # A second of each, not counted, first: every worker has imported its views and opened
        # its database connection before either measurement starts.
        for url in (livez, probe.poll_url):
            if url:
                await burst(Stats(), "warm-up", url, lambda r: True, args.concurrency, 1)
        # Taking turns, a few times each, so that a change in the machine's speed (another
        # process, a CPU clocking down) weighs on both sides of the ratio alike.
        for _ in range(CEILING_ROUNDS):
            seconds = args.burst / CEILING_ROUNDS
            await burst(bench.stats, "ceiling livez", livez, lambda r: r.status == 200, args.concurrency, seconds)
            if probe.poll_url:
                unchanged = lambda r: r.status == 204  # noqa: E731 (a name keeps the call on one line)
                await burst(bench.stats, "ceiling poll", probe.poll_url, unchanged, args.concurrency, seconds)
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


def cpu_seconds(server_pid: int) -> tuple[float, float, float, float]:
    """CPU time (user and system) of gunicorn, of PostgreSQL, of every process on the machine, and
    of the kernel's interrupt handling (loopback networking, mostly), from /proc, so Linux only.
    What the server, the database and the harness do not account for is other work, which skews
    the results."""
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
    harness: float
    interrupts: float
    other: float

    def line(self, what: str) -> str:
        cores = os.cpu_count() or 1
        return (
            f"CPU during {what}, of {self.wall * cores:.0f} s on {cores} cores: gunicorn {self.server:.0f} s, "
            f"PostgreSQL {self.database:.0f} s, harness {self.harness:.0f} s, interrupts {self.interrupts:.0f} s, "
            f"other processes {self.other:.0f} s"
        )

    @property
    def disturbed(self) -> bool:
        """Whether other work took enough of the machine to skew the measurements."""
        return self.other > 0.1 * self.wall * (os.cpu_count() or 1)


def cpu_now(server_pid: int) -> tuple[float, ...]:
    return (time.perf_counter(), *cpu_seconds(server_pid), own_cpu_seconds())


def cpu_since(server_pid: int, before: tuple[float, ...]) -> Cpu:
    wall, server, database, processes, interrupts, harness = (
        now - then for now, then in zip(cpu_now(server_pid), before, strict=True)
    )
    # Per-process and machine-wide counts tick apart: a second or two either way is noise.
    other = max(processes - server - database - harness, 0.0)
    return Cpu(wall, server, database, harness, interrupts, other)


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


def report(bench: Bench) -> list[bool]:
    """Print the table, the answers' integrity and the targets; returns whether each target was met."""
    args = bench.args
    stats = bench.stats
    stored = bench.stored
    wall = bench.session_cpu.wall if bench.session_cpu else math.nan
    print()
    print(
        f"Live session: {args.students} students, {args.questions} questions, polls every {args.poll_interval:g} s, "
        f"{args.workers} gunicorn sync workers, {'PostgreSQL' if args.postgres else 'SQLite'}, {wall:.0f} s"
    )
    print()
    header = f"{'category':<15}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
    print(header)
    print("-" * len(header))
    for name in SESSION_CATEGORIES + CEILING_CATEGORIES:
        category = stats.category(name)
        ordered = sorted(category.latencies)
        p50, p95, p99 = (percentile(ordered, q) * 1000 for q in (0.50, 0.95, 0.99))
        print(
            f"{name:<15}{category.count:>8}{category.rate():>9.0f}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{category.errors:>8}"
        )
    print()
    print("join = the join POST; page = the join form and the play page (full pages); stage = the fragment")
    print("fetched after a poll said it changed; req/s = count over the span from first start to last end")
    print("(for the ceiling: over the bursts' own time).")
    print()
    livez = stats.category("ceiling livez").rate()
    poll = stats.category("ceiling poll").rate()
    ratio = poll / livez if livez and not math.isnan(poll) else math.nan
    print(
        f"ceiling: {args.concurrency} clients, {args.burst:g} s each in {CEILING_ROUNDS} turns: "
        f"livez {livez:.0f} req/s, poll {poll:.0f} req/s, poll/livez {ratio:.2f}"
    )
    for what, cpu in (("the ceiling", bench.ceiling_cpu), ("the session", bench.session_cpu)):
        if cpu is not None:
            print(cpu.line(what))
            if cpu.disturbed:
                print(f"WARNING: other processes used the CPU during {what}: its figures are skewed")
    for line in bench.host_lines:
        print(line)
    lost = unacknowledged = 0
    if stored is not None:
        lost = len(bench.acknowledged - stored.answers)
        unacknowledged = len(stored.answers - bench.acknowledged)
        equal = len(bench.acknowledged) == len(stored.answers) == stored.responses and not lost
        print(f"participants joined: {stored.participants} of {args.students}")
        print(
            f"answers: expected {bench.joined * args.questions}, sent {bench.sent}, "
            f"acknowledged {len(bench.acknowledged)}, "
            f"stored {len(stored.answers)} (responses {stored.responses}): {'equal' if equal else 'NOT EQUAL'}"
        )
        print(f"acknowledged but not stored (lost): {lost}; stored but not acknowledged: {unacknowledged}")
    if bench.stragglers:
        print(f"students still running after the session ended (cancelled): {bench.stragglers}")
    errors = stats.error_count() + bench.stragglers
    if stats.problems:
        print()
        print("errors by kind (with the first reply's start):")
        for key, count in stats.problems.most_common():
            print(f"  {count:>6}  {key}")
            print(f"          {stats.examples[key][:200]!r}")

    poll_p95 = percentile(sorted(stats.category("poll").latencies), 0.95) * 1000
    answer_p95 = percentile(sorted(stats.category("answer").latencies), 0.95) * 1000
    latency_applies = args.students <= TARGET_STUDENTS
    checks = [
        ("no errors", errors == 0, f"{errors}", True),
        (
            "no lost answers (acknowledged = stored)",
            stored is not None and lost == 0 and unacknowledged == 0,
            f"{lost} lost, {unacknowledged} unacknowledged",
            True,
        ),
        (f"poll p95 < {POLL_P95_MS} ms", poll_p95 < POLL_P95_MS, f"{poll_p95:.1f} ms", latency_applies),
        (f"answer p95 < {ANSWER_P95_MS} ms", answer_p95 < ANSWER_P95_MS, f"{answer_p95:.1f} ms", latency_applies),
        (f"poll/livez >= {CEILING_RATIO}", ratio >= CEILING_RATIO, f"{ratio:.3f}", True),
    ]
    print()
    print("targets:")
    results = []
    for label, met, value, applies in checks:
        if not applies:
            print(f"  {'n/a':<5} {label}: {value} (set for {TARGET_STUDENTS} students)")
            continue
        results.append(met)
        print(f"  {'PASS' if met else 'FAIL':<5} {label}: {value}")
    return results


# Running it


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--students", type=int, default=300, help="simulated students (default 300)")
    parser.add_argument("--questions", type=int, default=5, help="single-choice questions (default 5)")
    parser.add_argument("--poll-interval", type=float, default=2.0, help="seconds between a student's polls (2)")
    parser.add_argument(
        "--answer-within", type=float, default=3.0, help="students answer 0 to this many seconds in (3)"
    )
    parser.add_argument(
        "--join-window", type=float, help="seconds over which students join, at random moments (default N/20, min 10)"
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
    if args.timeout is None:
        args.timeout = max(600.0, args.students * 0.4)
    if args.join_window is None:
        args.join_window = max(10.0, args.students / 20)  # 20 a second: a hall typing in a code
    if args.answer_wait is None:
        # Time for the slowest student to see the question and answer, however slow the server:
        # when every request takes its longest, a poll, the stage, then the answer. Waiting less
        # would count the host's impatience as the app's errors (a late answer is refused).
        args.answer_wait = args.poll_interval + args.answer_within + 3 * args.request_timeout
    return args


async def measure(args: argparse.Namespace, env: dict[str, str], executor: ThreadPoolExecutor, log: Path) -> list[bool]:
    port = free_port()
    base = f"http://{HOST}:{port}"
    bench = Bench(args, base, executor)
    teacher, quiz = await bench.orm(bench_quiz, args.questions)
    with log.open("w") as log_file:
        server = server_start(env, port, args.workers, log_file)
    students: list[Student] = []
    tasks: list[asyncio.Task] = []
    try:
        await server_ready(base, server)
        print(f"gunicorn: {args.workers} workers on {base}", flush=True)
        # 2,000 students at once would exceed aiohttp's default of 100 connections: no limit but the
        # server's backlog. force_close: gunicorn's sync workers close every connection anyway.
        bench.connector = aiohttp.TCPConnector(limit=0, force_close=True)

        print("ceiling: /livez and a poll, in turns, in closed-loop bursts", flush=True)
        probe_session = await bench.orm(session_new, teacher, quiz)
        before = cpu_now(server.pid)
        await ceiling(bench, probe_session.code)
        bench.ceiling_cpu = cpu_since(server.pid, before)
        await bench.orm(host_move, probe_session, "finish", args.questions)

        session = await bench.orm(session_new, teacher, quiz)
        bench.code = session.code
        print(f"session {session.code}: {args.students} students join over {args.join_window:g} s", flush=True)
        before = cpu_now(server.pid)
        students = [Student(bench, number) for number in range(1, args.students + 1)]
        tasks = [asyncio.create_task(student.run()) for student in students]
        bench.host_lines = await host(bench, session)
        # After the finish, each student stops at its next poll (286) and fetches its results:
        # two requests, each of which has the request timeout to succeed or fail.
        done, pending = await asyncio.wait(tasks, timeout=args.poll_interval + 2 * args.request_timeout + 5)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        bench.stragglers = len(pending)
        failures = [task.exception() for task in done if task.exception() is not None]
        if failures:
            raise BenchError(f"{len(failures)} simulated students crashed; the first: {failures[0]!r}") from failures[0]
        bench.session_cpu = cpu_since(server.pid, before)
        bench.stored = await bench.orm(answers_stored, session)
    finally:
        for task in tasks:  # when the time ran out or the host failed: students stop before their sessions close
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for student in students:
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
    env.pop("REDIS_URL", None)  # the file cache in the temporary directory, whatever the shell has
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="orm")
    created = False
    try:
        print(f"setting up in {workdir}", flush=True)
        if args.postgres:
            database_recreate(database_url)
            created = True
        manage(env, "migrate", "--no-input", timeout=deadline - time.monotonic())
        manage(env, "load_content", timeout=deadline - time.monotonic())
        manage(env, "collectstatic", "--no-input", "-v0", timeout=deadline - time.monotonic())
        executor.submit(django_setup, env).result()
        results = asyncio.run(
            asyncio.wait_for(measure(args, env, executor, workdir / "gunicorn.log"), deadline - time.monotonic())
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
        shutil.rmtree(workdir, ignore_errors=True)
    if args.strict and not all(results):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
