"""Turn a day's input files into raw items, safely: the readers' entry point.

An *input file* is a regular file under ``<raw_root>/<ds>/`` (nested folders allowed;
:mod:`newsetl.discovery`). An *item* is what should become one article: a ``.txt``
file, one JSONL line, one archive member (:mod:`newsetl.items`). Every item comes out
of :func:`iter_file` exactly once, either as a :class:`RawItem` or as a
:class:`RejectItem` with a reason code, so a day's accounting always balances. Nothing
here raises on bad input. The formats: text and JSONL streams (:mod:`newsetl.streams`),
HTML pages (:mod:`newsetl.htmltext`), WARC web archives (:mod:`newsetl.warc`),
SGML/TREC documents (:mod:`newsetl.sgml`), zip and tar archives (:mod:`newsetl.archives`).

The names below are re-exported for callers: import them from here.
"""

from __future__ import annotations

import gzip
import posixpath
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from newsetl import reasons
from newsetl.archives import iter_tar, iter_zip, zip_member_items, zip_members
from newsetl.discovery import (
    InputFile,
    day_dir,
    discover,
    discover_skipped,
    file_sha256,
    printable_name,
    scan,
)
from newsetl.items import (
    HTML,
    JSONL,
    MEMBER_BITS,
    SGML,
    TAR,
    TEXT,
    WARC,
    ZIP,
    Item,
    ItemContext,
    Limits,
    MiB,
    RawItem,
    RejectItem,
    classify_name,
    make_seq,
    seq_file_index,
    sha256_hex,
)
from newsetl.ranges import Span
from newsetl.streams import iter_jsonl, iter_stream, jsonl_splittable

__all__ = [
    "HTML", "JSONL", "MEMBER_BITS", "SGML", "TAR", "TEXT", "WARC", "ZIP", "InputFile", "Item",
    "Limits", "MiB",
    "RawItem", "RejectItem", "classify_name", "day_dir", "discover", "discover_skipped",
    "file_sha256", "iter_file", "jsonl_splittable", "make_seq", "printable_name", "scan",
    "seq_file_index", "sha256_hex", "zip_member_items", "zip_members",
]


def iter_file(day: Path, entry: InputFile, file_index: int, limits: Limits,
              span: Span | None = None, skipped: Counter[str] | None = None
              ) -> Iterator[Item]:
    """Every item of one input file, in order, as RawItem or RejectItem; with ``span``,
    only the lines of a JSONL file that start in that byte range, or the members of a
    zip in that index range. ``skipped`` gets the records passed over that are no items
    (:attr:`ItemContext.skipped`)."""
    path = day / entry.path
    fmt, gz = classify_name(entry.path)
    ctx = ItemContext(printable_name(entry.path), file_index, limits, by_line=fmt == JSONL)
    if skipped is not None:
        ctx.skipped = skipped
    if fmt is None:
        yield ctx.reject(None, reasons.UNSUPPORTED_FORMAT,
                         f"not an accepted input type: {posixpath.basename(ctx.source_file)}")
        return
    try:
        if fmt == ZIP:
            yield from iter_zip(ctx, path, span=span)
        elif fmt == TAR:
            yield from iter_tar(ctx, path)
        else:
            with path.open("rb") as raw:
                stream = gzip.GzipFile(fileobj=raw) if gz and fmt != WARC else raw
                if fmt == JSONL:
                    budget = limits.stream_budget(entry.size) if gz else None
                    yield from iter_jsonl(ctx, stream, None, span, budget)
                else:
                    yield from iter_stream(ctx, stream, fmt, None, gz,
                                           limits.stream_budget(entry.size))
    except OSError as exc:
        yield ctx.reject(None, reasons.CORRUPT_FILE, f"cannot read file: {exc}")
