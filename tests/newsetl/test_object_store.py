"""Object-store roots (s3://) against a local S3-compatible server (moto, 127.0.0.1)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from newsetl.pipeline import plan_day, run_day
from newsetl.publish import publish_day, published_days, read_manifest, run_staging
from newsetl.readers import current_files, read_table
from newsetl.staging import process_shard

moto_server = pytest.importorskip("moto.server")
DAY = "2024-03-02"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """A moto S3 server on loopback with buckets ``raw`` and ``lake``; yields an s3fs."""
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    mp = pytest.MonkeyPatch()
    for key, value in env.items():
        mp.setenv(key, value)
    import s3fs

    s3fs.S3FileSystem.clear_instance_cache()
    fs = s3fs.S3FileSystem(client_kwargs={"endpoint_url": env["AWS_ENDPOINT_URL"]})
    fs.mkdir("raw")
    fs.mkdir("lake")
    try:
        yield fs
    finally:
        s3fs.S3FileSystem.clear_instance_cache()
        mp.undo()
        server.stop()


def _upload_day(fs, sample_raw: Path, ds: str) -> None:
    for path in sorted((sample_raw / ds).rglob("*")):
        if path.is_file():
            fs.put_file(str(path), f"raw/{ds}/{path.relative_to(sample_raw / ds).as_posix()}")


def _rows(table) -> list[dict]:
    rows = table.to_pylist()
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))


def test_s3_publish_matches_local_and_republish_is_idempotent(s3, sample_raw: Path,
                                                               tmp_path: Path) -> None:
    _upload_day(s3, sample_raw, DAY)
    local = run_day(sample_raw, tmp_path, DAY, detector="langdetect")
    remote = run_day("s3://raw", "s3://lake/news", DAY, detector="langdetect", workers=2)
    assert remote["counts"] == local["counts"]
    assert published_days("s3://lake/news") == [DAY]
    assert read_manifest("s3://lake/news", DAY)["version"] == remote["version"]
    pointer = json.loads(s3.cat_file(f"lake/news/_current/ds={DAY}.json"))
    assert pointer["version"] == remote["version"]
    assert all(f.startswith(f"_versions/ds={DAY}/{remote['version']}/articles/lang=")
               for f in pointer["files"]["articles"])
    for table in ("articles", "sections", "rejects"):
        assert _rows(read_table("s3://lake/news", table)) == _rows(read_table(tmp_path, table))
    # staging is cleaned up on the object store too
    assert not s3.glob(f"lake/news/_staging/ds={DAY}/cli-*")
    again = run_day("s3://raw", "s3://lake/news", DAY, detector="langdetect")
    assert again["version"] != remote["version"]
    assert _rows(read_table("s3://lake/news", "articles")) == _rows(read_table(tmp_path,
                                                                               "articles"))
    versions = s3.ls(f"lake/news/_versions/ds={DAY}")
    assert len(versions) == 2  # current + the previous one, for in-flight readers
    from newsetl.stats import read_daily_stats, write_daily_stats

    assert write_daily_stats("s3://lake/news", DAY) == \
        f"s3://lake/news/daily_stats/ds={DAY}/part-0000.parquet"
    stats = {(r["metric"], r["key"]): r["value"]
             for r in read_daily_stats("s3://lake/news").to_pylist()}
    assert stats[("articles", "")] == again["counts"]["articles"]
    assert ("foreign_section_share", "") in stats
    files = current_files("s3://lake/news", "articles", [DAY])
    assert files and all(f.startswith(f"s3://lake/news/_versions/ds={DAY}/{again['version']}")
                         for f in files)


def test_s3_crash_before_switch_keeps_the_published_version(s3, sample_raw: Path) -> None:
    _upload_day(s3, sample_raw, "2024-03-01")
    first = run_day("s3://raw", "s3://lake/crash", "2024-03-01", detector="langdetect")
    before = _rows(read_table("s3://lake/crash", "articles"))
    s3.rm("raw/2024-03-01/en_storm.txt")
    plan = plan_day("s3://raw", "2024-03-01")
    staging = run_staging("s3://lake/crash", "2024-03-01", "crash")
    assert str(staging).startswith("s3://lake/crash/_staging/")
    for shard in plan.shards:
        process_shard(plan.day, plan.files, shard, staging, "langdetect")
    with pytest.raises(RuntimeError, match="injected crash"):
        publish_day("s3://lake/crash", "2024-03-01", staging, len(plan.shards),
                    len(plan.files), crash_before_switch=True)
    assert read_manifest("s3://lake/crash", "2024-03-01")["version"] == first["version"]
    assert _rows(read_table("s3://lake/crash", "articles")) == before
    s3.put_file(str(sample_raw / "2024-03-01" / "en_storm.txt"), "raw/2024-03-01/en_storm.txt")


def test_missing_remote_day_is_a_clear_error(s3) -> None:
    from newsetl.pipeline import MissingDayError

    with pytest.raises(MissingDayError, match="s3://raw/1999-01-01"):
        run_day("s3://raw", "s3://lake/news", "1999-01-01")


def test_a_long_running_reader_sees_other_processes_publishing(s3, sample_raw: Path) -> None:
    """The UI's api-server keeps one s3fs per process: its listing cache must not hide
    a day published (or reprocessed) by a worker process."""
    import subprocess
    import sys

    for ds in ("2024-03-01", "2024-03-03"):
        _upload_day(s3, sample_raw, ds)
    out = "s3://lake/multi"
    first = run_day("s3://raw", out, "2024-03-01", detector="langdetect")
    assert published_days(out) == ["2024-03-01"]  # this process has now listed _current/
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
    import time

    from newsetl.airflow_tasks import stale_stats_days
    from newsetl.stats import write_daily_stats

    _upload_day(s3, sample_raw, "2024-03-03")
    out = "s3://lake/stats"
    run_day("s3://raw", out, "2024-03-03", detector="langdetect")
    assert stale_stats_days(out) == ["2024-03-03"]  # no stats yet
    write_daily_stats(out, "2024-03-03")
    assert stale_stats_days(out) == []
    time.sleep(1.1)  # S3 modification times have one-second resolution
    run_day("s3://raw", out, "2024-03-03", detector="langdetect")
    assert stale_stats_days(out) == ["2024-03-03"]
