"""Scoring in bulk, when a question closes: every unscored answer becomes its attempt's response
and moves its review card, in a few set-based queries whatever the class size."""

import logging

from django.db import IntegrityError, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from quizzes.models import Attempt, LiveAnswer, LiveSession, Participant, Response, ReviewCard
from quizzes.services.answering import fact_reviewable

logger = logging.getLogger(__name__)


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
