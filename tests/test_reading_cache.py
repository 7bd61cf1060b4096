"""Reading pages come from the cache per content version (explainer/reading_cache.py): any change
to the content shows at once, and every reader still gets their own nonce, CSRF token, account
box and messages."""

import io
import logging
import re

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from explainer import reading_cache
from explainer.models import GlossaryTerm, TimelineEvent, Topic
from quizzes.models import Classroom, Learner
from tests.conftest import PASSWORD
from tests.quiz_helpers import quiz_take

CACHED_PAGES = ["/", "/article/", "/topics/csto/", "/facts/", "/facts/?topic=csto", "/glossary/", "/timeline/", "/map/"]


def nonce_of(response) -> str:
    return re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)


def body_csrf_token(html: str) -> str:
    return re.search(r'<body hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'>', html).group(1)


def topic_form(topic: Topic, **changes) -> dict:
    fields = {name: getattr(topic, name) for name in ("title", "slug", "order", "summary", "body")}
    return {**fields, **changes, "_save": "Save"}


@pytest.mark.parametrize("url", CACHED_PAGES)
def test_a_page_seen_once_is_served_from_the_cache_without_a_query(content, django_assert_num_queries, url):
    first = Client().get(url)
    with django_assert_num_queries(0):
        again = Client().get(url)
    assert again.status_code == 200
    # The same page but for the nonce and the CSRF token.
    assert again.text.replace(nonce_of(again), "N").replace(body_csrf_token(again.text), "T") == first.text.replace(
        nonce_of(first), "N"
    ).replace(body_csrf_token(first.text), "T")


def test_a_signed_in_readers_cached_page_reads_only_their_account(content, student_client, django_assert_num_queries):
    Client().get("/topics/csto/")
    with django_assert_num_queries(2):  # the user and their display name (the session comes from the cache)
        html = student_client.get("/topics/csto/").text
    assert '<span class="account-name">alex</span>' in html  # no learner yet: the username
    Learner.objects.create(user=User.objects.get(username="alex"), display_name="Alex P.")
    assert '<span class="account-name">Alex P.</span>' in student_client.get("/topics/csto/").text


def test_a_teachers_admin_edit_of_a_topic_shows_at_once(content, teacher_client):
    topic = Topic.objects.get(slug="csto")
    assert "The CSTO, rewritten" not in Client().get("/topics/csto/").text
    body = topic.body + "\nA paragraph added in the admin.\n"
    response = teacher_client.post(
        f"/admin/explainer/topic/{topic.pk}/change/", topic_form(topic, title="The CSTO, rewritten", body=body)
    )
    assert response.status_code == 302
    page = Client().get("/topics/csto/").text
    assert "The CSTO, rewritten" in page and "A paragraph added in the admin." in page
    # Every page that shows the topic's title, too.
    assert "The CSTO, rewritten" in Client().get("/").text
    assert "The CSTO, rewritten" in Client().get("/topics/milk-war/").text


def test_a_teachers_admin_delete_shows_at_once(content, teacher_client):
    event = TimelineEvent.objects.order_by("date").first()
    assert f'id="{event.anchor}"' in Client().get("/timeline/").text
    response = teacher_client.post(f"/admin/explainer/timelineevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert f'id="{event.anchor}"' not in Client().get("/timeline/").text


def test_a_teachers_list_edit_shows_at_once(content, teacher_client):
    """The topics' order, changed on the admin's list page."""
    topics = list(Topic.objects.in_order())
    first, last = (f'<h3><a href="{topic.get_absolute_url()}">' for topic in (topics[0], topics[-1]))
    home = Client().get("/").text
    assert home.index(first) < home.index(last)
    data = {"form-TOTAL_FORMS": len(topics), "form-INITIAL_FORMS": len(topics), "_save": "Save"}
    for index, topic in enumerate(reversed(topics)):
        data |= {f"form-{index}-id": topic.pk, f"form-{index}-order": index}
    assert teacher_client.post("/admin/explainer/topic/", data).status_code == 302
    home = Client().get("/").text
    assert home.index(first) > home.index(last)


def test_load_content_invalidates_every_page(content):
    Client().get("/glossary/")
    # A change no signal reports (raw SQL, another tool): the cached page does not know of it...
    GlossaryTerm.objects.filter(slug="boycott").update(term="Boycott (changed by hand)")
    assert "changed by hand" not in Client().get("/glossary/").text
    # ...until the content is loaded again (which keeps the edit, as an admin edit).
    call_command("load_content", stdout=io.StringIO())
    assert "Boycott (changed by hand)" in Client().get("/glossary/").text


def test_a_page_rendered_before_the_edit_commits_is_retired_by_the_commit(
    content, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """A page rendered between the save and the commit of an edit shows the old rows, under the
    version the save set: the commit sets another."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Topic.objects.get(slug="csto").save()
        Client().get("/topics/csto/")
        with django_assert_num_queries(0):
            Client().get("/topics/csto/")
    assert callbacks
    with django_assert_num_queries(5):
        Client().get("/topics/csto/")


def test_two_guests_get_their_own_nonce_and_a_csrf_token_for_their_own_cookie(content):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    pages = [first.get("/topics/csto/"), second.get("/topics/csto/"), first.get("/topics/csto/")]
    nonces = [nonce_of(page) for page in pages]
    assert len(set(nonces)) == 3
    for page, nonce in zip(pages, nonces, strict=True):
        scripts = re.findall(r"<script[^>]*>", page.text)
        assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    tokens = [body_csrf_token(page.text) for page in pages]
    assert len(set(tokens)) == 3
    # Each token works with its own browser's cookie, and not with the other's.
    assert first.post("/accounts/logout/", HTTP_X_CSRFTOKEN=tokens[0]).status_code == 302
    assert second.post("/accounts/logout/", HTTP_X_CSRFTOKEN=tokens[1]).status_code == 302
    assert second.post("/accounts/logout/", HTTP_X_CSRFTOKEN=tokens[0]).status_code == 403
    assert first.post("/accounts/logout/", HTTP_X_CSRFTOKEN=tokens[1]).status_code == 403


def test_each_signed_in_reader_sees_their_own_name_and_a_guest_none(content, student_client):
    sam = Client(enforce_csrf_checks=True)
    sam.force_login(User.objects.create_user("sam", password=PASSWORD))
    for url in ("/topics/csto/", "/glossary/"):
        alex_page = student_client.get(url).text
        sam_page = sam.get(url).text
        guest_page = Client().get(url).text
        assert ">alex</span>" in alex_page and ">sam</span>" not in alex_page
        assert ">sam</span>" in sam_page and ">alex</span>" not in sam_page
        assert ">alex</span>" not in guest_page and ">sam</span>" not in guest_page
        assert f'href="/accounts/login/?next={url}"' in guest_page and "Log in" not in sam_page
    # Sam's logout form carries a token for Sam's cookie.
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', sam_page).group(1)
    assert sam.post("/accounts/logout/", {"csrfmiddlewaretoken": form_token}).status_code == 302


def test_a_guests_progress_on_the_home_page_is_theirs_alone(content, guest_client):
    Client().get("/")  # the page anyone gets, now cached
    quiz_take(guest_client)
    assert "Your progress" in guest_client.get("/").text
    assert "Your progress" not in Client().get("/").text


def test_a_message_shows_once_to_its_reader_on_a_cached_page(content, teacher, student_client):
    classroom = Classroom.objects.create(name="Year 10 history", owner=teacher)
    Client().get("/")
    home = student_client.post("/classes/join/", {"code": classroom.code}, follow=True).text
    assert "You have joined Year 10 history" in home
    assert "You have joined" not in student_client.get("/").text
    assert "You have joined" not in Client().get("/").text


def test_the_facts_page_is_cached_per_topic_and_ignores_other_parameters(content):
    csto = Client().get("/facts/?topic=csto").text
    assert 'id="fact-A26"' not in csto and 'id="fact-A26"' in Client().get("/facts/").text
    assert Client().get("/facts/?topic=csto&utm_source=x").text.count('id="fact-') == csto.count('id="fact-')
    assert Client().get("/facts/?topic=nonsense").status_code == 404


def test_an_unknown_topic_is_a_404_and_nothing_is_cached(content):
    assert Client().get("/topics/no-such-topic/").status_code == 404
    request = Client().get("/topics/no-such-topic/").wsgi_request
    assert cache.get(reading_cache.page_key(request)) is None


class BrokenCache:
    """A cache backend that raises, as Django's own do when their server is gone."""

    def __getattr__(self, name):
        def broken(*args, **kwargs):
            raise ConnectionError("the cache is down")

        return broken


def test_a_cache_that_raises_renders_the_page_and_logs_once(content, monkeypatch, caplog):
    monkeypatch.setattr(reading_cache, "_warned", False)
    monkeypatch.setattr(reading_cache, "cache", BrokenCache())
    with caplog.at_level(logging.WARNING, logger="explainer.reading_cache"):
        for _ in range(3):
            response = Client().get("/topics/csto/")
            assert response.status_code == 200 and "Key terms" in response.text
            assert f'nonce="{nonce_of(response)}"' in response.text
    assert len(caplog.records) == 1
