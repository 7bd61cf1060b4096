"""Learners and their progress: attempts, every answer given, and the review cards FSRS schedules."""

import random
import secrets
import uuid
from datetime import datetime, timedelta

import fsrs
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from explainer.models import Fact
from quizzes import generation, grading
from quizzes.models.classes import Assignment
from quizzes.models.questions import Option, Question, Quiz


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
        in_order = not self.seed and question.kind not in generation.ORDER_KINDS
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
