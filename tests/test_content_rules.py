"""The content agrees with the fact-checked reference and follows its rules
(shared/domain/reference.md: DATED, DISPUTED, OPINION, UNCONFIRMED, and the §5 traps)."""

import re

import pytest
import yaml
from django.conf import settings

from explainer.models import Fact, GlossaryTerm, Sentence, TimelineEvent, Topic
from explainer.rendering import render_markdown

pytestmark = pytest.mark.usefixtures("content")

MEMBERS_2009 = {"Russia", "Belarus", "Armenia", "Kazakhstan", "Uzbekistan", "Tajikistan", "Kyrgyzstan"}


def all_text() -> list[tuple[str, str]]:
    texts = [(f"topic {t.slug}", t.body) for t in Topic.objects.all()]
    texts += [(f"fact {f.key}", f"{f.statement} {f.question} {f.note}") for f in Fact.objects.all()]
    texts += [(f"term {g.slug}", g.definition) for g in GlossaryTerm.objects.all()]
    texts += [(f"event {e.key}", f"{e.title} {e.description}") for e in TimelineEvent.objects.all()]
    return texts


def test_every_citation_in_every_explainer_resolves_to_a_sentence():
    numbers = set(Sentence.objects.values_list("number", flat=True))
    for topic in Topic.objects.all():
        citations = render_markdown(topic.body).citations
        assert len(citations) >= 5, f"{topic.slug} cites the article"
        assert set(citations) <= numbers, topic.slug


def test_every_glossary_link_resolves_to_a_term():
    slugs = set(GlossaryTerm.objects.values_list("slug", flat=True))
    for topic in Topic.objects.all():
        linked = set(render_markdown(topic.body).glossary_slugs)
        assert len(linked) >= 6, topic.slug
        assert linked <= slugs, topic.slug


@pytest.mark.parametrize("slug", ["csto", "union-state", "milk-war"])
def test_explainers_are_700_to_1200_words_with_the_required_sections(slug):
    body = Topic.objects.get(slug=slug).body
    words = len(re.findall(r"[\w’'-]+", re.sub(r"\]\([^)]*\)", "]", body)))
    assert 700 <= words <= 1200, words
    assert '!!! dated "' in body
    assert '!!! simplified "' in body
    assert len(re.findall(r"^## ", body, flags=re.M)) >= 4


def test_every_fact_has_a_source_and_a_topic():
    for fact in Fact.objects.prefetch_related("sentences", "topics"):
        assert fact.sentences.exists() or fact.source_note, fact.key
        assert fact.topics.exists(), fact.key
        assert fact.answers and all(isinstance(a, str) and a.strip() for a in fact.answers), fact.key


def test_article_facts_cover_the_reference_list():
    keys = set(Fact.objects.values_list("key", flat=True))
    for number in range(1, 48):
        assert any(re.fullmatch(rf"A{number:02d}[a-z]?", key) for key in keys), f"A{number:02d} is missing"


def test_dated_facts_carry_a_date_and_say_when():
    for fact in Fact.objects.filter(status="dated"):
        assert fact.as_of, fact.key
        assert re.search(r"\b(19|20)\d\d\b", fact.statement), f"{fact.key} says when it was true"
        if fact.question:
            assert re.search(r"\b(19|20)\d\d\b", fact.question), f"{fact.key}'s question says when"


def test_disputed_claims_and_opinions_are_attributed_in_the_statement():
    for fact in Fact.objects.filter(status__in=["disputed", "opinion"]):
        surname = fact.claimed_by.split()[-1].strip(".,'’s")
        assert fact.claimed_by and surname.lower() in fact.statement.lower(), fact.key


def test_the_june_2009_membership_is_the_seven_and_never_turkmenistan():
    membership = Fact.objects.get(key="A09")
    assert set(membership.answers) == MEMBERS_2009
    assert membership.status == "dated"
    for fact in Fact.objects.filter(kind="membership"):
        if "Turkmenistan" in fact.answers:
            pytest.fail(f"{fact.key} lists Turkmenistan as a member")


def test_the_ambiguous_and_stylistic_facts_are_never_quizzable():
    assert not Fact.objects.get(key="A10").quizzable  # Csto/CSTO spelling
    assert not Fact.objects.get(key="A38").quizzable  # "passport union"


@pytest.mark.parametrize(
    "trap",
    [
        r"Interaction-2009",  # UNCONFIRMED exercise name
        r"first-ever",  # UNCONFIRMED claim about the 2022 deployment
        r"six-nation",  # the Moscow Times error: it was seven in 2009
        r"lasted (about |around )?a month",  # it lasted 11 days
        r"summit (was )?(held )?in Minsk",  # the summit was in Moscow
        r"shelved in Moscow",  # the loan was shelved in Minsk
        r"Charter (was )?signed in Tashkent",  # the Charter was signed in Chișinău
        r"Union State was (formed|created) in 1996",
    ],
)
def test_no_content_falls_into_a_generator_trap(trap):
    for where, text in all_text():
        assert not re.search(trap, text, flags=re.I), f"{where}: {trap}"


def test_putin_was_prime_minister_and_medvedev_president_in_2009():
    for where, text in all_text():
        assert not re.search(r"President (Vladimir )?Putin (said|told|met|hosted)[^.]*2009", text), where
        assert not re.search(r"Nur-Sultan[^.]*2009", text) or "2019" in text, where


MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
FULL_DATE = re.compile(rf"^\d{{1,2}} ({MONTHS}) \d{{4}}$")


def _shape(value: str) -> str:
    """Dates, years and amounts must be answered by dates, years and amounts: a student can't tell by form."""
    if FULL_DATE.match(value):
        return "full date"
    if re.fullmatch(r"\d{4}", value):
        return "year"
    if re.search(r"\d", value) and len(value.split()) <= 3:
        return "number"
    return "words"


def test_every_asked_fact_has_distractors_of_the_answer_s_shape():
    facts = yaml.safe_load((settings.CONTENT_DIR / "facts.yaml").read_text())
    for fact in facts:
        if not fact.get("quizzable", True) or not fact.get("question"):
            continue
        distractors = [str(d) for d in fact.get("distractors") or []]
        answers = [str(a) for a in fact["answer"]]
        assert len(distractors) >= (1 if len(answers) > 1 else 3), fact["key"]
        shape = _shape(answers[0])
        if shape != "words":
            assert all(_shape(d) == shape for d in distractors), (fact["key"], shape, distractors)
