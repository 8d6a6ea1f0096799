"""Reading a Delta table's commits from its log by version (newsetl.deltalog)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, write_deltalake
from newsetl import deltalog


def _append(uri: str, tag: str) -> None:
    write_deltalake(uri, pa.table({"x": [1]}), mode="append",
                    commit_properties=CommitProperties(custom_metadata={"tag": tag}))


def _table(tmp_path: Path, commits: int) -> str:
    uri = str(tmp_path / "t")
    DeltaTable.create(uri, schema=pa.schema([("x", pa.int64())]))
    for i in range(commits):
        _append(uri, f"c{i + 1}")
    return uri


def test_every_commit_with_its_version_newest_first(tmp_path: Path) -> None:
    uri = _table(tmp_path, 3)
    found = [(h["version"], h.get("tag"), h["operation"]) for h in deltalog.commits(uri)]
    assert found == [(3, "c3", "WRITE"), (2, "c2", "WRITE"), (1, "c1", "WRITE"),
                     (0, None, "CREATE TABLE")]
    assert [h["version"] for h in deltalog.commits(uri, limit=2)] == [3, 2]
    assert [h["version"] for h in deltalog.commits(uri, oldest=2)] == [3, 2]
    assert [h["version"] for h in deltalog.commits(uri, newest=1)] == [1, 0]
    assert deltalog.commit_info(uri, 2)["tag"] == "c2"
    assert deltalog.commit_info(uri, 9) is None


def test_a_table_never_written_has_no_commits(tmp_path: Path) -> None:
    assert list(deltalog.commits(str(tmp_path / "none"))) == []
    assert deltalog.latest_version(str(tmp_path / "none")) is None


def test_stops_where_the_log_was_cleaned_up(tmp_path: Path) -> None:
    uri = _table(tmp_path, 3)
    DeltaTable(uri).create_checkpoint()
    Path(deltalog.commit_path(uri, 1)).unlink()  # as cleanup_metadata does, oldest first
    Path(deltalog.commit_path(uri, 0)).unlink()
    assert [h["version"] for h in deltalog.commits(uri)] == [3, 2]


def test_versions_stay_right_where_a_stale_table_history_shifts_them(tmp_path: Path
                                                                      ) -> None:
    """Why the module exists: a table object loaded before a commit lands numbers its
    ``history()`` from the version it was loaded at (delta-rs 1.6.6), one too low for
    every commit. Should a delta-rs upgrade fix it, this test says so: the workaround
    can go."""
    uri = _table(tmp_path, 2)
    stale = DeltaTable(uri)
    _append(uri, "late")
    shifted = {h.get("tag"): h["version"] for h in stale.history()}
    right = {h.get("tag"): h["version"] for h in deltalog.commits(uri)}
    assert right == {"late": 3, "c2": 2, "c1": 1, None: 0}
    assert shifted == {"late": 2, "c2": 1, "c1": 0, None: -1}
