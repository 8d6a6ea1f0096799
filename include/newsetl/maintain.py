"""Table maintenance: compact, re-pin the manifests, checkpoint, vacuum.

Publishing leaves a few files per day and partition, and every republish leaves the
replaced files behind (readers holding an older snapshot may still read them). Weekly
(the ``newsetl_maintenance`` DAG, or ``newsetl maintain``) each Delta table is:

1. **compacted** — small files of a partition are rewritten into bigger ones (a
   ``dataChange=false`` commit: the rows do not change);
2. **re-pinned** — a day's manifest row pins table versions; each pin moves to its
   table's latest version when no commit since the pin changed the day (told by the
   ``ds`` partitions of the commits' add and remove actions: compaction, vacuum and
   other days' publishes do not), so a run that crashed between commits stays pinned
   to the consistent version. The rows are rewritten as one compare-and-swap commit
   (:func:`newsetl.publish.update_manifests`): a day published meanwhile is planned
   again, never written back;
3. **checkpointed** — readers load one Parquet checkpoint instead of every JSON commit;
4. **vacuumed** — files no longer referenced, or never committed (a publish that died
   before its commit), older than the retention (default 7 days, setting
   ``retention_days``) are deleted, except those of versions still pinned by a
   manifest row;
5. **log trimmed** — log files older than :data:`LOG_RETENTION_DAYS` go, but only
   before the newest checkpoint at or below the oldest pinned version, so every pinned
   version stays loadable (delta-rs's ``cleanup_metadata`` trims up to the latest
   checkpoint, pinned versions included: their days then read back empty). Tables no
   manifest pins use ``cleanup_metadata``. Time travel to older publishes reaches back
   as far as the retention and the log allow.
"""

from __future__ import annotations

import json
import time

from newsetl import deltalog, layout, storage
from newsetl.readers import manifest_rows, open_table

DEFAULT_RETENTION_DAYS = 7.0
#: The log of versions no manifest row pins is removed after this many days (Delta's
#: default ``delta.logRetentionDuration``): time travel to older publishes ends there.
LOG_RETENTION_DAYS = 30.0


def _touches(entry: dict, ds: str) -> bool:
    """Whether a commit (read with ``deltalog.commits(..., days=True)``) may have changed
    the rows of day ``ds``: its add and remove actions name the ``ds`` partitions they
    change, so compaction (``dataChange: false``), vacuum and other days' publishes do
    not; an action without partition values counts as touching every day."""
    changed = entry.get(deltalog.DAYS_CHANGED)
    return changed is None or layout.day(ds).ds in changed


def _repinned_rows(out_root: storage.Location, as_of: int):
    """The manifest rows (at ``manifests`` version ``as_of``) whose pins can move to
    their table's latest version, moved: no commit since the pin changed the day."""
    import pyarrow as pa

    from newsetl import schemas

    rows = manifest_rows(out_root, as_of=as_of)
    latest = {t: deltalog.latest_version(str(layout.table_uri(out_root, t)))
              for t in layout.DATA_TABLES}
    histories = {t: list(deltalog.commits(
        str(layout.table_uri(out_root, t)), newest=version, days=True,
        oldest=min((r[f"{t}_version"] for r in rows), default=version) + 1))
        for t, version in latest.items() if version is not None}
    moved = []
    for row in rows:
        manifest = json.loads(row["manifest"])
        changed = False
        for table, history in histories.items():
            pinned, version = row[f"{table}_version"], latest[table]
            between = [h for h in history if pinned < h["version"] <= version]
            whole = len(between) == version - pinned  # no commit of the span cleaned up
            if pinned < version and whole and not any(_touches(h, row["ds"]) for h in between):
                row[f"{table}_version"], changed = version, True
                # the manifest JSON names the versions too: a later rewrite of the row
                # built from it (a re-sign) must not move the pin back
                manifest.setdefault("tables", {}).setdefault(table, {})["version"] = version
        if changed:
            row["manifest"] = json.dumps(manifest, ensure_ascii=False)
            moved.append(row)
    return pa.Table.from_pylist(moved, schema=schemas.delta_schema(layout.MANIFESTS))


def _repin(out_root: storage.Location) -> int:
    """Move the pins that can move (:func:`_repinned_rows`) in one compare-and-swap
    commit of the ``manifests`` table (planned again when a day is published
    meanwhile); how many rows moved."""
    from newsetl.publish import update_manifests

    moved = [0]

    def plan(table):
        rows = _repinned_rows(out_root, table.version()) if table is not None else None
        if rows is None or not rows.num_rows:
            return None
        moved[0] = rows.num_rows
        days = ", ".join(f"'{layout.day(d).ds}'" for d in rows.column("ds").to_pylist())
        ids = ", ".join(f"'{i}'" for i in rows.column("publish_id").to_pylist())
        # the moved publishes' rows only; never "ds = 'D'" alone (a publish of the day
        # for readers.day_versions, as DataFusion writes a one-day "ds IN")
        return rows, f"ds IN ({days}) AND publish_id IN ({ids})"

    return moved[0] if update_manifests(out_root, plan) is not None else 0


def maintain(out_root: storage.Location,
             retention_days: float = DEFAULT_RETENTION_DAYS) -> dict[str, dict]:
    """Compact, re-pin, checkpoint and vacuum every table; what was done, per table."""
    tables = [*layout.DATA_TABLES, layout.DAILY_STATS, layout.MANIFESTS, layout.SIGNATURES,
              layout.NEAR_DUPLICATES, layout.NEAR_PAIRS]
    report: dict[str, dict] = {}
    for table in tables:
        delta = open_table(str(layout.table_uri(out_root, table)))
        if delta is None:
            continue
        metrics = delta.optimize.compact()
        report[table] = {"files_added": metrics["numFilesAdded"],
                         "files_removed": metrics["numFilesRemoved"]}
    repinned = _repin(out_root)
    pinned = {t: sorted({r[f"{t}_version"] for r in manifest_rows(out_root)})
              for t in layout.DATA_TABLES}
    log_expired = time.time() - LOG_RETENTION_DAYS * 86400
    for table in report:
        uri = str(layout.table_uri(out_root, table))
        delta = open_table(uri)
        delta.create_checkpoint()
        removed = delta.vacuum(retention_hours=round(retention_days * 24), dry_run=False,
                               enforce_retention_duration=False, full=True,
                               keep_versions=pinned.get(table) or None)
        if pinned.get(table):  # keep the log of every pinned version
            logs = len(deltalog.remove_log_before(uri, pinned[table][0], log_expired))
        else:
            before = len(deltalog.log_files(uri))
            delta.cleanup_metadata()
            logs = before - len(deltalog.log_files(uri))
        report[table] |= {"version": delta.version(), "files_vacuumed": len(removed),
                          "log_files_removed": logs}
    report.setdefault(layout.MANIFESTS, {})["days_repinned"] = repinned
    return report
