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
its central directory tells every member's size, and how many items each yields.
"""

from __future__ import annotations

import gzip
import math
from dataclasses import dataclass
from pathlib import Path

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
    line at ``start`` is number ``first_line`` (0-based). ``stop`` None: to the end."""

    start: int
    stop: int | None
    first_line: int


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

    >>> plan_spans([(10, 1), (20, 2), (30, 3)], 40, 2)
    [Span(start=0, stop=20, first_line=0), Span(start=20, stop=None, first_line=2)]
    >>> plan_spans([], 40, 4)
    [Span(start=0, stop=None, first_line=0)]
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
    import zipfile

    from newsetl.archives import zip_member_items, zip_members  # archives imports Span

    whole = [Span(0, None, 0)]
    if path.stat().st_size < MIN_SPLIT_BYTES or wanted < 2:
        return whole
    with zipfile.ZipFile(path) as archive:
        infos = zip_members(archive)
    counts = [zip_member_items(info) for info in infos]
    if not infos or None in counts:
        return whole
    total = sum(info.compress_size for info in infos)
    n_ranges = min(max(wanted, math.ceil(total / max_range_bytes)),
                   max(1, total // MIN_RANGE_BYTES), len(infos))
    if n_ranges < 2:
        return whole
    spans: list[Span] = []
    start = items = size = 0
    before = 0  # items before ``start``
    for index, info in enumerate(infos):
        if size >= total * (len(spans) + 1) / n_ranges and index > start:
            spans.append(Span(start, index, before))
            start, before = index, items
        size += info.compress_size
        items += counts[index]
    spans.append(Span(start, None, before))
    return spans
