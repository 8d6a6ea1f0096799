"""WARC web archives (``.warc``, ``.warc.gz``) into items: one per HTTP response.

Crawls (Common Crawl news, Heritrix, wget) keep pages as WARC records. Each
``response`` record is one item: a 2xx HTML response becomes an article through
:mod:`newsetl.htmltext` (the record's ``WARC-Target-URI`` is its URL when the page
names none, ``WARC-Date`` its date); a non-HTML response (``warc_not_html``), a non-2xx
one (``warc_http_error``), one cut short (``warc_truncated``) or unparsable
(``malformed_record``) is a reject, so every response record is accounted for.
``request``, ``metadata``, ``warcinfo``, ``revisit`` and ``resource`` records carry no
article and are no items: they are counted by kind in :attr:`ItemContext.skipped`
(the manifest's ``skipped_records``) and logged per file.

warcio parses the records as a stream. A ``.warc.gz`` is split into its gzip members
first (:mod:`newsetl.gzipmembers`), each parsed on its own: a damaged member is one
``corrupt_file`` reject for its record and reading goes on at the next intact member
(warcio alone lost every record after it); bytes between or after members that are no
member are one ``corrupt_file`` reject, NUL or white-space padding none (in a plain WARC
too). What a ``.warc.gz`` inflates has the stream's decompression budget
(:meth:`newsetl.items.Limits.stream_budget`, ``too_large`` past it).

Memory stays bounded by one page (``max_article_bytes``) and the header caps
(:data:`MAX_LINE_BYTES`, :data:`MAX_HEADER_BYTES`): warcio reads a line whatever its
length, growing it block by block (one 64 MB line without a newline took 356 MB and
68 CPU s); a line over the cap is a ``malformed_record`` reject for the record and the
rest of its gzip member (of a plain file: the rest of the file), except in the HTTP
headers of a record whose ``Content-Length`` is known: that record alone (the rest of
its block is passed over, read in pieces).
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from newsetl import gzipmembers, reasons
from newsetl.htmltext import looks_like_html, page_item
from newsetl.items import Item, ItemContext, MiB, OverBudget, over_budget_detail, sha256_hex

log = logging.getLogger(__name__)

#: Content types read as web pages.
HTML_TYPES = ("text/html", "application/xhtml+xml")

#: The longest line read as a header (WARC or HTTP) or between records, line end
#: included. Crawlers' header lines stay far below (servers refuse requests with headers
#: over 8-64 KB; a long URL is a few KB): a longer line is damage or a bomb.
MAX_LINE_BYTES = 256 * 1024
#: The most header bytes (WARC and HTTP) one record may have: warcio keeps every header
#: line, and joins continuation lines by repeated concatenation.
MAX_HEADER_BYTES = MiB


class HeaderTooLong(Exception):
    """A header line over :data:`MAX_LINE_BYTES`, or a record's headers over
    :data:`MAX_HEADER_BYTES`; ``consumed``: the bytes of the line read."""

    def __init__(self, message: str, consumed: int = 0) -> None:
        super().__init__(message)
        self.consumed = consumed


class _NotWarc(Exception):
    """The first record of a gzip member found after damage is not WARC: a false member
    header, part of the damage."""


class _Counting(io.RawIOBase):
    """Counts the bytes read from a stream: a WARC whose records end before the last
    byte read was cut inside a record that warcio drops silently."""

    def __init__(self, stream) -> None:
        self.stream, self.count = stream, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        buffer[:len(data)] = data
        self.count += len(data)
        return len(data)


@functools.cache
def _capped_reader() -> type:
    """warcio's line reader over plain (inflated) WARC bytes, with lines capped: warcio
    asks for lines of any length and grows each by concatenation, block by block
    (memory without bound, time quadratic in the line). A read for a line longer than
    :data:`MAX_LINE_BYTES` raises :class:`HeaderTooLong`, as do more than
    :data:`MAX_HEADER_BYTES` of one record's headers (``in_headers``). Built on first
    use: warcio is imported only for days with WARC files."""
    from warcio.bufferedreaders import BufferedReader

    class CappedReader(BufferedReader):
        in_headers = False
        header_bytes = 0
        lost = b""

        def readline(self, length: int | None = None) -> bytes:
            capped = length is None or length > MAX_LINE_BYTES
            limit = MAX_LINE_BYTES + 1 if capped else length
            self._fillbuff()
            if self.empty():
                return b""
            line = self.buff.readline(limit)
            if not line.endswith(b"\n") and len(line) < limit:
                self.lost = line  # if the stream fails before the line ends
                line = self._rest_of_line(line, limit)  # the line goes on past the buffer
                self.lost = b""
            if capped and len(line) > MAX_LINE_BYTES:
                raise HeaderTooLong(f"a header line over {MAX_LINE_BYTES} bytes", len(line))
            if self.in_headers:
                self.header_bytes += len(line)
                if self.header_bytes > MAX_HEADER_BYTES:
                    raise HeaderTooLong(f"record headers over {MAX_HEADER_BYTES} bytes",
                                        len(line))
            return line

        def _rest_of_line(self, start: bytes, limit: int) -> bytes:
            """``start`` and what follows it, up to the line end, at most ``limit`` bytes
            in all (joined once: warcio concatenated each piece)."""
            parts, size = [start], len(start)
            while size < limit:
                self._fillbuff()
                if self.empty():
                    break
                part = self.buff.readline(limit - size)
                parts.append(part)
                size += len(part)
                if part.endswith(b"\n"):
                    break
            return b"".join(parts)

    return CappedReader


@functools.cache
def _quiet_iterator() -> type:
    """warcio's ArchiveIterator over plain WARC bytes (a plain file, or one inflated gzip
    member), read with :func:`_capped_reader`'s reader; without the warning (and a dump
    of the bytes) it writes straight to stderr for each record not followed by a blank
    line: counted in ``err_count`` and logged once per file instead. Between records NUL
    bytes are blank too, and a line too long there is raised when the next record is
    read (:func:`_consume_blank_lines`)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.limitreader import LimitReader

    BUFF_SIZE = 64 * 1024  # noqa: N806
    reader_type = _capped_reader()

    class QuietArchiveIterator(ArchiveIterator):
        INC_RECORD = ""

        def __init__(self, fileobj, **kwargs) -> None:
            super().__init__(fileobj, **kwargs)
            # nothing read yet: the same reader, no gzip sniffing, lines capped
            self.reader = reader_type(self.fh, block_size=self.reader.block_size)
            self.deferred: Exception | None = None
            self.http_error: HeaderTooLong | None = None
            load_http_headers = self.loader.load_http_headers

            def skipping_http_headers(rec_type, uri, stream, length):
                try:
                    return load_http_headers(rec_type, uri, stream, length)
                except HeaderTooLong as exc:
                    if not isinstance(stream, LimitReader):
                        raise  # no Content-Length: no way to the next record
                    stream.limit -= exc.consumed
                    self.reader.in_headers = False
                    while stream.read(BUFF_SIZE):  # the rest of the block, bounded
                        pass
                    self.http_error = exc
                    return None

            self.loader.load_http_headers = skipping_http_headers

        def _next_record(self, next_line):
            if self.deferred is not None:
                raise self.deferred
            self.reader.in_headers, self.reader.header_bytes = True, 0
            self.http_error = None
            try:
                record = super()._next_record(next_line)
            finally:
                self.reader.in_headers = False
            record.header_error = self.http_error
            return record

        def _consume_blanklines(self):
            return _consume_blank_lines(self)

    return QuietArchiveIterator


def _consume_blank_lines(records) -> tuple[bytes | None, int]:
    """warcio's ``_consume_blanklines``: pass the blank lines after a record (and its
    first line even when it is not blank: a wrong Content-Length, counted in
    ``err_count``), then return the next record's first line and the bytes passed.

    Here NUL bytes are blank too: writers pad a file to a block, and the padding after
    the last record was read as one more, unparsable record. Lines are read in pieces of
    at most :data:`MAX_LINE_BYTES`, so a run of padding of any length costs no memory;
    a longer line that is not padding is kept in ``records.deferred``, raised when the
    next record is read: the record before it is whole."""
    passed, first = 0, True
    while True:
        line = records.reader.readline(MAX_LINE_BYTES)
        if not line:
            return None, passed
        blank = not line.strip(gzipmembers.PADDING)
        if not blank and len(line) == MAX_LINE_BYTES and not line.endswith(b"\n"):
            records.deferred = HeaderTooLong(
                f"a line over {MAX_LINE_BYTES} bytes where a record should start")
            return None, passed
        if blank or first:
            passed += len(line)
            records.err_count += not blank
            first = False
            continue
        return line, passed


def record_label(member: str | None, record_id: str | None, ordinal: int) -> str:
    """A record's ``source_member``: its WARC-Record-ID without brackets (else its
    1-based ordinal), after the archive member's name when there is one.

    >>> record_label(None, "<urn:uuid:1-2>", 3), record_label("a.zip!/c.warc", None, 3)
    ('urn:uuid:1-2', 'a.zip!/c.warc:3')
    """
    name = (record_id or "").strip().strip("<>") or str(ordinal)
    return f"{member}:{name}" if member else name


@dataclass
class _Progress:
    """How far reading one WARC stream got: records met (``ordinal``), whether the last
    is still being read (``open``), and the counts logged for the file."""

    member: str | None
    ordinal: int = 0
    open: bool = False
    skipped: int = 0
    unterminated: int = 0
    #: The label of the record being read (``open``), once its headers are read.
    label: str | None = None

    @property
    def failing(self) -> int:
        """The ordinal of the record being read when reading fails: the one begun, else
        the next."""
        return self.ordinal if self.open else self.ordinal + 1

    def failing_label(self) -> str:
        if self.open and self.label is not None:
            return self.label
        return record_label(self.member, None, self.failing)


def iter_warc(ctx: ItemContext, stream, member: str | None,
              budget: int | None = None) -> Iterator[Item]:
    """One item per response record of a WARC stream, plain or gzip (told by its first
    bytes, and by its name when they are no WARC record: :func:`_gzip_stream`).
    ``budget`` caps the bytes a gzip stream inflates (default ``max_archive_bytes``)."""
    counted = _Counting(stream)
    buffered = io.BufferedReader(counted, 64 * 1024)
    progress = _Progress(member)
    try:
        if _gzip_stream(buffered.peek(64 * 1024), member or ctx.source_file):
            yield from _iter_gzip(ctx, buffered, progress,
                                  ctx.limits.max_archive_bytes if budget is None else budget)
        else:
            yield from _iter_plain(ctx, buffered, counted, progress)
    finally:
        if progress.skipped:
            log.info("%s: %d non-response WARC records skipped", member or ctx.source_file,
                     progress.skipped)
        if progress.unterminated:
            log.warning("%s: %d WARC records not followed by a blank line (a wrong "
                        "Content-Length?)", member or ctx.source_file, progress.unterminated)


def _gzip_stream(head: bytes, name: str) -> bool:
    """Whether a stream is read as gzip members: it starts with ``1f 8b``, or it is
    named ``.gz`` and starts with no WARC record (after padding): its first byte is
    damaged, and the bytes before the first intact member are one ``corrupt_file`` gap,
    not the whole file one ``malformed_record``. (Not a plain file with a member header
    in its first bytes: a gzip-encoded page holds one.)"""
    if head[:2] == gzipmembers.MAGIC[:2]:
        return True
    return (name.lower().endswith(".gz")
            and not head.lstrip(gzipmembers.PADDING).startswith(b"WARC/"))


def _iter_plain(ctx: ItemContext, buffered: io.BufferedReader, counted: _Counting,
                progress: _Progress) -> Iterator[Item]:
    """The records of a plain WARC. A record that cannot be read ends the file with one
    ``malformed_record`` reject (nothing after it can be found); a file that ends
    inside a record, with a ``warc_truncated`` one."""
    records = _quiet_iterator()(buffered)
    try:
        yield from _iter_records(ctx, records, progress)
    except Exception as exc:  # noqa: BLE001 - warcio raises anything on cut headers
        yield ctx.reject(progress.failing_label(), reasons.MALFORMED_RECORD,
                         f"WARC record {progress.failing} cannot be read (damaged or cut): "
                         f"{type(exc).__name__}: {exc}"[:500])
        return
    finally:
        progress.unterminated += records.err_count
    if records.offset < counted.count:
        yield ctx.reject(progress.failing_label(), reasons.WARC_TRUNCATED,
                         f"the file ends inside the record after record {progress.ordinal} "
                         f"({counted.count - records.offset} bytes left unread)")


def _iter_gzip(ctx: ItemContext, buffered: io.BufferedReader, progress: _Progress,
               budget: int) -> Iterator[Item]:
    """The records of a ``.warc.gz``, gzip member by gzip member; bytes that are no
    member are one ``corrupt_file`` reject per stretch; past the budget, one
    ``too_large`` reject ends the file."""
    try:
        for part in gzipmembers.members(buffered, budget):
            if isinstance(part, gzipmembers.Gap):
                label = f"<offset {part.start}>"
                yield ctx.reject(f"{progress.member}:{label}" if progress.member else label,
                                 reasons.CORRUPT_FILE,
                                 f"{part.size} bytes at offset {part.start} are no gzip "
                                 "member (garbage, or a damaged member header); reading "
                                 "goes on at the next member")
                continue
            yield from _iter_member(ctx, part, progress)
    except OverBudget:
        yield ctx.reject(progress.failing_label(), reasons.TOO_LARGE,
                         over_budget_detail(budget))
    except Exception as exc:  # noqa: BLE001 - the stream under the members failed
        yield ctx.reject(progress.failing_label(), reasons.CORRUPT_FILE,
                         f"cannot read the file after record {progress.ordinal}: "
                         f"{type(exc).__name__}: {exc}"[:500])


def _iter_member(ctx: ItemContext, part: gzipmembers.Member,
                 progress: _Progress) -> Iterator[Item]:
    """The items of one gzip member's records (one, in a well-made file). A member that
    cannot be read to its end is one reject for the record being read and the rest of
    the member: ``corrupt_file`` when it is damaged, ``warc_truncated`` when the file
    ends inside it, ``malformed_record`` when its bytes are no WARC record. A member
    found by looking past damage (or a gap) that fails before its first record is read
    is a false header inside the damage, already rejected (no second reject), unless it
    looks like a writer's member (:attr:`~newsetl.gzipmembers.Member.looks_real`: it
    inflated ``WARC/``, or has a writer's gzip header): then it is a damaged member of
    its own, with its own reject."""
    records = _quiet_iterator()(part, block_size=gzipmembers.CHUNK)
    before = progress.ordinal
    try:
        yield from _iter_records(ctx, records, progress, first_must_be_warc=part.resynced,
                                 at_end=lambda: _member_read(records, part),
                                 verify=lambda: _verify_member(records, part))
    except OverBudget:
        raise
    except Exception as exc:  # noqa: BLE001 - warcio raises anything on damaged headers
        progress.unterminated += records.err_count
        if (part.resynced and progress.ordinal == before and not progress.open
                and not part.looks_real):
            return
        yield ctx.reject(progress.failing_label(), _member_reason(exc),
                         f"WARC record {progress.failing} cannot be read: "
                         f"{type(exc).__name__}: {exc}; the rest of its gzip member "
                         "is not read"[:500])
        progress.ordinal, progress.open = progress.failing, False  # the record is met
        return
    progress.unterminated += records.err_count


def _member_read(records, part: gzipmembers.Member) -> bool:
    """Whether a member's records are all read: warcio would only try one more, and meet
    the end (a tenth of the time spent reading a crawl's records). Not when a line too
    long waits to be raised (``deferred``)."""
    if getattr(records, "cut_after", False):
        return True
    return (part.ended and records.next_line is None and records.deferred is None
            and records.reader.rem_length() == 0)


def _whole_before_cut(records, record) -> bool:
    """Whether a record whose gzip member the file's end cut is whole: all of its
    Content-Length was read, and the member held nothing more than padding (its trailer,
    checksum and size, is what is missing). warcio read such a record as any other."""
    raw = record.raw_stream
    if getattr(raw, "limit", None) != 0:
        return False
    reader = records.reader
    rest = reader.buff.getvalue()[reader.buff.tell():] if reader.buff else b""
    return not (rest + reader.lost).strip(gzipmembers.PADDING)


def _verify_member(records, part: gzipmembers.Member) -> None:
    """After a record is read: unless another WARC record follows it in the member, read
    the member to its end (checksum included) and raise its damage, so that a damaged
    member's record is never an item. (Past a non-WARC line inside an intact member the
    rest of it is not read: it is a ``malformed_record`` reject, as it was.)"""
    line = records.next_line
    if line is None or line.startswith(b"WARC/"):
        return
    part.finish()
    if part.failure is not None:
        raise part.failure


def _member_reason(exc: Exception) -> str:
    """The reject reason for a gzip member that could not be read to its end."""
    if isinstance(exc, gzipmembers.Truncated):
        return reasons.WARC_TRUNCATED
    if isinstance(exc, gzipmembers.Damaged):
        return reasons.CORRUPT_FILE
    return reasons.MALFORMED_RECORD


def _iter_records(ctx: ItemContext, records, progress: _Progress,
                  first_must_be_warc: bool = False,
                  at_end: Callable[[], bool] = lambda: False,
                  verify: Callable[[], None] = lambda: None) -> Iterator[Item]:
    """The items of the records a warcio iterator reads, until ``at_end`` says the
    stream is all read. Each record is read to its end, then ``verify`` called, before
    it becomes an item: damage anywhere in it (a gzip member's checksum is checked at
    its very end) is raised instead, with ``progress`` at that record."""

    def finish() -> None:
        try:
            records.read_to_end()
        except gzipmembers.Truncated:
            if not _whole_before_cut(records, record):
                raise
            records.cut_after = True
            return
        verify()

    for record in records:
        if record.format != "warc" or not record.rec_type:
            if first_must_be_warc:
                raise _NotWarc("no WARC record where a gzip member was found")
            # warcio reads other lines as ARC headers, and a cut record as one without
            progress.ordinal += 1
            records.read_to_end()
            yield ctx.reject(record_label(progress.member, None, progress.ordinal),
                             reasons.MALFORMED_RECORD,
                             f"record {progress.ordinal} has no WARC header (cut, or not WARC)")
            continue
        first_must_be_warc = False
        progress.ordinal += 1
        progress.open, progress.label = True, None
        if record.rec_type != "response":
            finish()
            progress.open = False
            progress.skipped += 1
            ctx.skipped[record.rec_type] += 1
            if at_end():
                return
            continue
        label = record_label(progress.member, record.rec_headers.get_header("WARC-Record-ID"),
                             progress.ordinal)
        progress.label = label
        if record.header_error is not None:  # its block skipped, Content-Length known
            finish()
            progress.open = False
            yield ctx.reject(label, reasons.MALFORMED_RECORD,
                             f"HTTP headers cannot be read: {record.header_error}")
            if at_end():
                return
            continue
        item = _response_item(ctx, record, label, finish)
        progress.open = False
        yield item
        if at_end():
            return


@dataclass
class _Payload:
    """A response's payload as read (at most one byte over the limit), or why not."""

    data: bytes = b""
    error: str | None = None
    #: The stream ended inside it.
    cut: bool = False


def _read_payload(record, limit: int) -> _Payload:
    try:
        if _content_encoding(record) == "br":
            data = read_brotli(_undecoded_stream(record), limit)
        else:
            data = record.content_stream().read(limit + 1)
    except Exception as exc:  # noqa: BLE001 - a payload's decoder fails in its own way:
        # this record only, the iterator goes on to the next one
        return _Payload(error=f"cannot read the payload: {type(exc).__name__}: {exc}"[:500])
    return _Payload(data, cut=getattr(record.raw_stream, "limit", 0) > 0)


def _content_encoding(record) -> str:
    http = record.http_headers
    return ((http.get_header("Content-Encoding") if http is not None else None)
            or "").strip().lower()


def _undecoded_stream(record):
    """The payload with its transfer encoding (chunks) undone but not its content
    encoding."""
    from warcio.bufferedreaders import ChunkedDataReader

    if record.http_headers.get_header("Transfer-Encoding") == "chunked":
        return ChunkedDataReader(record.raw_stream, decomp_type=None)
    return record.raw_stream


#: Compressed bytes read at a time from a brotli-encoded payload.
BROTLI_CHUNK = 64 * 1024


def read_brotli(stream, limit: int) -> bytes:
    """A brotli-encoded (``Content-Encoding: br``) payload, decoded: at most ``limit + 1``
    bytes (one over the limit: a ``too_large`` page), however far the body would inflate.

    Not warcio's decoder: it calls ``decompress`` and sets ``unused_data`` on
    ``brotli.Decompressor``, which brotli 1.1 and later no longer have (every
    ``br`` page failed with AttributeError), and it would inflate a whole block at once
    (brotli packs 50 MB of one byte into 80). Here the output is capped as it grows.

    >>> import brotli, io
    >>> read_brotli(io.BytesIO(brotli.compress(b"<html>x</html>")), 100)
    b'<html>x</html>'
    >>> len(read_brotli(io.BytesIO(brotli.compress(b"x" * 10**8)), 1000))
    1001
    """
    import brotli

    decoder = brotli.Decompressor()
    out = bytearray()
    while len(out) <= limit:
        chunk = b""
        if decoder.can_accept_more_data():  # else: output is pending, asked for with b""
            chunk = stream.read(BROTLI_CHUNK)
            if not chunk:
                break
        out += decoder.process(chunk, output_buffer_limit=limit + 1 - len(out))
    if len(out) <= limit and not decoder.is_finished():
        raise ValueError("the brotli body ends before its last block")
    return bytes(out[:limit + 1])


def _early_reject(record) -> tuple[str, str] | None:
    """The reject a response is whatever its payload: marked truncated, not 2xx."""
    headers = record.rec_headers
    if headers.get_header("WARC-Truncated"):
        return (reasons.WARC_TRUNCATED,
                f"record marked WARC-Truncated: {headers.get_header('WARC-Truncated')}")
    http = record.http_headers
    status = http.get_statuscode() if http is not None else None
    if not status or not status.startswith("2"):
        return reasons.WARC_HTTP_ERROR, f"HTTP status {status or 'missing'}"
    return None


def _response_item(ctx: ItemContext, record, label: str,
                   finish: Callable[[], None]) -> Item:
    """One response record as an item or a reject, made after ``finish`` has read the
    record to its end (which raises when the record is damaged)."""
    early = _early_reject(record)
    limit = ctx.limits.max_article_bytes
    payload = None if early else _read_payload(record, limit)
    finish()
    if early is not None:
        return ctx.reject(label, *early)
    assert payload is not None
    if payload.error is not None:
        return ctx.reject(label, reasons.MALFORMED_RECORD, payload.error)
    data = payload.data
    if len(data) > limit:
        return ctx.reject(label, reasons.TOO_LARGE, f"page over {limit} bytes")
    if payload.cut:
        return ctx.reject(label, reasons.WARC_TRUNCATED,
                          "the file ends inside this record", sha256_hex(data))
    http = record.http_headers
    content_type = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type not in HTML_TYPES and not (not content_type and looks_like_html(data)):
        return ctx.reject(label, reasons.WARC_NOT_HTML,
                          f"content type {content_type or 'missing'}", sha256_hex(data))
    headers = record.rec_headers
    return page_item(ctx, label, data, url=headers.get_header("WARC-Target-URI"),
                     published=headers.get_header("WARC-Date"))
