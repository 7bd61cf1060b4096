"""The home page: the story and its explainers (the reading side's), with the learner's own
homework, levels and reviews due (the practice side's). It shows both sides, so it is here."""

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from explainer.models import Topic
from explainer.reading_cache import page_key, serve
from explainer.rendering import render_markdown
from explainer.views import article_or_404
from quizzes.progress import homework_for, reviews_due, topic_progress
from quizzes.services.learners import learner_for


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    learner = learner_for(request)
    reviews = reviews_due(learner)
    # The learner's levels and due reviews, once they have answered something; their homework.
    progress = topic_progress(learner) if reviews.scheduled else []
    homework = homework_for(request.user)

    def page() -> TemplateResponse:
        article = article_or_404()
        context = {
            "article": article,
            "summary": render_markdown(article.summary).html,
            "topics": Topic.objects.in_order(),
            "progress": progress,
            "reviews": reviews,
            "homework": homework,
        }
        return TemplateResponse(request, "quizzes/home.html", context)

    if progress or homework:
        return page()  # this reader's own page, never cached
    # Nothing of theirs on it yet: the page anyone gets, from the reading pages' cache.
    return serve(request, page_key(request), page)
