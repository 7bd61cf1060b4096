"""From the fact base to stored questions: the generator's material read from the database,
its drafts saved as a quiz's questions, and questions copied into another quiz. Shared by the
built-in quizzes, teachers' authoring, review and practice rounds, and imports."""

from django.db import transaction
from django.db.models import prefetch_related_objects

from explainer.models import Fact, Member, Sentence, TimelineEvent, Topic
from quizzes import generation
from quizzes.models import Option, Question, Quiz


def fact_input(fact: Fact) -> generation.FactIn:
    """`fact` as the generator reads it."""
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
    facts = [fact_input(fact) for fact in Fact.objects.prefetch_related("topics", "sentences")]
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
