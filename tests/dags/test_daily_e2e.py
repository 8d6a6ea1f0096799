"""End-to-end runs of the DAGs with ``dag.test()`` on the session's SQLite Airflow home."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from newsetl import neardup
from newsetl.pipeline import run_day
from newsetl.readers import published_days, read_manifest, read_table, table_files

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_RAW = ROOT / "include" / "sample_data" / "raw"
TABLES = ("articles", "sections", "rejects")
SORT = {"articles": ["article_id"], "sections": ["article_id", "position"],
        "rejects": ["source_file", "source_member", "reason"]}


def partition_files(out: Path, table: str, ds: str) -> list[str]:
    """The partition folders of the day's published files (file names are unique ids)."""
    return sorted(str(Path(f).parent.relative_to(out / table))
                  for f in table_files(out, table, [ds]))


def rows(out: Path, table: str, ds: str) -> list[dict]:
    data = read_table(out, table, [ds])
    return data.sort_by([(c, "ascending") for c in SORT[table]]).to_pylist()


def task_states(run) -> dict[str, tuple[str, int]]:
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        tis = session.query(TaskInstance).filter_by(dag_id=run.dag_id, run_id=run.run_id).all()
        return {(ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"):
                (str(ti.state), ti.try_number) for ti in tis}


def asset_event_extras(name: str) -> list[dict]:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        events = (session.query(AssetEvent).join(AssetModel, AssetEvent.asset_id == AssetModel.id)
                  .filter(AssetModel.name == name).all())
        return [dict(e.extra or {}) for e in events]


@pytest.fixture(scope="module")
def out_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("airflow-out")


@pytest.fixture(scope="module")
def cli_out(tmp_path_factory) -> Path:
    """The same days published by the CLI code path: the reference output."""
    out = tmp_path_factory.mktemp("cli-out")
    for ds in ("2024-03-01", "2024-03-02"):
        run_day(SAMPLE_RAW, out, ds)
    return out


@pytest.fixture
def env(monkeypatch, out_root):
    monkeypatch.setenv("NEWSETL_RAW_ROOT", str(SAMPLE_RAW))
    monkeypatch.setenv("NEWSETL_OUT_ROOT", str(out_root))
    # no waiting for late days in these runs (wait_for_day would reschedule for hours);
    # the waiting itself is tested in test_airflow_units.py
    monkeypatch.setenv("NEWSETL_ARRIVAL_TIMEOUT_H", "0")
    return monkeypatch


@pytest.fixture(scope="module")
def dags(airflow_db, fresh_dags):
    return fresh_dags


def run_dag(dags, dag_id: str, conf: dict | None = None, logical_date=None):
    return dags[dag_id].test(logical_date=logical_date, run_conf=conf)


def test_manual_run_with_ds_param_matches_cli(dags, env, out_root, cli_out):
    run = run_dag(dags, "newsetl_daily", {"ds": "2024-03-01"})
    states = task_states(run)
    assert str(run.state) == "success", states
    assert run.logical_date is None  # a manual run without logical date: no KeyError
    assert states["process_shard[0]"] == ("success", 1)
    for table in TABLES:
        assert partition_files(out_root, table, "2024-03-01") == partition_files(
            cli_out, table, "2024-03-01"), table
        assert rows(out_root, table, "2024-03-01") == rows(cli_out, table, "2024-03-01"), table
    manifest = read_manifest(out_root, "2024-03-01")
    assert manifest["counts"] == read_manifest(cli_out, "2024-03-01")["counts"]
    assert manifest["counts"]["articles"] == 8 and manifest["counts"]["rejects"] == 2
    assert manifest["run"]["runner"] == "airflow"
    assert manifest["run"]["run_id"] == run.run_id
    assert manifest["run"]["ds_source"] == "param"
    assert not (out_root / "_staging").exists()  # staging cleaned up after publish
    extras = [e for e in asset_event_extras("newsetl_articles") if e.get("ds") == "2024-03-01"]
    assert extras and extras[-1]["articles"] == 8 and extras[-1]["version"] == manifest["version"]
    assert any(e.get("ds") == "2024-03-01" and e["sections"] == manifest["counts"]["sections"]
               for e in asset_event_extras("newsetl_sections"))


def test_rerun_replaces_with_same_rows(dags, env, out_root):
    before = {t: rows(out_root, t, "2024-03-01") for t in TABLES}
    version = read_manifest(out_root, "2024-03-01")["version"]
    run = run_dag(dags, "newsetl_daily", {"ds": "2024-03-01"})
    assert str(run.state) == "success"
    assert read_manifest(out_root, "2024-03-01")["version"] != version
    assert {t: rows(out_root, t, "2024-03-01") for t in TABLES} == before
    # one more Delta version of each table; the old files stay until `newsetl maintain`


def test_logical_date_run_processes_the_day_before(dags, env, out_root, cli_out):
    # A manual run with logical date 2024-03-03T00:00 processes the day that ends at it,
    # 2024-03-02, from the logical date itself (`airflow dags trigger --logical-date`
    # runs get the data interval of their trigger time in Airflow 3).
    run = run_dag(dags, "newsetl_daily", None, datetime(2024, 3, 3, tzinfo=UTC))
    assert str(run.state) == "success", task_states(run)
    manifest = read_manifest(out_root, "2024-03-02")
    assert manifest["run"]["ds_source"] == "logical_date - 1 day"
    assert manifest["counts"] == read_manifest(cli_out, "2024-03-02")["counts"]
    for table in TABLES:
        assert rows(out_root, table, "2024-03-02") == rows(cli_out, table, "2024-03-02")


def test_quality_gate_fails_on_junk(dags, monkeypatch, tmp_path):
    """A day failing a quality check never replaces the published version."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    day = raw / "2024-03-05"
    day.mkdir(parents=True)
    (day / "good.txt").write_text("A real headline\n\n" + "This is a proper paragraph of an "
                                  "English news article about the weather in London. " * 3)
    monkeypatch.setenv("NEWSETL_RAW_ROOT", str(raw))
    monkeypatch.setenv("NEWSETL_OUT_ROOT", str(out))
    good = run_dag(dags, "newsetl_daily", {"ds": "2024-03-05"})
    assert str(good.state) == "success"
    published = read_manifest(out, "2024-03-05")
    for i in range(5):
        (day / f"junk{i}.bin").write_bytes(bytes(range(256)) * 4)
        (day / f"empty{i}.txt").write_text("   \n")
    run = run_dag(dags, "newsetl_daily", {"ds": "2024-03-05"})
    states = task_states(run)
    assert str(run.state) == "failed"
    assert states["publish"] == ("failed", 1)  # the gate: no retries for a data problem
    assert states["quality_checks"][0] == "upstream_failed"
    assert states["emit_assets"][0] == "upstream_failed"
    assert read_manifest(out, "2024-03-05") == published  # the good version stays
    assert published["counts"]["articles"] == 1 and published["counts"]["rejects"] == 0
    extras = [e for e in asset_event_extras("newsetl_articles") if e.get("ds") == "2024-03-05"]
    assert len(extras) == 1 and extras[0]["version"] == published["version"]


def test_missing_day_fails_unless_allow_empty(dags, env, out_root):
    run = run_dag(dags, "newsetl_daily", {"ds": "2024-04-01"})
    states = task_states(run)
    assert str(run.state) == "failed"
    assert states["wait_for_day"] == ("failed", 1)  # no retries: the day is not there
    assert states["find_inputs"][0] == "upstream_failed"
    assert read_manifest(out_root, "2024-04-01") is None
    run = run_dag(dags, "newsetl_daily", {"ds": "2024-04-01", "allow_empty": True})
    assert str(run.state) == "success", task_states(run)
    counts = read_manifest(out_root, "2024-04-01")["counts"]
    assert counts["articles"] == 0 and counts["input_files"] == 0


def test_stats_dag(dags, env, out_root):
    run = run_dag(dags, "newsetl_stats", {"ds": "2024-03-01"})
    assert str(run.state) == "success", task_states(run)
    assert set(read_table(out_root, "daily_stats").column("ds").to_pylist()) == {"2024-03-01"}
    run = run_dag(dags, "newsetl_stats")  # no param, no events: every published day
    assert str(run.state) == "success", task_states(run)
    assert set(read_table(out_root, "daily_stats").column("ds").to_pylist()) == set(
        published_days(out_root))


def test_object_store_roots(dags, monkeypatch, cli_out, s3_env):
    """s3:// raw and out roots (a moto server on loopback): the same day, the same counts."""
    fs = s3_env
    fs.mkdir("afraw")
    fs.mkdir("aflake")
    day = SAMPLE_RAW / "2024-03-02"
    for path in sorted(day.rglob("*")):
        if path.is_file():
            fs.put_file(str(path), f"afraw/2024-03-02/{path.relative_to(day).as_posix()}")
    monkeypatch.setenv("NEWSETL_RAW_ROOT", "s3://afraw")
    monkeypatch.setenv("NEWSETL_OUT_ROOT", "s3://aflake/news")
    monkeypatch.setenv("NEWSETL_SHARD_MAX_FILES", "2")  # several mapped shards
    run = run_dag(dags, "newsetl_daily", {"ds": "2024-03-02"})
    states = task_states(run)
    assert str(run.state) == "success", states
    assert sum(k.startswith("process_shard[") for k in states) == 3
    assert published_days("s3://aflake/news") == ["2024-03-02"]
    manifest = read_manifest("s3://aflake/news", "2024-03-02")
    assert manifest["counts"] == read_manifest(cli_out, "2024-03-02")["counts"]
    assert not fs.exists("aflake/news/_staging/ds=2024-03-02")


def test_dedup_dag(dags, env, out_root):
    run = run_dag(dags, "newsetl_dedup", {"ds": "2024-03-01", "window": 2})
    assert str(run.state) == "success", task_states(run)
    run = run_dag(dags, "newsetl_dedup")  # no param, no events: every published day
    assert str(run.state) == "success", task_states(run)
    signed = set(read_table(out_root, "signatures").column("ds").to_pylist())
    with_articles = set(read_table(out_root, "articles").column("ds").to_pylist())
    assert signed == with_articles and signed <= set(published_days(out_root))
    assert neardup.stale_days(out_root) == []  # every published day covered by a commit
