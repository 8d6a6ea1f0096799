"""SGML/TREC news documents (``<DOC>`` … ``</DOC>``, many per file) into items.

The TREC and LDC news collections (AP, WSJ, LA Times, FBIS, Gigaword) ship as files of
``<DOC>`` blocks: ``<DOCNO>`` names the document, ``<HEADLINE>`` or ``<TITLE>`` holds
its title, ``<TEXT>`` its body (with or without ``<P>`` paragraphs), and ``<DATE>``,
``<DATELINE>``, ``<BYLINE>``, ``<URL>`` the rest. The files are large and often not
well-formed XML (unescaped ``&``, unclosed ``<P>``), so they are read as a stream of
lines, one document at a time (memory bounded by ``max_article_bytes`` per document),
and each document's fields are picked out by tag name.

The item's text is built for the segmenter: a byline line, then the paragraphs with the
dateline before the first one (``WASHINGTON — The …``, which :mod:`newsetl.datelines`
reads); the headline goes beside the text as ``meta["title"]``, as for a JSONL record.
No tag text reaches the body.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from newsetl import reasons
from newsetl.items import Item, ItemContext, member_label, sha256_hex

#: ``<DOC>`` or ``<DOC id="…">`` (not ``<DOCNO>``).
DOC_OPEN = re.compile(r"<DOC\b[^>]*>", re.IGNORECASE)
DOC_CLOSE = re.compile(r"</DOC\s*>", re.IGNORECASE)
#: A text stream starting with this (after white space) is a file of SGML documents.
_SNIFF = re.compile(rb"\s*<DOC\b", re.IGNORECASE)
#: The opening and closing tags of a field: ``<TAG attrs>value</TAG>``.
_OPEN_TAG = re.compile(r"<(?P<tag>[A-Za-z][\w.-]*)(?:\s[^>]*)?>")
_CLOSE_TAG = re.compile(r"</(?P<tag>[A-Za-z][\w.-]*)\s*>")
_ID_ATTR = re.compile(r"""\bid\s*=\s*["']?(?P<id>[^"'\s>]+)""", re.IGNORECASE)
_P_TAG = re.compile(r"</?P\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_INDENTED = re.compile(r"\n(?=[ \t]{2,}\S)")
#: SGML entities of the TREC collections that HTML does not know.
_SGML_ENTITIES = {"&hyph;": "-", "&blank;": " ", "&space;": " ", "&bull;": "•"}
_ENTITY = re.compile("|".join(map(re.escape, _SGML_ENTITIES)))

ID_TAGS = ("DOCNO", "DOCID")
TITLE_TAGS = ("HEADLINE", "TITLE", "HL", "HEAD")
DATE_TAGS = ("DATE", "DATE_TIME", "TIME", "PUBDATE")
AUTHOR_TAGS = ("BYLINE", "AUTHOR", "BY")


def looks_like_sgml(head: bytes) -> bool:
    r"""Whether a stream's first bytes open an SGML/TREC document.

    >>> looks_like_sgml(b"\n <DOC>\n<DOCNO> AP880212-0001 </DOCNO>"), looks_like_sgml(b"<DOCNO>")
    (True, False)
    """
    return _SNIFF.match(head.removeprefix(b"\xef\xbb\xbf")) is not None


@dataclass
class _Chunk:
    """One ``<DOC>`` block as read: its open tag and inner text, or why it is bad."""

    open_tag: str
    body: str
    line_no: int
    error: str | None = None
    too_large: bool = False


def split_documents(lines: Iterable[str], limit: int) -> Iterator[_Chunk]:
    """The ``<DOC>`` blocks of a stream of lines, in order; a block over ``limit``
    characters is not kept (``too_large``), one not closed before the next ``<DOC>`` or
    the end is an error, and text outside any block is one error per stretch.

    >>> [c.body.strip() for c in split_documents(["<DOC><TEXT>a</TEXT></DOC><DOC>\\n",
    ...                                            "b</DOC>\\n"], 100)]
    ['<TEXT>a</TEXT>', 'b']
    >>> [c.error for c in split_documents(["<DOC>x\\n", "<DOC>y</DOC>\\n", "junk\\n"], 100)]
    ['no </DOC> before the next <DOC>', None, 'text outside any <DOC> block']
    """
    parts: list[str] = []
    size, inside, open_tag, start_line, stray = 0, False, "", 0, False
    line_no = 0
    for line_no, line in enumerate(lines, start=1):  # noqa: B007 - read after the loop
        rest = line
        while rest:
            if not inside:
                found = DOC_OPEN.search(rest)
                stray = stray or bool((rest if found is None else rest[:found.start()]).strip())
                if found is None:
                    break
                if stray:
                    yield _Chunk("", "", line_no, "text outside any <DOC> block")
                    stray = False
                inside, open_tag, start_line, parts, size = True, found.group(0), line_no, [], 0
                rest = rest[found.end():]
                continue
            close, reopen = DOC_CLOSE.search(rest), DOC_OPEN.search(rest)
            if reopen is not None and (close is None or reopen.start() < close.start()):
                yield _Chunk(open_tag, "", start_line, "no </DOC> before the next <DOC>")
                inside, rest = False, rest[reopen.start():]
                continue
            piece = rest if close is None else rest[:close.start()]
            size += len(piece)
            if size <= limit:
                parts.append(piece)
            else:
                parts = []
            if close is None:
                break
            yield _Chunk(open_tag, "".join(parts), start_line, too_large=size > limit)
            inside, rest = False, rest[close.end():]
    if inside:
        yield _Chunk(open_tag, "", start_line, "no </DOC> before the end of the file")
    elif stray:
        yield _Chunk("", "", line_no, "text outside any <DOC> block")


@dataclass
class Document:
    """One SGML document's text (for the segmenter) and its fields as item metadata."""

    doc_id: str | None
    text: str
    meta: dict[str, str | None]


def parse_document(open_tag: str, body: str) -> Document | str:
    """A document's fields, or why it has no text (an error string).

    >>> doc = parse_document('<DOC id="X-1">', '''<HEADLINE> Rain &amp; wind </HEADLINE>
    ... <DATELINE>LONDON</DATELINE><DATE>1996-08-20</DATE>
    ... <TEXT><P> It rained
    ... all day. </P><P>More tomorrow.</P></TEXT>''')
    >>> doc.doc_id, doc.meta["title"], doc.meta["published"]
    ('X-1', 'Rain & wind', '1996-08-20')
    >>> doc.text
    'LONDON — It rained all day.\\n\\nMore tomorrow.'
    >>> parse_document("<DOC>", "<DOCNO>A</DOCNO>")
    'no <TEXT> field'
    """
    fields: dict[str, str] = {}
    texts: list[str] = []
    for tag, value in top_fields(body):
        if tag == "TEXT":
            texts.append(value)
        else:
            fields.setdefault(tag, value)
    if not texts:
        return "no <TEXT> field"
    paragraphs = [p for text in texts for p in text_paragraphs(text)]
    if not paragraphs:
        return "empty <TEXT> field"
    attr = _ID_ATTR.search(open_tag)
    doc_id = _first(fields, ID_TAGS) or (attr.group("id") if attr else None)
    dateline = _first(fields, ("DATELINE",))
    if dateline and not paragraphs[0].startswith(dateline):
        paragraphs[0] = f"{dateline.rstrip(' -—–:,')} — {paragraphs[0]}"
    author = _first(fields, AUTHOR_TAGS)
    if author:
        paragraphs.insert(0, author if author.lower().startswith("by ") else f"By {author}")
    title = _first(fields, TITLE_TAGS)
    meta = {"id": doc_id, "title": title, "url": _first(fields, ("URL",)),
            "published": _first(fields, DATE_TAGS)}
    return Document(doc_id, "\n\n".join(paragraphs), meta)


def top_fields(body: str) -> Iterator[tuple[str, str]]:
    """The top-level ``<TAG>value</TAG>`` fields of a document, in order (tag upper
    case): each opening tag takes the first closing tag of its name after it, and the
    scan goes on after that; an opening tag never closed is passed over, so the tags
    inside it can still be fields (``<P>`` inside a value is fine).

    One pass over the closing tags first, then one over the opening ones: a regex with
    a lazy value and a back-reference rescanned to the end of the body for every tag
    left open (a TREC document cut before ``</TEXT>``, with unclosed ``<P>``, took
    33 CPU s for 576 KB).

    >>> list(top_fields("<DOCNO> A1 </DOCNO><TEXT><P>One.<P>Two.</TEXT><NOTE>x"))
    [('DOCNO', ' A1 '), ('TEXT', '<P>One.<P>Two.')]
    """
    closes: dict[str, list[tuple[int, int]]] = {}
    for close in _CLOSE_TAG.finditer(body):
        closes.setdefault(close.group("tag").upper(), []).append((close.start(), close.end()))
    pos = 0
    while (opening := _OPEN_TAG.search(body, pos)) is not None:
        tag = opening.group("tag").upper()
        found = closes.get(tag, [])
        at = bisect.bisect_left(found, (opening.end(), -1))
        if at < len(found):
            start, end = found[at]
            yield tag, body[opening.end():start]
            pos = end
        else:
            pos = opening.start() + 1


def text_paragraphs(text: str) -> list[str]:
    """The paragraphs of a ``<TEXT>`` value: split on ``<P>`` tags when it has them,
    else on blank lines, else on indented lines (AP's style); lines inside a paragraph
    are unwrapped, tags dropped, entities decoded.

    >>> text_paragraphs("\\n   First line\\nwrapped.\\n   Second.\\n")
    ['First line wrapped.', 'Second.']
    """
    if _P_TAG.search(text):
        blocks = _P_TAG.split(text)
    elif _BLANK_LINE.search(text.strip()):
        blocks = _BLANK_LINE.split(text)
    else:
        blocks = _INDENTED.split(text)
    out = []
    for block in blocks:
        plain = " ".join(_plain(block).split())
        if plain:
            out.append(plain)
    return out


def _plain(value: str) -> str:
    """Field text without tags, with entities decoded."""
    value = _ANY_TAG.sub(" ", value)
    return html.unescape(_ENTITY.sub(lambda m: _SGML_ENTITIES[m.group(0)], value))


def _first(fields: dict[str, str], tags: tuple[str, ...]) -> str | None:
    for tag in tags:
        if tag in fields:
            value = " ".join(_plain(fields[tag]).split())
            if value:
                return value
    return None


def iter_documents(ctx: ItemContext, lines: Iterable[str], member: str | None
                   ) -> Iterator[Item]:
    """One item per ``<DOC>`` block: ``source_member`` is its ``DOCNO`` (or ``id``
    attribute), else its line number, prefixed by the archive member when there is one.
    Bad blocks are ``malformed_record`` or ``too_large`` rejects."""
    limit = ctx.limits.max_article_bytes
    for chunk in split_documents(lines, limit):
        label = member_label(member, chunk.line_no)
        if chunk.error:
            yield ctx.reject(label, reasons.MALFORMED_RECORD,
                             f"SGML document at line {chunk.line_no}: {chunk.error}")
            continue
        raw_sha = sha256_hex(chunk.body.encode("utf-8", "surrogatepass"))
        if chunk.too_large:
            yield ctx.reject(label, reasons.TOO_LARGE, f"SGML document over {limit} characters")
            continue
        doc = parse_document(chunk.open_tag, chunk.body)
        if isinstance(doc, str):
            yield ctx.reject(label, reasons.MALFORMED_RECORD,
                             f"SGML document at line {chunk.line_no}: {doc}", raw_sha)
            continue
        name = f"{member}:{doc.doc_id}" if member and doc.doc_id else doc.doc_id or label
        yield ctx.text_item(name, doc.text, raw_sha, doc.meta)
