"""Questions: one question with its options, items or pairs, checked against its type, and
fixed once students have answered it except for its wording. Reached from its quiz."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminTextareaWidget, AutocompleteSelect
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from config.formsets import BoundedInlineFormSet
from quizzes import generation
from quizzes.admin.owned import OwnedAdmin, OwnedInline, owns
from quizzes.generation import question_problems
from quizzes.models import Option, Question, Quiz

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
        return obj is None or owns(request, obj.quiz.owner_id)


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
