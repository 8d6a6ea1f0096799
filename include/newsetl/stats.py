"""Per-day aggregates for dashboards: the ``daily_stats`` Delta table (partition ``ds``).

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
``publish_id``             the day's publish id        0 (which publish the stats describe)
=========================  ==========================  =====================================

Recomputing a day replaces its partition in one Delta commit (predicate overwrite).
Stats whose ``publish_id`` is not the day's current one are stale (the day was
republished since): :func:`stale_days`.
"""

from __future__ import annotations

import os

import pyarrow as pa
import pyarrow.compute as pc

from newsetl import layout, schemas
from newsetl.readers import manifest_rows, read_manifest, read_table, snapshot

TOP_SOURCES = 10


def _day_table(out_root: str | os.PathLike[str], table: str, ds: str,
               columns: list[str], snap) -> pa.Table | None:
    """The day's published rows (at the versions its manifest row pins)."""
    data = read_table(out_root, table, [ds], snap=snap, columns=[*columns, "ds"])
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
    snap = snapshot(out, [ds])
    manifest = read_manifest(out, ds)
    if manifest is None or ds not in snap.versions:
        raise FileNotFoundError(f"no published manifest for {ds} under {out}")
    counts = manifest["counts"]
    rows: list[tuple[str, str, float]] = [
        ("input_items", "", counts["input_items"]),
        ("articles", "", counts["articles"]),
        ("rejects", "", counts["rejects"]),
        ("run_seconds", "", manifest["timings"].get("wall_seconds", 0.0)),
        ("publish_id", manifest["version"], 0.0),
    ]
    rows += [("articles_by_lang", k, v) for k, v in counts["articles_by_lang"].items()]
    rows += [("rejects_by_reason", k, v) for k, v in counts["rejects_by_reason"].items()]
    articles = _day_table(out, "articles", ds, ["n_chars", "source_name", "section_label"],
                          snap)
    if articles is not None and articles.num_rows:
        n_chars = articles.column("n_chars")
        rows.append(("body_chars_mean", "", float(pc.mean(n_chars).as_py())))
        rows.append(("body_chars_median", "", float(
            pc.approximate_median(n_chars).as_py())))
        rows += _top(articles.column("source_name"), "top_source_name", TOP_SOURCES)
        rows += _top(articles.column("section_label"), "articles_by_label", None)
    sections = _day_table(out, "sections", ds, ["section_lang", "lang", "is_foreign"], snap)
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


def write_daily_stats(out_root: str | os.PathLike[str], ds: str) -> str:
    """Compute and (re)write the day's stats in one Delta commit; returns the table URI."""
    from newsetl.publish import commit_day, new_publish_id

    day = layout.day(ds)
    table = compute_daily_stats(out_root, day.ds)
    rows = table.append_column("ds", pa.array([day.ds] * table.num_rows, pa.string()))
    rows = rows.cast(schemas.delta_schema(layout.DAILY_STATS))
    commit_day(out_root, layout.DAILY_STATS, day, lambda: rows, new_publish_id())
    return str(layout.table_uri(out_root, layout.DAILY_STATS))


def read_daily_stats(out_root: str | os.PathLike[str],
                     days: list[str] | None = None) -> pa.Table:
    """Every day's stats with a ``ds`` column (empty table when there are none)."""
    return read_table(out_root, layout.DAILY_STATS, days)


def stale_days(out_root: str | os.PathLike[str]) -> list[str]:
    """Published days whose stats are missing or describe an earlier publish."""
    stats = read_daily_stats(out_root)
    described = {ds: key for ds, metric, key in zip(
        stats.column("ds").to_pylist(), stats.column("metric").to_pylist(),
        stats.column("key").to_pylist(), strict=True) if metric == "publish_id"}
    return [r["ds"] for r in manifest_rows(out_root)
            if described.get(r["ds"]) != r["publish_id"]]
