"""Per-day aggregates for dashboards: ``<out_root>/daily_stats/ds=D/part-0000.parquet``.

Long format (``metric``, ``key``, ``value``), so new metrics never change the schema:

=========================  ==========================  =====================================
metric                     key                         value
=========================  ==========================  =====================================
``input_items``            ``""``                      items read
``articles``               ``""``                      articles published
``rejects``                ``""``                      reject rows
``articles_by_lang``       language code               articles
``rejects_by_reason``      reason code                 reject rows
``foreign_section_share``  ``""``                      foreign sections / judged sections
``body_chars_mean``        ``""``                      mean body length (characters)
``body_chars_median``      ``""``                      median body length
``top_source_name``        source name                 articles (top 10)
``articles_by_label``      section label or ``""``     articles
``run_seconds``            ``""``                      wall time of the publishing run
=========================  ==========================  =====================================

Recomputing a day replaces its file atomically (write to a temp file, rename).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from newsetl import schemas, storage
from newsetl.publish import read_manifest
from newsetl.readers import read_table

TOP_SOURCES = 10


def _day_table(out_root: str | os.PathLike[str], table: str, ds: str,
               columns: list[str]) -> pa.Table | None:
    """The day's current rows (local Hive paths or object-store pointer alike)."""
    data = read_table(out_root, table, [ds])
    return data.select(columns) if data.num_rows else None


def foreign_section_share(sections: pa.Table) -> float | None:
    """Share of foreign sections among those that could be foreign: a section with a
    language in an article with a language (``process.build_rows``). None when there
    is no such section: no data, not 0 %.

    >>> t = pa.table({"section_lang": ["fr", "en", "und", "de"],
    ...               "lang": ["fr", "fr", "fr", "und"],
    ...               "is_foreign": [False, True, False, False]})
    >>> foreign_section_share(t)
    0.5
    >>> foreign_section_share(t.filter(pc.equal(t["lang"], "und"))) is None
    True
    """
    judged = pc.sum(pc.and_(pc.not_equal(sections["section_lang"], "und"),
                            pc.not_equal(sections["lang"], "und"))).as_py() or 0
    if not judged:
        return None
    return (pc.sum(sections["is_foreign"]).as_py() or 0) / judged


def compute_daily_stats(out_root: str | os.PathLike[str], ds: str) -> pa.Table:
    """Aggregate one published day into the long ``DAILY_STATS`` table."""
    out = out_root
    manifest = read_manifest(out, ds)
    if manifest is None:
        raise FileNotFoundError(f"no published manifest for {ds} under {out}")
    counts = manifest["counts"]
    rows: list[tuple[str, str, float]] = [
        ("input_items", "", counts["input_items"]),
        ("articles", "", counts["articles"]),
        ("rejects", "", counts["rejects"]),
        ("run_seconds", "", manifest["timings"].get("wall_seconds", 0.0)),
    ]
    rows += [("articles_by_lang", k, v) for k, v in counts["articles_by_lang"].items()]
    rows += [("rejects_by_reason", k, v) for k, v in counts["rejects_by_reason"].items()]
    articles = _day_table(out, "articles", ds, ["n_chars", "source_name", "section_label"])
    if articles is not None and articles.num_rows:
        n_chars = articles.column("n_chars")
        rows.append(("body_chars_mean", "", float(pc.mean(n_chars).as_py())))
        rows.append(("body_chars_median", "", float(
            pc.approximate_median(n_chars).as_py())))
        rows += _top(articles.column("source_name"), "top_source_name", TOP_SOURCES)
        rows += _top(articles.column("section_label"), "articles_by_label", None)
    sections = _day_table(out, "sections", ds, ["section_lang", "lang", "is_foreign"])
    share = foreign_section_share(sections) if sections is not None else None
    if share is not None:
        rows.append(("foreign_section_share", "", share))
    rows.sort(key=lambda r: (r[0], r[1]))
    return pa.table({"metric": [r[0] for r in rows], "key": [r[1] for r in rows],
                     "value": [float(r[2]) for r in rows]}, schema=schemas.DAILY_STATS)


def _top(column: pa.ChunkedArray, metric: str, limit: int | None) -> list[tuple[str, str, float]]:
    counts = pc.value_counts(column.fill_null("")).to_pylist()
    pairs = sorted(((c["values"], c["counts"]) for c in counts), key=lambda p: (-p[1], p[0]))
    if limit is not None:
        pairs = [p for p in pairs if p[0]][:limit]
    return [(metric, key, float(n)) for key, n in pairs]


def write_daily_stats(out_root: str | os.PathLike[str], ds: str) -> Path | str:
    """Compute and (re)write the day's stats file (a rename locally, one PUT on object
    stores: readers never see half a file); returns its path or URL."""
    table = compute_daily_stats(out_root, ds)
    if storage.is_remote(out_root):
        url = str(storage.join(out_root, "daily_stats", f"ds={ds}", "part-0000.parquet"))
        with tempfile.TemporaryDirectory(prefix="newsetl-stats-") as tmpdir:
            local = Path(tmpdir) / "part-0000.parquet"
            pq.write_table(table, local, compression=schemas.PARQUET_COMPRESSION)
            fs, path = storage.filesystem(url)
            fs.put_file(str(local), path)
        return url
    target = storage.local_path(out_root) / "daily_stats" / f"ds={ds}" / "part-0000.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".part-0000.parquet.tmp-{os.getpid()}")
    pq.write_table(table, tmp, compression=schemas.PARQUET_COMPRESSION)
    os.replace(tmp, target)
    return target


def read_daily_stats(out_root: str | os.PathLike[str]) -> pa.Table:
    """Every day's stats with a ``ds`` column (empty table when there are none)."""
    empty = schemas.DAILY_STATS.append(pa.field("ds", pa.string())).empty_table()
    part = pads.partitioning(pa.schema([("ds", pa.string())]), flavor="hive")
    if storage.is_remote(out_root):
        url = str(storage.join(out_root, "daily_stats"))
        if not storage.exists(url):
            return empty
        fs, base = storage.filesystem(url)
        return pads.dataset(base, filesystem=fs, format="parquet",
                            partitioning=part).to_table()
    base = storage.local_path(out_root) / "daily_stats"
    if not base.exists() or not any(base.rglob("*.parquet")):
        return empty
    return pads.dataset(base, format="parquet", partitioning=part).to_table()
