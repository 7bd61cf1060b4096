"""Comparing short answers loosely, so that no question turns on spelling or typography.

A pure module, like quizzes/generation.py and grading.py: it imports nothing of Django or of
either app, so both sides use the one `plain`: the fact base to refuse a distractor that is an
answer (Fact.clean), the practice side to generate and grade. tests/test_architecture.py keeps
it pure.
"""

import functools
import re
import sys
import unicodedata

LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+")


def plain(text: str) -> str:
    """`text` without case, accents, punctuation, extra spaces or a leading article.

    "The CSTO", "the Csto" and "CSTO." are the same; so are "Chișinău" and "Chisinau".
    """
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = re.sub(r"[^\w\s]", " ", text.replace("'", "").replace("’", ""))
    return LEADING_ARTICLE.sub("", " ".join(text.split()))


# What a reader cannot see but which changes what they read: control characters, format
# characters (right-to-left overrides that reverse the text after them, zero-width spaces and
# joiners that make two equal-looking words differ), private-use and surrogate code points.
INVISIBLE = frozenset({"Cc", "Cf", "Co", "Cs"})
SHORT = 4096  # characters: a name or a line is checked one character at a time


def invisible_strip(text: str, *, keep: str = "") -> str:
    """`text` without INVISIBLE characters, except those in `keep` (newlines in a paragraph, say).

    The one rule for text people type for others to read: names and nicknames, imported quizzes."""
    if len(text) < SHORT:
        return "".join(char for char in text if char in keep or unicodedata.category(char) not in INVISIBLE)
    return _invisible(keep).sub("", text)  # a file of megabytes: one regular expression, in C


@functools.cache
def _invisible(keep: str) -> re.Pattern:
    """Every INVISIBLE character but those in `keep`, as one character class. Built on first use,
    from the Unicode data of this Python (a quarter of a second): they make about 30 ranges."""
    ranges: list[tuple[int, int]] = []
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) not in INVISIBLE or char in keep:
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]")
