"""daily_stats: numbers match the manifest and the tables; reprocessing replaces the day."""

from __future__ import annotations

from pathlib import Path

from newsetl.pipeline import run_day
from newsetl.stats import read_daily_stats, write_daily_stats


def _metric(table, ds: str, metric: str) -> dict[str, float]:
    return {r["key"]: r["value"] for r in table.to_pylist()
            if r["ds"] == ds and r["metric"] == metric}


def test_stats_match_manifest_and_replace_on_rerun(sample_raw: Path, tmp_path: Path) -> None:
    m1 = run_day(sample_raw, tmp_path, "2024-03-01", detector="langdetect")
    m2 = run_day(sample_raw, tmp_path, "2024-03-02", detector="langdetect")
    for ds in ("2024-03-01", "2024-03-02"):
        assert write_daily_stats(tmp_path, ds) == str(tmp_path / "daily_stats")
    stats = read_daily_stats(tmp_path)
    assert _metric(stats, "2024-03-01", "articles_by_lang") == m1["counts"]["articles_by_lang"]
    assert _metric(stats, "2024-03-02", "rejects_by_reason") == m2["counts"]["rejects_by_reason"]
    assert _metric(stats, "2024-03-01", "articles") == {"": 8.0}
    assert _metric(stats, "2024-03-01", "publish_id") == {m1["version"]: 0.0}
    assert _metric(stats, "2024-03-01", "top_source_name")["FRENCH PRESS TV"] == 1.0
    share = _metric(stats, "2024-03-01", "foreign_section_share")[""]
    assert 0 < share < 0.1  # one foreign caption in the seed article
    before = len(stats)
    write_daily_stats(tmp_path, "2024-03-01")
    assert len(read_daily_stats(tmp_path)) == before


def test_empty_dataset_gives_empty_stats(tmp_path: Path) -> None:
    assert read_daily_stats(tmp_path).num_rows == 0
