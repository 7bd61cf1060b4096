"""Taking a quiz: starting an attempt and storing each answer once, with the review schedule
of the question's fact and the attempt's score updated in the same transaction."""

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from explainer.models import Fact
from quizzes import generation, grading
from quizzes.models import Assignment, Attempt, Learner, Question, Quiz, Response, ReviewCard


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
