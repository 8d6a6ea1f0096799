"""Read the published Delta tables as consistent cross-table snapshots of days.

Every table is a plain Delta table (``<out_root>/articles`` ...), so ``deltalake``,
``polars.scan_delta`` or DuckDB's ``delta_scan`` read it with no newsetl code (DuckDB
loads the ``delta`` extension file that ``duckdb-extension-delta`` ships:
:func:`delta_extension`); they see each table's latest commit. A day's ``manifests`` row
names the Delta version of each table that holds the day as it was published together:
:func:`snapshot` pins those versions, so a reader never mixes a half-republished day (a run
that crashed between two table commits) and keeps reading a day whole while it is
republished::

    snap = snapshot("data/out", ["2024-03-01"])           # pins the manifest versions
    read_table("data/out", "articles", snap=snap)         # pyarrow, with ds and lang
    to_pandas("data/out", "sections", snap=snap)
    duckdb_relation(duckdb.connect(), "data/out", "articles", snap=snap)  # delta_scan
    duckdb.read_parquet(table_files("data/out", "articles", snap=snap),
                        hive_partitioning=True)
    snapshot("data/out", ["2024-03-01"], as_of=day_versions("data/out", "2024-03-01")[0])
                                                          # time travel: first publish
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from newsetl import layout, schemas, storage


def open_table(uri: str, version: int | None = None):
    """The Delta table at ``uri`` (at ``version``), or None when it was never written.
    (Not ``DeltaTable.is_deltatable``: it holds the GIL during its requests.)"""
    from deltalake import DeltaTable
    from deltalake.exceptions import TableNotFoundError

    try:
        return DeltaTable(uri, version=version, storage_options=layout.storage_options(uri))
    except TableNotFoundError:
        return None


def _delta(out_root: storage.Location, table: str, version: int | None = None):
    return open_table(str(layout.table_uri(out_root, table)), version)


class PinnedVersionGone(RuntimeError):
    """A manifest row pins a table version that can no longer be loaded (its log was
    removed): reading on would return the day as empty, so the read fails instead."""


def pinned_table(out_root: storage.Location, table: str, version: int, days: list[str]):
    """The table at a version a manifest row pins; :class:`PinnedVersionGone` when the
    table exists but that version cannot be loaded, None when the table was never
    written."""
    found = _delta(out_root, table, version)
    if found is None and _delta(out_root, table) is not None:
        raise PinnedVersionGone(
            f"{table} version {version}, pinned by the manifest of {', '.join(days)}, can "
            "no longer be loaded (its Delta log was removed); republish the day(s)")
    return found


def _day_filter(days: list[str] | None) -> list[tuple[str, str, Any]] | None:
    return None if days is None else [("ds", "in", [layout.day(d).ds for d in days])]


def manifest_rows(out_root: storage.Location, days: list[str] | None = None,
                  as_of: int | None = None) -> list[dict]:
    """The ``manifests`` rows of ``days`` (default: every published day), oldest day
    first, at the ``manifests`` table version ``as_of`` (default: the latest)."""
    table = _delta(out_root, layout.MANIFESTS, as_of)
    if table is None or days == []:
        return []
    rows = table.to_pyarrow_table(filters=_day_filter(days)).to_pylist()
    return sorted(rows, key=lambda r: r["ds"])


def published_days(out_root: storage.Location) -> list[str]:
    """Days with a committed manifest row, sorted."""
    table = _delta(out_root, layout.MANIFESTS)
    if table is None:
        return []
    days = table.to_pyarrow_table(columns=["ds"]).column("ds").to_pylist()
    return sorted(set(days))


def read_manifest(out_root: storage.Location, ds: str, as_of: int | None = None
                  ) -> dict | None:
    """The manifest of the published day (None when never published)."""
    rows = manifest_rows(out_root, [ds], as_of)
    return json.loads(rows[0]["manifest"]) if rows else None


def day_versions(out_root: storage.Location, ds: str) -> list[int]:
    """Versions of the ``manifests`` table that published ``ds``, oldest first: pass one
    as ``as_of`` to read the day as that run published it (time travel; only as far
    back as ``newsetl maintain`` has not vacuumed)."""
    from newsetl import deltalog

    predicate = layout.day(ds).predicate
    uri = str(layout.table_uri(out_root, layout.MANIFESTS))
    return sorted(int(h["version"]) for h in deltalog.commits(uri)
                  if (h.get("operationParameters") or {}).get("predicate") == predicate)


@dataclass(frozen=True)
class Snapshot:
    """Pinned table versions per day: ``versions[ds][table]``."""

    versions: dict[str, dict[str, int]]

    @property
    def days(self) -> list[str]:
        return sorted(self.versions)


def snapshot(out_root: storage.Location, days: list[str] | None = None,
             as_of: int | None = None) -> Snapshot:
    """Pin the table versions that the manifest rows of ``days`` record."""
    return Snapshot({r["ds"]: {t: int(r[f"{t}_version"]) for t in layout.DATA_TABLES}
                     for r in manifest_rows(out_root, days, as_of)})


def _pinned(out_root: storage.Location, table: str, days: list[str] | None,
            snap: Snapshot | None) -> list[tuple[Any, list[str]]]:
    """(Delta table at a pinned version, its days) for ``table``; daily_stats and
    manifests are read at their latest version."""
    if table not in layout.DATA_TABLES:
        found = _delta(out_root, table)
        return [] if found is None else [(found, days)]
    snap = snap if snap is not None else snapshot(out_root, days)
    by_version: dict[int, list[str]] = {}
    for ds in snap.days if days is None else [d for d in days if d in snap.versions]:
        by_version.setdefault(snap.versions[ds][table], []).append(ds)
    pinned = []
    for version, group in sorted(by_version.items()):
        found = pinned_table(out_root, table, version, group)
        if found is not None:
            pinned.append((found, group))
    return pinned


def read_table(out_root: storage.Location, table: str, days: list[str] | None = None,
               snap: Snapshot | None = None, columns: list[str] | None = None) -> pa.Table:
    """The published rows of ``table`` for ``days`` (default: every day of the
    snapshot, else every published day) with ``ds`` (and ``lang``), in the schema of
    :mod:`newsetl.schemas`."""
    schema = schemas.delta_schema(table)
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns])
    parts = [found.to_pyarrow_table(filters=_day_filter(group), columns=schema.names)
             for found, group in _pinned(out_root, table, days, snap)]
    parts = [p.select(schema.names).cast(schema) for p in parts if p.num_rows]
    return pa.concat_tables(parts) if parts else schema.empty_table()


def table_files(out_root: storage.Location, table: str, days: list[str] | None = None,
                snap: Snapshot | None = None) -> list[str]:
    """Parquet file paths or URLs holding the published rows of ``days``: for any
    Parquet reader (DuckDB ``read_parquet(files, hive_partitioning = true)``, Spark)."""
    files: list[str] = []
    for found, group in _pinned(out_root, table, days, snap):
        files += found.file_uris(file_pruning_predicate=_day_filter(group))
    return sorted(files)


def to_pandas(out_root: storage.Location, table: str, days: list[str] | None = None,
              snap: Snapshot | None = None, columns: list[str] | None = None):
    """:func:`read_table` as a pandas DataFrame."""
    return read_table(out_root, table, days, snap, columns).to_pandas()


def to_polars(out_root: storage.Location, table: str, days: list[str] | None = None,
              snap: Snapshot | None = None, columns: list[str] | None = None):
    """:func:`read_table` as a Polars DataFrame (needs ``polars``)."""
    import polars as pl

    return pl.from_arrow(read_table(out_root, table, days, snap, columns))


def delta_extension() -> str | None:
    """The file of DuckDB's ``delta`` extension (``delta_scan``) that the
    ``duckdb-extension-delta`` package ships for the installed DuckDB (DuckDB's signed
    build: a plain ``LOAD`` takes it, no download), or None without that package."""
    import duckdb

    try:
        from importlib.resources import files

        path = files("duckdb_extension_delta") / "extensions" / f"v{duckdb.__version__}"
    except ModuleNotFoundError:
        return None
    path = path / "delta.duckdb_extension"
    return str(path) if path.is_file() else None


def duckdb_relation(con, out_root: storage.Location, table: str,
                    days: list[str] | None = None, snap: Snapshot | None = None):
    """A DuckDB relation over the published rows (``con``: a DuckDB connection). With the
    local extension file (:func:`delta_extension`) and a local out root, ``delta_scan``
    reads the pinned versions lazily in DuckDB; otherwise the Arrow table of
    :func:`read_table` is scanned in place (object stores need no DuckDB credentials)."""
    names = schemas.delta_schema(table).names
    pinned = _pinned(out_root, table, days, snap)
    extension = delta_extension()
    if extension is None or storage.is_remote(out_root) or not pinned:
        return con.from_arrow(read_table(out_root, table, days, snap))
    con.execute(f"LOAD '{extension}'")
    uri = str(layout.table_uri(out_root, table)).replace("'", "''")
    scans = []
    for found, group in pinned:
        where = "" if group is None else " where ds in ({})".format(
            ", ".join(f"'{layout.day(d).ds}'" for d in group))  # validated: no quotes
        scans.append(f"select {', '.join(names)} from delta_scan('{uri}', "
                     f"version := {found.version()}){where}")
    return con.sql(" union all ".join(scans))
