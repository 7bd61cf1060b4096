"""Limits on account actions per address: failed sign-ups and password-reset requests."""

from django.db import models
from django.utils import timezone


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
