"""Review and practice rounds: private quizzes made for one learner, of the facts due for
review (asked afresh) or of the questions they missed (asked again, as practice)."""

import random
import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from explainer.models import Sentence
from quizzes import generation
from quizzes.models import Attempt, Learner, Question, Quiz, Response, ReviewCard, seed_new
from quizzes.services.questions import fact_input, questions_copy, questions_save

REVIEW_SIZE = 10  # questions in one review round: a few minutes' work


def review_start(*, learner: Learner, now: datetime | None = None) -> Attempt | None:
    """A review round of the learner's due facts (the most overdue first), or their open one.

    Each fact is asked by a question made afresh, of another type than last time. The round is
    a private quiz that only this learner can reach; None when nothing is due.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # One round at a time: a double click, or two tabs, wait here and find the first one's round.
        Learner.objects.select_for_update().filter(pk=learner.pk).first()
        if attempt := Attempt.objects.open_review(learner).first():
            return attempt
        return _review_round_create(learner=learner, now=now)


def _review_round_create(*, learner: Learner, now: datetime) -> Attempt | None:
    cards = list(
        learner.cards.reviewable()
        .filter(due__lte=now)
        .select_related("fact")
        .prefetch_related("fact__topics", "fact__sentences")
        .order_by("due", "pk")[:REVIEW_SIZE]
    )
    if not cards:
        return None
    seed = seed_new()
    rng = random.Random(seed)  # noqa: S311 (question variety, not a secret)
    numbers = {sentence.number for card in cards for sentence in card.fact.sentences.all()}
    sentences = dict(Sentence.objects.filter(number__in=numbers).values_list("number", "text"))
    drafts = []
    for card in cards:
        if draft := generation.review_question(fact_input(card.fact), rng, sentences, after=card.last_kind):
            drafts.append(draft)
            card.last_kind = draft.kind
    if not drafts:
        return None
    quiz = Quiz.objects.create(
        slug=f"review-{uuid.uuid4().hex}",
        title="Review",
        description="The facts due for review, each asked in a new way.",
        status=Quiz.Status.REVIEW,
        learner=learner,
        seed=seed,
    )
    questions_save(quiz=quiz, drafts=drafts)
    ReviewCard.objects.bulk_update(cards, ["last_kind"])
    return Attempt.objects.create(quiz=quiz, learner=learner)


PRACTICE_SIZE = 15  # missed questions in one practice round from the review page


def practice_start(*, learner: Learner, source: Attempt | None = None, now: datetime | None = None) -> Attempt | None:
    """A practice round: questions the learner missed, asked again at once (Quizizz's "redemption").

    From a score page (`source`), that attempt's missed questions; from the review page, the
    question last missed on each fact whose review is still to come. The round is a private
    quiz of copies, answered as practice: the answers are stored, but no review card moves and
    mastery does not count them. None when there is nothing to practise.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # One round per source: a double click or a second tab finds the first one's round.
        Learner.objects.select_for_update().filter(pk=learner.pk).first()
        slug = f"practice-{source.public_id.hex if source else 'review'}-"
        if attempt := Attempt.objects.open_practice(learner).filter(quiz__slug__startswith=slug).first():
            return attempt
        questions = _practice_questions(learner=learner, source=source, now=now)
        if not questions:
            return None
        quiz = Quiz.objects.create(
            slug=f"{slug}{uuid.uuid4().hex}"[: Quiz._meta.get_field("slug").max_length],
            title="Practice",
            description="What you missed, asked again. Practice does not change when your reviews come.",
            status=Quiz.Status.REVIEW,
            learner=learner,
            seed=seed_new(),
        )
        questions_copy(questions=questions, quiz=quiz)
        return Attempt.objects.create(quiz=quiz, learner=learner, practice=True)


def _practice_questions(*, learner: Learner, source: Attempt | None, now: datetime) -> list[Question]:
    if source is not None:
        return list(
            Question.objects.filter(responses__attempt=source, responses__is_correct=False).order_by("position", "pk")
        )
    waiting = learner.cards.reviewable().filter(last_correct=False, due__gt=now).order_by("due", "pk")
    fact_ids = list(waiting.values_list("fact_id", flat=True)[:PRACTICE_SIZE])
    misses = (
        Response.objects.filter(
            attempt__learner=learner, attempt__practice=False, is_correct=False, question__fact_id__in=fact_ids
        )
        .select_related("question")
        .order_by("-created_at", "-pk")
    )
    latest: dict[int, Question] = {}
    for response in misses[: PRACTICE_SIZE * 10]:  # bounded: the newest misses are enough
        latest.setdefault(response.question.fact_id, response.question)
    return [latest[fact_id] for fact_id in fact_ids if fact_id in latest]
