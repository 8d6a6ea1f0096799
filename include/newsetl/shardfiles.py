"""Where a run's shards stage their results: ``<staging>/shards/<shard_id>/``.

Apart from :mod:`newsetl.staging`, which writes them, so that publishing (which only
reads them) does not import the item-processing modules: the process that publishes a
day whose shards ran in workers never compiles the cleaning and segmentation rules.
"""

from __future__ import annotations

import json
from pathlib import Path

from newsetl import storage


def shard_dir(staging: Path, shard_id: int) -> Path:
    return staging / "shards" / f"{shard_id:05d}"


def staged_files(staging: Path, n_shards: int, table: str) -> list[Path]:
    """The staged ``table`` file of every shard, in shard order (all must be there)."""
    paths = []
    for shard_id in range(n_shards):
        path = shard_dir(staging, shard_id) / f"{table}.parquet"
        if not path.exists():
            raise FileNotFoundError(f"shard {shard_id} has no staged {table}: {path}")
        paths.append(path)
    return paths


def load_shard_meta(staging: Path, n_shards: int) -> list[dict]:
    """Every shard's ``shard.json`` (its inputs, item count and seconds), in shard order."""
    return [json.loads((shard_dir(staging, i) / "shard.json").read_text())
            for i in range(n_shards)]


def shard_location(staging: Path | str, shard_id: int) -> Path | str:
    """Where a shard's results live: a local folder or a URL (object-store staging)."""
    return storage.join(staging, "shards", f"{shard_id:05d}")
