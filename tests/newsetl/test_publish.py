"""Publishing: exact partition paths, round trip, dedup, idempotency, crash safety."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest
from newsetl import reasons, schemas
from newsetl.pipeline import MissingDayError, plan_day, run_day
from newsetl.publish import publish_day, read_manifest, run_staging
from newsetl.staging import process_shard

DAY = "2024-03-01"


def _rel_files(root: Path) -> list[str]:
    """Every parquet file reachable through the Hive paths (symlinks followed)."""
    found = []
    for table in ("articles", "sections", "rejects"):
        for dirpath, _dirs, files in os.walk(root / table, followlinks=True):
            for name in files:
                found.append(str((Path(dirpath) / name).relative_to(root)))
    return sorted(found)


def _table(out: Path, name: str):
    return pads.dataset(out / name, format="parquet", partitioning="hive").to_table()


def _rows(out: Path, name: str) -> list[dict]:
    table = _table(out, name)
    keys = {"articles": ["ds", "source_file", "source_member"],
            "sections": ["ds", "article_id", "position"],
            "rejects": ["ds", "source_file", "source_member"]}[name]
    rows = table.to_pylist()
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in keys))


def test_exact_partition_paths_and_manifest(sample_raw: Path, tmp_path: Path) -> None:
    manifest = run_day(sample_raw, tmp_path, DAY, detector="langdetect")
    assert _rel_files(tmp_path) == [
        "articles/ds=2024-03-01/lang=ar/part-0000.parquet",
        "articles/ds=2024-03-01/lang=de/part-0000.parquet",
        "articles/ds=2024-03-01/lang=en/part-0000.parquet",
        "articles/ds=2024-03-01/lang=es/part-0000.parquet",
        "articles/ds=2024-03-01/lang=fa/part-0000.parquet",
        "articles/ds=2024-03-01/lang=fr/part-0000.parquet",
        "articles/ds=2024-03-01/lang=ru/part-0000.parquet",
        "rejects/ds=2024-03-01/part-0000.parquet",
        "sections/ds=2024-03-01/lang=ar/part-0000.parquet",
        "sections/ds=2024-03-01/lang=de/part-0000.parquet",
        "sections/ds=2024-03-01/lang=en/part-0000.parquet",
        "sections/ds=2024-03-01/lang=es/part-0000.parquet",
        "sections/ds=2024-03-01/lang=fa/part-0000.parquet",
        "sections/ds=2024-03-01/lang=fr/part-0000.parquet",
        "sections/ds=2024-03-01/lang=ru/part-0000.parquet",
    ]
    assert read_manifest(tmp_path, DAY) == manifest
    counts = manifest["counts"]
    assert counts["input_items"] == counts["articles"] + counts["rejects"] == 10
    assert counts["articles_by_lang"] == {"ar": 1, "de": 1, "en": 1, "es": 1, "fa": 1, "fr": 2,
                                          "ru": 1}
    assert counts["rejects_by_reason"] == {"empty": 1, "malformed_record": 1}
    assert manifest["schema_version"] == schemas.SCHEMA_VERSION
    assert [i["path"] for i in manifest["inputs"]] == sorted(i["path"] for i in manifest["inputs"])
    assert all(len(i["sha256"]) == 64 and i["size"] > 0 for i in manifest["inputs"])
    assert sum(i["articles"] + i["rejects"] for i in manifest["inputs"]) == 10
    assert not (tmp_path / "_staging").exists()
    assert manifest["skipped_inputs"] == []


def test_parquet_round_trip_schema_and_compression(sample_raw: Path, tmp_path: Path) -> None:
    run_day(sample_raw, tmp_path, DAY, detector="langdetect")
    for name in ("articles", "sections", "rejects"):
        table = _table(tmp_path, name)
        expected = [f.name for f in schemas.TABLE_SCHEMAS[name]]
        for col in expected:
            assert col in table.column_names
        for path in (tmp_path / name / f"ds={DAY}").rglob("*.parquet"):
            meta = pq.ParquetFile(path).metadata
            assert meta.row_group(0).column(0).compression == "ZSTD"
            file_schema = pq.read_schema(path)
            for field in file_schema:
                assert schemas.TABLE_SCHEMAS[name].field(field.name).type == field.type
    seed = [r for r in _rows(tmp_path, "articles") if r["source_file"].startswith("000_")][0]
    assert seed["credits"] == ["AFP", "Reuters", "AFP"] and seed["lang"] == "fr"


def test_rerun_is_idempotent_and_replaces_the_day(sample_raw: Path, tmp_path: Path) -> None:
    run_day(sample_raw, tmp_path, DAY, detector="langdetect")
    first = {n: _rows(tmp_path, n) for n in ("articles", "sections", "rejects")}
    run_day(sample_raw, tmp_path, DAY, detector="langdetect", workers=2, max_files=2)
    second = {n: _rows(tmp_path, n) for n in ("articles", "sections", "rejects")}
    assert first == second
    assert len(list((tmp_path / "_versions" / f"ds={DAY}").iterdir())) == 1


def test_duplicates_point_at_the_first_article(tmp_path: Path) -> None:
    raw = tmp_path / "raw" / DAY
    raw.mkdir(parents=True)
    # a body of 200+ letters: shorter bodies are compared together with their titles
    body = " ".join(["Un paragraphe assez long pour être un article de presse complet."] * 4)
    text = f"Titre\n\n{body}\n"
    (raw / "b.txt").write_text(text)
    (raw / "a.txt").write_text(text.replace("Titre", "Autre titre").upper().lower())
    (raw / "c.txt").write_text(text)
    out = tmp_path / "out"
    manifest = run_day(tmp_path / "raw", out, DAY, detector="langdetect", max_files=1)
    assert manifest["shards"] == 3
    articles = _rows(out, "articles")
    rejects = _rows(out, "rejects")
    assert [a["source_file"] for a in articles] == ["a.txt"]
    assert [(r["source_file"], r["reason"], r["duplicate_of"]) for r in rejects] == [
        ("b.txt", reasons.DUPLICATE, articles[0]["article_id"]),
        ("c.txt", reasons.DUPLICATE, articles[0]["article_id"]),
    ]
    sections = _rows(out, "sections")
    assert {s["article_id"] for s in sections} == {articles[0]["article_id"]}
    assert len(sections) == 2


def test_crash_before_switch_keeps_previous_version(sample_raw: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(sample_raw / DAY, raw / DAY)
    out = tmp_path / "out"
    run_day(raw, out, DAY, detector="langdetect")
    before = {n: _rows(out, n) for n in ("articles", "sections", "rejects")}
    manifest_before = read_manifest(out, DAY)
    (raw / DAY / "en_storm.txt").unlink()  # the new version would differ
    plan = plan_day(raw, DAY)
    staging = run_staging(out, DAY, "crash-test")
    for shard in plan.shards:
        process_shard(plan.day, plan.files, shard, staging, "langdetect")
    with pytest.raises(RuntimeError, match="injected crash"):
        publish_day(out, DAY, staging, len(plan.shards), len(plan.files),
                    crash_before_switch=True)
    assert {n: _rows(out, n) for n in ("articles", "sections", "rejects")} == before
    assert read_manifest(out, DAY) == manifest_before
    # the next successful run publishes and cleans the orphaned version
    run_day(raw, out, DAY, detector="langdetect")
    assert len(_rows(out, "articles")) == len(before["articles"]) - 1
    assert len(list((out / "_versions" / f"ds={DAY}").iterdir())) == 1


def test_crash_inside_a_shard_leaves_previous_version(sample_raw: Path, tmp_path: Path,
                                                       monkeypatch) -> None:
    out = tmp_path / "out"
    run_day(sample_raw, out, DAY, detector="langdetect")
    before = _rows(out, "articles")

    def boom(*args, **kwargs):
        raise MemoryError("simulated worker death")

    monkeypatch.setattr("newsetl.staging.process_items", boom)
    with pytest.raises(MemoryError):
        run_day(sample_raw, out, DAY, detector="langdetect")
    assert _rows(out, "articles") == before


def test_missing_day_is_an_error_unless_allowed(tmp_path: Path) -> None:
    with pytest.raises(MissingDayError, match=str(tmp_path / "raw" / DAY)):
        run_day(tmp_path / "raw", tmp_path / "out", DAY)
    manifest = run_day(tmp_path / "raw", tmp_path / "out", DAY, allow_empty=True)
    assert manifest["counts"]["input_items"] == 0 and manifest["counts"]["articles"] == 0
    assert _rel_files(tmp_path / "out") == []


def test_duckdb_reads_with_partition_pruning(sample_raw: Path, tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    for ds in ("2024-03-01", "2024-03-02"):
        run_day(sample_raw, tmp_path, ds, detector="langdetect")
    glob = str(tmp_path / "articles" / "ds=*" / "lang=*" / "*.parquet")
    con = duckdb.connect()
    n = con.execute(f"select count(*) from read_parquet('{glob}', hive_partitioning=1) "
                    "where ds = '2024-03-02' and lang = 'de'").fetchone()[0]
    assert n == 1
    plan = "\n".join(r[1] for r in con.execute(
        f"explain select * from read_parquet('{glob}', hive_partitioning=1) "
        "where ds = '2024-03-02' and lang = 'de'").fetchall())
    assert "File Filters" in plan or "Filters" in plan or "PARQUET_SCAN" in plan.upper()


def test_stale_staging_of_dead_runs_is_removed(sample_raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    dead = out / "_staging" / f"ds={DAY}" / "airflow-dead-run"
    fresh = out / "_staging" / f"ds={DAY}" / "airflow-running"
    (dead / "shards").mkdir(parents=True)
    (fresh / "shards").mkdir(parents=True)
    old = time.time() - 2 * 24 * 3600
    os.utime(dead / "shards", (old, old))
    os.utime(dead, (old, old))
    run_day(sample_raw, out, DAY, detector="langdetect")
    assert not dead.exists()
    assert fresh.exists()  # may belong to a run still in progress


def test_gate_refusal_keeps_previous_version(sample_raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_day(sample_raw, out, DAY, detector="langdetect")
    plan = plan_day(sample_raw, DAY)
    staging = run_staging(out, DAY, "gated")
    for shard in plan.shards:
        process_shard(plan.day, plan.files, shard, staging, "langdetect")
    seen = []

    def refuse(manifest: dict) -> None:
        seen.append(manifest["counts"]["articles"])
        raise ValueError("quality gate says no")

    with pytest.raises(ValueError, match="gate says no"):
        publish_day(out, DAY, staging, len(plan.shards), len(plan.files), gate=refuse)
    assert seen == [8]
    assert read_manifest(out, DAY) == first
    assert len(list((out / "_versions" / f"ds={DAY}").iterdir())) == 1
    assert not (staging / "build").exists() and (staging / "shards").exists()
    # a passing gate's checks are stored with the published day
    checks = [{"name": "min_articles", "ok": True, "value": 8}]
    published = publish_day(out, DAY, staging, len(plan.shards), len(plan.files),
                            gate=lambda manifest: checks)
    assert published["quality"] == checks == read_manifest(out, DAY)["quality"]


def test_two_overlapping_runs_of_a_day_both_publish(sample_raw: Path, tmp_path: Path) -> None:
    """A second run of a day that starts while the first is still processing must not
    wipe the first one's staging (each run stages under its own token)."""
    import threading

    from newsetl.pipeline import run_day

    day = "2024-03-01"
    first_in_shard, second_done = threading.Event(), threading.Event()
    results: dict[str, dict | BaseException] = {}

    def pause(*_):
        first_in_shard.set()
        second_done.wait(60)

    def first() -> None:
        try:
            results["first"] = run_day(sample_raw, tmp_path, day, detector="langdetect",
                                       max_files=2, on_shard=pause)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            results["first"] = exc

    thread = threading.Thread(target=first)
    thread.start()
    assert first_in_shard.wait(60)
    results["second"] = run_day(sample_raw, tmp_path, day, detector="langdetect")
    second_done.set()
    thread.join(60)
    assert isinstance(results["first"], dict), results["first"]
    assert results["first"]["counts"] == results["second"]["counts"]
    assert read_manifest(tmp_path, day)["version"] == results["first"]["version"]
