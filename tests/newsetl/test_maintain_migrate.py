"""`newsetl maintain` (compact, re-pin, checkpoint, vacuum) and `newsetl migrate`."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, write_deltalake
from newsetl import deltawrite, layout, minhash, nearstore, readers, schemas
from newsetl import maintain as maintain_module
from newsetl.cli import main
from newsetl.maintain import maintain
from newsetl.migrate import migrate
from newsetl.pipeline import run_day
from newsetl.publish import commit_day
from newsetl.readers import manifest_rows, published_days, read_manifest, read_table

DAYS = ("2024-03-01", "2024-03-02")
TABLES = ("articles", "sections", "rejects")


def _sorted(table: pa.Table) -> list[dict]:
    return sorted(table.to_pylist(), key=lambda r: json.dumps(r, sort_keys=True, default=str))


def _pin(out: Path, ds: str, table: str, version: int) -> None:
    """Point the day's manifest row at ``version`` of ``table`` (as a publish would)."""
    [row] = manifest_rows(out, [ds])
    row[f"{table}_version"] = version
    data = pa.Table.from_pylist([row], schema=schemas.delta_schema("manifests"))
    commit_day(out, "manifests", layout.Day(ds), lambda: data, f"pin-{version}")


def test_maintain_compacts_repins_and_vacuums_but_keeps_pinned_days(
        sample_raw: Path, tmp_path: Path) -> None:
    for ds in DAYS:
        run_day(sample_raw, tmp_path, ds, detector="langdetect")
    before = {ds: _sorted(read_table(tmp_path, "sections", [ds])) for ds in DAYS}
    uri = str(tmp_path / "sections")
    # DAYS[0] published as two files per partition (compaction has work to do)
    rows = read_table(tmp_path, "sections", [DAYS[0]])
    write_deltalake(uri, rows.slice(0, rows.num_rows // 2), mode="overwrite",
                    predicate=layout.Day(DAYS[0]).predicate, partition_by=["ds", "lang"])
    write_deltalake(uri, rows.slice(rows.num_rows // 2), mode="append",
                    partition_by=["ds", "lang"])
    _pin(tmp_path, DAYS[0], "sections", DeltaTable(uri).version())
    # DAYS[1]: a republish that crashed after its sections commit (manifest not advanced)
    crashed = read_table(tmp_path, "sections", [DAYS[1]]).slice(0, 3)
    write_deltalake(uri, crashed, mode="overwrite", predicate=layout.Day(DAYS[1]).predicate,
                    partition_by=["ds", "lang"])
    pinned_before = {r["ds"]: r["sections_version"] for r in manifest_rows(tmp_path)}

    report = maintain(tmp_path, retention_days=0)

    assert report["sections"]["files_removed"] > report["sections"]["files_added"] > 0
    assert report["manifests"]["days_repinned"] == 1
    pins = {r["ds"]: r["sections_version"] for r in manifest_rows(tmp_path)}
    operations = {h["version"]: h["operation"] for h in DeltaTable(uri).history()}
    assert operations[pins[DAYS[0]]] == "OPTIMIZE"  # moved to the compacted version
    assert pins[DAYS[1]] == pinned_before[DAYS[1]]  # its later commit was never published
    assert report["sections"]["files_vacuumed"] > 0
    for ds in DAYS:  # both days still read whole, the crashed one at its pinned version
        assert _sorted(read_table(tmp_path, "sections", [ds])) == before[ds]
    assert (tmp_path / "sections" / "_delta_log" / "_last_checkpoint").exists()


def _age_logs(out: Path, days: float) -> None:
    """Make every Delta log file look ``days`` old (as a month of daily runs would)."""
    when = time.time() - days * 86400
    for log_file in out.glob("*/_delta_log/*"):
        os.utime(log_file, (when, when))


def test_a_month_later_maintain_keeps_every_pinned_version_readable(
        sample_raw: Path, tmp_path: Path) -> None:
    """delta-rs's cleanup_metadata removed the expired log up to the latest checkpoint,
    the versions old manifest rows pin included: those days then read back empty (0
    articles where the manifest says 8) and the next maintain failed."""
    for ds in DAYS:
        run_day(sample_raw, tmp_path, ds, detector="langdetect")
    counts = {ds: read_manifest(tmp_path, ds)["counts"] for ds in DAYS}
    # DAYS[0]: a republish that crashed after its articles commit: its pin cannot move
    crashed = read_table(tmp_path, "articles", [DAYS[0]]).slice(0, 2)
    write_deltalake(str(tmp_path / "articles"), crashed, mode="overwrite",
                    predicate=layout.Day(DAYS[0]).predicate, partition_by=["ds", "lang"])
    _age_logs(tmp_path, 31)
    for _round in range(2):
        report = maintain(tmp_path)
        for ds in DAYS:
            assert {t: read_table(tmp_path, t, [ds]).num_rows for t in TABLES} == {
                t: counts[ds][t] for t in TABLES}
        _age_logs(tmp_path, 31)
    pins = {r["ds"]: r["articles_version"] for r in manifest_rows(tmp_path)}
    latest = DeltaTable(str(tmp_path / "articles")).version()
    assert pins[DAYS[1]] == latest > pins[DAYS[0]]  # moved past the other day's commits
    names = os.listdir(tmp_path / "articles" / "_delta_log")
    assert f"{pins[DAYS[0]]:020d}.json" in names  # the oldest pin holds the log back
    assert report["articles"]["log_files_removed"] == 0
    run_day(sample_raw, tmp_path, DAYS[0], detector="langdetect")  # republished whole
    _age_logs(tmp_path, 31)
    report = maintain(tmp_path)
    assert report["articles"]["log_files_removed"] > 0  # the log before the pins goes now
    for ds in DAYS:
        assert read_table(tmp_path, "articles", [ds]).num_rows == counts[ds]["articles"]


def test_a_pinned_version_whose_log_is_gone_fails_loudly(sample_raw: Path,
                                                          tmp_path: Path) -> None:
    run_day(sample_raw, tmp_path, DAYS[0], detector="langdetect")
    pinned = manifest_rows(tmp_path, [DAYS[0]])[0]["articles_version"]
    run_day(sample_raw, tmp_path, DAYS[1], detector="langdetect")
    DeltaTable(str(tmp_path / "articles")).create_checkpoint()
    for version in range(pinned + 1):
        (tmp_path / "articles" / "_delta_log" / f"{version:020d}.json").unlink()
    with pytest.raises(readers.PinnedVersionGone, match="republish"):
        read_table(tmp_path, "articles", [DAYS[0]])
    assert read_table(tmp_path, "articles", [DAYS[1]]).num_rows > 0


def test_maintain_removes_the_files_of_a_publish_that_died_before_its_commit(
        sample_raw: Path, tmp_path: Path) -> None:
    run_day(sample_raw, tmp_path, DAYS[0], detector="langdetect")
    uri = str(tmp_path / "articles")
    rows = read_table(tmp_path, "articles", [DAYS[0]])
    orphans = deltawrite.write_files(uri, schemas.delta_schema("articles"),
                                     layout.PARTITIONS["articles"], rows.to_batches())
    assert all((tmp_path / "articles" / a.path).exists() for a in orphans)
    report = maintain(tmp_path, retention_days=0)
    assert report["articles"]["files_vacuumed"] >= len(orphans)
    assert not any((tmp_path / "articles" / a.path).exists() for a in orphans)
    assert read_table(tmp_path, "articles", [DAYS[0]]).num_rows == rows.num_rows


def test_a_publish_landing_while_maintain_repins_is_neither_undone_nor_deleted(
        sample_raw: Path, tmp_path: Path, monkeypatch) -> None:
    """The re-pin plans the moved rows from one version of the manifests and commits
    against it; a republish that lands in between fails that commit, and the rows are
    planned again: the day keeps the republish's row."""
    raw = tmp_path / "raw"
    for ds in DAYS:
        shutil.copytree(sample_raw / ds, raw / ds)
        run_day(raw, tmp_path / "out", ds, detector="langdetect")
    out = tmp_path / "out"
    (raw / DAYS[0] / "en_storm.txt").unlink()
    real = maintain_module._repinned_rows
    republished: list[dict] = []

    def plan_then_republish(out_root, as_of):
        rows = real(out_root, as_of)
        if not republished:
            republished.append(run_day(raw, out, DAYS[0], detector="langdetect"))
        return rows

    monkeypatch.setattr(maintain_module, "_repinned_rows", plan_then_republish)
    maintain(out)
    current = read_manifest(out, DAYS[0])
    assert current["version"] == republished[0]["version"]
    assert read_table(out, "articles", [DAYS[0]]).num_rows == \
        republished[0]["counts"]["articles"]
    assert published_days(out) == list(DAYS)


def test_a_day_signed_again_after_maintain_keeps_its_moved_pins(
        sample_raw: Path, tmp_path: Path, monkeypatch) -> None:
    """maintain moves a day's pins (and trims the log below them); a later re-sign of
    the day (a new signature version) rewrote the row from the manifest JSON, whose
    versions were the first ones, so the pins went back to a version whose log was gone
    and the day no longer read. The re-sign is no publish of the day either."""
    for ds in DAYS:
        run_day(sample_raw, tmp_path, ds, detector="langdetect")
    monkeypatch.setattr(maintain_module, "LOG_RETENTION_DAYS", 0)  # a month has passed
    time.sleep(1.1)
    maintain(tmp_path)
    moved = readers.snapshot(tmp_path).versions[DAYS[0]]
    manifest = read_manifest(tmp_path, DAYS[0])
    assert {t: manifest["tables"][t]["version"] for t in TABLES} == moved
    monkeypatch.setattr(minhash, "SIGNATURE_VERSION", minhash.SIGNATURE_VERSION + "-next")
    published = readers.day_versions(tmp_path, DAYS[0])
    nearstore.ensure_signed(tmp_path, list(DAYS))
    assert readers.read_manifest(tmp_path, DAYS[0])["signature_version"].endswith("-next")
    assert readers.snapshot(tmp_path).versions[DAYS[0]] == moved
    assert readers.day_versions(tmp_path, DAYS[0]) == published
    counts = manifest["counts"]
    assert {t: read_table(tmp_path, t, [DAYS[0]]).num_rows for t in TABLES} == {
        t: counts[t] for t in TABLES}
    maintain(tmp_path)  # and maintenance goes on


def test_maintain_command(sample_raw: Path, tmp_path: Path, capsys) -> None:
    run_day(sample_raw, tmp_path, DAYS[0], detector="langdetect")
    assert main(["maintain", "--out-root", str(tmp_path), "--retention-days", "7"]) == 0
    out = capsys.readouterr().out
    assert "articles: files_added=0" in out and "days_repinned=0" in out


def _old_layout(sample_raw: Path, tmp_path: Path) -> tuple[Path, dict]:
    """An out root as the symlink layout left it, built from a Delta publish."""
    source, old = tmp_path / "source", tmp_path / "old"
    expected = {}
    for ds in DAYS:
        manifest = run_day(sample_raw, source, ds, detector="langdetect")
        version = old / "_versions" / f"ds={ds}" / "v-old"
        for table in TABLES:
            data = read_table(source, table, [ds])
            expected[(ds, table)] = _sorted(data)
            keys = [k for k in layout.PARTITIONS[table] if k != "ds"]
            groups = sorted(set(data.column(keys[0]).to_pylist())) if keys else [None]
            (version / table).mkdir(parents=True)
            for value in groups:
                part = data if value is None else data.filter(
                    pa.compute.equal(data.column(keys[0]), value))
                folder = version / table / (f"{keys[0]}={value}" if value else "")
                folder.mkdir(exist_ok=True)
                names = [f.name for f in schemas.TABLE_SCHEMAS[table] if f.name not in keys]
                pq.write_table(part.select(names), folder / "part-0000.parquet")
        manifest = {k: v for k, v in manifest.items() if k != "tables"}
        manifest |= {"version": "v-old", "files": {}}
        (version / "manifest.json").write_text(json.dumps(manifest))
        (old / "_current").mkdir(exist_ok=True)
        os.symlink(f"../_versions/ds={ds}/v-old", old / "_current" / f"ds={ds}")
        for table in TABLES:
            (old / table).mkdir(exist_ok=True)
            os.symlink(f"../_current/ds={ds}/{table}", old / table / f"ds={ds}")
        (old / "_manifests").mkdir(exist_ok=True)
        os.symlink(f"../_current/ds={ds}/manifest.json", old / "_manifests" / f"ds={ds}.json")
        stats = old / "daily_stats" / f"ds={ds}" / "part-0000.parquet"
        stats.parent.mkdir(parents=True)
        pq.write_table(pa.table({"metric": ["articles"], "key": [""],
                                 "value": [float(manifest["counts"]["articles"])]},
                                schema=schemas.DAILY_STATS), stats)
    (old / "_locks").mkdir()
    return old, expected


def test_migrate_converts_the_old_layout_idempotently(sample_raw: Path, tmp_path: Path,
                                                      monkeypatch) -> None:
    from newsetl import migrate as migrate_mod

    old, expected = _old_layout(sample_raw, tmp_path)
    real = migrate_mod._migrate_day

    def interrupted(out, ds):
        if ds == DAYS[1]:
            raise KeyboardInterrupt("killed mid-migration")
        return real(out, ds)

    monkeypatch.setattr(migrate_mod, "_migrate_day", interrupted)
    with pytest.raises(KeyboardInterrupt):
        migrate(old)
    monkeypatch.setattr(migrate_mod, "_migrate_day", real)
    report = migrate(old)  # run again: the first day is skipped, the second migrated
    assert [(e["ds"], e["skipped"]) for e in report if "ds" in e] == [
        (DAYS[0], True), (DAYS[1], False)]
    assert published_days(old) == list(DAYS)
    for (ds, table), rows in expected.items():
        assert _sorted(read_table(old, table, [ds])) == rows, (ds, table)
        assert read_manifest(old, ds)["counts"][table] == len(rows)
    assert read_manifest(old, DAYS[0])["version"] == "v-old"
    assert not any((old / name).exists() for name in ("_current", "_versions", "_locks"))
    assert not (old / "_manifests" / f"ds={DAYS[0]}.json").is_symlink()
    stats = read_table(old, "daily_stats")
    assert sorted(set(stats.column("ds").to_pylist())) == list(DAYS)
    assert main(["migrate", "--out-root", str(old)]) == 0  # nothing left to do
    assert published_days(old) == list(DAYS)
