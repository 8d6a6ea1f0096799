"""`newsetl maintain` (compact, re-pin, checkpoint, vacuum) and `newsetl migrate`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, write_deltalake
from newsetl import layout, schemas
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
