"""Taking a quiz: one question per screen, feedback swapped in by htmx, the same flow without JavaScript.

Attempts are reached by their random public id and belong to one learner: anyone else gets
404. A question's page answers GET (the question, or its feedback once answered: a reload
shows the same state) and POST (the answer: stored once, then the feedback). An htmx request
gets the question card alone; a plain form post is redirected to the page (POST/redirect/GET).
"""

import uuid

from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from quizzes.answers import answer_rows, attempt_review, section_url, with_sources
from quizzes.forms import AnswerForm
from quizzes.models import Assignment, Attempt, Question, Quiz
from quizzes.progress import reviews_due
from quizzes.services.answering import answer_submit, attempt_start, fact_reviewable
from quizzes.services.learners import guest_unmerged, learner_for
from quizzes.views.pages import page_or_partial

FIRST_ANSWER_STANDS = "You had already answered this question; your first answer stands."


@require_safe
def quiz_list(request: HttpRequest) -> HttpResponse:
    learner = learner_for(request)
    # Subqueries, not joins: a join of attempts and questions grows with every attempt ever made.
    best = Attempt.objects.filter(quiz=OuterRef("pk"), learner=learner, finished_at__isnull=False)
    # The built-in quizzes, and a teacher's only for the students of a class it is assigned to:
    # a teacher's published quiz is open to anyone with its link, but listed to nobody else.
    listed = Q(owner__isnull=True)
    if request.user.is_authenticated:
        listed |= Q(pk__in=Assignment.objects.filter(classroom__enrolments__student=request.user).values("quiz"))
    quizzes = (
        Quiz.objects.published()
        .filter(listed)
        .select_related("topic")
        .annotate(
            question_count=Question.objects.count_of(OuterRef("pk")),
            best_score=Subquery(best.order_by("-score").values("score")[:1])
            if learner
            else Value(None, output_field=IntegerField()),
        )
    )
    return render(request, "quizzes/quiz_list.html", {"quizzes": quizzes})


def _published_quiz(slug: str) -> Quiz:
    return get_object_or_404(Quiz.objects.published().select_related("topic"), slug=slug)


@require_safe
def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = _published_quiz(slug)
    kinds = dict(Question.Kind.choices)
    mix = [
        (kinds[row["kind"]], row["count"])
        for row in quiz.questions.accepted().values("kind").annotate(count=Count("pk")).order_by("kind")
    ]
    learner = learner_for(request)
    attempts = list(quiz.attempts.filter(learner=learner).select_related("participant")[:5]) if learner else []
    unfinished = next((a for a in attempts if a.finished_at is None and not hasattr(a, "participant")), None)
    return render(
        request,
        "quizzes/quiz_detail.html",
        {
            "quiz": quiz,
            "mix": mix,
            "question_count": sum(count for _, count in mix),
            "attempts": [attempt for attempt in attempts if attempt.finished_at],
            "unfinished": unfinished,
        },
    )


def _homework(request: HttpRequest, quiz: Quiz) -> Assignment | None:
    """The assignment this start is for (a hidden field of the home page's homework list), if
    it sets this quiz to a class the signed-in student is in; 404 for any other."""
    value = request.POST.get("assignment", "")
    if not value:
        return None
    if not (value.isascii() and value.isdecimal()) or not request.user.is_authenticated:
        raise Http404("No such homework.")
    return get_object_or_404(Assignment, pk=int(value), quiz=quiz, classroom__enrolments__student=request.user)


@require_POST
def quiz_start(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = _published_quiz(slug)
    assignment = _homework(request, quiz)
    learner = learner_for(request, create=True)
    # A double click on "Start" must not leave an empty attempt behind: reuse one not yet begun.
    attempt = quiz.attempts.filter(
        learner=learner, assignment=assignment, finished_at__isnull=True, responses__isnull=True, participant=None
    ).first() or attempt_start(quiz=quiz, learner=learner, assignment=assignment)
    return redirect("quizzes:question", attempt.public_id, 1)


def _own_attempt(request: HttpRequest, attempt_id: uuid.UUID, *, live: bool = False) -> Attempt:
    """The attempt, if it belongs to whoever is asking; 404 for anyone else. A live session's
    attempt is answered only in the session (its questions open when the teacher opens them):
    here, only its score page (`live`) can be reached."""
    owners = [each for each in (learner_for(request), guest_unmerged(request)) if each is not None]
    if not owners:
        raise Http404("No such attempt.")
    attempts = Attempt.objects.select_related("quiz__topic")
    if not live:
        attempts = attempts.filter(participant__isnull=True)
    return get_object_or_404(attempts, public_id=attempt_id, learner__in=owners)


def _questions(attempt: Attempt) -> list[Question]:
    return list(attempt.quiz.questions.accepted().select_related("topic", "fact"))


@require_safe
@never_cache
def attempt_resume(request: HttpRequest, attempt_id: uuid.UUID) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    if attempt.finished_at:
        return redirect("quizzes:result", attempt.public_id)
    answered = attempt.responses.count()
    return redirect("quizzes:question", attempt.public_id, answered + 1)


def _card_context(attempt: Attempt, questions: list[Question], number: int, **extra) -> dict:
    question = questions[number - 1]
    response = extra.get("response")
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "question": question,
        "number": number,
        "total": len(questions),
        "url": reverse("quizzes:question", args=[attempt.public_id, number]),
        **extra,
    }
    if response is not None:
        rows = context["rows"] = answer_rows(attempt, question, response)
        if question.kind == Question.Kind.MATCHING:
            context["pairs_right"] = sum(row.correct for row in rows)
        context["section_url"] = section_url(question)
        context["next_url"] = (
            reverse("quizzes:question", args=[attempt.public_id, number + 1])
            if number < len(questions)
            else reverse("quizzes:result", args=[attempt.public_id])
        )
    return context


def _render_card(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    return page_or_partial(request, "quizzes/attempt_question.html", "question-card", context, status)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@vary_on_headers("HX-Request")
def attempt_question(request: HttpRequest, attempt_id: uuid.UUID, number: int) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    questions = _questions(attempt)
    if not 1 <= number <= len(questions):
        raise Http404("This quiz has no such question.")
    question = questions[number - 1]
    responses = {response.question_id: response for response in attempt.responses.all()}
    # One question at a time: a later question waits until the ones before it are answered.
    first_open = next((n for n, q in enumerate(questions, start=1) if q.pk not in responses), None)
    if first_open is not None and number > first_open:
        return redirect("quizzes:question", attempt.public_id, first_open)
    with_sources([question])

    if request.method == "POST":
        form = AnswerForm(request.POST, attempt=attempt, question=question)
        changed = False
        if question.pk in responses:
            # Answered already (a double click, a retry, another tab): the first answer stands.
            response = responses[question.pk]
            changed = form.is_valid() and form.answer() != response.answer
        elif not form.is_valid():
            return _render_card(request, _card_context(attempt, questions, number, form=form), status=400)
        else:
            response, _ = answer_submit(attempt=attempt, question=question, answer=form.answer())
        if not request.htmx:
            if changed:  # the page it redirects to cannot know: say it there, as the htmx card does
                messages.info(request, FIRST_ANSWER_STANDS)
            return redirect("quizzes:question", attempt.public_id, number)
        return _render_card(
            request,
            _card_context(attempt, questions, number, response=response, changed=changed and FIRST_ANSWER_STANDS),
        )

    if question.pk in responses:
        context = _card_context(attempt, questions, number, response=responses[question.pk])
    else:
        context = _card_context(attempt, questions, number, form=AnswerForm(attempt=attempt, question=question))
    return _render_card(request, context)


@require_safe
@never_cache
def attempt_result(request: HttpRequest, attempt_id: uuid.UUID) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id, live=True)
    if attempt.finished_at is None:
        return redirect("quizzes:attempt", attempt.public_id)
    questions = with_sources(_questions(attempt))
    review = attempt_review(attempt, questions)
    # The facts missed here whose review is still to come (a fact missed is due ten minutes later).
    # Practice leaves the schedule as it was: nothing it missed comes back because of it.
    wrong = [item for item in review if item["response"] and not item["response"].is_correct]
    missed = 0 if attempt.practice else sum(1 for item in wrong if fact_reviewable(item["question"].fact))
    return render(
        request,
        "quizzes/attempt_result.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "review": review,
            "total": len(questions),
            "missed": missed,
            "wrong": len(wrong),
            "reviews": reviews_due(attempt.learner),
        },
    )
