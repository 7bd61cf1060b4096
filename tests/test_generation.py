"""The generator, without a database: exact results for a fixed seed, and properties over many seeds."""

import random
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import yaml
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from explainer.text import plain
from quizzes import generation as g
from tests.generation_helpers import BAN_DATE, CLAIM, MEMBERS

SUMMIT = "Mr Lukashenko had been due to take part in a summit in Moscow on June 14th."

SUMMIT_CITY = g.FactIn(
    key="A16b",
    kind="place",
    statement="The CSTO summit of 14 June 2009 took place in Moscow.",
    question="In which city did the CSTO summit of 14 June 2009 take place?",
    answers=("Moscow",),
    distractors=("Minsk", "Tashkent", "Astana", "Yerevan"),
    topics=("csto",),
    sentences=(1,),
)
PRESIDENT = g.FactIn(
    key="A02a",
    kind="person",
    statement="Belarus said its president, Alexander Lukashenko, would not attend the summit.",
    question="Which leader did Belarus say would not attend the summit?",
    answers=("Alexander Lukashenko",),
    accepted=("Lukashenka",),
    distractors=("Sergei Sidorsky", "Andrei Popov", "Dmitry Medvedev"),
    topics=("csto",),
    sentences=(20,),
)
EVENTS = tuple(
    g.EventIn(key=f"e{n}", date=date, label=label, title=title, topic="csto", sentences=(n,))
    for n, (date, label, title) in enumerate(
        [
            ("1992-05-15", "15 May 1992", "Treaty signed"),
            ("2002-10-07", "7 Oct 2002", "Charter signed"),
            ("2009-06-14", "14 Jun 2009", "Summit boycotted"),
            ("2012-12-19", "19 Dec 2012", "Uzbekistan suspended"),
            ("2024-02-01", "Feb 2024", "Armenia freezes"),
        ],
        start=1,
    )
)
CAPITALS = g.PairSet(
    stem="Match each country to its capital in 2009.",
    pairs=tuple(
        g.Pair(left=country, right=capital, topics=("csto",), sentences=(3,))
        for country, capital in [
            ("Russia", "Moscow"),
            ("Belarus", "Minsk"),
            ("Armenia", "Yerevan"),
            ("Kazakhstan", "Astana"),
        ]
    ),
)
MATERIAL = g.Material(
    facts=(BAN_DATE, SUMMIT_CITY, MEMBERS, CLAIM, PRESIDENT),
    events=EVENTS,
    pair_sets=(CAPITALS,),
    sentences={
        1: "Belarus said it would skip a security summit in Moscow.",
        20: "Its president Alexander Lukashenko would not attend the summit.",
    },
    texts=(
        "## The story\n"
        "Russia banned Belarusian dairy on [6 June 2009](glossary:trade-ban); the summit met in Moscow.\n"
        "- In June 2009 the CSTO had seven members: Russia, Belarus, Armenia, Kazakhstan, Uzbekistan, Tajikistan"
        " and Kyrgyzstan.\n"
        "- Lukashenko said the Kremlin wanted Abkhazia and South Ossetia recognised.\n",
    ),
)


def test_single_choice_has_the_key_and_three_of_the_fact_s_own_distractors():
    draft = g.single_choice(BAN_DATE, random.Random(1))
    assert draft.kind == g.SINGLE
    assert draft.stem == "On what date did Russia ban imports of Belarusian dairy products?"
    assert [(o.text, o.correct) for o in draft.options] == [
        ("6 June 2009", True),
        ("17 June 2009", False),
        ("28 May 2009", False),
        ("13 June 2009", False),
    ]
    assert draft.fact_key == "A26"
    assert draft.sentences == (10,)
    assert draft.explanation == BAN_DATE.statement


def test_a_distractor_that_is_an_accepted_spelling_of_the_answer_is_never_offered():
    for seed in range(30):
        texts = [o.text for o in g.single_choice(BAN_DATE, random.Random(seed)).options]
        assert "June 6, 2009" not in texts


def test_a_fact_with_too_few_distractors_gives_no_single_choice():
    assert g.single_choice(replace(BAN_DATE, distractors=("1 June 2009",)), random.Random(1)) is None


def test_multiple_select_asks_which_of_these_and_mixes_members_and_non_members():
    draft = g.multiple_select(MEMBERS, random.Random(3))
    assert draft.stem == "In June 2009, which of these countries were members of the CSTO? Select all that apply."
    correct = [o.text for o in draft.options if o.correct]
    wrong = [o.text for o in draft.options if not o.correct]
    assert len(draft.options) == 5
    assert set(correct) <= set(MEMBERS.answers) and len(correct) >= 2
    assert set(wrong) <= set(MEMBERS.distractors) and wrong


def test_false_statement_swaps_the_answer_for_a_distractor():
    statement = g.false_statement(SUMMIT_CITY, random.Random(2))
    assert statement == "The CSTO summit of 14 June 2009 took place in Minsk."


def test_true_false_never_states_a_disputed_claim_bare():
    assert all(g.true_false(CLAIM, random.Random(seed)) is None for seed in range(20))


def test_true_false_is_true_or_false_with_the_true_statement_as_explanation():
    drafts = [g.true_false(SUMMIT_CITY, random.Random(seed)) for seed in range(20)]
    keys = Counter(next(o.text for o in d.options if o.correct) for d in drafts)
    assert set(keys) == {"True", "False"}
    for draft in drafts:
        assert [o.text for o in draft.options] == ["True", "False"]
        if draft.options[1].correct:
            assert "Moscow" not in draft.stem
            assert draft.explanation == f"False. {SUMMIT_CITY.statement}"
        else:
            assert draft.stem == f"True or false? {SUMMIT_CITY.statement}"
            assert draft.explanation == f"True. {SUMMIT_CITY.statement}"


def test_gap_fill_blanks_the_article_sentence_and_accepts_the_surname():
    draft = g.gap_fill(PRESIDENT, MATERIAL.sentences)
    assert (
        draft.stem
        == "Fill the gap in this sentence from the article: “Its president _____ would not attend the summit.”"
    )
    assert draft.accepted == ("Alexander Lukashenko", "Lukashenka", "Lukashenko")
    assert draft.rejected == ("Sergei Sidorsky", "Andrei Popov", "Dmitry Medvedev")


def test_gap_fill_of_a_dated_fact_uses_the_statement_with_its_date():
    fact = replace(SUMMIT_CITY, status="dated", as_of="2009-06-14")
    draft = g.gap_fill(fact, {1: "Belarus skipped a summit in Moscow."})
    assert draft.stem == "Fill the gap: The CSTO summit of 14 June 2009 took place in _____."


def test_a_dated_fact_is_never_asked_without_its_year():
    undated = replace(MEMBERS, question="Which countries are members of the CSTO?")
    assert g.multiple_select(undated, random.Random(1)) is None
    assert g.multiple_select(MEMBERS, random.Random(1)) is not None


def test_gap_fill_is_skipped_when_the_answer_shows_elsewhere_in_the_text():
    fact = replace(SUMMIT_CITY, statement="Moscow hosted the summit in Moscow.", sentences=())
    assert g.gap_fill(fact, {}) is None


def test_ordering_lists_events_earliest_first():
    draft = g.ordering(EVENTS, random.Random(4), "csto")
    dates = {event.title: event.date for event in EVENTS}
    titles = [o.text for o in draft.options]
    assert len(titles) == g.ITEMS
    assert [dates[t] for t in titles] == sorted(dates[t] for t in titles)
    assert draft.stem == "Put these events in the order they happened, earliest first."


def test_matching_pairs_are_unique_on_both_sides():
    draft = g.matching(CAPITALS, random.Random(5), "csto")
    assert sorted((o.text, o.match) for o in draft.options) == [
        ("Armenia", "Yerevan"),
        ("Belarus", "Minsk"),
        ("Kazakhstan", "Astana"),
        ("Russia", "Moscow"),
    ]
    assert g.matching(CAPITALS, random.Random(5), "milk-war") is None


def test_the_same_material_and_seed_give_the_same_quiz():
    plan = {g.SINGLE: 1, g.MULTIPLE: 1, g.TRUE_FALSE: 1, g.GAP_FILL: 1, g.ORDERING: 1, g.MATCHING: 1}
    first = g.quiz_generate(MATERIAL, random.Random(7), topic=None, plan=plan)
    assert first == g.quiz_generate(MATERIAL, random.Random(7), topic=None, plan=plan)
    assert Counter(d.kind for d in first) == Counter(plan)
    assert len({d.fact_key for d in first if d.fact_key}) == len([d for d in first if d.fact_key])


# Properties over the real fact base, read from the content files (no database).


def _real_material() -> g.Material:
    directory = Path(settings.CONTENT_DIR)
    facts = yaml.safe_load((directory / "facts.yaml").read_text())
    timeline = yaml.safe_load((directory / "timeline.yaml").read_text())
    article = yaml.safe_load((directory / "article.yaml").read_text())
    members = yaml.safe_load((directory / "members.yaml").read_text())
    inputs = tuple(
        g.FactIn(
            key=str(row["key"]),
            kind=row["kind"],
            statement=row["statement"].strip(),
            question=(row.get("question") or "").strip(),
            answers=tuple(str(a) for a in row["answer"]),
            accepted=tuple(str(a) for a in row.get("accept") or []),
            distractors=tuple(str(d) for d in row.get("distractors") or []),
            status=row["status"],
            topics=tuple(row["topics"]),
            sentences=tuple(row.get("sentences") or []),
            source_note=row.get("source_note") or "",
            note=(row.get("note") or "").strip(),
            as_of=str(row.get("as_of") or ""),
            role=(row.get("role") or "").strip(),
            quizzable=row.get("quizzable", True),
            claimed_by=row.get("claimed_by") or "",
        )
        for row in facts
    )
    events = tuple(
        g.EventIn(
            key=str(e["date"]),
            date=str(e["date"]),
            label=e["label"],
            title=e["title"],
            topic=e["topic"],
            sentences=tuple(e.get("sentences") or []),
        )
        for e in timeline
    )
    capitals = [g.Capital(code=m["code"], country=m["name"], city=m["capital"]) for m in members]
    return g.Material(
        facts=inputs,
        events=events,
        pair_sets=g.pair_sets(inputs, events, capitals),
        sentences=dict(enumerate(article["sentences"], start=1)),
        texts=tuple(path.read_text().split("---", 2)[2] for path in sorted((directory / "topics").glob("*.md"))),
    )


REAL = _real_material()
FACTS = {fact.key: fact for fact in REAL.facts}
TOPICS = [None, "csto", "union-state", "milk-war"]


def _quiz_is_balanced(drafts: list[g.Draft], plan: dict[str, int]) -> None:
    """Every type where the facts support it, none crowding out the others; no fact, event or
    pair asked twice; no matching pair that gives away a gap's answer."""
    assert len(drafts) == sum(plan.values())
    kinds = Counter(d.kind for d in drafts)
    assert set(kinds) == set(g.KINDS), kinds
    assert max(kinds.values()) <= plan[g.SINGLE] + 2
    keys = [d.fact_key for d in drafts if d.fact_key]
    assert len(keys) == len(set(keys)), "a fact asked twice"
    items = [plain(o.text) for d in drafts if d.kind in (g.ORDERING, g.MATCHING) for o in d.options]
    assert len(items) == len(set(items)), "an event or pair used twice"
    shown = {plain(text) for d in drafts if d.kind == g.MATCHING for o in d.options for text in (o.text, o.match)}
    typed = {plain(d.accepted[0]) for d in drafts if d.kind == g.GAP_FILL}
    assert not typed & shown, "a matching pair gives away a gap's answer"


def _options_are_keyed_by_the_fact(draft: g.Draft, fact: g.FactIn | None) -> None:
    texts = [plain(o.text) for o in draft.options]
    assert len(texts) == len(set(texts)), f"two options the same: {draft.stem}"
    if draft.kind in (g.SINGLE, g.MULTIPLE, g.TRUE_FALSE):
        assert any(o.correct for o in draft.options)
    if draft.kind == g.SINGLE:
        assert sum(o.correct for o in draft.options) == 1 and len(draft.options) == 4
    if draft.kind in (g.SINGLE, g.MULTIPLE):
        right = {plain(v) for v in (*fact.answers, *fact.accepted)}
        for option in draft.options:
            assert (plain(option.text) in right) == option.correct, f"{fact.key}: {option.text}"
    if draft.kind in (g.ORDERING, g.MATCHING):
        assert 3 <= len(draft.options) <= 5


def _gap_hides_its_answer(draft: g.Draft) -> None:
    assert g.GAP in draft.stem and draft.accepted
    stem_words = plain(draft.stem.replace(g.GAP, " ")).split(" ")
    assert not any(plain(value) in stem_words for value in draft.accepted if " " not in value)


def _asked_as_its_status_says(draft: g.Draft, fact: g.FactIn) -> None:
    """A dated fact is asked "in 2009"; a disputed one or an opinion as somebody's claim."""
    if fact.status == "dated":
        assert fact.as_of[:4] in draft.stem, f"{fact.key} is dated: ask it 'in {fact.as_of[:4]}'"
    if fact.status in ("disputed", "opinion"):
        assert draft.kind in (g.SINGLE, g.MULTIPLE)
        assert "according to" in draft.stem.lower() or " said" in draft.stem or "claim" in draft.stem, fact.key


@hypothesis_settings(max_examples=60, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32), topic=st.sampled_from(TOPICS))
def test_every_generated_question_is_well_formed(seed, topic):
    plan = g.STORY_PLAN if topic is None else g.TOPIC_PLAN
    drafts = g.quiz_generate(REAL, random.Random(seed), topic=topic, plan=plan)
    _quiz_is_balanced(drafts, plan)
    for draft in drafts:
        assert draft.stem.strip() and draft.explanation.strip()
        assert draft.sentences or draft.source_note, draft.stem
        fact = FACTS.get(draft.fact_key)
        _options_are_keyed_by_the_fact(draft, fact)
        if draft.kind == g.GAP_FILL:
            _gap_hides_its_answer(draft)
        if fact is not None:
            _asked_as_its_status_says(draft, fact)


def test_true_false_keys_are_balanced_in_every_quiz():
    for seed in range(40):
        for topic in TOPICS:
            plan = g.STORY_PLAN if topic is None else g.TOPIC_PLAN
            drafts = g.quiz_generate(REAL, random.Random(seed), topic=topic, plan=plan)
            keys = [d.options[0].correct for d in drafts if d.kind == g.TRUE_FALSE]
            assert abs(keys.count(True) - keys.count(False)) <= 1, (seed, topic, keys)


def test_every_quiz_opens_with_an_easy_single_choice_question():
    # "The whole story" opened with a four-dropdown matching question (issue 16, item 12).
    for seed in range(40):
        for topic in TOPICS:
            plan = g.STORY_PLAN if topic is None else g.TOPIC_PLAN
            drafts = g.quiz_generate(REAL, random.Random(seed), topic=topic, plan=plan)
            first = drafts[0]
            assert first.kind == g.SINGLE, (seed, topic, first.kind)
            easy = [d for d in drafts if d.kind == g.SINGLE and d.depth == g.RECALL and not (d.exact_date or d.capital)]
            if easy:  # recall, not an exact date, where the quiz has one
                assert first is easy[0], (seed, topic)


def test_easy_first_moves_one_question_and_keeps_the_others_in_order():
    drafts = list(reversed(g.quiz_generate(REAL, random.Random(7), topic=None, plan=g.STORY_PLAN)))
    opener, *rest = g.easy_first(drafts)
    assert opener.kind == g.SINGLE and drafts[0].kind != g.SINGLE
    assert rest == [d for d in drafts if d is not opener]
    only_matching = [d for d in drafts if d.kind == g.MATCHING]
    assert g.easy_first(only_matching) == only_matching  # no single choice: left as it was


def test_no_false_statement_keeps_a_weekday_or_description_that_fits_only_the_answer():
    weekday = replace(BAN_DATE, statement="Russia banned Belarusian dairy on Saturday 6 June 2009.")
    described = replace(SUMMIT_CITY, statement="The summit was held in Moscow, the Russian capital.")
    assert all(
        g.false_statement(fact, random.Random(seed)) is None for fact in (weekday, described) for seed in range(9)
    )
    plain_date = replace(BAN_DATE, statement="Russia banned Belarusian dairy on 6 June 2009.")
    assert g.false_statement(plain_date, random.Random(1)) == "Russia banned Belarusian dairy on 17 June 2009."


# Questions worth asking (issue 15): teach before you test, ask why more than when, no giveaways.

SEEDS = range(1, 51)
BUILT_IN = [("csto", "csto", g.TOPIC_PLAN), ("union-state", "union-state", g.TOPIC_PLAN)]
BUILT_IN += [("milk-war", "milk-war", g.TOPIC_PLAN), ("the-whole-story", None, g.STORY_PLAN)]
TAUGHT = g.teaching_lines(REAL)


def _built_in(seed: int) -> dict[str, list[g.Draft]]:
    """The four built-in quizzes for `seed`, as `default_quizzes_generate` makes them."""
    from quizzes.services.builtin import CORE_FACTS

    core = {key for keys in CORE_FACTS.values() for key in keys}
    asked: set[str] = set()
    quizzes = {}
    for slug, topic, plan in BUILT_IN:
        first = CORE_FACTS.get(slug, ())
        drafts = g.quiz_generate(
            REAL,
            random.Random(f"{seed}:{slug}"),
            topic=topic,
            plan=plan,
            first=first,
            avoid=(asked | core) - set(first),
        )
        asked.update(key for d in drafts for key in (d.fact_key, *d.item_keys) if key)
        quizzes[slug] = drafts
    return quizzes


ALL_SEEDS = {seed: _built_in(seed) for seed in (2009, *SEEDS)}


def test_a_fact_only_in_the_fact_table_is_not_taught_and_never_asked():
    untaught = {key for key, fact in FACTS.items() if not g.is_taught(fact, TAUGHT)}
    # The minor names, figures and dates of issue 15 that no page states.
    for key in ("A02b", "B-C15", "P-Sargsyan", "P-Sidorsky", "B-M10", "A28b", "B-C2b", "P-Lavrov", "P-Medvedev-a"):
        assert key in untaught, key
    # The 1999 non-renewal, the 1993 joiners and the 2002 founders are now taught on the CSTO page.
    assert not {"B-C3", "B-C2a", "B-C4d"} & untaught
    for seed, quizzes in ALL_SEEDS.items():
        for drafts in quizzes.values():
            for draft in drafts:
                assert draft.fact_key not in untaught, (seed, draft.fact_key)
                if draft.stem.startswith("Match each person"):
                    assert not set(draft.item_keys) & untaught, (seed, draft.item_keys)


def test_a_claim_is_taught_only_where_a_page_says_who_made_it():
    wilson = FACTS["B-M10"]  # "Lukashenko was the winner", in Andrew Wilson's words: no page quotes him
    assert not g.is_taught(wilson, TAUGHT)
    assert g.is_taught(replace(wilson, claimed_by="Reuters", sentences=(1,)), TAUGHT)


def test_each_built_in_quiz_and_the_average_over_seeds_meet_the_mix_targets():
    total = Counter()
    for seed, quizzes in ALL_SEEDS.items():
        for slug, drafts in quizzes.items():
            mix = g.quiz_mix(drafts)
            assert mix.depths[g.UNDERSTANDING] >= g.MIN_UNDERSTANDING * mix.questions, (seed, slug, mix)
            assert mix.exact_dates <= g.MAX_DATES * mix.questions, (seed, slug, mix)
            assert mix.capitals <= g.MAX_CAPITALS, (seed, slug)
            date_matchings = [d for d in drafts if d.kind == g.MATCHING and d.exact_date]
            assert len(date_matchings) <= 1 and all(len(d.options) >= 4 for d in date_matchings), (seed, slug)
            if seed != 2009:
                total.update(questions=mix.questions, understanding=mix.depths[g.UNDERSTANDING], dates=mix.exact_dates)
    assert total["understanding"] >= 0.3 * total["questions"]
    assert total["dates"] <= 0.2 * total["questions"]


def test_the_central_facts_are_asked_once_across_the_built_in_quizzes():
    central = {"A09", "A22a", "A17", "A29", "A46", "B-C10c", "B-C10f"}
    for seed, quizzes in ALL_SEEDS.items():
        asked = Counter(d.fact_key for drafts in quizzes.values() for d in drafts if d.fact_key)
        assert central <= set(asked), (seed, central - set(asked))
        assert max(asked.values()) == 1, (seed, [k for k, n in asked.items() if n > 1])


def _quotations(text: str) -> list[str]:
    return re.findall(r'"[^"]*"|“[^”]*”', text)


def test_every_true_false_statement_is_plainly_true_or_false_without_repeats_or_altered_quotes():
    statements = []
    for fact in REAL.facts:
        if g.true_false(fact, random.Random(0), is_true=True) is None:
            continue
        statements.append((fact, fact.statement, None))
        statements += [(fact, text, wrong) for wrong, text in g.false_statements(fact).items()]
    assert len(statements) >= 150, len(statements)
    for fact, text, wrong in statements:
        assert fact.status in g.STATED_STATUSES, fact.key  # never a bare claim or opinion
        if wrong is None:
            continue
        # The swapped-in value shows once: "The Union State is … separate from the Union State" is gone.
        assert len(re.findall(re.escape(plain(wrong)), plain(text))) == 1, (fact.key, text)
        # A quotation is never altered: every quoted passage is the original's.
        assert all(quote in fact.statement for quote in _quotations(text)), (fact.key, text)
        assert not any(plain(right) in plain(text).split(" ") for right in fact.answers if " " not in right)


def test_the_eaeu_statement_is_never_made_false_by_a_swap():
    # Swapping in "the Union State" contradicted itself, and "the European Union … has no single
    # currency" was arguably true: the statement now describes only the EAEU, so no swap is made.
    assert g.false_statements(FACTS["B-U11d"]) == {}
    eaeu = replace(FACTS["B-U11d"], statement="The Eurasian Economic Union is separate from the Union State.")
    assert "the Union State" not in g.false_statements(eaeu)


def test_no_false_statement_changes_words_inside_a_quotation():
    quoted = replace(SUMMIT_CITY, statement='The ministry said the summit was "held in Moscow on Sunday".')
    assert g.false_statements(quoted) == {}


def test_no_gap_is_followed_by_a_description_that_gives_it_away_or_preceded_by_a_weekday():
    capital = replace(SUMMIT_CITY, statement="The Charter was signed in Moscow, the Russian capital.", sentences=())
    weekday = replace(BAN_DATE, statement="Russia banned Belarusian dairy on Saturday 6 June 2009.", sentences=())
    assert g.gap_fill(capital, {}) is None and g.gap_fill(weekday, {}) is None
    for quizzes in ALL_SEEDS.values():
        for drafts in quizzes.values():
            for draft in (d for d in drafts if d.kind == g.GAP_FILL):
                assert not re.search(rf"{g.GAP},\s+the\b", draft.stem), draft.stem
                assert not g.WEEKDAY.search(draft.stem.split(g.GAP)[0]), draft.stem


def test_quiz_mix_counts_types_depths_dates_and_repeats():
    drafts = [
        g.single_choice(FACTS["A17"], random.Random(1)),
        g.single_choice(FACTS["A26"], random.Random(1)),
        g.single_choice(FACTS["A26"], random.Random(2)),
        g.single_choice(FACTS["B-C14a"], random.Random(1)),
    ]
    mix = g.quiz_mix(drafts)
    assert mix.questions == 4 and mix.kinds[g.SINGLE] == 4
    assert mix.depths == {g.UNDERSTANDING: 1, g.RECALL: 0, g.TRIVIA: 3}
    assert (mix.exact_dates, mix.after_2009, mix.capitals, mix.repeated) == (3, 1, 0, {"A26": 2})
    assert mix.lines()[1] == "tests: understanding 1 (25%), recall 0 (0%), trivia 3 (75%)"
