"""A learner's own progress and spaced review. Nothing here takes an id: each page shows the
learner of the request (the signed-in user's, or the guest's of this browser) and nobody else."""

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from quizzes import mastery
from quizzes.models import Attempt
from quizzes.progress import HISTORY_PAGE, attempts_finished, facts_sort, reviews_due, score_chart, topic_progress
from quizzes.services.learners import learner_for
from quizzes.services.review import practice_start, review_start


@require_safe
@never_cache
def progress_detail(request: HttpRequest) -> HttpResponse:
    learner = learner_for(request)
    topics = topic_progress(learner)
    now = timezone.now()
    context = {
        "topics": topics,
        "reviews": reviews_due(learner, now),
        "learner": learner,
        "now": now,
        "recent": mastery.RECENT,
    }
    if learner is not None:
        facts_sort(topics, learner)
        context["history"] = Paginator(attempts_finished(learner), HISTORY_PAGE).get_page(request.GET.get("page"))
        context["chart"] = score_chart(learner)
    return render(request, "quizzes/progress_detail.html", context)


@require_safe
@never_cache
def review_detail(request: HttpRequest) -> HttpResponse:
    learner = learner_for(request)
    return render(
        request,
        "quizzes/review_detail.html",
        {"reviews": reviews_due(learner), "learner": learner},
    )


@require_POST
def review_begin(request: HttpRequest) -> HttpResponse:
    learner = learner_for(request)
    attempt = review_start(learner=learner) if learner else None
    if attempt is None:
        messages.info(request, "Nothing is due for review right now.")
        return redirect("quizzes:review")
    return redirect("quizzes:attempt", attempt.public_id)


@require_POST
def practice_begin(request: HttpRequest) -> HttpResponse:
    """Practise the questions missed: those of the finished attempt named by `attempt` (a score
    page's button), or without it the facts missed whose review is still to come (the review
    page's). Another learner's attempt, or a malformed id, is a 404."""
    learner = learner_for(request)
    source = None
    if value := request.POST.get("attempt", ""):
        try:
            public_id = uuid.UUID(value)
        except ValueError:
            raise Http404("No such attempt.") from None
        if learner is None:
            raise Http404("No such attempt.")
        source = get_object_or_404(Attempt, public_id=public_id, learner=learner, finished_at__isnull=False)
    attempt = practice_start(learner=learner, source=source) if learner else None
    if attempt is None:
        messages.info(request, "Nothing to practise: you have not missed anything that is waiting for review.")
        return redirect("quizzes:review")
    return redirect("quizzes:attempt", attempt.public_id)
