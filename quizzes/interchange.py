"""Quizzes in and out of Moodle: GIFT and Moodle XML. Pure: text in, dataclasses out, no database.

Export never drops anything silently: whatever a format cannot hold comes back as a note, per
question, saying what was written instead. Import checks the whole file first and raises one
`InterchangeError` listing every problem with its line, so a bad file imports nothing.

How the six kinds are written:

    kind        GIFT                                     Moodle XML
    single      {=right ~wrong}                          multichoice, <single>true, fractions 100/0
    multiple    {~%50%a ~%50%b ~%-100%c}                 multichoice, <single>false, same weights
    true_false  {TRUE} / {FALSE}                         truefalse
    gap_fill    {=a =b =%0%wrong}                        shortanswer; wrong answers at fraction 0
    ordering    {=item -> 1st …} after "// ordering"      ordering (qtype_ordering)
    matching    {=left -> right}                         matching, one <subquestion> per pair

The explanation is the general feedback in both. Sources (fact, topic, article sentences, source
note) have no place in either format. Per-answer feedback in an imported file is not kept: a
question here has one explanation.
"""

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from xml.etree import ElementTree as ET  # only to write; untrusted files are parsed by defusedxml

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from quizzes.generation import (
    GAP,
    GAP_FILL,
    KIND_LABELS,
    MATCHING,
    MULTIPLE,
    ORDERING,
    SINGLE,
    TRUE_FALSE,
    Draft,
    DraftOption,
    ordinal,
    question_problems,
)

GIFT = "gift"
MOODLE_XML = "moodlexml"
FORMATS = (GIFT, MOODLE_XML)
FORMAT_NAMES = {GIFT: "GIFT", MOODLE_XML: "Moodle XML"}

# The database's limits (Quiz.title, Option.text and Option.match): a longer value is refused on
# import rather than cut.
TITLE_MAX = 200
OPTION_MAX = 300
MIN_PAIRS = 3  # ordering and matching; Moodle's matching needs three as well
# A quiz file is small: these caps refuse a file built to make the preview or the database crawl.
MAX_QUESTIONS = 200
MAX_OPTIONS = 50
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SUPPORTED = "single or multiple choice, true/false, short answer, matching and ordering"


def _draft_problems(draft: Draft, line: int, count: int) -> list[tuple[int, str]]:
    """What the admin would refuse in this question (see generation.question_problems), and what
    no database should store: control characters, and more than a quiz holds."""
    problems = [
        (line, message)
        for message in question_problems(
            draft.kind, [(o.text, o.correct, o.match) for o in draft.options], list(draft.accepted)
        )
    ]
    if any(CONTROL.search(text) for text in _texts(draft)):
        problems.append((line, "a control character (such as NUL) is in the text: remove it"))
    if len(draft.options) > MAX_OPTIONS:
        problems.append((line, f"more than {MAX_OPTIONS} answers in one question"))
    if count == MAX_QUESTIONS + 1:
        problems.append((line, f"more than {MAX_QUESTIONS} questions: split the file"))
    return problems


@dataclass(frozen=True)
class QuizData:
    title: str
    description: str = ""
    questions: tuple[Draft, ...] = ()


class InterchangeError(ValueError):
    """A file that cannot be imported, with every problem found: `errors` is (line, message)."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = sorted(errors, key=lambda error: error[0])
        super().__init__("\n".join(f"line {line}: {message}" for line, message in self.errors))


def format_detect(text: str) -> str:
    """The format of `text`: "moodlexml" when it starts with `<?xml` or `<quiz`, otherwise "gift"."""
    start = text.lstrip("\ufeff \t\r\n")
    return MOODLE_XML if start.startswith(("<?xml", "<quiz")) else GIFT


def loads(text: str) -> tuple[str, QuizData]:
    """The format of `text` and the quiz in it."""
    fmt = format_detect(text)
    return fmt, (moodle_xml_loads(text) if fmt == MOODLE_XML else gift_loads(text))


def dumps(quiz: QuizData, fmt: str) -> tuple[str, list[str]]:
    """`quiz` written in `fmt` (one of FORMATS), and the notes on what the format could not hold."""
    if fmt == GIFT:
        return gift_dumps(quiz)
    if fmt == MOODLE_XML:
        return moodle_xml_dumps(quiz)
    raise ValueError(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")


# What neither format holds, and the approximations both make.


def _sources_note(quiz: QuizData, fmt: str) -> list[str]:
    count = sum(
        1
        for draft in quiz.questions
        if draft.fact_key or draft.sentences or draft.source_note or draft.topic or draft.item_keys
    )
    if not count:
        return []
    questions = "question loses its" if count == 1 else "questions lose theirs"
    return [
        f"Sources (fact, topic, article sentences, source note) are not part of {FORMAT_NAMES[fmt]}; "
        f"{count} {questions}."
    ]


def _label(number: int, draft: Draft) -> str:
    return f"Q{number} ({KIND_LABELS.get(draft.kind, draft.kind)})"


def _weights(draft: Draft) -> tuple[str, str]:
    """Moodle's weights for a multiple select: the right answers share 100%, a wrong one costs 100%.

    Moodle only takes grades from its list (1/2, 1/3, … 1/10, 1/20); five decimals hit them."""
    right = sum(option.correct for option in draft.options) or 1
    share = f"{100 / right:.5f}".rstrip("0").rstrip(".")
    return share, "-100"


def _true_false_key(draft: Draft) -> bool | None:
    """Whether a true/false question's key is True; None when its options are not exactly True and False."""
    texts = sorted(option.text for option in draft.options)
    right = [option for option in draft.options if option.correct]
    if texts != ["False", "True"] or len(right) != 1:
        return None
    return right[0].text == "True"


def _common_notes(number: int, draft: Draft) -> list[str]:
    label = _label(number, draft)
    notes = []
    if draft.kind == MULTIPLE:
        share, wrong = _weights(draft)
        notes.append(
            f"{label}: Moodle gives part marks where this site marks all or nothing; written as {share}% "
            f"for each right answer and {wrong}% for each wrong one."
        )
    if draft.kind == GAP_FILL:
        rejected = (
            f"; its {len(draft.rejected)} wrong answers are written at 0%, which Moodle refuses only when typed "
            "exactly, not inside a longer answer"
            if draft.rejected
            else ""
        )
        notes.append(
            f"{label}: Moodle accepts only the listed answers as typed, without this site's tolerance of "
            f"slips and extra words{rejected}."
        )
    if draft.kind == TRUE_FALSE and _true_false_key(draft) is None:
        notes.append(f"{label}: its options are not exactly True and False; written as single choice.")
    return notes


# GIFT: writing

GIFT_FORMATS = ("html", "moodle", "plain", "markdown")
ORDERING_MARKER = "// ordering"


def _gift_escape(text: str, *, arrow: bool = False, formatted: bool = True) -> str:
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


def _gift_comment(text: str) -> str:
    # Comments are not parsed by Moodle; only newlines and backslashes need escaping for our reader.
    return text.replace("\\", "\\\\").replace("\r", "").replace("\n", "\\n")


def _category(title: str) -> str:
    # Moodle splits category paths at "/" and reads "//" as a slash in a name.
    return "$course$/top/" + " ".join(title.split()).replace("/", "//")


def _gift_answer_weight(text: str) -> str:
    # An answer that itself starts like a weight ("%5% off") needs one written in front of it.
    return "%0%" if text.startswith("%") else ""


def gift_dumps(quiz: QuizData) -> tuple[str, list[str]]:
    """`quiz` as GIFT, and notes on what GIFT could not hold."""
    header = [f"// title: {_gift_comment(quiz.title)}"] if quiz.title else []
    if quiz.description:
        header.append(f"// description: {_gift_comment(quiz.description)}")
    if quiz.title.strip():
        header.append(f"$CATEGORY: {_category(quiz.title)}")
    blocks = ["\n".join(header)] if header else []
    notes: list[str] = []
    for number, draft in enumerate(quiz.questions, start=1):
        blocks.append(_gift_question(number, draft, notes))
    notes.extend(_sources_note(quiz, GIFT))
    return "\n\n".join(blocks) + "\n", notes


def _gift_question(number: int, draft: Draft, notes: list[str]) -> str:
    label = _label(number, draft)
    notes.extend(_common_notes(number, draft))
    lines = []
    answers: list[str] = []
    arrows = False
    key = _true_false_key(draft) if draft.kind == TRUE_FALSE else None
    if draft.kind == ORDERING:
        lines.append(ORDERING_MARKER)
        notes.append(
            f"{label}: GIFT has no ordering type; written as matching each item to its place (1st, 2nd, …) "
            f"after a '{ORDERING_MARKER}' comment, which this site reads back as ordering and Moodle as matching."
        )
        for place, option in enumerate(draft.options, start=1):
            arrows |= "->" in option.text
            answers.append(f"={_gift_escape(option.text, arrow=True)} -> {ordinal(place)}")
    elif draft.kind == MATCHING:
        for option in draft.options:
            arrows |= "->" in option.text
            answers.append(f"={_gift_escape(option.text, arrow=True)} -> {_gift_escape(option.match, formatted=False)}")
    elif draft.kind == GAP_FILL:
        for answer in draft.accepted:
            weight = "%100%" if answer.startswith("%") else ""
            arrows |= "->" in answer
            answers.append(f"={weight}{_gift_escape(answer, arrow=True)}")
        for answer in draft.rejected:
            arrows |= "->" in answer
            answers.append(f"=%0%{_gift_escape(answer, arrow=True)}")
    elif draft.kind == MULTIPLE:
        share, wrong = _weights(draft)
        for option in draft.options:
            answers.append(f"~%{share if option.correct else wrong}%{_gift_escape(option.text)}")
    elif key is None:  # single choice, or a true/false question that cannot be written as one
        for option in draft.options:
            if option.correct:
                answers.append(f"={_gift_escape(option.text)}")
            else:
                answers.append(f"~{_gift_answer_weight(option.text)}{_gift_escape(option.text)}")
    if arrows:
        notes.append(f"{label}: '->' inside an answer is written '-\\>' so it stays text; Moodle shows the backslash.")

    stem = f"::Q{number}::{_gift_escape(draft.stem)}"
    feedback = f"####{_gift_escape(draft.explanation)}" if draft.explanation else ""
    if key is not None:
        lines.append(f"{stem}{{{'TRUE' if key else 'FALSE'}{feedback}}}")
    else:
        lines.append(stem + "{")
        lines.extend(f"\t{answer}" for answer in answers)
        if feedback:
            lines.append(f"\t{feedback}")
        lines.append("}")
    return "\n".join(lines)


# GIFT: reading

GIFT_ESCAPES = {"\\": "\\", "~": "~", "=": "=", "#": "#", "{": "{", "}": "}", ":": ":", "n": "\n", ">": ">"}
WEIGHT = re.compile(r"%(-?\d{1,3}(?:\.\d+)?)%")
COMMENT = re.compile(r"^\s*//")
ORDERING_COMMENT = re.compile(r"^\s*//\s*ordering\s*$", re.IGNORECASE)
HEADER_COMMENT = re.compile(r"^\s*//\s*(title|description):\s?(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class _Src:
    """Text of a GIFT question with its escapes resolved: `escaped[i]` marks a character written
    with a backslash (never structural), `lines[i]` is the file line it comes from."""

    text: str
    escaped: tuple[bool, ...]
    lines: tuple[int, ...]

    def __getitem__(self, part: slice) -> "_Src":
        return _Src(self.text[part], self.escaped[part], self.lines[part])

    def line(self, index: int = 0) -> int:
        return self.lines[min(max(index, 0), len(self.lines) - 1)] if self.lines else 0

    def find(self, chars: str, start: int = 0) -> int:
        """The index of the first unescaped character among `chars`, or -1."""
        for index in range(start, len(self.text)):
            if self.text[index] in chars and not self.escaped[index]:
                return index
        return -1

    def find_seq(self, seq: str, start: int = 0, *, last: bool = False) -> int:
        """The index of the first (or `last`) unescaped `seq`, or -1."""
        found = -1
        index = self.text.find(seq, start)
        while index != -1:
            if not any(self.escaped[index : index + len(seq)]):
                if not last:
                    return index
                found = index
            index = self.text.find(seq, index + 1)
        return found

    def strip(self) -> "_Src":
        begin = len(self.text) - len(self.text.lstrip())
        end = len(self.text.rstrip())
        return self[begin:end] if begin < end else self[0:0]

    def split(self, markers: str) -> tuple["_Src", list[tuple[str, int, "_Src"]]]:
        """The text before the first unescaped marker, and each marker with its line and the text it starts."""
        cuts = [index for index, char in enumerate(self.text) if char in markers and not self.escaped[index]]
        head = self[: cuts[0]] if cuts else self
        ends = [*cuts[1:], len(self.text)]
        return head, [
            (self.text[cut], self.lines[cut], self[cut + 1 : end]) for cut, end in zip(cuts, ends, strict=True)
        ]


def _gift_decode(raw_lines: list[tuple[int, str]]) -> _Src:
    """Physical lines (number, text) joined with newlines, escapes resolved."""
    text: list[str] = []
    escaped: list[bool] = []
    lines: list[int] = []
    for position, (number, line) in enumerate(raw_lines):
        index = 0
        while index < len(line):
            char = line[index]
            if char == "\\" and index + 1 < len(line) and line[index + 1] in GIFT_ESCAPES:
                text.append(GIFT_ESCAPES[line[index + 1]])
                escaped.append(True)
                index += 2
            else:
                text.append(char)
                escaped.append(False)
                index += 1
            lines.append(number)
        if position < len(raw_lines) - 1:
            text.append("\n")
            escaped.append(False)
            lines.append(number)
    return _Src("".join(text), tuple(escaped), tuple(lines))


def _with_format(text: str) -> str:
    """Text after Moodle's optional "[format]" prefix; HTML becomes plain text."""
    text = text.strip()
    match = re.match(r"\[(\w+)\]", text)
    if match and match.group(1) in GIFT_FORMATS:
        text = text[match.end() :]
        if match.group(1) == "html":
            return html_to_text(text)
    return text.strip()


def _gift_blocks(text: str) -> Iterator[list[tuple[int, str]]]:
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


def _normalise_newlines(text: str) -> str:
    # Only CR and LF end a line: str.splitlines() would also break at U+2028 and friends.
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def gift_loads(text: str) -> QuizData:
    """The quiz in GIFT `text`; raises InterchangeError listing every problem with its line."""
    errors: list[tuple[int, str]] = []
    header: dict[str, tuple[int, str]] = {}  # "title" and "description", each with its line
    category_title = (0, "")
    drafts: list[Draft] = []
    for block in _gift_blocks(_normalise_newlines(text)):
        comments = [(number, line) for number, line in block if COMMENT.match(line)]
        body = [(number, line) for number, line in block if not COMMENT.match(line)]
        if not drafts:  # the title and description come before the questions
            for number, line in comments:
                if match := HEADER_COMMENT.match(line):
                    name = match.group(1).lower()
                    header.setdefault(name, (number, _gift_decode([(number, match.group(2))]).text.strip()))
        if not body:
            continue
        if body[0][1].strip().startswith("$CATEGORY:"):
            if len(body) > 1:
                errors.append((body[1][0], "a $CATEGORY line must be followed by a blank line"))
            elif not category_title[1]:
                category_title = (body[0][0], _category_title(body[0][1].strip().removeprefix("$CATEGORY:")))
            continue
        ordering = any(ORDERING_COMMENT.match(line) for _, line in comments)
        found = _gift_question_read(_gift_decode(body), ordering=ordering)
        if isinstance(found, Draft):
            errors.extend(_draft_problems(found, body[0][0], len(drafts) + 1))
            drafts.append(found)
        else:
            errors.extend(found)
    title_line, title = header.get("title", category_title)
    if len(title) > TITLE_MAX:
        errors.append((title_line, f"the title is longer than {TITLE_MAX} characters"))
    if not drafts and not errors:
        errors.append((1, "no questions found"))
    if errors:
        raise InterchangeError(errors)
    description = header.get("description", (0, ""))[1]
    return QuizData(title=title, description=description, questions=tuple(drafts))


def _category_title(path: str) -> str:
    """The last name in a Moodle category path ("$course$/top/Milk war" gives "Milk war")."""
    names = re.split(r"(?<!/)/(?!/)", path.strip())
    name = names[-1].replace("//", "/").strip() if names else ""
    return "" if name in {"$course$", "$system$", "$module$", "$coursecategory$", "top"} else name


def _gift_question_read(src: _Src, *, ordering: bool) -> Draft | list[tuple[int, str]]:
    """A question block as a Draft, or its problems."""
    src = src.strip()
    first = src.line()
    if src.find_seq("::") == 0:
        end = src.find_seq("::", 2)
        if end == -1:
            return [(first, "the question name is not closed with '::'")]
        src = src[end + 2 :].strip()
    opening, closing = src.find("{"), src.find("}")
    if opening == -1 and closing == -1:
        return [(first, "no answers in {…}: a description without a question cannot be imported")]
    if closing != -1 and (opening == -1 or closing < opening):
        return [(src.line(closing), "'}' without an opening '{' (write \\} for a brace in the text)")]
    if closing == -1:
        return [(src.line(opening), "'{' is never closed with '}'")]
    nested = src.find("{", opening + 1)
    if nested != -1 and nested < closing:
        return [(src.line(nested), "'{' inside the answers (write \\{ for a brace in the text)")]
    tail = src[closing + 1 :]
    extra = tail.find("{}")
    if extra != -1:
        return [(tail.line(extra), "a second set of answers: only one {…} per question is supported")]
    head = src[:opening]
    # Answers inside the text ("Grant is {=buried} in…") leave a gap, as in Moodle's missing-word format.
    stem_text = head.text + GAP + tail.text if tail.text.strip() else head.text
    stem = _with_format(stem_text)
    answers = src[opening + 1 : closing]
    explanation = ""
    general = answers.find_seq("####", last=True)
    if general != -1:
        explanation = _with_format(answers[general + 4 :].text)
        answers = answers[:general]
    answers = answers.strip()
    line = answers.line() if answers.text else src.line(opening)
    errors: list[tuple[int, str]] = []
    if not stem:
        errors.append((first, "the question has no text"))
    question: Draft | None = None
    if not answers.text:
        errors.append((line, f"an essay question ({{}}) is not supported: use {SUPPORTED}"))
    elif answers.find("#") == 0:
        errors.append((line, f"a numerical question ({{#…}}) is not supported: use {SUPPORTED}"))
    elif answers.find(">") == 0:
        question = _gift_ordering_items(answers, stem, explanation, errors, first=first)
    elif answers.find("~") != -1:
        question = _gift_choice(answers, stem, explanation, errors, first=first)
    elif answers.find("=") != -1 and answers.find_seq("->") != -1:
        question = _gift_matching(answers, stem, explanation, errors, first=first, ordering=ordering)
    elif (truth := _before_feedback(answers).text.strip()) in {"T", "TRUE", "F", "FALSE"}:
        key = truth in {"T", "TRUE"}
        options = (DraftOption("True", correct=key), DraftOption("False", correct=not key))
        question = Draft(kind=TRUE_FALSE, stem=stem, options=options, explanation=explanation, topic=None)
    else:
        question = _gift_short_answer(answers, stem, explanation, errors, first=first)
    if ordering and question is not None and question.kind != ORDERING:
        errors.append((first, f"marked '{ORDERING_MARKER}' but not written as matching to 1st, 2nd, …"))
    return errors or question or [(first, "the question could not be read")]


def _before_feedback(part: _Src) -> _Src:
    feedback = part.find("#")
    return part[:feedback] if feedback != -1 else part


def _gift_answer(part: _Src, *, weighted: bool = True) -> tuple[str, float | None]:
    """An answer's text (feedback after '#' dropped) and its "%weight%" if it has one."""
    part = part.strip()
    weight = None
    if weighted and (match := WEIGHT.match(part.text)):
        weight = float(match.group(1))
        part = part[match.end() :]
    return _with_format(_before_feedback(part).text), weight


def _too_long(text: str, line: int, errors: list[tuple[int, str]]) -> None:
    if len(text) > OPTION_MAX:
        errors.append((line, f"an answer is longer than {OPTION_MAX} characters"))


def _gift_choice(answers: _Src, stem: str, explanation: str, errors: list[tuple[int, str]], *, first: int) -> Draft:
    head, parts = answers.split("~=")
    if head.text.strip():
        errors.append((head.strip().line(), "text before the first answer: start each answer with = or ~"))
    options = []
    single = any(marker == "=" for marker, _, _ in parts)
    partial = False
    for marker, line, part in parts:
        if marker == "=":
            # As in Moodle, a right answer takes no weight: "=%50%x" is the text "%50%x".
            text, _ = _gift_answer(part, weighted=False)
            correct = True
        else:
            text, weight = _gift_answer(part)
            correct = (weight or 0) > 0
            partial |= single and correct
        if not text:
            errors.append((line, "an empty answer"))
        _too_long(text, line, errors)
        options.append(DraftOption(text, correct=correct))
    right = sum(option.correct for option in options)
    if len(options) < 2:
        errors.append((first, "a choice question needs at least two answers"))
    if single:
        if partial:
            errors.append((first, "part marks (~%50%) next to a right answer (=) cannot be held: one answer is right"))
        elif right > 1:
            errors.append((first, f"a single choice has {right} right answers (=): use ~%50% weights for several"))
        return Draft(kind=SINGLE, stem=stem, options=tuple(options), explanation=explanation, topic=None)
    if not right:
        errors.append((first, "no right answer: mark it with =, or give the right ones positive weights (~%50%)"))
    return Draft(kind=MULTIPLE, stem=stem, options=tuple(options), explanation=explanation, topic=None)


def _gift_matching(
    answers: _Src, stem: str, explanation: str, errors: list[tuple[int, str]], *, first: int, ordering: bool
) -> Draft | None:
    head, parts = answers.split("=")
    if head.text.strip():
        errors.append((head.strip().line(), "text before the first pair: start each pair with ="))
    pairs: list[tuple[str, str]] = []
    for _, line, part in parts:
        arrow = part.find_seq("->")
        if arrow == -1:
            errors.append((line, "a matching pair needs '->' between the item and its match"))
            continue
        left, right = _with_format(part[:arrow].text), part[arrow + 2 :].text.strip()
        if not left:
            errors.append((line, "a match without an item (an extra wrong match) cannot be held"))
        if not right:
            errors.append((line, "an item without its match after '->'"))
        _too_long(left, line, errors)
        _too_long(right, line, errors)
        pairs.append((left, right))
    kind = "an ordering" if ordering else "a matching question"
    if len(pairs) < MIN_PAIRS:
        errors.append((first, f"{kind} needs at least {MIN_PAIRS} pairs; it has {len(pairs)}"))
    if ordering:
        places = {ordinal(place): place for place in range(1, len(pairs) + 1)}
        if sorted(right for _, right in pairs) != sorted(places):
            errors.append((first, "marked as ordering, but the items are not matched to 1st, 2nd, … once each"))
            return None
        items = sorted(pairs, key=lambda pair: places[pair[1]])
        options = tuple(DraftOption(left) for left, _ in items)
        return Draft(kind=ORDERING, stem=stem, options=options, explanation=explanation, topic=None)
    options = tuple(DraftOption(left, match=right) for left, right in pairs)
    return Draft(kind=MATCHING, stem=stem, options=options, explanation=explanation, topic=None)


def _gift_ordering_items(
    answers: _Src, stem: str, explanation: str, errors: list[tuple[int, str]], *, first: int
) -> Draft | None:
    """Moodle's own ordering syntax ({>3 ALL VERTICAL … then one item a line}), read as ordering."""
    newline = answers.find("\n")
    if newline == -1 or not re.fullmatch(r">\s*\d+[\w\s]*", answers[:newline].text.strip()):
        errors.append((first, "an ordering ({>…}) lists its items one per line after '{>count'"))
        return None
    items = [
        (item.strip().text, item.strip().line()) for item in _split_lines(answers[newline + 1 :]) if item.text.strip()
    ]
    for text, line in items:
        _too_long(text, line, errors)
    if len(items) < MIN_PAIRS:
        errors.append((first, f"an ordering needs at least {MIN_PAIRS} items; it has {len(items)}"))
    options = tuple(DraftOption(_with_format(text)) for text, _ in items)
    return Draft(kind=ORDERING, stem=stem, options=options, explanation=explanation, topic=None)


def _split_lines(src: _Src) -> list[_Src]:
    head, parts = src.split("\n")
    return [head, *(part for _, _, part in parts)]


def _gift_short_answer(
    answers: _Src, stem: str, explanation: str, errors: list[tuple[int, str]], *, first: int
) -> Draft:
    head, parts = answers.split("=")
    if head.text.strip():
        errors.append((head.strip().line(), "text before the first answer: start each answer with ="))
    accepted, rejected = [], []
    for _, line, part in parts:
        text, weight = _gift_answer(part)
        if not text:
            errors.append((line, "an empty answer"))
        (accepted if weight is None or weight > 0 else rejected).append(text)
    if parts and not accepted:
        errors.append((first, "a short answer with no accepted answer (all are at 0%)"))
    return Draft(
        kind=GAP_FILL,
        stem=stem,
        options=(),
        explanation=explanation,
        topic=None,
        accepted=tuple(accepted),
        rejected=tuple(rejected),
    )


# HTML, the text of Moodle XML


class _HTMLText(HTMLParser):
    BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "tr", "table", "blockquote", "pre", "h1", "h2", "h3", "h4"})
    HIDDEN = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag in self.HIDDEN:
            self.hidden = max(self.hidden - 1, 0)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            # HTML's own rule: a run of spaces and newlines in the source shows as one space.
            self.parts.append(re.sub(r"[ \t\r\n\f]+", " ", data))


def html_to_text(markup: str) -> str:
    """Plain text from HTML: tags dropped, entities resolved, <br> and paragraphs as newlines."""
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    lines = [line.strip(" ") for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n ")


def text_to_html(text: str, *, paragraph: bool = False) -> str:
    """HTML that shows `text` as it is: special characters escaped, newlines as <br>."""
    markup = html.escape(text, quote=False).replace("\n", "<br>")
    return f"<p>{markup}</p>" if paragraph else markup


# Moodle XML: writing

# Characters XML 1.0 cannot hold at all, even escaped.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def moodle_xml_dumps(quiz: QuizData) -> tuple[str, list[str]]:
    """`quiz` as Moodle XML, and notes on what it could not hold."""
    notes: list[str] = []
    root = ET.Element("quiz")
    category = ET.SubElement(root, "question", type="category")
    _xml_text(ET.SubElement(category, "category"), _category(quiz.title) if quiz.title.strip() else "$course$/top")
    description = text_to_html(quiz.description, paragraph=True) if quiz.description else ""
    _xml_text(ET.SubElement(category, "info", format="html"), description)
    for number, draft in enumerate(quiz.questions, start=1):
        notes.extend(_common_notes(number, draft))
        root.append(_xml_question(number, draft))
    replaced = [
        f"{_label(number, draft)}: characters XML cannot hold were replaced by \ufffd."
        for number, draft in enumerate(quiz.questions, start=1)
        if any(XML_ILLEGAL.search(text) for text in _texts(draft))
    ]
    if XML_ILLEGAL.search(quiz.title + quiz.description):
        replaced.insert(0, "The title or description: characters XML cannot hold were replaced by \ufffd.")
    notes.extend(replaced)
    notes.extend(_sources_note(quiz, MOODLE_XML))
    ET.indent(root)
    body = XML_ILLEGAL.sub("\ufffd", ET.tostring(root, encoding="unicode", short_empty_elements=False))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n', notes


def _texts(draft: Draft) -> list[str]:
    options = [text for option in draft.options for text in (option.text, option.match)]
    return [draft.stem, draft.explanation, *options, *draft.accepted, *draft.rejected]


def _xml_text(parent: ET.Element, text: str) -> ET.Element:
    ET.SubElement(parent, "text").text = text
    return parent


def _xml_answer(parent: ET.Element, text: str, fraction: str, *, fmt: str = "html") -> None:
    answer = ET.SubElement(parent, "answer", fraction=fraction, format=fmt)
    _xml_text(answer, text_to_html(text) if fmt == "html" else text)


def _xml_question(number: int, draft: Draft) -> ET.Element:
    key = _true_false_key(draft) if draft.kind == TRUE_FALSE else None
    qtype = {
        SINGLE: "multichoice",
        MULTIPLE: "multichoice",
        TRUE_FALSE: "truefalse" if key is not None else "multichoice",
        GAP_FILL: "shortanswer",
        ORDERING: "ordering",
        MATCHING: "matching",
    }[draft.kind]
    question = ET.Element("question", type=qtype)
    _xml_text(ET.SubElement(question, "name"), f"Q{number}")
    _xml_text(ET.SubElement(question, "questiontext", format="html"), text_to_html(draft.stem, paragraph=True))
    feedback = text_to_html(draft.explanation, paragraph=True) if draft.explanation else ""
    _xml_text(ET.SubElement(question, "generalfeedback", format="html"), feedback)
    ET.SubElement(question, "defaultgrade").text = "1"
    ET.SubElement(question, "penalty").text = "1" if qtype == "truefalse" else "0.3333333"
    ET.SubElement(question, "hidden").text = "0"
    match qtype:
        case "multichoice":
            multiple = draft.kind == MULTIPLE
            ET.SubElement(question, "single").text = "false" if multiple else "true"
            ET.SubElement(question, "shuffleanswers").text = "true"
            ET.SubElement(question, "answernumbering").text = "abc"
            share, wrong = _weights(draft)
            for option in draft.options:
                right, wrong_fraction = (share, wrong) if multiple else ("100", "0")
                _xml_answer(question, option.text, right if option.correct else wrong_fraction)
        case "truefalse":
            _xml_answer(question, "true", "100" if key else "0", fmt="plain_text")
            _xml_answer(question, "false", "0" if key else "100", fmt="plain_text")
        case "shortanswer":
            ET.SubElement(question, "usecase").text = "0"
            for answer in draft.accepted:
                _xml_answer(question, answer, "100", fmt="plain_text")
            for answer in draft.rejected:
                _xml_answer(question, answer, "0", fmt="plain_text")
        case "matching":
            ET.SubElement(question, "shuffleanswers").text = "true"
            for option in draft.options:
                subquestion = _xml_text(
                    ET.SubElement(question, "subquestion", format="html"), text_to_html(option.text)
                )
                _xml_text(ET.SubElement(subquestion, "answer"), option.match)
        case "ordering":
            # Graded like this site: the whole order right, or nothing; every item shown.
            for name, value in (
                ("layouttype", "VERTICAL"),
                ("selecttype", "ALL"),
                ("selectcount", str(len(draft.options))),
                ("gradingtype", "ALL_OR_NOTHING"),
                ("showgrading", "SHOW"),
                ("numberingstyle", "none"),
            ):
                ET.SubElement(question, name).text = value
            for place, option in enumerate(draft.options, start=1):
                _xml_answer(question, option.text, f"{place}.0000000")
    return question


# Moodle XML: reading


class _LineTreeBuilder(ET.TreeBuilder):
    """A tree builder that remembers the line each element starts on, for error messages."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[ET.Element, int] = {}
        self.parser: SafeET.DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = super().start(tag, attrs)
        self.lines[element] = self.parser.parser.CurrentLineNumber if self.parser else 0
        return element


def _xml_parse(text: str) -> tuple[ET.Element, Callable[[ET.Element], int]]:
    """The root element and a function giving any element's line; raises InterchangeError."""
    text = text.removeprefix("\ufeff")
    stripped = text.lstrip()
    # An XML declaration must come first; blank lines before it are forgiven, and counted.
    offset = text[: len(text) - len(stripped)].count("\n")
    builder = _LineTreeBuilder()
    # No DTD at all: no external entities (XXE) and no entity expansion (billion laughs).
    parser = SafeET.DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        parser.feed(stripped)
        root = parser.close()
    except ET.ParseError as error:
        line, column = error.position
        reason = str(error).split(": line ")[0]
        raise InterchangeError([(line + offset, f"not well-formed XML: {reason} (column {column + 1})")]) from None
    except DefusedXmlException as error:
        line = parser.parser.CurrentLineNumber + offset
        raise InterchangeError(
            [(line, f"refused: {type(error).__name__} (DTDs and entities are not allowed)")]
        ) from None
    return root, lambda element: builder.lines.get(element, 0) + offset


def _element_text(element: ET.Element | None, *, fmt: str | None = None) -> str:
    """The <text> of `element` as plain text, following its format attribute (HTML unless it says
    otherwise); `fmt="plain_text"` forces the raw text."""
    if element is None:
        return ""
    node = element.find("text")
    raw = (node.text or "") if node is not None else ""
    kind = fmt or element.get("format", "html")
    if kind in {"html", "moodle_auto_format"}:
        return html_to_text(raw)
    return raw.strip()


def moodle_xml_loads(text: str) -> QuizData:
    """The quiz in Moodle XML `text`; raises InterchangeError listing every problem with its line."""
    root, line_of = _xml_parse(text)
    if root.tag != "quiz":
        raise InterchangeError([(line_of(root), f"the root element is <{root.tag}>; Moodle XML starts with <quiz>")])
    errors: list[tuple[int, str]] = []
    title, description = "", ""
    drafts: list[Draft] = []
    for element in root:
        line = line_of(element)
        if element.tag != "question":
            errors.append((line, f"unexpected <{element.tag}> inside <quiz>: only <question> is allowed"))
            continue
        qtype = element.get("type", "")
        if qtype == "category":
            if not title and (name := _category_title(_element_text(element.find("category"), fmt="plain_text"))):
                title = name
                description = _element_text(element.find("info"))
                if len(title) > TITLE_MAX:
                    errors.append((line, f"the title is longer than {TITLE_MAX} characters"))
            continue
        problems: list[tuple[int, str]] = []
        draft = _xml_question_read(element, qtype, line_of, problems)
        errors.extend(problems)
        if draft is not None and not problems:
            errors.extend(_draft_problems(draft, line, len(drafts) + 1))
            drafts.append(draft)
    if not drafts and not errors:
        errors.append((line_of(root), "no questions found"))
    if errors:
        raise InterchangeError(errors)
    return QuizData(title=title, description=description, questions=tuple(drafts))


def _fraction(answer: ET.Element, line: int, errors: list[tuple[int, str]]) -> float:
    value = answer.get("fraction", "0")
    try:
        return float(value)
    except ValueError:
        errors.append((line, f"fraction {value!r} is not a number"))
        return 0.0


def _xml_question_read(
    element: ET.Element, qtype: str, line_of: Callable[[ET.Element], int], errors: list[tuple[int, str]]
) -> Draft | None:
    line = line_of(element)
    readers = {
        "multichoice": _xml_choice,
        "truefalse": _xml_true_false,
        "shortanswer": _xml_short_answer,
        "matching": _xml_matching,
        "ordering": _xml_ordering,
    }
    if qtype not in readers:
        errors.append((line, f"question type {qtype!r} is not supported: use {SUPPORTED}"))
        return None
    stem = _element_text(element.find("questiontext"))
    if not stem:
        errors.append((line, "the question has no <questiontext>"))
    explanation = _element_text(element.find("generalfeedback"))
    draft = readers[qtype](element, line_of, errors)
    if draft is None:
        return None
    return Draft(
        kind=draft.kind,
        stem=stem,
        options=draft.options,
        explanation=explanation,
        topic=None,
        accepted=draft.accepted,
        rejected=draft.rejected,
    )


def _blank(kind: str, options: tuple[DraftOption, ...] = (), **answers: tuple[str, ...]) -> Draft:
    return Draft(kind=kind, stem="", options=options, explanation="", topic=None, **answers)


def _xml_options(
    element: ET.Element, line_of: Callable[[ET.Element], int], errors: list[tuple[int, str]]
) -> list[tuple[str, float, int]]:
    """Each <answer>'s text, fraction and line."""
    found = []
    for answer in element.findall("answer"):
        line = line_of(answer)
        text = _element_text(answer)
        if not text:
            errors.append((line, "an empty answer"))
        _too_long(text, line, errors)
        found.append((text, _fraction(answer, line, errors), line))
    return found


def _xml_choice(element: ET.Element, line_of: Callable[[ET.Element], int], errors: list[tuple[int, str]]) -> Draft:
    line = line_of(element)
    single = (element.findtext("single") or "true").strip().lower() in {"true", "1"}
    answers = _xml_options(element, line_of, errors)
    if len(answers) < 2:
        errors.append((line, "a choice question needs at least two answers"))
    if single:
        right = [fraction for _, fraction, _ in answers if fraction >= 100]
        partial = [fraction for _, fraction, _ in answers if 0 < fraction < 100]
        if partial:
            errors.append((line, "part marks in a single choice cannot be held: one answer is right, at 100"))
        elif len(right) != 1:
            errors.append((line, f"a single choice needs one right answer (fraction 100); it has {len(right)}"))
        options = tuple(DraftOption(text, correct=fraction >= 100) for text, fraction, _ in answers)
        return _blank(SINGLE, options)
    options = tuple(DraftOption(text, correct=fraction > 0) for text, fraction, _ in answers)
    if not any(option.correct for option in options):
        errors.append((line, "a multiple select with no right answer (no positive fraction)"))
    return _blank(MULTIPLE, options)


def _xml_true_false(element: ET.Element, line_of: Callable[[ET.Element], int], errors: list[tuple[int, str]]) -> Draft:
    right = {
        _element_text(answer, fmt="plain_text").lower(): _fraction(answer, line_of(answer), errors) > 0
        for answer in element.findall("answer")
    }
    if set(right) != {"true", "false"} or right["true"] == right["false"]:
        errors.append((line_of(element), "a true/false question needs answers 'true' and 'false', one at 100"))
        return _blank(TRUE_FALSE)
    return _blank(
        TRUE_FALSE, (DraftOption("True", correct=right["true"]), DraftOption("False", correct=right["false"]))
    )


def _xml_short_answer(
    element: ET.Element, line_of: Callable[[ET.Element], int], errors: list[tuple[int, str]]
) -> Draft:
    accepted, rejected = [], []
    for answer in element.findall("answer"):
        line = line_of(answer)
        # Moodle compares typed answers with the raw text, whatever format the file names.
        text = _element_text(answer, fmt="plain_text")
        fraction = _fraction(answer, line, errors)
        if not text:
            errors.append((line, "an empty answer"))
        else:
            (accepted if fraction > 0 else rejected).append(text)
    if not accepted:
        errors.append((line_of(element), "a short answer with no accepted answer (fraction above 0)"))
    return _blank(GAP_FILL, accepted=tuple(accepted), rejected=tuple(rejected))


def _xml_matching(element: ET.Element, line_of: Callable[[ET.Element], int], errors: list[tuple[int, str]]) -> Draft:
    options = []
    for subquestion in element.findall("subquestion"):
        line = line_of(subquestion)
        left = _element_text(subquestion)
        right = _element_text(subquestion.find("answer"), fmt="plain_text")
        if not left:
            errors.append((line, "a match without an item (an extra wrong match) cannot be held"))
        if not right:
            errors.append((line, "an item without its match (<answer>)"))
        _too_long(left, line, errors)
        _too_long(right, line, errors)
        options.append(DraftOption(left, match=right))
    if len(options) < MIN_PAIRS:
        errors.append(
            (line_of(element), f"a matching question needs at least {MIN_PAIRS} pairs; it has {len(options)}")
        )
    return _blank(MATCHING, tuple(options))


def _xml_ordering(element: ET.Element, line_of: Callable[[ET.Element], int], errors: list[tuple[int, str]]) -> Draft:
    # Moodle lists the items in their correct order; the fractions only number them.
    answers = _xml_options(element, line_of, errors)
    if len(answers) < MIN_PAIRS:
        errors.append((line_of(element), f"an ordering needs at least {MIN_PAIRS} items; it has {len(answers)}"))
    return _blank(ORDERING, tuple(DraftOption(text) for text, _, _ in answers))
