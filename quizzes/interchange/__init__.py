"""Quizzes in and out of Moodle: GIFT and Moodle XML. Pure: text in, dataclasses out, no database.

Export never drops anything silently: whatever a format cannot hold comes back as a note, per
question, saying what was written instead. Import reads a mixed bank: a question of a type this
site lacks (essay, numerical, …) is skipped and listed in the quiz's `skipped` ("line 2: essay,
skipped"), or refused with `strict`. Any other problem refuses the whole file with one
`InterchangeError` listing its problems with their lines, so no question is half imported; what a
file held that a question here cannot (images, attached files) is dropped and listed in the
quiz's `warnings`.

How the seven kinds are written (numerical only comes from Moodle files):

    kind        GIFT                                     Moodle XML
    single      {=right ~wrong}, or {~a ~%50%b =right}   multichoice, <single>true
    multiple    {~%50%a ~%50%b ~%-100%c}                 multichoice, <single>false, same weights
    true_false  {TRUE} / {FALSE#if wrong#if right}       truefalse
    gap_fill    {=a =%50%b =%0%wrong}                    shortanswer, same fractions
    ordering    {>3 ALL VERTICAL ALL_OR_NOTHING SHOW none, then an item a line}
                                                         ordering (qtype_ordering)
    matching    {=left -> right = -> extra}              matching, one <subquestion> per pair
    numerical   {#=3:2 =%50%3:4 ~#other}                  numerical, a <tolerance> per answer

Moodle's part of a question is kept: its name (::Q2::), its category, per-answer feedback
(=yellow # right; good!) and weights, which only grades Moodle allows may carry (33% is refused,
as Moodle refuses it). The explanation is the general feedback in both. Sources (fact, topic,
article sentences, source note) have no place in either format.

The package: `model` (the data, the error, the limits, the notes both formats share), `gift`,
`moodle_xml`, and `markup` (HTML, the text of both, read and written).
"""

from quizzes.interchange.gift import gift_dumps, gift_loads
from quizzes.interchange.markup import html_to_text, text_to_html
from quizzes.interchange.model import (
    FORMAT_NAMES,
    FORMATS,
    GIFT,
    MOODLE_XML,
    SUPPORTED,
    InterchangeError,
    QuizData,
)
from quizzes.interchange.moodle_xml import moodle_xml_dumps, moodle_xml_loads

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "GIFT",
    "MOODLE_XML",
    "SUPPORTED",
    "InterchangeError",
    "QuizData",
    "dumps",
    "format_detect",
    "gift_dumps",
    "gift_loads",
    "html_to_text",
    "loads",
    "moodle_xml_dumps",
    "moodle_xml_loads",
    "text_to_html",
]


def format_detect(text: str) -> str:
    """The format of `text`: "moodlexml" when it starts with `<?xml` or `<quiz`, otherwise "gift"."""
    start = text.lstrip("\ufeff \t\r\n")
    return MOODLE_XML if start.startswith(("<?xml", "<quiz")) else GIFT


def loads(text: str, *, strict: bool = False) -> tuple[str, QuizData]:
    """The format of `text` and the quiz in it; questions of a type this site lacks are skipped
    and listed in its `skipped`, or refused with `strict`."""
    fmt = format_detect(text)
    reader = moodle_xml_loads if fmt == MOODLE_XML else gift_loads
    return fmt, reader(text, strict=strict)


def dumps(quiz: QuizData, fmt: str) -> tuple[str, list[str]]:
    """`quiz` written in `fmt` (one of FORMATS), and the notes on what the format could not hold."""
    if fmt == GIFT:
        return gift_dumps(quiz)
    if fmt == MOODLE_XML:
        return moodle_xml_dumps(quiz)
    raise ValueError(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")
