"""Generating from chosen facts: the reading side's fact admin, with this app's actions (generate
questions, retire) and delete pages that say, in counts, what protects a fact."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html

import explainer.admin
from explainer.models import Fact
from quizzes import generation
from quizzes.admin.owned import admin_page_context
from quizzes.models import Question, Quiz, ReviewCard, seed_new
from quizzes.services.authoring import questions_from_facts


class FactsGenerateForm(forms.Form):
    quiz = forms.ModelChoiceField(queryset=Quiz.objects.none(), label="Add the questions to")
    kinds = forms.MultipleChoiceField(
        label="Question types",
        choices=[(kind, Question.Kind(kind).label) for kind in generation.REVIEW_KINDS],
        initial=list(generation.REVIEW_KINDS),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one question type."},
    )


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
    context = admin_page_context(
        modeladmin,
        request,
        "Generate questions from these facts",
        facts=queryset,
        form=form,
        has_quizzes=quizzes.exists(),
        action_checkbox_name=admin.helpers.ACTION_CHECKBOX_NAME,
    )
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
