"""What every screen of a version shares, read once for every worker through the shared cache:
the stamp polls compare, the session's row and questions, and each shared screen (`per_version`)."""

from collections.abc import Callable

from django.core.cache import cache

from quizzes.models import STAMP_TIMEOUT, LiveSession, Question, Stamp, stamp_key

PER_VERSION_TIMEOUT = 60 * 60  # what a session's screens share, per version (see per_version)


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
