"""GIFT, Moodle's text format: a quiz written as GIFT, and the quiz in a GIFT file.

The reader holds each question's text with its escapes resolved (`_Src`): a character written with
a backslash is kept as a private-use stand-in until the text is taken out, so it never counts as
structure, and every search is a plain `str` search. Work is bounded: a question is read up to
its MAX_OPTIONS + 1st answer and a file up to its MAX_QUESTIONS + 1st question, then refused.
"""

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache

from explainer.text import invisible_strip
from quizzes.generation import (
    GAP,
    GAP_FILL,
    MATCHING,
    MULTIPLE,
    NUMERICAL,
    ORDERING,
    SINGLE,
    TRUE_FALSE,
    Draft,
    DraftOption,
    number_key,
    number_read,
    number_written,
    ordinal,
)
from quizzes.interchange.markup import html_kept, html_to_text, media_strip
from quizzes.interchange.model import (
    C0_CONTROLS,
    GIFT,
    MAX_OPTIONS,
    MAX_QUESTIONS,
    MIN_PAIRS,
    SUPPORTED,
    TITLE_MAX,
    InterchangeError,
    Problems,
    QuizData,
    Skip,
    categories_settle,
    category_clean,
    category_path,
    category_title,
    common_notes,
    draft_problems,
    dropped_warning,
    fraction_of,
    label,
    numerical_parts,
    option_percent,
    own_category,
    percent,
    shortened,
    skips_settle,
    sources_note,
    text_clean,
    too_long,
    too_many_questions,
    true_false_key,
    warnings_capped,
    weight_problem,
    weights,
)

GIFT_FORMATS = ("html", "moodle", "plain", "markdown")
ORDERING_MARKER = "// ordering"
MOODLE_ORDERING = "ALL VERTICAL ALL_OR_NOTHING SHOW none"  # select type, layout, grading, details, numbering
UNSAFE_ITEM = re.compile(r"[{}#\\\n\r]|^\[|^//|^\s*$")

# Writing


def _escape(text: str, *, arrow: bool = False, formatted: bool = True) -> str:
    """`text` with GIFT's special characters escaped, as Moodle's exporter does.

    A leading "[html]" (or another format name) would be read as a format, so a format is put in
    front of it. With `arrow`, "->" becomes "-\\>": in a matching item or a short answer it would
    otherwise split the item or turn the question into matching. A matching's right side is never
    read for a format (`formatted=False`)."""
    escaped = text.replace("\\", "\\\\").replace("\r", "")
    for char in "~=#{}:":
        escaped = escaped.replace(char, "\\" + char)
    escaped = escaped.replace("\n", "\\n")
    if formatted and re.match(rf"\[(?:{'|'.join(GIFT_FORMATS)})\]", escaped):
        escaped = "[moodle]" + escaped
    if arrow:
        escaped = escaped.replace("->", "-\\>")
    return escaped


def _comment(text: str) -> str:
    # Comments are not parsed by Moodle; only newlines and backslashes need escaping for our reader.
    return text.replace("\\", "\\\\").replace("\r", "").replace("\n", "\\n")


def gift_dumps(quiz: QuizData) -> tuple[str, list[str]]:
    """`quiz` as GIFT, and notes on what GIFT could not hold."""
    header = [f"// title: {_comment(quiz.title)}"] if quiz.title else []
    if quiz.description:
        header.append(f"// description: {_comment(quiz.description)}")
    if quiz.title.strip():
        header.append(f"$CATEGORY: {category_path(quiz.title)}")
    blocks = ["\n".join(header)] if header else []
    notes: list[str] = []
    current = own_category(quiz.title)
    for number, draft in enumerate(quiz.questions, start=1):
        # Moodle's grouping: a question of another category follows a $CATEGORY line naming it.
        if (wanted := draft.category or own_category(quiz.title)) != current:
            blocks.append(f"$CATEGORY: {wanted}")
            current = wanted
        blocks.append(_question_write(number, draft, notes))
    notes.extend(sources_note(quiz, GIFT))
    return "\n\n".join(blocks) + "\n", notes


def _ordering_answers(draft: Draft) -> list[str]:
    return [
        f"={_escape(option.text, arrow=True)} -> {ordinal(place)}"
        for place, option in enumerate(draft.options, start=1)
    ]


def _feedback(text: str) -> str:
    """An answer's feedback, after its '#', as Moodle writes it."""
    return f"#{_escape(text)}" if text else ""


def _matching_answers(draft: Draft) -> list[str]:
    return [f"={_escape(o.text, arrow=True)} -> {_escape(o.match, formatted=False)}" for o in draft.options]


def _gap_fill_answers(draft: Draft) -> list[str]:
    # An accepted answer that itself starts like a weight ("%x") needs one written in front of it.
    notes = dict(draft.answer_feedback)
    answers = []
    for index, text in enumerate(draft.accepted):
        fraction = draft.accepted_weights[index] if index < len(draft.accepted_weights) else 1.0
        weight = f"%{percent(fraction)}%" if fraction != 1.0 or text.startswith("%") else ""
        answers.append(f"={weight}{_escape(text, arrow=True)}{_feedback(notes.get(text, ''))}")
    return answers + [f"=%0%{_escape(text, arrow=True)}{_feedback(notes.get(text, ''))}" for text in draft.rejected]


def _multiple_answers(draft: Draft) -> list[str]:
    share, wrong = weights(draft)
    return [
        f"~%{option_percent(option, share, wrong)}%{_escape(option.text)}{_feedback(option.feedback)}"
        for option in draft.options
    ]


def _choice_answers(draft: Draft) -> list[str]:
    """Single choice, or a true/false question that cannot be written as one. As in Moodle, a right
    answer (=) takes no weight; a wrong one that starts like a weight ("%5% off"), or is worth part
    marks, gets one."""
    answers = []
    for option in draft.options:
        text = f"{_escape(option.text)}{_feedback(option.feedback)}"
        if option.correct:
            answers.append(f"={text}")
        elif option.weight or option.text.startswith("%"):
            answers.append(f"~%{percent(option.weight or 0.0)}%{text}")
        else:
            answers.append(f"~{text}")
    return answers


def _numerical_answers(draft: Draft) -> list[str]:
    """{#=3:2#feedback =%50%3:4 ~#for any other number}: Moodle's numerical, every answer written out."""
    notes = dict(draft.answer_feedback)
    answers = []
    for index, value in enumerate(draft.accepted):
        fraction = draft.accepted_weights[index] if index < len(draft.accepted_weights) else 1.0
        tolerance = draft.tolerances[index] if index < len(draft.tolerances) else 0.0
        weight = f"%{percent(fraction)}%" if fraction != 1.0 else ""
        margin = f":{number_written(tolerance)}" if tolerance else ""
        answers.append(f"={weight}{value}{margin}{_feedback(notes.get(number_key(value, tolerance), ''))}")
    if notes.get("*"):
        answers.append(f"~{_feedback(notes['*'])}")
    return answers


ANSWER_WRITERS = {
    NUMERICAL: _numerical_answers,
    ORDERING: _ordering_answers,
    MATCHING: _matching_answers,
    GAP_FILL: _gap_fill_answers,
    MULTIPLE: _multiple_answers,
}


def _arrowed(draft: Draft) -> bool:
    """Whether an answer holds "->", which _escape writes as "-\\>" (see there)."""
    if draft.kind in {ORDERING, MATCHING}:
        return any("->" in option.text for option in draft.options)
    return draft.kind == GAP_FILL and any("->" in text for text in (*draft.accepted, *draft.rejected))


def _moodle_ordering(draft: Draft) -> bool:
    """Whether an ordering can be written in Moodle's own syntax: qtype_ordering reads its items raw,
    one a line, so an item must hold nothing GIFT or this reader would take for structure."""
    return draft.kind == ORDERING and all(
        option.text == option.text.strip() and not UNSAFE_ITEM.search(option.text) for option in draft.options
    )


def _question_write(number: int, draft: Draft, notes: list[str]) -> str:
    name = label(number, draft)
    notes.extend(common_notes(number, draft))
    lines = []
    if draft.kind == ORDERING and not _moodle_ordering(draft):
        lines.append(ORDERING_MARKER)
        notes.append(
            f"{name}: an item holds a character Moodle's ordering syntax cannot ({{, }}, #, \\ or a leading [ or //); "
            f"written as matching each item to its place (1st, 2nd, …) after a '{ORDERING_MARKER}' comment, which "
            "this site reads back as ordering and Moodle as matching."
        )
    if _arrowed(draft):
        notes.append(f"{name}: '->' inside an answer is written '-\\>' so it stays text; Moodle shows the backslash.")
    name = _escape(draft.name, formatted=False) if draft.name.strip() else f"Q{number}"
    if draft.stem_html and html_kept(draft.stem_html, draft.stem):
        stem = f"::{name}::[html]{_escape(draft.stem_html, formatted=False)}"
    else:
        stem = f"::{name}::{_escape(draft.stem)}"
    feedback = f"####{_escape(draft.explanation)}" if draft.explanation else ""
    if _moodle_ordering(draft):
        # Moodle's ordering syntax (qtype_ordering's export_to_gift): every item shown, graded all or nothing.
        head = f"{stem}{{>{len(draft.options)} {MOODLE_ORDERING}"
        return "\n".join([head, *(option.text for option in draft.options), *([feedback] if feedback else []), "}"])
    key = true_false_key(draft)
    if key is not None:
        # Moodle's order: the feedback for a wrong answer, then for a right one.
        by_truth = {option.text == "True": option.feedback for option in draft.options}
        wrong, right = by_truth[not key], by_truth[key]
        notes_written = f"#{_escape(wrong)}#{_escape(right)}" if wrong or right else ""
        lines.append(f"{stem}{{{'TRUE' if key else 'FALSE'}{notes_written}{feedback}}}")
        return "\n".join(lines)
    answers = ANSWER_WRITERS.get(draft.kind, _choice_answers)(draft)
    opening = "{#" if draft.kind == NUMERICAL else "{"
    lines += [stem + opening, *(f"\t{answer}" for answer in answers), *([f"\t{feedback}"] if feedback else []), "}"]
    return "\n".join(lines)


# Reading

GIFT_ESCAPES = {"\\": "\\", "~": "~", "=": "=", "#": "#", "{": "{", "}": "}", ":": ":", "n": "\n", ">": ">"}
ESCAPE = re.compile(r"\\([\\~=#{}:n>])")
# An escaped character's stand-in: a private-use character, which text_clean has removed from the
# file beforehand, so none is ever read from the file itself.
STAND_IN = {escape: chr(0xE000 + index) for index, escape in enumerate(GIFT_ESCAPES)}
RESTORE = str.maketrans({stand_in: GIFT_ESCAPES[escape] for escape, stand_in in STAND_IN.items()})
NEWLINE = str.maketrans({STAND_IN["n"]: "\n"})
NEWLINE_TO_SPACE = str.maketrans({"\n": " "})
# Anything that looks like a number between percent signs is a weight, to be checked, not text.
WEIGHT = re.compile(r"%([-+]?(?:\d[\d.]*+|\.\d++)(?:e[-+]?\d++)?+|[-+]?(?:inf(?:inity)?|nan))%", re.IGNORECASE)
FORMAT = re.compile(r"\[(\w+)\]")
COMMENT = re.compile(r"^\s*//")
ORDERING_COMMENT = re.compile(r"^\s*//\s*ordering\s*$", re.IGNORECASE)
HEADER_COMMENT = re.compile(r"^\s*//\s*(title|description):\s?(.*)$", re.IGNORECASE)
TRUTHS = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dataclass(frozen=True)
class _Lines:
    """Where a question's lines start in its text, and their numbers in the file."""

    breaks: tuple[int, ...]  # the index of each newline that ends a line of the file
    numbers: tuple[int, ...]


@cache
def _any_of(chars: str) -> re.Pattern:
    return re.compile(f"[{re.escape(chars)}]")


@dataclass(frozen=True)
class _Src:
    """A stretch [start:end] of one question's text, escapes resolved (see the module's docstring).
    Indices given and taken are relative to the stretch."""

    whole: str
    start: int
    end: int
    lines: _Lines

    @property
    def raw(self) -> str:
        """The text, escaped characters still as their stand-ins."""
        return self.whole[self.start : self.end]

    def __str__(self) -> str:
        return self.raw.translate(RESTORE)

    def __getitem__(self, part: slice) -> "_Src":
        start, end, _ = part.indices(self.end - self.start)
        return _Src(self.whole, self.start + start, self.start + max(start, end), self.lines)

    def __bool__(self) -> bool:
        return self.end > self.start

    def line(self, index: int = 0) -> int:
        """The file line of the character at `index`, kept inside the stretch (an empty stretch:
        the line where it stands)."""
        position = self.start + min(max(index, 0), max(self.end - self.start - 1, 0))
        return self.lines.numbers[bisect_left(self.lines.breaks, min(position, len(self.whole) - 1))]

    def find(self, chars: str, start: int = 0) -> int:
        """The index of the first unescaped character among `chars`, or -1."""
        found = _any_of(chars).search(self.whole, self.start + start, self.end)
        return found.start() - self.start if found else -1

    def find_seq(self, seq: str, start: int = 0, *, last: bool = False) -> int:
        """The index of the first (or `last`) unescaped `seq`, or -1."""
        search = self.whole.rfind if last else self.whole.find
        index = search(seq, self.start + start, self.end)
        return index - self.start if index != -1 else -1

    def strip(self) -> "_Src":
        raw = self.raw.translate(NEWLINE)  # an escaped newline is space too
        begin = len(raw) - len(raw.lstrip())
        return self[begin : max(begin, len(raw.rstrip()))]

    def split(self, markers: str, limit: int) -> tuple["_Src", list[tuple[str, int, "_Src"]]]:
        """The text before the first unescaped marker, and each marker with its line and the text it
        starts: at most `limit` + 1 of them, the last running on to the end."""
        cuts = []
        index = self.find(markers)
        while index != -1 and len(cuts) <= limit:
            cuts.append(index)
            index = self.find(markers, index + 1)
        ends = [*cuts, self.end - self.start][1:]  # as many as the cuts, even none (Q {"} once failed here)
        parts = [
            (self.whole[self.start + cut], self.line(cut), self[cut + 1 : end])
            for cut, end in zip(cuts, ends, strict=True)
        ]
        return (self[: cuts[0]] if cuts else self), parts


def _decode(body: list[tuple[int, str]]) -> _Src:
    """Physical lines (number, text) joined with newlines, escapes resolved."""
    # No escape takes a newline ("\\n" is a backslash and the letter n), so the lines go in as one.
    whole = ESCAPE.sub(lambda match: STAND_IN[match.group(1)], "\n".join(line for _, line in body))
    breaks = tuple(match.start() for match in re.finditer("\n", whole))
    return _Src(whole, 0, len(whole), _Lines(breaks, tuple(number for number, _ in body)))


def _blocks(text: str) -> Iterator[list[tuple[int, str]]]:
    """Runs of non-blank lines, each line with its number; blank lines separate questions."""
    block: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _prepared(text: str) -> str:
    # Only CR and LF end a line: str.splitlines() would also break at U+2028 and friends. The
    # invisible characters go first (see model.text_clean), and with them any private-use one.
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return invisible_strip(text, keep=C0_CONTROLS)


def gift_loads(text: str, *, strict: bool = False) -> QuizData:
    """The quiz in GIFT `text`; raises InterchangeError listing every problem with its line.

    A question of a type this site lacks (essay, numerical, description) is skipped and listed in
    `skipped`; with `strict`, or when nothing else is in the file, it is an error instead."""
    reader = _GiftFile(strict=strict)
    for block in _blocks(_prepared(text)):
        if not reader.block(block):
            break
    return reader.quiz()


class _GiftFile:
    """A GIFT file being read, block by block: its header, its questions and its problems."""

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict
        self.errors: Problems = []
        self.warnings: list[str] = []
        self.skips: list[Skip] = []
        self.header: dict[str, tuple[int, str]] = {}  # "title" and "description", each with its line
        self.category = (0, "")
        self.path = ""  # the category the questions that follow belong to
        self.drafts: list[Draft] = []
        self.questions = 0

    def block(self, block: list[tuple[int, str]]) -> bool:
        """Reads one block; False once the file has more questions than it may hold."""
        comments: list[tuple[int, str]] = []
        body: list[tuple[int, str]] = []
        for number, line in block:
            (comments if COMMENT.match(line) else body).append((number, line))
        if not self.drafts:  # the title and description come before the questions
            self.header_read(comments)
        if not body:
            return True
        if body[0][1].strip().startswith("$CATEGORY:"):
            self.category_read(body)
            return True
        self.questions += 1
        if self.questions > MAX_QUESTIONS:
            self.errors.append(too_many_questions(body[0][0]))
            return False
        question = _Question(_decode(body), ordering=any(ORDERING_COMMENT.match(line) for _, line in comments))
        draft = question.read()
        self.errors.extend(question.errors)
        if question.skip is not None:
            self.skips.append(question.skip)
        if draft is not None:
            draft = replace(draft, category=self.path)
            self.errors.extend(draft_problems(draft, body[0][0]))
            self.drafts.append(draft)
        if question.dropped:
            self.warnings.append(dropped_warning(body[0][0], question.dropped))
        return True

    def header_read(self, comments: list[tuple[int, str]]) -> None:
        for number, line in comments:
            if match := HEADER_COMMENT.match(line):
                value = text_clean(str(_decode([(number, match.group(2))])))
                self.header.setdefault(match.group(1).lower(), (number, value))

    def category_read(self, body: list[tuple[int, str]]) -> None:
        if len(body) > 1:
            self.errors.append((body[1][0], "a $CATEGORY line must be followed by a blank line"))
        else:
            self.path = category_clean(body[0][1].strip().removeprefix("$CATEGORY:"))
            if not self.category[1]:
                self.category = (body[0][0], text_clean(category_title(self.path)))

    def quiz(self) -> QuizData:
        title_line, title = self.header.get("title", self.category)
        if len(title) > TITLE_MAX:
            self.errors.append((title_line, f"the title is longer than {TITLE_MAX} characters"))
        skipped = skips_settle(self.skips, self.errors, strict=self.strict, importable=bool(self.drafts))
        if not self.drafts and not self.errors:
            self.errors.append((1, "no questions found"))
        if self.errors:
            raise InterchangeError(self.errors)
        return QuizData(
            title=title,
            description=self.header.get("description", (0, ""))[1],
            questions=categories_settle(self.drafts, title),
            warnings=warnings_capped(self.warnings),
            skipped=skipped,
        )


def _brace_problem(src: _Src, opening: int, closing: int, first: int) -> tuple[int, str] | None:
    """What is wrong with the braces of a question, if anything: one {…} of answers is read."""
    if opening == -1 and closing == -1:
        return (first, "no answers in {…}: a description without a question cannot be imported")
    if closing != -1 and (opening == -1 or closing < opening):
        return (src.line(closing), "'}' without an opening '{' (write \\} for a brace in the text)")
    if closing == -1:
        return (src.line(opening), "'{' is never closed with '}'")
    nested = src.find("{", opening + 1)
    if nested != -1 and nested < closing:
        return (src.line(nested), "'{' inside the answers (write \\{ for a brace in the text)")
    tail = src[closing + 1 :]
    extra = tail.find("{}")
    if extra != -1:
        return (tail.line(extra), "a second set of answers: only one {…} per question is supported")
    return None


class _Question:
    """One question block being read: `read()` gives its Draft, or None with its `errors`; the
    images and files its text referred to are listed in `dropped`."""

    def __init__(self, src: _Src, *, ordering: bool) -> None:
        self.src = src.strip()
        self.first = self.src.line()
        self.ordering = ordering
        self.errors: Problems = []
        self.dropped: list[str] = []
        self.skip: Skip | None = None
        self.stem = ""
        self.stem_html = ""
        self.name = ""
        self.explanation = ""
        self.line = self.first  # of the answers

    def text(self, part: _Src | str) -> str:
        """Text after Moodle's optional "[format]" prefix, as plain text: HTML read as such."""
        text = str(part).strip()
        match = FORMAT.match(text)
        if match and match.group(1) in GIFT_FORMATS:
            text = text[match.end() :]
            if match.group(1) == "html":
                return text_clean(html_to_text(text, self.dropped))
        return text_clean(media_strip(text, self.dropped))

    def draft(self, kind: str, options: tuple[DraftOption, ...] = (), **answers) -> Draft:
        return Draft(
            kind=kind,
            stem=self.stem,
            options=options,
            explanation=self.explanation,
            topic=None,
            name=self.name,
            stem_html=self.stem_html,
            **answers,
        )

    def read(self) -> Draft | None:
        answers = self.parts()
        if answers is None or self.skip is not None:
            return None
        question = self.by_kind(answers)
        if self.skip is not None:
            return None
        if not self.stem:
            self.errors.append((self.first, "the question has no text"))
        if self.ordering and question is not None and question.kind != ORDERING:
            self.errors.append((self.first, f"marked '{ORDERING_MARKER}' but not written as matching to 1st, 2nd, …"))
        if question is None and not self.errors:
            self.errors.append((self.first, "the question could not be read"))
        return None if self.errors else question

    def parts(self) -> _Src | None:
        """Reads the name, the stem and the general feedback; gives the answers, or None if the
        question cannot be read."""
        src = self.src
        if src.find_seq("::") == 0:
            end = src.find_seq("::", 2)
            if end == -1:
                self.errors.append((self.first, "the question name is not closed with '::'"))
                return None
            self.name = text_clean(str(src[2:end]).translate(NEWLINE_TO_SPACE))
            src = src[end + 2 :].strip()
        opening, closing = src.find("{"), src.find("}")
        if opening == -1 and closing == -1:
            message = "no answers in {…}: a description without a question cannot be imported"
            self.skip = Skip(self.first, "description (text without a question)", message)
            return None
        if problem := _brace_problem(src, opening, closing, self.first):
            self.errors.append(problem)
            return None
        head, tail = src[:opening], src[closing + 1 :]
        # Answers inside the text ("Grant is {=buried} in…") leave a gap, as in Moodle's missing-word format.
        self.stem = self.text(f"{head}{GAP}{tail}" if str(tail).strip() else head)
        written = str(head).strip()
        if not str(tail).strip() and written.startswith("[html]"):
            self.stem_html = html_kept(written.removeprefix("[html]"), self.stem)
        answers = src[opening + 1 : closing]
        general = answers.find_seq("####", last=True)
        if general != -1:
            self.explanation = self.text(answers[general + 4 :])
            answers = answers[:general]
        answers = answers.strip()
        self.line = answers.line() if answers else src.line(opening)
        return answers

    def by_kind(self, answers: _Src) -> Draft | None:
        if not answers:
            self.skip = Skip(self.first, "essay", f"an essay question ({{}}) is not supported: use {SUPPORTED}")
        elif answers.find("#") == 0:
            return self.numerical(answers[1:])
        elif answers.find(">") == 0:
            return self.ordering_items(answers)
        elif answers.find("~") != -1:
            return self.choice(answers)
        elif answers.find("=") != -1 and answers.find_seq("->") != -1:
            return self.matching(answers)
        elif (truth := str(_before_feedback(answers)).strip()) in TRUTHS:
            return self.true_false(TRUTHS[truth], answers)
        else:
            return self.short_answer(answers)
        return None

    def answers_split(self, answers: _Src, markers: str, before: str) -> list[tuple[str, int, _Src]] | None:
        """Each answer with its marker and line; None (and the error) past MAX_OPTIONS answers.
        `before` is the error for text before the first marker."""
        head, parts = answers.split(markers, MAX_OPTIONS)
        if str(head).strip():
            self.errors.append((head.strip().line(), before))
        if len(parts) > MAX_OPTIONS:
            self.errors.append((self.first, f"more than {MAX_OPTIONS} answers in one question"))
            return None
        return parts

    def true_false(self, key: bool, answers: _Src) -> Draft:
        """{FALSE#for a wrong answer#for a right one}: Moodle's feedback, the wrong answer's first."""
        _, parts = answers.split("#", 2)
        wrong, right = ([self.text(part) for _, _, part in parts] + ["", ""])[:2]
        options = (
            DraftOption("True", correct=key, feedback=right if key else wrong),
            DraftOption("False", correct=not key, feedback=wrong if key else right),
        )
        return self.draft(TRUE_FALSE, options)

    def feedback(self, part: _Src) -> str:
        """The feedback after an answer's '#', if any."""
        mark = part.find("#")
        return self.text(part[mark + 1 :]) if mark != -1 else ""

    def answer(self, part: _Src, line: int, *, weighted: bool = True) -> tuple[str, float | None]:
        """An answer's text (its feedback after '#' left to `feedback`) and its "%weight%" if it has one."""
        part = part.strip()
        weight = None
        if weighted and (match := WEIGHT.match(part.raw)):
            if problem := weight_problem(match.group(1)):
                self.errors.append((line, f"weight {problem}"))
            else:
                weight = float(match.group(1))
            part = part[match.end() :]
        return self.text(_before_feedback(part)), weight

    def choice(self, answers: _Src) -> Draft | None:
        parts = self.answers_split(answers, "~=", "text before the first answer: start each answer with = or ~")
        if parts is None:
            return None
        options = []
        single = any(marker == "=" for marker, _, _ in parts)
        for marker, line, part in parts:
            # As in Moodle, a right answer takes no weight: "=%50%x" is the text "%50%x".
            text, weight = self.answer(part, line, weighted=marker == "~")
            correct = marker == "=" or (not single and (weight or 0) > 0)
            if marker == "=":
                weight = 100.0
            if not text:
                self.errors.append((line, "an empty answer"))
            too_long(text, line, self.errors)
            fraction = None if weight is None else fraction_of(weight)
            options.append(DraftOption(text, correct=correct, feedback=self.feedback(part.strip()), weight=fraction))
        if len(options) < 2:
            self.errors.append((self.first, "a choice question needs at least two answers"))
        return self.single(options) if single else self.multiple(options)

    def single(self, options: list[DraftOption]) -> Draft:
        """One right answer (=); others may carry part marks ({~a ~%50%b =c}), as in Moodle. Without
        any, the weights are left out: all or nothing, as a question made here."""
        right = sum(option.correct for option in options)
        partial = any(not option.correct and option.weight for option in options)
        options = [replace(option, weight=(option.weight or 0.0) if partial else None) for option in options]
        if right > 1:
            self.errors.append(
                (self.first, f"a single choice has {right} right answers (=): use ~%50% weights for several")
            )
        return self.draft(SINGLE, tuple(options))

    def multiple(self, options: list[DraftOption]) -> Draft:
        if not any(option.correct for option in options):
            self.errors.append(
                (self.first, "no right answer: mark it with =, or give the right ones positive weights (~%50%)")
            )
        options = [replace(option, weight=option.weight or 0.0) for option in options]
        return self.draft(MULTIPLE, tuple(options))

    def matching(self, answers: _Src) -> Draft | None:
        parts = self.answers_split(answers, "=", "text before the first pair: start each pair with =")
        if parts is None:
            return None
        pairs: list[tuple[str, str]] = []
        for _, line, part in parts:
            arrow = part.find_seq("->")
            if arrow == -1:
                self.errors.append((line, "a matching pair needs '->' between the item and its match"))
                continue
            left, right = self.text(part[:arrow]), text_clean(media_strip(str(part[arrow + 2 :]), self.dropped))
            if not left and self.ordering:
                self.errors.append((line, "an ordering has no extra wrong places"))
            if not right:
                self.errors.append((line, "an item without its match after '->'"))
            too_long(left, line, self.errors)
            too_long(right, line, self.errors)
            pairs.append((left, right))
        kind = "an ordering" if self.ordering else "a matching question"
        items = sum(1 for left, _ in pairs if left)  # "= -> Chat": an extra wrong match, no item
        if items < MIN_PAIRS:
            self.errors.append((self.first, f"{kind} needs at least {MIN_PAIRS} pairs; it has {items}"))
        if self.ordering:
            return self.ordering_from_places(pairs)
        return self.draft(MATCHING, tuple(DraftOption(left, match=right) for left, right in pairs))

    def ordering_from_places(self, pairs: list[tuple[str, str]]) -> Draft | None:
        """An ordering written as matching each item to its place (1st, 2nd, …): see gift_dumps."""
        places = {ordinal(place): place for place in range(1, len(pairs) + 1)}
        if sorted(right for _, right in pairs) != sorted(places):
            self.errors.append(
                (self.first, "marked as ordering, but the items are not matched to 1st, 2nd, … once each")
            )
            return None
        items = sorted(pairs, key=lambda pair: places[pair[1]])
        return self.draft(ORDERING, tuple(DraftOption(left) for left, _ in items))

    def ordering_items(self, answers: _Src) -> Draft | None:
        """Moodle's own ordering syntax ({>3 ALL VERTICAL … then one item a line}), read as ordering."""
        newline = answers.find("\n")
        if newline == -1 or not re.fullmatch(r">\s*+\d++[\w\s]*+", str(answers[:newline]).strip()):
            self.errors.append((self.first, "an ordering ({>…}) lists its items one per line after '{>count'"))
            return None
        parts = self.answers_split(answers[newline:], "\n", "")  # nothing before its first newline
        if parts is None:
            return None
        items = [(part.strip(), part.strip().line()) for _, _, part in parts if str(part).strip()]
        for item, line in items:
            too_long(str(item), line, self.errors)
        if len(items) < MIN_PAIRS:
            self.errors.append((self.first, f"an ordering needs at least {MIN_PAIRS} items; it has {len(items)}"))
        return self.draft(ORDERING, tuple(DraftOption(self.text(item)) for item, _ in items))

    def numerical(self, answers: _Src) -> Draft | None:
        """Moodle's numerical: {#3:2} (3, give or take 2), {#1..5} (a range), or several answers
        {#=1822:0 =%50%1822:2} with weights and feedback; "~#…" is the feedback for any other number."""
        notes: list[tuple[str, str]] = []
        otherwise = ""  # the feedback for any other number, listed last as Moodle XML lists it
        wrong = answers.find("~")
        if wrong != -1:
            otherwise = self.feedback(answers[wrong + 1 :].strip())
            answers = answers[:wrong]
        head, parts = answers.split("=", MAX_OPTIONS)
        if len(parts) > MAX_OPTIONS:
            self.errors.append((self.first, f"more than {MAX_OPTIONS} answers in one question"))
            return None
        entries = [(head.strip().line(), head.strip())] if str(head).strip() else []
        entries += [(line, part.strip()) for _, line, part in parts]
        values: list[str] = []
        tolerances: list[float] = []
        weights: list[float] = []
        for line, part in entries:
            weight = 100.0
            if match := WEIGHT.match(part.raw):
                if problem := weight_problem(match.group(1)):
                    self.errors.append((line, f"weight {problem}"))
                weight = float(match.group(1)) if not problem else 0.0
                part = part[match.end() :]
            note = self.feedback(part)
            spec = str(_before_feedback(part)).strip()
            if spec == "*":  # any other number: only its feedback
                if note:
                    notes.append(("*", note))
                continue
            number = _number_spec(spec)
            if number is None:
                self.errors.append((line, f"{shortened(spec)!r} is not a number, a number:margin or a range min..max"))
                continue
            value = number_written(number[0])
            values.append(value)
            tolerances.append(number[1])
            weights.append(fraction_of(weight))
            if note:
                notes.append((number_key(value, number[1]), note))
        if otherwise:
            notes.append(("*", otherwise))
        if not any(weight > 0 for weight in weights) and not self.errors:
            self.errors.append((self.first, "a numerical question with no number worth marks"))
        return self.draft(NUMERICAL, **numerical_parts(values, tolerances, weights, notes))

    def short_answer(self, answers: _Src) -> Draft | None:
        parts = self.answers_split(answers, "=", "text before the first answer: start each answer with =")
        if parts is None:
            return None
        accepted, weights, rejected, feedback = [], [], [], []
        for _, line, part in parts:
            text, weight = self.answer(part, line)
            if not text:
                self.errors.append((line, "an empty answer"))
            if weight is None or weight > 0:
                accepted.append(text)
                weights.append(1.0 if weight is None else fraction_of(weight))
            else:
                rejected.append(text)
            if note := self.feedback(part.strip()):
                feedback.append((text, note))
        if parts and not accepted:
            self.errors.append((self.first, "a short answer with no accepted answer (all are at 0%)"))
        return self.draft(
            GAP_FILL,
            accepted=tuple(accepted),
            rejected=tuple(rejected),
            accepted_weights=() if all(weight == 1.0 for weight in weights) else tuple(weights),
            answer_feedback=tuple(feedback),
        )


def _number_spec(spec: str) -> tuple[float, float] | None:
    """A GIFT number: "3" (give or take nothing), "3:2" (give or take 2), "1..5" (from 1 to 5: 3 give
    or take 2, as Moodle stores it). None if it is not one."""
    if ".." in spec:
        low, _, high = spec.partition("..")
        ends = number_read(low), number_read(high)
        if None in ends or ends[0] > ends[1]:
            return None
        middle = (ends[0] + ends[1]) / 2
        return middle, ends[1] - middle
    value, colon, margin = spec.partition(":")
    number, tolerance = number_read(value), number_read(margin) if colon else 0.0
    if number is None or tolerance is None or tolerance < 0:
        return None
    return number, tolerance


def _before_feedback(part: _Src) -> _Src:
    feedback = part.find("#")
    return part[:feedback] if feedback != -1 else part
