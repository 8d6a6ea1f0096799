"""Read-only access to the published dataset for the UI, through :mod:`newsetl.readers`.

Per-day summaries come from ``daily_stats`` (one Delta table, so a range of thousands
of days is one scan); a published day without stats, or whose stats describe an
earlier publish (their ``publish_id`` is not the day's current one), falls back to the
counts of its ``manifests`` row. The out root comes from the same settings as the
tasks (local or ``s3://``), and a ``ds`` from a request is validated
(:func:`check_ds`, :class:`newsetl.layout.Day`) before it reaches a Delta predicate,
so request parameters can never name anything else.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from newsetl import readers, storage
from newsetl.readers import published_days
from newsetl.ui.days import DS_RE, InvalidDay, check_ds

__all__ = ["DS_RE", "InvalidDay", "check_ds", "published_days"]  # re-exported for callers

#: A local output root, or an object-store URL (``s3://bucket/prefix``).
OutRoot = str | os.PathLike[str]


#: Rows of the "latest days" table and of the reject sample of a day.
LATEST_DAYS = 30
REJECT_SAMPLE = 20
#: Bars per chart before days are grouped into weeks, months, quarters or years.
MAX_BUCKETS = 120
#: Languages shown as their own series; the rest are summed into ``other``.
TOP_LANGS = 8
#: Inputs listed on the day page (the JSON endpoint returns them all).
INPUTS_SHOWN = 50

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def default_out_root() -> OutRoot:
    """The output root of :mod:`newsetl.settings` (``$NEWSETL_OUT_ROOT``, else ``data/out``).

    Read per request, so a changed environment needs no restart. Airflow Variables are
    not consulted: the api-server has no task context to read them from.
    """
    try:
        from newsetl import settings

        value = settings.load().out_root
    except Exception:  # noqa: BLE001 - an invalid unrelated NEWSETL_* value: still serve
        value = os.environ.get("NEWSETL_OUT_ROOT") or str(PROJECT_ROOT / "data" / "out")
    return value if storage.is_remote(value) else storage.local_path(value)


def read_manifest(out_root: OutRoot, ds: str) -> dict | None:
    check_ds(ds)
    return readers.read_manifest(out_root, ds)


# --------------------------------------------------------------------------- days list

def _manifest_summary(ds: str, manifest: dict) -> dict:
    counts = manifest.get("counts", {})
    return {
        "ds": ds,
        "input_items": int(counts.get("input_items", 0)),
        "articles": int(counts.get("articles", 0)),
        "rejects": int(counts.get("rejects", 0)),
        "run_seconds": float(manifest.get("timings", {}).get("wall_seconds", 0.0)),
        "foreign_section_share": None,
        "articles_by_lang": {k: int(v) for k, v in counts.get("articles_by_lang", {}).items()},
        "rejects_by_reason": {k: int(v) for k, v in counts.get("rejects_by_reason", {}).items()},
        "source": "manifest",
    }


def _stats_by_day(out_root: OutRoot, lo: str | None, hi: str | None) -> dict[str, dict]:
    """Summaries from ``daily_stats`` with the publish id they describe."""
    table = readers.read_table(out_root, "daily_stats")
    if not table.num_rows:
        return {}
    mask = pc.is_in(table.column("metric"), value_set=pa.array(sorted(
        {"input_items", "articles", "rejects", "run_seconds", "foreign_section_share",
         "articles_by_lang", "rejects_by_reason", "publish_id"})))
    if lo:
        mask = pc.and_(mask, pc.greater_equal(table.column("ds"), lo))
    if hi:
        mask = pc.and_(mask, pc.less_equal(table.column("ds"), hi))
    table = table.filter(mask)
    found: dict[str, dict] = {}
    for ds, metric, key, value in zip(table.column("ds").to_pylist(),
                                      table.column("metric").to_pylist(),
                                      table.column("key").to_pylist(),
                                      table.column("value").to_pylist(), strict=True):
        entry = found.setdefault(ds, {
            "ds": ds, "input_items": 0, "articles": 0, "rejects": 0, "run_seconds": 0.0,
            "foreign_section_share": None, "articles_by_lang": {}, "rejects_by_reason": {},
            "source": "daily_stats", "publish_id": None})
        if metric in ("articles_by_lang", "rejects_by_reason"):
            entry[metric][key] = int(value)
        elif metric == "publish_id":
            entry["publish_id"] = key
        elif metric in ("run_seconds", "foreign_section_share"):
            entry[metric] = float(value)
        else:
            entry[metric] = int(value)
    return found


def day_summaries(out_root: OutRoot, lo: str | None = None,
                  hi: str | None = None) -> list[dict]:
    """One summary per published day in ``[lo, hi]`` (inclusive), oldest first.

    Keys: ``ds``, ``input_items``, ``articles``, ``rejects``, ``run_seconds``,
    ``foreign_section_share`` (``None`` without stats), ``articles_by_lang``,
    ``rejects_by_reason``, ``source`` (``daily_stats`` or ``manifest``).
    """
    if lo:
        check_ds(lo)
    if hi:
        check_ds(hi)
    rows = [r for r in readers.manifest_rows(out_root) if DS_RE.fullmatch(r["ds"])
            and (not lo or r["ds"] >= lo) and (not hi or r["ds"] <= hi)]
    if not rows:
        return []
    stats = _stats_by_day(out_root, lo, hi)
    result = []
    for row in rows:
        entry = stats.get(row["ds"])
        if entry is None or entry.pop("publish_id") != row["publish_id"]:
            # no stats, or stats of an earlier publish: the manifest's counts, and no
            # foreign-section share until the stats are recomputed
            entry = _manifest_summary(row["ds"], json.loads(row["manifest"]))
        result.append(entry)
    return result


def day_states(out_root: OutRoot, lo: str | None = None, hi: str | None = None,
               published: list[str] | None = None) -> list[dict]:
    """Every day of the range with its state — ``published``, ``failed`` (with the step,
    the error, the run and a link, from :mod:`newsetl.daystatus`) or ``missing`` —
    oldest first: the real date axis of the page."""
    from newsetl import daystatus

    if lo:
        check_ds(lo)
    if hi:
        check_ds(hi)
    if published is None:  # the caller may have listed them already (one listing)
        published = published_days(out_root)
    published = [d for d in published if DS_RE.fullmatch(d)]
    failed = {d: v for d, v in daystatus.failures(out_root).items() if DS_RE.fullmatch(d)}
    return daystatus.calendar(published, failed, lo, hi)


def with_gaps(days: list[dict], states: list[dict]) -> list[dict]:
    """Day summaries with an empty entry for every failed or missing day of ``states``,
    so charts run on a continuous date axis (a gap shows as a gap, not as nothing).

    >>> [d["ds"] for d in with_gaps([{"ds": "2024-03-01", "articles": 5}],
    ...                             [{"ds": "2024-03-01", "state": "published"},
    ...                              {"ds": "2024-03-02", "state": "missing"}])]
    ['2024-03-01', '2024-03-02']
    """
    by_day = {d["ds"]: d for d in days}
    out = []
    for state in states:
        out.append(by_day.pop(state["ds"], None) or {
            "ds": state["ds"], "input_items": 0, "articles": 0, "rejects": 0,
            "run_seconds": 0.0, "foreign_section_share": None, "articles_by_lang": {},
            "rejects_by_reason": {}, "source": state["state"]})
    return sorted(out + list(by_day.values()), key=lambda d: d["ds"])


def totals(days: list[dict]) -> dict:
    """Sums over a list of day summaries."""
    langs: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for d in days:
        langs.update(d["articles_by_lang"])
        reasons.update(d["rejects_by_reason"])
    return {
        "days": len(days),
        "first": days[0]["ds"] if days else None,
        "last": days[-1]["ds"] if days else None,
        "input_items": sum(d["input_items"] for d in days),
        "articles": sum(d["articles"] for d in days),
        "rejects": sum(d["rejects"] for d in days),
        "articles_by_lang": dict(langs.most_common()),
        "rejects_by_reason": dict(reasons.most_common()),
    }


# --------------------------------------------------------------------------- downsampling

GRANULARITIES = ("day", "week", "month", "quarter", "year")


def bucket_start(ds: str, granularity: str) -> str:
    """First day of the bucket holding ``ds``.

    >>> [bucket_start("2024-03-14", g) for g in GRANULARITIES]
    ['2024-03-14', '2024-03-11', '2024-03-01', '2024-01-01', '2024-01-01']
    """
    d = date.fromisoformat(ds)
    if granularity == "day":
        return ds
    if granularity == "week":
        return (d - timedelta(days=d.weekday())).isoformat()
    if granularity == "month":
        return d.replace(day=1).isoformat()
    if granularity == "quarter":
        return d.replace(month=3 * ((d.month - 1) // 3) + 1, day=1).isoformat()
    return d.replace(month=1, day=1).isoformat()


def choose_granularity(days: list[str], max_buckets: int = MAX_BUCKETS) -> str:
    """The finest granularity that gives at most ``max_buckets`` bars.

    >>> choose_granularity(["2024-01-01", "2024-01-02"])
    'day'
    >>> start = date(2020, 1, 1)
    >>> choose_granularity([(start + timedelta(days=i)).isoformat() for i in range(1500)])
    'month'
    """
    for granularity in GRANULARITIES:
        if len({bucket_start(d, granularity) for d in days}) <= max_buckets:
            return granularity
    return "year"


def bucketize(days: list[dict], max_buckets: int = MAX_BUCKETS) -> tuple[str, list[dict]]:
    """Group day summaries into at most ``max_buckets`` bars (sums; mean share)."""
    granularity = choose_granularity([d["ds"] for d in days], max_buckets)
    buckets: dict[str, dict] = {}
    for d in days:
        start = bucket_start(d["ds"], granularity)
        b = buckets.get(start)
        if b is None:
            b = buckets[start] = {"start": start, "end": d["ds"], "n_days": 0, "articles": 0,
                                  "rejects": 0, "input_items": 0, "articles_by_lang": Counter(),
                                  "rejects_by_reason": Counter(), "_shares": []}
        b["end"] = max(b["end"], d["ds"])
        b["n_days"] += 1
        for key in ("articles", "rejects", "input_items"):
            b[key] += d[key]
        b["articles_by_lang"].update(d["articles_by_lang"])
        b["rejects_by_reason"].update(d["rejects_by_reason"])
        if d.get("foreign_section_share") is not None:
            b["_shares"].append(d["foreign_section_share"])
    result = []
    for start in sorted(buckets):
        b = buckets[start]
        shares = b.pop("_shares")
        b["foreign_section_share"] = sum(shares) / len(shares) if shares else None
        b["articles_by_lang"] = dict(b["articles_by_lang"])
        b["rejects_by_reason"] = dict(b["rejects_by_reason"])
        b["label"] = start if granularity == "day" else _bucket_label(start, granularity)
        result.append(b)
    return granularity, result


def _bucket_label(start: str, granularity: str) -> str:
    d = date.fromisoformat(start)
    if granularity == "week":
        return f"week of {start}"
    if granularity == "month":
        return start[:7]
    if granularity == "quarter":
        return f"{d.year}-Q{(d.month - 1) // 3 + 1}"
    return str(d.year)


def series_keys(totals_by_key: dict[str, int], top: int | None) -> list[str]:
    """Largest keys first; beyond ``top`` they are summed into ``other``.

    >>> series_keys({"fr": 5, "en": 9, "de": 1}, 2)
    ['en', 'fr', 'other']
    """
    keys = sorted(totals_by_key, key=lambda k: (-totals_by_key[k], k))
    if top is not None and len(keys) > top:
        return keys[:top] + ["other"]
    return keys


def fold_other(values: dict[str, int], keys: list[str]) -> dict[str, int]:
    """``values`` restricted to ``keys``, everything else counted as ``other``."""
    out = {k: 0 for k in keys}
    for k, v in values.items():
        if k in out and k != "other":
            out[k] += v
        elif "other" in out:
            out["other"] += v
    return out


# --------------------------------------------------------------------------- one day

def _day_stats(out_root: OutRoot, ds: str, manifest: dict) -> dict[str, dict[str, float]]:
    """The day's stats: stored ones when they describe this publish, else computed."""
    table = readers.read_table(out_root, "daily_stats", [ds])
    keys = dict(zip(table.column("metric").to_pylist(), table.column("key").to_pylist(),
                    strict=True))
    if keys.get("publish_id") != manifest.get("version"):
        from newsetl.stats import compute_daily_stats

        try:
            table = compute_daily_stats(out_root, ds)
        except (FileNotFoundError, OSError, pa.ArrowInvalid):
            return {}
    grouped: dict[str, dict[str, float]] = {}
    for metric, key, value in zip(table.column("metric").to_pylist(),
                                  table.column("key").to_pylist(),
                                  table.column("value").to_pylist(), strict=True):
        grouped.setdefault(metric, {})[key] = value
    return grouped


def reject_sample(out_root: OutRoot, ds: str, limit: int = REJECT_SAMPLE) -> list[dict]:
    """Up to ``limit`` reject rows of the day (all columns but ``ds``, source order)."""
    check_ds(ds)
    table = readers.read_table(out_root, "rejects", [ds])
    names = [n for n in table.column_names if n != "ds"]
    return table.select(names).slice(0, limit).to_pylist()


def day_detail(out_root: OutRoot, ds: str) -> dict | None:
    """Everything the day page shows, or ``None`` when the day is not published."""
    manifest = read_manifest(out_root, ds)
    if manifest is None:
        return None
    counts = manifest.get("counts", {})
    stats = _day_stats(out_root, ds, manifest)

    def ranked(metric: str) -> list[dict]:
        items = stats.get(metric, {})
        pairs = sorted(items.items(), key=lambda kv: (-kv[1], kv[0]))
        return [{"key": k, "value": int(v)} for k, v in pairs]

    share = stats.get("foreign_section_share", {}).get("")
    return {
        "ds": ds,
        "counts": {k: counts.get(k) for k in ("input_files", "input_items", "articles",
                                               "sections", "rejects", "duplicates")},
        "articles_by_lang": dict(sorted(counts.get("articles_by_lang", {}).items(),
                                        key=lambda kv: (-kv[1], kv[0]))),
        "rejects_by_reason": dict(sorted(counts.get("rejects_by_reason", {}).items(),
                                         key=lambda kv: (-kv[1], kv[0]))),
        "top_sources": ranked("top_source_name"),
        "section_labels": ranked("articles_by_label"),
        "foreign_section_share": share,
        "body_chars_mean": stats.get("body_chars_mean", {}).get(""),
        "body_chars_median": stats.get("body_chars_median", {}).get(""),
        "run_seconds": manifest.get("timings", {}).get("wall_seconds"),
        "reject_sample": reject_sample(out_root, ds),
        "manifest": manifest,
    }


def neighbours(out_root: OutRoot, ds: str) -> tuple[str | None, str | None]:
    """The published days just before and after ``ds``."""
    days = published_days(out_root)
    before = [d for d in days if d < ds]
    after = [d for d in days if d > ds]
    return (before[-1] if before else None), (after[0] if after else None)


def fmt_int(value: Any) -> str:
    """``12345`` -> ``'12,345'``; ``None`` -> ``'–'``.

    >>> fmt_int(12345), fmt_int(None)
    ('12,345', '–')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{int(value):,}"
