"""What a teacher reads about a quiz: its preview, and the report of how students answered it.

Reads only, in a fixed number of queries however many students answered: the statistics are
computed in Python by `quizzes.analysis` from one query of attempts and one of their answers.
"""

import uuid
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import HttpResponse

from quizzes import analysis
from quizzes.answers import attempt_review, with_sources
from quizzes.forms import AnswerForm
from quizzes.models import Attempt, Classroom, Question, Quiz


def _questions(quiz: Quiz, *, drafts: bool = False) -> list[Question]:
    questions = quiz.questions.all() if drafts else quiz.questions.accepted()
    return with_sources(list(questions.select_related("topic", "fact")))


def preview_context(*, quiz: Quiz) -> dict:
    """Every question as a student sees it (drafts marked), with its key and source; nothing is saved."""
    # An attempt that is never saved: it gives the options their shuffled order and their tokens.
    attempt = Attempt(quiz=quiz, public_id=uuid.uuid4(), seed=quiz.pk or 0)
    questions = _questions(quiz, drafts=True)
    return {
        "quiz": quiz,
        "items": [
            {
                "question": question,
                "number": number,
                "form": AnswerForm(attempt=attempt, question=question, prefix=f"q{number}"),
            }
            for number, question in enumerate(questions, start=1)
        ],
        "drafts": sum(question.is_draft for question in questions),
    }


def _infos(questions: list[Question]) -> list[analysis.QuestionInfo]:
    return [
        analysis.QuestionInfo(
            id=question.pk,
            number=number,
            stem=question.stem,
            kind=question.kind,
            options=tuple(analysis.OptionInfo(o.pk, o.text, o.is_correct) for o in question.options.all()),
        )
        for number, question in enumerate(questions, start=1)
    ]


# Which of a learner's finished attempts a report counts, as Moodle's quiz reports offer.
ATTEMPT_CHOICES = {"highest": "highest score", "first": "first attempt", "last": "last attempt"}
ATTEMPTS_DEFAULT = "highest"  # Moodle's default grading method


def _counted(attempts: QuerySet, which: str = ATTEMPTS_DEFAULT) -> list[Attempt]:
    """Each learner's finished attempt that counts: by default, as in Moodle, the one with the
    highest score (the first of equals); with `which`, their first or their last. A teacher judging
    a question may prefer the first: a second try after reading the feedback says less about it."""
    chosen: dict[int, Attempt] = {}
    for attempt in (
        attempts.filter(finished_at__isnull=False)
        .select_related("learner__user", "participant")
        .prefetch_related("responses")
        .order_by("finished_at", "pk")
    ):
        kept = chosen.get(attempt.learner_id)
        if kept is None or which == "last" or (which == "highest" and (attempt.score or 0) > (kept.score or 0)):
            chosen[attempt.learner_id] = attempt
    return list(chosen.values())


def _scores(attempts: list[Attempt]) -> list[analysis.AttemptScores]:
    return [
        analysis.AttemptScores(
            attempt_id=attempt.pk,
            student=student_name(attempt),
            answers={
                response.question_id: analysis.AnswerScore(
                    correct=response.is_correct,
                    options=tuple(response.answer.get("options", ())),
                    score=response.score,
                )
                for response in attempt.responses.all()
            },
        )
        for attempt in attempts
    ]


def student_name(attempt: Attempt) -> str:
    """Who made the attempt, for the teacher: a live session's nickname, else the learner's name."""
    participant = getattr(attempt, "participant", None)  # select_related: no query
    return participant.nickname if participant else attempt.learner.name


@dataclass
class Report:
    questions: list[analysis.QuestionInfo]
    items: list[analysis.ItemStats]
    rows: list[tuple[analysis.StudentRow, Attempt]]
    not_started: list[str] = field(default_factory=list)  # for homework: students with no finished attempt
    unfinished: int = 0  # attempts begun and not finished


def report_build(
    *, quiz: Quiz, attempts: QuerySet, classroom: Classroom | None = None, which: str = ATTEMPTS_DEFAULT
) -> Report:
    questions = _infos(_questions(quiz))
    finished = _counted(attempts, which)
    scores = _scores(finished)
    by_pk = {attempt.pk: attempt for attempt in finished}
    report = Report(
        questions=questions,
        items=analysis.item_analysis(questions, scores),
        rows=[(row, by_pk[row.attempt_id]) for row in analysis.student_scores(questions, scores)],
        unfinished=attempts.filter(finished_at__isnull=True).count(),
    )
    if classroom is not None:
        done = {attempt.learner.user_id for attempt in finished}
        report.not_started = [
            enrolment.student.learner.name
            if hasattr(enrolment.student, "learner")
            else enrolment.student.get_username()
            for enrolment in classroom.enrolments.select_related("student__learner")
            if enrolment.student_id not in done
        ]
    return report


def report_csv(*, quiz: Quiz, attempts: QuerySet, name: str, which: str = ATTEMPTS_DEFAULT) -> HttpResponse:
    """The results as a CSV download, safe to open in a spreadsheet."""
    questions = _infos(_questions(quiz))
    text = analysis.results_csv(questions, _scores(_counted(attempts, which)))
    return HttpResponse(
        text,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}-results.csv"'},
    )


def attempt_rows(attempt: Attempt) -> dict:
    """One student's answers, question by question, for the teacher."""
    return {"attempt": attempt, "review": attempt_review(attempt, _questions(attempt.quiz))}
