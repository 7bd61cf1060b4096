"""Every reading page renders what a student should see, in a fixed number of queries."""

import re

import pytest

from explainer.models import Fact, GlossaryTerm, Sentence, TimelineEvent, Topic
from explainer.reading_cache import content_changed
from tests.conftest import READING_PAGES

TOPIC_SLUGS = ["csto", "union-state", "milk-war"]


def test_home_tells_the_story_and_links_every_part(content, client):
    html = client.get("/").text
    assert "The Russia–Belarus “milk war”" in html
    assert "On 6 June 2009 Russia banned imports" in html
    for slug in TOPIC_SLUGS:
        assert f'href="/topics/{slug}/"' in html
    for url in ("/article/", "/glossary/", "/timeline/", "/map/", "/facts/"):
        assert f'href="{url}"' in html


def test_article_shows_18_numbered_sentences_with_anchors_and_who_cites_them(content, client):
    html = client.get("/article/").text
    assert "Belarus-Russia rift widens" in html
    assert "Reuters, Sunday 14 June 2009" in html
    for number in range(1, 19):
        assert f'id="s{number}"' in html
    assert 'id="s19"' not in html
    assert "Belarus today signalled a growing rift with ally Russia" in html
    sentence_3 = html.split('id="s3"')[1].split("</li>")[0]
    assert 'href="/topics/csto/"' in sentence_3
    assert "fact A09" in sentence_3


@pytest.mark.parametrize("slug", TOPIC_SLUGS)
def test_topic_page_renders_body_key_terms_and_facts(content, client, slug):
    topic = Topic.objects.get(slug=slug)
    html = client.get(f"/topics/{slug}/").text
    assert f'<h1 id="topic-title">{topic.title}' in html.replace("&#x27;", "'")
    assert 'class="admonition dated"' in html
    assert 'class="admonition simplified"' in html
    assert re.search(r'<a class="cite" href="/article/#s\d+"', html)
    terms = re.findall(r'<a class="term" href="#(term-[\w-]+)"', html)
    assert terms, "the page links glossary terms"
    for anchor in set(terms):
        assert f'id="{anchor}"' in html, f"{anchor} has a definition on the page"
    fact = topic.facts.first()
    assert f'id="{fact.anchor}"' in html


def test_unknown_topic_is_a_404_page(content, client):
    response = client.get("/topics/no-such-topic/")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_glossary_lists_24_terms_with_anchors(content, client):
    html = client.get("/glossary/").text
    terms = GlossaryTerm.objects.all()
    assert terms.count() == 24
    for term in terms:
        assert f'id="{term.anchor}"' in html
    assert "Customs union" in html


def test_timeline_lists_21_events_in_order_each_linked_to_its_topic(content, client):
    html = client.get("/timeline/").text
    events = list(TimelineEvent.objects.all())
    assert len(events) == 21
    positions = [html.index(f'id="{event.anchor}"') for event in events]
    assert positions == sorted(positions)
    assert [event.date for event in events] == sorted(event.date for event in events)
    for event in events:
        card = html.split(f'id="{event.anchor}"')[1].split("</li>")[0]
        assert f'href="/topics/{event.topic.slug}/"' in card
    assert html.index("15 May 1992") < html.index("6 Jun 2009") < html.index("22–23 Feb 2024")


def test_map_shows_the_seven_members_and_what_changed(content, client):
    html = client.get("/map/").text
    assert "<svg" in html and 'role="img"' in html
    for name, capital in [
        ("Russia", "Moscow"),
        ("Belarus", "Minsk"),
        ("Armenia", "Yerevan"),
        ("Kazakhstan", "Astana"),
        ("Uzbekistan", "Tashkent"),
        ("Tajikistan", "Dushanbe"),
        ("Kyrgyzstan", "Bishkek"),
    ]:
        row = html.split(f'<th scope="row">{name}</th>')[1].split("</tr>")[0]
        assert capital in row
    uzbekistan = html.split('<th scope="row">Uzbekistan</th>')[1].split("</tr>")[0]
    assert "Membership suspended" in uzbekistan and "2012" in uzbekistan
    armenia = html.split('<th scope="row">Armenia</th>')[1].split("</tr>")[0]
    assert "Participation frozen" in armenia and "2024" in armenia
    assert '<path id="map-UZB" class="country member suspended"' in html
    assert '<path id="map-ARM" class="country member frozen"' in html
    assert '<path id="map-TKM" class="country nonmember"' in html


def test_fact_list_shows_sources_and_filters_by_topic(content, client):
    html = client.get("/facts/").text
    assert Fact.objects.count() > 40
    for fact in Fact.objects.all():
        assert f'id="{fact.anchor}"' in html
    csto = client.get("/facts/?topic=csto").text
    assert 'id="fact-A09"' in csto
    assert 'id="fact-A26"' not in csto
    assert client.get("/facts/?topic=nonsense").status_code == 404


def test_healthz_answers_without_a_session_or_a_write(db, client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "database ok\ncache ok\n"
    assert "sessionid" not in response.cookies
    assert "csrftoken" not in response.cookies


@pytest.mark.parametrize("url", READING_PAGES)
def test_pages_answer_head_and_refuse_post_with_405(content, client, url):
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/", 3),
        ("/article/", 5),
        ("/topics/csto/", 5),
        ("/topics/milk-war/", 5),
        ("/facts/", 4),
        ("/facts/?topic=union-state", 4),
        ("/glossary/", 2),
        ("/timeline/", 2),
        ("/map/", 1),
    ],
)
def test_each_page_runs_a_fixed_number_of_queries(content, client, django_assert_num_queries, url, queries):
    client.get(url)  # warm the Markdown cache, as on a running site
    content_changed()  # then render the page again (tests/test_reading_cache.py: served from the cache)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_query_counts_do_not_grow_with_more_facts(content, client, django_assert_num_queries):
    topic = Topic.objects.get(slug="csto")
    sentence = Sentence.objects.get(number=3)
    for n in range(30):
        fact = Fact.objects.create(
            key=f"X{n}", kind="event", statement=f"Extra fact {n}", answers=["x"], status="confirmed"
        )
        fact.topics.add(topic)
        fact.sentences.add(sentence)
    for url, queries in [("/article/", 5), ("/topics/csto/", 5), ("/facts/", 4)]:
        client.get(url)
        content_changed()
        with django_assert_num_queries(queries):
            client.get(url)
