"""Line ranges of one big JSONL file, so that several shards (workers) share it.

A day is often one big dump (a 110 MB ``.jsonl.gz`` of 60,000 articles). As one shard
it keeps one worker busy and the other idle, and its staged tables grow with the file.
So the planner cuts a big JSONL file into ranges of its (decompressed) bytes, each
starting at a line start, and each range is a shard of its own.

An index pass reads the file once (decompressing a ``.gz``) and notes, about every
:data:`SAMPLE_BYTES`, a line start and the number of the line that starts there. The
ranges are cut at those samples, so a shard knows the byte offset to start at and the
number of its first line: items keep the line numbers (``source_member``) and ``seq``
values they have when one reader reads the whole file, whatever the number of shards.

A shard of a plain file seeks to its start; one of a ``.gz`` file decompresses and
skips the bytes before it (gzip cannot seek), so ``.gz`` files get at most
:data:`MAX_GZIP_RANGES` ranges. Memory stays bounded: the pass reads fixed chunks.

A big zip of text members is cut the same way by member index (:func:`split_zip`):
its central directory tells every member's size, and how many items each yields. The
planner streams that directory (:mod:`newsetl.zipdir`) and keeps two numbers per member,
not a ``ZipInfo``. When the directory lists the members in source order (by name, as
dumps are usually written), each range says so (``zip_entries``) and its worker reads
the headers of its own range alone: memory stays flat in the number of members.
"""

from __future__ import annotations

import gzip
import math
import zipfile
from array import array
from dataclasses import dataclass
from pathlib import Path

from newsetl import zipdir

MiB = 1024 * 1024
#: Files below this (on disk) are never split: a range costs an open and a seek.
MIN_SPLIT_BYTES = 16 * MiB
#: A range holds at least this many bytes.
MIN_RANGE_BYTES = 8 * MiB
#: Line starts are noted about this often during the index pass.
SAMPLE_BYTES = 1 * MiB
#: Every .gz range decompresses the bytes before it, so they are few.
MAX_GZIP_RANGES = 8
_CHUNK = 1 * MiB


@dataclass(frozen=True)
class Span:
    """Lines of one file that start in ``[start, stop)`` (decompressed bytes); the
    line at ``start`` is number ``first_line`` (0-based). ``stop`` None: to the end.

    For a zip, members ``start``..``stop`` in source order; ``zip_entries`` set when
    its central directory lists exactly that many members, in source order, so the
    range's headers can be read alone (:func:`newsetl.zipdir.read_range`)."""

    start: int
    stop: int | None
    first_line: int
    zip_entries: int | None = None


def line_samples(path: Path, gz: bool, budget: int | None = None
                 ) -> tuple[list[tuple[int, int]], int]:
    """``(offset, line)`` samples of line starts, and the bytes read (at most
    ``budget``: a stream past its decompression budget is cut there anyway)."""
    samples: list[tuple[int, int]] = []
    offset = lines = 0
    next_sample = SAMPLE_BYTES
    with path.open("rb") as raw:
        stream = gzip.GzipFile(fileobj=raw) if gz else raw
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            last = chunk.rfind(b"\n")
            newlines = chunk.count(b"\n")
            if last >= 0 and offset + last + 1 >= next_sample:
                samples.append((offset + last + 1, lines + newlines))
                next_sample = offset + last + 1 + SAMPLE_BYTES
            lines += newlines
            offset += len(chunk)
            if budget is not None and offset > budget:
                break
    return samples, offset


def plan_spans(samples: list[tuple[int, int]], total: int, n_ranges: int) -> list[Span]:
    """Cut ``total`` bytes into about ``n_ranges`` equal spans at sampled line starts.

    >>> [(s.start, s.stop, s.first_line) for s in plan_spans([(10, 1), (20, 2), (30, 3)], 40, 2)]
    [(0, 20, 0), (20, None, 2)]
    >>> plan_spans([], 40, 4)
    [Span(start=0, stop=None, first_line=0, zip_entries=None)]
    """
    cuts: list[tuple[int, int]] = []
    for k in range(1, n_ranges):
        target = total * k // n_ranges
        best = min((s for s in samples if s[0] > (cuts[-1][0] if cuts else 0)),
                   key=lambda s: abs(s[0] - target), default=None)
        if best is not None and best[0] < total and best not in cuts:
            cuts.append(best)
    bounds = [(0, 0), *cuts]
    return [Span(start, bounds[i + 1][0] if i + 1 < len(bounds) else None, line)
            for i, (start, line) in enumerate(bounds)]


def split_file(path: Path, gz: bool, wanted: int, max_range_bytes: int,
               budget: int | None = None) -> list[Span]:
    """The spans of one JSONL file: about ``wanted`` of them (more when a span would
    exceed ``max_range_bytes``), none under :data:`MIN_RANGE_BYTES`; one span (the
    whole file) when it is not worth splitting."""
    if path.stat().st_size < MIN_SPLIT_BYTES or wanted < 1:
        return [Span(0, None, 0)]
    samples, total = line_samples(path, gz, budget)
    n_ranges = max(wanted, math.ceil(total / max_range_bytes))
    n_ranges = min(n_ranges, max(1, total // MIN_RANGE_BYTES))
    if gz:
        n_ranges = min(n_ranges, MAX_GZIP_RANGES)
    return plan_spans(samples, total, n_ranges) if n_ranges > 1 else [Span(0, None, 0)]


def split_zip(path: Path, wanted: int, max_range_bytes: int) -> list[Span]:
    """Member ranges of a big zip whose members each yield a known number of items
    (text members; see ``archives.zip_member_items``): ``start``/``stop`` are member
    indexes in source order and ``first_line`` the number of items before ``start``,
    cut into about ``wanted`` ranges of equal compressed size. One span (the whole
    archive) otherwise."""
    whole = [Span(0, None, 0)]
    if path.stat().st_size < MIN_SPLIT_BYTES or wanted < 2:
        return whole
    index = zip_index(path)
    return whole if index is None else cut_members(index, wanted, max_range_bytes)


@dataclass(frozen=True)
class ZipIndex:
    """What cutting a zip into ranges needs, per member in source order: compressed
    size and number of items (0 or 1); a few bytes each, not a ``ZipInfo``.
    ``in_order``: the central directory lists the members in that order."""

    sizes: array
    items: bytearray
    in_order: bool


def zip_index(path: Path) -> ZipIndex | None:
    """The zip's :class:`ZipIndex`, or None when a member yields an unknown number of
    items (JSONL, nested archives). Read from the streamed directory; when that reader
    declines (:data:`newsetl.zipdir.DIRECTORY_ERRORS`: unusual, damaged or out of name
    order), from ``zipfile``'s full one, which also reports damage."""
    if zipdir.available():
        try:
            return _index_directory(path)
        except zipdir.DIRECTORY_ERRORS:
            pass
    return _index_zipfile(path)


def _index_directory(path: Path) -> ZipIndex | None:
    """The index from the streamed directory, which must list members in name order
    (:class:`newsetl.zipdir.UnusualZip` otherwise)."""
    from newsetl.archives import zip_member_items  # archives imports Span

    sizes, items = array("Q"), bytearray()
    previous = ""
    with path.open("rb") as fp:
        for info in zipdir.iter_infos(fp, zipdir.find_directory(fp)):
            count = zip_member_items(info)
            if count is None:
                return None
            if info.filename < previous:
                raise zipdir.UnusualZip("directory not in name order")
            previous = info.filename
            sizes.append(info.compress_size)
            items.append(count)
    return ZipIndex(sizes, items, in_order=True)


def _index_zipfile(path: Path) -> ZipIndex | None:
    """The index from ``zipfile``'s reader, members sorted into source order; its
    ``ZipInfo`` objects are dropped on return."""
    from newsetl.archives import zip_member_items, zip_members  # archives imports Span

    with zipfile.ZipFile(path) as archive:
        infos = zip_members(archive)
    counts = [zip_member_items(info) for info in infos]
    if None in counts:
        return None
    return ZipIndex(array("Q", (info.compress_size for info in infos)),
                    bytearray(counts), in_order=False)  # type: ignore[arg-type]


def cut_members(index: ZipIndex, wanted: int, max_range_bytes: int) -> list[Span]:
    """About ``wanted`` member ranges of equal compressed size (more when a range would
    exceed ``max_range_bytes``, none under :data:`MIN_RANGE_BYTES`).

    >>> index = ZipIndex(array("Q", [8 * MiB] * 4), bytearray([1, 0, 1, 1]), in_order=True)
    >>> [(s.start, s.stop, s.first_line, s.zip_entries) for s in cut_members(index, 2, 64 * MiB)]
    [(0, 2, 0, 4), (2, None, 1, 4)]
    """
    whole = [Span(0, None, 0)]
    total = sum(index.sizes)
    n_ranges = min(max(wanted, math.ceil(total / max_range_bytes)),
                   max(1, total // MIN_RANGE_BYTES), len(index.sizes))
    if n_ranges < 2:
        return whole
    entries = len(index.sizes) if index.in_order else None
    spans: list[Span] = []
    start = items = size = 0
    before = 0  # items before ``start``
    members = zip(index.sizes, index.items, strict=True)
    for member, (compressed, count) in enumerate(members):
        if size >= total * (len(spans) + 1) / n_ranges and member > start:
            spans.append(Span(start, member, before, entries))
            start, before = member, items
        size += compressed
        items += count
    spans.append(Span(start, None, before, entries))
    return spans
