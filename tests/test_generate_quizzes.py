"""`generate_quizzes` builds the built-in quizzes once, each question with its fact and source."""

import random
import re
from collections import Counter

from django.core.management import call_command

from quizzes import generation
from quizzes.models import Question, Quiz
from quizzes.services.builtin import CORE_FACTS
from quizzes.services.questions import material_load


def test_the_built_in_quizzes_mix_all_six_types_and_keep_their_sources(content):
    quizzes = {quiz.slug: quiz for quiz in Quiz.objects.builtin()}
    assert set(quizzes) == {"csto", "union-state", "milk-war", "the-whole-story"}
    for slug, quiz in quizzes.items():
        questions = list(quiz.questions.prefetch_related("options", "sentences").select_related("fact"))
        assert len(questions) == (15 if slug == "the-whole-story" else 11)
        assert quiz.status == Quiz.Status.PUBLISHED and quiz.owner is None and quiz.seed == 2009
        kinds = Counter(question.kind for question in questions)
        assert set(kinds) == set(generation.KINDS), (slug, kinds)  # numerical comes from Moodle only
        for question in questions:
            assert question.explanation
            assert list(question.sentences.all()) or question.source_note, question.stem
            if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.GAP_FILL):
                assert question.fact is not None
            if quiz.topic and question.fact:
                assert quiz.topic in question.fact.topics.all()


def test_running_it_again_creates_nothing(content, capsys):
    before = Question.objects.count()
    call_command("generate_quizzes")
    assert Quiz.objects.count() == 4 and Question.objects.count() == before
    assert "Kept 'The whole story' (the-whole-story): it exists already." in capsys.readouterr().out


def test_a_fresh_database_gets_them_from_the_seed_it_is_given(content, capsys):
    Quiz.objects.all().delete()
    call_command("generate_quizzes", "--seed", "7")
    assert Quiz.objects.count() == 4 and set(Quiz.objects.values_list("seed", flat=True)) == {7}
    out = capsys.readouterr().out
    assert "Created the-whole-story: 15 questions" in out and "Seed 7; generated in" in out


def test_dry_run_prints_every_question_with_key_distractors_and_source_and_writes_nothing(content, capsys):
    Quiz.objects.all().delete()
    call_command("generate_quizzes", "--dry-run")
    assert not Quiz.objects.exists()
    out = capsys.readouterr().out
    for slug in ("csto", "union-state", "milk-war", "the-whole-story"):
        assert f"=== {slug} ===" in out and f"Would create {slug}: " in out
    # Single choice takes the places other types cannot fill: as many as the summaries say.
    assert out.count("[single]") == sum(int(n) for n in re.findall(r"(\d+) single\b", out)) >= 4 + 4 + 4 + 5
    assert "   KEY " in out and "accepted: " in out and "explanation: " in out
    # The quoted source under a question, e.g. the article's first sentence under the summit-city gap.
    assert "       s1: Belarus today signalled a growing rift with ally Russia" in out
    assert "     source: fact " in out


def test_every_built_in_question_asks_a_fact_the_article_or_an_explainer_teaches(content):
    material = material_load()
    lines = generation.teaching_lines(material)
    facts = {fact.key: fact for fact in material.facts}
    questions = Question.objects.filter(quiz__in=Quiz.objects.builtin()).exclude(fact=None).select_related("fact")
    assert questions.count() >= 30
    for question in questions:
        assert generation.is_taught(facts[question.fact.key], lines), question.fact.key


def test_the_central_facts_are_asked_once_by_the_built_in_quizzes(content):
    asked = Counter(
        Question.objects.filter(quiz__in=Quiz.objects.builtin()).exclude(fact=None).values_list("fact__key", flat=True)
    )
    assert {key for keys in CORE_FACTS.values() for key in keys} <= set(asked)
    assert {"A09", "A22a", "A17", "A29", "A46", "B-C10c", "B-C10f"} <= set(asked)
    assert max(asked.values()) == 1


def test_report_prints_each_quiz_s_mix_for_the_seed_and_writes_nothing(content, capsys):
    Quiz.objects.all().delete()
    call_command("generate_quizzes", "--report", "--seed", "3")
    assert not Quiz.objects.exists()
    out = capsys.readouterr().out
    for slug in ("csto:", "union-state:", "milk-war:", "the-whole-story:", "All built-in quizzes, seed 3:"):
        assert slug in out
    assert "11 questions: " in out and "15 questions: " in out and "48 questions: " in out
    assert re.search(r"tests: understanding \d+ \(\d+%\), recall \d+ \(\d+%\), trivia \d+ \(\d+%\)", out)
    assert "exact dates: " in out and "after 2009: " in out and "facts asked more than once: none" in out
    # The same figures as the pure generator gives for the same seed.
    rng = random.Random("3:csto")
    drafts = generation.quiz_generate(
        material_load(),
        rng,
        topic="csto",
        plan=generation.TOPIC_PLAN,
        first=CORE_FACTS["csto"],
        avoid={key for keys in CORE_FACTS.values() for key in keys} - set(CORE_FACTS["csto"]),
    )
    assert "\n".join(f"  {line}" for line in generation.quiz_mix(drafts).lines()) in out
