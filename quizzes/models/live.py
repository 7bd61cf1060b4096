"""Live classroom sessions: the session's state machine and rules of time, its players and their answers.

The state machine and the rules of time are here, as model methods; joining, answering, scoring and
the cached state that polls read are in quizzes/live/."""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from quizzes.models.classes import CODE_ALPHABET
from quizzes.models.learners import Attempt, Learner, Response
from quizzes.models.questions import Question, Quiz

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


JOIN_ALPHABET = CODE_ALPHABET
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
