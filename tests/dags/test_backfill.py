"""``airflow backfill create`` over the sample days on a real scheduler (LocalExecutor).

Starts an API server (the Execution API the LocalExecutor's workers talk to), a
scheduler and a DAG processor on a throw-away SQLite home, backfills the three sample
days and checks that the published partitions are exactly those of running each day
alone through the CLI code path. The processes are always stopped (process groups).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from newsetl.pipeline import run_day
from newsetl.readers import read_manifest, read_table, table_files

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_RAW = ROOT / "include" / "sample_data" / "raw"
DAYS = ("2024-03-01", "2024-03-02", "2024-03-03")
AIRFLOW = str(Path(sys.executable).parent / "airflow")
SORT = {"articles": ["article_id"], "sections": ["article_id", "position"],
        "rejects": ["source_file", "source_member", "reason"]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def query(db: Path, sql: str, *args) -> list[tuple]:
    if not db.exists():
        return []
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as con:
            return con.execute(sql, args).fetchall()
    except sqlite3.OperationalError:  # locked or not migrated yet: try again later
        return []


def wait_for(what: str, predicate, timeout: float, logs: Path, interval: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    tails = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2500:]}"
                      for p in sorted(logs.glob("*.log")))
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}\n{tails}")


@pytest.fixture(scope="module")
def airflow_services(tmp_path_factory):
    home = tmp_path_factory.mktemp("backfill-home")
    out = tmp_path_factory.mktemp("backfill-out")
    logs = home / "proc-logs"
    logs.mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AIRFLOW", "NEWSETL_")) or k == "NEWSETL_DETECTOR"}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        # Four processes share one SQLite file: wait up to 30 s for a lock, not 5 s.
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db?timeout=30",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": "newsetl-backfill-test-secret",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
        "NEWSETL_RAW_ROOT": str(SAMPLE_RAW),
        "NEWSETL_OUT_ROOT": str(out),
        # The DAG is active at once: without this the scheduler would also catch up on
        # every day since start_date, competing with the backfill for max_active_runs.
        "NEWSETL_CATCHUP": "false",
        # today's scheduled run has no raw day: fail its sensor at once instead of
        # rescheduling it every poke (those writes locked SQLite under the backfill)
        "NEWSETL_ARRIVAL_TIMEOUT_H": "0",
        "NEWSETL_POOL_SLOTS": "2",
        "AIRFLOW_BIN": AIRFLOW,
    })
    # The same set-up as `make airflow`: migrate and create the `newsetl` pool (without
    # it the scheduler never queues process_shard).
    migrated = subprocess.run(["bash", str(ROOT / "scripts" / "airflow_setup.sh")], env=env,
                              timeout=300, capture_output=True, text=True)
    assert migrated.returncode == 0, (migrated.stdout + migrated.stderr)[-4000:]
    procs: list[subprocess.Popen] = []
    try:
        for name in ("api-server", "scheduler", "dag-processor"):
            procs.append(subprocess.Popen(
                [AIRFLOW, name], env=env, cwd=home, start_new_session=True,
                stdout=(logs / f"{name}.log").open("w"), stderr=subprocess.STDOUT))
        yield {"env": env, "home": home, "out": out, "db": home / "airflow.db", "logs": logs,
               "procs": procs}
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)


def table_rows(out: Path, table: str, ds: str) -> list[dict]:
    data = read_table(out, table, [ds])
    return data.sort_by([(c, "ascending") for c in SORT[table]]).to_pylist()


def files(out: Path, table: str, ds: str) -> list[str]:
    """The partition folders of the day's published files (file names are unique ids)."""
    return sorted(str(Path(f).parent.relative_to(out / table))
                  for f in table_files(out, table, [ds]))


def backfills(db: Path) -> int:
    """How many backfills exist (waiting out a locked database)."""
    for _ in range(60):
        if rows := query(db, "select count(*) from backfill"):
            return rows[0][0]
        time.sleep(1)
    raise AssertionError("the Airflow database stayed locked for a minute")


def backfill(svc: dict, *extra: str) -> bool:
    """``airflow backfill create`` over the sample days, retried while SQLite is locked or
    the previous backfill is not marked complete yet. A create that committed its backfill
    and then hit "database is locked" on the way out counts as done (a retry would only
    meet its own backfill as "already running"); it returns False then, True when the
    create exited cleanly."""
    known = backfills(svc["db"])
    # the scheduler marks the previous backfill complete on its own loop: on a loaded
    # machine that took over a minute (measured), so wait up to three
    deadline = time.monotonic() + 180
    while True:
        created = subprocess.run([AIRFLOW, "backfill", "create", "--dag-id", "newsetl_daily",
                                  "--from-date", DAYS[0], "--to-date", DAYS[-1], *extra],
                                 env=svc["env"], timeout=120, capture_output=True, text=True)
        output = created.stdout + created.stderr
        with (svc["logs"] / "backfill.log").open("a") as fh:
            fh.write(output)
        if created.returncode == 0 or backfills(svc["db"]) > known:
            return created.returncode == 0
        transient = "database is locked" in output or "AlreadyRunningBackfill" in output
        if not transient or time.monotonic() > deadline:
            break
        time.sleep(2)
    raise AssertionError(output[-4000:])


#: Seconds a backfill of the three sample days may take.
BACKFILL_TIMEOUT = 480


def finished(db: Path, expected: int) -> list[tuple] | None:
    runs = query(db, "select run_id, state from dag_run where dag_id = 'newsetl_daily' "
                     "and run_type = 'backfill'")
    done = len(runs) == expected and all(s in ("success", "failed") for _, s in runs)
    return runs if done else None


def test_backfill_matches_single_day_runs(airflow_services, tmp_path):
    svc = airflow_services
    db, logs, out = svc["db"], svc["logs"], svc["out"]
    wait_for("the DAGs to be parsed and serialized", lambda: len(query(
        db, "select distinct dag_id from serialized_dag "
            "where dag_id in ('newsetl_daily', 'newsetl_stats')")) == 2, 120, logs)
    for proc in svc["procs"]:
        assert proc.poll() is None, f"{proc.args} exited early"
    backfill(svc)
    # ~40 s on an idle 2-core machine; generous for a loaded CI runner (each task
    # process imports Airflow, pyarrow and numba)
    runs = wait_for("the backfill runs to finish", lambda: finished(db, 3), BACKFILL_TIMEOUT,
                    logs, interval=2)
    assert sorted(s for _, s in runs) == ["success"] * 3, runs
    logical = sorted(r[0][:10] for r in query(
        db, "select logical_date from dag_run where run_type = 'backfill'"))
    assert logical == list(DAYS)  # one run per day, logical date = the day processed
    # The listener of plugins/news_etl.py noted each run's day when the scheduler started it.
    notes = sorted(r[0] for r in query(
        db, "select n.content from dag_run_note n join dag_run r on r.id = n.dag_run_id "
            "where r.run_type = 'backfill'"))
    assert notes == [f"ds={ds} (data_interval_start)" for ds in DAYS]
    # scripts/airflow_setup.sh created the pool, and every shard ran in it
    assert query(db, "select slots from slot_pool where pool = 'newsetl'") == [(2,)]
    pools = {r[0] for r in query(db, "select pool from task_instance "
                                     "where task_id = 'process_shard'")}
    assert pools == {"newsetl"}

    reference = tmp_path / "cli"
    for ds in DAYS:
        run_day(SAMPLE_RAW, reference, ds)
    for ds in DAYS:
        manifest = read_manifest(out, ds)
        assert manifest["run"]["runner"] == "airflow"
        assert manifest["run"]["ds_source"] == "data_interval_start"
        assert manifest["counts"] == read_manifest(reference, ds)["counts"]
        for table in SORT:
            assert files(out, table, ds) == files(reference, table, ds), (table, ds)
            assert table_rows(out, table, ds) == table_rows(reference, table, ds), (table, ds)

    # The asset events carry the day; newsetl_stats (scheduled on them) computes its stats.
    extras = [r[0] for r in query(db, "select e.extra from asset_event e join asset a "
                                      "on a.id = e.asset_id where a.name = 'newsetl_articles'")]
    assert sum(f'"ds": "{ds}"' in (x or "") for x in extras for ds in DAYS) == 3
    wait_for("newsetl_stats to write every day's stats", lambda: set(DAYS) <= set(
        read_table(out, "daily_stats").column("ds").to_pylist()), 120, logs)


#: DAGs that the day's asset events trigger (each run writes to the Airflow database).
CONSUMERS = ("newsetl_stats", "newsetl_dedup")


def quiet_consumers(svc: dict) -> None:
    """Pause the asset-triggered DAGs and wait for their runs to end: their writes to
    the one SQLite file made ``backfill create --reprocess-behavior completed`` fail
    half-way with "database is locked" (its backfill row committed, not every run reset
    for reprocessing), so the reprocessing never came. This test compares the daily
    tables only; paused consumers queue no asset events."""
    for dag_id in CONSUMERS:
        for _ in range(30):
            paused = subprocess.run([AIRFLOW, "dags", "pause", dag_id], env=svc["env"],
                                    timeout=120, capture_output=True, text=True)
            if paused.returncode == 0:
                break
            time.sleep(2)
        assert paused.returncode == 0, (paused.stdout + paused.stderr)[-2000:]
    names = ", ".join(f"'{d}'" for d in CONSUMERS)
    wait_for("the asset-triggered runs to end", lambda: not query(
        svc["db"], f"select run_id from dag_run where dag_id in ({names}) "
                   "and state in ('queued', 'running')"), 300, svc["logs"], interval=2)


def test_backfill_reprocessing_replaces_with_same_rows(airflow_services):
    svc = airflow_services
    db, logs, out = svc["db"], svc["logs"], svc["out"]
    if not finished(db, 3):
        pytest.skip("needs the first backfill")
    quiet_consumers(svc)
    before = {ds: (read_manifest(out, ds)["version"],
                   {t: table_rows(out, t, ds) for t in SORT}) for ds in DAYS}

    def reprocessed() -> bool:
        return all((m := read_manifest(out, ds)) and m["version"] != before[ds][0]
                   for ds in DAYS)

    if not backfill(svc, "--reprocess-behavior", "completed"):
        # committed, then "database is locked" while resetting the days' runs: the days
        # it did not reset never rerun. Once the scheduler has completed that backfill,
        # a second create resets them (it waits for that in backfill()).
        deadline = time.monotonic() + BACKFILL_TIMEOUT / 2
        while not reprocessed() and time.monotonic() < deadline:
            time.sleep(2)
        if not reprocessed():
            backfill(svc, "--reprocess-behavior", "completed")
    wait_for("the reprocessing runs to finish", lambda: reprocessed(), BACKFILL_TIMEOUT,
             logs, interval=2)
    for ds in DAYS:
        assert {t: table_rows(out, t, ds) for t in SORT} == before[ds][1], ds
