"""What a learner knows: mastery per topic, the facts they know and missed, their attempts and
their reviews. Reads only; each runs a fixed number of queries however many answers there are.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from explainer.models import Sentence, Topic
from quizzes import charts, mastery
from quizzes.models import Assignment, Attempt, Learner, Question, Quiz, Response, ReviewCard

HISTORY_PAGE = 20  # attempts per page of the history
CHART_POINTS = 20  # the latest quiz scores drawn in the chart


@dataclass
class TopicProgress:
    topic: Topic
    stats: mastery.TopicStats
    level: mastery.Level
    known: list[ReviewCard] = field(default_factory=list)  # the facts answered rightly last time
    missed: list[ReviewCard] = field(default_factory=list)  # and wrongly


def topic_progress(learner: Learner | None) -> list[TopicProgress]:
    """Each topic with the learner's mastery of it (see `quizzes.mastery`): three queries."""
    published = Q(facts__questions__quiz__status=Quiz.Status.PUBLISHED, facts__questions__is_draft=False)
    topics = list(Topic.objects.in_order().annotate(fact_count=Count("facts", filter=published, distinct=True)))
    cards: dict[int, dict] = {}
    recent: dict[int, list[bool]] = defaultdict(list)
    if learner is not None:
        cards = {
            row["fact__topics"]: row
            for row in learner.cards.filter(
                fact__questions__quiz__status=Quiz.Status.PUBLISHED, fact__questions__is_draft=False
            )
            .values("fact__topics")
            .annotate(
                known=Count("pk", filter=Q(last_correct=True), distinct=True),
                secure=Count("pk", filter=Q(last_correct=True, stability__gte=mastery.SECURE_DAYS), distinct=True),
            )
        }
        # The latest answers on each topic's questions, ranked newest first within each topic.
        ranked = (
            # Practice (missed questions asked again at once, the answer just seen) is not counted.
            Response.objects.filter(attempt__learner=learner, attempt__practice=False, question__topic__isnull=False)
            .annotate(
                rank=Window(RowNumber(), partition_by=F("question__topic"), order_by=[F("created_at").desc(), "-pk"])
            )
            .filter(rank__lte=mastery.RECENT)
            .values_list("question__topic", "is_correct")
        )
        for topic_id, correct in ranked:
            recent[topic_id].append(correct)
    progress = []
    for topic in topics:
        row = cards.get(topic.pk, {})
        stats = mastery.TopicStats(
            facts=topic.fact_count,
            known=min(row.get("known", 0), topic.fact_count),
            secure=min(row.get("secure", 0), topic.fact_count),
            recent_right=sum(recent[topic.pk]),
            recent_total=len(recent[topic.pk]),
        )
        progress.append(TopicProgress(topic=topic, stats=stats, level=mastery.level(stats)))
    return progress


@dataclass
class Reviews:
    due: int = 0  # facts due now
    scheduled: int = 0  # facts with a review card
    next_due: datetime | None = None  # the next one to fall due, when none is due now
    open_round: Attempt | None = None  # a review round begun and not finished
    missed: int = 0  # facts last answered wrongly whose review is still to come: to practise now


def reviews_due(learner: Learner | None, now: datetime | None = None) -> Reviews:
    if learner is None:
        return Reviews()
    now = now or timezone.now()
    # Aliases unlike the field's name: an aggregate named "due" would shadow the field in the filters.
    counts = learner.cards.reviewable().aggregate(
        due_now=Count("pk", filter=Q(due__lte=now)),
        cards=Count("pk"),
        soonest=Min("due", filter=Q(due__gt=now)),
        missed=Count("pk", filter=Q(due__gt=now, last_correct=False)),
    )
    return Reviews(
        due=counts["due_now"],
        scheduled=counts["cards"],
        next_due=counts["soonest"],
        missed=counts["missed"],
        open_round=Attempt.objects.open_review(learner).first(),
    )


def facts_sort(topics: list[TopicProgress], learner: Learner) -> None:
    """File the learner's facts under each of their topics, as known or missed, with their sources."""
    cards = learner.cards.select_related("fact").prefetch_related(
        "fact__topics", Prefetch("fact__sentences", queryset=Sentence.objects.order_by("number"))
    )
    by_topic = {item.topic.pk: item for item in topics}
    for card in cards:
        for topic in card.fact.topics.all():
            if item := by_topic.get(topic.pk):
                (item.known if card.last_correct else item.missed).append(card)


def attempts_finished(learner: Learner) -> QuerySet[Attempt]:
    """The learner's finished attempts, newest first, each with its question count."""
    return (
        Attempt.objects.filter(learner=learner, finished_at__isnull=False)
        .select_related("quiz")
        .annotate(total=Question.objects.count_of(OuterRef("quiz")))
        .order_by("-finished_at", "-pk")
    )


def score_chart(learner: Learner) -> charts.ScoreChart:
    """The latest quiz scores (review rounds left out: they ask only what was missed), oldest first."""
    latest = list(attempts_finished(learner).exclude(quiz__status=Quiz.Status.REVIEW)[:CHART_POINTS])
    return charts.score_chart(
        [
            (f"{attempt.quiz.title}, {attempt.finished_at:%d %b %Y}", round(100 * attempt.score / attempt.total))
            for attempt in reversed(latest)
            if attempt.total
        ]
    )


DUE_SOON = timedelta(days=2)


@dataclass
class Homework:
    assignment: Assignment
    status: str  # "done", "overdue", "due soon" or "open"


def homework_for(user, now: datetime | None = None) -> list[Homework]:
    """The assignments of the classes `user` is in, most urgent first: one query."""
    if not user.is_authenticated:
        return []
    now = now or timezone.now()
    mine = Attempt.objects.filter(assignment=OuterRef("pk"), learner__user=user)
    assignments = (
        Assignment.objects.filter(classroom__enrolments__student=user, quiz__status=Quiz.Status.PUBLISHED)
        .select_related("quiz", "classroom")
        .annotate(
            done=Exists(mine.filter(finished_at__isnull=False)),
            unfinished_id=Subquery(mine.filter(finished_at__isnull=True).values("public_id")[:1]),
        )
    )
    homework = []
    for assignment in assignments:
        if assignment.done:
            status = "done"
        elif assignment.due_at and assignment.due_at < now:
            status = "overdue"
        elif assignment.due_at and assignment.due_at - now <= DUE_SOON:
            status = "due soon"
        else:
            status = "open"
        homework.append(Homework(assignment=assignment, status=status))
    order = {"overdue": 0, "due soon": 1, "open": 2, "done": 3}
    return sorted(homework, key=lambda item: (order[item.status], item.assignment.due_at or now + DUE_SOON * 100))
