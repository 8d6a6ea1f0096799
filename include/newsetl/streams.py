"""Text and JSONL streams (plain or gzip, files or archive members) into items.

A text stream is one article (read up to ``max_article_bytes``); when its content is an
HTML page it is read as one (:mod:`newsetl.htmltext`), when it is a file of SGML/TREC
documents, as those (:mod:`newsetl.sgml`). WARC streams go to :mod:`newsetl.warc`.
A JSONL stream is one item per non-blank line: its encoding is sniffed from the first
bytes (BOM, UTF-16/32, legacy code pages), CR, LF and CRLF line ends are accepted, and a
line range (:class:`newsetl.ranges.Span`) lets several shards share one big file. Every
gzip stream (JSONL, SGML, text, a WARC's own) has a decompression budget
(:meth:`newsetl.items.Limits.stream_budget`).
"""

from __future__ import annotations

import gzip
import io
import json
import lzma
import posixpath
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsetl import reasons
from newsetl.decode import sniff_encoding
from newsetl.htmltext import looks_like_html, page_item
from newsetl.items import (
    HTML,
    JSONL,
    SGML,
    WARC,
    Item,
    ItemContext,
    OverBudget,
    RawItem,
    classify_name,
    member_label,
    over_budget_detail,
    sha256_hex,
)
from newsetl.ranges import Span
from newsetl.sgml import iter_documents, looks_like_sgml
from newsetl.warc import iter_warc

#: What reading a (possibly compressed) stream raises on damaged data.
STREAM_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error, lzma.LZMAError, OSError)


def read_bounded(fh: io.BufferedIOBase | gzip.GzipFile, limit: int) -> bytes | None:
    """Read at most ``limit`` bytes; None when there is more (too large)."""
    data = fh.read(limit + 1)
    return None if len(data) > limit else data


def iter_stream(ctx: ItemContext, stream, fmt: str, member: str | None, gz: bool,
                budget: int | None = None) -> Iterator[Item]:
    """A text, HTML, JSONL, WARC or SGML stream (plain or gzip) from a file or an archive
    member. A text stream whose content is an HTML page or a file of SGML documents is
    read as one (crawlers and collections often name them ``.txt``), except that a zip's
    text member stays one item (:attr:`ItemContext.text_is_one_item`). ``budget`` caps
    the bytes a gzip stream inflates (:meth:`newsetl.items.Limits.stream_budget`; a
    WARC's own gzip too): past it, one ``too_large`` reject ends the file."""
    if fmt == JSONL:
        yield from iter_jsonl(ctx, stream, member)
        return
    if fmt == WARC:  # it reads gzip itself, member by member
        yield from iter_warc(ctx, stream, member, budget)
        return
    if gz and budget is not None:
        stream = _Budgeted(stream, budget)
    if fmt == SGML:
        yield from _iter_sgml(ctx, stream, member, budget)
        return
    try:
        head = stream.read(SNIFF_HEAD)
    except STREAM_ERRORS as exc:
        yield ctx.reject(member, reasons.CORRUPT_FILE, f"broken gzip stream: {exc}")
        return
    except OverBudget:
        yield ctx.reject(member, reasons.TOO_LARGE, over_budget_detail(budget))
        return
    stream = io.BufferedReader(_Rewound(head, stream))
    if not ctx.text_is_one_item and looks_like_sgml(head):
        yield from _iter_sgml(ctx, stream, member, budget)
        return
    try:
        data = read_bounded(stream, ctx.limits.max_article_bytes)
    except STREAM_ERRORS as exc:
        yield ctx.reject(member, reasons.CORRUPT_FILE, f"broken gzip stream: {exc}")
        return
    except OverBudget:
        yield ctx.reject(member, reasons.TOO_LARGE, over_budget_detail(budget))
        return
    if data is None:
        what = "page" if fmt == HTML else "article"
        yield ctx.reject(member, reasons.TOO_LARGE,
                         f"{what} over {ctx.limits.max_article_bytes} bytes")
        return
    if fmt == HTML or looks_like_html(data):
        yield page_item(ctx, member, data)
        return
    yield ctx.item(member, data)


class _Budgeted(io.RawIOBase):
    """A gzip stream that raises :class:`~newsetl.items.OverBudget` once it has inflated
    more than ``budget`` bytes: an SGML or text stream is read line by line to its end,
    and a compression bomb (a few MB of gzip, terabytes of text) would cost CPU without
    end."""

    def __init__(self, stream, budget: int) -> None:
        self.stream, self.budget, self.count = stream, budget, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        self.count += len(data)
        if self.count > self.budget:
            raise OverBudget
        buffer[:len(data)] = data
        return len(data)


#: How many first bytes of a text stream tell whether it is HTML or SGML.
SNIFF_HEAD = 4096


def _iter_sgml(ctx: ItemContext, stream, member: str | None,
               budget: int | None = None) -> Iterator[Item]:
    """The documents of an SGML stream, decoded as sniffed from its first bytes; a
    damaged gzip stream ends the file with one ``corrupt_file`` reject, one inflated past
    its ``budget`` (:class:`_Budgeted`) with one ``too_large`` reject."""
    limit = ctx.limits.max_article_bytes
    try:
        plan = _jsonl_plan(stream)
        lines = io.TextIOWrapper(plan.stream, encoding=plan.encoding, errors="replace",
                                 newline=None)
        yield from iter_documents(ctx, iter(lambda: lines.readline(limit), ""), member)
    except STREAM_ERRORS as exc:
        yield ctx.reject(member, reasons.CORRUPT_FILE, f"broken stream in an SGML file: {exc}")
    except OverBudget:
        yield ctx.reject(member, reasons.TOO_LARGE, over_budget_detail(budget))


#: The first bytes of a JSONL stream tell its encoding and line ends.
SNIFF_BYTES = 64 * 1024


@dataclass
class _JsonlPlan:
    """How to read one JSONL stream: bytes split on LF (UTF-8, the fast path) or text
    decoded with ``encoding`` and universal line ends (CR, LF, CRLF)."""

    encoding: str
    as_bytes: bool
    #: The stream to read, at its start (the same one, rewound, when it can seek).
    stream: object


def _jsonl_plan(stream) -> _JsonlPlan:
    """Sniff encoding and line ends from the first bytes, then rewind the stream."""
    try:
        sample = stream.read(SNIFF_BYTES)
    except STREAM_ERRORS:  # damaged early: the line reader reports where
        sample = b""
    try:
        stream.seek(0)
    except (*STREAM_ERRORS, ValueError, io.UnsupportedOperation):
        stream = io.BufferedReader(_Rewound(sample, stream))  # not seekable: replay
    if not sample:
        return _JsonlPlan("utf-8", True, stream)
    encoding = sniff_encoding(sample)
    cr_only = b"\r" in sample and b"\n" not in sample
    return _JsonlPlan(encoding, encoding in ("utf-8", "utf-8-sig") and not cr_only, stream)


def jsonl_splittable(path: Path, gz: bool) -> bool:
    """Whether a JSONL file is read as UTF-8 bytes split on LF: only those are cut into
    line ranges (:mod:`newsetl.ranges`) by byte offsets."""
    with path.open("rb") as raw:
        stream = gzip.GzipFile(fileobj=raw) if gz else raw
        return _jsonl_plan(stream).as_bytes


class _Rewound(io.RawIOBase):
    """A stream that could not seek back, with its sniffed first bytes put back."""

    def __init__(self, head: bytes, rest) -> None:
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def iter_jsonl(ctx: ItemContext, stream, member: str | None, span: Span | None = None,
                budget: int | None = None) -> Iterator[Item]:
    """One item per non-blank line; ``source_member`` is the 1-based line number.

    The encoding is sniffed (BOM, UTF-16/32, legacy code pages) and CR, LF and CRLF line
    ends are accepted. ``span`` limits the lines to a byte range (a shard of a big
    file, UTF-8 only); ``budget`` caps the decompressed bytes read: past it, one
    ``too_large`` reject ends the file.
    """
    plan = _jsonl_plan(stream)
    stream = plan.stream
    newline: str | bytes = b"\n" if plan.as_bytes else "\n"
    if not plan.as_bytes:
        if span is not None and span.start > 0:
            return  # the planner splits only UTF-8 files; nothing to do for a stray range
        stream = io.TextIOWrapper(stream, encoding=plan.encoding, errors="replace",
                                  newline=None)
    limit = ctx.limits.max_article_bytes
    line_no = span.first_line if span else 0
    offset = span.start if span else 0
    try:
        if offset:
            stream.seek(offset)
    except STREAM_ERRORS as exc:
        yield ctx.reject(member_label(member, line_no + 1), reasons.CORRUPT_FILE,
                         f"broken gzip stream before line {line_no + 1}: {exc}")
        return
    while span is None or span.stop is None or offset < span.stop:
        try:
            line = stream.readline(limit + 1)
        except STREAM_ERRORS as exc:
            yield ctx.reject(member_label(member, line_no + 1), reasons.CORRUPT_FILE,
                             f"broken gzip stream after line {line_no}: {exc}",
                             seq=ctx.line_seq(line_no))
            return
        if not line:
            return
        line_no += 1
        offset += len(line)
        label = member_label(member, line_no)
        if budget is not None and offset > budget:
            yield ctx.reject(label, reasons.TOO_LARGE, over_budget_detail(budget),
                             seq=ctx.line_seq(line_no - 1))
            return
        if len(line) > limit and not line.endswith(newline):
            yield ctx.reject(label, reasons.TOO_LARGE, f"JSONL line over {limit} bytes",
                             seq=ctx.line_seq(line_no - 1))
            try:  # skip the rest of the line, bounded by the same budget per read
                while (rest := stream.readline(limit + 1)) and not rest.endswith(newline):
                    offset += len(rest)
                offset += len(rest)
            except STREAM_ERRORS as exc:
                yield ctx.reject(member_label(member, line_no + 1), reasons.CORRUPT_FILE,
                                 f"broken gzip stream in line {line_no}: {exc}",
                                 seq=ctx.line_seq(line_no))
                return
            continue
        if not line.strip():
            continue
        yield _jsonl_record(ctx, line, label, ctx.line_seq(line_no - 1))


def _jsonl_record(ctx: ItemContext, line: bytes | str, label: str, seq: int | None) -> Item:
    """One JSONL line as an item; a line read as text (a legacy or UTF-16 file) is hashed
    as UTF-8 for ``raw_sha256``."""
    if isinstance(line, str):
        line = line.encode("utf-8", "surrogatepass")
    raw_sha = sha256_hex(line.rstrip(b"\r\n"))
    try:
        record = json.loads(line.lstrip(b"\xef\xbb\xbf"))
    except UnicodeDecodeError as exc:  # a line in another encoding than the file's
        return ctx.reject(label, reasons.UNREADABLE_ENCODING,
                          f"line is not UTF-8 like the rest of the file: {exc}", raw_sha,
                          seq=seq)
    except (ValueError, RecursionError) as exc:  # also over-long integers, deep nesting
        return ctx.reject(label, reasons.MALFORMED_RECORD, f"invalid JSON: {exc}", raw_sha,
                          seq=seq)
    if not isinstance(record, dict):
        return ctx.reject(label, reasons.MALFORMED_RECORD, "JSON value is not an object",
                          raw_sha, seq=seq)
    text = record.get("text")
    if not isinstance(text, str):
        return ctx.reject(label, reasons.MALFORMED_RECORD, "missing string field 'text'",
                          raw_sha, seq=seq)
    meta = {k: _as_str(record.get(k)) for k in ("id", "url", "title", "published")}
    return RawItem(ctx.source_file, label, ctx.next_seq() if seq is None else seq, raw_sha,
                   text=without_lone_surrogates(text), meta=meta)


_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(text: str) -> str:
    r"""JSON may escape half a surrogate pair (``"\ud800"``); such a string cannot be
    encoded as UTF-8 (hashing, Parquet), so each lone half becomes U+FFFD (which the
    cleaning rules then drop).

    >>> without_lone_surrogates("a\ud800b") == "a\ufffdb"
    True
    """
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _as_str(value: object) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return without_lone_surrogates(text)


def iter_member_bytes(ctx: ItemContext, name: str, data: bytes) -> Iterator[Item]:
    """Dispatch a (small) archive member's bytes on its name: text, HTML, JSONL, gz."""
    fmt, gz = classify_name(name)
    if fmt is None:
        yield ctx.reject(name, reasons.UNSUPPORTED_FORMAT,
                         f"not an accepted input type: {posixpath.basename(name)}",
                         sha256_hex(data))
        return
    stream = gzip.GzipFile(fileobj=io.BytesIO(data)) if gz else io.BytesIO(data)
    if fmt == JSONL:
        budget = ctx.limits.stream_budget(len(data)) if gz else None
        yield from iter_jsonl(ctx, stream, name, budget=budget)
    else:
        yield from iter_stream(ctx, stream, fmt, name, gz, ctx.limits.stream_budget(len(data)))
