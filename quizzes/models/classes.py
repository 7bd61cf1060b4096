"""Teachers' classes: who is in them and the homework set for them."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from quizzes.models.questions import Quiz

# Class codes and live sessions' join codes: no 0/O, 1/I/L, 5/S or 2/Z, so that a code read off a
# projector or a worksheet is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"


def _class_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(7))


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
