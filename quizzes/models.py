"""The practice side: quizzes and their questions, learners, attempts and every answer given.

A question's options serve all six types: choices (single, multiple, true/false) mark the
correct ones; ordering lists its items in the correct order (`position`); matching pairs each
item with its `match`. What a student sees and posts never names an option by its id: see
`Attempt.token`.
"""

import random
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import fsrs
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
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
        return self.kind in {self.Kind.SINGLE, self.Kind.MULTIPLE, self.Kind.ORDERING, self.Kind.MATCHING}

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


class Learner(models.Model):
    """Whoever answers: a signed-in user, or a guest known by their browser's session."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="learner"
    )
    display_name = models.CharField(max_length=40, blank=True, help_text="The name a signed-in student chose.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.user_id is None:
            return f"Guest {self.pk}"
        return self.display_name or self.user.get_username()


def seed_new() -> int:
    """A fresh seed for shuffling or generating: random, and small enough for the seed columns."""
    return secrets.randbits(31)


def _class_code() -> str:
    # No 0/O, 1/I/L, 5/S or 2/Z: a code read off a projector or a worksheet is typed right.
    return "".join(secrets.choice("ABCDEFGHJKMNPQRTUVWXY346789") for _ in range(7))


class Classroom(models.Model):
    """A teacher's class: students join it with its code, and the teacher assigns it quizzes."""

    name = models.CharField(max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="classrooms")
    code = models.CharField(max_length=12, unique=True, default=_class_code, editable=False)
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Enrolment", related_name="classes_joined", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "class"
        verbose_name_plural = "classes"

    def __str__(self) -> str:
        return self.name


class Enrolment(models.Model):
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="enrolments")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["classroom", "student"], name="one_enrolment_per_class")]

    def __str__(self) -> str:
        return f"{self.student} in {self.classroom}"


class Assignment(models.Model):
    """A quiz set as homework for a class, with an optional due date."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="assignments")
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="assignments")
    due_at = models.DateTimeField("due", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["classroom", "quiz"], name="one_assignment_per_quiz_and_class")]

    def __str__(self) -> str:
        return f"{self.quiz} for {self.classroom}"

    def clean(self) -> None:
        changed = self.pk is None or not Assignment.objects.filter(pk=self.pk, quiz_id=self.quiz_id).exists()
        if self.quiz_id and changed and self.quiz.status != Quiz.Status.PUBLISHED:
            raise ValidationError({"quiz": "Publish this quiz before you assign it: students cannot take a draft."})


class AttemptQuerySet(models.QuerySet):
    def open_review(self, learner: "Learner | None"):
        """The learner's review round in progress, if any (there is at most one; see review_start)."""
        return self.filter(learner=learner, quiz__status=Quiz.Status.REVIEW, finished_at__isnull=True, practice=False)

    def open_practice(self, learner: "Learner | None"):
        """The learner's practice rounds not finished (see practice_start)."""
        return self.filter(learner=learner, practice=True, finished_at__isnull=True)


class MarksField(models.FloatField):
    """Marks: a whole number reads as one ("7", not "7.0"), part marks to two decimals ("7.5")."""

    def from_db_value(self, value, expression, connection):
        return grading.marks(value) if value is not None else None


class Attempt(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="attempts")
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attempts",
        help_text="The homework this attempt was made for.",
    )
    seed = models.PositiveIntegerField(
        default=seed_new,
        help_text="Shuffles the options, the same on every reload; 0 keeps the author's order of "
        "choices (a live session without shuffling).",
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    score = MarksField(null=True, blank=True, help_text="Marks, once finished: one per question, part marks summed.")
    practice = models.BooleanField(
        default=False,
        help_text="Missed questions asked again at once: no review card moves, mastery ignores it.",
    )

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["learner", "quiz"])]

    def __str__(self) -> str:
        return f"{self.learner} on {self.quiz}"

    def get_absolute_url(self) -> str:
        return reverse("quizzes:attempt", args=[self.public_id])

    def token(self, option: Option, side: str = "") -> str:
        """An opaque name for an option in this attempt: no id, no order, nothing to guess from."""
        digest = salted_hmac("quizzes.option", f"{self.public_id}:{option.pk}:{side}", algorithm="sha256")
        return digest.hexdigest()[:16]

    def shuffled(self, question: Question, items: list, side: str = "") -> list:
        """`items` in this attempt's order for `question`: shuffled, and the same on every reload.

        Each `side` gets its own order, so a matching question's choices are not shuffled in step
        with its items."""
        items = list(items)
        # Seed 0 keeps the author's order of choices, but never of an ordering's events or a
        # matching's answers: that order is the key.
        in_order = not self.seed and question.kind not in {Question.Kind.ORDERING, Question.Kind.MATCHING}
        if question.shuffles_options and not in_order:
            # Display order only, not a secret: the tokens, not the order, hide the answer.
            random.Random(f"{self.seed}:{question.position}:{len(items)}:{side}").shuffle(items)  # noqa: S311
        return items


class Response(models.Model):
    """One answer to one question in one attempt: stored once, never changed."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="responses")
    answer = models.JSONField(help_text="What was given, by option id or as typed.")
    is_correct = models.BooleanField()  # full marks
    score = models.FloatField(
        null=True, blank=True, help_text="The part of the marks earned, 0 to 1; empty: all or nothing, by is_correct."
    )
    # Not auto_now_add: a live session's answers become responses in bulk, keeping their own time.
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="one_response_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt}: {self.question_id} {'right' if self.is_correct else 'wrong'}"

    @property
    def part_marks(self) -> str:
        """ "half marks", for an answer worth part of the marks; "" for one right or wrong."""
        if self.is_correct or self.score is None or self.score <= grading.EPSILON:
            return ""
        return grading.score_words(self.score)


# The FSRS scheduler (the `fsrs` package, Anki's algorithm), tuned for facts met in quizzes:
# a fact answered wrongly comes back after ten minutes, long enough to test memory rather
# than the feedback just read, and again after ten minutes each time it is missed later; a
# fact answered rightly is scheduled by its memory stability, about two days the first time
# and longer after each success. Fuzzing spreads reviews that would otherwise fall together.
SCHEDULER = fsrs.Scheduler(
    learning_steps=(timedelta(minutes=10),),
    relearning_steps=(timedelta(minutes=10),),
    enable_fuzzing=True,
)


class ReviewCardQuerySet(models.QuerySet):
    def reviewable(self):
        """Cards whose fact may still be asked: a fact since marked not quizzable (or unconfirmed) rests."""
        return self.filter(fact__quizzable=True, fact__status__in=generation.ASKED_STATUSES)


class ReviewCard(models.Model):
    """One learner's memory of one fact: FSRS's card, updated by every answer on that fact."""

    class State(models.IntegerChoices):
        LEARNING = fsrs.State.Learning.value, "Learning"
        REVIEW = fsrs.State.Review.value, "Review"
        RELEARNING = fsrs.State.Relearning.value, "Relearning"

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="cards")
    fact = models.ForeignKey(Fact, on_delete=models.PROTECT, related_name="cards")  # a learner's memory of it
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True, help_text="Days until recall falls to 90%.")
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    last_correct = models.BooleanField(default=False, help_text="Whether the latest answer was right.")
    reps = models.PositiveIntegerField(default=0, help_text="Answers given.")
    lapses = models.PositiveIntegerField(default=0, help_text="Wrong answers given.")
    last_kind = models.CharField(max_length=12, blank=True, help_text="The question type last served in review.")

    objects = ReviewCardQuerySet.as_manager()

    SCHEDULE_FIELDS = (
        "state",
        "step",
        "stability",
        "difficulty",
        "due",
        "last_review",
        "last_correct",
        "reps",
        "lapses",
    )

    class Meta:
        ordering = ["due", "pk"]
        constraints = [models.UniqueConstraint(fields=["learner", "fact"], name="one_card_per_learner_and_fact")]
        indexes = [models.Index(fields=["learner", "due"])]

    def __str__(self) -> str:
        return f"{self.learner}: {self.fact_id} due {self.due:%Y-%m-%d %H:%M}"

    def record(self, *, correct: bool, when: datetime) -> None:
        """Schedule the next review after an answer given at `when` (not saved)."""
        card = fsrs.Card(
            card_id=self.pk or 0,  # given, or fsrs makes one up from the clock and sleeps a millisecond
            state=fsrs.State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )
        card, _ = SCHEDULER.review_card(card, fsrs.Rating.Good if correct else fsrs.Rating.Again, when)
        self.state = card.state.value
        self.step = card.step
        self.stability = card.stability
        self.difficulty = card.difficulty
        self.due = card.due
        self.last_review = card.last_review
        self.last_correct = correct
        self.reps += 1
        self.lapses += not correct


# Live classroom sessions. The state machine and the rules of time are here, as model methods;
# joining, answering, scoring and the cached state that polls read are in quizzes/live.py.

# Polls read this from the cache; a change writes it there once committed. It also expires, so
# that even a write lost between two workers (see LiveSession._publish) lasts seconds, not a lesson.
STAMP_TIMEOUT = 10
# An answer sent as the timer runs out is still on the wire when it does: it counts if it
# reaches the server within this grace after the question closed.
GRACE = timedelta(seconds=2)


def stamp_key(public_id) -> str:
    return f"live:{public_id}"


@dataclass(frozen=True)
class Stamp:
    """The little a student's poll needs to know: has anything changed, and is it over?"""

    version: int
    status: str
    closes_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status == LiveSession.Status.FINISHED

    def time_up(self, now: datetime) -> bool:
        """Whether the open question's timer has run out (the question then counts as closed)."""
        return self.status == LiveSession.Status.OPEN and self.closes_at is not None and now >= self.closes_at

    def value(self, now: datetime) -> str:
        """What a screen sends back: the version, marked once the open question's time is up
        (time running out changes the screen without a write)."""
        return f"{self.version}{'t' if self.time_up(now) else ''}"


JOIN_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"  # as class codes: no 0/O, 1/I/L, 5/S or 2/Z
JOIN_CODE_LENGTH = 6


def join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class LiveSessionQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=LiveSession.Status.FINISHED)

    def for_host(self, user):
        return self if user.is_superuser else self.filter(host=user)


class LiveSession(models.Model):
    """A quiz run live in a lesson: students join with a code and answer on their phones.

    Every change of state bumps `version` with F() + 1 in a conditional UPDATE, so a
    double-clicked button or two racing requests move the session once; students' screens
    poll with the version they show (see quizzes.live).
    """

    class Pacing(models.TextChoices):
        TEACHER = "teacher", "Teacher-paced: you open each question for everyone"
        STUDENT = "student", "Student-paced: each student goes at their own speed"

    class Scoring(models.TextChoices):
        ACCURACY = "accuracy", "Accuracy only: 1,000 points for each right answer"
        SPEED = "speed", "Accuracy with a speed bonus: up to 500 more for a quick right answer"

    class Leaderboard(models.TextChoices):
        SHOWN = "shown", "After every question and at the end"
        END = "end", "Only at the end"
        HIDDEN = "hidden", "Never"

    class Status(models.TextChoices):
        LOBBY = "lobby", "Waiting for students"
        OPEN = "open", "Question open"
        CLOSED = "closed", "Question closed"
        REVEALED = "revealed", "Answer revealed"
        STANDINGS = "standings", "Leaderboard"
        FINISHED = "finished", "Finished"

    # The statuses, grouped by what they allow; every rule below names one of these.
    ACTIVE = frozenset(Status.values) - {Status.FINISHED}
    ANSWER_SHOWN = frozenset({Status.REVEALED, Status.STANDINGS})  # teacher-paced: the key is on screen
    SETTLED = ANSWER_SHOWN | {Status.FINISHED}  # no answer comes in after the grace
    # Teacher-paced: the question on screen takes answers in these (revealed: within the grace).
    TAKING = frozenset({Status.OPEN, Status.CLOSED, Status.REVEALED})

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="live_sessions")
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_sessions")
    code = models.CharField(max_length=JOIN_CODE_LENGTH, default=join_code, editable=False)
    pacing = models.CharField(max_length=10, choices=Pacing.choices, default=Pacing.TEACHER)
    timer = models.PositiveSmallIntegerField(
        "seconds per question",
        null=True,
        blank=True,
        default=20,
        help_text="Empty: no time limit; the question stays open until you close it.",
    )
    scoring = models.CharField(max_length=10, choices=Scoring.choices, default=Scoring.ACCURACY)
    leaderboard = models.CharField(max_length=10, choices=Leaderboard.choices, default=Leaderboard.SHOWN)
    shuffle = models.BooleanField(
        "shuffle options",
        default=True,
        help_text="One order of options for this session, the same on the projector and every phone.",
    )
    close_when_all_answered = models.BooleanField(
        "close when everyone has answered",
        default=True,
        help_text="Teacher-paced: the question closes by itself once every player has answered.",
    )
    locked = models.BooleanField(default=False, help_text="Nobody new can join.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LOBBY)
    position = models.PositiveSmallIntegerField(default=0, help_text="The question on screen, from 1 (teacher-paced).")
    opened_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = LiveSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "live session"
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~models.Q(status="finished"), name="one_active_session_per_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} ({self.code}, {self.created_at:%d %b %Y %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("quizzes:session-host", args=[self.public_id])

    @property
    def is_teacher_paced(self) -> bool:
        return self.pacing == self.Pacing.TEACHER

    @property
    def is_finished(self) -> bool:
        return self.status == self.Status.FINISHED

    def time_up(self, now: datetime) -> bool:
        return self.stamp().time_up(now)

    def phase(self, now: datetime) -> str:
        """The status as screens show it: an open question whose time is up reads as closed."""
        return self.Status.CLOSED if self.time_up(now) else self.status

    # One order for everyone: the projector and every phone show a question's options alike.

    @property
    def seed(self) -> int:
        """Shuffles the options once for the whole session (0 keeps the author's order)."""
        return self.public_id.int % 2**31 + 1 if self.shuffle else 0

    def deck(self) -> Attempt:
        """The session's order and option tokens, as an attempt (never saved) deals them: the
        same for every player, and tokens that name no option id, so they tell nothing of the key."""
        return Attempt(public_id=self.public_id, seed=self.seed, quiz_id=self.quiz_id)

    # The rules of time, for a player: which question is theirs, and until when it takes answers.

    def number_for(self, participant: "Participant") -> int:
        """The question on this player's screen, from 1."""
        return self.position if self.is_teacher_paced else participant.position

    def opened_for(self, participant: "Participant") -> datetime | None:
        return self.opened_at if self.is_teacher_paced else participant.opened_at

    def deadline_for(self, participant: "Participant") -> datetime | None:
        """When the player's question closes (None: when the teacher says). Answers arriving
        within GRACE after it still count."""
        if self.is_teacher_paced:
            return self.closes_at
        if self.timer and participant.opened_at:
            return participant.opened_at + timedelta(seconds=self.timer)
        return None

    def open_for(self, participant: "Participant", now: datetime) -> bool:
        """Whether the player's question is open now: it takes an answer, and shows the form."""
        if self.status != self.Status.OPEN:
            return False
        deadline = self.deadline_for(participant)
        return deadline is None or now < deadline

    # What students' polls read, from the cache every worker shares (see quizzes.live.stamp_read).
    @property
    def stamp_key(self) -> str:
        return stamp_key(self.public_id)

    def stamp(self) -> "Stamp":
        return Stamp(version=self.version, status=self.status, closes_at=self.closes_at)

    def _publish(self) -> None:
        """Once the change is committed, put the fresh state in the cache for every worker's polls.
        Read back from the database, so that of two changes committed close together the later wins."""

        def publish() -> None:
            fresh = LiveSession.objects.filter(pk=self.pk).first()
            if fresh is not None:
                cache.set(fresh.stamp_key, fresh.stamp(), STAMP_TIMEOUT)

        transaction.on_commit(publish)

    def _move(self, *, since: set[str], seen: int | None = None, **changes) -> bool:
        """Apply `changes` if the session is in one of the states `since` (and, given `seen`, still
        at that version): one conditional UPDATE, so a double click or a race moves it once."""
        rows = LiveSession.objects.filter(pk=self.pk, status__in=since)
        if seen is not None:
            rows = rows.filter(version=seen)
        if not rows.update(version=models.F("version") + 1, **changes):
            return False
        self.refresh_from_db()
        self._publish()
        return True

    def _question_open(self, number: int, *, since: set[str], seen: int | None) -> bool:
        now = timezone.now()
        closes_at = now + timedelta(seconds=self.timer) if self.timer and self.is_teacher_paced else None
        return self._move(
            since=since,
            seen=seen,
            status=self.Status.OPEN,
            position=number,
            opened_at=now,
            closes_at=closes_at,
        )

    def start(self, *, seen: int | None = None) -> bool:
        """Leave the lobby: the first question opens (teacher-paced), or everyone starts (student-paced)."""
        if self.is_teacher_paced:
            return self._question_open(1, since={self.Status.LOBBY}, seen=seen)
        now = timezone.now()
        with transaction.atomic():  # published on commit, with everyone's clock already reset
            if not self._move(since={self.Status.LOBBY}, seen=seen, status=self.Status.OPEN, opened_at=now):
                return False
            self.participants.update(opened_at=now)  # everyone's first question opens now, not when they joined
        return True

    def has_next(self, total: int) -> bool:
        """Teacher-paced: whether "next" opens another question (else it shows the results)."""
        return self.position < total

    def advance(self, *, total: int, seen: int | None = None) -> bool:
        """Open the next question, after the last one was revealed (after the last question, see
        quizzes.live.session_finish)."""
        if not self.is_teacher_paced or not self.has_next(total):
            return False
        return self._question_open(self.position + 1, since=self.ANSWER_SHOWN, seen=seen)

    def close(self, *, seen: int | None = None) -> bool:
        """Stop taking answers to the open question now, before its timer runs out."""
        if not self.is_teacher_paced:
            return False
        now = timezone.now()
        closes_at = min(self.closes_at, now) if self.closes_at else now
        return self._move(since={self.Status.OPEN}, seen=seen, status=self.Status.CLOSED, closes_at=closes_at)

    def reveal(self, *, seen: int | None = None) -> bool:
        """Show the answer: closes the question first if it is still open."""
        if not self.is_teacher_paced:
            return False
        if self.status == self.Status.OPEN and not self.time_up(timezone.now()):
            if not self.close(seen=seen):
                return False  # a stale button: the question it was about has moved on
            seen = self.version if seen is not None else None
        return self._move(since={self.Status.OPEN, self.Status.CLOSED}, seen=seen, status=self.Status.REVEALED)

    def standings_show(self, *, seen: int | None = None) -> bool:
        if self.leaderboard != self.Leaderboard.SHOWN:
            return False
        return self._move(since={self.Status.REVEALED}, seen=seen, status=self.Status.STANDINGS)

    def finish(self, *, seen: int | None = None) -> bool:
        return self._move(since=self.ACTIVE, seen=seen, status=self.Status.FINISHED, finished_at=timezone.now())

    def lock(self, locked: bool) -> bool:
        """Close the lobby to newcomers (or open it again), whatever stage an active session is at."""
        if self.locked == locked:
            return False
        return self._move(since=self.ACTIVE, locked=locked)

    def bump(self) -> None:
        """A change students' screens must show that is not a move (a participant removed)."""
        LiveSession.objects.filter(pk=self.pk).update(version=models.F("version") + 1)
        self.refresh_from_db(fields=["version"])
        self._publish()


class Participant(models.Model):
    """A learner in a live session, under a nickname; their answers go to their own attempt."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="participants")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="participations")
    attempt = models.OneToOneField(Attempt, on_delete=models.CASCADE, related_name="participant")
    nickname = models.CharField(max_length=20)
    nickname_key = models.CharField(max_length=80, editable=False, help_text="The nickname, case-folded.")
    removed = models.BooleanField(default=False, help_text="Removed by the teacher: cannot answer or rejoin.")
    position = models.PositiveSmallIntegerField(default=1, help_text="Student-paced: the question they are on.")
    opened_at = models.DateTimeField(null=True, blank=True, help_text="Student-paced: when they saw it.")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "learner"], name="one_participant_per_learner"),
            models.UniqueConstraint(fields=["session", "nickname_key"], name="one_nickname_per_session"),
        ]

    def __str__(self) -> str:
        return self.nickname


class LiveAnswer(models.Model):
    """A participant's answer to one question of a live session: the truth of what they sent,
    stored with one INSERT as it arrives, judged and given its points by the server's clock then.

    When the question closes, answers are scored in bulk (quizzes.live.answers_score): each
    becomes its attempt's Response, so it counts in progress, and moves the learner's review
    card. `response` is empty until then."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="live_answers")
    answer = models.JSONField(default=dict, help_text="What was given, by option id or as typed.")
    response = models.OneToOneField(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="live_answer"
    )
    is_correct = models.BooleanField()
    points = models.PositiveIntegerField(default=0)
    elapsed_ms = models.PositiveIntegerField(null=True, blank=True, help_text="From the question opening.")
    created_at = models.DateTimeField(default=timezone.now, help_text="When it arrived, by the server's clock.")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "question"], name="one_live_answer_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.question_id} ({self.points})"


class FailedJoin(models.Model):
    """A join with an unknown or ended code, kept ten minutes to limit guessing (see quizzes.live)."""

    ip = models.CharField(max_length=45, db_index=True)
    browser = models.CharField(
        max_length=16, blank=True, help_text="A digest of the browser's CSRF cookie: one browser's guesses."
    )
    ticket = models.CharField(
        max_length=24, blank=True, db_index=True, help_text="The join form's ticket it came with: used once."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.ip} at {self.created_at:%H:%M:%S}"


class AccountAttempt(models.Model):
    """A sign-up that failed, or a password-reset request, kept an hour to limit them per
    address (see quizzes.throttle)."""

    class Action(models.TextChoices):
        SIGNUP = "signup", "sign-up"
        RESET = "reset", "password reset"

    action = models.CharField(max_length=8, choices=Action.choices)
    ip = models.CharField(max_length=45)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "action", "created_at"], name="account_attempts_by_address")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} from {self.ip} at {self.created_at:%H:%M:%S}"
