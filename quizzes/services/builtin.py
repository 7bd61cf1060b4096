"""The built-in quizzes: one per topic and the whole story, generated from the facts with a
fixed seed (`manage.py generate_quizzes`, and on `load_content`)."""

import random
from dataclasses import dataclass, field

from django.db import transaction

from explainer.models import Topic
from quizzes import generation
from quizzes.models import Question, Quiz
from quizzes.services.questions import material_load, questions_save

DEFAULT_SEED = 2009
STORY_SLUG = "the-whole-story"


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
