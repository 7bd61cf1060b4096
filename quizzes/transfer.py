"""Quizzes to and from files: the database side of `interchange` (GIFT and Moodle XML)."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from quizzes import interchange
from quizzes.generation import Draft, DraftOption
from quizzes.interchange import QuizData
from quizzes.models import Quiz
from quizzes.services.authoring import quiz_slug_free
from quizzes.services.questions import questions_save

IMPORTED_TITLE = "Imported quiz"  # for a file that names no quiz


def quiz_data(*, quiz: Quiz) -> QuizData:
    """`quiz` as plain data: the questions students see (not drafts waiting for review) in order,
    each with its options (ordering: in the right order)."""
    questions = quiz.questions.accepted().select_related("fact", "topic").prefetch_related("options", "sentences")
    return QuizData(
        title=quiz.title,
        description=quiz.description,
        questions=tuple(
            Draft(
                kind=question.kind,
                stem=question.stem,
                options=tuple(
                    DraftOption(
                        text=option.text,
                        correct=option.is_correct,
                        match=option.match,
                        feedback=option.feedback,
                        weight=option.weight,
                    )
                    for option in question.options.all()
                ),
                explanation=question.explanation,
                topic=question.topic.slug if question.topic else None,
                fact_key=question.fact.key if question.fact else None,
                sentences=tuple(sentence.number for sentence in question.sentences.all()),
                source_note=question.source_note,
                accepted=tuple(question.accepted_answers),
                rejected=tuple(question.rejected_answers),
                name=question.name,
                stem_html=question.stem_html,
                category=question.category,
                accepted_weights=tuple(question.accepted_weights),
                tolerances=tuple(question.tolerances),
                answer_feedback=tuple(question.answer_feedback.items()),
            )
            for question in questions
        ),
    )


def quiz_export(*, quiz: Quiz, fmt: str) -> tuple[str, list[str]]:
    """`quiz` written in `fmt` (see interchange.FORMATS), and notes on what the format could not hold."""
    return interchange.dumps(quiz_data(quiz=quiz), fmt)


def quiz_import(*, data: QuizData, owner: AbstractBaseUser) -> Quiz:
    """A new draft quiz owned by `owner` with the questions of `data`, all saved or none."""
    title = data.title.strip() or IMPORTED_TITLE
    with transaction.atomic():
        quiz = Quiz.objects.create(
            slug=quiz_slug_free(title),
            title=title,
            description=data.description,
            status=Quiz.Status.DRAFT,
            owner=owner,
        )
        questions_save(quiz=quiz, drafts=list(data.questions))
    return quiz
