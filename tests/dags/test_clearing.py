"""Clearing tasks of a finished newsetl_daily run (issue 13, item 5).

Each test runs a day to success with ``dag.test()``, then clears task instances of that
run the way the UI's *Clear* does (the same calls as Airflow's clear endpoint: the
task instances, with their downstream relatives when asked, and the run queued again),
and runs the run again with ``dag.test()``'s own loop (``dag.test()`` itself would
delete the run and start a new one). The published day must keep the same rows.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from newsetl import daystatus
from newsetl.readers import read_manifest, read_table

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DAY = ROOT / "include" / "sample_data" / "raw" / "2024-03-02"
DS = "2024-03-02"
TABLES = ("articles", "sections", "rejects")
SORT = {"articles": ["article_id"], "sections": ["article_id", "position"],
        "rejects": ["source_file", "source_member", "reason"]}


def rows(out: Path, table: str) -> list[dict]:
    data = read_table(out, table, [DS])
    return data.sort_by([(c, "ascending") for c in SORT[table]]).to_pylist()


def published(out: Path) -> dict:
    return {t: rows(out, t) for t in TABLES}


def task_states(run_id: str) -> dict[str, tuple[str, int]]:
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        tis = session.query(TaskInstance).filter_by(dag_id="newsetl_daily", run_id=run_id).all()
        return {(ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"):
                (str(ti.state), ti.try_number) for ti in tis}


def clear(run_id: str, *markers: str | tuple[str, int], downstream: bool = False) -> list[str]:
    """Clear task instances of a finished run like the UI / REST API does (``Clear``,
    optionally with *Downstream*); returns what was cleared."""
    from airflow.models.dagbag import DBDagBag
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import clear_task_instances, find_relevant_relatives
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from sqlalchemy import select

    with create_session() as session:
        run = session.scalar(select(DagRun).where(DagRun.dag_id == "newsetl_daily",
                                                  DagRun.run_id == run_id))
        dag = DBDagBag().get_dag_for_run(run, session=session)
        normal = {m for m in markers if isinstance(m, str)}
        mapped = {m for m in markers if isinstance(m, tuple)}
        if downstream:
            found = find_relevant_relatives(normal, mapped, direction="downstream", dag=dag,
                                            run_id=run_id, session=session)
            normal |= {t for t in found if isinstance(t, str)}
            mapped |= {t for t in found if isinstance(t, tuple)}
        wanted = [*normal, *((t, i) for t, i in mapped if t not in normal)]
        tis = dag.clear(dry_run=True, task_ids=wanted, run_id=run_id, session=session)
        clear_task_instances(tis, session, DagRunState.QUEUED)
        return sorted(ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"
                      for ti in tis)


def run_again(run_id: str, dags) -> str:
    """Run a cleared run to its end in this process: the minimal scheduler loop of
    ``dag.test()`` (``airflow.sdk.definitions.dag``) on the existing run."""
    from airflow.models.dagbag import DBDagBag
    from airflow.models.dagrun import DagRun
    from airflow.sdk import timezone
    from airflow.sdk.definitions.dag import _run_task
    from airflow.settings import Session
    from airflow.utils.state import DagRunState, TaskInstanceState
    from sqlalchemy import select

    dag = dags["newsetl_daily"]  # parsed afresh, as a new worker would
    session = Session()
    try:
        run = session.scalar(select(DagRun).where(DagRun.dag_id == "newsetl_daily",
                                                  DagRun.run_id == run_id))
        run.dag = DBDagBag().get_dag_for_run(run, session=session)
        assert run.state == DagRunState.QUEUED
        run.state = DagRunState.RUNNING  # what the scheduler does with a queued run
        session.commit()
        for _ in range(100):
            if run.state != DagRunState.RUNNING:
                break
            session.expire_all()
            schedulable, _ = run.update_state(session=session)
            for ti in schedulable:
                if ti.state != TaskInstanceState.UP_FOR_RESCHEDULE:
                    ti.try_number += 1
                ti.state = TaskInstanceState.SCHEDULED
                ti.scheduled_dttm = timezone.utcnow()
            session.commit()
            for ti in run.get_task_instances(session=session):
                if ti.state == TaskInstanceState.SCHEDULED:
                    _run_task(ti=ti, task=dag.task_dict[ti.task_id])
        return str(run.state)
    finally:
        session.close()


@pytest.fixture
def day(airflow_db, fresh_dags, monkeypatch, tmp_path) -> dict:
    """A copy of a sample day (three shards) published by one successful run."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(SAMPLE_DAY, raw / DS)
    monkeypatch.setenv("NEWSETL_RAW_ROOT", str(raw))
    monkeypatch.setenv("NEWSETL_OUT_ROOT", str(out))
    monkeypatch.setenv("NEWSETL_SHARD_MAX_FILES", "2")  # several mapped shards
    monkeypatch.setenv("NEWSETL_ARRIVAL_TIMEOUT_H", "0")
    run = fresh_dags["newsetl_daily"].test(logical_date=None, run_conf={"ds": DS})
    states = task_states(run.run_id)
    assert str(run.state) == "success", states
    assert sorted(k for k in states if k.startswith("process_shard[")) == [
        "process_shard[0]", "process_shard[1]", "process_shard[2]"]
    assert not (out / "_staging").exists()  # publish removed the run's staging and plan
    manifest = read_manifest(out, DS)
    assert manifest["run"]["run_id"] == run.run_id and manifest["counts"]["articles"] > 0
    return {"run_id": run.run_id, "raw": raw, "out": out, "manifest": manifest,
            "rows": published(out), "dags": fresh_dags}


def test_clearing_a_shard_alone_succeeds_and_keeps_the_published_day(day):
    """No publish follows a shard cleared alone: the shard rebuilds the plan, sees the
    inputs unchanged and the day published from them, and succeeds without work. Then
    `publish` cleared alone: this run's version is current, nothing to redo."""
    run_id, out = day["run_id"], day["out"]
    assert clear(run_id, ("process_shard", 1)) == ["process_shard[1]"]
    assert run_again(run_id, day["dags"]) == "success", task_states(run_id)
    states = task_states(run_id)
    assert states["process_shard[1]"] == ("success", 2)  # one try: no FileNotFoundError
    assert states["publish"] == ("success", 1) and states["process_shard[0]"][1] == 1
    assert read_manifest(out, DS) == day["manifest"]  # the same published version
    assert published(out) == day["rows"]
    assert not (out / "_staging").exists()  # no staging left behind that nobody publishes

    assert clear(run_id, "publish") == ["publish"]
    assert run_again(run_id, day["dags"]) == "success", task_states(run_id)
    assert task_states(run_id)["publish"] == ("success", 2)
    assert read_manifest(out, DS)["version"] == day["manifest"]["version"]
    assert published(out) == day["rows"]


def test_clearing_a_shard_with_downstream_republishes_the_same_rows(day):
    """The cleared shard rebuilds the plan and processes itself; publish rebuilds the
    two shards that were not cleared and republishes: a new version, the same rows."""
    run_id, out = day["run_id"], day["out"]
    cleared = clear(run_id, ("process_shard", 1), downstream=True)
    assert cleared == ["emit_assets", "process_shard[1]", "publish", "quality_checks"]
    assert run_again(run_id, day["dags"]) == "success", task_states(run_id)
    states = task_states(run_id)
    for task in ("process_shard[1]", "publish", "quality_checks", "emit_assets"):
        assert states[task] == ("success", 2), (task, states)
    assert states["process_shard[0]"] == ("success", 1)
    manifest = read_manifest(out, DS)
    assert manifest["version"] != day["manifest"]["version"]  # republished ...
    assert manifest["run"]["run_id"] == run_id and manifest["run"]["rebuilt"] is True
    assert manifest["counts"] == day["manifest"]["counts"]  # ... with the same rows
    assert manifest["inputs"] == day["manifest"]["inputs"]
    assert published(out) == day["rows"]
    assert not (out / "_staging").exists()

    # the planning tasks of the finished run: split_shards with downstream re-plans
    # in memory, every shard rebuilds the plan and processes itself, publish republishes
    cleared = clear(run_id, "split_shards", downstream=True)
    assert "split_shards" in cleared and "process_shard[2]" in cleared
    assert run_again(run_id, day["dags"]) == "success", task_states(run_id)
    assert read_manifest(out, DS)["counts"] == day["manifest"]["counts"]
    assert published(out) == day["rows"]
    # find_inputs plans afresh; with its downstream tasks the whole day runs again
    clear(run_id, "find_inputs", downstream=True)
    assert run_again(run_id, day["dags"]) == "success", task_states(run_id)
    assert published(out) == day["rows"] and not (out / "_staging").exists()


def test_clearing_a_shard_after_the_raw_inputs_changed_fails_at_once(day):
    """The run's shards no longer describe the raw folder: the shard fails without
    retrying, naming what changed and what to clear; the published day stays."""
    run_id, out, raw = day["run_id"], day["out"], day["raw"]
    (raw / DS / "late_arrival.txt").write_text("Late headline\n\nA paragraph of a news "
                                               "article that arrived after the run.\n")
    for downstream in (False, True):
        clear(run_id, ("process_shard", 1), downstream=downstream)
        # Airflow decides a run's state by its leaves: alone, the failed shard is not one
        assert run_again(run_id, day["dags"]) == ("failed" if downstream else "success")
        states = task_states(run_id)
        assert states["process_shard[1]"][0] == "failed", states  # no up_for_retry
        assert states["publish"][0] == ("upstream_failed" if downstream else "success")
    failure = daystatus.failures(out).get(DS)
    assert "raw inputs of ds=2024-03-02 changed since this run planned the day" in str(failure)
    assert "clear the whole run from find_inputs" in str(failure)
    assert read_manifest(out, DS) == day["manifest"]
    assert published(out) == day["rows"]
