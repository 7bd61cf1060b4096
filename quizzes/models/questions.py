"""Quizzes and their questions and options: what is asked, the key, and how a question renders.

A question's options serve all six types: choices (single, multiple, true/false) mark the
correct ones; ordering lists its items in the correct order (`position`); matching pairs each
item with its `match`. What a student sees and posts never names an option by its id: see
`Attempt.token`.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from explainer.models import Fact, Sentence, Topic
from explainer.rendering import sanitise
from quizzes import generation, grading
from quizzes.interchange.markup import html_kept


class QuizQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Quiz.Status.PUBLISHED)

    def unpublish(self) -> int:
        return self.update(status=Quiz.Status.DRAFT, updated_at=timezone.now())

    def builtin(self):
        return self.filter(owner__isnull=True, learner__isnull=True)

    def reviews(self):
        return self.filter(status=Quiz.Status.REVIEW)

    def for_teacher(self, user):
        """What a teacher may see: their own quizzes and the built-in library (a superuser: all).
        Review rounds are learners' private quizzes and are never among them."""
        quizzes = self.exclude(status=Quiz.Status.REVIEW)
        if user.is_superuser:
            return quizzes
        return quizzes.filter(models.Q(owner=user) | models.Q(owner__isnull=True, learner__isnull=True))


class Quiz(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        REVIEW = "review", "Review round"  # made for one learner from their due facts; never listed

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="One or two sentences for the quiz's first page.")
    topic = models.ForeignKey(
        Topic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quizzes",
        help_text="Leave empty for a quiz on the whole story.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="quizzes",
        help_text="Empty for the built-in quizzes.",
    )
    learner = models.ForeignKey(
        "Learner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="review_quizzes",
        help_text="A review round's learner; empty for every other quiz.",
    )
    seed = models.PositiveIntegerField(null=True, blank=True, help_text="The seed it was generated with.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuizQuerySet.as_manager()

    class Meta:
        ordering = ["topic__order", "title"]
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="review", learner__isnull=False)
                | (~models.Q(status="review") & models.Q(learner__isnull=True)),
                name="a_review_round_and_only_it_has_a_learner",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.status == self.Status.REVIEW:
            return reverse("quizzes:review")
        return reverse("quizzes:detail", args=[self.slug])

    @property
    def is_review(self) -> bool:
        return self.status == self.Status.REVIEW

    def publish(self) -> None:
        """Open the quiz to students; refused while they would see no question, or one that cannot be asked."""
        questions = list(self.questions.accepted().prefetch_related("options"))
        if not questions:
            raise ValidationError(f"“{self.title}” has no question students can see yet: write or accept one first.")
        for number, question in enumerate(questions, start=1):
            if problems := question.problems():
                raise ValidationError(f"Question {number} cannot be asked yet: {' '.join(problems)}")
        self.status = self.Status.PUBLISHED
        self.save(update_fields=["status", "updated_at"])

    def unpublish(self) -> None:
        """Close the quiz to students; their answers so far are kept."""
        self.status = self.Status.DRAFT
        self.save(update_fields=["status", "updated_at"])

    @property
    def topic_title(self) -> str:
        return self.topic.title if self.topic else "The whole story"


class QuestionQuerySet(models.QuerySet):
    def accepted(self):
        """The questions students see: not drafts waiting for a teacher's review."""
        return self.filter(is_draft=False)

    def count_of(self, quiz: models.Expression):
        """A subquery: how many accepted questions the quiz `quiz` (an OuterRef) has. A subquery,
        not a join: a join with attempts grows with every attempt ever made."""
        counted = self.accepted().filter(quiz=quiz).order_by().values("quiz").annotate(n=models.Count("pk"))
        return Coalesce(models.Subquery(counted.values("n")), 0)


OLD_EMPHASIS = re.compile(r"<(/?)(b|i)(?:\s[^<>]*+)?>", re.IGNORECASE)


def _emphasis_renamed(match: re.Match) -> str:
    return f"<{match[1]}{'strong' if match[2].lower() == 'b' else 'em'}>"


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = generation.SINGLE, "Single choice"
        MULTIPLE = generation.MULTIPLE, "Multiple select"
        TRUE_FALSE = generation.TRUE_FALSE, "True or false"
        GAP_FILL = generation.GAP_FILL, "Gap-fill"
        ORDERING = generation.ORDERING, "Ordering"
        MATCHING = generation.MATCHING, "Matching"
        NUMERICAL = generation.NUMERICAL, "Numerical"

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    stem = models.TextField(help_text="The question as the student reads it.")
    accepted_answers = models.JSONField(
        default=list, blank=True, help_text="Gap-fill: every answer to accept (spellings, short forms)."
    )
    rejected_answers = models.JSONField(
        default=list, blank=True, help_text="Gap-fill: wrong answers a typed response must not name."
    )
    explanation = models.TextField(help_text="Shown after the answer: why the key is right.")
    stem_html = models.TextField(
        blank=True,
        help_text="The stem as a Moodle file wrote it in HTML; shown (sanitised) while it reads as the stem.",
    )
    name = models.CharField(
        max_length=255, blank=True, help_text="Its name in a Moodle question bank, kept for the way back."
    )
    category = models.CharField(
        max_length=500,
        blank=True,
        help_text="Its Moodle category path, when it came from another category than the quiz's own.",
    )
    accepted_weights = models.JSONField(
        default=list,
        blank=True,
        help_text="Gap-fill: the part of the marks each accepted answer is worth (0 to 1), in their order; "
        "empty: each is worth full marks.",
    )
    answer_feedback = models.JSONField(
        default=dict, blank=True, help_text="Gap-fill: what a student who typed an answer reads, by answer."
    )
    tolerances = models.JSONField(
        default=list,
        blank=True,
        help_text="Numerical: how far from each accepted number an answer may be (±), in their order.",
    )
    # A fact that questions ask is retired (Fact.quizzable), not deleted: see the fact admin.
    fact = models.ForeignKey(Fact, on_delete=models.PROTECT, null=True, blank=True, related_name="questions")
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions", help_text="Its explainer."
    )
    sentences = models.ManyToManyField(Sentence, blank=True, related_name="questions")
    source_note = models.TextField(blank=True, help_text="Where it comes from, when no article sentence says it.")
    is_draft = models.BooleanField(
        "draft",
        default=False,
        help_text="Generated and waiting for review: students do not see it until you untick this.",
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["quiz", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.stem[:70]}"

    def problems(self) -> list[str]:
        """What stops this question from being asked (options must be prefetched); empty when it can be."""
        options = [(option.text, option.is_correct, option.match) for option in self.options.all()]
        problems = generation.question_problems(self.kind, options, self.accepted_answers)
        if not self.stem.strip():
            problems.insert(0, "It has no question text.")
        return problems

    @property
    def stem_display(self) -> str:
        """The stem for a page: its HTML from Moodle, through the explainers' sanitiser, while that
        HTML still says what the stem says (an edit of the stem in the admin shows the edit); else
        the stem as text."""
        if self.stem_html and html_kept(self.stem_html, self.stem):
            # The explainers' allow-list has <strong> and <em>, not their old names.
            html = OLD_EMPHASIS.sub(_emphasis_renamed, self.stem_html)
            return mark_safe(sanitise(html))  # noqa: S308 (sanitised by nh3 just now)
        return conditional_escape(self.stem)

    @property
    def typed(self) -> bool:
        """Whether the answer is typed (gap-fill, numerical), not chosen."""
        return self.kind in generation.TYPED_KINDS

    @property
    def shuffles_options(self) -> bool:
        return self.kind in generation.SHUFFLED_KINDS

    def grade(self, answer: dict) -> bool:
        """Whether a cleaned answer (see AnswerForm) is right: full marks. Options must be prefetched."""
        return self.score(answer) >= grading.FULL - grading.EPSILON

    def score(self, answer: dict) -> float:
        """The part of the marks a cleaned answer earns, 0 to 1. A question imported with Moodle's
        weights gives part marks by Moodle's rule; any other is all or nothing. Options must be prefetched."""
        options = list(self.options.all())
        match self.kind:
            case self.Kind.NUMERICAL:
                return grading.number_score(
                    answer["text"], self.accepted_answers, self.tolerances, self.accepted_weights
                )
            case self.Kind.GAP_FILL if self.accepted_weights:
                return grading.text_score(
                    answer["text"], self.accepted_answers, self.accepted_weights, self.rejected_answers
                )
            case self.Kind.GAP_FILL:
                right = grading.text_matches(answer["text"], self.accepted_answers, self.rejected_answers)
            case self.Kind.ORDERING:
                right = grading.order_correct(answer["order"], [option.pk for option in options])
            case self.Kind.MATCHING:
                right = grading.pairs_correct({int(k): v for k, v in answer["pairs"].items()})
            case _ if any(option.weight is not None for option in options):
                return grading.choice_score(answer["options"], {o.pk: o.weight or 0.0 for o in options})
            case _:
                right = grading.choice_correct(answer["options"], [o.pk for o in options if o.is_correct])
        return 1.0 if right else 0.0

    def items(self) -> list["Option"]:
        """The options a student answers for: a matching's extra wrong matches (no text) are only
        choices on the right. Options must be prefetched."""
        options = list(self.options.all())
        return [option for option in options if option.text] if self.kind == self.Kind.MATCHING else options

    def key_text(self) -> list[str]:
        """The correct answer, as lines a student reads in the feedback."""
        options = list(self.options.all())
        match self.kind:
            case self.Kind.GAP_FILL:
                return self.accepted_answers[:1]
            case self.Kind.NUMERICAL:
                weights = self.accepted_weights or [1.0] * len(self.accepted_answers)
                best = max(range(len(self.accepted_answers)), key=lambda i: weights[i], default=None)
                if best is None:
                    return []
                tolerance = self.tolerances[best] if best < len(self.tolerances) else 0
                margin = f" ± {generation.number_written(float(tolerance))}" if tolerance else ""
                return [f"{self.accepted_answers[best]}{margin}"]
            case self.Kind.ORDERING:
                return [option.text for option in options]
            case self.Kind.MATCHING:
                return [f"{option.text} → {option.match}" for option in options if option.text]
            case _:
                return [option.text for option in options if option.is_correct]


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0, help_text="Ordering: the correct place, from 1.")
    text = models.CharField(max_length=300, blank=True)  # blank: a matching's extra wrong match
    is_correct = models.BooleanField(default=False)
    match = models.CharField(
        max_length=300,
        blank=True,
        help_text="Matching: what this item pairs with; with no text, an extra wrong match to choose from.",
    )
    feedback = models.TextField(blank=True, help_text="What a student who chose this option reads.")
    weight = models.FloatField(
        null=True,
        blank=True,
        help_text="Part marks, Moodle's way: the fraction of the marks it is worth (-1 to 1); a multiple select "
        "scores the sum of its chosen options', at least 0. Empty: all or nothing.",
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text
