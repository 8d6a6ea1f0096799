"""Publish a day: dedupe, partition, write the manifest, switch atomically.

Layout of ``<out_root>`` (local or mounted filesystem)::

    articles/ds=D        -> ../_current/ds=D/articles        (stable symlink)
    sections/ds=D        -> ../_current/ds=D/sections
    rejects/ds=D         -> ../_current/ds=D/rejects
    _manifests/ds=D.json -> ../_current/ds=D/manifest.json
    _current/ds=D        -> ../_versions/ds=D/<version>      (THE switch)
    _versions/ds=D/<version>/articles/lang=L/part-*.parquet  (and sections/, rejects/,
                                                             manifest.json)

Every table's ``ds=D`` partition and the manifest resolve through the one
``_current/ds=D`` link, and replacing a symlink with ``os.replace`` is atomic on POSIX,
so all tables of a day switch to the new version in one step. A crash before the
switch leaves the previous version fully readable; old versions are removed after it.
Readers see plain Hive paths: ``articles/ds=*/lang=*/*.parquet``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsetl import PIPELINE_VERSION, daystatus, reasons, schemas, storage
from newsetl.cleanup import DEFAULT_MAX_AGE, remove_dead_staging
from newsetl.items import seq_file_index
from newsetl.staging import shard_dir

#: Rows per Parquet file before a new ``part-NNNN`` starts (files stay well under 1 GB).
MAX_ROWS_PER_FILE = {"articles": 200_000, "sections": 2_000_000, "rejects": 1_000_000}
ROW_GROUP_ROWS = 50_000
#: A partition's buffer is written out as a row group at this size ...
ROW_GROUP_BYTES = 8 * 1024 * 1024
#: ... and the largest one whenever all buffers of a table together reach this.
MAX_BUFFER_BYTES = 16 * 1024 * 1024


class AccountingError(RuntimeError):
    """Input items and output rows do not balance: a bug, never published."""


def staging_root(out_root: str | os.PathLike[str], ds: str) -> Path | str:
    return storage.join(out_root, "_staging", f"ds={ds}")


def run_staging(out_root: str | os.PathLike[str], ds: str, run_token: str) -> Path | str:
    """The staging folder of one run (``run_token`` is e.g. an Airflow run id).

    Under an object-store out root this is a URL: shards running on different
    machines (Celery workers) all upload there.
    """
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in run_token)
    return storage.join(staging_root(out_root, ds), safe)


class _PartitionWriter:
    """Writes one table's rows split by partition value into part files."""

    def __init__(self, base: Path, table: str, schema: pa.Schema) -> None:
        self.base, self.table, self.schema = base, table, schema
        self.keys = schemas.TABLES[table]
        self.file_schema = pa.schema([f for f in schema if f.name not in self.keys])
        self.buffers: dict[str, list[pa.Table]] = {}
        self.buffered: Counter[str] = Counter()
        self.buffered_bytes: Counter[str] = Counter()
        self.writers: dict[str, tuple[pq.ParquetWriter, int, int, Path]] = {}
        self.files: list[dict] = []

    def add(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        if not self.keys:
            self._buffer("", table)
            return
        key = self.keys[0]
        values = table.column(key)
        for value in sorted(pc.unique(values).to_pylist()):
            part = table.filter(pc.equal(values, value))
            self._buffer(f"{key}={value}", part)

    def _buffer(self, part: str, table: pa.Table) -> None:
        """Buffer rows of a partition; flush by rows or bytes so memory stays bounded
        whatever the size of the day (a big day only means more row groups)."""
        self.buffers.setdefault(part, []).append(table.select(self.file_schema.names))
        self.buffered[part] += table.num_rows
        self.buffered_bytes[part] += table.nbytes
        if self.buffered[part] >= ROW_GROUP_ROWS or \
                self.buffered_bytes[part] >= ROW_GROUP_BYTES:
            self._flush(part)
        elif sum(self.buffered_bytes.values()) >= MAX_BUFFER_BYTES:
            self._flush(max(self.buffered_bytes, key=lambda p: self.buffered_bytes[p]))

    def _flush(self, part: str) -> None:
        tables = self.buffers.pop(part, [])
        self.buffered[part] = 0
        self.buffered_bytes[part] = 0
        if not tables:
            return
        data = pa.concat_tables(tables).cast(self.file_schema)
        writer = self.writers.get(part)
        if writer is not None and writer[1] + data.num_rows > MAX_ROWS_PER_FILE[self.table]:
            self._close(part)
            writer = None
        if writer is None:
            index = sum(1 for f in self.files if f["partition"] == part)
            path = self.base / part / f"part-{index:04d}.parquet" if part else (
                self.base / f"part-{index:04d}.parquet")
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = (pq.ParquetWriter(path, self.file_schema,
                                       compression=schemas.PARQUET_COMPRESSION), 0, index, path)
        writer[0].write_table(data, row_group_size=ROW_GROUP_ROWS)
        self.writers[part] = (writer[0], writer[1] + data.num_rows, writer[2], writer[3])

    def _close(self, part: str) -> None:
        writer, rows, _index, path = self.writers.pop(part)
        writer.close()
        self.files.append({"partition": part, "path": str(path.relative_to(self.base)),
                           "rows": rows, "bytes": path.stat().st_size})

    def close(self) -> list[dict]:
        self.base.mkdir(parents=True, exist_ok=True)
        for part in sorted(self.buffers):
            self._flush(part)
        for part in sorted(self.writers):
            self._close(part)
        return sorted(self.files, key=lambda f: f["path"])


def _read_shards(staging: Path, n_shards: int, table: str) -> list[Path]:
    paths = []
    for shard_id in range(n_shards):
        path = shard_dir(staging, shard_id) / f"{table}.parquet"
        if not path.exists():
            raise FileNotFoundError(f"shard {shard_id} has no staged {table}: {path}")
        paths.append(path)
    return paths


def find_duplicates(staging: Path, n_shards: int) -> tuple[pa.Array, pa.Table]:
    """Exact duplicates of the day: the ``seq`` of every duplicate and its reject rows.

    The first article in sorted source order (lowest ``seq``) per body fingerprint is
    kept. Memory stays small whatever the day: the first pass groups ``seq`` by the
    fingerprint's first 64 bits (``content_key``, 16 bytes a row); only rows whose key
    repeats are then read in full, shard by shard, and compared on the whole
    fingerprint. Reject rows are built in Arrow, so 600,000 copies of one line never
    become Python objects.
    """
    paths = _read_shards(staging, n_shards, "articles")
    empty = (pa.array([], type=pa.int64()), schemas.STAGED_REJECTS.empty_table())
    keys = pa.concat_tables([pq.read_table(p, columns=["seq", "content_key"]) for p in paths]
                            ) if paths else None
    if keys is None or keys.num_rows == 0:
        return empty
    counts = keys.group_by("content_key").aggregate([("seq", "count")])
    repeated = counts.filter(pc.greater(counts.column("seq_count"), 1)).column("content_key")
    del counts
    if len(repeated) == 0:
        return empty
    involved = keys.filter(pc.is_in(keys.column("content_key"), value_set=repeated)).column(
        "seq").combine_chunks()
    del keys
    cols = ["seq", "article_id", "content_sha1", "source_file", "source_member", "raw_sha256"]
    details = pa.concat_tables([_only_seqs(pq.read_table(p, columns=cols), involved)
                                for p in paths])
    kept_seq = details.group_by("content_sha1").aggregate([("seq", "min")])
    pairs = details.join(kept_seq, "content_sha1")
    dup_rows = pairs.filter(pc.not_equal(pairs.column("seq"), pairs.column("seq_min")))
    if dup_rows.num_rows == 0:
        return empty
    kept = details.select(["seq", "article_id", "source_file", "source_member"]).rename_columns(
        ["seq_min", "kept_id", "kept_file", "kept_member"])
    dup_rows = dup_rows.join(kept, "seq_min").sort_by("seq")
    member = dup_rows.column("kept_member")
    where = pc.if_else(
        pc.is_null(member), dup_rows.column("kept_file"),
        pc.binary_join_element_wise(dup_rows.column("kept_file"), " [",
                                    pc.fill_null(member, ""), "]", ""))
    detail = pc.binary_join_element_wise("same body as article ", dup_rows.column("kept_id"),
                                         " from ", where, "")
    n = dup_rows.num_rows
    rejects = pa.table({
        "source_file": dup_rows.column("source_file"),
        "source_member": dup_rows.column("source_member"),
        "reason": pa.array([reasons.DUPLICATE] * n, type=pa.string()),
        "detail": detail,
        "raw_sha256": dup_rows.column("raw_sha256"),
        "duplicate_of": dup_rows.column("kept_id"),
        "seq": dup_rows.column("seq"),
    }).cast(schemas.STAGED_REJECTS)
    return dup_rows.column("seq").combine_chunks(), rejects


def _only_seqs(table: pa.Table, seqs: pa.Array) -> pa.Table:
    return table.filter(pc.is_in(table.column("seq"), value_set=seqs))


def _without(table: pa.Table, dup_seqs: pa.Array) -> pa.Table:
    if len(dup_seqs) == 0:
        return table
    return table.filter(pc.invert(pc.is_in(table.column("seq"), value_set=dup_seqs)))


def _file_counts(seqs: pa.ChunkedArray | pa.Array) -> dict[int, int]:
    """Rows per input file index (the high bits of ``seq``)."""
    files = seq_file_index(seqs)
    return {c["values"]: c["counts"] for c in pc.value_counts(files).to_pylist()}


#: Staged rows are read back in batches of this many rows: publishing holds one batch
#: per table (plus the writers' row-group buffers), however big a shard is.
READ_BATCH_ROWS = 2048


def _staged_batches(path: Path) -> Iterator[pa.Table]:
    """A staged table in batches. Shards stage rows in source order (``seq``, then
    ``position``), so the batches need no sorting."""
    parquet = pq.ParquetFile(path)
    # one thread: the table writers already run in parallel, and threaded reads of wide
    # text columns held ~3x the batch in memory (measured)
    for batch in parquet.iter_batches(batch_size=READ_BATCH_ROWS, use_threads=False):
        yield pa.Table.from_batches([batch])


def _write_table(staging: Path, n_shards: int, table_name: str, target: Path,
                 dup_seqs: pa.Array) -> dict:
    """Stream one table's staged shards into its partitioned files, without duplicates."""
    writer = _PartitionWriter(target / table_name, table_name, schemas.TABLE_SCHEMAS[table_name])
    by_lang: Counter = Counter()
    per_file: Counter = Counter()
    rows = 0
    for path in _read_shards(staging, n_shards, table_name):
        for batch in _staged_batches(path):
            data = _without(batch, dup_seqs)
            if table_name == "articles":
                by_lang.update({c["values"]: c["counts"]
                                for c in pc.value_counts(data.column("lang")).to_pylist()})
                per_file.update(_file_counts(data.column("seq")))
            rows += data.num_rows
            writer.add(data)
    return {"files": writer.close(), "by_lang": by_lang, "per_file": per_file, "rows": rows}


def build_version(staging: Path, n_shards: int, target: Path) -> dict:
    """Write the final partitioned tables of a day into ``target``; return file listings.

    ``articles`` and ``sections`` are written by two threads (pyarrow's reading,
    compression and writing release the GIL), which nearly halves publishing time. Both
    stream the staged shards in batches (:data:`READ_BATCH_ROWS`), so memory does not
    grow with the size of a shard or of the day.
    """
    dup_seqs, dup_table = find_duplicates(staging, n_shards)
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = {name: pool.submit(_write_table, staging, n_shards, name, target, dup_seqs)
                for name in ("articles", "sections")}
        written = {name: job.result() for name, job in jobs.items()}
    listing = {name: w["files"] for name, w in written.items()}
    counts: dict[str, Counter] = {"articles_by_lang": written["articles"]["by_lang"],
                                  "rejects_by_reason": Counter()}
    per_file: dict[int, Counter] = {}
    for index, n in written["articles"]["per_file"].items():
        per_file.setdefault(index, Counter())["articles"] = n
    rows_total: Counter = Counter({name: w["rows"] for name, w in written.items()})
    writer = _PartitionWriter(target / "rejects", "rejects", schemas.REJECTS)
    staged = [pq.read_table(p) for p in _read_shards(staging, n_shards, "rejects")]
    rejects = pa.concat_tables([*staged, dup_table]).sort_by("seq")
    counts["rejects_by_reason"].update(rejects.column("reason").to_pylist())
    for index, n in _file_counts(rejects.column("seq")).items():
        per_file.setdefault(index, Counter())["rejects"] = n
    rows_total["rejects"] = rejects.num_rows
    writer.add(rejects)
    listing["rejects"] = writer.close()
    return {"files": listing, "counts": counts, "per_file": per_file, "rows": rows_total,
            "duplicates": len(dup_seqs)}


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
    return merged


def _load_shard_meta(staging: Path, n_shards: int) -> list[dict]:
    return [json.loads((shard_dir(staging, i) / "shard.json").read_text())
            for i in range(n_shards)]


def _symlink_replace(target: str, link: Path) -> None:
    """Point ``link`` at ``target`` atomically (create a temp link, rename over)."""
    tmp = link.with_name(f".{link.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    os.symlink(target, tmp)
    os.replace(tmp, link)


def _ensure_stable_links(out_root: Path, ds: str) -> None:
    """Create the per-table ``ds=`` links that point through ``_current`` (idempotent)."""
    for table in schemas.TABLES:
        link = out_root / table / f"ds={ds}"
        link.parent.mkdir(parents=True, exist_ok=True)
        want = f"../_current/ds={ds}/{table}"
        if link.is_symlink() and os.readlink(link) == want:
            continue
        if link.exists() and not link.is_symlink():
            shutil.rmtree(link)  # a real folder from an older layout: replaced by the link
        _symlink_replace(want, link)
    manifest = out_root / "_manifests" / f"ds={ds}.json"
    manifest.parent.mkdir(parents=True, exist_ok=True)
    want = f"../_current/ds={ds}/manifest.json"
    if not (manifest.is_symlink() and os.readlink(manifest) == want):
        _symlink_replace(want, manifest)


def current_version(out_root: str | os.PathLike[str], ds: str) -> str | None:
    """The published version id of ``ds`` (None when the day was never published)."""
    if storage.is_remote(out_root):
        pointer = _read_pointer(out_root, ds)
        return pointer["version"] if pointer else None
    link = Path(out_root) / "_current" / f"ds={ds}"
    return os.path.basename(os.readlink(link)) if link.is_symlink() else None


def new_version_id() -> str:
    return datetime.now(UTC).strftime("v%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)


def publish_day(out_root: str | os.PathLike[str], ds: str, staging: Path | str, n_shards: int,
                inputs_expected: int, run_info: dict | None = None,
                run_started: float | None = None, crash_before_switch: bool = False,
                skipped_inputs: list[dict] | None = None,
                gate: Callable[[dict], list[dict] | None] | None = None,
                staging_max_age: float = DEFAULT_MAX_AGE) -> dict:
    """Publish the staged shards of ``ds``; returns the manifest.

    ``inputs_expected`` is the number of input files found for the day: publishing
    refuses when the shards do not cover them all. ``crash_before_switch`` exists for
    the crash-injection test. ``run_started`` (a ``time.monotonic()`` value) adds the
    run's wall time to the manifest; ``skipped_inputs`` lists files of the day folder
    that were not inputs (hidden uploads), so the manifest accounts for every file.
    ``out_root`` and ``staging`` may be object-store URLs; the version is then built
    locally and uploaded before the pointer switch. ``gate`` is called with the new
    manifest before anything is switched: when it raises (a failed quality check), the
    built version is dropped and the published one stays; what it returns (the checks
    and their numbers) is stored in the manifest as ``quality``. After the switch, staging of
    dead runs of the day goes (:func:`newsetl.cleanup.remove_dead_staging`).
    """
    if storage.is_remote(staging):
        with tempfile.TemporaryDirectory(prefix="newsetl-publish-") as tmpdir:
            local = Path(tmpdir) / "staging"
            storage.download_tree(str(staging), local)
            manifest = publish_day(out_root, ds, local, n_shards, inputs_expected, run_info,
                                   run_started, crash_before_switch, skipped_inputs, gate,
                                   staging_max_age)
        storage.remove_tree(staging)
        return manifest
    staging = Path(staging)
    started = time.monotonic()
    metas = _load_shard_meta(staging, n_shards)
    inputs = merge_ranges([i for m in metas for i in m["inputs"]])
    if len(inputs) != inputs_expected:
        raise AccountingError(f"shards cover {len(inputs)} input files, expected {inputs_expected}")
    version = new_version_id()
    build_dir = staging / "build"
    shutil.rmtree(build_dir, ignore_errors=True)
    built = build_version(staging, n_shards, build_dir)
    n_items = sum(m["n_items"] for m in metas)
    n_articles = built["rows"]["articles"]
    n_rejects = built["rows"]["rejects"]
    if n_items != n_articles + n_rejects:
        raise AccountingError(f"{n_items} input items but {n_articles} articles + "
                              f"{n_rejects} rejects")
    for index, entry in enumerate(inputs):
        # Shards are contiguous and start at file 0, so list position == file index.
        counted = built["per_file"].get(index, Counter())
        entry["articles"] = counted["articles"]
        entry["rejects"] = counted["rejects"]
    manifest = {
        "ds": ds,
        "version": version,
        "schema_version": schemas.SCHEMA_VERSION,
        "pipeline_version": PIPELINE_VERSION,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run": run_info or {},
        "inputs": inputs,
        "skipped_inputs": skipped_inputs or [],
        "counts": {
            "input_files": len(inputs),
            "input_items": n_items,
            "articles": n_articles,
            "sections": built["rows"]["sections"],
            "rejects": n_rejects,
            "duplicates": built["duplicates"],
            "articles_by_lang": dict(sorted(built["counts"]["articles_by_lang"].items())),
            "rejects_by_reason": dict(sorted(built["counts"]["rejects_by_reason"].items())),
        },
        "accounting_ok": True,
        "files": built["files"],
        "shards": n_shards,
        "timings": {
            "process_seconds": round(sum(m["seconds"] for m in metas), 3),
            "publish_seconds": round(time.monotonic() - started, 3),
            "wall_seconds": round(time.monotonic() - (run_started or started), 3),
        },
    }
    if gate is not None:
        try:
            checks = gate(manifest)
        except BaseException:
            shutil.rmtree(build_dir, ignore_errors=True)  # staging stays for inspection
            raise
        if checks is not None:  # the quality checks travel with the published day
            manifest["quality"] = checks
    (build_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    if storage.is_remote(out_root):
        _commit_remote(os.fspath(out_root), ds, version, build_dir, manifest,
                       crash_before_switch)
    else:
        _commit_local(Path(out_root), ds, version, build_dir, crash_before_switch)
    shutil.rmtree(staging, ignore_errors=True)
    _remove_if_empty(staging.parent)
    _remove_if_empty(staging.parent.parent)
    remove_dead_staging(out_root, ds, max_age=staging_max_age, keep=staging.name)
    daystatus.clear(out_root, ds)  # an earlier failure of the day is history now
    return manifest


@contextlib.contextmanager
def _day_lock(out: Path, ds: str):
    """Serialise the commit step of concurrent publishers of one day (a CLI run and an
    Airflow run, say): without it one could garbage-collect the other's version between
    its move and its switch."""
    lock_dir = out / "_locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with (lock_dir / f"ds={ds}.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _commit_local(out: Path, ds: str, version: str, build_dir: Path, crash: bool) -> None:
    """Move the built version in place, then switch the one ``_current/ds=D`` symlink."""
    with _day_lock(out, ds):
        versions_dir = out / "_versions" / f"ds={ds}"
        versions_dir.mkdir(parents=True, exist_ok=True)
        os.replace(build_dir, versions_dir / version)
        if crash:
            raise RuntimeError("injected crash before the switch")
        _ensure_stable_links(out, ds)
        (out / "_current").mkdir(exist_ok=True)
        _symlink_replace(f"../_versions/ds={ds}/{version}", out / "_current" / f"ds={ds}")
        collect_garbage(out, ds)


# --- object stores -------------------------------------------------------------------
#
# No rename, no symlink: the version is uploaded under ``_versions/ds=D/<version>/``
# (manifest.json last), then ONE small object, ``_current/ds=D.json``, is overwritten to
# point at it (a single PUT is atomic for readers). Readers resolve the pointer first
# (``newsetl.readers``); a copy of the manifest goes to ``_manifests/ds=D.json`` after
# the switch. The previous version is kept for readers that resolved the old pointer a
# moment ago; older ones are deleted.

KEEP_REMOTE_VERSIONS = 2


def _pointer_url(out_root: str | os.PathLike[str], ds: str) -> str:
    return str(storage.join(out_root, "_current", f"ds={ds}.json"))


def _read_pointer(out_root: str | os.PathLike[str], ds: str) -> dict | None:
    text = storage.read_text(_pointer_url(out_root, ds))
    return json.loads(text) if text else None


def _commit_remote(out_root: str, ds: str, version: str, build_dir: Path, manifest: dict,
                   crash: bool) -> None:
    prefix = f"_versions/ds={ds}/{version}"
    storage.upload_tree(build_dir, str(storage.join(out_root, prefix)), last="manifest.json")
    if crash:
        raise RuntimeError("injected crash before the switch")
    pointer = {
        "ds": ds,
        "version": version,
        "prefix": prefix,
        "manifest": f"{prefix}/manifest.json",
        "files": {table: [f"{prefix}/{table}/{f['path']}" for f in files]
                  for table, files in manifest["files"].items()},
    }
    storage.write_text(_pointer_url(out_root, ds), json.dumps(pointer, indent=1))
    storage.write_text(str(storage.join(out_root, "_manifests", f"ds={ds}.json")),
                       json.dumps(manifest, indent=1, ensure_ascii=False))
    _collect_remote_garbage(out_root, ds, version)


def _collect_remote_garbage(out_root: str, ds: str, current: str) -> list[str]:
    """Delete versions of ``ds`` older than the current one and the one before it."""
    base = str(storage.join(out_root, "_versions", f"ds={ds}"))
    versions = [v for v in storage.list_dirs(base) if v != current]
    # Version ids sort by creation time; keep the newest KEEP_REMOTE_VERSIONS - 1 others.
    old = sorted(versions)[: max(0, len(versions) - (KEEP_REMOTE_VERSIONS - 1))]
    for name in old:
        storage.remove_tree(f"{base}/{name}")
    return old


def _remove_if_empty(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.rmdir()


def collect_garbage(out_root: Path, ds: str) -> list[str]:
    """Remove every version of ``ds`` except the current one (and stray temp links)."""
    current = current_version(out_root, ds)
    removed = []
    versions_dir = out_root / "_versions" / f"ds={ds}"
    if versions_dir.is_dir():
        for child in sorted(versions_dir.iterdir()):
            if child.name != current:
                shutil.rmtree(child, ignore_errors=True)
                removed.append(child.name)
    return removed


def read_manifest(out_root: str | os.PathLike[str], ds: str) -> dict | None:
    """The manifest of the published version of ``ds`` (None when never published)."""
    if storage.is_remote(out_root):
        pointer = _read_pointer(out_root, ds)
        if pointer is None:
            return None
        text = storage.read_text(str(storage.join(out_root, pointer["manifest"])))
        return json.loads(text) if text else None
    path = Path(out_root) / "_manifests" / f"ds={ds}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())


def published_days(out_root: str | os.PathLike[str]) -> list[str]:
    """Days with a current version, sorted."""
    if storage.is_remote(out_root):
        base = str(storage.join(out_root, "_current"))
        try:
            names = [rel for rel, _ in storage.list_files(base)]
        except FileNotFoundError:
            return []
        return sorted(n[3:-5] for n in names if n.startswith("ds=") and n.endswith(".json"))
    current = Path(out_root) / "_current"
    if not current.is_dir():
        return []
    return sorted(p.name[3:] for p in current.iterdir()
                  if p.name.startswith("ds=") and p.is_symlink() and p.exists())
