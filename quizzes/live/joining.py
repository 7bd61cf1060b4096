"""Joining a session by code: wrong codes limited per browser and address, join tickets, look-alike
nicknames refused, players removed."""

import hashlib
import secrets
import time
import unicodedata
from datetime import datetime, timedelta
from functools import lru_cache

from confusables import confusable_characters
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from quizzes.live.refusals import LOCKED, NICKNAME_TAKEN, NO_SUCH_SESSION, REMOVED, RefusedError
from quizzes.models import Attempt, FailedJoin, Learner, LiveSession, Participant

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
