"""Late and partial raw days: an upload in flight or a missing ready marker keeps a day
from being published as complete (CLI side; the Airflow sensor is in tests/dags)."""

from __future__ import annotations

from pathlib import Path

import pytest
from newsetl.cli import main
from newsetl.completeness import IncompleteDayError
from newsetl.pipeline import run_day
from newsetl.readers import read_manifest

DAY = "2024-03-01"
ARTICLE = "Harbour reopens after the storm\n\nFerries left the port on Tuesday morning.\n"


def _day(tmp_path: Path, *names: str) -> Path:
    day = tmp_path / "raw" / DAY
    day.mkdir(parents=True)
    (day / "a.txt").write_text(ARTICLE)
    for name in names:
        (day / name).write_text("{")
    return tmp_path / "raw"


@pytest.mark.parametrize("partial", [".b.jsonl.partial", "c.jsonl.gz.tmp",
                                     "sub/d.txt.crdownload"])
def test_an_upload_in_flight_makes_the_day_incomplete(tmp_path: Path, partial: str,
                                                      capsys: pytest.CaptureFixture) -> None:
    raw = tmp_path / "raw"
    (raw / DAY / "sub").mkdir(parents=True)
    (raw / DAY / "a.txt").write_text(ARTICLE)
    (raw / DAY / partial).write_text("{")
    with pytest.raises(IncompleteDayError, match="still in flight"):
        run_day(raw, tmp_path / "out", DAY)
    code = main(["run", "--raw-root", str(raw), "--out-root", str(tmp_path / "out"),
                 "--ds", DAY, "--progress", "none"])
    assert code == 1
    assert "--allow-incomplete" in capsys.readouterr().err
    assert read_manifest(tmp_path / "out", DAY) is None  # nothing published
    manifest = run_day(raw, tmp_path / "out", DAY, allow_incomplete=True)
    assert manifest["counts"]["articles"] == 1


def test_a_required_ready_marker_gates_the_day_and_is_never_an_input(tmp_path: Path) -> None:
    raw = _day(tmp_path)
    with pytest.raises(IncompleteDayError, match="_SUCCESS"):
        run_day(raw, tmp_path / "out", DAY, ready_marker="_SUCCESS")
    (raw / DAY / "_SUCCESS").write_text("")
    manifest = run_day(raw, tmp_path / "out", DAY, ready_marker="_SUCCESS")
    assert [i["path"] for i in manifest["inputs"]] == ["a.txt"]
    assert {"path": "_SUCCESS", "size": 0, "reason": "ready_marker"} in \
        manifest["skipped_inputs"]
    # a _SUCCESS marker is never read as an (unsupported) input, required or not
    again = run_day(raw, tmp_path / "out2", DAY)
    assert again["counts"]["rejects"] == 0
