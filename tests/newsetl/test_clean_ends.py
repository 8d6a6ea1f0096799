"""Clean ends and guards: no orphan workers after a killed CLI, no staging left behind,
``newsetl gc``, the worker cap and the out-root checks (issue: bounded memory and full
parallelism; no leaks after kills)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from newsetl import cleanup, guards
from newsetl.cli import main
from newsetl.inputs import printable_name, scan
from newsetl.pipeline import run_day

DAY = "2024-01-01"
NEWSETL = str(Path(sys.executable).with_name("newsetl"))
WORDS = ["council", "budget", "minister", "river", "harbour", "school", "vote", "market",
         "energy", "court", "police", "railway"]


@pytest.fixture(scope="module")
def slow_day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four JSONL files of 5,000 articles: about ten seconds of work on two workers."""
    raw = tmp_path_factory.mktemp("slow") / "raw"
    day = raw / DAY
    day.mkdir(parents=True)
    rng = random.Random(3)
    for part in range(4):
        with (day / f"part-{part}.jsonl").open("w") as fh:
            for i in range(5000):
                paragraphs = [" ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "."
                              for _ in range(6)]
                fh.write(json.dumps({"text": f"Story {part}-{i}\n\n" + "\n\n".join(paragraphs)})
                         + "\n")
    return raw


def _start_and_wait_for_workers(raw: Path, out: Path) -> tuple[subprocess.Popen, list]:
    proc = subprocess.Popen([NEWSETL, "run", "--raw-root", str(raw), "--out-root", str(out),
                             "--ds", DAY, "--workers", "2", "--progress", "none"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        family = parent.children(recursive=True)
        staged = list((out / "_staging").glob(f"ds={DAY}/*/shards/*"))
        if len(family) >= 3 and staged:  # forkserver, workers; a shard written
            return proc, family
        time.sleep(0.1)
    proc.kill()
    pytest.fail("the workers never started")


def _alive(procs: list) -> list:
    return [p for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def _wait_gone(procs: list, seconds: float) -> list:
    deadline = time.monotonic() + seconds
    while _alive(procs) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _alive(procs)


def test_sigkill_of_the_cli_leaves_no_process_and_gc_removes_its_staging(
        slow_day: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc, family = _start_and_wait_for_workers(slow_day, out)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _wait_gone(family, 5.0) == []
    runs = cleanup.staging_runs(out, DAY)
    assert len(runs) == 1 and cleanup.dead_cli_run(runs[0].token)
    assert main(["gc", "--out-root", str(out)]) == 0
    assert not (out / "_staging").exists()


def test_sigterm_stops_the_workers_and_removes_the_staging(slow_day: Path,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc, family = _start_and_wait_for_workers(slow_day, out)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    assert _wait_gone(family, 5.0) == []
    assert not (out / "_staging").exists()


def test_next_run_of_the_day_removes_staging_of_a_killed_run(sample_raw: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "out"
    dead = out / "_staging" / "ds=2024-03-01" / cleanup.cli_run_token(pid=_dead_pid())
    (dead / "shards" / "00000").mkdir(parents=True)
    (dead / "shards" / "00000" / "articles.parquet").write_bytes(b"x" * 1000)
    run_day(sample_raw, out, "2024-03-01", detector="langdetect")
    assert not (out / "_staging").exists()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_failed_run_leaves_no_staging(sample_raw: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import newsetl.pipeline as pipeline

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "publish_day", disk_full)
    out = tmp_path / "out"
    with pytest.raises(OSError, match="No space"):
        run_day(sample_raw, out, "2024-03-01", detector="langdetect")
    assert not (out / "_staging").exists()


def test_workers_are_capped_at_the_cores(sample_raw: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture) -> None:
    code = main(["run", "--raw-root", str(sample_raw), "--out-root", str(tmp_path / "out"),
                 "--ds", "2024-03-01", "--workers", "500", "--progress", "none", "--json"])
    assert code == 0
    err = capsys.readouterr().err
    assert f"using {guards.usable_cores()}" in err and "--workers 500" in err


def test_out_root_inside_the_raw_root_is_refused(sample_raw: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    raw = tmp_path / "raw"
    (raw / "2024-03-01").mkdir(parents=True)
    (raw / "2024-03-01" / "a.txt").write_text("Headline\n\nSome news text here today.\n")
    for out in (raw / "out", raw / "2024-03-01" / "out", raw):
        assert main(["run", "--raw-root", str(raw), "--out-root", str(out),
                     "--ds", "2024-03-01", "--progress", "none"]) == 2
        assert "lies inside the raw root" in capsys.readouterr().err
        with pytest.raises(guards.LayoutError):
            run_day(raw, out, "2024-03-01")
    assert not (raw / "out").exists()


def test_the_raw_scan_never_enters_an_out_root(sample_raw: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    day = raw / "2024-03-01"
    day.mkdir(parents=True)
    (day / "a.txt").write_text("Headline\n\nSome news text here today.\n")
    out = day / "old-output"  # an out root some earlier tool left in the day folder
    run_day(sample_raw, out, "2024-03-01", detector="langdetect")
    files, skipped = scan(day)
    assert [f.path for f in files] == ["a.txt"]
    assert {"path": "old-output", "size": None, "reason": "out_root"} in skipped


def test_file_names_print_unambiguously() -> None:
    latin1 = os.fsdecode(b"caf\xe9.txt")  # a latin-1 byte in a POSIX name
    literal = "caf\\xe9.txt"               # a name that spells the escape
    assert printable_name(latin1) != printable_name(literal)
