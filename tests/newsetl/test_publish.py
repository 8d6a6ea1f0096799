"""Publishing Delta tables: layout, round trip, dedup, idempotency, crash safety,
snapshots, time travel, lost replies and concurrent publishers."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable
from newsetl import layout, publish, readers, reasons, schemas
from newsetl.layout import run_staging
from newsetl.pipeline import MissingDayError, plan_day, run_day
from newsetl.publish import publish_day
from newsetl.readers import (
    day_versions,
    published_days,
    read_manifest,
    read_table,
    snapshot,
    table_files,
)
from newsetl.staging import process_shard

DAY = "2024-03-01"
TABLES = ("articles", "sections", "rejects")


def _rows(out: Path, name: str, snap=None) -> list[dict]:
    rows = read_table(out, name, snap=snap).to_pylist()
    keys = {"articles": ["ds", "source_file", "source_member"],
            "sections": ["ds", "article_id", "position"],
            "rejects": ["ds", "source_file", "source_member"]}[name]
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in keys))


def _all_rows(out: Path, snap=None) -> dict[str, list[dict]]:
    return {name: _rows(out, name, snap) for name in TABLES}


def _stage(raw: Path, out: Path, token: str) -> tuple:
    """Process the day into a run's staging without publishing it."""
    plan = plan_day(raw, DAY)
    staging = run_staging(out, DAY, token)
    for shard in plan.shards:
        process_shard(plan.day, plan.files, shard, staging, "langdetect")
    return plan, staging


def _versions(out: Path) -> dict[str, int]:
    return {t: DeltaTable(str(out / t)).version() for t in (*TABLES, "manifests")}


def test_delta_tables_partitions_and_manifest(sample_raw: Path, tmp_path: Path) -> None:
    manifest = run_day(sample_raw, tmp_path, DAY, detector="langdetect")
    partitions = {t: DeltaTable(str(tmp_path / t)).metadata().partition_columns
                  for t in (*TABLES, "manifests")}
    assert partitions == {"articles": ["ds", "lang"], "sections": ["ds", "lang"],
                          "rejects": ["ds"], "manifests": ["ds"]}
    assert sorted(p.name for p in (tmp_path / "articles" / f"ds={DAY}").iterdir()) == [
        "lang=ar", "lang=de", "lang=en", "lang=es", "lang=fa", "lang=fr", "lang=ru"]
    assert read_manifest(tmp_path, DAY) == manifest
    assert published_days(tmp_path) == [DAY]
    assert {t: v["version"] for t, v in manifest["tables"].items()} == {
        "articles": 1, "sections": 1, "rejects": 1, "signatures": 1}  # 0: the empty table
    signatures = read_table(tmp_path, "signatures", [DAY])
    articles = read_table(tmp_path, "articles", [DAY])
    assert sorted(signatures.column("article_id").to_pylist()) == sorted(
        articles.column("article_id").to_pylist())
    assert {len(m) for m in signatures.column("minhash").to_pylist()} == {4 * 128}
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
    assert (tmp_path / "_manifests" / f"ds={DAY}.json").exists()  # the readable copy


def test_parquet_round_trip_schema_and_compression(sample_raw: Path, tmp_path: Path) -> None:
    run_day(sample_raw, tmp_path, DAY, detector="langdetect")
    for name in TABLES:
        table = read_table(tmp_path, name)
        assert table.schema == schemas.delta_schema(name)
        for path in table_files(tmp_path, name):
            meta = pq.ParquetFile(path).metadata
            assert meta.row_group(0).column(0).compression == "ZSTD"
            for field in pq.read_schema(path):
                assert schemas.TABLE_SCHEMAS[name].field(field.name).type == field.type
    seed = [r for r in _rows(tmp_path, "articles") if r["source_file"].startswith("000_")][0]
    assert seed["credits"] == ["AFP", "Reuters", "AFP"] and seed["lang"] == "fr"


def _delta_extension_file() -> str:
    """The delta extension that ``duckdb-extension-delta`` ships for the installed DuckDB
    (DuckDB itself would download it on first use: this machine is offline)."""
    import duckdb

    path = readers.delta_extension()
    assert path is not None, (f"duckdb-extension-delta has no delta extension for DuckDB "
                              f"{duckdb.__version__}: pin the pair (constraints.txt)")
    return path


def test_plain_readers_get_exactly_the_manifest_counts(sample_raw: Path, tmp_path: Path) -> None:
    """deltalake, Polars (scan_delta, read_delta) and DuckDB (delta_scan, and read_parquet
    on the file list) read every table with no newsetl code: exactly the manifest's row
    counts, per day and per table, and at the versions the manifest pins."""
    import duckdb
    import polars as pl

    manifests = {ds: run_day(sample_raw, tmp_path, ds, detector="langdetect")
                 for ds in ("2024-03-01", "2024-03-02")}
    con = duckdb.connect()  # default config: the shipped file is DuckDB's signed build
    con.execute(f"LOAD '{_delta_extension_file()}'")
    for name in TABLES:
        uri = str(tmp_path / name)
        dt = DeltaTable(uri)
        for ds, manifest in manifests.items():
            want = manifest["counts"][name]
            version = manifest["tables"][name]["version"]
            assert want > 0
            assert dt.to_pyarrow_table(filters=[("ds", "=", ds)]).num_rows == want
            assert pl.scan_delta(uri).filter(pl.col("ds") == ds).collect().height == want
            assert pl.read_delta(uri, version=version).filter(pl.col("ds") == ds).height == want
            assert con.execute(f"select count(*) from delta_scan('{uri}') where ds = '{ds}'"
                               ).fetchone()[0] == want
            assert con.execute(f"select count(*) from delta_scan('{uri}', version := {version})"
                               f" where ds = '{ds}'").fetchone()[0] == want
            assert con.execute(
                f"select count(*) from read_parquet({dt.file_uris()!r}, hive_partitioning = "
                f"true) where ds = '{ds}'").fetchone()[0] == want
        total = sum(m["counts"][name] for m in manifests.values())
        assert con.execute(f"select count(*) from delta_scan('{uri}')").fetchone()[0] == total
        assert pl.scan_delta(uri).select(pl.len()).collect().item() == total


def test_duckdb_relation_reads_the_pinned_versions_with_delta_scan(
        sample_raw: Path, tmp_path: Path, monkeypatch) -> None:
    """``readers.duckdb_relation`` loads the shipped delta extension and scans the versions
    a held snapshot pins (lazily, in DuckDB), not the tables' latest commits."""
    import shutil

    import duckdb

    raw = tmp_path / "raw"
    shutil.copytree(sample_raw / DAY, raw / DAY)
    out = tmp_path / "out"
    run_day(raw, out, DAY, detector="langdetect")
    snap = snapshot(out, [DAY])
    held = {t: read_table(out, t, snap=snap).num_rows for t in TABLES}
    (raw / DAY / "en_storm.txt").unlink()
    run_day(raw, out, DAY, detector="langdetect")  # republished: one article fewer
    con = duckdb.connect()
    for name in TABLES:
        rel = readers.duckdb_relation(con, out, name, snap=snap)
        assert "delta_scan" in rel.sql_query()
        assert rel.columns == schemas.delta_schema(name).names
        assert len(rel.fetchall()) == held[name]
        latest = readers.duckdb_relation(con, out, name)
        assert len(latest.fetchall()) == read_table(out, name).num_rows
    assert len(readers.duckdb_relation(con, out, "articles").fetchall()) == held["articles"] - 1
    assert readers.duckdb_relation(con, out, "daily_stats", snap=snap).fetchall() == []
    monkeypatch.setattr(readers, "delta_extension", lambda: None)  # no extension file
    rel = readers.duckdb_relation(duckdb.connect(), out, "articles", snap=snap)
    assert "delta_scan" not in rel.sql_query() and len(rel.fetchall()) == held["articles"]


def test_rerun_is_idempotent_and_replaces_the_day(sample_raw: Path, tmp_path: Path) -> None:
    first = run_day(sample_raw, tmp_path, DAY, detector="langdetect")
    rows = _all_rows(tmp_path)
    second = run_day(sample_raw, tmp_path, DAY, detector="langdetect", workers=2, max_files=2)
    assert _all_rows(tmp_path) == rows
    assert second["counts"] == first["counts"]
    assert all(second["tables"][t]["version"] == first["tables"][t]["version"] + 1
               for t in TABLES)


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


def _bad_lines(n: int) -> str:
    kinds = ('{{"id": {i}}}', "{{not json {i}", "[{i}]")
    return "".join(kinds[i % 3].format(i=i) + "\n" for i in range(n))


def test_rejects_are_streamed_in_source_order_never_read_whole(tmp_path: Path,
                                                               monkeypatch) -> None:
    """Thousands of rejects over several shards, with duplicates between them: publishing
    counts and commits them batch by batch (no staged rejects file is read whole, no
    batch holds more than a few hundred rows) and the table holds every one in source
    order, duplicates in their place."""
    raw = tmp_path / "raw" / DAY
    raw.mkdir(parents=True)
    body = " ".join(["Un paragraphe assez long pour être un article de presse complet."] * 4)
    for name in ("a.txt", "c.txt", "l.txt", "z.txt"):  # a.txt is kept, the others dups
        (raw / name).write_text(f"Titre\n\n{body}\n")
    n_lines = 1500
    for name in ("k.jsonl", "m.jsonl"):
        (raw / name).write_text(_bad_lines(n_lines))
    real_read, real_write = pq.read_table, publish.write_files
    batches: list[int] = []

    def read_whole(source, *args, **kwargs):
        assert Path(source).name != "rejects.parquet", "staged rejects read whole"
        return real_read(source, *args, **kwargs)

    def write_files(uri, schema, partition_by, data):
        def counted():
            for batch in data:
                batches.append(batch.num_rows)
                yield batch
        return real_write(uri, schema, partition_by,
                          counted() if uri.rstrip("/").endswith("rejects") else data)

    with monkeypatch.context() as patch:
        patch.setattr(publish, "READ_BATCH_BYTES", 4096)
        patch.setattr(pq, "read_table", read_whole)
        patch.setattr(publish, "write_files", write_files)
        manifest = run_day(tmp_path / "raw", tmp_path / "out", DAY, detector="langdetect",
                           max_files=1)
    assert manifest["shards"] == 6
    counts = manifest["counts"]
    assert counts["rejects"] == 2 * n_lines + 3 == sum(batches)
    assert counts["rejects_by_reason"] == {reasons.DUPLICATE: 3,
                                           reasons.MALFORMED_RECORD: 2 * n_lines}
    assert [(i["path"], i["articles"], i["rejects"]) for i in manifest["inputs"]] == [
        ("a.txt", 1, 0), ("c.txt", 0, 1), ("k.jsonl", 0, n_lines), ("l.txt", 0, 1),
        ("m.jsonl", 0, n_lines), ("z.txt", 0, 1)]
    assert len(batches) > 10 and max(batches) <= 500
    published = read_table(tmp_path / "out", "rejects")  # in stored order, not sorted
    lines = [str(i) for i in range(1, n_lines + 1)]
    assert list(zip(published.column("source_file").to_pylist(),
                    published.column("source_member").to_pylist(), strict=True)) == [
        ("c.txt", None), *(("k.jsonl", i) for i in lines), ("l.txt", None),
        *(("m.jsonl", i) for i in lines), ("z.txt", None)]


def test_streamed_rejects_are_the_stable_sort_of_the_whole_day(tmp_path: Path,
                                                               monkeypatch) -> None:
    """Whatever the staged order: equal ``seq``, a reject numbered before rows its shard
    staged earlier (a file-level reject of a JSONL file), duplicates anywhere: the
    streamed rows and the counts are those of sorting all the day's rejects at once."""
    import random

    from newsetl.items import make_seq
    from newsetl.shardfiles import shard_dir

    monkeypatch.setattr(publish, "READ_BATCH_BYTES", 256)  # a few rows per batch
    day = layout.day(DAY)
    for trial in range(5):
        rng, staging = random.Random(trial), tmp_path / f"staging{trial}"
        shards: list[list[int]] = []
        spare: list[int] = []  # seqs of no staged reject: where duplicates go
        for file_index in range(4):
            seqs: list[int] = []
            for line in range(rng.randrange(0, 120)):
                roll = rng.random()
                if roll < 0.2:
                    spare.append(make_seq(file_index, line))
                elif roll < 0.25 and seqs:
                    seqs.append(seqs[-1])  # the same seq again
                else:
                    seqs.append(make_seq(file_index, line))
            if rng.random() < 0.5:
                seqs.append(make_seq(file_index, 0))  # numbered before its file's rows
            if rng.random() < 0.5 or not shards:
                shards.append(seqs)
            else:
                shards[-1].extend(seqs)
        staged = []
        for shard_id, seqs in enumerate(shards):
            table = _reject_rows(seqs, f"s{shard_id}", "malformed_record")
            folder = shard_dir(staging, shard_id)
            folder.mkdir(parents=True)
            pq.write_table(table, folder / "rejects.parquet", row_group_size=7)
            staged.append(table)
        chosen = sorted(rng.sample(spare, min(len(spare), 30)))
        if staged[0].num_rows:
            chosen = sorted([*chosen, staged[0].column("seq")[0].as_py()])  # a tie too
        dups = _reject_rows(chosen, "dup", reasons.DUPLICATE)
        expected = pa.concat_tables([*staged, dups]).sort_by("seq")
        per_file: dict = {}
        rejects, by_reason = publish._count_rejects(
            publish.staged_files(staging, len(shards), "rejects"), dups, per_file)
        assert rejects.num_rows == expected.num_rows
        assert by_reason == Counter(expected.column("reason").to_pylist())
        assert {i: c["rejects"] for i, c in per_file.items()} == dict(Counter(
            v >> 32 for v in expected.column("seq").to_pylist()))
        streamed = publish._rejects_reader(rejects, day).read_all()
        assert streamed.drop_columns(["ds"]).to_pylist() == expected.drop_columns(
            ["seq"]).to_pylist(), trial


def _reject_rows(seqs: list[int], label: str, reason: str) -> pa.Table:
    n = len(seqs)
    return pa.table({
        "source_file": [f"f{seq >> 32}" for seq in seqs],
        "source_member": [str(seq & 0xFFFFFFFF) for seq in seqs],
        "reason": [reason] * n,
        "detail": [f"{label} row {i}" for i in range(n)],  # tells equal seqs apart
        "raw_sha256": [None] * n,
        "duplicate_of": [None] * n,
        "seq": seqs,
    }, schema=schemas.STAGED_REJECTS)


def test_crash_between_table_commits_keeps_the_previous_day(sample_raw: Path, tmp_path: Path,
                                                           monkeypatch) -> None:
    """A run killed after committing articles but before the manifest row: readers of
    the manifest snapshot still see the previous day whole; the rerun publishes."""
    import shutil

    raw = tmp_path / "raw"
    shutil.copytree(sample_raw / DAY, raw / DAY)
    out = tmp_path / "out"
    first = run_day(raw, out, DAY, detector="langdetect")
    before = _all_rows(out)
    (raw / DAY / "en_storm.txt").unlink()  # the new day differs
    plan, staging = _stage(raw, out, "crash")
    real = publish.commit_day

    def killed_after_articles(out_root, table, day, data, publish_id, **kw):
        if table != "articles":
            raise KeyboardInterrupt("killed")  # like SIGINT between two commits
        return real(out_root, table, day, data, publish_id, **kw)

    monkeypatch.setattr(publish, "commit_day", killed_after_articles)
    with pytest.raises(KeyboardInterrupt):
        publish_day(out, DAY, staging, len(plan.shards), len(plan.files))
    monkeypatch.setattr(publish, "commit_day", real)
    assert read_manifest(out, DAY) == first  # the manifest did not advance
    assert _all_rows(out) == before  # the pinned snapshot is the previous day
    assert DeltaTable(str(out / "articles")).version() == 2  # (plain latest: the new rows)
    again = run_day(raw, out, DAY, detector="langdetect")
    assert again["counts"]["articles"] == first["counts"]["articles"] - 1
    assert len(_rows(out, "articles")) == len(before["articles"]) - 1


def test_lost_reply_after_the_manifest_commit_counts_as_published(
        sample_raw: Path, tmp_path: Path, monkeypatch) -> None:
    import deltalake

    real = deltalake.write_deltalake

    def reply_lost(uri, *args, **kwargs):
        real(uri, *args, **kwargs)
        if str(uri).endswith("manifests"):
            raise OSError("connection reset by peer")  # the commit landed, the reply did not

    monkeypatch.setattr(deltalake, "write_deltalake", reply_lost)
    manifest = run_day(sample_raw, tmp_path, DAY, detector="langdetect")
    assert read_manifest(tmp_path, DAY) == manifest
    assert _versions(tmp_path)["manifests"] == 1  # committed once (0: creation), not redone


def test_a_held_snapshot_reads_the_day_whole_while_it_is_republished(
        sample_raw: Path, tmp_path: Path) -> None:
    import shutil

    raw = tmp_path / "raw"
    shutil.copytree(sample_raw / DAY, raw / DAY)
    out = tmp_path / "out"
    run_day(raw, out, DAY, detector="langdetect")
    snap = snapshot(out, [DAY])
    before = _all_rows(out, snap)
    (raw / DAY / "en_storm.txt").unlink()
    run_day(raw, out, DAY, detector="langdetect")
    assert _all_rows(out, snap) == before  # the held snapshot: the old day, whole
    assert len(_rows(out, "articles")) == len(before["articles"]) - 1  # a new snapshot


def test_time_travel_to_an_earlier_publish_of_a_day(sample_raw: Path, tmp_path: Path) -> None:
    import shutil

    raw = tmp_path / "raw"
    shutil.copytree(sample_raw / DAY, raw / DAY)
    out = tmp_path / "out"
    first = run_day(raw, out, DAY, detector="langdetect")
    rows = _all_rows(out)
    (raw / DAY / "en_storm.txt").unlink()
    second = run_day(raw, out, DAY, detector="langdetect")
    versions = day_versions(out, DAY)
    assert len(versions) == 2
    assert read_manifest(out, DAY, as_of=versions[0]) == first
    assert read_manifest(out, DAY, as_of=versions[1]) == second == read_manifest(out, DAY)
    assert _all_rows(out, snapshot(out, [DAY], as_of=versions[0])) == rows


def test_two_publishers_of_one_day_never_lose_a_commit(sample_raw: Path, tmp_path: Path,
                                                       monkeypatch) -> None:
    """Both publishers commit every table at the same moment: delta-rs lets one win
    each race and the loser redoes its commit on the newer snapshot; both commits stay
    in each table's history and the last manifest row pins its own rows."""
    staged = [_stage(sample_raw, tmp_path, f"run{i}") for i in range(2)]
    barrier = threading.Barrier(2, timeout=60)
    real = publish.commit_day

    def together(out_root, table, day, data, publish_id, **kw):
        if table == "rejects":
            barrier.wait()  # both have committed articles and sections, race on rejects
        return real(out_root, table, day, data, publish_id, **kw)

    monkeypatch.setattr(publish, "commit_day", together)
    results: list = [None, None]

    def run(i: int) -> None:
        plan, staging = staged[i]
        try:
            results[i] = publish_day(tmp_path, DAY, staging, len(plan.shards), len(plan.files))
        except BaseException as exc:  # noqa: BLE001 - reported below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert all(isinstance(r, dict) for r in results), results
    for table in (*TABLES, "manifests"):
        uri = str(tmp_path / table)
        assert all(publish.committed_version(uri, r["version"]) is not None for r in results)
        writes = [h for h in DeltaTable(uri).history() if h.get(publish.PUBLISH_ID)]
        # two commits each, none lost (a publisher overtaken between its snapshot and its
        # commit redoes it on the newer one: a third)
        assert len(writes) >= 2
    current = read_manifest(tmp_path, DAY)
    assert current["version"] in {r["version"] for r in results}
    assert len(_rows(tmp_path, "articles")) == current["counts"]["articles"]
    for result in results:  # each manifest pins versions holding its own day
        pins = readers.Snapshot({DAY: {t: result["tables"][t]["version"] for t in TABLES}})
        assert {t: len(_rows(tmp_path, t, pins)) for t in TABLES} == {
            t: result["counts"][t] for t in TABLES}


def test_a_commit_landing_while_a_publisher_looks_up_its_own_does_not_shift_it(
        sample_raw: Path, tmp_path: Path, monkeypatch) -> None:
    """Whenever the publisher looks for the version of its articles commit, another
    writer of the day commits first. delta-rs's ``history()`` numbered the entries from
    the version the table was loaded at, so the lookup found its commit one version too
    low, the table's creation, and the manifest pinned an empty day (seen once in CI as
    0 articles read back instead of 8)."""
    (plan, staging), (other_plan, other_staging) = (
        _stage(sample_raw, tmp_path, token) for token in ("run0", "run1"))
    day, none = layout.day(DAY), pa.array([], pa.int64())
    other_rows = publish.staged_files(other_staging, len(other_plan.shards), "articles")
    real_commit_day, real_read = publish.commit_day, publish.deltalog.commit_info
    real_history = DeltaTable.history
    ours: list[str] = []  # our articles table, once our commit is made
    others: list[int] = []

    def commit_files_then_arm(uri, *args, **kwargs):
        read = real_commit_files(uri, *args, **kwargs)
        if uri.rstrip("/").endswith("articles") and not ours:
            ours.append(uri)
        return read

    def other_writer_commits(uri: str) -> None:
        if ours and "busy" not in ours and uri.rstrip("/").endswith("articles") \
                and len(others) < 3:
            ours.append("busy")
            others.append(real_commit_day(
                tmp_path, "articles", day,
                lambda: publish._staged_reader(other_rows, "articles", day, none),
                f"other-{len(others)}", streamed=True))
            ours.remove("busy")

    def read_after_other(uri, version, *args):
        other_writer_commits(str(uri))
        return real_read(uri, version, *args)

    def history_after_other(self, *args, **kwargs):
        other_writer_commits(self.table_uri)
        return real_history(self, *args, **kwargs)

    real_commit_files = publish.commit_files
    monkeypatch.setattr(publish, "commit_files", commit_files_then_arm)
    monkeypatch.setattr(publish.deltalog, "commit_info", read_after_other)
    monkeypatch.setattr(DeltaTable, "history", history_after_other)
    manifest = publish_day(tmp_path, DAY, staging, len(plan.shards), len(plan.files))
    assert others  # the other writer did commit while ours was looked up
    pinned = manifest["tables"]["articles"]["version"]
    assert real_read(str(tmp_path / "articles"), pinned).get(publish.PUBLISH_ID) == \
        manifest["version"]
    pins = readers.Snapshot({DAY: {t: manifest["tables"][t]["version"] for t in TABLES}})
    assert len(_rows(tmp_path, "articles", pins)) == manifest["counts"]["articles"] > 0


def test_a_redone_commit_that_fails_never_answers_for_the_redo(sample_raw: Path,
                                                                tmp_path: Path,
                                                                monkeypatch) -> None:
    """Another writer of the day commits between our snapshot and our commit, twice:
    the first time ours lands beside theirs (the day holds both) and is redone; the
    second time the redo fails (they removed files it read) and is tried again. The
    answer is the last commit, holding our rows alone, never the redone one that is
    still in the history with our publish id."""
    from deltalake import DeltaTable as Table

    (plan, staging), (other_plan, other_staging) = (
        _stage(sample_raw, tmp_path, token) for token in ("run0", "run1"))
    day, none = layout.day(DAY), pa.array([], pa.int64())
    files = {name: publish.staged_files(folder, len(p.shards), "articles")
             for name, folder, p in (("ours", staging, plan),
                                     ("other", other_staging, other_plan))}
    real_transaction = Table.create_write_transaction
    theirs: list[int] = []  # versions of the other writer's commits
    busy = threading.Event()  # the other writer's own commit is not interleaved

    def other_writer_first(self, *args, **kwargs):
        if len(theirs) < 2 and not busy.is_set():
            busy.set()
            theirs.append(publish.commit_day(
                tmp_path, "articles", day,
                lambda: publish._staged_reader(files["other"], "articles", day, none),
                f"other-{len(theirs)}", streamed=True))
            busy.clear()
        return real_transaction(self, *args, **kwargs)

    monkeypatch.setattr(Table, "create_write_transaction", other_writer_first)
    version = publish.commit_day(
        tmp_path, "articles", day,
        lambda: publish._staged_reader(files["ours"], "articles", day, none), "ours",
        streamed=True)
    uri = str(tmp_path / "articles")
    ours = [h["version"] for h in publish.deltalog.commits(uri)
            if h.get(publish.PUBLISH_ID) == "ours"]
    assert len(theirs) == 2 and len(ours) == 2  # redone once, the redo retried
    assert version == max(ours) > max(theirs)
    rows = Table(uri, version=version).to_pyarrow_table(filters=[("ds", "=", DAY)])
    assert rows.num_rows == pq.read_table(files["ours"]).num_rows


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
    assert published_days(tmp_path / "out") == [DAY]
    assert all(table_files(tmp_path / "out", t) == [] for t in TABLES)


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


def test_gate_refusal_commits_nothing(sample_raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_day(sample_raw, out, DAY, detector="langdetect")
    versions = _versions(out)
    plan, staging = _stage(sample_raw, out, "gated")
    seen = []

    def refuse(manifest: dict) -> None:
        seen.append(manifest["counts"]["articles"])
        raise ValueError("quality gate says no")

    with pytest.raises(ValueError, match="gate says no"):
        publish_day(out, DAY, staging, len(plan.shards), len(plan.files), gate=refuse)
    assert seen == [8]
    assert read_manifest(out, DAY) == first
    assert _versions(out) == versions  # no table was touched
    assert (staging / "shards").exists()  # kept for inspection
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
    assert _all_rows(tmp_path, snapshot(tmp_path, [day]))["articles"] == _rows(tmp_path,
                                                                             "articles")


def test_a_process_killed_between_commits_leaves_the_previous_day(sample_raw: Path,
                                                                  tmp_path: Path) -> None:
    """A real kill (``os._exit``: no cleanup, no exception handlers) right after the
    articles commit: the manifest row and the pinned snapshot stay on the previous day."""
    import subprocess
    import sys

    first = run_day(sample_raw, tmp_path, DAY, detector="langdetect")
    before = _all_rows(tmp_path)
    code = f"""
import os
from newsetl import publish
from newsetl.pipeline import run_day
real = publish.commit_day
def die_after_articles(out_root, table, day, data, publish_id, **kw):
    version = real(out_root, table, day, data, publish_id, **kw)
    if table == "articles":
        os._exit(9)
    return version
publish.commit_day = die_after_articles
run_day({str(sample_raw)!r}, {str(tmp_path)!r}, {DAY!r}, detector="langdetect")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 9, done.stderr[-2000:]
    assert DeltaTable(str(tmp_path / "articles")).version() == 2  # the articles commit landed
    assert read_manifest(tmp_path, DAY) == first
    assert _all_rows(tmp_path) == before
    again = run_day(sample_raw, tmp_path, DAY, detector="langdetect")  # the rerun publishes
    assert again["counts"] == first["counts"] and _all_rows(tmp_path) == before
