"""Publish a day as Delta Lake commits: write, audit, publish.

1. **write** — the shards of a run are already staged as Parquet (:mod:`newsetl.staging`);
2. **audit** — one cheap pass over the staged keys finds duplicates and counts every row,
   so accounting (``input_items == articles + rejects``) and the quality gate run once,
   before anything is committed, and their results go into the manifest;
3. **publish** — each table (``articles``, ``sections``, ``rejects``, and the articles'
   MinHash ``signatures``) is committed with a
   predicate overwrite of its ``ds = 'D'`` partition, then the day's row of the
   ``manifests`` table, recording each table's Delta version, is committed **last**.

A day is published when its manifest row is committed. A crash before that leaves the
previous manifest row, whose versions still hold the previous rows of the day (Delta
keeps old files until ``newsetl maintain`` vacuums them), so readers that pin manifest
versions (:mod:`newsetl.readers`) see the previous consistent day; a rerun overwrites
the partitions again (idempotent: same rows). Every commit carries the run's publish
id in its commit metadata, so a commit whose reply was lost on the network is found in
the table history and counted as done. Concurrent publishers of one day never lose a
commit: delta-rs commits with put-if-absent (local link, S3 conditional write), a
conflicting overwrite fails with ``CommitFailedError`` and is redone on the newer
snapshot; the last manifest row wins, and it names versions holding its own rows.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsetl import PIPELINE_VERSION, daystatus, deltalog, layout, schemas, storage
from newsetl.cleanup import DEFAULT_MAX_AGE, remove_dead_staging
from newsetl.dedup import find_duplicates, without
from newsetl.deltawrite import commit_files, write_files
from newsetl.items import seq_file_index
from newsetl.minhash import SIGNATURE_VERSION
from newsetl.readers import open_table
from newsetl.shardfiles import load_shard_meta, staged_files

#: Rows per Parquet row group of the tables (the writer buffers one group per partition).
ROW_GROUP_ROWS = 50_000
#: Staged rows are read back in batches of about this many bytes (rows per batch from
#: the shard's Parquet metadata): publishing holds one batch per table (plus the
#: writers' row-group buffers), however big a shard is. Sized in bytes, not rows: an
#: article row is ~11x a section row, and 2,048-row batches of sections spent more
#: time on per-batch overhead than on the rows (100,000-article day, bench/publish.py:
#: median 7.7 s -> 5.7 s on a busy machine, as 0.1.0; 8 MB batches: no faster, ~50 MB
#: more peak).
READ_BATCH_BYTES = 4 << 20
#: Commit metadata key holding the run's publish id (found again in the table history).
PUBLISH_ID = "newsetl.publish_id"
#: How far back the history is searched for a publish id, and how often a commit that
#: lost a race against another publisher of the day is redone.
HISTORY_LOOKBACK = 100
COMMIT_ATTEMPTS = 5


def warm_up() -> None:
    """Load now what publishing would load on its first rows: pyarrow imports pandas on
    its first conversion (its pandas shim, ~0.2 CPU s). A run with workers calls this
    while their forkserver warms up on another core, instead of paying it after the
    shards, where every second of this process adds to the run's wall time."""
    pa.array([], pa.string())


class AccountingError(RuntimeError):
    """Input items and output rows do not balance: a bug, never published."""


def _file_counts(seqs: pa.ChunkedArray | pa.Array) -> dict[int, int]:
    """Rows per input file index (the high bits of ``seq``)."""
    files = seq_file_index(seqs)
    return {c["values"]: c["counts"] for c in pc.value_counts(files).to_pylist()}


def audit(staging: Path, n_shards: int) -> dict:
    """Count what the day will publish, reading only the staged key columns: articles by
    language and per input file, sections, and the day's reject rows (staged plus
    duplicates) per input file and per reason, in one pass over batches that also finds
    how to stream the rejects in ``seq`` order (:class:`StagedRejects`)."""
    dup_seqs, dup_table = find_duplicates(staging, n_shards)
    by_lang: Counter = Counter()
    per_file: dict[int, Counter] = {}
    n_articles = n_sections = 0
    for path in staged_files(staging, n_shards, "articles"):
        keys = without(pq.read_table(path, columns=["seq", "lang"]), dup_seqs)
        n_articles += keys.num_rows
        by_lang.update({c["values"]: c["counts"]
                        for c in pc.value_counts(keys.column("lang")).to_pylist()})
        for index, n in _file_counts(keys.column("seq")).items():
            per_file.setdefault(index, Counter())["articles"] += n
    for path in staged_files(staging, n_shards, "sections"):
        n_sections += (pq.ParquetFile(path).metadata.num_rows if len(dup_seqs) == 0 else
                       without(pq.read_table(path, columns=["seq"]), dup_seqs).num_rows)
    rejects, by_reason = _count_rejects(staged_files(staging, n_shards, "rejects"), dup_table,
                                        per_file)
    return {"dup_seqs": dup_seqs, "rejects": rejects, "per_file": per_file,
            "rows": {"articles": n_articles, "sections": n_sections,
                     "rejects": rejects.num_rows},
            "articles_by_lang": by_lang,
            "rejects_by_reason": by_reason}


@dataclass
class StagedRejects:
    """The day's reject rows, to be streamed in ``seq`` order (:func:`_rejects_reader`):
    the staged files in shard order, the row ranges of their concatenation that are each
    sorted by ``seq`` (``runs``: one, ``[(0, n)]``, as shards stage items in source
    order and follow each other; a reject staged after rows of higher ``seq``, such as
    a JSONL file's ``cannot read file`` reject numbered as its first item, starts
    another), and the duplicates' reject rows (built in memory by
    :func:`newsetl.dedup.find_duplicates`)."""

    paths: list[Path]
    runs: list[tuple[int, int]]
    duplicates: pa.Table

    @property
    def num_rows(self) -> int:
        return sum(b - a for a, b in self.runs) + self.duplicates.num_rows


def _count_rejects(paths: list[Path], duplicates: pa.Table,
                   per_file: dict[int, Counter]) -> tuple[StagedRejects, Counter]:
    """Count the reject rows per input file (into ``per_file``) and per reason, reading
    the staged ``seq`` and ``reason`` columns batch by batch, and find where ``seq``
    drops (the starts of the sorted runs)."""
    by_reason: Counter = Counter()

    def count(seqs: pa.Array, reason: pa.Array) -> None:
        for index, n in _file_counts(seqs).items():
            per_file.setdefault(index, Counter())["rejects"] += n
        by_reason.update({c["values"]: c["counts"]
                          for c in pc.value_counts(reason).to_pylist()})

    starts, n, last = [0], 0, None
    for path in paths:
        staged = pq.ParquetFile(path)
        for batch in staged.iter_batches(batch_size=_batch_rows(staged.metadata),
                                         columns=["seq", "reason"], use_threads=False):
            if batch.num_rows == 0:
                continue
            seqs = batch.column("seq")
            count(seqs, batch.column("reason"))
            if last is not None and seqs[0].as_py() < last:
                starts.append(n)
            drops = pc.indices_nonzero(pc.less(seqs.slice(1), seqs.slice(0, len(seqs) - 1)))
            starts.extend(n + 1 + i for i in drops.to_pylist())
            last = seqs[-1].as_py()
            n += batch.num_rows
    if duplicates.num_rows:
        count(duplicates.column("seq"), duplicates.column("reason"))
    runs = [(a, b) for a, b in zip(starts, [*starts[1:], n], strict=True) if b > a]
    return StagedRejects(paths, runs, duplicates), by_reason


def merge_ranges(inputs: list[dict]) -> list[dict]:
    """One manifest entry per input file: the line ranges of a split file (consecutive
    shards) are summed into the entry of its first range.

    >>> merge_ranges([{"path": "a", "items": 2, "sha256": "x", "range": [0, 9]},
    ...               {"path": "a", "items": 3, "sha256": None, "range": [9, None]},
    ...               {"path": "b", "items": 1, "sha256": "y"}])[0]
    {'path': 'a', 'items': 5, 'sha256': 'x', 'ranges': 2}
    """
    merged: list[dict] = []
    for entry in inputs:
        if "range" not in entry:
            merged.append(entry)
            continue
        if entry["range"][0] == 0 or not merged or merged[-1]["path"] != entry["path"]:
            merged.append({k: v for k, v in entry.items() if k != "range"} | {"ranges": 1})
            continue
        merged[-1]["items"] += entry["items"]
        merged[-1]["ranges"] += 1
        if entry.get("skipped_records"):  # a zip's member range with WARC members
            total = Counter(merged[-1].get("skipped_records", {}))
            total.update(entry["skipped_records"])
            merged[-1]["skipped_records"] = dict(sorted(total.items()))
    return merged


def new_publish_id() -> str:
    return datetime.now(UTC).strftime("v%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)


# --- Delta commits ---------------------------------------------------------------------

def _to_delta(data: pa.Table, table: str, day: layout.Day) -> list[pa.RecordBatch]:
    """Staged rows as the table's Delta schema: staging-only columns dropped, ``ds`` set."""
    schema = schemas.delta_schema(table)
    names = [n for n in schema.names if n != "ds"]
    data = data.select(names).append_column("ds", pa.array([day.ds] * data.num_rows,
                                                           pa.string()))
    return data.cast(schema).to_batches()


def _staged_reader(paths: list[Path], table: str, day: layout.Day,
                   dup_seqs: pa.Array) -> pa.RecordBatchReader:
    """The day's rows of ``table``, streamed from the staged shards without duplicates
    (shards stage rows in source order, so nothing needs sorting)."""
    columns = [*(n for n in schemas.delta_schema(table).names if n != "ds"), "seq"]

    def batches() -> Iterator[pa.RecordBatch]:
        for path in paths:
            # one thread: the table writers already run in parallel
            staged = pq.ParquetFile(path)
            for batch in staged.iter_batches(batch_size=_batch_rows(staged.metadata),
                                             columns=columns, use_threads=False):
                yield from _to_delta(without(pa.Table.from_batches([batch]), dup_seqs),
                                     table, day)
    return pa.RecordBatchReader.from_batches(schemas.delta_schema(table), batches())


def _rejects_reader(rejects: StagedRejects, day: layout.Day) -> pa.RecordBatchReader:
    """The day's reject rows in ``seq`` order, streamed: the rows and order of a stable
    sort of the staged rows (in shard order) followed by the duplicates' rows, holding
    about one batch per sorted run (:func:`_merge_by_seq`) instead of the whole day."""
    columns = schemas.STAGED_REJECTS.names
    runs = [_run_batches(rejects.paths, a, b, columns, max(1, len(rejects.runs)))
            for a, b in rejects.runs]
    if rejects.duplicates.num_rows:
        runs.append(iter([rejects.duplicates.select(columns).sort_by("seq")]))

    def batches() -> Iterator[pa.RecordBatch]:
        for rows in _merge_by_seq(runs):
            yield from _to_delta(rows, "rejects", day)
    return pa.RecordBatchReader.from_batches(schemas.delta_schema("rejects"), batches())


def _run_batches(paths: list[Path], start: int, stop: int, columns: list[str],
                 share: int = 1) -> Iterator[pa.Table]:
    """Rows ``start``..``stop`` of the concatenated staged files, in batches of a
    ``share``-th of the usual rows (the row groups before ``start`` are not read)."""
    offset = 0
    for path in paths:
        staged = pq.ParquetFile(path)
        meta = staged.metadata
        if offset >= stop:
            return
        if offset + meta.num_rows <= start:
            offset += meta.num_rows
            continue
        groups, at, pos = [], None, offset
        for g in range(meta.num_row_groups):
            rows = meta.row_group(g).num_rows
            if pos + rows > start and pos < stop:
                groups.append(g)
                at = pos if at is None else at
            pos += rows
        for batch in staged.iter_batches(batch_size=max(1, _batch_rows(meta) // share),
                                         row_groups=groups, columns=columns,
                                         use_threads=False):
            lo, hi = max(start - at, 0), min(stop - at, batch.num_rows)
            if hi > lo:
                yield pa.Table.from_batches([batch.slice(lo, hi - lo)])
            at += batch.num_rows
        offset += meta.num_rows


def _merge_by_seq(runs: list[Iterator[pa.Table]]) -> Iterator[pa.Table]:
    """Merge tables streamed by ``runs``, each sorted by ``seq``: the rows and order of a
    stable sort of their concatenation (equal ``seq``: earlier run first, then run order).

    Each round yields, from every run's buffered rows, those below the smallest last
    ``seq`` of the runs not yet exhausted (no row still to come is below it), stably
    sorted; the runs whose buffer ends at that ``seq`` read their next table.
    """
    if len(runs) == 1:
        yield from (t for t in runs[0] if t.num_rows)
        return
    buffers: list[pa.Table | None] = [None] * len(runs)
    open_runs = set(range(len(runs)))

    def refill(i: int) -> None:
        for table in runs[i]:
            if table.num_rows:
                buffers[i] = table if buffers[i] is None else pa.concat_tables(
                    [buffers[i], table])
                return
        open_runs.discard(i)

    for i in range(len(runs)):
        refill(i)
    while True:
        if not open_runs:
            rest = [b for b in buffers if b is not None and b.num_rows]
            if rest:
                yield pa.concat_tables(rest).sort_by("seq") if len(rest) > 1 else rest[0]
            return
        bound = min(buffers[i].column("seq")[-1].as_py() for i in open_runs)
        out = []
        for i, buffered in enumerate(buffers):
            if buffered is None:
                continue
            n = pc.sum(pc.less(buffered.column("seq"), bound)).as_py() or 0
            if n:
                out.append(buffered.slice(0, n))
                buffers[i] = buffered.slice(n)
        if out:
            yield pa.concat_tables(out).sort_by("seq") if len(out) > 1 else out[0]
        for i in sorted(open_runs):
            if buffers[i].column("seq")[-1].as_py() == bound:
                refill(i)


def _batch_rows(meta: pq.FileMetaData) -> int:
    size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    return max(1, READ_BATCH_BYTES * max(meta.num_rows, 1) // max(size, 1))


def committed_version(uri: str, publish_id: str, after: int = -1) -> int | None:
    """The version of the commit carrying ``publish_id`` among the table's last
    :data:`HISTORY_LOOKBACK` commits newer than ``after`` (read from the log by
    version: :mod:`newsetl.deltalog` says why not ``DeltaTable.history()``)."""
    for entry in deltalog.commits(uri, limit=HISTORY_LOOKBACK, oldest=after + 1):
        if entry.get(PUBLISH_ID) == publish_id:
            return int(entry["version"])
    return None


def _ensure_table(uri: str, table: str) -> None:
    """Create the empty table before its first write: two first writes racing to create
    it would both commit (neither sees the other's files to replace), while overwrites
    of an existing table conflict and are redone (measured with delta-rs 1.6)."""
    from deltalake import DeltaTable

    if open_table(uri) is not None:
        return
    try:
        DeltaTable.create(uri, schema=schemas.delta_schema(table), mode="ignore",
                          partition_by=layout.PARTITIONS[table],
                          storage_options=layout.storage_options(uri))
    except Exception:
        if open_table(uri) is None:
            raise  # not a lost creation race


def commit_day(out_root: storage.Location, table: str, day: layout.Day | None,
               data: Callable[[], pa.RecordBatchReader | pa.Table], publish_id: str,
               predicate: str | None = None, streamed: bool = False,
               metadata: dict[str, str] | None = None) -> int:
    """Replace the day's partition of ``table`` (or the rows matching ``predicate``) in
    one Delta commit; its version.

    ``data`` is called again for a retry. A failure whose commit landed anyway (the
    reply was lost) is a success; a lost race with another publisher of the day is
    redone on the newer snapshot, so both commits stay in the history, and the version
    returned is always the last of ours (a redone commit is never the answer, even when
    the redo fails and the history is searched again).

    ``streamed`` (a whole day of ``articles``, ``sections`` or ``rejects``): the files
    are written once by :mod:`newsetl.deltawrite` in bounded buffers and committed as
    add actions replacing the ``ds`` partition; a redone commit reuses them. ``metadata`` is added
    to the commit's metadata (e.g. the days a ``near_duplicates`` commit covers).
    """
    from deltalake import CommitProperties, WriterProperties, write_deltalake
    from deltalake.exceptions import CommitFailedError

    uri = str(layout.table_uri(out_root, table))
    _ensure_table(uri, table)
    schema, partition_by = schemas.delta_schema(table), layout.PARTITIONS[table]
    actions = write_files(uri, schema, partition_by, data()) if streamed else None
    superseded = -1  # our commits up to this version were redone (not the answer)
    for attempt in range(1, COMMIT_ATTEMPTS + 1):
        try:
            if actions is not None:
                read = commit_files(uri, schema, partition_by, day.ds, actions,
                                    {PUBLISH_ID: publish_id, **(metadata or {})},
                                    layout.storage_options(uri))
                version = committed_version(uri, publish_id, after=max(read, superseded))
                if version is not None and version > read + 1 and attempt < COMMIT_ATTEMPTS:
                    # other commits landed between our snapshot and our commit, which the
                    # overwrite did not see (delta-rs checks only the files it read): redo
                    # on the newer snapshot, with new files, so the day holds ours alone
                    superseded = version
                    actions = write_files(uri, schema, partition_by, data())
                    continue
            else:
                write_deltalake(
                    uri, data(), partition_by=partition_by, mode="overwrite",
                    predicate=predicate or day.predicate,
                    storage_options=layout.storage_options(uri),
                    writer_properties=WriterProperties(compression="ZSTD",
                                                       max_row_group_size=ROW_GROUP_ROWS),
                    commit_properties=CommitProperties(
                        custom_metadata={PUBLISH_ID: publish_id, **(metadata or {})}))
                version = committed_version(uri, publish_id, after=superseded)
        except Exception as exc:
            version = committed_version(uri, publish_id, after=superseded)
            if version is not None:
                return version  # committed; only the answer was lost
            if not isinstance(exc, CommitFailedError) or attempt == COMMIT_ATTEMPTS:
                raise
            continue
        if version is None:  # pragma: no cover - more than HISTORY_LOOKBACK commits since
            raise RuntimeError(f"commit {publish_id} of {uri} not found in its history")
        return version
    raise AssertionError("unreachable")  # pragma: no cover


def update_manifests(out_root: storage.Location,
                     plan: Callable[[Any], tuple[pa.Table, str] | None]) -> int | None:
    """Rewrite manifest rows from what the ``manifests`` table holds, as a
    compare-and-swap; the committed version, or None when ``plan`` had nothing to write.

    ``plan`` gets the table at one version (None when it was never written) and returns
    the new rows with the predicate of the rows they replace. The commit is made
    against that same version, so a manifest commit that landed after it (a publish of
    one of the days) fails it, and the rows are planned again from the newer version.
    A re-pin or a re-sign therefore never writes back a row that a publish replaced
    meanwhile, nor deletes one (:func:`commit_day`'s retry would redo a stale row).
    """
    from deltalake import CommitProperties, WriterProperties, write_deltalake
    from deltalake.exceptions import CommitFailedError

    uri = str(layout.table_uri(out_root, layout.MANIFESTS))
    for _attempt in range(COMMIT_ATTEMPTS):
        table = open_table(uri)
        planned = plan(table)
        if planned is None or table is None:
            return None
        rows, predicate = planned
        read, publish_id = table.version(), new_publish_id()
        try:
            write_deltalake(
                table, rows, partition_by=layout.PARTITIONS[layout.MANIFESTS],
                mode="overwrite", predicate=predicate,
                writer_properties=WriterProperties(compression="ZSTD"),
                commit_properties=CommitProperties(custom_metadata={PUBLISH_ID: publish_id}))
        except Exception as exc:
            version = committed_version(uri, publish_id, after=read)
            if version is not None:
                return version  # committed; only the answer was lost
            if isinstance(exc, CommitFailedError):
                continue  # the manifests changed since `read`: plan again
            raise
        version = committed_version(uri, publish_id, after=read)
        if version is None:  # pragma: no cover - more than HISTORY_LOOKBACK commits since
            raise RuntimeError(f"commit {publish_id} of {uri} not found in its history")
        return version
    raise RuntimeError(f"the manifests changed {COMMIT_ATTEMPTS} times while being "
                       "rewritten (days being published); run again")


def _commit_tables(out_root: storage.Location, day: layout.Day, staging: Path,
                   n_shards: int, audited: dict, publish_id: str) -> dict[str, int]:
    """Commit articles, sections and signatures (two threads: delta-rs and pyarrow
    release the GIL), then rejects; returns each table's committed version.

    The ``signatures`` rows (:mod:`newsetl.minhash`) were computed by the shards and
    staged with the articles; they are committed before the manifest, so every
    published day has them, for the ``near_duplicates`` step (:mod:`newsetl.neardup`).
    """
    dup_seqs = audited["dup_seqs"]

    def staged(table: str) -> Callable[[], pa.RecordBatchReader]:
        source = "articles" if table == layout.SIGNATURES else table
        paths = staged_files(staging, n_shards, source)
        return lambda: _staged_reader(paths, table, day, dup_seqs)

    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = {t: pool.submit(commit_day, out_root, t, day, staged(t), publish_id,
                               streamed=True)
                for t in ("articles", "sections", layout.SIGNATURES)}
        versions = {t: job.result() for t, job in jobs.items()}
    versions["rejects"] = commit_day(
        out_root, "rejects", day, lambda: _rejects_reader(audited["rejects"], day),
        publish_id, streamed=True)
    return versions


def manifest_row(manifest: dict, day: layout.Day) -> pa.Table:
    counts, versions = manifest["counts"], manifest["tables"]
    row = {"publish_id": manifest["version"], "published_at": manifest["published_at"],
           **{f"{t}_version": versions[t]["version"] for t in layout.DATA_TABLES},
           **{k: counts[k] for k in ("input_items", "articles", "sections", "rejects")},
           "manifest": json.dumps(manifest, ensure_ascii=False), "ds": day.ds}
    return pa.Table.from_pylist([row], schema=schemas.delta_schema("manifests"))


def write_manifest_copy(out_root: storage.Location, day: layout.Day, manifest: dict) -> None:
    """The readable ``_manifests/ds=D.json`` (informational: the Delta row is the truth)."""
    text = json.dumps(manifest, indent=1, ensure_ascii=False)
    target = layout.manifest_copy(out_root, day)
    if storage.is_remote(target):
        storage.write_text(str(target), text)
        return
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, target)


# --- the day ---------------------------------------------------------------------------

def publish_day(out_root: storage.Location, ds: str, staging: Path | str, n_shards: int,
                inputs_expected: int, run_info: dict | None = None,
                run_started: float | None = None, skipped_inputs: list[dict] | None = None,
                gate: Callable[[dict], list[dict] | None] | None = None,
                staging_max_age: float = DEFAULT_MAX_AGE) -> dict:
    """Audit and publish the staged shards of ``ds``; returns the manifest.

    ``inputs_expected`` is the number of input files found for the day: publishing
    refuses when the shards do not cover them all. ``run_started`` (a
    ``time.monotonic()`` value) adds the run's wall time to the manifest;
    ``skipped_inputs`` lists files of the day folder that were not inputs, so the
    manifest accounts for every file. ``gate`` (the quality checks) is called with the
    audited manifest before anything is committed: when it raises, nothing is
    published; what it returns is stored in the manifest as ``quality``. Remote staging
    is downloaded first; after the manifest commit staging of dead runs of the day goes.
    """
    if storage.is_remote(staging):
        with tempfile.TemporaryDirectory(prefix="newsetl-publish-") as tmpdir:
            local = Path(tmpdir) / "staging"
            storage.download_tree(str(staging), local)
            manifest = publish_day(out_root, ds, local, n_shards, inputs_expected, run_info,
                                   run_started, skipped_inputs, gate, staging_max_age)
        storage.remove_tree(staging)
        return manifest
    day, staging, started = layout.day(ds), Path(staging), time.monotonic()
    manifest, audited = _audited_manifest(day, staging, n_shards, inputs_expected,
                                          run_info, skipped_inputs)
    if gate is not None:
        checks = gate(manifest)  # raises: nothing committed, staging kept for inspection
        if checks is not None:
            manifest["quality"] = checks
    versions = _commit_tables(out_root, day, staging, n_shards, audited, manifest["version"])
    manifest["tables"] = {t: {"uri": str(layout.table_uri(out_root, t)), "version": v}
                          for t, v in versions.items()}
    manifest["timings"]["publish_seconds"] = round(time.monotonic() - started, 3)
    manifest["timings"]["wall_seconds"] = round(
        time.monotonic() - (run_started or started), 3)
    commit_day(out_root, layout.MANIFESTS, day, lambda: manifest_row(manifest, day),
               manifest["version"])  # THE publish
    write_manifest_copy(out_root, day, manifest)
    shutil.rmtree(staging, ignore_errors=True)
    for parent in (staging.parent, staging.parent.parent):
        with contextlib.suppress(OSError):  # not empty: another run of the day stages
            parent.rmdir()
    remove_dead_staging(out_root, ds, max_age=staging_max_age, keep=staging.name)
    daystatus.clear(out_root, ds)  # an earlier failure of the day is history now
    return manifest


def _audited_manifest(day: layout.Day, staging: Path, n_shards: int, inputs_expected: int,
                      run_info: dict | None, skipped_inputs: list[dict] | None
                      ) -> tuple[dict, dict]:
    """The day's manifest from the staged shards, with every input accounted for."""
    metas = load_shard_meta(staging, n_shards)
    inputs = merge_ranges([i for m in metas for i in m["inputs"]])
    if len(inputs) != inputs_expected:
        raise AccountingError(f"shards cover {len(inputs)} input files, expected {inputs_expected}")
    audited = audit(staging, n_shards)
    rows = audited["rows"]
    n_items = sum(m["n_items"] for m in metas)
    if n_items != rows["articles"] + rows["rejects"]:
        raise AccountingError(f"{n_items} input items but {rows['articles']} articles + "
                              f"{rows['rejects']} rejects")
    for index, entry in enumerate(inputs):
        # Shards are contiguous and start at file 0, so list position == file index.
        counted = audited["per_file"].get(index, Counter())
        entry["articles"], entry["rejects"] = counted["articles"], counted["rejects"]
    manifest = {
        "ds": day.ds,
        "version": new_publish_id(),
        "schema_version": schemas.SCHEMA_VERSION,
        "pipeline_version": PIPELINE_VERSION,
        "signature_version": SIGNATURE_VERSION,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run": run_info or {},
        "inputs": inputs,
        "skipped_inputs": skipped_inputs or [],
        "counts": {
            "input_files": len(inputs),
            "input_items": n_items,
            **rows,
            "duplicates": len(audited["dup_seqs"]),
            "articles_by_lang": dict(sorted(audited["articles_by_lang"].items())),
            "rejects_by_reason": dict(sorted(audited["rejects_by_reason"].items())),
            "skipped_records": dict(sorted(sum(
                (Counter(i.get("skipped_records", {})) for i in inputs), Counter()).items())),
        },
        "accounting_ok": True,
        "shards": n_shards,
        "timings": {"process_seconds": round(sum(m["seconds"] for m in metas), 3)},
    }
    return manifest, audited
