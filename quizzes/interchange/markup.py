"""HTML, the text of Moodle XML and of GIFT's "[html]" texts, as plain text, and back.

Read by a small tokenizer of our own, not `html.parser`: on Python 3.12.1 the standard parser
spends minutes on a megabyte of "</</</…" and raises AssertionError on "<![<![…", and a quiz
file is untrusted. Each step below reads to the next "<" or to a fixed string found with
`str.find`, and an unclosed comment or declaration ends the text, so a file is read in time
proportional to its size. Its patterns use possessive quantifiers (`*+`), which never backtrack.

Questions here hold text only: an image or an attached file cannot come along. What is dropped is
listed (`dropped`), so that the importer can say so instead of leaving a stem that reads "See".
"""

import html
import re
from urllib.parse import unquote

BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "tr", "table", "blockquote", "pre", "h1", "h2", "h3", "h4"})
RAW_TEXT = {  # elements whose content is never text, up to their end tag
    "script": re.compile(r"</script[^<>]*+>", re.IGNORECASE),
    "style": re.compile(r"</style[^<>]*+>", re.IGNORECASE),
}
TAG = re.compile(r"""<(/?)([A-Za-z][^\s/<>]*+)((?:[^<>"']|"[^"<]*+"|'[^'<]*+')*+)>""")
ATTRIBUTE = re.compile(r"""([^\s"'<>/=]++)(?:\s*+=\s*+(?:"([^"]*+)"|'([^']*+)'|([^\s"'<>=`]++)))?""")
SPACES = re.compile(r"[ \t\r\n\f]+")  # HTML's rule: a run of them in the source shows as one space
# Where a file or an embedded image goes in an attribute: Moodle's placeholder for its file store,
# or a data: URL. Only these, and every <img>, are reported as dropped.
MEDIA_ATTRIBUTES = ("src", "href", "data", "poster")
PLUGINFILE = "@@PLUGINFILE@@"
# The same in plain (or Markdown) text, where it would show as a string of code: the prefix of a
# data: URL is bounded, so a run of "data:data:…" fails fast at each place instead of scanning on.
REFERENCE = r"@@PLUGINFILE@@/[^\s()<>\"'\]]*+|data:[\w.+-]{1,100}/[\w.+-]{1,100}(?:;[\w.+=-]{1,100}){0,5},[\w+/=%-]*+"
EMBEDDED = re.compile(rf"(?:!\[[^\[\]\n]{{0,200}}+\]\(\s*+({REFERENCE})\s*+\)|({REFERENCE}))[ \t]*+")
NAME_MAX = 80  # a file name quoted in a warning


def reference_describe(value: str, *, image: bool) -> str:
    """ "the image “map.png”", "an embedded image (image/png)": what a src or href pointed to."""
    kind = "image" if image else "file"
    if value.startswith("data:"):
        mime = re.split(r"[;,]", value[5:], maxsplit=1)[0][:NAME_MAX]
        return f"an embedded {kind} ({mime})" if mime else f"an embedded {kind}"
    if value.startswith(PLUGINFILE):
        name = unquote(value.removeprefix(PLUGINFILE).split("?")[0].rstrip("/").rpartition("/")[2])
        return f"the {kind} “{name[:NAME_MAX]}”" if name else f"a {kind} from Moodle's file store"
    return f"the {kind} {value[:NAME_MAX]}"


def _is_media(value: str) -> bool:
    return value.startswith(("data:", PLUGINFILE))


class _HTMLText:
    def __init__(self, dropped: list[str] | None) -> None:
        self.parts: list[str] = []
        self.dropped = dropped if dropped is not None else []

    def feed(self, markup: str) -> None:
        position = text_from = 0
        while (opening := markup.find("<", position)) != -1:
            after = self.markup(markup, opening)
            if after is None:  # "a < b": a "<" that starts no tag is text
                position = opening + 1
                continue
            self.data(markup[text_from:opening])
            self.tag(*after[1:])
            position = text_from = after[0]
        self.data(markup[text_from:])

    def markup(self, markup: str, opening: int) -> tuple[int, str, str, str] | None:
        """What starts with "<" at `opening`: where text goes on after it, and the tag (closing
        "/" or "", name, attributes), "" for a comment; None if it is text."""
        if markup.startswith("<!--", opening):
            close = markup.find("-->", opening + 4)
            return (len(markup) if close == -1 else close + 3), "", "", ""
        if markup.startswith(("<!", "<?"), opening):  # a doctype, CDATA, a processing instruction
            close = markup.find(">", opening + 2)
            return (len(markup) if close == -1 else close + 1), "", "", ""
        tag = TAG.match(markup, opening)
        if tag is None:
            return None
        name = tag.group(2).lower()
        if name in RAW_TEXT and not tag.group(1):
            close = RAW_TEXT[name].search(markup, tag.end())
            return (len(markup) if close is None else close.end()), "", name, tag.group(3)
        return tag.end(), tag.group(1), name, tag.group(3)

    def tag(self, closing: str, name: str, attributes: str) -> None:
        if not name:
            return
        if closing:
            self.end(name)
            return
        self.start(name, attributes)
        if attributes.rstrip().endswith("/"):
            self.end(name)

    def start(self, name: str, attributes: str) -> None:
        if name == "br":
            self.parts.append("\n")
        elif name in BLOCKS:
            self.parts.append("\n\n")
        for match in ATTRIBUTE.finditer(attributes):
            key = match.group(1).lower()
            value = html.unescape(match.group(2) or match.group(3) or match.group(4) or "").strip()
            if key in MEDIA_ATTRIBUTES and value and (name == "img" or _is_media(value)):
                self.dropped.append(reference_describe(value, image=name == "img"))
                return
        if name == "img":
            self.dropped.append("an image")

    def end(self, name: str) -> None:
        if name in BLOCKS:
            self.parts.append("\n\n")

    def data(self, text: str) -> None:
        if text:
            self.parts.append(SPACES.sub(" ", html.unescape(text)))

    def text(self) -> str:
        lines = [line.strip(" ") for line in "".join(self.parts).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n ")


def html_to_text(markup: str, dropped: list[str] | None = None) -> str:
    """Plain text from HTML: tags dropped, entities resolved, <br> and paragraphs as newlines.
    Images and files it referred to are described in `dropped`, when given."""
    reader = _HTMLText(dropped)
    reader.feed(markup)
    return reader.text()


def media_strip(text: str, dropped: list[str]) -> str:
    """Plain or Markdown text without references to Moodle's files or embedded data (listed in
    `dropped`): without the file they name, they would show as code."""

    def drop(match: re.Match) -> str:
        markdown, bare = match.groups()
        dropped.append(reference_describe(markdown or bare, image=markdown is not None))
        return ""

    return EMBEDDED.sub(drop, text) if ("@@" in text or "data:" in text) else text


HTML_KEPT_MAX = 10_000  # longer HTML is read as text only
# A tag that formats (<b>, <em>, <sub>, a list, a table…), beyond the paragraphs and line breaks
# that plain text has too.
FORMATTING = re.compile(r"<(?!/?(?:p|br|div|span)[\s/>])/?[A-Za-z]")


def html_kept(markup: str, text: str) -> str:
    """The HTML of a stem worth keeping beside its text: markup that reads as `text` (so the two
    say the same), with a tag in it, and not overlong. It is stored as written and sanitised
    where it is shown (Question.stem_display)."""
    markup = markup.strip()
    if len(markup) > HTML_KEPT_MAX or not FORMATTING.search(markup) or html_to_text(markup) != text:
        return ""
    return markup


def text_to_html(text: str, *, paragraph: bool = False) -> str:
    """HTML that shows `text` as it is: special characters escaped, newlines as <br>."""
    markup = html.escape(text, quote=False).replace("\n", "<br>")
    return f"<p>{markup}</p>" if paragraph else markup
