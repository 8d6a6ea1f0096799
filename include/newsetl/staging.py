"""Process one shard into Parquet files in the run's staging area.

A shard writes ``articles.parquet``, ``sections.parquet``, ``rejects.parquet`` and
``shard.json`` into ``<staging>/shards/<shard_id>/``. It writes into a temporary
folder first and renames it into place at the end, so a retried or killed shard
never leaves half a result that publishing could pick up.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from newsetl import schemas, storage
from newsetl.inputs import InputFile, Limits, file_sha256, iter_file, printable_name
from newsetl.minhash import sign_rows
from newsetl.process import Rows, process_items
from newsetl.shardfiles import (  # noqa: F401 - where shards stage, re-exported
    load_shard_meta,
    shard_dir,
    shard_location,
    staged_files,
)
from newsetl.shards import Shard

STAGED_SECTIONS = schemas.SECTIONS.append(pa.field("seq", pa.int64(), nullable=False))
#: Staging-only columns: the raw item's hash (for duplicate rejects), the
#: fingerprint as a number (``process.content_key``, what publishing groups on) and the
#: body's MinHash signature (published as the ``signatures`` table: computed here, in
#: the parallel shards, where the body already is).
STAGED_ARTICLES = pa.schema([
    *schemas.STAGED_ARTICLES,
    pa.field("raw_sha256", pa.string()),
    pa.field("content_key", pa.int64(), nullable=False),
    schemas.SIGNATURES.field("n_shingles"),
    schemas.SIGNATURES.field("minhash"),
])
STAGED_REJECTS = schemas.STAGED_REJECTS

_STAGED = {
    "articles": STAGED_ARTICLES,
    "sections": STAGED_SECTIONS,
    "rejects": STAGED_REJECTS,
}


#: Staged shard files live minutes and are read once by publishing: lz4 costs far less
#: CPU to write and read than the dataset's zstd.
STAGING_COMPRESSION = "lz4"


#: Staged rows are written every this many rows: the buffer (Python dicts, ~6 KB per
#: article row) is the part of a worker's memory that grows with a shard, so it is kept
#: small enough that a day of small shards and one of big shards peak alike.
FLUSH_ROWS = 1000


class _TableWriter:
    """Buffers rows of one table and writes row groups of ``flush_rows`` rows."""

    def __init__(self, path: Path, schema: pa.Schema, flush_rows: int = FLUSH_ROWS) -> None:
        self.path, self.schema, self.flush_rows = path, schema, flush_rows
        self.buffer: list[dict] = []
        self.writer: pq.ParquetWriter | None = None
        self.rows = 0

    def add(self, rows: list[dict]) -> None:
        self.buffer.extend(rows)
        if len(self.buffer) >= self.flush_rows:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        rows = self.buffer
        table = pa.Table.from_pydict(
            {name: [row.get(name) for row in rows] for name in self.schema.names},
            schema=self.schema)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.schema,
                                           compression=STAGING_COMPRESSION)
        self.writer.write_table(table)
        self.rows += len(self.buffer)
        self.buffer = []

    def close(self) -> None:
        self.flush()
        if self.writer is None:  # always leave a readable (empty) file for the publisher
            pq.write_table(self.schema.empty_table(), self.path,
                           compression=STAGING_COMPRESSION)
        else:
            self.writer.close()


def process_shard(day: Path | str, files: list[InputFile], shard: Shard, staging: Path | str,
                  detector: str | None = None, limits: Limits | None = None) -> dict:
    """Process the files of one shard; return a small JSON-able summary (XCom-safe).

    ``day`` and ``staging`` may be object-store URLs: inputs are then copied to a local
    temporary folder one file at a time, and the shard's results are uploaded when
    complete (``shard.json`` last, the marker publishing looks for).
    """
    if storage.is_remote(staging):
        with tempfile.TemporaryDirectory(prefix="newsetl-shard-") as tmpdir:
            local = Path(tmpdir) / "staging"
            summary = process_shard(day, files, shard, local, detector, limits)
            target = str(shard_location(staging, shard.shard_id))
            storage.remove_tree(target)
            storage.upload_tree(shard_dir(local, shard.shard_id), target, last="shard.json")
            return summary
    if storage.is_remote(day):
        with tempfile.TemporaryDirectory(prefix="newsetl-raw-") as tmpdir:
            return _process_local(Path(tmpdir), files, shard, Path(staging), detector, limits,
                                  remote_day=str(day))
    return _process_local(Path(day), files, shard, Path(staging), detector, limits)


def _process_local(day: Path, files: list[InputFile], shard: Shard, staging: Path,
                   detector: str | None, limits: Limits | None,
                   remote_day: str | None = None) -> dict:
    started = time.monotonic()
    limits = limits or Limits()
    final = shard_dir(staging, shard.shard_id)
    tmp = final.with_name(f"{final.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    writers = {name: _TableWriter(tmp / f"{name}.parquet", schema)
               for name, schema in _STAGED.items()}
    inputs, by_reason, by_lang = [], Counter(), Counter()
    n_items = n_articles = n_rejects = 0
    for index in range(shard.first, shard.last):
        entry = files[index]
        if remote_day is not None:  # one remote file at a time on local disk
            storage.fetch_file(f"{remote_day.rstrip('/')}/{entry.path}", day / entry.path)
        file_items = 0
        span = shard.span
        skipped: Counter[str] = Counter()
        for rows in process_items(iter_file(day, entry, index, limits, span, skipped),
                                  detector=detector):
            _add(writers, rows)
            file_items += len(rows.articles) + len(rows.rejects)
            n_articles += len(rows.articles)
            n_rejects += len(rows.rejects)
            by_reason.update(r["reason"] for r in rows.rejects)
            by_lang.update(a["lang"] for a in rows.articles)
        n_items += file_items
        listed = {"path": printable_name(entry.path), "size": entry.size,
                  "sha256": None, "items": file_items}
        if skipped:  # WARC records that are no items (requests, metadata, ...)
            listed["skipped_records"] = dict(sorted(skipped.items()))
        if span is None or span.start == 0:  # a file's first range hashes it
            listed["sha256"] = file_sha256(day / entry.path)
        if span is not None:
            listed["range"] = [span.start, span.stop]
        inputs.append(listed)
        if remote_day is not None:
            (day / entry.path).unlink()
    for writer in writers.values():
        writer.close()
    summary = {
        "shard_id": shard.shard_id,
        "n_files": shard.last - shard.first,
        "n_items": n_items,
        "n_articles": n_articles,
        "n_rejects": n_rejects,
        "rejects_by_reason": dict(sorted(by_reason.items())),
        "articles_by_lang": dict(sorted(by_lang.items())),
        "seconds": round(time.monotonic() - started, 3),
    }
    (tmp / "shard.json").write_text(json.dumps({**summary, "inputs": inputs}, indent=1))
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    return summary


def _add(writers: dict[str, _TableWriter], rows: Rows) -> None:
    sign_rows(rows.articles)
    writers["articles"].add(rows.articles)
    writers["sections"].add(rows.sections)
    writers["rejects"].add(rows.rejects)
