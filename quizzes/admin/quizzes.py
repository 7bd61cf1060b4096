"""Teachers' quizzes, classes and homework in the Django admin.

Everything a teacher makes has an owner, and every screen is scoped to it: changelists,
change, delete and history pages, autocomplete, foreign-key choices, inlines, actions and the
custom views (generate, preview, report). Another teacher's object is a 404. The built-in
quizzes are a read-only library that any teacher can view, preview, export and duplicate.
Superusers see everything. Review rounds are a learner's private quizzes and appear nowhere.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

import segno
from axes.utils import reset as axes_reset
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AdminTextareaWidget, AutocompleteSelect, RelatedFieldWidgetWrapper
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.debug import sensitive_post_parameters

import explainer.admin
from config.formsets import BoundedInlineFormSet
from explainer.models import Fact, Topic
from quizzes import analysis, generation, interchange, live, reports
from quizzes.forms import SessionOptionsForm
from quizzes.generation import question_problems
from quizzes.models import (
    Assignment,
    Attempt,
    Classroom,
    Enrolment,
    LiveSession,
    Option,
    Participant,
    Question,
    Quiz,
    ReviewCard,
    seed_new,
)
from quizzes.services import default_quizzes_mix, questions_from_facts, questions_generate, quiz_duplicate
from quizzes.transfer import quiz_export, quiz_import


def _owns(request: HttpRequest, owner_id: int | None) -> bool:
    return request.user.is_superuser or owner_id == request.user.pk


def _choice_only(formfield):
    """A related field without the admin's add, change and delete buttons beside it: the red ✗ by
    an assignment's quiz (or a quiz's topic) deletes that quiz (or topic) itself, not the choice."""
    if isinstance(getattr(formfield, "widget", None), RelatedFieldWidgetWrapper):
        formfield.widget.can_add_related = False
        formfield.widget.can_change_related = False
        formfield.widget.can_delete_related = False
    return formfield


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
        return super().has_change_permission(request, obj) and (obj is None or _owns(request, self.owner_id(obj)))

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or _owns(request, self.owner_id(obj)))

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
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": original,
            "quiz": quiz,
            "title": title,
            **extra,
        }


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
        return obj is None or _owns(request, obj.owner_id)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return _choice_only(super().formfield_for_dbfield(db_field, request, **kwargs))

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and self._parent_owned(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._parent_owned(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._parent_owned(request, obj)


# Quizzes


class QuestionInline(OwnedInline, admin.TabularInline):
    """The quiz's questions in order, each with its key: change the numbers and save once to
    reorder them all. A draft's box ticks it for "Accept selected drafts" (a form of its own,
    see change_form.html), so a teacher accepts drafts without opening each."""

    model = Question
    fields = ["position", "kind", "stem", "key", "source", "status"]
    readonly_fields = ["kind", "stem", "key", "source", "status"]
    extra = 0
    show_change_link = True
    ordering = ["position", "pk"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # a question is written on its own page ("Write a question"), with its options

    @admin.display(description="Key")
    def key(self, question: Question) -> str:
        match question.kind:
            case Question.Kind.GAP_FILL:
                shown, more = question.accepted_answers[:2], len(question.accepted_answers[2:])
                lines = [" / ".join(shown) + (f" (+{more} more)" if more else "")]
            case Question.Kind.ORDERING:
                lines = [f"{place}. {text}" for place, text in enumerate(question.key_text(), start=1)]
            case _:
                lines = question.key_text()
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines)) or "—"

    @admin.display(description="From")
    def source(self, question: Question) -> str:
        if question.fact_id:
            return format_html("Fact {}", question.fact.key)
        return question.source_note[:60]

    @admin.display(description="Review")
    def status(self, question: Question) -> str:
        if not question.is_draft:
            return "Accepted"
        return format_html(
            'Draft <label class="accept-draft"><input type="checkbox" name="question" value="{}" form="accept-drafts">'
            " accept</label>",
            question.pk,
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("fact").prefetch_related("options")


class GenerateForm(forms.Form):
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.in_order(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: the whole story.",
    )
    kinds = forms.MultipleChoiceField(
        label="Question types",
        choices=[(kind, label) for kind, label in Question.Kind.choices if kind in generation.KINDS],
        initial=list(generation.KINDS),
        widget=forms.CheckboxSelectMultiple,
        help_text="A type the facts cannot supply gives its places to single choice.",
        error_messages={"required": "Tick at least one question type."},
    )
    count = forms.IntegerField(label="How many", min_value=1, max_value=30, initial=10)
    seed = forms.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        required=False,
        help_text="The same seed and facts give the same questions. Empty: a new one.",
    )


class ImportForm(forms.Form):
    # Declared first so that clean_file finds it: the template shows it after the file.
    strict = forms.BooleanField(
        label="All or nothing",
        required=False,
        help_text="Refuse the file if any question is of a type this site lacks (essay, numerical, …), "
        "instead of importing the others and listing those it skipped.",
    )
    file = forms.FileField(
        help_text="A GIFT (.txt, .gift) or Moodle XML (.xml) file, up to 2 MB; the format is detected.",
        error_messages={"required": "Choose a file to import."},
    )

    MAX_BYTES = 2 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError("That file is over 2 MB: a quiz file is far smaller. Is it the right one?")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("That file is not UTF-8 text: save it as UTF-8 and try again.") from None
        try:
            strict = self.cleaned_data.get("strict", False)
            self.cleaned_data["format"], self.cleaned_data["data"] = interchange.loads(text, strict=strict)
        except interchange.InterchangeError as error:
            raise ValidationError(["Nothing was imported. Please correct the file:", *error.messages()]) from None
        return upload


class AcceptDraftsForm(forms.Form):
    """The drafts ticked on the quiz's page, or all of them."""

    question = forms.ModelMultipleChoiceField(queryset=Question.objects.none(), required=False)
    all = forms.BooleanField(required=False)

    def __init__(self, *args, quiz: Quiz, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any of the quiz's questions: one accepted a moment ago (a double click) is no error.
        self.fields["question"].queryset = quiz.questions.all()


class FactsGenerateForm(forms.Form):
    quiz = forms.ModelChoiceField(queryset=Quiz.objects.none(), label="Add the questions to")
    kinds = forms.MultipleChoiceField(
        label="Question types",
        choices=[(kind, Question.Kind(kind).label) for kind in generation.REVIEW_KINDS],
        initial=list(generation.REVIEW_KINDS),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one question type."},
    )


@admin.register(Quiz)
class QuizAdmin(ReportAdmin):
    list_display = ["title", "topic", "status", "owner_name", "question_count", "draft_count"]
    list_filter = ["status", "topic"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "description", "topic", "status", "owner_name", "seed"]
    readonly_fields = ["status", "owner_name", "seed"]
    inlines = [QuestionInline]
    actions = ["publish", "unpublish", "duplicate", "export_gift", "export_moodle_xml"]
    change_form_template = "admin/quizzes/quiz/change_form.html"
    change_list_template = "admin/quizzes/quiz/change_list.html"

    def visible(self, request, queryset):
        return queryset.for_teacher(request.user)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("topic", "owner")
            .annotate(
                questions_live=Count("questions", filter=Q(questions__is_draft=False)),
                questions_draft=Count("questions", filter=Q(questions__is_draft=True)),
            )
        )

    @admin.display(description="Owner")
    def owner_name(self, quiz: Quiz) -> str:
        return quiz.owner.get_username() if quiz.owner_id else "Built-in (read-only)"

    @admin.display(description="Questions", ordering="questions_live")
    def question_count(self, quiz: Quiz) -> int:
        return quiz.questions_live

    @admin.display(description="Drafts to review", ordering="questions_draft")
    def draft_count(self, quiz: Quiz) -> int:
        return quiz.questions_draft

    def get_fields(self, request, obj=None):
        return self.fields if obj else [name for name in self.fields if name != "seed"]  # no seed before generating

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if add:  # the new quiz will be the teacher's (save_model): "Owner" says so before the first save
            context["adminform"].form.instance.owner = request.user
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.owner = request.user
        super().save_model(request, obj, form, change)

    # Actions

    def _own_only(self, request, queryset):
        owned = queryset if request.user.is_superuser else queryset.filter(owner=request.user)
        if skipped := queryset.count() - owned.count():
            self.message_user(
                request, f"Skipped {skipped} built-in quiz(zes): duplicate one to change it.", messages.WARNING
            )
        return owned

    def _publish(self, request, quiz: Quiz) -> None:
        try:
            quiz.publish()
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
        else:
            self.message_user(request, f"Published “{quiz.title}”: students can take it now.")

    @admin.action(description="Publish the selected quizzes", permissions=["change"])
    def publish(self, request, queryset):
        for quiz in self._own_only(request, queryset):
            self._publish(request, quiz)

    @admin.action(description="Unpublish the selected quizzes", permissions=["change"])
    def unpublish(self, request, queryset):
        count = self._own_only(request, queryset).unpublish()
        self.message_user(request, f"Unpublished {count} quiz(zes).")

    @admin.action(description="Duplicate into my quizzes", permissions=["add"])
    def duplicate(self, request, queryset):
        for quiz in queryset:
            copy = quiz_duplicate(quiz=quiz, owner=request.user)
            url = reverse("admin:quizzes_quiz_change", args=[copy.pk])
            self.message_user(request, format_html("Copied to <a href='{}'>{}</a> (a draft).", url, copy.title))

    def _export(self, request, queryset, fmt: str):
        if queryset.count() != 1:
            self.message_user(request, "Choose one quiz to export.", messages.WARNING)
            return None
        quiz = queryset.get()
        text, notes = quiz_export(quiz=quiz, fmt=fmt)
        for note in notes:
            self.message_user(request, note, messages.WARNING)
        extension = "xml" if fmt == interchange.MOODLE_XML else "gift.txt"
        return HttpResponse(
            text,
            content_type="application/xml; charset=utf-8"
            if fmt == interchange.MOODLE_XML
            else "text/plain; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{quiz.slug}.{extension}"',
                # What the format could not hold, for whoever scripts the download.
                "X-Export-Notes": " | ".join(notes).encode("ascii", "replace").decode(),
            },
        )

    @admin.action(description="Export as GIFT (Moodle's text format)", permissions=["view"])
    def export_gift(self, request, queryset):
        return self._export(request, queryset, interchange.GIFT)

    @admin.action(description="Export as Moodle XML", permissions=["view"])
    def export_moodle_xml(self, request, queryset):
        return self._export(request, queryset, interchange.MOODLE_XML)

    # Custom views

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="quizzes_quiz_import"),
            path("<path:object_id>/generate/", view(self.generate_view), name="quizzes_quiz_generate"),
            path("<path:object_id>/preview/", view(self.preview_view), name="quizzes_quiz_preview"),
            path("<path:object_id>/publish/", view(self.publish_view), name="quizzes_quiz_publish"),
            path("<path:object_id>/duplicate/", view(self.duplicate_view), name="quizzes_quiz_duplicate"),
            path("<path:object_id>/accept-drafts/", view(self.accept_drafts_view), name="quizzes_quiz_accept_drafts"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a GIFT or Moodle XML file: a new draft quiz of the teacher's, or every error by line."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if form.is_valid():
            data = form.cleaned_data["data"]
            quiz = quiz_import(data=data, owner=request.user)
            self.message_user(
                request,
                f"Imported “{quiz.title}” from {interchange.FORMAT_NAMES[form.cleaned_data['format']]} "
                f"as a draft with {quiz.questions.count()} question(s): review it, then publish it.",
            )
            if data.skipped:
                self.message_user(
                    request,
                    format_html(
                        "Questions of a type this site lacks were skipped:<ul>{}</ul>",
                        format_html_join("", "<li>{}</li>", ((skipped,) for skipped in data.skipped)),
                    ),
                    messages.WARNING,
                )
            if data.warnings:
                self.message_user(
                    request,
                    format_html(
                        "Images and files were not imported:<ul>{}</ul>",
                        format_html_join("", "<li>{}</li>", ((warning,) for warning in data.warnings)),
                    ),
                    messages.WARNING,
                )
            return HttpResponseRedirect(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import a quiz (GIFT or Moodle XML)",
            "form": form,
        }
        return TemplateResponse(request, "admin/quizzes/quiz/import.html", context, status=400 if form.errors else 200)

    def generate_view(self, request, object_id):
        quiz = self.own_object(request, object_id, change=True)
        form = GenerateForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            seed = form.cleaned_data["seed"]
            seed = seed_new() if seed is None else seed
            added = questions_generate(
                quiz=quiz,
                topics=[topic.slug for topic in form.cleaned_data["topics"]],
                kinds=form.cleaned_data["kinds"],
                count=form.cleaned_data["count"],
                seed=seed,
            )
            self.message_user(
                request,
                f"Added {len(added)} draft question(s) (seed {seed}). Check each one's key, then accept the ones you "
                "keep, or delete them. Students see none of them until then.",
                messages.SUCCESS if added else messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
        # Laid out as the admin lays out its own forms: labels, help and errors in their places.
        adminform = admin.helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}, model_admin=self)
        context = self.page_context(
            request, quiz, f"Generate questions for “{quiz.title}”", form=form, adminform=adminform
        )
        context["builtin_mix"] = default_quizzes_mix()  # what the built-in plans test, as `generate_quizzes --report`
        return TemplateResponse(
            request, "admin/quizzes/quiz/generate.html", context, status=400 if form.errors else 200
        )

    def preview_view(self, request, object_id):
        quiz = self.own_object(request, object_id)
        return render(request, "quizzes/quiz_preview.html", reports.preview_context(quiz=quiz))

    def publish_view(self, request, object_id):
        quiz = self.own_object(request, object_id, change=True)
        if request.method != "POST":
            return HttpResponse("Publishing takes a POST.", status=405, headers={"Allow": "POST"})
        # The button says which state it wants: a double click publishes once, never toggles back.
        wanted = request.POST.get("status")
        if wanted not in Quiz.Status.values or wanted == Quiz.Status.REVIEW:
            return HttpResponse("Say status=published or status=draft.", status=400)
        if wanted == Quiz.Status.DRAFT and quiz.status != wanted:
            quiz.unpublish()
            self.message_user(request, f"Unpublished “{quiz.title}”: students no longer see it.")
        elif wanted == Quiz.Status.PUBLISHED and quiz.status != wanted:
            self._publish(request, quiz)
        return HttpResponseRedirect(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))

    def duplicate_view(self, request, object_id):
        quiz = self.own_object(request, object_id)
        if request.method != "POST":
            return HttpResponse("Duplicating takes a POST.", status=405, headers={"Allow": "POST"})
        if not self.has_add_permission(request):
            raise PermissionDenied
        copy = quiz_duplicate(quiz=quiz, owner=request.user)
        self.message_user(request, f"This is your copy of “{quiz.title}”, a draft: change it as you like.")
        return HttpResponseRedirect(reverse("admin:quizzes_quiz_change", args=[copy.pk]))

    def accept_drafts_view(self, request, object_id):
        """Accept the drafts ticked on the quiz's page, or all of them: students see them once the
        quiz is published. A draft that cannot be asked as it stands stays a draft, with the reason."""
        quiz = self.own_object(request, object_id, change=True)
        if request.method != "POST":
            return HttpResponse("Accepting drafts takes a POST.", status=405, headers={"Allow": "POST"})
        form = AcceptDraftsForm(request.POST, quiz=quiz)
        if not form.is_valid():
            return HttpResponse("Say which of this quiz's questions to accept, or all=1.", status=400)
        drafts = quiz.questions.filter(is_draft=True).prefetch_related("options")
        if not form.cleaned_data["all"]:
            drafts = drafts.filter(pk__in=[question.pk for question in form.cleaned_data["question"]])
        ready = []
        for question in drafts:
            if problems := question.problems():
                self.message_user(
                    request, f"Question {question.position} stays a draft: {' '.join(problems)}", messages.WARNING
                )
            else:
                ready.append(question.pk)
        accepted = Question.objects.filter(pk__in=ready).update(is_draft=False)
        if accepted:
            self.log_change(request, quiz, f"Accepted {accepted} draft question(s).")
            seen = "see them now" if quiz.status == Quiz.Status.PUBLISHED else "will see them once you publish the quiz"
            self.message_user(request, f"Accepted {accepted} draft question(s): students {seen}.")
        elif not drafts:
            nothing = (
                "No drafts are left to accept." if form.cleaned_data["all"] else "Tick the drafts to accept first."
            )
            self.message_user(request, nothing, messages.WARNING)
        return HttpResponseRedirect(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))

    def reported(self, request, object_id) -> Reported:
        # A report shows students' answers: only the quiz's owner (or a superuser) reads it.
        quiz = self.own_object(request, object_id)
        if not self.has_change_permission(request, quiz):
            raise Http404("Reports are for your own quizzes; for a built-in quiz, assign it and read the assignment's.")
        return Reported(
            original=quiz, quiz=quiz, attempts=Attempt.objects.filter(quiz=quiz), title=quiz.title, filename=quiz.slug
        )


ANSWERED = (
    "Students have answered this question, so only its wording can change now: their answers were "
    "marked against these options. To change the answers, duplicate the quiz and change the copy."
)


class OptionFormSet(BoundedInlineFormSet):
    """Checks the options against the question's type (the question form has already set it)."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if self.instance.pk and self.instance.responses.exists():
            changed = [
                form
                for form in self.forms
                if form.cleaned_data.get("DELETE")
                or (form.instance.pk is None and form.has_changed())
                or {"is_correct", "match", "position", "weight"} & set(form.changed_data)
            ]
            if changed:
                raise ValidationError(ANSWERED)
        options = [
            (
                form.cleaned_data.get("text", ""),
                form.cleaned_data.get("is_correct", False),
                form.cleaned_data.get("match", ""),
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = question_problems(self.instance.kind, options, self.instance.accepted_answers or [])
        if problems:
            raise ValidationError(problems)


def _part_for(kinds, kind: str | None) -> list[str]:
    """The classes of a part of the question form that only questions of `kinds` use: marked for
    static/js/admin_question.js, which follows the "Kind" menu, and hidden now if `kind` is known
    and not one of them (so the page is right before any script runs, or without one)."""
    return ["kind-part", *(f"kind-{each}" for each in kinds), *(["hidden"] if kind and kind not in kinds else [])]


class OptionInline(OwnedInline, admin.TabularInline):
    """Choices (tick the correct ones), ordering items (numbered in their correct order) or
    matching pairs (each item with its match). The columns a type does not use are hidden
    (static/css/admin.css); a gap-fill question has no options, so none are shown for it."""

    model = Option
    formset = OptionFormSet
    fields = ["position", "text", "is_correct", "match", "weight", "feedback"]
    extra = 0
    ordering = ["position", "pk"]
    kinds = [kind for kind in Question.Kind.values if kind not in generation.TYPED_KINDS]

    def _parent_owned(self, request, obj) -> bool:
        return obj is None or _owns(request, obj.quiz.owner_id)


class QuestionForm(forms.ModelForm):
    accepted_answers = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Gap-fill: one accepted answer per line (spellings, short forms).",
    )
    rejected_answers = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Gap-fill: wrong answers a typed response must not name, one per line.",
    )

    class Meta:
        model = Question
        fields = [
            "quiz",
            "position",
            "kind",
            "stem",
            "accepted_answers",
            "rejected_answers",
            "explanation",
            "fact",
            "topic",
            "sentences",
            "source_note",
            "is_draft",
        ]
        # A stem is a sentence or two: its options come right under it, as on one card.
        widgets = {
            "stem": AdminTextareaWidget(attrs={"rows": 3}),
            "explanation": AdminTextareaWidget(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("accepted_answers", "rejected_answers"):
            self.initial[name] = "\n".join(self.initial.get(name) or [])

    def _lines(self, name: str) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get(name, "").splitlines() if line.strip()]

    def clean_accepted_answers(self) -> list[str]:
        return self._lines("accepted_answers")

    def clean_rejected_answers(self) -> list[str]:
        return self._lines("rejected_answers")

    def clean(self) -> dict:
        cleaned = super().clean()
        answered = self.instance.pk and self.instance.responses.exists()
        # Accepted spellings may grow (they mark later answers only); the type and the quiz may not.
        if answered and {"kind", "quiz"} & set(self.changed_data):
            raise ValidationError(ANSWERED)
        return cleaned


class IdsOnlyAutocompleteSelect(AutocompleteSelect):
    """The admin's autocomplete widget, which looks up the chosen value to show its name when an
    invalid form comes back. A posted value that is no id ("abc") made that lookup a ValueError,
    a 500; here it shows as nothing chosen, next to the field's own error."""

    def optgroups(self, name, value, attr=None):
        target = self.field.target_field
        ids = []
        for choice in value:
            try:
                target.to_python(choice)
            except ValidationError:
                continue
            ids.append(choice)
        return super().optgroups(name, ids, attr)


@admin.register(Question)
class QuestionAdmin(OwnedAdmin):
    """One question with its options, items or pairs; checked against its type when saved."""

    owner_path = "quiz__owner"
    form = QuestionForm
    inlines = [OptionInline]
    list_display = ["stem", "kind", "quiz", "position", "is_draft"]
    list_filter = ["kind", "is_draft"]
    search_fields = ["stem", "explanation"]
    autocomplete_fields = ["fact"]
    filter_horizontal = ["sentences"]
    readonly_fields = ["source_text"]
    change_form_template = "admin/quizzes/question/change_form.html"

    class Media:
        js = ["js/admin_question.js"]

    def get_fieldsets(self, request, obj=None):
        """The stem, then the answers of the question's type (its options come next: see
        change_form.html), then the feedback and source, the sentence picker folded."""
        kind = self._kind(request, obj)
        return [
            (None, {"fields": ["quiz", "position", "kind", "stem", "is_draft"]}),
            (
                "Accepted answers",
                {
                    "fields": ["accepted_answers", "rejected_answers"],
                    "classes": _part_for(list(generation.TYPED_KINDS), kind),
                },
            ),
            (
                "Feedback and source",
                {"fields": ["explanation", "fact", "topic", "source_text"], "classes": ["after-options"]},
            ),
            (
                "Choose the source sentences",
                {"fields": ["sentences", "source_note"], "classes": ["after-options", "collapse"]},
            ),
        ]

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        # Shown for a gap-fill question that has options all the same: they must be deleted, and
        # its errors say so. (Posted back, the rows are judged in the browser: see admin_question.js.)
        kind = self._kind(request, obj) if request.method == "GET" and not (obj and obj.options.exists()) else None
        for inline in inlines:
            if isinstance(inline, OptionInline):
                inline.classes = _part_for(inline.kinds, kind)
        return inlines

    def _kind(self, request, obj) -> str | None:
        """The question's type as the form will show it: posted, saved, or asked for (?kind=)."""
        saved = obj.kind if obj else request.GET.get("kind")
        kind = request.POST.get("kind") if request.method == "POST" else saved
        return kind if kind in Question.Kind.values else None

    def visible(self, request, queryset):
        return queryset.filter(quiz__in=Quiz.objects.for_teacher(request.user))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("quiz", "fact")

    def get_model_perms(self, request):
        return {}  # reached from its quiz, not listed on the admin index

    def _back_to_quiz(self, request, obj, response):
        # "Save" goes back to the quiz the question belongs to, where the teacher was working.
        if "_save" in request.POST and response.status_code == 302:
            return HttpResponseRedirect(reverse("admin:quizzes_quiz_change", args=[obj.quiz_id]))
        return response

    def response_add(self, request, obj, post_url_continue=None):
        return self._back_to_quiz(request, obj, super().response_add(request, obj, post_url_continue))

    def response_change(self, request, obj):
        return self._back_to_quiz(request, obj, super().response_change(request, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "quiz":
            # Questions go into the teacher's own quizzes: the built-in ones are read-only.
            quizzes = Quiz.objects.exclude(status=Quiz.Status.REVIEW)
            kwargs["queryset"] = quizzes if request.user.is_superuser else quizzes.filter(owner=request.user)
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = IdsOnlyAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="The source, as students see it")
    def source_text(self, question: Question) -> str:
        sentences = list(question.sentences.order_by("number"))
        if not sentences:
            return question.source_note or "—"
        return format_html(
            "{}",
            " ".join(f"[{sentence.number}] {sentence.text}" for sentence in sentences),
        )


# Classes and homework


class EnrolmentInline(OwnedInline, admin.TabularInline):
    model = Enrolment
    fields = ["student", "joined_at", "password_link"]
    readonly_fields = ["student", "joined_at", "password_link"]
    extra = 0
    verbose_name = "student"
    verbose_name_plural = "students (they join with the class code; tick “delete” to remove one)"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student", "classroom")

    @admin.display(description="Password")
    def password_link(self, enrolment: Enrolment) -> str:
        if not student_password_settable(enrolment.student):
            return "A staff account: only a superuser can change it."
        url = reverse("admin:quizzes_classroom_student_password", args=[enrolment.classroom_id, enrolment.student_id])
        return format_html("<a href='{}'>Set a new password</a>", url)


def student_password_settable(user) -> bool:
    """Whether a teacher may set this class member's password: a student's account, never a
    teacher's or a superuser's (who could have joined a class with its code)."""
    return not (user.is_staff or user.is_superuser)


class AssignmentInline(OwnedInline, admin.TabularInline):
    model = Assignment
    fields = ["quiz", "due_at", "report_link"]
    readonly_fields = ["report_link"]
    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "quiz":
            kwargs["queryset"] = assignable_quizzes(request)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "quiz":
            field.choices = list(field.choices)  # read once, not once more for every assignment row
        return field

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("quiz", "classroom")

    @admin.display(description="Report")
    def report_link(self, assignment: Assignment) -> str:
        if not assignment.pk:
            return "—"
        return format_html("<a href='{}'>Report</a>", reverse("admin:quizzes_assignment_report", args=[assignment.pk]))


def assignable_quizzes(request):
    """A teacher assigns their own quizzes and the built-in ones (a new assignment, only a
    published one: see Assignment.clean; an existing one keeps its quiz if it is unpublished)."""
    return Quiz.objects.for_teacher(request.user).select_related("topic")


@admin.register(Classroom)
class ClassroomAdmin(OwnedAdmin):
    list_display = ["name", "code", "student_count", "owner"]
    search_fields = ["name", "code"]
    fields = ["name", "code", "join_url"]
    readonly_fields = ["code", "join_url"]
    inlines = [AssignmentInline, EnrolmentInline]

    def get_fields(self, request, obj=None):
        # A new class's code is drawn as the posted form is saved, not the one an empty form would show.
        return self.fields if obj else ["name", "join_url"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(student_total=Count("enrolments", distinct=True))

    @admin.display(description="Students", ordering="student_total")
    def student_count(self, classroom: Classroom) -> int:
        return classroom.student_total

    def get_object(self, request, object_id, from_field=None):
        classroom = super().get_object(request, object_id, from_field)
        if classroom is not None:  # the full address, for the page projected or printed for the class
            classroom.join_address = request.build_absolute_uri(reverse("quizzes:class-join"))
        return classroom

    @admin.display(description="Students join at")
    def join_url(self, classroom: Classroom) -> str:
        if not classroom.pk:
            return "Save the class to get its code."
        address = getattr(classroom, "join_address", reverse("quizzes:class-join"))
        scanned = f"{address}?{urlencode({'code': classroom.code})}"  # the form with the code filled in
        # segno draws one SVG path, sized by attributes: no script, no style attribute (the CSP).
        qr = segno.make(scanned, error="m").svg_inline(scale=5, border=2, svgclass="class-qr", title=scanned)
        return format_html(
            "{} with the code <strong>{}</strong><br>or scan the QR code (students sign in, then join):<br>{}",
            address,
            classroom.code,
            mark_safe(qr),  # noqa: S308 (segno's own markup)
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.owner = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        view = self.admin_site.admin_view(self.student_password_view)
        return [
            path(
                "<path:object_id>/students/<int:student_id>/password/",
                view,
                name="quizzes_classroom_student_password",
            ),
            *super().get_urls(),
        ]

    @method_decorator(sensitive_post_parameters("new_password1", "new_password2"))
    def student_password_view(self, request, object_id, student_id):
        """A new password for a student of the teacher's own class (any class, for a superuser),
        typed twice and judged by Django's validators. 404 for another teacher's class, for
        anyone not in the class and for a staff account."""
        classroom = self.own_object(request, object_id, change=True)
        student = classroom.students.filter(pk=student_id).first()
        if student is None or not student_password_settable(student):
            raise Http404("No such student in this class.")
        form = SetPasswordForm(student, request.POST or None)
        if request.method == "POST" and form.is_valid():
            form.save()  # a new password hash: the student's sessions on other devices end
            axes_reset(username=student.get_username())  # and a login lockout on the account with them
            self.log_change(request, classroom, f"Set a new password for {student.get_username()}.")
            messages.success(
                request,
                f"New password set for {student.get_username()}. Tell them in person; they can change it "
                "once signed in (Account › Change password).",
            )
            return HttpResponseRedirect(reverse("admin:quizzes_classroom_change", args=[classroom.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": classroom,
            "student": student,
            "form": form,
            "title": f"Set a new password for {student.get_username()}",
        }
        return TemplateResponse(request, "admin/quizzes/classroom/student_password.html", context)


@admin.register(Assignment)
class AssignmentAdmin(ReportAdmin):
    owner_path = "classroom__owner"
    list_display = ["quiz", "classroom", "due_at", "report_link"]
    list_filter = [("classroom", admin.RelatedOnlyFieldListFilter)]  # only the classes of the rows shown
    list_select_related = ["quiz", "classroom"]
    fields = ["classroom", "quiz", "due_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "quiz":
            kwargs["queryset"] = assignable_quizzes(request)
        if db_field.name == "classroom":
            kwargs["queryset"] = self.visible_classes(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def visible_classes(self, request):
        classes = Classroom.objects.all()
        return classes if request.user.is_superuser else classes.filter(owner=request.user)

    @admin.display(description="Report")
    def report_link(self, assignment: Assignment) -> str:
        return format_html("<a href='{}'>Report</a>", reverse("admin:quizzes_assignment_report", args=[assignment.pk]))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("quiz", "classroom")

    def reported(self, request, object_id) -> Reported:
        assignment = self.own_object(request, object_id)
        return Reported(
            original=assignment,
            quiz=assignment.quiz,
            attempts=Attempt.objects.filter(assignment=assignment),
            title=str(assignment),
            filename=f"{assignment.quiz.slug}-{assignment.pk}",
            assignment=assignment,
        )


# Live sessions: started here, run from the host view (quizzes/views/live.py), reported here.


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = ["nickname", "joined_at", "removed"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class DateCheckedChangeList(ChangeList):
    """A changelist whose date filter (?created_at__year=…) refuses a date no calendar holds the
    way Django refuses "month 13": back to the list with "?e=1". Django turns only ValueError from
    `datetime(year, …)` into that; a year of 27 digits raised OverflowError, a 500, and the year
    9999 a ValueError from the end of its range, outside Django's check."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


@admin.register(LiveSession)
class LiveSessionAdmin(ReportAdmin):
    owner_path = "host"
    list_display = ["quiz", "code", "status", "pacing", "players", "created_at", "links"]
    list_filter = ["status", "pacing"]
    list_select_related = ["quiz"]
    date_hierarchy = "created_at"
    fields = [
        "quiz",
        "code",
        "status",
        "pacing",
        "timer",
        "scoring",
        "leaderboard",
        "shuffle",
        "close_when_all_answered",
        "locked",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [ParticipantInline]
    change_form_template = "admin/quizzes/livesession/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(player_count=Count("participants", filter=Q(participants__removed=False)))
        )

    def get_changelist(self, request, **kwargs):
        return DateCheckedChangeList

    @admin.display(description="Players", ordering="player_count")
    def players(self, session: LiveSession) -> int:
        return session.player_count

    @admin.display(description="Open")
    def links(self, session: LiveSession) -> str:
        host = format_html("<a href='{}'>Host view</a>", session.get_absolute_url())
        if not session.is_finished:
            return host
        report = reverse("admin:quizzes_livesession_report", args=[session.pk])
        return format_html("{} · <a href='{}'>Report</a>", host, report)

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a session's options are set when it starts; it is run from the host view, not edited

    def add_view(self, request, form_url="", extra_context=None):
        """Start a live session: choose the quiz (given by the quiz's "Start live session" link) and how it runs."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        quizzes = Quiz.objects.for_teacher(request.user).select_related("topic")
        if request.method == "POST":
            form = SessionOptionsForm(request.POST, quizzes=quizzes)
            if form.is_valid():
                session = live.session_create(host=request.user, **form.cleaned_data)
                return HttpResponseRedirect(session.get_absolute_url())
        else:
            form = SessionOptionsForm(initial={"quiz": request.GET.get("quiz")}, quizzes=quizzes)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Start a live session",
            "form": form,
        }
        return TemplateResponse(request, "admin/quizzes/livesession/start.html", context)

    def reported(self, request, object_id) -> Reported:
        session = self.own_object(request, object_id)
        return Reported(
            original=session,
            quiz=session.quiz,
            attempts=Attempt.objects.filter(participant__session=session),
            title=f"live session {session.code}, {session.created_at:%d %B %Y}",
            filename=f"{session.quiz.slug}-live-{session.created_at:%Y%m%d}-{session.code}",
        )


# Generating from chosen facts: an action this app adds to the reading side's fact admin.


@admin.action(description="Generate quiz questions from these facts", permissions=["view"])
def generate_questions(modeladmin, request, queryset):
    """Ask which of the teacher's quizzes gets the questions, then add one draft per fact."""
    quizzes = Quiz.objects.filter(owner=request.user).exclude(status=Quiz.Status.REVIEW)
    form = FactsGenerateForm(request.POST if "apply" in request.POST else None)
    form.fields["quiz"].queryset = quizzes
    if form.is_valid():
        quiz = form.cleaned_data["quiz"]
        added = questions_from_facts(
            quiz=quiz,
            fact_keys=list(queryset.values_list("key", flat=True)),
            kinds=form.cleaned_data["kinds"],
            seed=seed_new(),
        )
        url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
        modeladmin.message_user(
            request,
            format_html(
                "Added {} draft question(s) to <a href='{}'>{}</a>; facts it already asks, or that none of the "
                "types fits, gave none.",
                len(added),
                url,
                quiz.title,
            ),
            messages.SUCCESS if added else messages.WARNING,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": "Generate questions from these facts",
        "facts": queryset,
        "form": form,
        "has_quizzes": quizzes.exists(),
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return render(request, "admin/quizzes/facts_generate.html", context)


admin.site.unregister(Fact)


def fact_uses(*, facts, user) -> list[str]:
    """What keeps `facts` from being deleted (Question.fact and ReviewCard.fact protect them), in
    counts: never another teacher's question or a student's name."""

    def counted(number: int, one: str, more: str) -> str:
        return f"{number} {one if number == 1 else more}"

    uses = []
    questions = Question.objects.filter(fact__in=facts)
    if total := questions.count():
        quizzes = questions.values("quiz").distinct().count()
        others = questions.exclude(quiz__owner=user).values("quiz").distinct().count()
        where = counted(quizzes, "quiz", "quizzes") + (f" ({others} not yours)" if others else "")
        uses.append(
            f"{counted(total, 'question asks', 'questions ask')} it, in {where}: deleting it would leave "
            "them without their source."
        )
    if learners := ReviewCard.objects.filter(fact__in=facts).values("learner").distinct().count():
        uses.append(
            f"{counted(learners, 'learner is', 'learners are')} remembering it: deleting it would wipe their "
            "reviews of it."
        )
    return uses


@admin.register(Fact)
class FactAdmin(explainer.admin.FactAdmin):
    """The reading side's fact admin, with this app's actions (the reading side knows no quizzes).

    A fact that questions ask or learners review is protected (on_delete=PROTECT): the delete
    pages say why, in counts, and offer to retire it instead: no longer quizzable, so no new
    question or review asks it, while its questions and every learner's progress stay."""

    actions = [*explainer.admin.FactAdmin.actions, generate_questions, "retire"]
    delete_confirmation_template = "admin/quizzes/fact_delete_confirmation.html"
    delete_selected_confirmation_template = "admin/quizzes/fact_delete_selected_confirmation.html"

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            # Django lists each protected question and card by name, with links, another teacher's
            # too, and asks for permissions to delete them, which is beside the point: nothing is
            # deleted. The page says how many instead (fact_delete_confirmation.html).
            return deleted, counts, set(), fact_uses(facts=objs, user=request.user)
        return deleted, counts, perms_needed, protected

    @admin.action(description="Retire the selected facts (asked no more; their questions stay)", permissions=["change"])
    def retire(self, request, queryset):
        count = queryset.filter(quizzable=True).update(quizzable=False)
        self.message_user(
            request,
            f"Retired {count} fact(s): no new question or review will ask them. Their questions and learners' "
            "progress stay; tick “quizzable” on a fact to bring it back.",
        )
