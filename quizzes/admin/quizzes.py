"""Quizzes: the quiz admin with its questions in order, its actions (publish, duplicate, export)
and its own pages (import, generate, preview, publish, duplicate, accept drafts, report).

The built-in quizzes are a read-only library that any teacher can view, preview, export and
duplicate. Review rounds are a learner's private quizzes and appear nowhere.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from explainer.models import Topic
from quizzes import generation, interchange, reports
from quizzes.admin.owned import OwnedInline, ReportAdmin, Reported, admin_page_context
from quizzes.models import Attempt, Question, Quiz, seed_new
from quizzes.services.authoring import questions_generate, quiz_duplicate
from quizzes.services.builtin import default_quizzes_mix
from quizzes.transfer import quiz_export, quiz_import


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
        context = admin_page_context(self, request, "Import a quiz (GIFT or Moodle XML)", form=form)
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

    @method_decorator(require_POST)
    def publish_view(self, request, object_id):
        quiz = self.own_object(request, object_id, change=True)
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

    @method_decorator(require_POST)
    def duplicate_view(self, request, object_id):
        quiz = self.own_object(request, object_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        copy = quiz_duplicate(quiz=quiz, owner=request.user)
        self.message_user(request, f"This is your copy of “{quiz.title}”, a draft: change it as you like.")
        return HttpResponseRedirect(reverse("admin:quizzes_quiz_change", args=[copy.pk]))

    @method_decorator(require_POST)
    def accept_drafts_view(self, request, object_id):
        """Accept the drafts ticked on the quiz's page, or all of them: students see them once the
        quiz is published. A draft that cannot be asked as it stands stays a draft, with the reason."""
        quiz = self.own_object(request, object_id, change=True)
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
