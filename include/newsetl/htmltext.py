"""HTML pages into article text and page metadata (trafilatura), for the readers.

A web page is mostly not the article: menus, teasers, footers, comments. trafilatura
finds the main content and the page's metadata (title, author, date, site name,
canonical URL); the text it keeps then goes through the same cleaning, segmentation and
language steps as any text file. Paragraphs are joined by blank lines and headings stay
lines of their own, which is what :mod:`newsetl.segment` reads.

The module is named ``htmltext`` rather than ``html`` so that it never shadows the
standard library's :mod:`html` (which :mod:`newsetl.cleaning` uses).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from newsetl import reasons
from newsetl.items import Item, ItemContext, sha256_hex

log = logging.getLogger(__name__)

#: A text stream whose first bytes (after a BOM and white space) open one of these is
#: an HTML document, whatever its file name says (``.txt`` pages saved by a crawler).
_HTML_START = re.compile(
    rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)(?=[\s>/])",
    re.IGNORECASE | re.DOTALL)
_BOMS = (b"\xef\xbb\xbf",)
#: How far into a stream :func:`looks_like_html` looks.
SNIFF_BYTES = 1024

#: trafilatura's body elements that hold one block of text each.
_BLOCKS = frozenset(("p", "head", "quote", "item", "cell", "code"))
_SPACE = re.compile(r"\s+")


def looks_like_html(head: bytes) -> bool:
    """Whether a stream's first bytes open an HTML document.

    >>> looks_like_html(b"\\xef\\xbb\\xbf  <!DOCTYPE html><html>"), looks_like_html(b"<body>x")
    (True, True)
    >>> looks_like_html(b"Minister <b>quits</b>"), looks_like_html(b"<html-ish> text")
    (False, False)
    """
    head = head[:SNIFF_BYTES]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
    return _HTML_START.match(head) is not None


@dataclass
class Page:
    """The main text of a page and its metadata (``meta`` keys as for a JSONL record:
    ``title``, ``url``, ``published``, plus ``author``, ``site_name`` and
    ``title_source`` = ``page`` when the page names its title)."""

    text: str
    meta: dict[str, str | None] = field(default_factory=dict)


@dataclass
class Failure:
    """Why a page gives no article: a reason code of :mod:`newsetl.reasons` and detail."""

    reason: str
    detail: str


def extract_page(data: bytes, url: str | None = None, published: str | None = None
                 ) -> Page | Failure:
    """The main text and metadata of one HTML page (bytes: its charset is read from the
    page or guessed). ``url`` (a WARC record's target URI: where the page was fetched)
    wins over the page's canonical link; ``published`` (the record's date) is used when
    the page names no date. Never raises on bad input."""
    try:
        return _extract(data, url, published)
    except Exception as exc:  # noqa: BLE001 - a parser bug on one page must not stop a day
        log.debug("extraction failed", exc_info=True)
        return Failure(reasons.UNPARSABLE_HTML, f"{type(exc).__name__}: {exc}"[:300])


def _extract(data: bytes, url: str | None, published: str | None) -> Page | Failure:
    import trafilatura  # heavy import, only for days that hold web pages
    from trafilatura.utils import load_html

    tree = load_html(data)
    if tree is None:
        return Failure(reasons.UNPARSABLE_HTML, "not an HTML document lxml can parse")
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=False,
        date_extraction_params={"original_date": True, "extensive_search": False})
    text = block_text(doc.body) if doc is not None and doc.body is not None else ""
    if not text:
        return Failure(reasons.NO_MAIN_TEXT, "no main text found in the page")
    meta: dict[str, str | None] = {
        "title": _clean(doc.title),
        "url": url or _clean(doc.url),
        "published": _clean(doc.date) or published,
        "author": _clean(doc.author),
        "site_name": _clean(doc.sitename),
    }
    if meta["title"]:
        meta["title_source"] = "page"
    return Page(text, meta)


def page_item(ctx: ItemContext, member: str | None, data: bytes, url: str | None = None,
              published: str | None = None) -> Item:
    """One HTML page as an item: its main text with the page's metadata, or a reject
    (``too_large`` over ``max_article_bytes``, ``unparsable_html``, ``no_main_text``)."""
    raw_sha = sha256_hex(data)
    if len(data) > ctx.limits.max_article_bytes:
        return ctx.reject(member, reasons.TOO_LARGE,
                          f"page over {ctx.limits.max_article_bytes} bytes", raw_sha)
    page = extract_page(data, url, published)
    if isinstance(page, Failure):
        return ctx.reject(member, page.reason, page.detail, raw_sha)
    return ctx.text_item(member, page.text, raw_sha, page.meta)


def block_text(body) -> str:
    """The text of trafilatura's body element: one block per paragraph, heading, quote
    or list item, blocks joined by blank lines, white space inside a block collapsed.

    >>> from lxml import etree
    >>> body = etree.fromstring("<body><head>A  week</head><p>One\\n two.</p>"
    ...                         "<list><item>x</item><item>y</item></list></body>")
    >>> block_text(body)
    'A week\\n\\nOne two.\\n\\nx\\n\\ny'
    """
    blocks: list[str] = []
    for element in body.iter():
        if element.tag not in _BLOCKS or _inside_block(element):
            continue
        text = _SPACE.sub(" ", "".join(element.itertext())).strip()
        if text:
            blocks.append(text)
    return "\n\n".join(blocks)


def _inside_block(element) -> bool:
    """Whether an element sits inside another block (a paragraph in a quote): its text
    is already part of the outer block."""
    parent = element.getparent()
    while parent is not None:
        if parent.tag in _BLOCKS:
            return True
        parent = parent.getparent()
    return False


def _clean(value: str | None) -> str | None:
    value = _SPACE.sub(" ", value or "").strip()
    return value or None
