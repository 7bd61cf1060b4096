"""Teachers: the group's permissions, `create_teacher`, and editing content in the admin."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from explainer import teachers as reading
from explainer.models import Article, Fact, Topic
from explainer.teachers import TEACHER_GROUP
from quizzes import teachers as practice
from tests.conftest import PASSWORD


def test_the_teachers_group_holds_exactly_the_content_and_quiz_permissions(db):
    group = Group.objects.get(name=TEACHER_GROUP)
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
    expected = {
        ("explainer", f"{action}_{model}")
        for model in ("topic", "fact", "glossaryterm", "timelineevent")
        for action in ("view", "add", "change", "delete")
    }
    expected |= {
        ("explainer", f"{action}_{model}")
        for model in ("article", "sentence", "member")
        for action in ("view", "change")
    }
    expected |= {
        ("quizzes", f"{action}_{model}")
        for model in ("quiz", "question", "option", "classroom", "assignment")
        for action in ("view", "add", "change", "delete")
    }
    expected |= {("quizzes", "view_enrolment"), ("quizzes", "delete_enrolment")}
    # Live sessions: started (added) and ended from the host view, never edited; players only removed.
    expected |= {("quizzes", f"{action}_livesession") for action in ("view", "add", "delete")}
    expected |= {("quizzes", "view_participant"), ("quizzes", "delete_participant")}
    assert codenames == expected


def test_each_app_declares_its_own_share_of_the_group():
    for app_label, share in (("explainer", reading.TEACHER_PERMISSIONS), ("quizzes", practice.TEACHER_PERMISSIONS)):
        models = {model._meta.model_name for model in apps.get_app_config(app_label).get_models()}
        assert set(share) <= models, f"{app_label}/teachers.py names another app's models"


def test_create_teacher_makes_a_staff_user_in_the_group(db, capsys):
    call_command("create_teacher", "ms-orlova", "--password", PASSWORD)

    user = User.objects.get(username="ms-orlova")
    assert user.is_staff and not user.is_superuser
    assert user.check_password(PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == [TEACHER_GROUP]
    assert "Teacher 'ms-orlova' created" in capsys.readouterr().out


def test_create_teacher_refuses_a_weak_password_and_a_taken_name(db, teacher):
    with pytest.raises(CommandError, match="Password refused: This password is too short"):
        call_command("create_teacher", "mr-weak", "--password", "abc")
    assert not User.objects.filter(username="mr-weak").exists()
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_teacher", teacher.username, "--password", PASSWORD)


def test_a_teacher_edits_a_fact_in_the_admin_and_students_see_it_at_once(content, teacher_client, client):
    fact = Fact.objects.get(key="A26")
    change_url = f"/admin/explainer/fact/{fact.pk}/change/"
    page = teacher_client.get(change_url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {key: value for key, value in data.items() if value is not None}
    data["answers"] = '["6 June 2009"]'
    data["accepted_spellings"] = "[]"
    data["statement"] = "On Saturday 6 June 2009 Russia stopped imports of Belarusian dairy products."

    response = teacher_client.post(change_url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    fact.refresh_from_db()
    assert fact.statement == "On Saturday 6 June 2009 Russia stopped imports of Belarusian dairy products."
    assert "On Saturday 6 June 2009 Russia stopped imports" in client.get("/facts/").text


def test_the_admin_refuses_a_dated_fact_without_its_date(content, teacher_client):
    fact = Fact.objects.get(key="A09")
    change_url = f"/admin/explainer/fact/{fact.pk}/change/"
    form = teacher_client.get(change_url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["answers"] = '["Russia"]'
    data["accepted_spellings"] = "[]"
    data["as_of"] = ""

    response = teacher_client.post(change_url, data)

    assert response.status_code == 200
    assert "A dated fact needs the date it was true." in response.text
    fact.refresh_from_db()
    assert fact.as_of is not None


def test_a_teacher_cannot_delete_the_article(content, teacher_client):
    article = Article.objects.get()
    assert teacher_client.get(f"/admin/explainer/article/{article.pk}/delete/").status_code == 403
    assert teacher_client.post(f"/admin/explainer/article/{article.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_the_admin_refuses_a_topic_body_that_cites_a_missing_sentence_or_term(content, teacher_client):
    topic = Topic.objects.get(slug="csto")
    change_url = f"/admin/explainer/topic/{topic.pk}/change/"
    data = {
        "title": topic.title,
        "slug": topic.slug,
        "order": topic.order,
        "summary": topic.summary,
        "body": "## A section\n\nSee [sentence 42](/article/#s42) and [a term](glossary:no-such-term).",
    }

    response = teacher_client.post(change_url, data)

    assert response.status_code == 200
    assert "The text cites sentence 42, which does not exist." in response.text
    assert "The text links unknown glossary term &#x27;no-such-term&#x27;." in response.text
    topic.refresh_from_db()
    assert "sentence 42" not in topic.body

    data["body"] = "## A section\n\nSee [sentence 3](/article/#s3) and [a term](glossary:boycott)."
    assert teacher_client.post(change_url, data).status_code == 302
    topic.refresh_from_db()
    assert topic.body == data["body"]
