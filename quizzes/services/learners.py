"""Who is learning: the learner behind a request (a signed-in student's or a browser's guest),
students' accounts, and a guest's progress carried into their account when they sign in."""

import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.http import HttpRequest

from quizzes.models import Attempt, Learner, Response, ReviewCard

logger = logging.getLogger(__name__)

LEARNER_SESSION_KEY = "learner_id"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")  # requests that only read (RFC 9110; Django's CSRF check)


def _session_guest(request: HttpRequest) -> Learner | None:
    """The guest learner this browser's session names, if it is still a guest."""
    learner_id = request.session.get(LEARNER_SESSION_KEY)
    return Learner.objects.filter(pk=learner_id, user__isnull=True).first() if learner_id else None


def learner_for(request: HttpRequest, *, create: bool = False) -> Learner | None:
    """The learner behind `request`: the signed-in user's, or the guest's of this browser session.

    A guest's progress still in a signed-in student's session (its merge failed at sign-in) is
    merged here, but only by a request that writes (a POST, or `create`): a page that only
    reads never writes, and shows the account's progress until the student's next answer,
    start or join brings the guest's in.
    """
    if request.user.is_authenticated:
        writes = create or request.method not in _SAFE_METHODS
        if writes and _merge_pending(request):
            learner_claim(request=request, user=request.user)  # a merge that failed at sign-in, tried again
        if create:
            return Learner.objects.get_or_create(user=request.user)[0]
        return Learner.objects.filter(user=request.user).first()
    learner = _session_guest(request)
    if learner is None and create:
        learner = Learner.objects.create()
        request.session[LEARNER_SESSION_KEY] = learner.pk
    return learner


def guest_unmerged(request: HttpRequest) -> Learner | None:
    """A guest whose merge into the signed-in student's account failed and waits for their next
    write (see `learner_for`): until then their attempts stay theirs to open and read."""
    return _session_guest(request) if _merge_pending(request) else None


def _merge_pending(request: HttpRequest) -> bool:
    """Whether a signed-in student's session still names a guest: a merge that failed at sign-in
    (a staff account never takes a guest's progress: see `learner_claim`)."""
    user = request.user
    return user.is_authenticated and not user.is_staff and LEARNER_SESSION_KEY in request.session


def account_create(*, username: str, password: str, display_name: str, email: str = "") -> AbstractBaseUser:
    """A student's account and its learner. The password must already have passed the validators;
    the e-mail address (optional) is where a password-reset link can be sent."""
    with transaction.atomic():
        user = get_user_model().objects.create_user(username=username, email=email, password=password)
        Learner.objects.create(user=user, display_name=display_name)
    return user


def learner_claim(*, request: HttpRequest, user: AbstractBaseUser) -> bool:
    """On a student's sign-in or sign-up (never the admin's): this browser's guest progress
    becomes the account's (see `learner_merge`).

    The browser forgets its guest only once the merge has committed. Should the merge fail,
    the sign-in still succeeds and the guest stays linked, to be merged by the next request
    that writes and looks for the learner (`learner_for`: a POST, such as starting a quiz or
    answering): a failed merge must not strand the guest's progress.

    A staff account takes no guest's progress: a teacher signing in on a student's browser
    must not carry the student's answers off. The guest stays with the browser, unmerged, and
    carries on there once the teacher signs out (`guest_kept`). Returns False in that case
    alone, so that the teacher can be told.
    """
    guest = _session_guest(request)
    if guest is not None and user.is_staff:
        return False
    if guest is not None:
        try:
            learner_merge(guest=guest, user=user)
        except DatabaseError:
            logger.exception(
                "Could not merge guest learner %s into user %s; will retry on their next write",
                guest.pk,
                user.pk,
            )
            return True
    request.session.pop(LEARNER_SESSION_KEY, None)
    return True


@contextmanager
def guest_kept(request: HttpRequest) -> Iterator[None]:
    """Around signing out, which empties the browser's session: a guest's progress the session
    still holds unmerged (a teacher signed in on a student's browser) stays with the browser."""
    guest = _session_guest(request) if LEARNER_SESSION_KEY in request.session else None
    yield
    if guest is not None:
        request.session[LEARNER_SESSION_KEY] = guest.pk


def learner_merge(*, guest: Learner, user: AbstractBaseUser) -> Learner:
    """Move everything of `guest` to `user`'s learner, losing and duplicating nothing.

    Without a learner yet, the user simply takes the guest's. Otherwise attempts (with their
    answers) and review rounds move over, and so do the review cards of facts only the guest
    had met. A fact both had met gets one card, rebuilt by replaying every answer on it, the
    guest's and the account's, in the order they were given.
    """
    with transaction.atomic():
        # Both rows locked: an answer given in another tab meanwhile waits for the merge (see answer_submit).
        locked = {row.pk: row for row in Learner.objects.select_for_update().filter(Q(user=user) | Q(pk=guest.pk))}
        learner = next((row for row in locked.values() if row.user_id == user.pk), None)
        if learner is None:
            guest.user = user
            guest.save(update_fields=["user"])
            return guest
        # One open review round is enough: a round the guest had not begun goes; a begun one is kept.
        if Attempt.objects.open_review(learner).exists():
            guest.review_quizzes.filter(attempts__finished_at__isnull=True, attempts__responses__isnull=True).delete()
        guest.attempts.update(learner=learner)
        guest.review_quizzes.update(learner=learner)
        # Live sessions the guest played go with them. In a session the account had joined too
        # (another device), the account's player stays; the guest's answers are kept in progress.
        both = learner.participations.values("session")
        guest.participations.exclude(session__in=both).update(learner=learner)
        shared = set(guest.cards.filter(fact__cards__learner=learner).values_list("fact_id", flat=True))
        guest.cards.exclude(fact_id__in=shared).update(learner=learner)
        guest.delete()
        cards_rebuild(learner=learner, fact_ids=shared)
    return learner


def cards_rebuild(*, learner: Learner, fact_ids: set[int]) -> None:
    """Replay the learner's answers on these facts, oldest first, into their review cards."""
    if not fact_ids:
        return
    answers = defaultdict(list)
    for fact_id, correct, when in (
        Response.objects.filter(attempt__learner=learner, attempt__practice=False, question__fact_id__in=fact_ids)
        .order_by("created_at", "pk")
        .values_list("question__fact_id", "is_correct", "created_at")
    ):
        answers[fact_id].append((correct, when))
    cards = list(learner.cards.filter(fact_id__in=fact_ids))
    cards = [card for card in cards if answers[card.fact_id]]  # a card with no answer left stays as it is
    for card in cards:
        given = answers[card.fact_id]
        fresh = ReviewCard(due=given[0][1])
        for correct, when in given:
            fresh.record(correct=correct, when=when)
        for name in ReviewCard.SCHEDULE_FIELDS:
            setattr(card, name, getattr(fresh, name))
    ReviewCard.objects.bulk_update(cards, ReviewCard.SCHEDULE_FIELDS)
