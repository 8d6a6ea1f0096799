"""The ``newsetl`` console script end to end on the bundled sample data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from newsetl.cli import main

from ..conftest import SAMPLE_DAYS  # noqa: TID252


def test_run_range_on_sample_data(sample_raw: Path, tmp_path: Path, capsys) -> None:
    rc = main(["run", "--raw-root", str(sample_raw), "--out-root", str(tmp_path),
               "--from", SAMPLE_DAYS[0], "--to", SAMPLE_DAYS[-1], "--json",
               "--detector", "langdetect", "--progress", "lines"])
    assert rc == 0
    captured = capsys.readouterr()
    days = json.loads(captured.out)
    assert [d["ds"] for d in days] == list(SAMPLE_DAYS)
    for d in days:
        assert d["input_items"] == d["articles"] + d["rejects"]
    langs = set().union(*(d["articles_by_lang"] for d in days))
    assert {"fr", "en", "de", "es", "ar", "ru", "fa"} <= langs
    reasons_seen = set().union(*(d["rejects_by_reason"] for d in days))
    assert {"duplicate", "unsafe_archive_member", "corrupt_archive", "unreadable_encoding",
            "not_an_article", "empty", "malformed_record", "unsupported_format"} <= reasons_seen
    assert "shard 1/1" in captured.err


def test_console_script_summary_and_missing_day(sample_raw: Path, tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("newsetl")
    ok = subprocess.run([exe, "run", "--raw-root", sample_raw, "--out-root", tmp_path,
                         "--ds", SAMPLE_DAYS[1], "--workers", "2", "--shard-files", "2"],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "articles by language" in ok.stdout and "rejects by reason" in ok.stdout
    assert "unsafe_archive_member" in ok.stdout
    missing = subprocess.run([exe, "run", "--raw-root", tmp_path / "nope", "--out-root",
                              tmp_path, "--ds", "2030-01-01"], capture_output=True, text=True)
    assert missing.returncode == 1
    assert str(tmp_path / "nope" / "2030-01-01") in missing.stderr
    helptext = subprocess.run([exe, "run", "--help"], capture_output=True, text=True).stdout
    for option in ("--raw-root", "--out-root", "--ds", "--from", "--to", "--workers",
                   "--allow-empty", "--detector", "--progress"):
        assert option in helptext


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    assert main(["run", "--raw-root", "r", "--out-root", "o", "--from", "2024-01-02"]) == 2
    assert main(["run", "--raw-root", "r", "--out-root", "o", "--from", "2024-01-02",
                 "--to", "2024-01-01"]) == 2


def test_files_and_manifest_commands(sample_raw: Path, tmp_path: Path, capsys) -> None:
    assert main(["run", "--raw-root", str(sample_raw), "--out-root", str(tmp_path),
                 "--ds", SAMPLE_DAYS[0], "--detector", "langdetect", "--progress", "none"]) == 0
    capsys.readouterr()
    assert main(["files", "--out-root", str(tmp_path), "--table", "rejects"]) == 0
    [path] = capsys.readouterr().out.splitlines()
    assert path.startswith(str(tmp_path / "rejects" / f"ds={SAMPLE_DAYS[0]}" / "part-"))
    assert main(["manifest", "--out-root", str(tmp_path), "--ds", SAMPLE_DAYS[0]]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["input_items"] == 10
    assert main(["manifest", "--out-root", str(tmp_path), "--ds", "2030-01-01"]) == 1


@pytest.mark.parametrize("option, value", [
    ("--workers", "0"), ("--workers", "-2"), ("--workers", "two"), ("--shard-files", "0"),
    ("--max-article-mb", "-1"), ("--max-article-mb", "0"), ("--max-archive-mb", "nan"),
    ("--shard-mb", "0")])
def test_out_of_range_numbers_are_usage_errors(option: str, value: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--raw-root", "r", "--out-root", "o", "--ds", "2024-01-01",
              option, value])
    assert exit_info.value.code == 2
    assert option in capsys.readouterr().err


def test_a_failing_day_is_reported_and_the_range_goes_on(sample_raw: Path, tmp_path: Path,
                                                         capsys, monkeypatch) -> None:
    from newsetl import pipeline

    real = pipeline.run_day

    def run_day(raw_root, out_root, ds, **kw):
        if ds == SAMPLE_DAYS[1]:
            raise RuntimeError("disk on fire")
        return real(raw_root, out_root, ds, **kw)

    monkeypatch.setattr(pipeline, "run_day", run_day)
    rc = main(["run", "--raw-root", str(sample_raw), "--out-root", str(tmp_path), "--from",
               SAMPLE_DAYS[0], "--to", SAMPLE_DAYS[-1], "--json", "--detector", "langdetect",
               "--progress", "none"])
    captured = capsys.readouterr()
    assert rc == 1
    assert [d["ds"] for d in json.loads(captured.out)] == [SAMPLE_DAYS[0], SAMPLE_DAYS[2]]
    assert f"{SAMPLE_DAYS[1]} failed, nothing published for it: RuntimeError: disk on fire" \
        in captured.err
    assert f"1 of 3 day(s) failed: {SAMPLE_DAYS[1]}" in captured.err


def test_out_root_that_is_a_file_is_a_clear_error(sample_raw: Path, tmp_path: Path,
                                                  capsys) -> None:
    not_a_dir = tmp_path / "out"
    not_a_dir.write_text("I am a file")
    rc = main(["run", "--raw-root", str(sample_raw), "--out-root", str(not_a_dir),
               "--ds", SAMPLE_DAYS[0], "--progress", "none"])
    err = capsys.readouterr().err
    assert rc == 1
    assert "failed, nothing published for it" in err and "Traceback" not in err


def test_files_for_a_day_that_is_not_published(tmp_path: Path, capsys) -> None:
    assert main(["files", "--out-root", str(tmp_path), "--ds", "2030-01-01"]) == 1
    assert "no published articles files for 2030-01-01" in capsys.readouterr().err


def test_a_day_without_input_files_does_not_replace_a_published_day(
        sample_raw: Path, tmp_path: Path, capsys) -> None:
    import shutil

    raw = tmp_path / "raw"
    shutil.copytree(sample_raw / SAMPLE_DAYS[0], raw / SAMPLE_DAYS[0])
    out = tmp_path / "out"
    args = ["run", "--raw-root", str(raw), "--out-root", str(out), "--ds", SAMPLE_DAYS[0],
            "--detector", "langdetect", "--progress", "none", "--json"]
    assert main(args) == 0
    published = json.loads(capsys.readouterr().out)[0]["articles"]
    for entry in (raw / SAMPLE_DAYS[0]).iterdir():
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    (raw / SAMPLE_DAYS[0] / ".DS_Store").write_text("{}")
    assert main(args) == 1
    assert "holds no input files" in capsys.readouterr().err
    (raw / SAMPLE_DAYS[0] / ".feed.jsonl.partial").write_text("{}")  # an upload running
    assert main(args) == 1
    assert "still in flight" in capsys.readouterr().err
    assert main(["manifest", "--out-root", str(out), "--ds", SAMPLE_DAYS[0]]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["articles"] == published > 0
    assert main([*args, "--allow-empty", "--allow-incomplete"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["articles"] == 0


def test_run_updates_near_duplicates_and_dedup_command(tmp_path: Path, capsys) -> None:
    """`run` updates near_duplicates after publishing; `dedup` recomputes the same rows."""
    from newsetl.readers import read_table

    raw = tmp_path / "raw"
    body = "\n\n".join(" ".join(f"word{i}{j} story text" for j in range(12)) + "."
                       for i in range(4))
    for ds, title in (("2024-03-01", "Original"), ("2024-03-04", "Re-run")):
        (raw / ds).mkdir(parents=True)
        (raw / ds / "story.txt").write_text(f"{title}\n\n{body}\n")
    out = tmp_path / "out"
    assert main(["run", "--raw-root", str(raw), "--out-root", str(out), "--from", "2024-03-01",
                 "--to", "2024-03-04", "--allow-empty", "--detector", "langdetect",
                 "--progress", "none", "--json"]) == 0
    assert "near_duplicates rows" in capsys.readouterr().err
    rows = sorted(read_table(out, "near_duplicates").to_pylist(), key=lambda r: r["ds"])
    assert [(r["ds"], r["canonical_ds"], r["kind"]) for r in rows] == [
        ("2024-03-01", "2024-03-01", "exact"), ("2024-03-04", "2024-03-01", "exact")]
    # a new window is a new table: recompute every day (3 days apart: outside ±2)
    assert main(["dedup", "--out-root", str(out), "--from", "2024-03-01", "--to",
                 "2024-03-04", "--window", "2"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["days_rewritten"] == ["2024-02-28", "2024-03-06"] and summary["rows"] == 0
    assert read_table(out, "near_duplicates").num_rows == 0
    assert main(["dedup", "--out-root", str(out), "--from", "2024-03-04"]) == 2
    assert main(["dedup", "--out-root", str(out), "--ds", "2024-03-04",
                 "--threshold", "1.5"]) == 2
