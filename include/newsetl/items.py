"""The item model: what becomes one article, its place in source order, the bounds.

An *item* is what should become one article: a ``.txt`` file, one JSONL line, one
archive member. It comes out of the readers either as a :class:`RawItem` or as a
:class:`RejectItem` with a reason code. ``seq`` is its position in the day's source
order: the file's index in the sorted listing above :data:`MEMBER_BITS`, the item's
number within the file below (:func:`make_seq`; :func:`seq_file_index` reads it back).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Size bounds; the defaults suit news articles (a long feature is ~100 KB)."""

    max_article_bytes: int = 5 * MiB
    max_archive_bytes: int = 4096 * MiB
    max_archive_members: int = 1_000_000
    max_nesting: int = 2
    #: A gzip stream may grow this many times its compressed size (text: 3-10 times;
    #: a compression bomb: thousands) ...
    max_ratio: int = 100
    #: ... but always at least to this size (small files of repeated lines compress far).
    min_stream_budget: int = 64 * MiB

    def stream_budget(self, compressed: int) -> int:
        """Decompressed bytes a gzip stream of ``compressed`` bytes may produce.

        >>> Limits().stream_budget(10 * MiB) // MiB, Limits().stream_budget(1) // MiB
        (1000, 64)
        """
        return min(self.max_archive_bytes, max(self.min_stream_budget,
                                               self.max_ratio * compressed))


class OverBudget(Exception):
    """A compressed stream inflated past its decompression budget
    (:meth:`Limits.stream_budget`): a compression bomb, or a stream built to make its
    reader work on and on. Its reader ends the file with one ``too_large`` reject."""


def over_budget_detail(budget: int | None) -> str:
    """The detail of the ``too_large`` reject that ends a stream past its budget."""
    return (f"decompressed data over its budget of {budget} bytes (a compression bomb?): "
            "the rest of the file is not read")


@dataclass
class RawItem:
    """Bytes or text of one would-be article and where it came from."""

    source_file: str
    source_member: str | None
    seq: int
    raw_sha256: str
    data: bytes | None = None
    text: str | None = None
    meta: dict[str, str | None] = field(default_factory=dict)


@dataclass
class RejectItem:
    """An item that cannot become an article, with its reason code."""

    source_file: str
    source_member: str | None
    seq: int
    reason: str
    detail: str
    raw_sha256: str | None = None


Item = RawItem | RejectItem


#: Bits of ``seq`` for the member index; the file index sits above them.
MEMBER_BITS = 32


def make_seq(file_index: int, member_index: int) -> int:
    """Position of an item in sorted source order (file, then member or line)."""
    return (file_index << MEMBER_BITS) | member_index


def seq_file_index(seqs: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """The input-file index of each ``seq`` (vectorised, for publishing's counts)."""
    import pyarrow.compute as pc  # only publishing needs it; the readers stay light

    return pc.shift_right(seqs, MEMBER_BITS)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


TEXT, JSONL, ZIP, TAR = "text", "jsonl", "zip", "tar"
#: Web formats: one HTML page, a web archive of many pages, SGML/TREC documents.
HTML, WARC, SGML = "html", "warc", "sgml"
#: Formats whose streams hold any number of items (one per line, record or document).
MULTI_ITEM = (JSONL, WARC, SGML)


def classify_name(name: str) -> tuple[str | None, bool]:
    """(format, gzipped) from a file name; format None when not accepted.

    >>> classify_name("a/b/article.TXT")
    ('text', False)
    >>> classify_name("feed.jsonl.gz")
    ('jsonl', True)
    >>> classify_name("dump.tgz")
    ('tar', False)
    >>> classify_name("page.htm"), classify_name("crawl.warc.gz"), classify_name("ap.sgml")
    (('html', False), ('warc', True), ('sgml', False))
    >>> classify_name("scan.pdf")
    (None, False)
    """
    lower = name.lower()
    if lower.endswith((".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz")):
        return TAR, False
    if lower.endswith(".zip"):
        return ZIP, False
    gz = lower.endswith(".gz")
    base = lower[:-3] if gz else lower
    if base.endswith((".txt", ".text")):
        return TEXT, gz
    if base.endswith((".jsonl", ".ndjson")):
        return JSONL, gz
    if base.endswith((".html", ".htm", ".xhtml")):
        return HTML, gz
    if base.endswith(".warc"):
        return WARC, gz
    if base.endswith((".sgml", ".sgm", ".trec")):
        return SGML, gz
    return None, gz


@dataclass
class ItemContext:
    source_file: str
    file_index: int
    limits: Limits
    count: int = 0
    #: Items of a top-level JSONL file are numbered by line (``seq`` = file, line
    #: index), so that a shard reading a line range numbers them as one reader would.
    by_line: bool = False
    #: A text member of a zip is one item by contract (member-range shards count one
    #: item per text member, :func:`newsetl.archives.zip_member_items`), even when its
    #: content is a file of SGML documents.
    text_is_one_item: bool = False
    #: Records a reader passes over because they are no items and hold no article (a
    #: WARC file's request, metadata, warcinfo, revisit and resource records), by kind:
    #: the manifest counts them per input file (``skipped_records``), so that every
    #: record of the file is accounted for.
    skipped: Counter[str] = field(default_factory=Counter)

    def next_seq(self) -> int:
        seq = make_seq(self.file_index, self.count)
        self.count += 1
        return seq

    def line_seq(self, line_index: int) -> int | None:
        """``seq`` of the line with this 0-based index, or None (count items instead)."""
        return make_seq(self.file_index, line_index) if self.by_line else None

    def reject(self, member: str | None, reason: str, detail: str,
               raw_sha256: str | None = None, seq: int | None = None) -> RejectItem:
        return RejectItem(self.source_file, member, self.next_seq() if seq is None else seq,
                          reason, detail, raw_sha256)

    def item(self, member: str | None, data: bytes, meta: dict | None = None) -> RawItem:
        return RawItem(self.source_file, member, self.next_seq(), sha256_hex(data), data=data,
                       meta=meta or {})

    def text_item(self, member: str | None, text: str, raw_sha256: str,
                  meta: dict | None = None) -> RawItem:
        """An item whose text a reader already extracted (an HTML page, an SGML document):
        ``raw_sha256`` is the hash of its source bytes."""
        return RawItem(self.source_file, member, self.next_seq(), raw_sha256, text=text,
                       meta=meta or {})


def member_label(member: str | None, line_no: int) -> str:
    return f"{member}:{line_no}" if member else str(line_no)
