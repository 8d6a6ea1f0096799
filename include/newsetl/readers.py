"""Find and read the current version of published days, locally or on object stores.

Locally the Hive paths (``articles/ds=*/lang=*/*.parquet``) always show the current
version, so any Parquet reader works. On object stores readers resolve each day's
pointer (``_current/ds=D.json``) first; :func:`current_files` gives the file URLs to
hand to DuckDB or Spark, :func:`read_table` reads them with pyarrow::

    files = current_files("s3://bucket/news", "articles")
    duckdb.sql(f"select * from read_parquet({files!r}, hive_partitioning = true)")
    spark.read.option("basePath", ...).parquet(*files)   # one day: basePath = its prefix
"""

from __future__ import annotations

import json
import os

import pyarrow as pa
import pyarrow.dataset as pads

from newsetl import schemas, storage
from newsetl.publish import published_days


def current_files(out_root: str | os.PathLike[str], table: str,
                  days: list[str] | None = None) -> list[str]:
    """Paths or URLs of the Parquet files of the current version of each day."""
    if table not in schemas.TABLES:
        raise ValueError(f"unknown table {table!r}")
    days = published_days(out_root) if days is None else days
    files: list[str] = []
    for ds in days:
        if storage.is_remote(out_root):
            text = storage.read_text(str(storage.join(out_root, "_current", f"ds={ds}.json")))
            if text is None:
                continue
            files += [str(storage.join(out_root, rel)) for rel in json.loads(text)["files"][table]]
        else:
            base = storage.local_path(out_root) / table / f"ds={ds}"
            files += sorted(str(p) for p in base.rglob("*.parquet")) if base.exists() else []
    return files


def read_table(out_root: str | os.PathLike[str], table: str,
               days: list[str] | None = None) -> pa.Table:
    """The current rows of ``table`` for ``days`` (all published days by default), with
    the ``ds`` column and, for articles and sections, ``lang``."""
    days = published_days(out_root) if days is None else days
    parts = []
    schema = schemas.TABLE_SCHEMAS[table]
    for ds in days:
        files = current_files(out_root, table, [ds])
        if not files:
            continue
        if storage.is_remote(out_root):
            fs, _ = storage.filesystem(os.fspath(out_root))
            paths = [storage.filesystem(f)[1] for f in files]
        else:
            fs, paths = None, files
        keys = schemas.TABLES[table]
        partitioning = None
        if keys:
            base = os.path.commonpath([os.path.dirname(os.path.dirname(p)) for p in paths])
            partitioning = pads.partitioning(pa.schema([(k, pa.string()) for k in keys]),
                                             flavor="hive")
            data = pads.dataset(paths, filesystem=fs, format="parquet",
                                partitioning=partitioning, partition_base_dir=base).to_table()
        else:
            data = pads.dataset(paths, filesystem=fs, format="parquet").to_table()
        data = data.append_column("ds", pa.array([ds] * data.num_rows, pa.string()))
        parts.append(data)
    if not parts:
        return schema.append(pa.field("ds", pa.string())).empty_table()
    return pa.concat_tables(parts, promote_options="default")
