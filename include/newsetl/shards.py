"""Split a day's input files into shards bounded by file count and bytes.

A shard is a contiguous run of the sorted input files, so the global ``seq`` order
(file index, then member) is also shard order. A single file larger than the byte
bound gets a shard of its own (files are never split). The number of shards is capped
(Airflow's ``max_map_length`` is 1024): when the bounds would give more, they grow.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from newsetl.inputs import InputFile

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

    def to_dict(self) -> dict:
        return asdict(self)


def plan_shards(files: list[InputFile], max_files: int = DEFAULT_MAX_FILES,
                max_bytes: int = DEFAULT_MAX_BYTES, max_shards: int = MAX_SHARDS,
                min_shards: int = 1) -> list[Shard]:
    """Greedy contiguous packing; never more than ``max_shards`` shards.

    ``min_shards`` shrinks the bounds so that parallel workers all get work (a day of
    a few big files would otherwise be one shard); it never splits a file.

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
    while True:
        shards = _pack(files, max_files, max_bytes)
        if len(shards) <= max_shards:
            return shards
        max_bytes *= 2
        max_files *= 2


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
