from django import forms
from django.contrib import admin

from config.formsets import BoundedInlineFormSet
from explainer.models import Article, Fact, GlossaryTerm, Member, Sentence, TimelineEvent, Topic
from explainer.rendering import link_problems, render_uncached


class SentenceInline(admin.TabularInline):
    model = Sentence
    formset = BoundedInlineFormSet  # a made-up TOTAL_FORMS builds no thousand forms
    fields = ["number", "text"]
    extra = 0
    can_delete = False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "published"]
    inlines = [SentenceInline]


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["title", "slug", "order", "summary", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 30, "cols": 100})}

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        problems = link_problems(
            render_uncached(body),
            sentences=set(Sentence.objects.values_list("number", flat=True)),
            glossary_slugs=set(GlossaryTerm.objects.values_list("slug", flat=True)),
        )
        if problems:
            raise forms.ValidationError([f"The text {problem}." for problem in problems])
        return body


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    form = TopicForm
    list_display = ["title", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Fact)
class FactAdmin(admin.ModelAdmin):
    # The quizzes app adds its action "Generate quiz questions from these facts" (quizzes/admin/facts.py).
    search_fields = ["key", "statement", "question", "answers", "note", "source_note", "claimed_by"]
    list_display = ["key", "statement", "kind", "status", "as_of", "quizzable"]
    list_filter = ["topics", "kind", "status", "quizzable"]
    filter_horizontal = ["topics", "sentences"]
    fieldsets = [
        (None, {"fields": ["key", "kind", "statement", "question", "answers", "accepted_spellings", "quizzable"]}),
        ("For quizzes", {"fields": ["distractors", "role"]}),
        ("Where it comes from", {"fields": ["topics", "sentences", "source_note"]}),
        ("Status", {"fields": ["status", "as_of", "claimed_by", "note"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["term", "slug", "order"]
    list_filter = ["topics"]
    search_fields = ["term", "definition"]
    prepopulated_fields = {"slug": ["term"]}
    filter_horizontal = ["topics"]


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin):
    list_display = ["label", "title", "topic"]
    list_filter = ["topic"]
    search_fields = ["title", "description"]
    filter_horizontal = ["sentences"]
    list_select_related = ["topic"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "capital", "later_status", "change"]
    list_filter = ["later_status"]
