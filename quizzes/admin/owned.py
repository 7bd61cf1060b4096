"""What every admin of this app shares: rows that belong to a teacher, and the reports.

Everything a teacher makes has an owner, and every screen is scoped to it: changelists,
change, delete and history pages, autocomplete, foreign-key choices, inlines, actions and the
custom views (generate, preview, report). Another teacher's object is a 404. Superusers see
everything.
"""

from dataclasses import dataclass

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse

from config.formsets import BoundedInlineFormSet
from quizzes import analysis, reports
from quizzes.models import Assignment, Quiz


def owns(request: HttpRequest, owner_id: int | None) -> bool:
    """Whether the request's user may change a row whose owner is `owner_id`: its owner or a superuser."""
    return request.user.is_superuser or owner_id == request.user.pk


def _choice_only(formfield):
    """A related field without the admin's add, change and delete buttons beside it: the red ✗ by
    an assignment's quiz (or a quiz's topic) deletes that quiz (or topic) itself, not the choice."""
    if isinstance(getattr(formfield, "widget", None), RelatedFieldWidgetWrapper):
        formfield.widget.can_add_related = False
        formfield.widget.can_change_related = False
        formfield.widget.can_delete_related = False
    return formfield


def admin_page_context(model_admin: admin.ModelAdmin, request: HttpRequest, title: str, **extra) -> dict:
    """The context of a custom page of `model_admin`: the site's own (each_context: its header,
    sidebar and links), the model for the breadcrumbs, the title, and the page's `extra`."""
    return {**model_admin.admin_site.each_context(request), "opts": model_admin.opts, "title": title, **extra}


class OwnedAdmin(admin.ModelAdmin):
    """An admin whose rows belong to a teacher: `owner_path` leads from a row to its owner."""

    owner_path = "owner"

    def owner_id(self, obj) -> int | None:
        *path, last = self.owner_path.split("__")
        for part in path:
            obj = getattr(obj, part)
        return getattr(obj, f"{last}_id")  # the id alone: no need to load the owner

    def visible(self, request: HttpRequest, queryset):
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.owner_path: request.user})

    def get_queryset(self, request):
        return self.visible(request, super().get_queryset(request))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return _choice_only(super().formfield_for_dbfield(db_field, request, **kwargs))

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or owns(request, self.owner_id(obj)))

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or owns(request, self.owner_id(obj)))

    def _found_or_404(self, request, object_id) -> None:
        # The admin redirects to its index for a row it cannot find; another teacher's row must be a 404.
        if object_id is not None and self.get_object(request, unquote(object_id)) is None:
            raise Http404("No such object, or not yours.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._found_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._found_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._found_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def own_object(self, request, object_id, *, change: bool = False):
        """For custom views: the row if the teacher may see it (404 otherwise), and change it if asked."""
        obj = self.get_object(request, unquote(str(object_id)))
        if obj is None:
            raise Http404("No such object, or not yours.")
        if change and not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def page_context(self, request, original, title: str, **extra) -> dict:
        """The context of a custom admin page about `original` (a quiz, an assignment)."""
        quiz = original if isinstance(original, Quiz) else original.quiz
        return admin_page_context(self, request, title, original=original, quiz=quiz, **extra)


@dataclass
class Reported:
    """What a report is about: a quiz (all its attempts) or an assignment (the attempts made for it)."""

    original: Quiz | Assignment
    quiz: Quiz
    attempts: QuerySet
    title: str
    filename: str
    assignment: Assignment | None = None


def _attempts_counted(request: HttpRequest) -> str:
    """Which attempt a report counts (?attempts=first|last|highest); as Moodle's quiz reports, the
    highest score unless it says."""
    which = request.GET.get("attempts", reports.ATTEMPTS_DEFAULT)
    return which if which in reports.ATTEMPT_CHOICES else reports.ATTEMPTS_DEFAULT


class ReportAdmin(OwnedAdmin):
    """Adds a report, its CSV and each student's answers; `reported` says what is reported on."""

    def reported(self, request, object_id) -> Reported:
        raise NotImplementedError

    def get_urls(self):
        view = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}_report"
        return [
            path("<path:object_id>/report/", view(self.report_view), name=name),
            path("<path:object_id>/report.csv", view(self.report_csv_view), name=f"{name}_csv"),
            path("<path:object_id>/report/<uuid:attempt_id>/", view(self.report_attempt_view), name=f"{name}_attempt"),
            *super().get_urls(),
        ]

    def report_view(self, request, object_id):
        subject = self.reported(request, object_id)
        classroom = subject.assignment.classroom if subject.assignment else None
        which = _attempts_counted(request)
        report = reports.report_build(quiz=subject.quiz, attempts=subject.attempts, classroom=classroom, which=which)
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_report"
        csv_url = reverse(f"{name}_csv", args=[subject.original.pk]) + (
            f"?attempts={which}" if which != reports.ATTEMPTS_DEFAULT else ""
        )
        links = {
            "csv": csv_url,
            "attempt": f"{name}_attempt",
            "choices": reports.ATTEMPT_CHOICES,
            "which": which,
            "label": reports.ATTEMPT_CHOICES[which],
        }
        context = self.page_context(
            request,
            subject.original,
            f"Report: {subject.title}",
            report=report,
            links=links,
            assignment=subject.assignment,
            judged_from=analysis.JUDGED_FROM,
        )
        return TemplateResponse(request, "admin/quizzes/report.html", context)

    def report_csv_view(self, request, object_id):
        subject = self.reported(request, object_id)
        return reports.report_csv(
            quiz=subject.quiz, attempts=subject.attempts, name=subject.filename, which=_attempts_counted(request)
        )

    def report_attempt_view(self, request, object_id, attempt_id):
        subject = self.reported(request, object_id)
        attempt = subject.attempts.filter(public_id=attempt_id).select_related("learner__user", "participant").first()
        if attempt is None:
            raise Http404("No such attempt in this report.")
        title = f"{reports.student_name(attempt)}: {subject.title}"
        context = self.page_context(request, subject.original, title, **reports.attempt_rows(attempt))
        return TemplateResponse(request, "admin/quizzes/report_attempt.html", context)


class OwnedInline:
    """An inline that follows its parent's owner: read-only on a row the teacher does not own."""

    formset = BoundedInlineFormSet  # a made-up TOTAL_FORMS builds no thousands of forms

    def _parent_owned(self, request, obj) -> bool:
        return obj is None or owns(request, obj.owner_id)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return _choice_only(super().formfield_for_dbfield(db_field, request, **kwargs))

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and self._parent_owned(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._parent_owned(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._parent_owned(request, obj)
