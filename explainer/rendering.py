"""Markdown to safe HTML, for explainer pages and anything else a teacher writes.

python-markdown passes raw HTML (`<script>`, `onerror=`, `hx-get`, `javascript:` links) straight
through, so its output always goes through nh3 with an allow-list before it reaches a page.
Two link conventions are resolved on the way:

- `[text](glossary:slug)` becomes an in-page link to the term's definition (`#term-slug`);
- `[text](/article/#s3)` is a citation of article sentence 3.

Both are collected, so a page can list its key terms and the article can list who cites it.
Results are cached by a hash of the Markdown: an edit changes the hash and shows at once.
"""

import hashlib
import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element

import markdown
import nh3
from django.core.cache import cache
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

CITATION_HREF = re.compile(r"^/article/#s(\d+)$")
GLOSSARY_SCHEME = "glossary:"
CACHE_VERSION = "md2"

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "div", "em", "h2", "h3", "h4", "hr",
    "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "th": {"scope"},
}
ALLOWED_CLASSES = {
    "a": {"term", "cite"},
    "div": {"admonition", "dated", "simplified", "disputed", "note"},
    "p": {"admonition-title"},
}


@dataclass(frozen=True)
class Rendered:
    html: str
    citations: tuple[int, ...]
    glossary_slugs: tuple[str, ...]


class _LinkCollector(Treeprocessor):
    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.citations: list[int] = []
        self.glossary_slugs: list[str] = []

    def run(self, root: Element) -> None:
        for link in root.iter("a"):
            href = link.get("href", "")
            if href.startswith(GLOSSARY_SCHEME):
                slug = href.removeprefix(GLOSSARY_SCHEME)
                link.set("href", f"#term-{slug}")
                link.set("class", "term")
                if slug not in self.glossary_slugs:
                    self.glossary_slugs.append(slug)
            elif match := CITATION_HREF.match(href):
                link.set("class", "cite")
                number = int(match.group(1))
                if number not in self.citations:
                    self.citations.append(number)


class _LinkExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (python-markdown's API)
        md.treeprocessors.register(_LinkCollector(md), "milkwar_links", 5)


def link_problems(rendered: Rendered, *, sentences: set[int], glossary_slugs: set[str]) -> list[str]:
    """What in a rendered text points nowhere: citations of missing sentences, unknown glossary terms."""
    return [f"cites sentence {n}, which does not exist" for n in rendered.citations if n not in sentences] + [
        f"links unknown glossary term {slug!r}" for slug in rendered.glossary_slugs if slug not in glossary_slugs
    ]


def sanitise(html: str, ids: frozenset[str] = frozenset()) -> str:
    """`html` with only the allowed tags, attributes and classes. A heading keeps its `id` only if
    it is one of `ids`, those the table of contents made from headings: an id written in raw HTML
    (`<h2 id="csrfmiddlewaretoken">`) could clobber a name the page's forms or scripts use."""

    def ids_made(tag: str, attribute: str, value: str) -> str | None:
        return value if attribute != "id" or value in ids else None

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=ids_made,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def _toc_ids(tokens: list[dict]) -> set[str]:
    return {token["id"] for token in tokens} | {id_ for token in tokens for id_ in _toc_ids(token["children"])}


def render_uncached(text: str) -> Rendered:
    md = markdown.Markdown(
        extensions=["admonition", "sane_lists", "smarty", "tables", "toc", _LinkExtension()],
        extension_configs={"toc": {"toc_depth": "2-3"}},
    )
    html = md.convert(text)
    collector: _LinkCollector = md.treeprocessors["milkwar_links"]
    return Rendered(
        html=sanitise(html, frozenset(_toc_ids(md.toc_tokens))),
        citations=tuple(sorted(collector.citations)),
        glossary_slugs=tuple(collector.glossary_slugs),
    )


def render_markdown(text: str) -> Rendered:
    key = f"{CACHE_VERSION}:{hashlib.sha256(text.encode()).hexdigest()}"
    rendered = cache.get(key)
    if rendered is None:
        rendered = render_uncached(text)
        cache.set(key, rendered, timeout=None)
    return rendered
