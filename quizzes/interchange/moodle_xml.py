"""Moodle XML: a quiz written for Moodle's question bank, and the quiz in such a file.

Untrusted files are parsed by defusedxml with no DTD at all (no external entities, no entity
expansion); the standard ElementTree only writes. Work is bounded as in GIFT: a question is read
up to its MAX_OPTIONS + 1st answer and a file up to its MAX_QUESTIONS + 1st question.
"""

import re
from collections.abc import Callable
from dataclasses import replace
from itertools import islice
from xml.etree import ElementTree as ET  # only to write; untrusted files are parsed by defusedxml

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from quizzes.generation import (
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
)
from quizzes.interchange.markup import html_kept, html_to_text, media_strip, text_to_html
from quizzes.interchange.model import (
    MAX_OPTIONS,
    MAX_QUESTIONS,
    MIN_PAIRS,
    MOODLE_XML,
    SUPPORTED,
    TITLE_MAX,
    InterchangeError,
    Problems,
    QuizData,
    Skip,
    categories_settle,
    category_clean,
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
    texts,
    too_long,
    too_many_questions,
    true_false_key,
    warnings_capped,
    weight_problem,
    weights,
)

# Writing

# Characters XML 1.0 cannot hold at all, even escaped.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
QTYPES = {
    SINGLE: "multichoice",
    MULTIPLE: "multichoice",
    TRUE_FALSE: "truefalse",
    GAP_FILL: "shortanswer",
    ORDERING: "ordering",
    MATCHING: "matching",
    NUMERICAL: "numerical",
}


def moodle_xml_dumps(quiz: QuizData) -> tuple[str, list[str]]:
    """`quiz` as Moodle XML, and notes on what it could not hold."""
    notes: list[str] = []
    root = ET.Element("quiz")
    category = ET.SubElement(root, "question", type="category")
    _text(ET.SubElement(category, "category"), own_category(quiz.title))
    description = text_to_html(quiz.description, paragraph=True) if quiz.description else ""
    _text(ET.SubElement(category, "info", format="html"), description)
    current = own_category(quiz.title)
    for number, draft in enumerate(quiz.questions, start=1):
        notes.extend(common_notes(number, draft))
        # Moodle's grouping: a question of another category follows a category "question" naming it.
        if (wanted := draft.category or own_category(quiz.title)) != current:
            _text(ET.SubElement(ET.SubElement(root, "question", type="category"), "category"), wanted)
            current = wanted
        root.append(_question_write(number, draft))
    replaced = [
        f"{label(number, draft)}: characters XML cannot hold were replaced by \ufffd."
        for number, draft in enumerate(quiz.questions, start=1)
        if any(XML_ILLEGAL.search(text) for text in texts(draft))
    ]
    if XML_ILLEGAL.search(quiz.title + quiz.description):
        replaced.insert(0, "The title or description: characters XML cannot hold were replaced by \ufffd.")
    notes.extend(replaced)
    notes.extend(sources_note(quiz, MOODLE_XML))
    ET.indent(root)
    body = XML_ILLEGAL.sub("\ufffd", ET.tostring(root, encoding="unicode", short_empty_elements=False))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n', notes


def _text(parent: ET.Element, text: str) -> ET.Element:
    ET.SubElement(parent, "text").text = text
    return parent


def _answer(parent: ET.Element, text: str, fraction: str, *, fmt: str = "html", feedback: str = "") -> None:
    answer = ET.SubElement(parent, "answer", fraction=fraction, format=fmt)
    _text(answer, text_to_html(text) if fmt == "html" else text)
    if feedback:
        _text(ET.SubElement(answer, "feedback", format="html"), text_to_html(feedback))


def _question_write(number: int, draft: Draft) -> ET.Element:
    key = true_false_key(draft)
    qtype = QTYPES[draft.kind] if draft.kind != TRUE_FALSE or key is not None else "multichoice"
    question = ET.Element("question", type=qtype)
    _text(ET.SubElement(question, "name"), draft.name if draft.name.strip() else f"Q{number}")
    kept = draft.stem_html if draft.stem_html and html_kept(draft.stem_html, draft.stem) else ""
    _text(ET.SubElement(question, "questiontext", format="html"), kept or text_to_html(draft.stem, paragraph=True))
    feedback = text_to_html(draft.explanation, paragraph=True) if draft.explanation else ""
    _text(ET.SubElement(question, "generalfeedback", format="html"), feedback)
    ET.SubElement(question, "defaultgrade").text = "1"
    ET.SubElement(question, "penalty").text = "1" if qtype == "truefalse" else "0.3333333"
    ET.SubElement(question, "hidden").text = "0"
    ANSWER_WRITERS[qtype](question, draft)
    return question


def _choice_write(question: ET.Element, draft: Draft) -> None:
    multiple = draft.kind == MULTIPLE
    ET.SubElement(question, "single").text = "false" if multiple else "true"
    ET.SubElement(question, "shuffleanswers").text = "true"
    ET.SubElement(question, "answernumbering").text = "abc"
    right, wrong = weights(draft) if multiple else ("100", "0")
    for option in draft.options:
        fraction = option_percent(option, right, wrong) if multiple or option.weight is not None else None
        _answer(question, option.text, fraction or (right if option.correct else wrong), feedback=option.feedback)


def _true_false_write(question: ET.Element, draft: Draft) -> None:
    key = true_false_key(draft)
    notes = {option.text: option.feedback for option in draft.options}
    _answer(question, "true", "100" if key else "0", fmt="plain_text", feedback=notes.get("True", ""))
    _answer(question, "false", "0" if key else "100", fmt="plain_text", feedback=notes.get("False", ""))


def _short_answer_write(question: ET.Element, draft: Draft) -> None:
    ET.SubElement(question, "usecase").text = "0"
    notes = dict(draft.answer_feedback)
    for index, answer in enumerate(draft.accepted):
        fraction = draft.accepted_weights[index] if index < len(draft.accepted_weights) else 1.0
        _answer(question, answer, percent(fraction), fmt="plain_text", feedback=notes.get(answer, ""))
    for answer in draft.rejected:
        _answer(question, answer, "0", fmt="plain_text", feedback=notes.get(answer, ""))


def _numerical_write(question: ET.Element, draft: Draft) -> None:
    notes = dict(draft.answer_feedback)
    for index, value in enumerate(draft.accepted):
        fraction = draft.accepted_weights[index] if index < len(draft.accepted_weights) else 1.0
        tolerance = draft.tolerances[index] if index < len(draft.tolerances) else 0.0
        answer = ET.SubElement(question, "answer", fraction=percent(fraction), format="plain_text")
        _text(answer, value)
        ET.SubElement(answer, "tolerance").text = number_written(tolerance)
        if note := notes.get(number_key(value, tolerance)):
            _text(ET.SubElement(answer, "feedback", format="html"), text_to_html(note))
    if notes.get("*"):  # any other number, as Moodle writes it
        answer = ET.SubElement(question, "answer", fraction="0", format="plain_text")
        _text(answer, "*")
        ET.SubElement(answer, "tolerance").text = "0"
        _text(ET.SubElement(answer, "feedback", format="html"), text_to_html(notes["*"]))


def _matching_write(question: ET.Element, draft: Draft) -> None:
    ET.SubElement(question, "shuffleanswers").text = "true"
    for option in draft.options:  # an extra wrong match has no text: Moodle's own way
        subquestion = _text(ET.SubElement(question, "subquestion", format="html"), text_to_html(option.text))
        _text(ET.SubElement(subquestion, "answer"), option.match)


def _ordering_write(question: ET.Element, draft: Draft) -> None:
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
        _answer(question, option.text, f"{place}.0000000")


ANSWER_WRITERS: dict[str, Callable[[ET.Element, Draft], None]] = {
    "multichoice": _choice_write,
    "truefalse": _true_false_write,
    "shortanswer": _short_answer_write,
    "matching": _matching_write,
    "ordering": _ordering_write,
    "numerical": _numerical_write,
}


# Reading

type LineOf = Callable[[ET.Element], int]


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


def _parse(text: str) -> tuple[ET.Element, LineOf]:
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


def moodle_xml_loads(text: str, *, strict: bool = False) -> QuizData:
    """The quiz in Moodle XML `text`; raises InterchangeError listing every problem with its line.

    A question of a type this site lacks is skipped and listed in `skipped`; with `strict`, or when
    nothing else is in the file, it is an error instead."""
    root, line_of = _parse(text)
    if root.tag != "quiz":
        raise InterchangeError(
            [(line_of(root), f"the root element is <{shortened(root.tag)}>; Moodle XML starts with <quiz>")]
        )
    reader = _XmlFile(line_of, strict=strict)
    for element in root:
        if not reader.element(element):
            break
    return reader.quiz(line_of(root))


class _XmlFile:
    """A Moodle XML file being read, element by element: its category, questions and problems."""

    def __init__(self, line_of: LineOf, *, strict: bool = False) -> None:
        self.line_of = line_of
        self.strict = strict
        self.errors: Problems = []
        self.warnings: list[str] = []
        self.skips: list[Skip] = []
        self.title = ""
        self.description = ""
        self.path = ""  # the category the questions that follow belong to
        self.drafts: list[Draft] = []
        self.questions = 0

    def element(self, element: ET.Element) -> bool:
        """Reads one child of <quiz>; False once the file has more questions than it may hold."""
        line = self.line_of(element)
        if element.tag != "question":
            self.errors.append(
                (line, f"unexpected <{shortened(element.tag)}> inside <quiz>: only <question> is allowed")
            )
            return True
        reader = _XmlQuestion(element, self.line_of)
        if element.get("type", "") == "category":
            self.category_read(reader)
        else:
            self.questions += 1
            if self.questions > MAX_QUESTIONS:
                self.errors.append(too_many_questions(line))
                return False
            draft = reader.read()
            self.errors.extend(reader.errors)
            if reader.skip is not None:
                self.skips.append(reader.skip)
            if draft is not None:
                draft = replace(draft, category=self.path)
                self.errors.extend(draft_problems(draft, line))
                self.drafts.append(draft)
        if reader.dropped:
            self.warnings.append(dropped_warning(line, reader.dropped))
        return True

    def category_read(self, reader: "_XmlQuestion") -> None:
        """The quiz's title and description: the first category that names one."""
        element = reader.element
        self.path = category_clean(reader.text(element.find("category"), fmt="plain_text"))
        if self.title or not (name := category_title(self.path)):
            return
        self.title = name
        self.description = reader.text(element.find("info"))
        if len(name) > TITLE_MAX:
            self.errors.append((reader.line, f"the title is longer than {TITLE_MAX} characters"))

    def quiz(self, line: int) -> QuizData:
        skipped = skips_settle(self.skips, self.errors, strict=self.strict, importable=bool(self.drafts))
        if not self.drafts and not self.errors:
            self.errors.append((line, "no questions found"))
        if self.errors:
            raise InterchangeError(self.errors)
        return QuizData(
            title=self.title,
            description=self.description,
            questions=categories_settle(self.drafts, self.title),
            warnings=warnings_capped(self.warnings),
            skipped=skipped,
        )


class _XmlQuestion:
    """One <question> being read: `read()` gives its Draft, or None with its `errors`; the images
    and files it held are listed in `dropped`."""

    def __init__(self, element: ET.Element, line_of: LineOf) -> None:
        self.element = element
        self.line_of = line_of
        self.line = line_of(element)
        self.errors: Problems = []
        self.dropped: list[str] = []
        self.skip: Skip | None = None
        self.stem = ""
        self.stem_html = ""
        self.explanation = ""

    def text(self, element: ET.Element | None, *, fmt: str | None = None) -> str:
        """The <text> of `element` as plain text, following its format attribute (HTML unless it
        says otherwise); `fmt="plain_text"` forces the raw text."""
        if element is None:
            return ""
        node = element.find("text")
        raw = (node.text or "") if node is not None else ""
        if (fmt or element.get("format", "html")) in {"html", "moodle_auto_format"}:
            return text_clean(html_to_text(raw, self.dropped))
        return text_clean(media_strip(raw, self.dropped))

    def files_dropped(self) -> None:
        """Files attached to the question (<file>, base64), unless its text already named them."""
        for file in self.element.iter("file"):
            name = file.get("name", "")
            if not name or not any(f"“{name[:80]}”" in dropped for dropped in self.dropped):
                self.dropped.append(f"the attached file “{name[:80]}”" if name else "an attached file")

    def draft(self, kind: str, options: tuple[DraftOption, ...] = (), **answers) -> Draft:
        name = self.text(self.element.find("name"), fmt="plain_text")
        return Draft(
            kind=kind,
            stem=self.stem,
            options=options,
            explanation=self.explanation,
            topic=None,
            name=name,
            stem_html=self.stem_html,
            **answers,
        )

    def feedback(self, answer: ET.Element) -> str:
        return self.text(answer.find("feedback"))

    def read(self) -> Draft | None:
        qtype = self.element.get("type", "")
        reader = QUESTION_READERS.get(qtype)
        if reader is None:
            message = f"question type {shortened(qtype)!r} is not supported: use {SUPPORTED}"
            if re.fullmatch(r"[a-z][a-z0-9_]{0,39}", qtype):  # a question plugin's name, as Moodle's are
                self.skip = Skip(self.line, MOODLE_TYPE_NAMES.get(qtype, qtype), message)
            else:
                self.errors.append((self.line, message))
            return None
        questiontext = self.element.find("questiontext")
        self.stem = self.text(questiontext)
        if questiontext is not None and questiontext.get("format", "html") == "html":
            self.stem_html = html_kept(questiontext.findtext("text") or "", self.stem)
        if not self.stem:
            self.errors.append((self.line, "the question has no <questiontext>"))
        self.explanation = self.text(self.element.find("generalfeedback"))
        draft = reader(self)
        self.files_dropped()
        return None if self.errors else draft

    def children(self, tag: str) -> list[ET.Element] | None:
        """The question's <tag> elements; None (and the error) past MAX_OPTIONS of them."""
        found = list(islice(self.element.iterfind(tag), MAX_OPTIONS + 1))
        if len(found) > MAX_OPTIONS:
            self.errors.append((self.line, f"more than {MAX_OPTIONS} answers in one question"))
            return None
        return found

    def fraction(self, answer: ET.Element) -> float:
        value = answer.get("fraction", "0")
        if problem := weight_problem(value, graded=self.element.get("type") != "ordering"):
            self.errors.append((self.line_of(answer), f"fraction {problem}"))
            return 0.0
        return float(value)

    def options(self) -> list[tuple[str, float, str]] | None:
        """Each <answer>'s text, fraction (a percentage) and feedback."""
        answers = self.children("answer")
        if answers is None:
            return None
        found = []
        for answer in answers:
            line = self.line_of(answer)
            text = self.text(answer)
            if not text:
                self.errors.append((line, "an empty answer"))
            too_long(text, line, self.errors)
            found.append((text, self.fraction(answer), self.feedback(answer)))
        return found

    def choice(self) -> Draft | None:
        answers = self.options()
        if answers is None:
            return None
        if len(answers) < 2:
            self.errors.append((self.line, "a choice question needs at least two answers"))
        if (self.element.findtext("single") or "true").strip().lower() not in {"true", "1"}:
            options = tuple(
                DraftOption(text, correct=fraction > 0, feedback=note, weight=fraction_of(fraction))
                for text, fraction, note in answers
            )
            if not any(option.correct for option in options):
                self.errors.append((self.line, "a multiple select with no right answer (no positive fraction)"))
            return self.draft(MULTIPLE, options)
        right = [fraction for _, fraction, _ in answers if fraction >= 100]
        if len(right) != 1:
            self.errors.append(
                (self.line, f"a single choice needs one right answer (fraction 100); it has {len(right)}")
            )
        # Part marks for a nearly right answer are kept; without any, all or nothing, as here.
        partial = any(0 < fraction < 100 for _, fraction, _ in answers)
        return self.draft(
            SINGLE,
            tuple(
                DraftOption(
                    text, correct=fraction >= 100, feedback=note, weight=fraction_of(fraction) if partial else None
                )
                for text, fraction, note in answers
            ),
        )

    def true_false(self) -> Draft | None:
        answers = self.children("answer")
        if answers is None:
            return None
        right = {self.text(answer, fmt="plain_text").lower(): self.fraction(answer) > 0 for answer in answers}
        notes = {self.text(answer, fmt="plain_text").lower(): self.feedback(answer) for answer in answers}
        if set(right) != {"true", "false"} or right["true"] == right["false"]:
            self.errors.append((self.line, "a true/false question needs answers 'true' and 'false', one at 100"))
            return self.draft(TRUE_FALSE)
        options = (
            DraftOption("True", correct=right["true"], feedback=notes["true"]),
            DraftOption("False", correct=right["false"], feedback=notes["false"]),
        )
        return self.draft(TRUE_FALSE, options)

    def short_answer(self) -> Draft | None:
        answers = self.children("answer")
        if answers is None:
            return None
        accepted, weights, rejected, feedback = [], [], [], []
        for answer in answers:
            # Moodle compares typed answers with the raw text, whatever format the file names.
            text = self.text(answer, fmt="plain_text")
            fraction = self.fraction(answer)
            if not text:
                self.errors.append((self.line_of(answer), "an empty answer"))
                continue
            if fraction > 0:
                accepted.append(text)
                weights.append(fraction_of(fraction))
            else:
                rejected.append(text)
            if note := self.feedback(answer):
                feedback.append((text, note))
        if not accepted:
            self.errors.append((self.line, "a short answer with no accepted answer (fraction above 0)"))
        return self.draft(
            GAP_FILL,
            accepted=tuple(accepted),
            rejected=tuple(rejected),
            accepted_weights=() if all(weight == 1.0 for weight in weights) else tuple(weights),
            answer_feedback=tuple(feedback),
        )

    def numerical(self) -> Draft | None:
        answers = self.children("answer")
        if answers is None:
            return None
        values: list[str] = []
        tolerances: list[float] = []
        weights: list[float] = []
        notes: list[tuple[str, str]] = []
        for answer in answers:
            line = self.line_of(answer)
            written = self.text(answer, fmt="plain_text")
            fraction, note = self.fraction(answer), self.feedback(answer)
            if written == "*":  # any other number: only its feedback
                if note:
                    notes.append(("*", note))
                continue
            margin = answer.findtext("tolerance") or "0"
            number, tolerance = number_read(written), number_read(margin)
            if number is None or tolerance is None:
                self.errors.append(
                    (
                        line,
                        f"{shortened(written)!r} give or take {shortened(margin)!r} is not a number",
                    )
                )
                continue
            value = number_written(number)
            values.append(value)
            tolerances.append(abs(tolerance))
            weights.append(fraction_of(fraction))
            if note:
                notes.append((number_key(value, abs(tolerance)), note))
        if not any(weight > 0 for weight in weights) and not self.errors:
            self.errors.append((self.line, "a numerical question with no number worth marks (fraction above 0)"))
        return self.draft(NUMERICAL, **numerical_parts(values, tolerances, weights, notes))

    def matching(self) -> Draft | None:
        subquestions = self.children("subquestion")
        if subquestions is None:
            return None
        options = []
        for subquestion in subquestions:
            line = self.line_of(subquestion)
            left = self.text(subquestion)
            right = self.text(subquestion.find("answer"), fmt="plain_text")
            if not right:
                self.errors.append((line, "an item without its match (<answer>)"))
            too_long(left, line, self.errors)
            too_long(right, line, self.errors)
            options.append(DraftOption(left, match=right))
        items = sum(1 for option in options if option.text)  # one without: an extra wrong match
        if items < MIN_PAIRS:
            self.errors.append((self.line, f"a matching question needs at least {MIN_PAIRS} pairs; it has {items}"))
        return self.draft(MATCHING, tuple(options))

    def ordering(self) -> Draft | None:
        # Moodle lists the items in their correct order; the fractions only number them.
        answers = self.options()
        if answers is None:
            return None
        if len(answers) < MIN_PAIRS:
            self.errors.append((self.line, f"an ordering needs at least {MIN_PAIRS} items; it has {len(answers)}"))
        return self.draft(ORDERING, tuple(DraftOption(text) for text, _, _ in answers))


# Moodle's names for the types of its standard distribution that this site lacks, for the list of
# skipped questions; another plugin is listed by its own name.
MOODLE_TYPE_NAMES = {
    "essay": "essay",
    "calculated": "calculated",
    "calculatedsimple": "simple calculated",
    "calculatedmulti": "calculated multichoice",
    "multianswer": "embedded answers (Cloze)",
    "description": "description (text without a question)",
    "ddwtos": "drag and drop into text",
    "gapselect": "select missing words",
    "ddimageortext": "drag and drop onto image",
    "ddmarker": "drag and drop markers",
    "randomsamatch": "random short-answer matching",
    "random": "random question",
}

QUESTION_READERS: dict[str, Callable[[_XmlQuestion], Draft | None]] = {
    "multichoice": _XmlQuestion.choice,
    "truefalse": _XmlQuestion.true_false,
    "shortanswer": _XmlQuestion.short_answer,
    "matching": _XmlQuestion.matching,
    "match": _XmlQuestion.matching,  # the type's own name in Moodle, which some exporters write
    "ordering": _XmlQuestion.ordering,
    "numerical": _XmlQuestion.numerical,
}
