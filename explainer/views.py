"""The reading side. Every page is public: the story, its explainers and the fact base are
what students read before and after a quiz. Each view runs a fixed number of queries."""

from collections import defaultdict

from django.db import DatabaseError, connection
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from explainer.models import Article, Fact, GlossaryTerm, Member, Sentence, TimelineEvent, Topic
from explainer.rendering import render_markdown
from quizzes.progress import homework_for, reviews_due, topic_progress
from quizzes.services import learner_for


def _article() -> Article:
    article = Article.objects.order_by("published").first()
    if article is None:
        raise Http404("No article has been loaded yet: run `python manage.py load_content`.")
    return article


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    article = _article()
    learner = learner_for(request)
    reviews = reviews_due(learner)
    return render(
        request,
        "explainer/home.html",
        {
            "article": article,
            "summary": render_markdown(article.summary).html,
            "topics": Topic.objects.in_order(),
            # The learner's levels and due reviews, once they have answered something.
            "progress": topic_progress(learner) if reviews.scheduled else [],
            "reviews": reviews,
            "homework": homework_for(request.user),
        },
    )


@require_safe
def article_detail(request: HttpRequest) -> HttpResponse:
    article = _article()
    topics = list(Topic.objects.in_order())
    cited_by: dict[int, list[Topic]] = defaultdict(list)
    for topic in topics:
        for number in render_markdown(topic.body).citations:
            cited_by[number].append(topic)
    facts_by_sentence: dict[int, list[Fact]] = defaultdict(list)
    for fact in (
        Fact.objects.filter(sentences__article=article)
        .prefetch_related(Prefetch("sentences", queryset=Sentence.objects.only("id", "number")))
        .distinct()
    ):
        for sentence in fact.sentences.all():
            facts_by_sentence[sentence.number].append(fact)
    sentences = [
        (sentence, cited_by.get(sentence.number, []), facts_by_sentence.get(sentence.number, []))
        for sentence in article.sentences.all()
    ]
    return render(request, "explainer/article_detail.html", {"article": article, "sentences": sentences})


@require_safe
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    rendered = render_markdown(topic.body)
    terms = {term.slug: term for term in GlossaryTerm.objects.filter(slug__in=rendered.glossary_slugs)}
    facts = topic.facts.prefetch_related("sentences").order_by("key")
    return render(
        request,
        "explainer/topic_detail.html",
        {
            "topic": topic,
            "body": rendered.html,
            "key_terms": [terms[slug] for slug in rendered.glossary_slugs if slug in terms],
            "facts": facts,
            "topics": Topic.objects.in_order(),
        },
    )


@require_safe
def glossary(request: HttpRequest) -> HttpResponse:
    terms = GlossaryTerm.objects.prefetch_related(Prefetch("topics", queryset=Topic.objects.in_order()))
    return render(request, "explainer/glossary_list.html", {"terms": terms})


@require_safe
def timeline(request: HttpRequest) -> HttpResponse:
    events = TimelineEvent.objects.select_related("topic").prefetch_related(
        Prefetch("sentences", queryset=Sentence.objects.only("id", "number"))
    )
    return render(request, "explainer/timeline_list.html", {"events": events})


@require_safe
def csto_map(request: HttpRequest) -> HttpResponse:
    return render(request, "explainer/map_detail.html", {"members": Member.objects.all()})


@require_safe
def fact_list(request: HttpRequest) -> HttpResponse:
    topics = list(Topic.objects.in_order())
    selected = request.GET.get("topic", "")
    if selected and selected not in {topic.slug for topic in topics}:
        raise Http404("No such topic.")
    facts = Fact.objects.prefetch_related(
        Prefetch("sentences", queryset=Sentence.objects.only("id", "number")),
        Prefetch("topics", queryset=Topic.objects.in_order()),
    )
    if selected:
        facts = facts.filter(topics__slug=selected)
    return render(
        request,
        "explainer/fact_list.html",
        {"facts": facts, "topics": topics, "selected": selected},
    )


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: the process answers and the database can be read. No writes, no session."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def livez(request: HttpRequest) -> HttpResponse:
    """For process monitors, and the ceiling `make bench` measures polls against: the process
    answers, reading nothing (no database, no cache, no session)."""
    return HttpResponse("ok\n", content_type="text/plain")
