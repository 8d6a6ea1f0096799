"""Object-store roots (s3://) against a local S3-compatible server (moto, 127.0.0.1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from newsetl import publish
from newsetl.layout import run_staging
from newsetl.pipeline import plan_day, run_day
from newsetl.publish import publish_day
from newsetl.readers import published_days, read_manifest, read_table, snapshot, table_files
from newsetl.staging import process_shard

DAY = "2024-03-02"


@pytest.fixture
def s3(s3_env):
    """Buckets ``raw`` and ``lake`` on the test S3 server; an s3fs."""
    for bucket in ("raw", "lake"):
        if not s3_env.exists(bucket):
            s3_env.mkdir(bucket)
    return s3_env


def _upload_day(fs, sample_raw: Path, ds: str) -> None:
    for path in sorted((sample_raw / ds).rglob("*")):
        if path.is_file():
            fs.put_file(str(path), f"raw/{ds}/{path.relative_to(sample_raw / ds).as_posix()}")


def _rows(table) -> list[dict]:
    rows = table.to_pylist()
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))


def test_s3_publish_matches_local_and_republish_is_idempotent(s3, sample_raw: Path,
                                                               tmp_path: Path) -> None:
    from deltalake import DeltaTable
    from newsetl.layout import storage_options

    _upload_day(s3, sample_raw, DAY)
    local = run_day(sample_raw, tmp_path, DAY, detector="langdetect")
    remote = run_day("s3://raw", "s3://lake/news", DAY, detector="langdetect", workers=2)
    assert remote["counts"] == local["counts"]
    assert published_days("s3://lake/news") == [DAY]
    assert read_manifest("s3://lake/news", DAY) == remote
    assert s3.exists("lake/news/articles/_delta_log/00000000000000000001.json")
    for table in ("articles", "sections", "rejects"):
        assert _rows(read_table("s3://lake/news", table)) == _rows(read_table(tmp_path, table))
        plain = DeltaTable(f"s3://lake/news/{table}",
                           storage_options=storage_options("s3://lake/news"))
        assert plain.to_pyarrow_table().num_rows == remote["counts"][table]
    # staging is cleaned up on the object store too
    assert not s3.glob(f"lake/news/_staging/ds={DAY}/cli-*")
    again = run_day("s3://raw", "s3://lake/news", DAY, detector="langdetect")
    assert again["version"] != remote["version"]
    assert _rows(read_table("s3://lake/news", "articles")) == _rows(read_table(tmp_path,
                                                                               "articles"))
    from newsetl.stats import read_daily_stats, write_daily_stats

    assert write_daily_stats("s3://lake/news", DAY) == "s3://lake/news/daily_stats"
    stats = {(r["metric"], r["key"]): r["value"]
             for r in read_daily_stats("s3://lake/news").to_pylist()}
    assert stats[("articles", "")] == again["counts"]["articles"]
    assert ("foreign_section_share", "") in stats
    files = table_files("s3://lake/news", "articles", [DAY])
    assert files and all(f.startswith(f"s3://lake/news/articles/ds={DAY}/lang=") for f in files)


def test_s3_crash_between_commits_keeps_the_published_day(s3, sample_raw: Path,
                                                          monkeypatch) -> None:
    _upload_day(s3, sample_raw, "2024-03-01")
    first = run_day("s3://raw", "s3://lake/crash", "2024-03-01", detector="langdetect")
    before = _rows(read_table("s3://lake/crash", "articles"))
    s3.rm("raw/2024-03-01/en_storm.txt")
    plan = plan_day("s3://raw", "2024-03-01")
    staging = run_staging("s3://lake/crash", "2024-03-01", "crash")
    assert str(staging).startswith("s3://lake/crash/_staging/")
    for shard in plan.shards:
        process_shard(plan.day, plan.files, shard, staging, "langdetect")
    real = publish.commit_day

    def crash_after_articles(out_root, table, day, data, publish_id, **kw):
        if table != "articles":
            raise RuntimeError("injected crash between two commits")
        return real(out_root, table, day, data, publish_id, **kw)

    monkeypatch.setattr(publish, "commit_day", crash_after_articles)
    with pytest.raises(RuntimeError, match="injected crash"):
        publish_day("s3://lake/crash", "2024-03-01", staging, len(plan.shards),
                    len(plan.files))
    monkeypatch.setattr(publish, "commit_day", real)
    assert read_manifest("s3://lake/crash", "2024-03-01") == first
    assert _rows(read_table("s3://lake/crash", "articles")) == before
    s3.put_file(str(sample_raw / "2024-03-01" / "en_storm.txt"), "raw/2024-03-01/en_storm.txt")


def test_s3_lost_reply_after_a_commit_is_published(s3, sample_raw: Path, monkeypatch) -> None:
    import deltalake

    _upload_day(s3, sample_raw, "2024-03-01")
    real = deltalake.write_deltalake

    def reply_lost(uri, *args, **kwargs):
        real(uri, *args, **kwargs)
        raise OSError("network unreachable")  # every commit lands, no reply comes back

    monkeypatch.setattr(deltalake, "write_deltalake", reply_lost)
    manifest = run_day("s3://raw", "s3://lake/lost", "2024-03-01", detector="langdetect")
    monkeypatch.setattr(deltalake, "write_deltalake", real)
    assert read_manifest("s3://lake/lost", "2024-03-01") == manifest
    snap = snapshot("s3://lake/lost", ["2024-03-01"])
    assert read_table("s3://lake/lost", "articles", snap=snap).num_rows == \
        manifest["counts"]["articles"]


def test_missing_remote_day_is_a_clear_error(s3) -> None:
    from newsetl.pipeline import MissingDayError

    with pytest.raises(MissingDayError, match="s3://raw/1999-01-01"):
        run_day("s3://raw", "s3://lake/news", "1999-01-01")


def test_folder_markers_and_doubled_slashes_on_s3_are_no_inputs(s3, sample_raw: Path
                                                                   ) -> None:
    """A day made with a console's "Create folder" holds zero-byte "day/" and "day/x/"
    keys, which s3fs lists as files: they failed every shard try. A key with an empty
    path segment cannot be fetched into a local file: it is skipped, with its reason."""
    _upload_day(s3, sample_raw, "2024-03-01")
    local = run_day(sample_raw, "s3://lake/plain", "2024-03-01",
                    detector="langdetect")
    for marker in ("raw/2024-03-01/", "raw/2024-03-01/extra/"):
        s3.pipe_file(marker, b"")
    s3.pipe_file("raw/2024-03-01//late.txt", b"Late news\n\nA story filed twice.\n")
    manifest = run_day("s3://raw", "s3://lake/markers", "2024-03-01", detector="langdetect")
    assert manifest["counts"] == local["counts"]
    assert [(s["path"], s["reason"]) for s in manifest["skipped_inputs"]] == [
        ("/late.txt", "empty_path_segment")]


def test_a_file_url_out_root_is_the_local_folder(sample_raw: Path, tmp_path: Path,
                                                 monkeypatch) -> None:
    """The out-root marker, the layout check and the staging cleanup read a file://
    out root as the folder it names (they took it for a relative path "file:/...")."""
    from newsetl.guards import LayoutError, check_layout

    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    run_day(sample_raw, f"file://{out}", "2024-03-01", detector="langdetect")
    assert (out / "_newsetl_out_root").exists() and not (tmp_path / "file:").exists()
    assert not (out / "_staging").exists()
    with pytest.raises(LayoutError):
        check_layout(sample_raw, f"file://{sample_raw}/out")


def test_a_long_running_reader_sees_other_processes_publishing(s3, sample_raw: Path) -> None:
    """The UI's api-server keeps one s3fs per process: its listing cache must not hide
    a day published (or reprocessed) by a worker process."""
    import subprocess
    import sys

    for ds in ("2024-03-01", "2024-03-03"):
        _upload_day(s3, sample_raw, ds)
    out = "s3://lake/multi"
    first = run_day("s3://raw", out, "2024-03-01", detector="langdetect")
    assert published_days(out) == ["2024-03-01"]  # this process has now read the table
    assert read_manifest(out, "2024-03-01")["version"] == first["version"]
    exe = Path(sys.executable).with_name("newsetl")
    for ds in ("2024-03-03", "2024-03-01"):  # a new day, then a reprocessed one
        subprocess.run([exe, "run", "--raw-root", "s3://raw", "--out-root", out, "--ds", ds,
                        "--detector", "langdetect", "--progress", "none"],
                       check=True, capture_output=True, timeout=300)
    assert published_days(out) == ["2024-03-01", "2024-03-03"]
    again = read_manifest(out, "2024-03-01")
    assert again["version"] != first["version"]
    assert again["counts"] == first["counts"]
    assert read_manifest(out, "2024-03-03")["counts"]["articles"] > 0


def test_stale_stats_on_an_object_store(s3, sample_raw: Path) -> None:
    """The stats catch-up sees a day republished after its stats on s3:// as well."""
    from newsetl.airflow_tasks import stale_stats_days
    from newsetl.stats import write_daily_stats

    _upload_day(s3, sample_raw, "2024-03-03")
    out = "s3://lake/stats"
    run_day("s3://raw", out, "2024-03-03", detector="langdetect")
    assert stale_stats_days(out) == ["2024-03-03"]  # no stats yet
    write_daily_stats(out, "2024-03-03")
    assert stale_stats_days(out) == []
    run_day("s3://raw", out, "2024-03-03", detector="langdetect")
    assert stale_stats_days(out) == ["2024-03-03"]


def test_s3_two_publishers_of_one_day_never_lose_a_commit(s3, sample_raw: Path,
                                                          tmp_path: Path, monkeypatch) -> None:
    """The race of the local test on S3: delta-rs's conditional writes let one commit
    win, the other is redone; both stay in each table's history."""
    import threading

    from deltalake import DeltaTable
    from newsetl.layout import storage_options

    out, day = "s3://lake/race", "2024-03-01"
    staged = []
    for i in range(2):
        plan = plan_day(sample_raw, day)
        staging = run_staging(tmp_path, day, f"run{i}")
        for shard in plan.shards:
            process_shard(plan.day, plan.files, shard, staging, "langdetect")
        staged.append((plan, staging))
    barrier = threading.Barrier(2, timeout=120)
    real = publish.commit_day

    def together(out_root, table, day_, data, publish_id, **kw):
        if table == "rejects":
            barrier.wait()
        return real(out_root, table, day_, data, publish_id, **kw)

    monkeypatch.setattr(publish, "commit_day", together)
    results: list = [None, None]

    def run(i: int) -> None:
        plan, staging = staged[i]
        try:
            results[i] = publish_day(out, day, staging, len(plan.shards), len(plan.files))
        except BaseException as exc:  # noqa: BLE001 - reported below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    monkeypatch.setattr(publish, "commit_day", real)
    assert all(isinstance(r, dict) for r in results), results
    for table in ("articles", "sections", "rejects", "manifests"):
        history = DeltaTable(f"{out}/{table}", storage_options=storage_options(out)).history()
        ids = {h.get(publish.PUBLISH_ID) for h in history}
        assert {r["version"] for r in results} <= ids, table
    current = read_manifest(out, day)
    assert read_table(out, "articles").num_rows == current["counts"]["articles"]
