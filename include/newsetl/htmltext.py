"""HTML pages into article text and page metadata (trafilatura), for the readers.

A web page is mostly not the article: menus, teasers, footers, comments. trafilatura
finds the main content and the page's metadata (title, author, date, site name,
canonical URL); the text it keeps then goes through the same cleaning, segmentation and
language steps as any text file. Paragraphs are joined by blank lines and headings stay
lines of their own, which is what :mod:`newsetl.segment` reads.

One page, in the order that keeps a crawl day fast (issue 16: 200 pages/s with two
workers) without changing what trafilatura finds:

1. :func:`parse_html` -- one parse, the tree ``trafilatura.utils.load_html`` gives;
2. :func:`page_metadata` -- trafilatura's metadata for the fields an item keeps, read
   from the whole page (bylines in a footer, dates in ``<time>``), without the parts
   never stored, its byline search (:func:`page_author`) and JSON-LD reader
   (:func:`meta_json`) without their copies and per-character Python loops, its
   meta-tag reader (:func:`examine_meta`) without its walks of every node of the page;
3. :func:`prune_non_content` -- the subtrees trafilatura would delete anyway, and
   teaser grids (:func:`is_teaser_grid`), go before its many XPath walks;
4. :func:`fast_body` -- trafilatura's fast-mode sequence, without the tree copies it
   never reads in that mode and with prunes that cannot match skipped; the full
   cascade (readability and jusText compared) on the unpruned page only when fast mode
   finds under :data:`FAST_MIN_CHARS` characters.

All of it runs with trafilatura's XPath expressions rewritten to select the same
elements at less cost (:mod:`newsetl.xpathregex`). Each shortcut is checked against
the trafilatura path it replaces (tests/newsetl/test_htmltext_fast.py) and, on the
ScrapingHub benchmark's 181 real pages, gives the same text and metadata on every page
(F1 0.963) for ~1.6x less CPU than before these shortcuts (~13 -> ~8 ms/page side by
side, ``bench/extract_quality.py``), ~2.4x less than ``trafilatura.extract``.

The module is named ``htmltext`` rather than ``html`` so that it never shadows the
standard library's :mod:`html` (which :mod:`newsetl.cleaning` uses).
"""

from __future__ import annotations

import bisect
import copy
import functools
import itertools
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
    from newsetl.xpathregex import rewritten

    try:
        with rewritten():  # trafilatura's XPath expressions, rewritten to run faster
            return _extract(data, url, published)
    except Exception as exc:  # noqa: BLE001 - a parser bug on one page must not stop a day
        log.debug("extraction failed", exc_info=True)
        return Failure(reasons.UNPARSABLE_HTML, f"{type(exc).__name__}: {exc}"[:300])


def _extract(data: bytes, url: str | None, published: str | None) -> Page | Failure:
    """Parse once, read the metadata from the whole page, then prune the subtrees that
    never hold article text and let trafilatura find the body in fast mode; the full
    cascade (readability and jusText compared) runs only when fast mode finds little.

    Measured on the first generated crawl-day pages (bench/e2e.py --warc),
    ``bare_extraction`` with its defaults spent 15 of 27 ms per page on metadata,
    mostly a body-wide byline search
    that finds nothing on a page without a byline class and categories, tags and a
    licence that are never stored; 4 ms on the fallback extractors, whose choices
    lowered the F1 on the ScrapingHub benchmark (0.963 without, 0.961 with); and most
    of the rest on XPath walks over nav bars, footers and teaser grids that it deletes
    in the end."""
    import trafilatura  # heavy import, only for days that hold web pages
    from trafilatura.utils import load_html

    tree = parse_html(data)
    if tree is None:
        return Failure(reasons.UNPARSABLE_HTML, "not an HTML document lxml can parse")
    info = page_metadata(tree, url)
    prune_non_content(tree)
    body = fast_body(tree, _options(True, url or info.url))
    text = block_text(body) if body is not None else ""
    if len(text) < FAST_MIN_CHARS:
        # fast mode found nothing or little: the whole cascade, on an unpruned tree
        doc = trafilatura.bare_extraction(load_html(data), options=_options(False, url or info.url))
        text = block_text(doc.body) if doc is not None and doc.body is not None else ""
    if not text:
        return Failure(reasons.NO_MAIN_TEXT, "no main text found in the page")
    meta: dict[str, str | None] = {
        "title": _clean(info.title),
        "url": url or _clean(info.url),
        "published": _clean(info.date) or published,
        "author": _clean(info.author),
        "site_name": _clean(info.sitename),
    }
    if meta["title"]:
        meta["title_source"] = "page"
    return Page(text, meta)


def fast_body(tree, options):
    """trafilatura's body element for a page in fast mode, comments off, balanced focus
    (``None`` when it finds too little), as ``bare_extraction`` finds it with those
    options -- its ``trafilatura_sequence`` (2.3.1) step by step, without the copies of
    the whole tree that this case never reads (``bare_extraction`` copies a tree it is
    given, ``_prepare_tree`` keeps a cleaned copy for the comment capture and the
    external comparison, ``extract_content`` one for a recovery that runs on ~1 page in
    15: :func:`_extract_content`), its two raw-tree prunes only on pages whose class
    and id values can match them (:func:`_raw_prune_hints`), its cleaning walking only
    for tags the tree holds (:func:`_tree_cleaning`), and the page-text measure of its
    recall escalation (a copy, a cleaning XPath and a text walk: ~2 ms on a real page)
    taken only when a cheap upper bound of it (:func:`_page_text_bound`) does not
    already rule the escalation out. ``tree`` is changed."""
    from trafilatura import core
    from trafilatura.htmlprocessing import convert_tags

    url = options.url
    is_forum = core._forum_thread_page(tree)
    raw_prune, comments = _raw_prune_hints()
    values = " ".join(_class_id_values()(tree))
    if raw_prune is None or raw_prune.search(values):
        tree = core.prune_unwanted_nodes(tree, core.RAW_TREE_PRUNE_XPATH)
    if not is_forum and (comments is None or comments.search(values)):
        tree = core.prune_unwanted_nodes(tree, core.REMOVE_COMMENTS_AND_LISTS_XPATH)
    body, text = _extract_content(
        lambda: convert_tags(_tree_cleaning(copy.copy(tree), options), options, url), options)
    if len(text) < options.min_extracted_size:  # 3. baseline rescue on the raw tree
        b_body, b_text, b_len = core.baseline(tree)
        if b_len > len(text):
            body, text = b_body, b_text
    if (0 < len(text) < core.ESCALATION_MAX_LENGTH  # 4. recall escalation
            and len(text) < core.ESCALATION_PAGE_SHARE * _page_text_bound(tree)
            and len(text) < core.ESCALATION_PAGE_SHARE * len(core.html2txt(tree))):
        r_options = copy.copy(options)
        r_options.focus = "recall"
        r_text = ""
        try:
            r_body, r_text = core._recall_retry(tree, r_options, url)
        except Exception:  # noqa: BLE001 - as trafilatura: a failed retry keeps the result
            log.debug("recall retry failed", exc_info=True)
        if (len(r_text) >= options.min_extracted_size
                and len(r_text) > core.ESCALATION_ACCEPT_RATIO * len(text)):
            body, text = r_body, r_text
    if len(text) < options.min_output_size:
        return None
    return body


@functools.cache
def _class_id_values():
    from lxml import etree

    return etree.XPath("//@class|//@id", smart_strings=False)


#: trafilatura's raw-tree prunes (2.3.1), whitespace-normalised, with what every element
#: they select has in its ``class`` or ``id``: infinite-scroll and Elementor share
#: containers, comment sections (an ``id`` or ``class`` that starts with a comment word,
#: so right after a space once the values are joined by spaces, or a class holding
#: ``article-comments``/``post-comments``). Most pages have neither, and then the two
#: walks over the whole page can find nothing.
_RAW_PRUNE_SHA1 = {"RAW_TREE_PRUNE_XPATH": "9285c37ca4504addc055f2c21a1bc4a621d54a16",
                   "REMOVE_COMMENTS_AND_LISTS_XPATH": "98cf895224cd33bceb3d7184180725cfdecc1e9f"}
_RAW_PRUNE_NEEDS = {
    "RAW_TREE_PRUNE_XPATH": r"mvp-post-add-|infinite-?scroll|elementor-share-buttons",
    "REMOVE_COMMENTS_AND_LISTS_XPATH":
        r"(?:^| )(?:[Cc]omment|comol|disqus_thread|dsq-comments)|(?:article|post)-comments"}


@functools.cache
def _raw_prune_hints():
    """For each raw-tree prune, a pattern that the ``class`` and ``id`` values of a page
    must match for it to select anything, or ``None`` (always run it) when the
    installed trafilatura's expressions are not the ones the pattern was read from."""
    import hashlib

    from newsetl.xpathregex import originals

    hints = []
    for name, needs in _RAW_PRUNE_NEEDS.items():
        text = "\n".join(" ".join(e.path.split()) for e in originals()[name])
        same = hashlib.sha1(text.encode()).hexdigest() == _RAW_PRUNE_SHA1[name]
        hints.append(re.compile(needs) if same else None)
    return tuple(hints)


def _tree_cleaning(tree, options):
    """trafilatura's ``htmlprocessing.tree_cleaning`` (2.3.1) for fast mode without
    tables, images or the recall focus, whose loop over ~55 tag names -- one walk of the
    tree each, deleting what it finds -- skips the names the tree does not hold (about
    three are left once :func:`prune_non_content` has run): the same deletions, in the
    same order. Other options go to trafilatura's own function."""
    from lxml.etree import strip_tags
    from trafilatura import htmlprocessing as hp

    if options.tables or options.images or options.focus == "recall":
        return hp.tree_cleaning(tree, options)
    hp.recover_math(tree)
    cleaning_list = list(hp.MANUALLY_CLEANED)
    clean_forms = "form" in cleaning_list
    if clean_forms:
        cleaning_list.remove("form")
    cleaning_list.extend(["table", "td", "th", "tr"])
    strip_tags(tree, hp.MANUALLY_STRIPPED)
    present = {element.tag for element in tree.iter(*cleaning_list)}  # a proxy per match
    for expression in cleaning_list:
        if expression in present:
            for element in tree.iter(expression):
                hp.delete_element(element)
    if clean_forms:
        hp._handle_forms(tree)
    return hp.prune_html(tree, options.focus)


def _extract_content(clean, options):
    """trafilatura's ``main_extractor.extract_content`` (2.3.1) on the tree ``clean()``
    makes, without its copy of that tree for the wild-text recovery (~0.3 ms on a real
    page): the recovery, which runs on one page in ~15, gets a tree of its own from a
    second ``clean()`` -- the same tree, element for element, as the copy it would have
    had, since cleaning and tag conversion do the same on the same raw tree."""
    from trafilatura import main_extractor as me

    cleaned = clean()
    order = list(cleaned.iter())
    result_body, temp_text, potential_tags = me._extract(cleaned, options)
    if len(result_body) == 0 or len(temp_text) < options.min_extracted_size:
        backup_tree = clean()
        consumed = {twin for elem, twin in zip(order, backup_tree.iter(), strict=True)
                    if elem.tag == "done"}
        result_body = me.recover_wild_text(backup_tree, result_body, options, potential_tags,
                                           consumed)
        temp_text = " ".join(result_body.itertext()).strip()
    # from here on trafilatura's own lines
    previous = None
    for el in list(result_body):
        current = me._elem_text(el)
        if current and current == previous and len(current) > me.MIN_DUPLICATE_LENGTH:
            me.delete_element(el, keep_tail=False)
        else:
            previous = current
    me.strip_elements(result_body, "done")
    me.strip_tags(result_body, "div")
    for linebreak in result_body.iter("lb"):
        if (linebreak.tail and not me.text_chars_test(linebreak.tail)
                and not any(anc.tag in me.SPACING_PROTECTED for anc in linebreak.iterancestors())):
            linebreak.tail = None
    return result_body, temp_text


def _page_text_bound(tree) -> int:
    """An upper bound of ``len(trafilatura.baseline.html2txt(tree))``: the length of the
    body's text with white space collapsed, plus two for each block element (html2txt
    puts a space before each one's text and tail, which can split a word in two; its
    cleaning only removes text).

    >>> from lxml import html
    >>> tree = html.fromstring("<html><body><div>a<p>b</p>c</div><p>d  e</p></body></html>")
    >>> from trafilatura.baseline import html2txt
    >>> len(html2txt(tree)), _page_text_bound(tree)
    (9, 13)
    """
    from trafilatura.baseline import _BLOCK_ELEMS

    body = tree.find(".//body")
    if body is None:
        body = tree
    words = body.text_content().split()
    blocks = sum(1 for _ in body.iter(*_BLOCK_ELEMS))
    return sum(map(len, words)) + len(words) + 2 * blocks


#: Bytes that make trafilatura repair a page before parsing it: XML-invalid control
#: characters (its ``INVALID_XML_CHARS``; U+FFFE and U+FFFF are checked apart).
_CONTROL_BYTES = tuple(bytes((c,)) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))
#: trafilatura drops such a DOCTYPE (a libxml2 issue) from the first line.
_SLASHED_DOCTYPE = re.compile(rb"< ?! ?DOCTYPE[^>\n]*/[^<>\n]*>", re.IGNORECASE)


def parse_html(data: bytes):
    """The page's lxml tree, as trafilatura's ``load_html`` parses it, but without its
    detours for the usual page, which starts with ``<`` and is valid UTF-8 without
    control characters: no speculative brotli and zlib decompression, no copy of the
    whole page to remove characters that are not there, and lxml reads the bytes
    instead of a decoded copy (1.4 ms -> 0.5 ms for a page of 100 KB). Anything
    else goes through ``load_html`` itself.

    Its elements are all plain ``HtmlElement`` (:func:`_parser`): lxml.html's own
    parser asks a Python method which class each element gets (a form, an input...)
    every time Python touches an element, ~400 times per page in trafilatura's walks,
    which cost ~15 % of the extraction; neither trafilatura nor htmldate uses those
    classes.

    >>> parse_html(b"<html><body><p>caf\\xc3\\xa9</p></body></html>").findtext(".//p")
    'café'
    >>> parse_html(b"\\x00\\x01\\x02") is None, parse_html(b"<p>just a fragment</p>") is None
    (True, True)
    """
    from lxml.html import fromstring
    from trafilatura.utils import load_html

    if (data.lstrip(b" \t\r\n")[:1] != b"<"
            or any(byte in data for byte in _CONTROL_BYTES)):
        return load_html(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return load_html(data)
    if "\ufffe" in text or "\uffff" in text:  # one character: faster found in the text
        return load_html(data)
    beginning = text[:50].lower()
    if any("<html" in line and line.endswith("/>") for line in text[:4096].splitlines()[:4]):
        return load_html(data)  # a self-closed <html/> that load_html repairs
    if "doctype" in beginning and (doctype := _SLASHED_DOCTYPE.match(data)) is not None:
        data = data[doctype.end():]  # as load_html: the DOCTYPE goes, the rest stays
    try:
        tree = fromstring(data, parser=_parser())
    except Exception:  # noqa: BLE001 - as load_html: whatever lxml raises, no tree
        log.debug("lxml cannot parse the page", exc_info=True)
        return None
    # as load_html: a document that does not name html at its start must parse into at
    # least 2 parts
    if tree is None or ("html" not in beginning and len(tree) < 2):
        return None
    return tree


@functools.cache
def _parser():
    """trafilatura's HTML parser (same options), whose elements are all ``HtmlElement``
    (comments ``HtmlComment``...), chosen by libxml2 without calling Python."""
    from lxml import etree
    from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction

    # the options of trafilatura.utils.HTML_PARSER (2.3.1)
    parser = etree.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                              remove_comments=True, remove_pis=True)
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction,
        entity=HtmlEntity))
    return parser


#: Below this many characters of body, fast mode's result is checked by the full cascade
#: (a short page, or one whose body fast mode missed).
FAST_MIN_CHARS = 200


@functools.cache
def _base_options(fast: bool):
    from trafilatura.settings import Extractor

    return Extractor(fast=fast, comments=False, tables=False)


def _options(fast: bool, url: str | None):
    """trafilatura's options for one page: built once (reading them from its config
    costs about as much as parsing a small page) and copied with the page's URL."""
    options = copy.copy(_base_options(fast))
    options.url = options.source = url
    return options


#: Elements that trafilatura deletes with their subtree before it looks for the body
#: (its ``MANUALLY_CLEANED``) and that never hold article text, deleted once right after
#: the metadata is read so that none of trafilatura's many walks over the raw tree visits
#: them; with them the head's ``meta`` and ``link`` elements (no text, ~15 % of a real
#: page's elements once the rest is pruned), which only the metadata reads. JSON-LD
#: scripts stay (trafilatura's baseline reads ``articleBody`` from them); forms (a whole
#: page can be one ASP.NET form), figures and ``head`` stay too.
_PRUNED = ("style", "noscript", "svg", "iframe", "nav", "aside", "footer", "time",
           "button", "select", "option", "input", "textarea", "label", "audio", "video",
           "canvas", "object", "embed", "picture", "source", "map", "menu", "dialog",
           "meta", "link")
#: Empty elements trafilatura strips (its ``MANUALLY_STRIPPED``): gone before its walks.
_STRIPPED = ("img", "wbr")
#: The name JSON scripts have while the other scripts are stripped (no HTML element's).
_KEPT_SCRIPT = "newsetl-json-script"


def prune_non_content(tree) -> None:
    """Delete the subtrees that never hold article text (keeping each one's tail text,
    which belongs to the parent), scripts other than JSON ones, and the empty elements
    trafilatura strips.

    >>> from lxml import html
    >>> tree = html.fromstring("<html><body><nav><a>Home</a></nav><p>Text <time>9:00"
    ...     "</time>here.<img src=x> Yes.</p><script>x()</script><script "
    ...     "type='application/ld+json'>{}</script></body></html>")
    >>> prune_non_content(tree)
    >>> html.tostring(tree.body)
    b'<body><p>Text here. Yes.</p><script type="application/ld+json">{}</script></body>'
    """
    from lxml.etree import strip_elements, strip_tags
    from trafilatura.xml import delete_element

    # in libxml2, whole subtrees at once, each tail staying where it was: a text node
    # beside the one before it, which lxml's .text, .tail and itertext() read as one
    # text; of trafilatura's steps on this tree only the "//p//text()" of its _extract
    # sees text nodes, and it joins them
    # scripts too, but JSON ones stay: they are renamed for the time of the strip
    kept = [e for e in tree.iter("script") if "json" in (e.get("type") or "").lower()]
    for element in kept:
        element.tag = _KEPT_SCRIPT
    try:
        strip_elements(tree, *_PRUNED, "script", with_tail=False)
    finally:
        for element in kept:
            element.tag = "script"
    strip_tags(tree, *_STRIPPED)
    for element in [e for e in _grid_candidates()(tree) if is_teaser_grid(e)]:
        if element.getparent() is not None:
            delete_element(element)


@functools.cache
def _grid_candidates():
    """The ``div`` and ``section`` elements with enough children to be a teaser grid,
    found by libxml2 (asking each element from Python costs ~1 µs per element)."""
    from lxml import etree

    # an element with a GRID_MIN_CARDS-th child element: libxml2 stops counting there
    return etree.XPath(f"(//div|//section)[*[{GRID_MIN_CARDS}]]")


#: A teaser grid has at least this many cards, each with at most this much text.
GRID_MIN_CARDS = 8
GRID_MAX_CARD_CHARS = 100
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


def is_teaser_grid(element) -> bool:
    """Whether a ``div`` or ``section`` is a grid of teaser cards (more news, related
    stories, carousels): besides headings, at least :data:`GRID_MIN_CARDS` children, all
    ``div`` (or all ``article``) of the same first class, none holding a paragraph and
    none with more than :data:`GRID_MAX_CARD_CHARS` characters of text.

    trafilatura drops such grids too, but only after walking every card with its
    XPaths several times; on a news page the grid can be most of the elements. Lists
    (``ul``/``ol``) never count: short list items are often the article's own (a
    recipe's ingredients, a product's features). On the ScrapingHub benchmark's 181
    real pages the rule removes ~1,300 elements (carousels, "recommended" strips,
    empty image grids) and changes no page's score.

    >>> from lxml import html
    >>> def cards(n):
    ...     return "".join(f'<div class="card c{i}"><a href="/{i}">Story {i}</a></div>'
    ...                    for i in range(n))
    >>> is_teaser_grid(html.fromstring(f"<section><h2>More</h2>{cards(8)}</section>"))
    True
    >>> is_teaser_grid(html.fromstring(f"<section><h2>More</h2>{cards(7)}</section>"))
    False
    >>> paragraphs = "".join('<div class="text"><p>A line.</p></div>' for _ in range(9))
    >>> is_teaser_grid(html.fromstring(f"<div>{paragraphs}</div>"))
    False
    """
    if len(element) < GRID_MIN_CARDS:
        return False
    cards = [child for child in element
             if isinstance(child.tag, str) and child.tag not in _HEADINGS]
    if len(cards) < GRID_MIN_CARDS or cards[0].tag not in ("div", "article"):
        return False
    tag, first_class = cards[0].tag, _first_class(cards[0])
    return all(card.tag == tag and _first_class(card) == first_class
               and card.find(".//p") is None
               and len(card.text_content().strip()) <= GRID_MAX_CARD_CHARS
               for card in cards)


def _first_class(element) -> str:
    classes = (element.get("class") or "").split()
    return classes[0] if classes else ""


#: Any attribute value an author XPath of trafilatura's ``extract_author`` can match
#: contains one of these (once lower-cased): without one, that body-wide search (about
#: a third of trafilatura's time on a page of ~600 elements) cannot find anything.
_AUTHOR_HINT = re.compile(
    r"author|byl|bbl|username|screenname|writer|zuozhe|bianji|xiaobian|channel-name|"
    r"submitted-by|posted-by|journalist")


@functools.cache
def _author_xpaths():
    from lxml import etree

    return (etree.XPath("//@class|//@id|//@itemprop|//@rel|//@data-testid|//@data-component"),
            etree.XPath("boolean(//author|//rel)"))


def _hinted(values: list) -> list:
    """The attribute values in which :data:`_AUTHOR_HINT` finds a word once they are
    lower-cased, from one search of them all joined (a search per value costs ~1 µs
    each, ~500 of them on a real page; a case-insensitive pattern is ten times slower
    than lower-casing). Should lower-casing lengthen a value (``İ``), the positions no
    longer point into the values: then one search per value."""
    joined = "\n".join(values)
    lowered = joined.lower()
    if len(lowered) != len(joined):
        return [value for value in values if _AUTHOR_HINT.search(value.lower())]
    positions = [match.start() for match in _AUTHOR_HINT.finditer(lowered)]
    if not positions:
        return []
    starts = list(itertools.accumulate((len(v) + 1 for v in values[:-1]), initial=0))
    return [values[i] for i in dict.fromkeys(bisect.bisect_right(starts, p) - 1
                                             for p in positions)]


def _may_name_author(tree) -> bool:
    """Whether trafilatura's byline XPaths could match anything in the page (the
    attributes they test, read in one native XPath: 0.1 ms on a page of 600 elements)."""
    values, tags = _author_xpaths()
    return bool(tags(tree)) or bool(_hinted(values(tree)))


def page_author(tree) -> str | None:
    """trafilatura's ``extract_author`` (2.3.1) without its copy of the whole page.

    It copies the tree, deletes the subtrees of its ``AUTHOR_DISCARD_XPATHS`` (comments,
    sidebars, ``time``, ``figure``...) from the copy, and takes the first element of its
    ``AUTHOR_XPATHS``, in their order, whose text is 3-119 characters long. Here they
    run on the page itself: a candidate inside a discarded subtree is passed over (the
    copy has no such element), a candidate with none inside it has the same text as in
    the copy, and a candidate with a discarded subtree inside it gets the text it has in
    the copy from a copy of itself with those subtrees deleted
    (:func:`_text_without_discarded`). ``AUTHOR_XPATHS`` test the elements' own
    attributes, so deleting other elements neither adds nor removes candidates (except
    through ``rel`` elements: those pages go to ``extract_author``). On a page where no
    attribute value holds a byline word (:data:`_AUTHOR_HINT`) and that has no such
    elements, nothing can match: ``None`` at once.
    """
    from trafilatura import metadata as tm
    from trafilatura.json_metadata import normalize_authors
    from trafilatura.utils import trim

    inside, around = _discard_xpaths()
    on_elements = _author_tests()
    values, tags = _author_xpaths()
    if inside is None or on_elements is None or tags(tree):
        return tm.extract_author(tree)  # another trafilatura, or author or rel elements
    candidates = list(dict.fromkeys(value.getparent() for value in _hinted(values(tree))))
    if not candidates:
        return None
    for test in on_elements:
        for element in test(tree, candidates=candidates):
            if around(element):
                continue  # deleted in trafilatura's copy
            if inside(element):
                content = _text_without_discarded(element)
            else:
                content = trim(" ".join(element.itertext()))
            if content and 2 < len(content) < 120:
                return normalize_authors(None, content)
    return None


def _text_without_discarded(element) -> str:
    """An element's text as trafilatura's ``extract_author`` reads it in its pruned copy
    of the page: the same deletions (``AUTHOR_DISCARD_XPATHS``, tails kept), made in a
    copy of the element alone. Elements deleted outside it change none of its text, and
    its own tail is no part of it."""
    from trafilatura.htmlprocessing import prune_unwanted_nodes
    from trafilatura.utils import trim
    from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS

    alone = prune_unwanted_nodes(copy.deepcopy(element), AUTHOR_DISCARD_XPATHS)
    return trim(" ".join(alone.itertext()))


@functools.cache
def _author_tests():
    """trafilatura's ``AUTHOR_XPATHS`` (2.3.1) as filters of a node-set of candidates
    (``//*[P]`` as ``$candidates[P]``, without the ``|//author`` of the first): run only
    on the elements with an attribute value that :data:`_AUTHOR_HINT` finds -- every
    literal those expressions look for contains one of its words, so no other element
    can match -- instead of on every element of the page (~1.5 ms each on a real page),
    one call per expression. ``None`` for expressions of another shape (steps after the
    predicates, or a predicate that reads positions)."""
    from lxml import etree

    from newsetl.xpathregex import REGEXP_NS, closing_bracket, originals, rewrite

    tests = []
    for expression in originals()["AUTHOR_XPATHS"]:
        path = " ".join(expression.path.split()).removesuffix("|//author").strip()
        if not path.startswith("//*[") or re.search(r"position\(|last\(|\[\s*\d", path):
            return None
        pos = len("//*")
        while pos < len(path):  # only predicates after the step
            end = closing_bracket(path, pos) if path[pos] == "[" else None
            if end is None:
                return None
            pos = end + 1
        tests.append(etree.XPath(f"$candidates{rewrite(path)[len('//*'):]}",
                                 namespaces={"re": REGEXP_NS}))
    return tests


@functools.cache
def _discard_xpaths():
    """Whether an element has one of trafilatura's ``AUTHOR_DISCARD_XPATHS`` elements
    inside it, and whether it is one or sits inside one: the expressions (2.3.1) with
    their descendant step turned to those axes; ``(None, None)`` for expressions of
    another shape."""
    from lxml import etree
    from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS

    from newsetl.xpathregex import REGEXP_NS, originals, rewrite

    first, second = originals()["AUTHOR_DISCARD_XPATHS"]
    path = rewrite(" ".join(first.path.split()))
    if not path.startswith(".//*[") or " ".join(second.path.split()) != "//time|//figure" \
            or len(AUTHOR_DISCARD_XPATHS) != 2:
        return None, None
    predicates = path[len(".//*"):]
    ns = {"re": REGEXP_NS}
    inside = etree.XPath(f"boolean(.//*{predicates}|.//time|.//figure)", namespaces=ns)
    around = etree.XPath(f"boolean(ancestor-or-self::*{predicates}|ancestor-or-self::time"
                         f"|ancestor-or-self::figure)", namespaces=ns)
    return inside, around


_JSON_STRING = re.compile(r'("(?:\\.|[^"\\])*")')
_SURROGATES = re.compile("[\ud800-\udfff]")


def minify_json(text: str) -> str:
    """trafilatura's ``JSON_MINIFY.sub(r"\\1", text)`` -- white space outside JSON
    strings removed -- without a template expansion in Python for each string and each
    white-space character (~0.5 ms for the JSON-LD of a real page): the same leftmost
    string matches split the text, and only the parts between them lose their white
    space (``\\s`` and ``str.split`` agree on what white space is).

    >>> minify_json('{"a b": [1, 2],\\n "c": "x\\\\" y"}')
    '{"a b":[1,2],"c":"x\\\\" y"}'
    """
    parts = _JSON_STRING.split(text)
    parts[::2] = ["".join(part.split()) for part in parts[::2]]
    return "".join(parts)


def _normalize_json(string: str) -> str:
    """trafilatura's ``json_metadata.normalize_json`` (2.3.1), with its character-by-
    character removal of surrogates done by one regular expression."""
    from html import unescape

    from trafilatura.json_metadata import JSON_UNICODE_REPLACE
    from trafilatura.utils import HTML_STRIP_TAGS, trim

    if "\\" in string:
        string = string.replace("\\n", "").replace("\\r", "").replace("\\t", "")
        string = JSON_UNICODE_REPLACE.sub(lambda match: chr(int(match[1], 16)), string)
        string = _SURROGATES.sub("", string)
        string = unescape(string)
    return trim(HTML_STRIP_TAGS.sub("", string))


def meta_json(tree, metadata):
    """trafilatura's ``extract_meta_json`` (2.3.1) with :func:`minify_json` and
    :func:`_normalize_json` for its whole-script steps: the same JSON-LD read."""
    import json

    from trafilatura.json_metadata import extract_json, extract_json_parse_error

    for elem in _json_scripts()(tree):
        if not elem.text:
            continue
        element_text = _normalize_json(minify_json(elem.text))
        try:
            schema = json.loads(element_text, strict=False)
            metadata = extract_json(schema, metadata)
        except json.JSONDecodeError:
            metadata = extract_json_parse_error(element_text, metadata)
    return metadata


@functools.cache
def _json_scripts():
    from lxml import etree

    return etree.XPath('.//script[@type="application/ld+json" or '
                       '@type="application/settings+json"]')


def _head_metas(tree) -> list | None:
    """The ``meta`` children of the page's ``head``, in their order, as trafilatura's
    ``.//head/meta`` paths find them -- without their XPath walk of every node of the
    page (~0.15 ms each on a real page, twice per page); ``None`` on a page with another
    number of ``head`` elements than one."""
    heads = list(itertools.islice(tree.iterdescendants("head"), 2))
    if len(heads) != 1:
        return None
    return list(heads[0].iterchildren("meta"))


def examine_meta(tree):
    """trafilatura's ``metadata.examine_meta`` (2.3.1) with its OpenGraph reader
    (``extract_opengraph``): the same fields from the same meta tags, found among the
    head's children (:func:`_head_metas`), without the keywords and tags it collects
    (never stored) and the debug dump of each unknown tag. Another page shape goes to
    trafilatura's function."""
    from trafilatura import metadata as tm

    metas = _head_metas(tree)
    if metas is None:
        return tm.examine_meta(tree)
    metadata = tm.Document().from_dict(_opengraph(metas))
    backup_sitename = None
    for elem in metas:
        if elem.get("content") is None:
            continue
        content_attr = tm.HTML_STRIP_TAGS.sub("", elem.get("content", "")).strip()
        if not content_attr:
            continue
        attributes = elem.attrib
        if "property" in attributes:
            property_attr = elem.get("property", "").lower()
            if property_attr.startswith("og:"):
                continue
            if property_attr in tm.PROPERTY_AUTHOR:
                metadata.author = tm.normalize_authors(metadata.author, content_attr)
            elif property_attr == "article:publisher":
                metadata.sitename = metadata.sitename or content_attr
            elif property_attr in tm.METANAME_IMAGE:
                metadata.image = metadata.image or content_attr
        elif "name" in attributes:
            name_attr = elem.get("name", "").lower()
            if name_attr in tm.METANAME_AUTHOR:
                metadata.author = tm.normalize_authors(metadata.author, content_attr)
            elif name_attr in tm.METANAME_TITLE:
                metadata.title = metadata.title or content_attr
            elif name_attr in tm.METANAME_DESCRIPTION:
                metadata.description = metadata.description or content_attr
            elif name_attr in tm.METANAME_PUBLISHER:
                metadata.sitename = metadata.sitename or content_attr
            elif name_attr in tm.METANAME_IMAGE:
                metadata.image = metadata.image or content_attr
            elif name_attr in tm.TWITTER_ATTRS or "twitter:app:name" in name_attr:
                backup_sitename = content_attr
            elif (name_attr == "twitter:url" and not metadata.url
                  and tm.is_valid_url(content_attr)):
                metadata.url = content_attr
        elif "itemprop" in attributes:
            itemprop_attr = elem.get("itemprop", "").lower()
            if itemprop_attr == "author":
                metadata.author = tm.normalize_authors(metadata.author, content_attr)
            elif itemprop_attr == "description":
                metadata.description = metadata.description or content_attr
            elif itemprop_attr == "headline":
                metadata.title = metadata.title or content_attr
    metadata.sitename = metadata.sitename or backup_sitename
    return metadata


def _opengraph(metas: list) -> dict[str, str | None]:
    """trafilatura's ``extract_opengraph`` (2.3.1) over the head's meta tags."""
    from trafilatura import metadata as tm

    result = dict.fromkeys(("title", "author", "url", "description", "sitename", "image",
                            "pagetype"))
    for elem in metas:
        property_name, content = elem.get("property"), elem.get("content")
        if not (property_name or "").startswith("og:"):
            continue
        if content and not content.isspace():
            if property_name in tm.OG_PROPERTIES:
                result[tm.OG_PROPERTIES[property_name]] = content
            elif property_name == "og:url" and tm.is_valid_url(content):
                result["url"] = content
            elif property_name in tm.OG_AUTHOR:
                result["author"] = tm.normalize_authors(None, content)
    return result


def page_metadata(tree, url: str | None):
    """trafilatura's ``extract_metadata`` (2.3.1) for the fields a page item keeps:
    meta tags and JSON-LD first, then the title, byline, canonical URL, date (htmldate)
    and site name as trafilatura finds them -- without the categories, tags and licence
    it also reads (never stored) and without the body-wide byline search when no class
    or id in the page can hold a byline (:func:`page_author`)."""
    from trafilatura import metadata as tm

    info = examine_meta(tree)
    if info.author and " " not in info.author:
        info.author = None
    try:
        info = meta_json(tree, info)
    except Exception:  # noqa: BLE001 - as trafilatura: bugs in its JSON-LD reader
        log.debug("JSON-LD metadata unreadable", exc_info=True)
    if not info.title:
        info.title = tm.extract_title(tree)
    if not info.author:
        info.author = page_author(tree)
    if not info.url:
        info.url = tm.extract_url(tree, url)
    info.date = tm.find_date(tree, **_DATE_PARAMS, url=info.url)
    if not info.sitename:
        info.sitename = tm.extract_sitename(tree)
    if info.sitename:
        info.sitename = info.sitename.lstrip("@")
        if info.sitename and "." not in info.sitename and not info.sitename[0].isupper():
            info.sitename = info.sitename.title()
    elif info.url and (match := tm.META_URL.match(info.url)):
        info.sitename = match[1]
    info.clean_and_trim()
    return info


_DATE_PARAMS = {"original_date": True, "extensive_search": False}


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
    for element in body.iter(*_BLOCKS):
        if next(element.iterancestors(*_BLOCKS), None) is not None:
            continue  # inside another block (a paragraph in a quote): already its text
        text = " ".join("".join(element.itertext()).split())
        if text:
            blocks.append(text)
    return "\n\n".join(blocks)


def _clean(value: str | None) -> str | None:
    value = _SPACE.sub(" ", value or "").strip()
    return value or None
