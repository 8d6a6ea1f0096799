"""Table maintenance: compact, re-pin the manifests, checkpoint, vacuum.

Publishing leaves a few files per day and partition, and every republish leaves the
replaced files behind (readers holding an older snapshot may still read them). Weekly
(the ``newsetl_maintenance`` DAG, or ``newsetl maintain``) each Delta table is:

1. **compacted** — small files of a partition are rewritten into bigger ones (a
   ``dataChange=false`` commit: the rows do not change);
2. **re-pinned** — a day's manifest row pins table versions; after compaction it is
   moved to the compacted version, but only when no commit since its pin touched the
   day (a run that crashed between commits stays pinned to the consistent version);
3. **checkpointed** — readers load one Parquet checkpoint instead of every JSON commit;
4. **vacuumed** — files no longer referenced and older than the retention (default 7
   days, setting ``retention_days``) are deleted, except those of versions still pinned
   by a manifest row. Time travel reaches back as far as the retention (and Delta's log
   retention, 30 days by default).
"""

from __future__ import annotations

from newsetl import deltalog, layout, storage
from newsetl.readers import manifest_rows, open_table

DEFAULT_RETENTION_DAYS = 7.0


def _touches(entry: dict, ds: str) -> bool:
    """Whether a commit may have changed the rows of day ``ds`` (conservative: only
    compaction and overwrites of other days are known not to)."""
    operation = entry.get("operation")
    if operation in ("OPTIMIZE", "CREATE TABLE"):
        return False
    predicate = (entry.get("operationParameters") or {}).get("predicate")
    return not (operation == "WRITE" and predicate and predicate.startswith("ds = '")
                and predicate != layout.day(ds).predicate)


def _repinned_rows(out_root: storage.Location, compacted: dict[str, int]):
    """The manifest rows whose pins can move to the compacted versions, moved."""
    import pyarrow as pa

    from newsetl import schemas

    rows = manifest_rows(out_root)
    histories = {t: list(deltalog.commits(
        str(layout.table_uri(out_root, t)), newest=version,
        oldest=min((r[f"{t}_version"] for r in rows), default=version) + 1))
        for t, version in compacted.items()}
    moved = []
    for row in rows:
        changed = False
        for table, version in compacted.items():
            pinned = row[f"{table}_version"]
            between = [h for h in histories[table] if pinned < h["version"] <= version]
            whole = len(between) == version - pinned  # no commit of the span cleaned up
            if pinned < version and whole and not any(_touches(h, row["ds"]) for h in between):
                row[f"{table}_version"], changed = version, True
        if changed:
            moved.append(row)
    return pa.Table.from_pylist(moved, schema=schemas.delta_schema(layout.MANIFESTS))


def _repin(out_root: storage.Location, compacted: dict[str, int]) -> int:
    """Commit the moved manifest rows (one commit; redone on a concurrent publish)."""
    from newsetl.publish import commit_day, new_publish_id

    rows = _repinned_rows(out_root, compacted)
    if not rows.num_rows:
        return 0
    days = ", ".join(f"'{layout.day(d).ds}'" for d in rows.column("ds").to_pylist())
    commit_day(out_root, layout.MANIFESTS, None, lambda: _repinned_rows(out_root, compacted),
               new_publish_id(), predicate=f"ds IN ({days})")
    return rows.num_rows


def maintain(out_root: storage.Location,
             retention_days: float = DEFAULT_RETENTION_DAYS) -> dict[str, dict]:
    """Compact, re-pin, checkpoint and vacuum every table; what was done, per table."""
    tables = [*layout.DATA_TABLES, layout.DAILY_STATS, layout.MANIFESTS, layout.SIGNATURES,
              layout.NEAR_DUPLICATES, layout.NEAR_PAIRS]
    report: dict[str, dict] = {}
    compacted: dict[str, int] = {}
    for table in tables:
        delta = open_table(str(layout.table_uri(out_root, table)))
        if delta is None:
            continue
        before = delta.version()
        metrics = delta.optimize.compact()
        report[table] = {"files_added": metrics["numFilesAdded"],
                         "files_removed": metrics["numFilesRemoved"]}
        if table in layout.DATA_TABLES and delta.version() > before:
            compacted[table] = delta.version()
    repinned = _repin(out_root, compacted) if compacted else 0
    pinned = {t: sorted({r[f"{t}_version"] for r in manifest_rows(out_root)})
              for t in layout.DATA_TABLES}
    for table in report:
        delta = open_table(str(layout.table_uri(out_root, table)))
        delta.create_checkpoint()
        removed = delta.vacuum(retention_hours=round(retention_days * 24), dry_run=False,
                               enforce_retention_duration=False,
                               keep_versions=pinned.get(table) or None)
        delta.cleanup_metadata()
        report[table] |= {"version": delta.version(), "files_vacuumed": len(removed)}
    report.setdefault(layout.MANIFESTS, {})["days_repinned"] = repinned
    return report
