"""Split a day's input files into shards bounded by file count and bytes.

A shard is a contiguous run of the sorted input files, so the global ``seq`` order
(file index, then member) is also shard order. A single file larger than the byte
bound gets a shard of its own. A big JSONL file that the planner cut into line ranges
(:mod:`newsetl.ranges`) gets one shard per range (``start``/``stop``/``first_line``),
so the workers share it. The number of shards is capped (Airflow's ``max_map_length``
is 1024): when the bounds would give more, they grow.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from newsetl.discovery import InputFile
from newsetl.ranges import Span

DEFAULT_MAX_FILES = 2000
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
MAX_SHARDS = 1000


@dataclass(frozen=True)
class Shard:
    """A shard: its id and the indexes of its files in the day's sorted file list."""

    shard_id: int
    first: int
    last: int  # exclusive
    n_bytes: int
    #: A line range of the single file ``first`` (:class:`newsetl.ranges.Span`), or None
    #: for whole files.
    start: int | None = None
    stop: int | None = None
    first_line: int = 0
    #: A zip member range whose worker may read its range's headers alone
    #: (:attr:`newsetl.ranges.Span.zip_entries`).
    zip_entries: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def span(self) -> Span | None:
        if self.start is None:
            return None
        return Span(self.start, self.stop, self.first_line, self.zip_entries)

    def label(self) -> str:
        """``files 40-59`` or ``file 7, bytes 33554432-``."""
        if self.start is None:
            return f"files {self.first}-{self.last - 1}"
        stop = "" if self.stop is None else self.stop
        return f"file {self.first}, bytes {self.start}-{stop}"


def plan_shards(files: list[InputFile], max_files: int = DEFAULT_MAX_FILES,
                max_bytes: int = DEFAULT_MAX_BYTES, max_shards: int = MAX_SHARDS,
                min_shards: int = 1, spans: dict[int, list[Span]] | None = None
                ) -> list[Shard]:
    """Greedy contiguous packing; never more than ``max_shards`` shards.

    ``min_shards`` shrinks the bounds so that parallel workers all get work (a day of
    a few big files would otherwise be one shard). Files listed in ``spans`` with more
    than one span are cut there, one shard per span.

    >>> fs = [InputFile("a.jsonl", 90), InputFile("b.txt", 5), InputFile("c.txt", 5)]
    >>> [s.label() for s in plan_shards(fs, spans={0: [Span(0, 50, 0), Span(50, None, 9)]})]
    ['file 0, bytes 0-50', 'file 0, bytes 50-', 'files 1-2']

    >>> fs = [InputFile(f"{i}.txt", 10) for i in range(5)]
    >>> [(s.first, s.last) for s in plan_shards(fs, max_files=2)]
    [(0, 2), (2, 4), (4, 5)]
    >>> len(plan_shards([InputFile(f"{i}", 1) for i in range(5000)], max_files=1, max_shards=10))
    10
    >>> len(plan_shards([InputFile(f"{i}", 100) for i in range(8)], min_shards=4))
    4
    """
    if not files:
        return []
    total = sum(f.size for f in files)
    if min_shards > 1:
        max_files = max(1, min(max_files, math.ceil(len(files) / min_shards)))
        max_bytes = max(1, min(max_bytes, math.ceil(total / min_shards)))
    # Grow the bounds until the plan fits under max_shards.
    max_files = max(max_files, math.ceil(len(files) / max_shards))
    max_bytes = max(max_bytes, math.ceil(total / max_shards))
    split = {i: v for i, v in (spans or {}).items() if len(v) > 1}
    while True:
        shards = _pack_around(files, max_files, max_bytes, split)
        if len(shards) <= max_shards:
            return shards
        max_bytes *= 2
        max_files *= 2
        split = {i: _merge_pairs(v) for i, v in split.items()}


def _merge_pairs(spans: list[Span]) -> list[Span]:
    """Half as many spans: each pair joined."""
    return [Span(a.start, spans[i + 1].stop if i + 1 < len(spans) else a.stop, a.first_line,
                 a.zip_entries)
            for i, a in list(enumerate(spans))[::2]]


def _pack_around(files: list[InputFile], max_files: int, max_bytes: int,
                 split: dict[int, list[Span]]) -> list[Shard]:
    """Whole-file packing between the split files; one shard per span of a split file."""
    shards: list[Shard] = []
    start = 0
    for index in [*sorted(split), len(files)]:
        if index > start:
            for shard in _pack(files[start:index], max_files, max_bytes):
                shards.append(Shard(len(shards), shard.first + start, shard.last + start,
                                    shard.n_bytes))
        if index < len(files):
            size = files[index].size
            for span in split[index]:
                part = (span.stop if span.stop is not None else size) - span.start
                shards.append(Shard(len(shards), index, index + 1, max(0, part),
                                    span.start, span.stop, span.first_line, span.zip_entries))
        start = index + 1
    return shards


def _pack(files: list[InputFile], max_files: int, max_bytes: int) -> list[Shard]:
    shards: list[Shard] = []
    start, size = 0, 0
    for i, f in enumerate(files):
        if i > start and (i - start >= max_files or size + f.size > max_bytes):
            shards.append(Shard(len(shards), start, i, size))
            start, size = i, 0
        size += f.size
    shards.append(Shard(len(shards), start, len(files), size))
    return shards
