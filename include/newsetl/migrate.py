"""Convert an output root of the old symlink layout into the Delta tables.

The old layout (newsetl before Delta) kept each published day under
``_versions/ds=D/<version>/{articles,sections,rejects,manifest.json}``, switched by the
symlink ``_current/ds=D``, with ``articles/ds=D`` ... and ``_manifests/ds=D.json`` as
links through it and ``daily_stats/ds=D/part-0000.parquet`` as plain files. For each
current day :func:`migrate` commits the day's rows into the Delta tables exactly like a
publish (the old version id becomes the publish id), checks that every table holds
the manifest's row count at the committed versions, then commits the manifest row.
Old stats are committed to ``daily_stats``. Only after every day is verified are the
old folders removed. Idempotent: a day whose manifest row already carries its old
version id is skipped, so an interrupted migration is simply run again.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pads

from newsetl import layout, publish, schemas, storage
from newsetl.readers import Snapshot, manifest_rows, read_table


class MigrationError(RuntimeError):
    """A migrated table does not hold the rows the old manifest counts."""


def _old_rows(folder: Path, table: str, day: layout.Day) -> pa.Table:
    """A table's rows of one old version folder, in the Delta schema."""
    schema = schemas.delta_schema(table)
    files = sorted(str(p) for p in folder.rglob("*.parquet")) if folder.is_dir() else []
    if not files:
        return schema.empty_table()
    keys = [k for k in layout.PARTITIONS[table] if k != "ds"]
    partitioning = pads.partitioning(pa.schema([(k, pa.string()) for k in keys]),
                                     flavor="hive") if keys else None
    data = pads.dataset(files, format="parquet", partitioning=partitioning,
                        partition_base_dir=str(folder)).to_table()
    data = data.append_column("ds", pa.array([day.ds] * data.num_rows, pa.string()))
    return data.select(schema.names).cast(schema)


def _migrate_day(out: Path, ds: str) -> dict:
    day = layout.day(ds)
    version_dir = (out / "_current" / f"ds={ds}").resolve()
    manifest = json.loads((version_dir / "manifest.json").read_text())
    done = manifest_rows(out, [ds])
    if done and done[0]["publish_id"] == manifest["version"]:
        return {"ds": ds, "skipped": True}
    versions = {}
    for table in layout.DATA_TABLES:
        link = out / table / f"ds={ds}"
        if link.is_symlink():
            link.unlink()  # the Delta table's partition folder takes its place
        rows = _old_rows(version_dir / table, table, day)
        versions[table] = publish.commit_day(out, table, day, lambda rows=rows: rows,
                                             manifest["version"])
    snap = Snapshot({ds: versions})
    for table in layout.DATA_TABLES:
        found = read_table(out, table, [ds], snap=snap, columns=["ds"]).num_rows
        if found != manifest["counts"][table]:
            raise MigrationError(f"{ds} {table}: {found} rows migrated, the manifest counts "
                                 f"{manifest['counts'][table]}")
    manifest.pop("files", None)
    manifest["tables"] = {t: {"uri": str(layout.table_uri(out, t)), "version": v}
                          for t, v in versions.items()}
    publish.commit_day(out, layout.MANIFESTS, day,
                       lambda: publish.manifest_row(manifest, day), manifest["version"])
    copy = Path(layout.manifest_copy(out, day))
    if copy.is_symlink():
        copy.unlink()
    publish.write_manifest_copy(out, day, manifest)
    return {"ds": ds, "skipped": False, **{t: manifest["counts"][t]
                                            for t in layout.DATA_TABLES}}


def _migrate_stats(out: Path) -> int:
    """Commit the old per-day stats files to the ``daily_stats`` table (with the day's
    publish id, so they count as fresh), then remove the files."""
    folder = out / layout.DAILY_STATS
    old = sorted(folder.glob("ds=*/part-0000.parquet"))
    if not old:
        return 0
    published = {r["ds"]: r["publish_id"] for r in manifest_rows(out)}
    parts = []
    for path in old:
        ds = path.parent.name[3:]
        table = pads.dataset(str(path), format="parquet").to_table()
        if ds in published and "publish_id" not in table.column("metric").to_pylist():
            table = pa.concat_tables([table.cast(schemas.DAILY_STATS), pa.table(
                {"metric": ["publish_id"], "key": [published[ds]], "value": [0.0]},
                schema=schemas.DAILY_STATS)])
        parts.append(table.cast(schemas.DAILY_STATS).append_column(
            "ds", pa.array([ds] * table.num_rows, pa.string())))
    rows = pa.concat_tables(parts).cast(schemas.delta_schema(layout.DAILY_STATS))
    days = ", ".join(f"'{layout.day(p.parent.name[3:]).ds}'" for p in old)
    publish.commit_day(out, layout.DAILY_STATS, None, lambda: rows,
                       publish.new_publish_id(), predicate=f"ds IN ({days})")
    for path in old:
        path.unlink()
    return len(old)


def migrate(out_root: storage.Location) -> list[dict]:
    """Migrate every current day of an old-layout ``out_root``; what was done per day."""
    if storage.is_remote(out_root):
        raise MigrationError("migrate converts local output roots; copy an object-store "
                             "root to local disk, migrate it, and upload the tables")
    out = Path(out_root)
    current = out / "_current"
    days = sorted(p.name[3:] for p in current.glob("ds=*")
                  if p.is_symlink() and p.exists()) if current.is_dir() else []
    report = [_migrate_day(out, ds) for ds in days]
    stats = _migrate_stats(out)
    for name in ("_current", "_versions", "_locks"):
        shutil.rmtree(out / name, ignore_errors=True)
    if report or stats:
        report.append({"daily_stats_days": stats})
    return report
