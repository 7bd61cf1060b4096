"""Workflows of the practice side: building quizzes from drafts, starting attempts, storing
answers, scheduling reviews, and carrying a guest's progress into their account."""

import logging
import random
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count, Q, Sum, prefetch_related_objects
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from explainer.models import Fact, Member, Sentence, TimelineEvent, Topic
from quizzes import generation, grading
from quizzes.models import (
    Assignment,
    Attempt,
    Classroom,
    Enrolment,
    Learner,
    Option,
    Question,
    Quiz,
    Response,
    ReviewCard,
    seed_new,
)

logger = logging.getLogger(__name__)

LEARNER_SESSION_KEY = "learner_id"
DEFAULT_SEED = 2009
STORY_SLUG = "the-whole-story"
REVIEW_SIZE = 10  # questions in one review round: a few minutes' work


def _fact_input(fact: Fact) -> generation.FactIn:
    return generation.FactIn(
        key=fact.key,
        kind=fact.kind,
        statement=fact.statement,
        question=fact.question,
        answers=tuple(fact.answers),
        accepted=tuple(fact.accepted_spellings),
        distractors=tuple(fact.distractors),
        status=fact.status,
        topics=tuple(topic.slug for topic in fact.topics.all()),
        sentences=tuple(sentence.number for sentence in fact.sentences.all()),
        source_note=fact.source_note,
        note=fact.note,
        as_of=fact.as_of.isoformat() if fact.as_of else "",
        role=fact.role,
        quizzable=fact.quizzable,
        claimed_by=fact.claimed_by,
    )


def material_load() -> generation.Material:
    """Everything the generator may draw on, read from the database in a handful of queries."""
    facts = [_fact_input(fact) for fact in Fact.objects.prefetch_related("topics", "sentences")]
    events = [
        generation.EventIn(
            key=event.key,
            date=event.date.isoformat(),
            label=event.label,
            title=event.title,
            topic=event.topic.slug,
            sentences=tuple(sentence.number for sentence in event.sentences.all()),
        )
        for event in TimelineEvent.objects.select_related("topic").prefetch_related("sentences")
    ]
    capitals = [
        generation.Capital(code=m.code, country=m.name, city=m.capital) for m in Member.objects.order_by("name")
    ]
    return generation.Material(
        facts=tuple(facts),
        events=tuple(events),
        pair_sets=generation.pair_sets(facts, events, capitals),
        sentences=dict(Sentence.objects.values_list("number", "text")),
        texts=tuple(Topic.objects.order_by("order").values_list("body", flat=True)),
    )


def questions_save(*, quiz: Quiz, drafts: list[generation.Draft], is_draft: bool = False) -> list[Question]:
    """Append `drafts` to `quiz`, each with its fact, topic, options and source sentences; with
    `is_draft`, as drafts that students do not see until a teacher accepts them."""
    facts = {fact.key: fact for fact in Fact.objects.filter(key__in=[d.fact_key for d in drafts if d.fact_key])}
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    sentences = {sentence.number: sentence for sentence in Sentence.objects.all()}
    with transaction.atomic():
        start = quiz.questions.count()
        questions = Question.objects.bulk_create(
            Question(
                quiz=quiz,
                position=start + index,
                kind=draft.kind,
                stem=draft.stem,
                accepted_answers=list(draft.accepted),
                rejected_answers=list(draft.rejected),
                explanation=draft.explanation,
                name=draft.name,
                stem_html=draft.stem_html,
                category=draft.category,
                accepted_weights=list(draft.accepted_weights),
                tolerances=list(draft.tolerances),
                answer_feedback=dict(draft.answer_feedback),
                fact=facts.get(draft.fact_key),
                topic=topics.get(draft.topic) if draft.topic else None,
                source_note=draft.source_note,
                is_draft=is_draft,
            )
            for index, draft in enumerate(drafts, start=1)
        )
        Option.objects.bulk_create(
            Option(
                question=question,
                position=place,
                text=o.text,
                is_correct=o.correct,
                match=o.match,
                feedback=o.feedback,
                weight=o.weight,
            )
            for question, draft in zip(questions, drafts, strict=True)
            for place, o in enumerate(draft.options, start=1)
        )
        through = Question.sentences.through
        through.objects.bulk_create(
            through(question=question, sentence=sentences[number])
            for question, draft in zip(questions, drafts, strict=True)
            for number in draft.sentences
            if number in sentences
        )
    return questions


@dataclass(frozen=True)
class DefaultQuiz:
    slug: str
    title: str
    topic: str | None
    plan: dict[str, int]
    description: str
    core: tuple[str, ...] = ()  # facts the quiz must ask: the heart of the story


# The central facts (issue 15), each asked by one built-in quiz: the 2009 members, Uzbekistan at
# the summit without signing, Medvedev's "excessively politicized"; Belarus's "economic security"
# argument, Reuters' "command economy" and "tighten its grip"; the $500 million; and the "why" of
# the story: the official reasons for the loan freeze against Lukashenko's disputed one.
CORE_FACTS = {
    "csto": ("A09", "B-C10c", "B-C10f"),
    "milk-war": ("A17", "A29", "A46"),
    "union-state": ("A39", "B-M4d", "A24"),
    STORY_SLUG: ("A22a", "A03", "A14"),
}


def default_quizzes() -> list[DefaultQuiz]:
    quizzes = [
        DefaultQuiz(
            slug=topic.slug,
            title=f"Quiz: {topic.title}",
            topic=topic.slug,
            plan=generation.TOPIC_PLAN,
            description=f"A quiz on the explainer “{topic.title}”, every question traced to its source.",
            core=CORE_FACTS.get(topic.slug, ()),
        )
        for topic in Topic.objects.in_order()
    ]
    quizzes.append(
        DefaultQuiz(
            slug=STORY_SLUG,
            title="The whole story",
            topic=None,
            plan=generation.STORY_PLAN,
            description="A quiz across the CSTO, the Union State and the milk war.",
            core=CORE_FACTS[STORY_SLUG],
        )
    )
    return quizzes


@dataclass
class GenerateReport:
    created: list[Quiz] = field(default_factory=list)
    kept: list[Quiz] = field(default_factory=list)
    drafts: dict[str, list[generation.Draft]] = field(default_factory=dict)


def default_quizzes_generate(*, seed: int = DEFAULT_SEED, dry_run: bool = False) -> GenerateReport:
    """Build the built-in quizzes that do not exist yet (one per topic and the whole story).

    An existing built-in quiz is kept as it is: students may have answered it, and a teacher
    may have reviewed it. With `dry_run` nothing is written; the drafts are returned to read.
    """
    report = GenerateReport()
    existing = {quiz.slug: quiz for quiz in Quiz.objects.builtin()}
    wanted = []
    for spec in default_quizzes():
        if spec.slug in existing and not dry_run:
            report.kept.append(existing[spec.slug])
        else:
            wanted.append(spec)
    if not wanted:
        return report  # the usual case on every `load_content`: nothing to read, nothing to build
    material = material_load()
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    # A fact one built-in quiz asks, the others do not ask again; the kept quizzes count too, and
    # each quiz's core facts are left to it.
    core = {key for spec in default_quizzes() for key in spec.core}
    asked = set(  # (a kept quiz's matching and ordering items are not stored by key: they may come again)
        Question.objects.filter(quiz__in=report.kept).exclude(fact=None).values_list("fact__key", flat=True)
    )
    for spec in wanted:
        # One generator per quiz, seeded from the quiz, so that adding a topic leaves the others as they were.
        rng = random.Random(f"{seed}:{spec.slug}")  # noqa: S311 (reproducible, not secret)
        drafts = generation.quiz_generate(
            material, rng, topic=spec.topic, plan=spec.plan, first=spec.core, avoid=(asked | core) - set(spec.core)
        )
        asked.update(key for draft in drafts for key in (draft.fact_key, *draft.item_keys) if key)
        report.drafts[spec.slug] = drafts
        if dry_run:
            continue
        with transaction.atomic():
            quiz = Quiz.objects.create(
                slug=spec.slug,
                title=spec.title,
                description=spec.description,
                topic=topics.get(spec.topic) if spec.topic else None,
                status=Quiz.Status.PUBLISHED,
                seed=seed,
            )
            questions_save(quiz=quiz, drafts=drafts)
        report.created.append(quiz)
    return report


def default_quizzes_mix(*, seed: int = DEFAULT_SEED) -> list[tuple[str, generation.Mix]]:
    """What each built-in quiz's plan tests for `seed`, and all four together; writes nothing."""
    drafts = default_quizzes_generate(seed=seed, dry_run=True).drafts
    mixes = [(slug, generation.quiz_mix(quiz_drafts)) for slug, quiz_drafts in drafts.items()]
    return [*mixes, ("all built-in quizzes", generation.quiz_mix(d for ds in drafts.values() for d in ds))]


def _session_guest(request: HttpRequest) -> Learner | None:
    """The guest learner this browser's session names, if it is still a guest."""
    learner_id = request.session.get(LEARNER_SESSION_KEY)
    return Learner.objects.filter(pk=learner_id, user__isnull=True).first() if learner_id else None


def learner_for(request: HttpRequest, *, create: bool = False) -> Learner | None:
    """The learner behind `request`: the signed-in user's, or the guest's of this browser session."""
    if request.user.is_authenticated:
        if LEARNER_SESSION_KEY in request.session and not request.user.is_staff:
            learner_claim(request=request, user=request.user)  # a merge that failed at sign-in, tried again
        if create:
            return Learner.objects.get_or_create(user=request.user)[0]
        return Learner.objects.filter(user=request.user).first()
    learner = _session_guest(request)
    if learner is None and create:
        learner = Learner.objects.create()
        request.session[LEARNER_SESSION_KEY] = learner.pk
    return learner


def attempt_start(*, quiz: Quiz, learner: Learner, assignment: Assignment | None = None) -> Attempt:
    return Attempt.objects.create(quiz=quiz, learner=learner, assignment=assignment)


def fact_reviewable(fact: Fact | None) -> bool:
    """Whether answers on `fact` schedule reviews: the rule of ReviewCard.objects.reviewable(), for one fact."""
    return fact is not None and fact.quizzable and fact.status in generation.ASKED_STATUSES


def answer_submit(
    *, attempt: Attempt, question: Question, answer: dict, total: int | None = None
) -> tuple[Response, bool]:
    """Store `answer` once. Returns the response and whether this call stored it.

    A second submission (a double click, a retry, another tab) stores nothing and returns the
    first response, so the student sees the same feedback and cannot change their answer. The
    unique constraint settles a race between two requests. In the same transaction, the answer
    updates the learner's memory of the question's fact (its review card), and answering the
    last question finishes the attempt with its score (`total`, the number of questions, saves
    counting them).
    """
    # No lookup first: the view has already read the attempt's answers, and a second answer (a
    # double click, a race) meets the unique constraint and gets the stored one back below.
    try:
        with transaction.atomic():
            # The learner's row, locked: a merge into an account (learner_merge) cannot move
            # this attempt's cards from under it. After one, the attempt has a new learner.
            learner = Learner.objects.select_for_update().filter(pk=attempt.learner_id).first()
            if learner is None:
                attempt.refresh_from_db(fields=["learner"])
            score = question.score(answer)
            response = Response.objects.create(
                attempt=attempt,
                question=question,
                answer=answer,
                is_correct=score >= grading.FULL - grading.EPSILON,
                score=score,
            )
            if fact_reviewable(question.fact) and not attempt.practice:  # practice leaves the schedule alone
                # Locked: two tabs answering on the same fact must not overwrite each other's schedule.
                card, _ = ReviewCard.objects.select_for_update().get_or_create(
                    learner_id=attempt.learner_id, fact_id=question.fact_id, defaults={"due": response.created_at}
                )
                card.record(correct=response.is_correct, when=response.created_at)
                card.last_kind = question.kind  # the next review asks it another way
                card.save()
            # An answer without a score (stored another way) was marked all or nothing.
            answered = attempt.responses.aggregate(
                count=Count("pk"),
                marks=Sum("score"),
                right=Count("pk", filter=Q(score__isnull=True, is_correct=True)),
            )
            if total is None:
                total = attempt.quiz.questions.accepted().count()
            if attempt.finished_at is None and answered["count"] >= total:
                attempt.finished_at = timezone.now()
                attempt.score = grading.marks((answered["marks"] or 0.0) + answered["right"])
                attempt.save(update_fields=["finished_at", "score"])
    except IntegrityError:
        return Response.objects.get(attempt=attempt, question=question), False
    return response, True


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
        if draft := generation.review_question(_fact_input(card.fact), rng, sentences, after=card.last_kind):
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
    the sign-in still succeeds and the guest stays linked, to be merged on the next page that
    looks for the learner (`learner_for`): a failed merge must not strand the guest's progress.

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
                "Could not merge guest learner %s into user %s; will retry on the next page they open",
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


# Teachers: generating, duplicating, classes


def _material_without(quiz: Quiz, material: generation.Material) -> generation.Material:
    """The material minus the facts `quiz` already asks about: a fact is asked once per quiz."""
    asked = set(quiz.questions.exclude(fact=None).values_list("fact__key", flat=True))
    return replace(material, facts=tuple(fact for fact in material.facts if fact.key not in asked))


def questions_generate(*, quiz: Quiz, topics: list[str], kinds: list[str], count: int, seed: int) -> list[Question]:
    """Add up to `count` generated questions on `topics` (all: the whole story) to `quiz`, as
    drafts for the teacher to review. Types the facts cannot supply become single choice.
    The quiz keeps the seed of its latest generation that added questions."""
    material = _material_without(quiz, material_load())
    if topics:
        material = replace(
            material,
            facts=tuple(fact for fact in material.facts if set(fact.topics) & set(topics)),
            events=tuple(event for event in material.events if event.topic in topics),
        )
    rng = random.Random(seed)  # noqa: S311 (reproducible, not secret)
    topic = topics[0] if len(topics) == 1 else None
    drafts = generation.quiz_generate(material, rng, topic=topic, plan=generation.plan_for(kinds, count))
    with transaction.atomic():
        questions = questions_save(quiz=quiz, drafts=drafts, is_draft=True)
        if questions:
            quiz.seed = seed
            quiz.save(update_fields=["seed"])
    return questions


def questions_from_facts(*, quiz: Quiz, fact_keys: list[str], kinds: list[str], seed: int) -> list[Question]:
    """One draft question on each of exactly these facts (those the quiz does not ask yet)."""
    material = _material_without(quiz, material_load())
    wanted = set(fact_keys)
    facts = [fact for fact in material.facts if fact.key in wanted]
    rng = random.Random(seed)  # noqa: S311 (reproducible, not secret)
    drafts = generation.fact_questions(facts, rng, material.sentences, kinds=kinds)
    return questions_save(quiz=quiz, drafts=drafts, is_draft=True)


def quiz_slug_free(title: str) -> str:
    """A slug for `title` that no quiz has yet: "milk-war", then "milk-war-2", "milk-war-3", …"""
    base = slugify(title)[: Quiz._meta.get_field("slug").max_length - 4].strip("-") or "quiz"
    taken = set(Quiz.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def quiz_duplicate(*, quiz: Quiz, owner) -> Quiz:
    """A draft copy of `quiz` (its questions students see, with options and sources) for `owner`."""
    with transaction.atomic():
        copy = Quiz.objects.create(
            slug=quiz_slug_free(f"{quiz.title} copy"),
            title=f"{quiz.title} (copy)",
            description=quiz.description,
            topic=quiz.topic,
            owner=owner,
            seed=quiz.seed,
        )
        questions_copy(questions=list(quiz.questions.accepted()), quiz=copy)
    return copy


def questions_copy(*, questions: list[Question], quiz: Quiz) -> list[Question]:
    """Copies of `questions`, with their options and source sentences, as `quiz`'s, numbered from 1."""
    prefetch_related_objects(questions, "options", "sentences")
    with transaction.atomic():
        copies = Question.objects.bulk_create(
            Question(
                quiz=quiz,
                position=index,
                kind=q.kind,
                stem=q.stem,
                accepted_answers=q.accepted_answers,
                rejected_answers=q.rejected_answers,
                explanation=q.explanation,
                fact_id=q.fact_id,
                topic_id=q.topic_id,
                source_note=q.source_note,
            )
            for index, q in enumerate(questions, start=1)
        )
        Option.objects.bulk_create(
            Option(question=new, position=o.position, text=o.text, is_correct=o.is_correct, match=o.match)
            for old, new in zip(questions, copies, strict=True)
            for o in old.options.all()
        )
        through = Question.sentences.through
        through.objects.bulk_create(
            through(question=new, sentence=sentence)
            for old, new in zip(questions, copies, strict=True)
            for sentence in old.sentences.all()
        )
    return copies


def classroom_join(*, code: str, user) -> tuple[Classroom, bool]:
    """Enrol `user` in the class with `code`. Returns the class and whether they were new to it."""
    classroom = Classroom.objects.filter(code=code.strip().upper()).first()
    if classroom is None:
        raise Classroom.DoesNotExist
    _, created = Enrolment.objects.get_or_create(classroom=classroom, student=user)
    return classroom, created
