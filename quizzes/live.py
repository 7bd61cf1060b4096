"""Live classroom sessions: starting, joining, answering, scoring, and what the screens read.

The state machine and the rules of time are `LiveSession`'s methods (quizzes/models/live.py). Here
are the workflows around them, and the reads the host's and students' screens make.

The database is the truth; the cache every worker shares (Redis with REDIS_URL, otherwise
files on the machine) carries what a whole class reads at once:
- a small stamp (version, status, when the question closes) that students' polls compare with
  what they show (`stamp_read`): a poll writes nothing and, when nothing changed, reads nothing else;
- per version of the session, the questions and each shared screen, rendered once for everyone
  (`per_version`), so a question opening for 2,000 phones is rendered once, not 2,000 times.

An answer is one INSERT (`answer_give`). What it means for progress and review is worked out in
bulk when the question closes (`answers_score`), in a few set-based queries whatever the class size.
"""

import hashlib
import logging
import secrets
import time
import unicodedata
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from confusables import confusable_characters
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from quizzes.generation import ordinal
from quizzes.models import (
    GRACE,
    STAMP_TIMEOUT,
    Attempt,
    FailedJoin,
    Learner,
    LiveAnswer,
    LiveSession,
    Participant,
    Question,
    Response,
    ReviewCard,
    Stamp,
    stamp_key,
)
from quizzes.services.answering import fact_reviewable

logger = logging.getLogger(__name__)

POINTS = 1000  # for a right answer
SPEED_BONUS = 500  # at most, for an instant right answer: speed never outweighs one more right answer
# Wrong codes: 20 in ten minutes from one browser, 200 from one address. A right code is never
# refused; past a limit a wrong one is answered 429, and past the address's limit every join
# must come with a ticket from the join form, at least a second old and (for a wrong code)
# used once: a person who loaded the form and typed the code has one; a guesser must load the
# form and wait for each guess, against 27⁶ (387 million) codes.
FAILED_JOIN_LIMIT = 20
FAILED_JOIN_ADDRESS_LIMIT = 200
FAILED_JOIN_WINDOW = timedelta(minutes=10)
TICKET_SALT = "quizzes.live.join"
TICKET_MIN_AGE = 1.0  # seconds
TICKET_MAX_AGE = 60 * 60
PODIUM = 3
PER_VERSION_TIMEOUT = 60 * 60  # what a session's screens share, per version (see per_version)
STANDINGS_SHOWN = 5

NO_SUCH_SESSION = "No live session has that code. Check the code on the screen and try again."
TOO_MANY_TRIES = (
    "Too many wrong codes from this network. Check the code on the screen, wait a few seconds, then try again."
)
LOCKED = "The teacher has closed this session to new players."
REMOVED = "The teacher removed you from this session."
NICKNAME_TAKEN = "Someone in this session already has that nickname. Choose another."
NOT_OPEN = "This question is not open for answers now."
TOO_LATE = "Time was up: your answer arrived after the question closed, so it was not counted."


class RefusedError(Exception):
    """A join or an answer the session cannot take; the message says why, for the student."""


# What every screen of a version shares


# What this process has already read of the shared cache. A version's values never change (a
# change of the session is a new version), so a copy here can never be stale; it only spares
# reading and unpickling the same entry for each of a class's requests. Bounded: emptied when full.
_read: dict[str, object] = {}
READ_LIMIT = 500


def per_version(session: LiveSession, name: str, compute: Callable):
    """`compute()`, once per version of the session for every worker, through the shared cache.

    When a question opens or its answer is revealed, a whole class fetches its screen within two
    seconds: what is the same for all of them is computed once, not once per phone."""
    key = f"{stamp_key(session.public_id)}:{name}:{session.version}"
    if (value := _read.get(key)) is None and (value := cache.get(key)) is None:
        value = compute()
        cache.set(key, value, PER_VERSION_TIMEOUT)
    _remember(key, value)
    return value


def _remember(key: str, value) -> None:
    if len(_read) >= READ_LIMIT:
        _read.clear()
    _read[key] = value


def session_read(public_id) -> LiveSession | None:
    """The session as its players see it now, with its quiz: the version from the stamp that
    polls read, and the row of that version once for every worker (a change of the row is a new
    version). A player's request reads no session row of its own."""
    stamp = stamp_read(public_id)
    if stamp is None:
        return None
    key = f"{stamp_key(public_id)}:row:{stamp.version}"
    if (session := _read.get(key)) is None and (session := cache.get(key)) is None:
        session = LiveSession.objects.select_related("quiz").filter(public_id=public_id).first()
        if session is None or session.version != stamp.version:
            return session  # the stamp is a moment behind the database: this row, for this request only
        cache.set(key, session, PER_VERSION_TIMEOUT)
    _remember(key, session)
    return session


def removed(session: LiveSession) -> frozenset[int]:
    """The participants the host has removed (each removal is a new version)."""
    return per_version(
        session, "removed", lambda: frozenset(session.participants.filter(removed=True).values_list("pk", flat=True))
    )


def session_questions(session: LiveSession) -> list[Question]:
    """The questions of the session's quiz, in order, ready to be asked and graded (with
    `quizzes.answers.with_sources` for the one whose answer is shown). Read once per version of
    the session: a teacher's edit to a question shows from the session's next step."""

    def read() -> list[Question]:
        return list(session.quiz.questions.accepted().select_related("fact", "topic").prefetch_related("options"))

    return per_version(session, "questions", read)


@dataclass(frozen=True)
class Marker:
    """How an option is named on the projector and on every phone alike: a letter, a shape and
    a colour, so that "I answered B" means one thing in the room (and colour is never alone)."""

    letter: str
    shape: str
    colour: str


CHOICE_KINDS = {Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.TRUE_FALSE}
SHAPES = ("▲", "◆", "●", "■", "★", "⬟")
COLOURS = ("red", "blue", "amber", "green", "purple", "teal")


def marker(index: int) -> Marker:
    """The marker of the option shown `index`-th (from 0) in the session's order."""
    return Marker(chr(ord("A") + index % 26), SHAPES[index % len(SHAPES)], COLOURS[index % len(COLOURS)])


@dataclass(frozen=True)
class Tile:
    marker: Marker
    text: str
    is_key: bool
    option_id: int  # for the server's counts only: never written into a page


def tiles(session: LiveSession, question: Question) -> list[Tile]:
    """A choice question's options in the session's order, each with its marker (options prefetched)."""
    if question.kind not in CHOICE_KINDS:
        return []
    options = session.deck().shuffled(question, question.options.all())
    return [Tile(marker(index), option.text, option.is_correct, option.pk) for index, option in enumerate(options)]


def chosen(session: LiveSession, question: Question, answer: dict) -> list[tuple[Marker, str]]:
    """A choice answer as the room names it: B (and its text), B and D… (options prefetched)."""
    picked = set(answer.get("options", []))
    return [(tile.marker, tile.text) for tile in tiles(session, question) if tile.option_id in picked]


# Running the session


def session_create(*, quiz, host, **options) -> LiveSession:
    """A new session in its lobby, with a join code no other active session has."""
    for _ in range(10):
        try:
            with transaction.atomic():
                return LiveSession.objects.create(quiz=quiz, host=host, **options)
        except IntegrityError:  # the code is taken by an active session: 1 in ~10⁸ per session
            continue
    raise RuntimeError("Could not find a free join code")


HOST_ACTIONS = {"start", "close", "reveal", "standings", "next", "finish", "lock", "unlock"}


def host_act(*, session: LiveSession, action: str, seen: int | None = None) -> bool:
    """A host's button: move the session (once, however often it is pressed; see `seen` in
    LiveSession._move), and score the answers a closed question has. Returns whether it moved."""
    match action:
        case "start":
            return session.start(seen=seen)
        case "close":
            moved = session.close(seen=seen)
        case "reveal":
            moved = session.reveal(seen=seen)
        case "standings":
            return session.standings_show(seen=seen)
        case "next":  # after the last question, once it is revealed: the results
            if not session.has_next(len(session_questions(session))):
                return session.status in LiveSession.ANSWER_SHOWN and session_finish(session=session, seen=seen)
            moved = session.advance(total=len(session_questions(session)), seen=seen)
        case "finish":
            return session_finish(session=session, seen=seen)
        case "lock" | "unlock":
            return session.lock(action == "lock")
        case _:
            raise ValueError(f"No such action: {action}")
    answers_score(session=session)
    return moved


def session_finish(*, session: LiveSession, seen: int | None = None) -> bool:
    """End the session: every answer is scored, and every participant's attempt is finished with
    its score, so it counts in their progress like any quiz (questions left unanswered count as
    not right)."""
    with transaction.atomic():
        if not session.finish(seen=seen):
            return False
        answers_score(session=session)
    return True


IDLE_AFTER = timedelta(days=1)


def sessions_end_idle(*, idle: timedelta = IDLE_AFTER, now: datetime | None = None) -> list[LiveSession]:
    """End every lobby or session in which nothing has happened for `idle`: no question opened,
    nobody joined, moved on or answered. Ended like any session (answers scored, attempts
    finished), which frees its code for a new one. Returns the sessions ended."""
    since = (now or timezone.now()) - idle
    recent = Q(joined_at__gt=since) | Q(opened_at__gt=since)
    busy_players = Participant.objects.filter(recent, session=OuterRef("pk"))
    busy_answers = LiveAnswer.objects.filter(participant__session=OuterRef("pk"), created_at__gt=since)
    idle_sessions = (
        LiveSession.objects.active()
        .filter(created_at__lte=since)
        .exclude(opened_at__gt=since)
        .exclude(Exists(busy_players))
        .exclude(Exists(busy_answers))
    )
    return [session for session in idle_sessions if session_finish(session=session)]


def _attempts_finish(session: LiveSession) -> None:
    """A finished session's attempts, finished with their score from their responses."""
    right = (
        Response.objects.filter(attempt=OuterRef("pk"), is_correct=True)
        .order_by()
        .values("attempt")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Attempt.objects.filter(participant__session=session).update(
        finished_at=Coalesce(F("finished_at"), Value(session.finished_at)),
        score=Coalesce(Subquery(right, output_field=IntegerField()), Value(0)),
    )


# Polling


def stamp_read(public_id) -> Stamp | None:
    """The session's stamp for a poll: from the cache, or (once per expiry) from the database."""
    key = stamp_key(public_id)
    stamp = cache.get(key)
    if stamp is None:
        session = LiveSession.objects.filter(public_id=public_id).only("version", "status", "closes_at").first()
        if session is None:
            return None
        stamp = session.stamp()
        # add, not set: a change committed meanwhile has written a newer stamp, which must stay.
        cache.add(key, stamp, STAMP_TIMEOUT)
    return stamp


@dataclass(frozen=True)
class HostCounts:
    joined: int
    answered: int  # answers to the question on screen (teacher-paced), or in all (student-paced)
    unscored: int

    def stamp(self, session: LiveSession, now: datetime) -> str:
        """What the host's screen shows changes also with every join and every answer."""
        return f"{session.stamp().value(now)}.{self.joined}.{self.answered}"


def host_counts(session: LiveSession, question: Question | None = None) -> HostCounts:
    """Who has joined and answered (`question`, or any), and how many answers wait to be scored:
    one query, whatever the class size."""
    answers = Q(answers__question=question) if question is not None else Q()
    counts = Participant.objects.filter(session=session, removed=False).aggregate(
        joined=Count("pk", distinct=True),
        answered=Count("answers", filter=answers),
        unscored=Count("answers", filter=Q(answers__response__isnull=True)),
    )
    return HostCounts(**counts)


def host_settle(session: LiveSession, counts: HostCounts, now: datetime) -> None:
    """The host's screen completes what a step left (a worker killed half way through scoring,
    an answer that arrived within the grace after the reveal): answers of a question no longer
    open are scored. Nothing to do costs nothing: `counts` has already been read."""
    if counts.unscored and not (session.status == LiveSession.Status.OPEN and not session.time_up(now)):
        answers_score(session=session)


def everyone_answered(session: LiveSession, counts: HostCounts) -> bool:
    """Teacher-paced: whether every player still in the session has answered the question on screen."""
    return session.is_teacher_paced and 0 < counts.joined <= counts.answered


def host_close_when_all_answered(session: LiveSession, counts: HostCounts, now: datetime) -> bool:
    """With the session's option on (the default), the open question closes by itself, and is
    scored, once every player has answered it. Done on the host's poll, from the counts it reads
    anyway: an answer stays one INSERT, whatever the class size. Returns whether it closed."""
    if not (session.close_when_all_answered and session.status == LiveSession.Status.OPEN):
        return False
    if session.time_up(now) or not everyone_answered(session, counts):
        return False
    # The version seen: if the host pressed a button meanwhile, theirs wins and this does nothing.
    return host_act(session=session, action="close", seen=session.version)


# Joining


def join_ticket() -> str:
    """A ticket for one join form: signed, with when it was issued and a nonce."""
    return signing.dumps([secrets.token_urlsafe(12), time.time()], salt=TICKET_SALT, compress=False)


def ticket_nonce(ticket: str) -> str | None:
    """The ticket's nonce if it is genuine, at least TICKET_MIN_AGE old, not expired, and not
    spent on a wrong code already; otherwise None."""
    try:
        nonce, issued = signing.loads(ticket, salt=TICKET_SALT, max_age=TICKET_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(nonce, str) or time.time() - float(issued) < TICKET_MIN_AGE:
        return None
    return None if FailedJoin.objects.filter(ticket=nonce).exists() else nonce


def join_crowded(ip: str, now: datetime | None = None) -> bool:
    """Whether this address has tried FAILED_JOIN_ADDRESS_LIMIT wrong codes lately: then every
    join from it needs a ticket (see `ticket_nonce`)."""
    now = now or timezone.now()
    recent = FailedJoin.objects.filter(ip=ip, created_at__gt=now - FAILED_JOIN_WINDOW)
    return recent.count() >= FAILED_JOIN_ADDRESS_LIMIT


def join_failed(ip: str, browser: str, ticket: str = "", now: datetime | None = None) -> bool:
    """Count a wrong code; returns whether this browser or address is now over its limit. The
    row is written before counting, in one transaction, so simultaneous guesses count each other.
    Counted in the database, so every worker (and every machine) shares the count."""
    now = now or timezone.now()
    with transaction.atomic():
        # One address's wrong codes are counted one at a time: SQLite's IMMEDIATE transactions
        # already take turns; PostgreSQL takes a lock on the address for the transaction.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"quizzes.join:{ip}"])
        FailedJoin.objects.filter(created_at__lte=now - FAILED_JOIN_WINDOW).delete()
        FailedJoin.objects.create(ip=ip, browser=browser, ticket=ticket, created_at=now)
        recent = FailedJoin.objects.filter(ip=ip, created_at__gt=now - FAILED_JOIN_WINDOW)
        counts = recent.aggregate(address=Count("pk"), browser=Count("pk", filter=Q(browser=browser)))
    return counts["browser"] > FAILED_JOIN_LIMIT or counts["address"] > FAILED_JOIN_ADDRESS_LIMIT


def browser_key(csrf_cookie: str) -> str:
    """Which browser guesses: a digest of its CSRF cookie (every form post carries it), not the secret itself."""
    return hashlib.sha256(csrf_cookie.encode()).hexdigest()[:16] if csrf_cookie else ""


@lru_cache(maxsize=4096)
def _prototype(char: str) -> str:
    """The plain letter (or digit) a character passes for, from Unicode's confusables data (the
    `confusables` package): Cyrillic "А" passes for "a". Plain ASCII stands for itself."""
    if char.isascii():
        return char
    similar = [other.casefold() for other in confusable_characters(char) or () if len(other) == 1 and other.isascii()]
    plain = [other for other in similar if other.isalpha()] or [other for other in similar if other.isdigit()]
    return min(plain) if plain else char


def nickname_key(nickname: str) -> str:
    """What a nickname looks like on the projector, for telling two apart (after Unicode TS #39's
    skeleton): without accents, case, spaces or punctuation, look-alike letters made plain.
    "Anna", "Аnna" (a Cyrillic А), "A n n a", "Ǎnna" and "ánna" are one player's name."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", nickname) if not unicodedata.combining(c)).casefold()
    skeleton = "".join(_prototype(c) for c in plain if c.isalnum())
    return skeleton or plain  # a name of punctuation alone is compared as it is


def session_find(code: str) -> LiveSession:
    """The active session with `code`. An unknown code and an ended session's are refused alike."""
    session = LiveSession.objects.active().filter(code=code).select_related("quiz").first()
    if session is None:
        raise RefusedError(NO_SUCH_SESSION)
    return session


def session_join(*, session: LiveSession, learner: Learner, nickname: str, numbered: bool = False) -> Participant:
    """`learner` in `session`: their participant from before if they had joined (a reload,
    another tab, a lost connection), or a new one with `nickname`.

    With `numbered`, a taken nickname gets a number ("Anna 2"), for signed-in students who join
    under their display name; otherwise a taken nickname is refused. Raises RefusedError.
    """
    existing = Participant.objects.filter(session=session, learner=learner).first()
    if existing is not None:
        if existing.removed:
            raise RefusedError(REMOVED)
        return existing
    if session.locked:
        raise RefusedError(LOCKED)
    candidates = [nickname] + ([f"{nickname[:17]} {n}" for n in range(2, 100)] if numbered else [])
    for candidate in candidates:
        try:
            return _participant_create(session=session, learner=learner, nickname=candidate)
        except IntegrityError:
            if again := Participant.objects.filter(session=session, learner=learner).first():
                return again  # the same student in two tabs at once
    raise RefusedError(NICKNAME_TAKEN)


def _participant_create(*, session: LiveSession, learner: Learner, nickname: str) -> Participant:
    with transaction.atomic():
        # The session's seed: the attempt's score page shows the options in the order the room saw.
        attempt = Attempt.objects.create(quiz=session.quiz, learner=learner, seed=session.seed)
        return Participant.objects.create(
            session=session,
            learner=learner,
            attempt=attempt,
            nickname=nickname,
            nickname_key=nickname_key(nickname),
            opened_at=timezone.now(),
        )


def participant_remove(*, session: LiveSession, participant_id: int) -> bool:
    """The host removes a participant: they cannot answer or rejoin, and leave the leaderboard."""
    if session.is_finished:
        return False  # the results stand as they were when it ended
    with transaction.atomic():
        if not Participant.objects.filter(session=session, pk=participant_id, removed=False).update(removed=True):
            return False
        session.bump()
    return True


# Answering


def points_for(*, correct: bool, scoring: str, elapsed: timedelta | None, limit: int | None) -> int:
    """Points for one answer, by the server's clock only. A right answer earns 1,000; with the
    speed bonus, up to 500 more, falling linearly to none as the time runs out. A wrong answer
    earns nothing, however fast."""
    if not correct:
        return 0
    if scoring != LiveSession.Scoring.SPEED or not limit or elapsed is None:
        return POINTS
    left = 1 - min(max(elapsed.total_seconds() / limit, 0.0), 1.0)
    return POINTS + round(SPEED_BONUS * left)


def _answer_window(participant: Participant, number: int, now: datetime) -> datetime | None:
    """When question `number` opened for this participant; RefusedError when it takes no answer now."""
    session = participant.session
    if participant.removed:
        raise RefusedError(REMOVED)
    if session.number_for(participant) != number:
        raise RefusedError(NOT_OPEN)
    # Teacher-paced, closed or even revealed already: an answer sent in time still counts within the grace.
    taking = LiveSession.TAKING if session.is_teacher_paced else {LiveSession.Status.OPEN}
    if session.status not in taking:
        raise RefusedError(NOT_OPEN)
    deadline = session.deadline_for(participant)
    if deadline is not None and now > deadline + GRACE:
        raise RefusedError(TOO_LATE)
    return session.opened_for(participant)


def answer_give(*, participant: Participant, question: Question, number: int, answer: dict) -> LiveAnswer:
    """Store a participant's answer to question `number` once, judged and given its points now.

    One INSERT: the participant comes with its session as this request read it, and the time
    that counts is the answer's arrival, so whatever the host does meanwhile, an answer that
    arrived in time counts. A second submission (a double click, a retry after a lost connection)
    meets the unique constraint and gets the first back, even after the question closed. Raises
    RefusedError for a question not open now, or an answer after the time (plus GRACE) ran out.
    Progress and review follow in bulk when the question closes (`answers_score`).
    """
    arrived = timezone.now()
    try:
        opened_at = _answer_window(participant, number, arrived)
    except RefusedError:
        # Refused now, but answered in time before: the retry gets its answer back.
        if given := LiveAnswer.objects.filter(participant=participant, question=question).first():
            return given
        raise
    session = participant.session
    correct = question.grade(answer)
    elapsed = arrived - opened_at if opened_at else None
    given = LiveAnswer(
        participant=participant,
        question=question,
        answer=answer,
        is_correct=correct,
        points=points_for(correct=correct, scoring=session.scoring, elapsed=elapsed, limit=session.timer),
        elapsed_ms=max(int(elapsed.total_seconds() * 1000), 0) if elapsed else None,
        created_at=arrived,
    )
    # On its own the INSERT is its own transaction; inside one (a caller's, a test's) a failed
    # INSERT must not spoil it, so it gets a savepoint there.
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            given.save(force_insert=True)
    except IntegrityError:
        if (first := LiveAnswer.objects.filter(participant=participant, question=question).first()) is None:
            raise RefusedError(REMOVED) from None  # no such player any more (their row is gone)
        return first
    return given


def participant_advance(*, participant: Participant, number: int, answered: bool) -> bool:
    """Student-paced: move on from question `number` to the next, once it is answered (`answered`)
    or its time is up: a question is not skipped. Their answer is scored as they move on."""
    session = participant.session
    if session.status != LiveSession.Status.OPEN or participant.position != number:
        return False
    if not answered and session.open_for(participant, timezone.now()):
        return False
    moved = Participant.objects.filter(pk=participant.pk, position=number).update(
        position=number + 1, opened_at=timezone.now()
    )
    participant.refresh_from_db(fields=["position", "opened_at"])
    if moved and answered:
        answers_score(session=session, participant=participant)
    return bool(moved)


# Scoring, in bulk


def answers_score(*, session: LiveSession, participant: Participant | None = None) -> int:
    """Make the session's unscored answers (or one participant's) count: each becomes its attempt's
    Response (progress) and moves the learner's review card (FSRS), exactly as answering one by
    one would, in order of arrival. A constant number of set-based queries, whatever the class size.

    Idempotent and crash-safe: one transaction that takes only answers not scored yet, with the
    session's row locked so two workers never score the same answers; a worker killed half way
    leaves nothing done, and the next step (close, reveal, next, finish, the host's poll) does
    it all. The LiveAnswer rows, the truth, are never changed but to link their response.
    Returns how many answers it scored."""
    pending = LiveAnswer.objects.filter(participant__session=session, response__isnull=True)
    if participant is not None:
        pending = pending.filter(participant=participant)
    try:
        with transaction.atomic():
            list(LiveSession.objects.select_for_update().filter(pk=session.pk).values_list("pk"))
            answers = list(
                pending.select_related("participant__attempt", "question__fact").order_by("created_at", "pk")
            )
            if answers:
                _responses_create(answers)
                _cards_record(answers)
            if session.is_finished:  # its attempts' scores, with any answer that came in as it ended
                _attempts_finish(session)
    except IntegrityError:
        # A response or card written meanwhile by another path (the same student in a normal quiz):
        # nothing here was kept; the next step scores them again.
        logger.warning("Scoring live session %s met a concurrent write; it is retried at the next step", session.pk)
        return 0
    return len(answers)


def _responses_create(answers: list[LiveAnswer]) -> None:
    """Each answer becomes its attempt's Response, linked back to it."""
    responses = Response.objects.bulk_create(
        Response(
            attempt_id=given.participant.attempt_id,
            question_id=given.question_id,
            answer=given.answer,
            is_correct=given.is_correct,
            score=1.0 if given.is_correct else 0.0,  # a live game marks all or nothing, as its points do
            created_at=given.created_at,
        )
        for given in answers
    )
    for given, response in zip(answers, responses, strict=True):
        given.response = response
    LiveAnswer.objects.bulk_update(answers, ["response"])


def _cards_record(answers: list[LiveAnswer]) -> None:
    """Each answer on a reviewable fact moves its learner's card, in order of arrival, as
    `services.answering.answer_submit` does for one answer."""
    reviewable = [given for given in answers if fact_reviewable(given.question.fact)]
    if not reviewable:
        return
    learners = {given.participant.attempt.learner_id for given in reviewable}
    facts = {given.question.fact_id for given in reviewable}
    cards = {
        (card.learner_id, card.fact_id): card
        for card in ReviewCard.objects.filter(learner_id__in=learners, fact_id__in=facts)
    }
    new = []
    for given in reviewable:
        key = (given.participant.attempt.learner_id, given.question.fact_id)
        if key not in cards:
            cards[key] = ReviewCard(learner_id=key[0], fact_id=key[1], due=given.created_at)
            new.append(cards[key])
        cards[key].record(correct=given.is_correct, when=given.created_at)
        cards[key].last_kind = given.question.kind  # the next review asks it another way
    ReviewCard.objects.bulk_create(new)
    known = [card for card in cards.values() if card.pk is not None and card not in new]
    ReviewCard.objects.bulk_update(known, [*ReviewCard.SCHEDULE_FIELDS, "last_kind"])


# Reading


@dataclass(frozen=True)
class Standing:
    rank: int
    participant_id: int
    nickname: str
    points: int
    right: int

    @property
    def place(self) -> str:
        return ordinal(self.rank)


def standings(session: LiveSession) -> list[Standing]:
    """Everyone still in the session, by points (then right answers); equal scores share a rank.
    Once answers are closed (revealed, leaderboard, finished) it is read once per version."""
    in_grace = session.closes_at is not None and timezone.now() <= session.closes_at + GRACE
    if session.status in LiveSession.SETTLED and not in_grace:
        return per_version(session, "standings", lambda: _standings_read(session))
    return _standings_read(session)


def standing_of(rows: list[Standing], participant: Participant) -> Standing | None:
    return next((row for row in rows if row.participant_id == participant.pk), None)


def place_above(rows: list[Standing], standing: Standing) -> Standing | None:
    """The nearest player placed above `standing` (the lowest of them, if several share it): the
    place to catch up with next. None for the leaders."""
    above = [row for row in rows if row.rank < standing.rank]
    return above[-1] if above else None


def standings_moved(session: LiveSession, question: Question) -> dict[int, int]:
    """Teacher-paced, on the leaderboard after `question`: how many places each player moved
    with it (up: positive), against the standings before it. Read once per version, like the
    standings; empty after the first question, when everyone started level."""
    if session.position <= 1:
        return {}

    def read() -> dict[int, int]:
        before = {row.participant_id: row.rank for row in _standings_read(session, without=question)}
        return {row.participant_id: before[row.participant_id] - row.rank for row in standings(session)}

    in_grace = session.closes_at is not None and timezone.now() <= session.closes_at + GRACE
    return read() if in_grace else per_version(session, "moved", read)


def _standings_read(session: LiveSession, without: Question | None = None) -> list[Standing]:
    right = Q(answers__is_correct=True)
    counted = None
    if without is not None:  # the standings as they were before that question
        counted = ~Q(answers__question=without)
        right &= counted
    rows = (
        Participant.objects.filter(session=session, removed=False)
        .annotate(
            total=Coalesce(Sum("answers__points", filter=counted), 0),
            right=Count("answers", filter=right),
        )
        .order_by("-total", "-right", "nickname_key", "pk")
        .values_list("pk", "nickname", "total", "right")
    )
    result: list[Standing] = []
    for index, (pk, nickname, total, right) in enumerate(rows, start=1):
        tied = result and (result[-1].points, result[-1].right) == (total, right)
        result.append(Standing(result[-1].rank if tied else index, pk, nickname, total, right))
    return result


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: int
    correct: bool
    marker: Marker | None = None


def distribution(session: LiveSession, question: Question) -> list[Bar]:
    """How the participants answered `question`: one bar per option in the session's order
    (choice questions), or right and wrong (typed, ordering and matching answers). Options must
    be prefetched."""
    answers = list(
        LiveAnswer.objects.filter(
            participant__session=session, participant__removed=False, question=question
        ).values_list("answer", "is_correct")
    )
    total = len(answers) or 1
    if choices := tiles(session, question):
        counts = dict.fromkeys((tile.option_id for tile in choices), 0)
        for answer, _ in answers:
            for pk in answer.get("options", []):
                if pk in counts:
                    counts[pk] += 1
        return [
            Bar(
                tile.text, counts[tile.option_id], round(100 * counts[tile.option_id] / total), tile.is_key, tile.marker
            )
            for tile in choices
        ]
    right = sum(correct for _, correct in answers)
    return [
        Bar("Right", right, round(100 * right / total), True),
        Bar("Not right", len(answers) - right, round(100 * (len(answers) - right) / total), False),
    ]


def grid(session: LiveSession, questions: list[Question]) -> list[tuple[Participant, list[bool | None]]]:
    """Student-paced: each participant with, per question, right (True), wrong (False) or not yet (None)."""
    participants = list(session.participants.filter(removed=False))
    marks = {
        (participant_id, question_id): correct
        for participant_id, question_id, correct in LiveAnswer.objects.filter(participant__session=session).values_list(
            "participant_id", "question_id", "is_correct"
        )
    }
    return [(p, [marks.get((p.pk, q.pk)) for q in questions]) for p in participants]


# A player's screen


@dataclass(frozen=True)
class Screen:
    """What a player's screen shows now: lobby, ask (the question, open), wait (answered or
    closed, before the reveal), answer (the key: after the reveal, or student-paced once
    answered or out of time), done (student-paced: no question left), finished or removed."""

    name: str
    number: int = 0
    question: Question | None = None
    given: LiveAnswer | None = None

    SHARED = frozenset({"lobby", "ask", "wait", "answer"})

    @property
    def shared(self) -> bool:
        """Whether the screen itself (not the player's own line above it) is the same for every
        player who sees it at this version: then it is rendered once for all of them."""
        return self.name in self.SHARED

    @property
    def key(self) -> str:
        return f"screen:{self.name}:{self.number}"


UNREAD = object()


def player_screen(participant: Participant, questions: list[Question], now: datetime, given=UNREAD) -> Screen:
    """The screen of `participant` now. `given`: their answer to the question on it, when the
    caller has it (an answer just stored); otherwise it is read (one query)."""
    session = participant.session
    if participant.removed:
        return Screen("removed")
    if session.is_finished:
        return Screen("finished")
    if session.status == LiveSession.Status.LOBBY:
        return Screen("lobby")
    number = session.number_for(participant)
    if not 1 <= number <= len(questions):
        return Screen("done", number)
    question = questions[number - 1]
    if given is UNREAD or (given is not None and given.question_id != question.pk):
        given = LiveAnswer.objects.filter(participant=participant, question=question).first()
    if session.is_teacher_paced and session.status in LiveSession.ANSWER_SHOWN:
        name = "answer"
    elif given is None and session.open_for(participant, now):
        name = "ask"
    else:
        name = "wait" if session.is_teacher_paced else "answer"
    return Screen(name, number, question, given)
