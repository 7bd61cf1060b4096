"""Markdown a teacher writes is rendered, then sanitised: nothing in it can run."""

import pytest
from django.urls import reverse

from explainer.models import Topic
from explainer.rendering import render_markdown, render_uncached

PAYLOAD = """## Harmless heading

<script>alert("xss")</script>
<img src="x" onerror="alert('img')">
<a href="javascript:alert('js')">a script link</a>
[a markdown script link](javascript:alert('md'))
<a hx-get="/admin/" hx-trigger="load" href="/ok/">an htmx link</a>
<div hx-post="/steal" onclick="alert('div')" style="color:red">a div</div>
<iframe src="https://example.com"></iframe>
[a term](glossary:boycott) and ([sentence 3](/article/#s3))
"""


def test_dangerous_markup_is_removed():
    html = render_uncached(PAYLOAD).html
    lowered = html.lower()
    for fragment in (
        "<script",
        "alert(",
        "onerror",
        "onclick",
        "javascript:",
        "hx-get",
        "hx-post",
        "hx-trigger",
        "style=",
        "<iframe",
        "<img",
    ):
        assert fragment not in lowered, fragment


def test_safe_markup_and_our_links_survive():
    rendered = render_uncached(PAYLOAD)
    assert '<h2 id="harmless-heading">Harmless heading</h2>' in rendered.html
    assert '<a href="/ok/" rel="noopener noreferrer">an htmx link</a>' in rendered.html
    assert '<a class="term" href="#term-boycott" rel="noopener noreferrer">a term</a>' in rendered.html
    assert '<a class="cite" href="/article/#s3" rel="noopener noreferrer">sentence 3</a>' in rendered.html
    assert rendered.citations == (3,)
    assert rendered.glossary_slugs == ("boycott",)


def test_only_http_https_mailto_and_relative_links_are_kept():
    html = render_uncached(
        "[w](https://example.org) [h](http://example.org) [m](mailto:a@example.org) [r](/glossary/) "
        "[d](data:text/html,hi) [v](vbscript:msgbox) [f](file:///etc/passwd)"
    ).html
    assert 'href="https://example.org"' in html
    assert 'href="http://example.org"' in html
    assert 'href="mailto:a@example.org"' in html
    assert 'href="/glossary/"' in html
    assert "data:" not in html and "vbscript:" not in html and "file:" not in html


def test_admonition_classes_are_kept_but_invented_classes_are_not():
    html = render_uncached('!!! dated "As of 2025"\n    Six members.\n\n<p class="evil">x</p>').html
    assert '<div class="admonition dated">' in html
    assert 'class="evil"' not in html


@pytest.mark.django_db
def test_a_topic_edited_with_a_payload_renders_harmless_and_the_edit_shows_at_once(content, client):
    topic = Topic.objects.get(slug="csto")
    url = reverse("explainer:topic", args=["csto"])
    assert "Harmless heading" not in client.get(url).text
    topic.body = PAYLOAD
    topic.save()

    page = client.get(url).text

    assert "Harmless heading" in page
    assert "alert(" not in page
    assert 'hx-get="/admin/"' not in page
    assert "onerror" not in page


def test_rendering_is_cached_by_content(monkeypatch):
    calls = []

    def counting_render(text):
        calls.append(text)
        return render_uncached(text)

    monkeypatch.setattr("explainer.rendering.render_uncached", counting_render)
    first = render_markdown("Some *text* for the cache test.")
    again = render_markdown("Some *text* for the cache test.")
    edited = render_markdown("Some *edited* text for the cache test.")

    assert again == first
    assert edited.html == "<p>Some <em>edited</em> text for the cache test.</p>"
    assert calls == ["Some *text* for the cache test.", "Some *edited* text for the cache test."]


def test_a_heading_keeps_only_an_id_the_table_of_contents_made():
    rendered = render_uncached('## Members\n\n<h2 id="csrfmiddlewaretoken">Clobber</h2>\n\n<h3 id="x">Raw</h3>\n')
    assert '<h2 id="members">Members</h2>' in rendered.html
    assert 'id="csrfmiddlewaretoken"' not in rendered.html and 'id="x"' not in rendered.html
    assert "<h2>Clobber</h2>" in rendered.html
