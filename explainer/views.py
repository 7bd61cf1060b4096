"""The reading side. Every page is public: the story, its explainers and the fact base are
what students read before and after a quiz. Each view runs a fixed number of queries, and its
page is served from the cache until the content changes (explainer/reading_cache.py). The home
page, which shows a learner's progress too, is the practice side's (quizzes/views/home.py)."""

from collections import defaultdict

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from explainer.models import Article, Fact, GlossaryTerm, Member, Sentence, TimelineEvent, Topic
from explainer.reading_cache import cached_page
from explainer.rendering import render_markdown


def article_or_404() -> Article:
    """The story's article, or a 404 that says how to load it (also for the home page)."""
    article = Article.objects.order_by("published").first()
    if article is None:
        raise Http404("No article has been loaded yet: run `python manage.py load_content`.")
    return article


@require_safe
@cached_page()
def article_detail(request: HttpRequest) -> HttpResponse:
    article = article_or_404()
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
    return TemplateResponse(request, "explainer/article_detail.html", {"article": article, "sentences": sentences})


@require_safe
@cached_page()
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    rendered = render_markdown(topic.body)
    terms = {term.slug: term for term in GlossaryTerm.objects.filter(slug__in=rendered.glossary_slugs)}
    facts = topic.facts.prefetch_related("sentences").order_by("key")
    return TemplateResponse(
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
@cached_page()
def glossary(request: HttpRequest) -> HttpResponse:
    terms = GlossaryTerm.objects.prefetch_related(Prefetch("topics", queryset=Topic.objects.in_order()))
    return TemplateResponse(request, "explainer/glossary_list.html", {"terms": terms})


@require_safe
@cached_page()
def timeline(request: HttpRequest) -> HttpResponse:
    events = TimelineEvent.objects.select_related("topic").prefetch_related(
        Prefetch("sentences", queryset=Sentence.objects.only("id", "number"))
    )
    return TemplateResponse(request, "explainer/timeline_list.html", {"events": events})


@require_safe
@cached_page()
def csto_map(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "explainer/map_detail.html", {"members": Member.objects.all()})


@require_safe
@cached_page(query=("topic",))
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
    return TemplateResponse(
        request,
        "explainer/fact_list.html",
        {"facts": facts, "topics": topics, "selected": selected},
    )


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: the database can be read, and the cache written and read back, each
    said on a line of its own; 503 when either is down. No session, nothing written but the
    cache's probe."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = True
    except DatabaseError:
        database = False
    cache_up = cache.healthy() if hasattr(cache, "healthy") else True  # config/cache.py's backends
    lines = [f"database {'ok' if database else 'unavailable'}", f"cache {'ok' if cache_up else 'unavailable'}"]
    status = 200 if database and cache_up else 503
    return HttpResponse("\n".join(lines) + "\n", status=status, content_type="text/plain")


def livez(request: HttpRequest) -> HttpResponse:
    """For process monitors, and the ceiling `make bench` measures polls against: the process
    answers, reading nothing (no database, no cache, no session)."""
    return HttpResponse("ok\n", content_type="text/plain")
