"""Turning facts into draft questions: pure, deterministic, no database.

Give it the material (facts, timeline events, matching sets, the article's sentences) and an
explicit `random.Random(seed)`; the same material and seed give the same questions.

The rules of the fact-checked reference are kept by construction:
- every option, item and pair comes from the fact base, so a question can always say where
  it comes from (its fact and its source sentences);
- distractors are the fact's own reviewed wrong answers, and any that would be accepted as
  the answer is dropped, so none is true for the stem and no two options are the same;
- DATED facts are asked through their question and statement, which say "in (June) 2009";
  DISPUTED claims and OPINION are asked through their attributed question and never as a
  bare true/false statement;
- a typed answer never turns on spelling: every accepted spelling is kept for the grader.
"""

import math
import random
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from explainer.text import plain

SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "true_false"
GAP_FILL = "gap_fill"
ORDERING = "ordering"
MATCHING = "matching"
KINDS = (SINGLE, MULTIPLE, TRUE_FALSE, GAP_FILL, ORDERING, MATCHING)  # the kinds the generator makes
NUMERICAL = "numerical"  # imported from Moodle: a number, within a tolerance
QUESTION_KINDS = (*KINDS, NUMERICAL)
# What a type is, in one place (the README's "Adding a question type" says where else a type touches):
TYPED_KINDS = (GAP_FILL, NUMERICAL)  # the answer is typed, not chosen
CHOICE_KINDS = frozenset({SINGLE, MULTIPLE, TRUE_FALSE})  # options ticked: played live, counted per option
SHUFFLED_KINDS = frozenset({SINGLE, MULTIPLE, ORDERING, MATCHING})  # options shown in a shuffled order
ORDER_KINDS = frozenset({ORDERING, MATCHING})  # the options' order or pairing is the key itself
ORDINAL_SUFFIXES = {1: "st", 2: "nd", 3: "rd"}


def ordinal(place: int) -> str:
    """1st, 2nd, 3rd, 4th, … 11th, 12th, 13th, … 21st: a place in an ordering."""
    suffix = "th" if 10 <= place % 100 <= 20 else ORDINAL_SUFFIXES.get(place % 10, "th")
    return f"{place}{suffix}"


KIND_LABELS = {
    SINGLE: "single choice",
    MULTIPLE: "multiple select",
    TRUE_FALSE: "true or false",
    GAP_FILL: "gap-fill",
    ORDERING: "ordering",
    MATCHING: "matching",
    NUMERICAL: "numerical",
}

# How a quiz mixes the types. A type the material cannot support gives its places to single choice.
TOPIC_PLAN = {SINGLE: 4, MULTIPLE: 1, TRUE_FALSE: 2, GAP_FILL: 1, ORDERING: 1, MATCHING: 2}  # 11
STORY_PLAN = {SINGLE: 5, MULTIPLE: 2, TRUE_FALSE: 3, GAP_FILL: 2, ORDERING: 1, MATCHING: 2}  # 15

ASKED_STATUSES = {"confirmed", "nuance", "dated", "disputed", "opinion"}
STATED_STATUSES = {"confirmed", "nuance", "dated"}  # may be stated bare in true/false and gap-fill
CHOICES = 4
MAX_SELECT_OPTIONS = 5
MAX_GAP_WORDS = 4
MAX_STATED_WORDS = 28
WEEKDAY = re.compile(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\s+$")
APPOSITIVE = re.compile(r",\s+(?!and\b|but\b|so\b|not\b)")
GAP_KINDS = {"date", "amount", "person", "place", "organisation", "ranking"}  # short values, not phrases
ITEMS = 4  # ordering and matching use three to five items; four reads well on a phone
GAP = "_____"
NUMBER_WORDS = r"(?:two|three|four|five|six|seven|eight|nine|ten)"


@dataclass(frozen=True)
class FactIn:
    key: str
    kind: str
    statement: str
    question: str
    answers: tuple[str, ...]
    accepted: tuple[str, ...] = ()
    distractors: tuple[str, ...] = ()
    status: str = "confirmed"
    topics: tuple[str, ...] = ()
    sentences: tuple[int, ...] = ()
    source_note: str = ""
    note: str = ""
    as_of: str = ""  # ISO date, for a dated fact
    role: str = ""  # a person's role in 2009, for matching
    quizzable: bool = True
    claimed_by: str = ""  # for a disputed claim or an opinion: who says so


@dataclass(frozen=True)
class EventIn:
    key: str
    date: str  # ISO date: sorts in time order
    label: str
    title: str
    topic: str
    sentences: tuple[int, ...] = ()


@dataclass(frozen=True)
class Pair:
    left: str
    right: str
    key: str = ""  # the fact or event it comes from: a quiz never asks it twice
    topics: tuple[str, ...] = ()
    sentences: tuple[int, ...] = ()


@dataclass(frozen=True)
class Capital:
    code: str  # ISO 3166 alpha-3
    country: str
    city: str  # in 2009


@dataclass(frozen=True)
class PairSet:
    """Things to match, e.g. countries to their capitals in 2009; each right value is unique."""

    stem: str
    pairs: tuple[Pair, ...]
    source_note: str = ""
    depth: str = "recall"  # what matching these pairs tests: see fact_depth
    exact_date: bool = False  # the right-hand values are dates
    capital: bool = False  # the right-hand values are capitals


@dataclass(frozen=True)
class Material:
    facts: tuple[FactIn, ...]
    events: tuple[EventIn, ...] = ()
    pair_sets: tuple[PairSet, ...] = ()
    sentences: Mapping[int, str] = field(default_factory=dict)
    # The explainers' text (Markdown). A quiz asks only facts that the article or this text states.
    texts: tuple[str, ...] = ()


@dataclass(frozen=True)
class DraftOption:
    text: str
    correct: bool = False
    match: str = ""  # matching: the value this item pairs with; with no text, an extra wrong match
    feedback: str = ""  # shown to a student who chose this option (Moodle's per-answer feedback)
    weight: float | None = None  # Moodle's fraction of the marks, -1 to 1; None: all or nothing


@dataclass(frozen=True)
class Draft:
    """A question ready to save. Ordering options are listed in their correct order."""

    kind: str
    stem: str
    options: tuple[DraftOption, ...]
    explanation: str
    topic: str | None
    fact_key: str | None = None
    sentences: tuple[int, ...] = ()
    source_note: str = ""
    accepted: tuple[str, ...] = ()  # gap-fill: every accepted answer
    rejected: tuple[str, ...] = ()  # gap-fill: wrong answers a typed response must not name
    item_keys: tuple[str, ...] = ()  # ordering and matching: the events or facts their items come from
    name: str = ""  # the question's name in a Moodle bank ("::Q2::")
    category: str = ""  # its Moodle category path, when not the quiz's own ("$course$/top/Week 3")
    stem_html: str = ""  # the stem as the file wrote it in HTML, unsanitised: see Question.stem_display
    accepted_weights: tuple[float, ...] = ()  # gap-fill: each accepted answer's fraction (0 to 1); () all full
    tolerances: tuple[float, ...] = ()  # numerical: each accepted number's margin (±), beside `accepted`
    answer_feedback: tuple[tuple[str, str], ...] = ()  # gap-fill: (typed answer, feedback), from Moodle
    depth: str = "recall"  # understanding, recall or trivia: see fact_depth
    exact_date: bool = False  # the answer is a date (or dates)
    after_2009: bool = False  # asks about something that happened after 2009
    capital: bool = False  # asks for a capital city


def pair_sets(facts: Iterable[FactIn], events: Iterable[EventIn], capitals: Iterable[Capital]) -> tuple[PairSet, ...]:
    """The three things a matching question pairs: people and roles, members and capitals, events and dates."""
    return (
        PairSet(
            stem="Match each person to their role.",
            pairs=tuple(
                Pair(left=f.answers[0], right=f.role, key=f.key, topics=f.topics, sentences=f.sentences)
                for f in facts
                if f.role and f.quizzable
            ),
            source_note="From the fact base: the people of the story and their roles.",
        ),
        PairSet(
            stem="Match each member of the CSTO in June 2009 to its capital at the time.",
            pairs=tuple(
                # Sentence 3 lists the members; each capital is also a fact of its own.
                Pair(left=c.country, right=c.city, key=f"G-Capital-{c.code}", topics=("csto",), sentences=(3,))
                for c in capitals
            ),
            source_note="From the map of the CSTO's members in June 2009.",
            depth=TRIVIA,
            capital=True,
        ),
        PairSet(
            stem="Match each event to its date.",
            pairs=tuple(
                Pair(left=e.title, right=e.label, key=e.key, topics=(e.topic,), sentences=e.sentences) for e in events
            ),
            source_note="From the timeline.",
            depth=TRIVIA,
            exact_date=True,
        ),
    )


# What a question tests. Understanding: causes, motives, consequences, who claimed what and what
# they said (cause_effect and quotation facts, disputed claims, opinions). Trivia: exact dates,
# rankings and capitals. Recall: the rest (people, places, organisations, amounts, events, sets).
UNDERSTANDING = "understanding"
RECALL = "recall"
TRIVIA = "trivia"
DEPTHS = (UNDERSTANDING, RECALL, TRIVIA)
UNDERSTANDING_KINDS = {"cause_effect", "quotation"}
ATTRIBUTED_STATUSES = {"disputed", "opinion"}
TRIVIA_KINDS = {"date", "ranking"}
CAPITAL_QUESTION = re.compile(r"\bcapital of\b", re.IGNORECASE)
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
STORY_YEAR = 2009
# The plan's targets (issue 15): at least 30 % understanding, at most 20 % exact dates, at most one
# capital and one "match event to date" per quiz, which then has at least four pairs.
MIN_UNDERSTANDING = 0.3
MAX_DATES = 0.2
MAX_CAPITALS = 1
DATE_PAIRS = 4


def fact_depth(fact: FactIn) -> str:
    """Understanding, recall or trivia: what a question on `fact` tests."""
    if fact.kind in UNDERSTANDING_KINDS or fact.status in ATTRIBUTED_STATUSES:
        return UNDERSTANDING
    if fact.kind in TRIVIA_KINDS or CAPITAL_QUESTION.search(fact.question):
        return TRIVIA
    return RECALL


def _after(text: str, year: int = STORY_YEAR) -> bool:
    return any(int(found) > year for found in YEAR.findall(text))


def _lines(markdown: str) -> list[str]:
    """Markdown as plain lines: a link keeps its words, a heading, list item or call-out is a line."""
    text = re.sub(r"\]\([^)]*\)", "]", markdown)
    return [f" {plain(line)} " for line in text.splitlines() if line.strip()]


def teaching_lines(material: Material) -> tuple[dict[int, str], list[str]]:
    """What a student reads on the site: the article's sentences by number, the explainers' text by line."""
    article = {number: f" {plain(sentence)} " for number, sentence in material.sentences.items()}
    return article, [line for text in material.texts for line in _lines(text)]


def _spellings(fact: FactIn, answer: str) -> list[str]:
    """`answer` and the accepted spellings as specific as it: "7 May" does not teach "7 May 2008"."""
    years = set(YEAR.findall(answer))
    values = [answer] + [value for value in fact.accepted if years <= set(YEAR.findall(value))]
    return [f" {plain(value)} " for value in values if plain(value)]


def is_taught(fact: FactIn, lines: tuple[Mapping[int, str], Sequence[str]]) -> bool:
    """Whether the article or an explainer states `fact`: one sentence of the article, or one line
    of an explainer, names every answer (any accepted spelling as specific as it). A claim or an
    opinion is taught by its own sentence of the article (Reuters' words, or a claim it reports),
    or by an explainer's line that also names who made it.
    A fact found only in the fact table under a page is not taught, so it is not asked.

    A check of words, not of meaning: it catches a fact no page mentions, not one a page mentions
    in passing, so a fact's answer should be the page's own words."""
    article, explainers = lines
    needed = [_spellings(fact, answer) for answer in fact.answers]

    def states(line: str, needed: list[list[str]]) -> bool:
        return all(any(value in line for value in values) for values in needed)

    attributed = fact.status in ATTRIBUTED_STATUSES
    if any(states(line, needed) for n, line in article.items() if not attributed or n in fact.sentences):
        return True
    if attributed and fact.claimed_by:
        needed.append([f" {plain(fact.claimed_by.split()[-1])} "])
    return any(states(line, needed) for line in explainers)


def _distinct(values: Sequence[str], *, excluding: Sequence[str] = ()) -> list[str]:
    seen = {plain(value) for value in excluding}
    kept = []
    for value in values:
        if plain(value) not in seen:
            seen.add(plain(value))
            kept.append(value)
    return kept


def _right_answers(fact: FactIn) -> tuple[str, ...]:
    return (*fact.answers, *fact.accepted)


def _wrong_answers(fact: FactIn) -> list[str]:
    """The fact's distractors, minus any that are an accepted answer or repeat another."""
    return _distinct(fact.distractors, excluding=_right_answers(fact))


def _explanation(fact: FactIn) -> str:
    parts = [fact.statement]
    if fact.note and fact.status != "confirmed":
        parts.append(fact.note)
    return " ".join(parts)


def _asked(fact: FactIn) -> bool:
    return fact.quizzable and fact.status in ASKED_STATUSES


def _dated_ok(fact: FactIn, text: str) -> bool:
    """A dated fact is asked only in words that carry its date ("in June 2009")."""
    return fact.status != "dated" or (bool(fact.as_of) and fact.as_of[:4] in text)


def _draft(kind: str, fact: FactIn, stem: str, options: Sequence[DraftOption], **extra) -> Draft:
    return Draft(
        depth=fact_depth(fact),
        exact_date=fact.kind == "date",
        after_2009=_after(" ".join((fact.question or fact.statement, *fact.answers))),
        capital=bool(CAPITAL_QUESTION.search(fact.question)),
        kind=kind,
        stem=stem,
        options=tuple(options),
        explanation=_explanation(fact),
        topic=fact.topics[0] if fact.topics else None,
        fact_key=fact.key,
        sentences=fact.sentences,
        source_note=fact.source_note,
        **extra,
    )


def single_choice(fact: FactIn, rng: random.Random) -> Draft | None:
    wrong = _wrong_answers(fact)
    if not _asked(fact) or not fact.question or len(fact.answers) != 1 or len(wrong) < CHOICES - 1:
        return None
    if not _dated_ok(fact, fact.question):
        return None
    options = [DraftOption(fact.answers[0], correct=True)]
    options += [DraftOption(text) for text in rng.sample(wrong, CHOICES - 1)]
    return _draft(SINGLE, fact, fact.question, options)


def select_all_stem(question: str) -> str:
    """ "Which six states signed…?" becomes "Which of these states signed…? Select all that apply." """
    stem = re.sub(rf"\b([Ww])hich (?:{NUMBER_WORDS} )?", r"\1hich of these ", question, count=1)
    return f"{stem} Select all that apply."


def multiple_select(fact: FactIn, rng: random.Random) -> Draft | None:
    wrong = _wrong_answers(fact)
    if not _asked(fact) or not fact.question or len(fact.answers) < 2 or not wrong:
        return None
    if not _dated_ok(fact, fact.question):
        return None
    if not re.search(r"\b[Ww]hich\b", fact.question):
        return None
    # Two or three right and the rest wrong: neither "tick everything" nor "tick one" pays.
    right_count = rng.randint(2, min(len(fact.answers), 3))
    wrong_count = min(len(wrong), MAX_SELECT_OPTIONS - right_count)
    options = [DraftOption(text, correct=True) for text in rng.sample(list(fact.answers), right_count)]
    options += [DraftOption(text) for text in rng.sample(wrong, wrong_count)]
    return _draft(MULTIPLE, fact, select_all_stem(fact.question), options)


def _find(text: str, value: str) -> re.Match | None:
    """`value` as a whole word or phrase, not part of a longer one or of a range ("22–23 February")."""
    return re.search(rf"(?<![\w–-]){re.escape(value)}(?![\w–-])", text, flags=re.IGNORECASE)


def _mentions_any(text: str, values: Sequence[str]) -> bool:
    return any(_find(text, value) for value in values)


def _quoted(text: str, at: int) -> bool:
    """Whether position `at` of `text` is inside a quotation: its words are someone's, not ours to change."""
    before = text[:at]
    return before.count('"') % 2 == 1 or before.count("“") > before.count("”")


def _plain_statement(text: str) -> bool:
    """One short sentence: long ones mix several facts, and a swap in one reads as a riddle."""
    return len(text.split()) <= MAX_STATED_WORDS and ";" not in text and ". " not in text.rstrip(".")


def false_statements(fact: FactIn) -> dict[str, str]:
    """Every plainly false statement a swap can make of `fact`: its statement with the answer
    replaced by one of its distractors, keyed by the distractor."""
    if len(fact.answers) != 1 or not _plain_statement(fact.statement):
        return {}
    found = _find(fact.statement, fact.answers[0])
    # "Chișinău, the capital of Moldova": a swapped value would keep a description that fits only the answer;
    # "Sunday 14 June 2009": a swapped date would keep a weekday that the calendar gives away.
    # Words inside a quotation are never changed: ask "which words did they use?" instead.
    if (
        found is None
        or APPOSITIVE.match(fact.statement, found.end())
        or WEEKDAY.search(fact.statement[: found.start()])
        or _quoted(fact.statement, found.start())
    ):
        return {}
    statements = {}
    for wrong in _wrong_answers(fact):
        # "The Union State is … separate from the Union State": a value the statement already
        # names would make it contradict itself rather than be plainly false.
        if _find(fact.statement, wrong) or _find(fact.statement, re.sub(r"^(?:the|a|an)\s+", "", wrong)):
            continue
        value = wrong[:1].upper() + wrong[1:] if found.start() == 0 else wrong
        changed = fact.statement[: found.start()] + value + fact.statement[found.end() :]
        # Checked not to be accidentally true: no accepted answer is left in it anywhere.
        if not _mentions_any(changed, _right_answers(fact)):
            statements[wrong] = changed
    return statements


def false_statement(fact: FactIn, rng: random.Random) -> str | None:
    """The statement with its answer swapped for a distractor, if that makes it plainly false."""
    statements = false_statements(fact)
    if not statements:
        return None
    wrong_answers = _wrong_answers(fact)
    return next(statements[wrong] for wrong in rng.sample(wrong_answers, len(wrong_answers)) if wrong in statements)


def true_false(fact: FactIn, rng: random.Random, *, is_true: bool | None = None) -> Draft | None:
    if not _asked(fact) or fact.status not in STATED_STATUSES or not _dated_ok(fact, fact.statement):
        return None
    if not _plain_statement(fact.statement):
        return None
    # Half true, half false; a fact that cannot be made plainly false is left for another type,
    # so that "true" is never the safe guess.
    if is_true is None:
        is_true = rng.random() < 0.5
    statement = fact.statement if is_true else false_statement(fact, rng)
    if statement is None:
        return None
    stem = f"True or false? {statement}"
    options = [DraftOption("True", correct=is_true), DraftOption("False", correct=not is_true)]
    draft = _draft(TRUE_FALSE, fact, stem, options)
    return replace(draft, explanation=f"{'True' if is_true else 'False'}. {draft.explanation}")


def _accepted(fact: FactIn) -> tuple[str, ...]:
    """Every answer a typed response may give; a person may be named by surname alone."""
    values = list(_right_answers(fact))
    if fact.kind == "person":
        values += [name.split()[-1] for name in values if len(name.split()) > 1]
    return tuple(_distinct(values))


def _gapped(text: str, fact: FactIn) -> str | None:
    for value in sorted(_right_answers(fact), key=len, reverse=True):
        if found := _find(text, value):
            # "signed in _____, the capital of Moldova" and "on Sunday _____" give the answer away.
            if APPOSITIVE.match(text, found.end()) or WEEKDAY.search(text[: found.start()]):
                return None
            gapped = text[: found.start()] + GAP + text[found.end() :]
            # The answer must not show elsewhere in the text.
            return None if _mentions_any(gapped, _accepted(fact)) else gapped
    return None


def _gap_stem(fact: FactIn, sentences: Mapping[int, str]) -> str | None:
    """The article's own sentence where it states the fact plainly; else our statement, which
    carries the "in 2009" of a dated fact and the accurate version of a simplified one."""
    if fact.status == "confirmed":
        for number in fact.sentences:
            if gapped := _gapped(sentences.get(number, ""), fact):
                return f"Fill the gap in this sentence from the article: “{gapped}”"
    if not _plain_statement(fact.statement):
        return None
    gapped = _gapped(fact.statement, fact)
    return f"Fill the gap: {gapped}" if gapped and _dated_ok(fact, gapped) else None


def gap_fill(fact: FactIn, sentences: Mapping[int, str]) -> Draft | None:
    if not _asked(fact) or fact.status not in STATED_STATUSES or len(fact.answers) != 1:
        return None
    if fact.kind not in GAP_KINDS or len(fact.answers[0].split()) > MAX_GAP_WORDS:
        return None
    if (stem := _gap_stem(fact, sentences)) is None:
        return None
    return _draft(GAP_FILL, fact, stem, [], accepted=_accepted(fact), rejected=tuple(_wrong_answers(fact)))


def ordering(
    events: Sequence[EventIn], rng: random.Random, topic: str | None, *, used: Collection[str] = ()
) -> Draft | None:
    by_date: dict[str, EventIn] = {}
    for event in events:
        if event.key in used:
            continue
        by_date.setdefault(event.date, event)  # two events on one day cannot be ordered
    if len(by_date) < 3:
        return None
    chosen = sorted(rng.sample(list(by_date.values()), min(ITEMS, len(by_date))), key=lambda event: event.date)
    return Draft(
        kind=ORDERING,
        stem="Put these events in the order they happened, earliest first.",
        options=tuple(DraftOption(event.title) for event in chosen),
        explanation="In order: " + "; ".join(f"{event.label}: {event.title}" for event in chosen) + ".",
        topic=topic or _main_topic((event.topic,) for event in chosen),
        sentences=tuple(sorted({n for event in chosen for n in event.sentences})),
        source_note="From the timeline.",
        item_keys=tuple(event.key for event in chosen),
        after_2009=any(_after(event.date[:4]) for event in chosen),
    )


def matching(pair_set: PairSet, rng: random.Random, topic: str | None, *, used: Collection[str] = ()) -> Draft | None:
    pairs = [pair for pair in pair_set.pairs if _in_topic(pair.topics, topic) and pair.key not in used]
    pairs = list({plain(pair.right): pair for pair in pairs}.values())
    pairs = list({plain(pair.left): pair for pair in pairs}.values())
    # Matching three events to three dates is a guess between few choices: dates need four pairs.
    if len(pairs) < (DATE_PAIRS if pair_set.exact_date else 3):
        return None
    chosen = rng.sample(pairs, min(ITEMS, len(pairs)))
    return Draft(
        kind=MATCHING,
        stem=pair_set.stem,
        options=tuple(DraftOption(pair.left, match=pair.right) for pair in chosen),
        explanation="; ".join(f"{pair.left}: {pair.right}" for pair in chosen) + ".",
        topic=topic or _main_topic(pair.topics for pair in chosen),
        sentences=tuple(sorted({n for pair in chosen for n in pair.sentences})),
        source_note=pair_set.source_note,
        item_keys=tuple(pair.key for pair in chosen),
        depth=pair_set.depth,
        exact_date=pair_set.exact_date,
        capital=pair_set.capital,
        after_2009=any(_after(f"{pair.left} {pair.right}") for pair in chosen),
    )


def _main_topic(topics_of_items: Iterable[Sequence[str]]) -> str | None:
    """The explainer most of the items belong to, for the feedback's "read about it" link."""
    counts = Counter(topic for topics in topics_of_items for topic in topics[:1])
    return counts.most_common(1)[0][0] if counts else None


def _in_topic(topics: Sequence[str], topic: str | None) -> bool:
    return topic is None or topic in topics


def quiz_generate(
    material: Material,
    rng: random.Random,
    *,
    topic: str | None,
    plan: Mapping[str, int],
    first: Sequence[str] = (),
    avoid: Collection[str] = (),
) -> list[Draft]:
    """A mixed quiz on `topic` (None: the whole story), as many of each type as `plan` asks.

    It asks only facts the article or an explainer's text states (`is_taught`), the facts keyed in
    `first` before any other (where the plan has a type that fits them), and none keyed in `avoid`
    (asked by another quiz). No fact is asked twice in one quiz. At least 30 % of the questions test
    understanding, at most 20 % exact dates, at most one a capital city. Places a type cannot fill
    (too few facts of the right shape) go to single choice, so the quiz keeps its length where the
    facts allow.
    """
    lines = teaching_lines(material)
    taught = {fact.key for fact in material.facts if _asked(fact) and is_taught(fact, lines)}
    facts = [
        fact
        for fact in material.facts
        if _in_topic(fact.topics, topic) and fact.key in taught and fact.key not in avoid
    ]
    rng.shuffle(facts)
    order = {key: place for place, key in enumerate(first)}
    facts.sort(key=lambda fact: order.get(fact.key, len(order)))  # stable: the rest stay shuffled
    events = [event for event in material.events if _in_topic([event.topic], topic)]
    # People are matched to roles only if an explainer names them.
    people = {fact.key for fact in material.facts if fact.role} - taught
    sets = [replace(s, pairs=tuple(p for p in s.pairs if p.key not in people)) for s in material.pair_sets]
    rng.shuffle(sets)
    total = sum(plan.values())
    max_dates = int(total * MAX_DATES)
    min_understanding = int(-(-total * MIN_UNDERSTANDING // 1))  # rounded up

    per_fact: dict[str, Callable[[FactIn], Draft | None]] = {
        SINGLE: lambda fact: single_choice(fact, rng),
        MULTIPLE: lambda fact: multiple_select(fact, rng),
        # Alternate true and false keys, so that the quiz's true/false answers are balanced.
        TRUE_FALSE: lambda fact: true_false(
            fact, rng, is_true=(sum(d.kind == TRUE_FALSE for d in drafts) % 2 == 0) == first_true
        ),
        GAP_FILL: lambda fact: None if plain(fact.answers[0]) in shown else gap_fill(fact, material.sentences),
    }
    drafts: list[Draft] = []
    used: set[str] = set(avoid)
    shown: set[str] = set()
    first_true = rng.random() < 0.5

    def fits(draft: Draft) -> bool:
        if draft.exact_date and sum(d.exact_date for d in drafts) >= max_dates:
            return False
        return not (draft.capital and sum(d.capital for d in drafts) >= MAX_CAPITALS)

    def take(kind: str, wanted: int, only: Callable[[FactIn], bool] = lambda fact: True) -> int:
        made = 0
        for fact in facts:
            if made == wanted:
                break
            if not only(fact):
                continue
            if fact.key not in used and (draft := per_fact[kind](fact)) and fits(draft):
                used.add(fact.key)
                drafts.append(draft)
                made += 1
        return made

    # The scarce types first: few events, pairs and set facts support them, so they must not be
    # used up by the others. An event or fact asked once is never asked again, and no gap asks
    # for a value a matching pair or an ordering already shows.
    missing = 0
    for _ in range(plan.get(ORDERING, 0)):
        if draft := ordering(events, rng, topic, used=used):
            drafts.append(draft)
            used.update(draft.item_keys)
        else:
            missing += 1
    wanted = plan.get(MATCHING, 0)
    for pair_set in sets:
        # A topic has few people and events: where another quiz took them, a matching may reuse them.
        draft = wanted and (
            matching(pair_set, rng, topic, used=used) or matching(pair_set, rng, topic, used=used - set(avoid))
        )
        if draft and fits(draft):
            drafts.append(draft)
            used.update(draft.item_keys)
            wanted -= 1
    missing += wanted
    shown.update(plain(text) for d in drafts for o in d.options for text in (o.text, o.match) if text)
    for kind in (MULTIPLE, GAP_FILL, TRUE_FALSE):
        missing += plan.get(kind, 0) - take(kind, plan.get(kind, 0))
    # Single choice asks the quiz's core facts the other types left, then "why" and "who said"
    # until the quiz tests enough understanding, then anything.
    singles = plan.get(SINGLE, 0) + missing
    singles -= take(SINGLE, singles, lambda fact: fact.key in order)
    understood = sum(d.depth == UNDERSTANDING for d in drafts)
    singles -= take(
        SINGLE, min(singles, max(0, min_understanding - understood)), lambda f: fact_depth(f) == UNDERSTANDING
    )
    take(SINGLE, singles)
    rng.shuffle(drafts)
    return easy_first(drafts)


def easy_first(drafts: list[Draft]) -> list[Draft]:
    """`drafts` opening with an easy single-choice question, the others in their order: a quiz
    must not open with four dropdowns. Easy: recall, no exact date; failing that, any single choice."""
    singles = [d for d in drafts if d.kind == SINGLE]
    easy = [d for d in singles if d.depth == RECALL and not d.exact_date and not d.capital]
    if not (opener := next(iter(easy or singles), None)):
        return drafts
    return [opener, *(d for d in drafts if d is not opener)]


@dataclass(frozen=True)
class Mix:
    """What a set of questions tests, for a teacher to read before using it."""

    questions: int
    kinds: dict[str, int]  # by question type, in the order of KINDS
    depths: dict[str, int]  # understanding, recall, trivia
    exact_dates: int  # the answer is a date, or dates to match
    after_2009: int  # asks about something after 2009
    capitals: int
    repeated: dict[str, int]  # fact or event key: times asked, for those asked more than once

    def share(self, count: int) -> str:
        return f"{count} ({count / self.questions:.0%})" if self.questions else "0"

    def lines(self) -> list[str]:
        """The figures as lines of text."""
        kinds = ", ".join(f"{count} {KIND_LABELS[kind]}" for kind, count in self.kinds.items() if count)
        depths = ", ".join(f"{depth} {self.share(count)}" for depth, count in self.depths.items())
        repeated = ", ".join(f"{key} ×{times}" for key, times in self.repeated.items()) or "none"
        return [
            f"{self.questions} questions: {kinds}",
            f"tests: {depths}",
            f"exact dates: {self.share(self.exact_dates)}; after 2009: {self.share(self.after_2009)}; "
            f"capitals: {self.share(self.capitals)}",
            f"facts asked more than once: {repeated}",
        ]


def quiz_mix(drafts: Iterable[Draft]) -> Mix:
    """The mix of `drafts`: by type, by what they test, dates, events after 2009, repeats."""
    drafts = list(drafts)
    kinds = Counter(draft.kind for draft in drafts)
    depths = Counter(draft.depth for draft in drafts)
    asked = Counter(key for draft in drafts for key in ((draft.fact_key,) if draft.fact_key else draft.item_keys))
    return Mix(
        questions=len(drafts),
        kinds={kind: kinds[kind] for kind in KINDS},
        depths={depth: depths[depth] for depth in DEPTHS},
        exact_dates=sum(draft.exact_date for draft in drafts),
        after_2009=sum(draft.after_2009 for draft in drafts),
        capitals=sum(draft.capital for draft in drafts),
        repeated={key: times for key, times in sorted(asked.items()) if times > 1},
    )


# Spaced review turns one fact into a question, each time of another type than the last, so
# that a learner recalls the fact rather than the wording of a question they have seen.
REVIEW_KINDS = (SINGLE, GAP_FILL, TRUE_FALSE, MULTIPLE)


def review_question(
    fact: FactIn,
    rng: random.Random,
    sentences: Mapping[int, str],
    *,
    after: str = "",
    kinds: Sequence[str] = REVIEW_KINDS,
) -> Draft | None:
    """A question on `fact` for review: the first type after `after` in REVIEW_KINDS that the fact
    supports, among `kinds`."""
    first_true = rng.random() < 0.5
    makers: dict[str, Callable[[], Draft | None]] = {
        SINGLE: lambda: single_choice(fact, rng),
        GAP_FILL: lambda: gap_fill(fact, sentences),
        # Either key, whichever the fact allows: not every statement can be made plainly false.
        TRUE_FALSE: lambda: true_false(fact, rng, is_true=first_true) or true_false(fact, rng, is_true=not first_true),
        MULTIPLE: lambda: multiple_select(fact, rng),
    }
    start = REVIEW_KINDS.index(after) + 1 if after in REVIEW_KINDS else 0
    for kind in REVIEW_KINDS[start:] + REVIEW_KINDS[:start]:
        if kind in kinds and (draft := makers[kind]()):
            return draft
    return None


def fact_questions(
    facts: Sequence[FactIn], rng: random.Random, sentences: Mapping[int, str], *, kinds: Sequence[str] = REVIEW_KINDS
) -> list[Draft]:
    """One question on each of exactly these facts, the types taking turns; a fact none of
    `kinds` fits (or that may not be asked) gives none."""
    drafts: list[Draft] = []
    after = ""
    for fact in facts:
        if _asked(fact) and (draft := review_question(fact, rng, sentences, after=after, kinds=kinds)):
            drafts.append(draft)
            after = draft.kind
    return drafts


def plan_for(kinds: Sequence[str], count: int) -> dict[str, int]:
    """`count` questions shared out among `kinds` in turn, in the order of KINDS."""
    chosen = [kind for kind in KINDS if kind in kinds]
    plan = dict.fromkeys(chosen, 0)
    for index in range(count if chosen else 0):
        plan[chosen[index % len(chosen)]] += 1
    return plan


def question_problems(kind: str, options: list[tuple[str, bool, str]], accepted: list[str]) -> list[str]:
    """What is wrong with a question of `kind` with these options (text, correct, match) and
    accepted answers, in words a teacher can act on; empty when it can be asked."""
    right = sum(correct for _, correct, _ in options)
    if kind not in QUESTION_KINDS:
        return [f"Choose a question type, not {kind!r}."]
    problems = []
    if kind in {SINGLE, TRUE_FALSE} and right != 1:
        problems.append(f"A {KIND_LABELS[kind]} question needs exactly one correct option; it has {right}.")
    if kind in {SINGLE, MULTIPLE, TRUE_FALSE} and len(options) < 2:
        problems.append("Give at least two options to choose from.")
    if kind == MULTIPLE and right < 1:
        problems.append("A multiple-select question needs at least one correct option.")
    if kind != MATCHING and any(not text.strip() for text, _, _ in options):
        problems.append("Give every option its text.")
    # A matching's option without an item is an extra wrong match (Moodle's distractor).
    items = [o for o in options if o[0].strip()] if kind == MATCHING else options
    if kind in {ORDERING, MATCHING} and len(items) < 3:
        article = "An" if kind == ORDERING else "A"
        problems.append(f"{article} {KIND_LABELS[kind]} question needs at least three items; it has {len(items)}.")
    if kind == MATCHING and any(not match.strip() for _, _, match in options):
        problems.append("Give every matching item the answer it pairs with.")
    if kind == MATCHING and len({match.strip().casefold() for _, _, match in options}) < len(options):
        problems.append("Each matching item needs a different answer.")
    if kind == GAP_FILL and not [answer for answer in accepted if answer.strip()]:
        problems.append("A gap-fill question needs at least one accepted answer.")
    if kind in TYPED_KINDS and options:
        label = "gap-fill" if kind == GAP_FILL else "numerical"
        problems.append(f"A {label} question has no options: put the answers in “accepted answers”.")
    if kind == NUMERICAL and not accepted:
        problems.append("A numerical question needs at least one accepted number.")
    if kind == NUMERICAL and any(number_read(answer) is None for answer in accepted):
        problems.append("A numerical question accepts numbers only (such as 3, 2.5 or -40).")
    return problems


def number_read(text: str) -> float | None:
    """A typed number ("3", "2.5", "2,5", "-40", "1 000"), or None: finite numbers only."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")  # a decimal comma
    if not re.fullmatch(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d{1,3})?", text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None  # "1e999" is no number a student can type


def number_key(value: str, tolerance: float) -> str:
    """How a numerical answer is named, for its feedback: "1822", or "1822:2" with a margin."""
    return f"{value}:{number_written(tolerance)}" if tolerance else value


def number_written(value: float) -> str:
    """A number as a teacher writes it: 3, not 3.0."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
