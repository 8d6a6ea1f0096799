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

warcio reads the archive as a stream (record by record, a ``.warc.gz`` member by
member), so memory stays bounded by one page (``max_article_bytes``).
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Iterator

from newsetl import reasons
from newsetl.htmltext import looks_like_html, page_item
from newsetl.items import Item, ItemContext, sha256_hex

log = logging.getLogger(__name__)

#: Content types read as web pages.
HTML_TYPES = ("text/html", "application/xhtml+xml")


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
def _quiet_iterator() -> type:
    """warcio's ArchiveIterator, without the warning (and a dump of the bytes) it writes
    straight to stderr for each record not followed by a blank line: counted in
    ``err_count`` and logged once per file instead; its ``.warc.gz`` members inflated by
    ISA-L when the ``isal`` package is installed (:func:`_gzip_reader`). Built on first
    use: warcio is imported only for days with WARC files."""
    from warcio.archiveiterator import ArchiveIterator

    reader = _gzip_reader()

    class QuietArchiveIterator(ArchiveIterator):
        INC_RECORD = ""

        def __init__(self, fileobj, **kwargs) -> None:
            super().__init__(fileobj, **kwargs)
            if reader is not None:  # nothing read yet: the same reader, faster inflation
                self.reader = reader(self.fh, block_size=self.reader.block_size)

    return QuietArchiveIterator


def _gzip_reader() -> type | None:
    """warcio's reader with gzip members inflated by ISA-L's zlib-compatible
    ``decompressobj`` (the same bytes, ~2x faster than zlib: ~0.2 ms less per page of a
    crawl day, a tenth of what reading a record costs besides extraction); ``None``
    without ``isal``, and warcio inflates with zlib."""
    try:
        from isal import isal_zlib
    except ImportError:
        return None
    from warcio.bufferedreaders import DecompressingBufferedReader

    def gzip_decompressor():
        return isal_zlib.decompressobj(16 + isal_zlib.MAX_WBITS)

    class IsalReader(DecompressingBufferedReader):
        DECOMPRESSORS = {**DecompressingBufferedReader.DECOMPRESSORS,
                         "gzip": gzip_decompressor}

    return IsalReader


def record_label(member: str | None, record_id: str | None, ordinal: int) -> str:
    """A record's ``source_member``: its WARC-Record-ID without brackets (else its
    1-based ordinal), after the archive member's name when there is one.

    >>> record_label(None, "<urn:uuid:1-2>", 3), record_label("a.zip!/c.warc", None, 3)
    ('urn:uuid:1-2', 'a.zip!/c.warc:3')
    """
    name = (record_id or "").strip().strip("<>") or str(ordinal)
    return f"{member}:{name}" if member else name


def iter_warc(ctx: ItemContext, stream, member: str | None) -> Iterator[Item]:
    """One item per response record of a WARC stream (plain or gzip: warcio tells). A
    record whose headers cannot be read ends the file with a ``malformed_record`` reject
    (nothing after it can be found); a file that ends inside a record, with a
    ``warc_truncated`` one."""
    counted = _Counting(stream)
    records = _quiet_iterator()(io.BufferedReader(counted, 64 * 1024))
    ordinal = skipped = 0
    try:
        for record in records:
            ordinal += 1
            if record.format != "warc" or not record.rec_type:
                # warcio reads other lines as ARC headers, and a cut gzip member as a
                # record without headers
                yield ctx.reject(record_label(member, None, ordinal), reasons.MALFORMED_RECORD,
                                 f"record {ordinal} has no WARC header (cut, or not WARC)")
                continue
            if record.rec_type != "response":
                skipped += 1
                ctx.skipped[record.rec_type] += 1
                continue
            yield _response_item(ctx, record, record_label(
                member, record.rec_headers.get_header("WARC-Record-ID"), ordinal))
    except Exception as exc:  # noqa: BLE001 - warcio raises anything on cut headers
        yield ctx.reject(record_label(member, None, ordinal + 1), reasons.MALFORMED_RECORD,
                         f"WARC record {ordinal + 1} cannot be read (damaged or cut): "
                         f"{type(exc).__name__}: {exc}"[:500])
        return
    finally:
        if skipped:
            log.info("%s: %d non-response WARC records skipped", member or ctx.source_file,
                     skipped)
        if records.err_count:
            log.warning("%s: %d WARC records not followed by a blank line (a wrong "
                        "Content-Length?)", member or ctx.source_file, records.err_count)
    if records.offset < counted.count:
        yield ctx.reject(record_label(member, None, ordinal + 1), reasons.WARC_TRUNCATED,
                         f"the file ends inside the record after record {ordinal} "
                         f"({counted.count - records.offset} bytes left unread)")


def _response_item(ctx: ItemContext, record, label: str) -> Item:
    """One response record as an item or a reject."""
    headers = record.rec_headers
    if headers.get_header("WARC-Truncated"):
        return ctx.reject(label, reasons.WARC_TRUNCATED,
                          f"record marked WARC-Truncated: {headers.get_header('WARC-Truncated')}")
    http = record.http_headers
    status = http.get_statuscode() if http is not None else None
    if not status or not status.startswith("2"):
        return ctx.reject(label, reasons.WARC_HTTP_ERROR,
                          f"HTTP status {status or 'missing'}")
    limit = ctx.limits.max_article_bytes
    try:
        data = record.content_stream().read(limit + 1)
    except Exception as exc:  # noqa: BLE001 - a payload's decoder fails in its own way
        # (a brotli body raised AttributeError in warcio's decompressor): this record
        # only, the iterator goes on to the next one
        return ctx.reject(label, reasons.MALFORMED_RECORD,
                          f"cannot read the payload: {type(exc).__name__}: {exc}"[:500])
    if len(data) > limit:
        return ctx.reject(label, reasons.TOO_LARGE, f"page over {limit} bytes")
    if getattr(record.raw_stream, "limit", 0) > 0:
        return ctx.reject(label, reasons.WARC_TRUNCATED,
                          "the file ends inside this record", sha256_hex(data))
    content_type = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type not in HTML_TYPES and not (not content_type and looks_like_html(data)):
        return ctx.reject(label, reasons.WARC_NOT_HTML,
                          f"content type {content_type or 'missing'}", sha256_hex(data))
    return page_item(ctx, label, data, url=headers.get_header("WARC-Target-URI"),
                     published=headers.get_header("WARC-Date"))
