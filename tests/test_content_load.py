"""`load_content` loads the versioned files, twice without duplicates, and never silently
overwrites a teacher's admin edit."""

import shutil

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from explainer.models import Article, Fact, GlossaryTerm, Member, Sentence, TimelineEvent, Topic
from explainer.services import ContentError, content_load
from quizzes.models import Quiz

MODELS = [Article, Sentence, Topic, Fact, GlossaryTerm, TimelineEvent, Member]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def empty_db(db):
    Quiz.objects.all().delete()
    for model in reversed(MODELS):
        model.objects.all().delete()


@pytest.fixture
def content_copy(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(settings.CONTENT_DIR, target)
    return target


def test_loading_creates_everything_once(empty_db, capsys):
    call_command("load_content")
    first = counts()
    assert first["Article"] == 1
    assert first["Sentence"] == 18
    assert first["Topic"] == 3
    assert first["GlossaryTerm"] == 24
    assert first["TimelineEvent"] == 21
    assert first["Member"] == 7
    assert first["Fact"] >= 100
    out = capsys.readouterr().out
    assert "Created: 1 articles, 18 sentences, 3 topics" in out
    # A fresh database gets its built-in quizzes with its content.
    assert "Built-in quizzes created: " in out
    assert sorted(Quiz.objects.builtin().values_list("slug", flat=True)) == [
        "csto",
        "milk-war",
        "the-whole-story",
        "union-state",
    ]

    call_command("load_content")

    assert counts() == first
    assert Quiz.objects.count() == 4
    out = capsys.readouterr().out
    assert "Built-in quizzes created" not in out
    assert "Created" not in out and "Updated" not in out
    assert "Unchanged: 1 articles, 18 sentences, 3 topics" in out


def test_a_teacher_edit_is_kept_and_reported(content, capsys):
    fact = Fact.objects.get(key="A26")
    fact.statement = "A teacher's clearer wording of the ban date."
    fact.save()

    call_command("load_content")

    fact.refresh_from_db()
    assert fact.statement == "A teacher's clearer wording of the ban date."
    assert "Kept the admin edit of fact A26" in capsys.readouterr().out


def test_overwrite_replaces_a_teacher_edit(content):
    original = Fact.objects.get(key="A26").statement
    Fact.objects.filter(key="A26").update(statement="edited")

    call_command("load_content", "--overwrite")

    assert Fact.objects.get(key="A26").statement == original


def test_a_changed_file_updates_rows_nobody_edited(content, content_copy):
    glossary = yaml.safe_load((content_copy / "glossary.yaml").read_text())
    glossary[0]["definition"] = "A new definition from the content files."
    (content_copy / "glossary.yaml").write_text(yaml.safe_dump(glossary, allow_unicode=True))

    report = content_load(directory=content_copy)

    assert GlossaryTerm.objects.get(slug=glossary[0]["slug"]).definition == "A new definition from the content files."
    assert report.updated == {"glossary terms": 1}
    assert report.kept == []


def test_an_edit_to_relations_counts_as_an_edit(content, capsys):
    fact = Fact.objects.get(key="A26")
    fact.topics.add(Topic.objects.get(slug="csto"))

    call_command("load_content")

    assert "Kept the admin edit of fact A26" in capsys.readouterr().out
    assert fact.topics.filter(slug="csto").exists()


def test_inconsistent_files_load_nothing_and_say_why(empty_db, content_copy):
    facts = yaml.safe_load((content_copy / "facts.yaml").read_text())
    facts[0]["topics"] = ["no-such-topic"]
    facts[1]["sentences"] = [42]
    (content_copy / "facts.yaml").write_text(yaml.safe_dump(facts, allow_unicode=True))
    topic = content_copy / "topics" / "csto.md"
    topic.write_text(topic.read_text() + "\nSee [nowhere](glossary:not-a-term) and [s99](/article/#s99).\n")

    with pytest.raises(CommandError) as error:
        call_command("load_content", "--directory", str(content_copy))

    message = str(error.value)
    assert f"fact {facts[0]['key']}: unknown topic 'no-such-topic'" in message
    assert f"fact {facts[1]['key']}: sentence 42 does not exist" in message
    assert "csto.md: links unknown glossary term 'not-a-term'" in message
    assert "csto.md: cites sentence 99, which does not exist" in message
    assert counts() == {model.__name__: 0 for model in MODELS}


def test_a_model_rule_violation_rolls_back_the_whole_load(empty_db, content_copy):
    facts = yaml.safe_load((content_copy / "facts.yaml").read_text())
    dated = next(fact for fact in facts if fact["status"] == "dated")
    dated["as_of"] = None
    (content_copy / "facts.yaml").write_text(yaml.safe_dump(facts, allow_unicode=True))

    with pytest.raises(ContentError) as error:
        content_load(directory=content_copy)

    assert "A dated fact needs the date it was true." in error.value.problems
    assert counts() == {model.__name__: 0 for model in MODELS}


def test_a_missing_or_malformed_file_is_a_clear_error_not_a_traceback(empty_db, content_copy):
    (content_copy / "members.yaml").unlink()
    with pytest.raises(CommandError, match=r"cannot read the content files: .*members\.yaml"):
        call_command("load_content", "--directory", str(content_copy))

    (content_copy / "members.yaml").write_text("- code: RUS\n  name: [unclosed\n")
    with pytest.raises(CommandError, match="cannot read the content files"):
        call_command("load_content", "--directory", str(content_copy))
    assert counts() == {model.__name__: 0 for model in MODELS}
