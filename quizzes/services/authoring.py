"""Teachers' authoring: generating draft questions into a quiz, duplicating a quiz, a free
slug for a new one, and students joining a teacher's class."""

import random
from dataclasses import replace

from django.db import transaction
from django.utils.text import slugify

from quizzes import generation
from quizzes.models import Classroom, Enrolment, Question, Quiz
from quizzes.services.questions import material_load, questions_copy, questions_save


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


def classroom_join(*, code: str, user) -> tuple[Classroom, bool]:
    """Enrol `user` in the class with `code`. Returns the class and whether they were new to it."""
    classroom = Classroom.objects.filter(code=code.strip().upper()).first()
    if classroom is None:
        raise Classroom.DoesNotExist
    _, created = Enrolment.objects.get_or_create(classroom=classroom, student=user)
    return classroom, created
