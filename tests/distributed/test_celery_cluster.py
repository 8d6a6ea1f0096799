"""Distributed proof without Docker: CeleryExecutor on PostgreSQL + Redis, on loopback.

Starts PostgreSQL and Redis (Debian packages) on free loopback ports, then the Airflow
scheduler, dag-processor, api-server and one Celery worker as separate processes, with
the same settings the compose stack uses (one shared JWT secret). Triggers
``newsetl_daily`` for a sample day cut into several mapped shards and asserts that every
shard ran on the Celery worker (the worker alone has ``NEWSETL_HOSTNAME`` set, recorded
as the task-instance hostname through ``[core] hostname_callable``) and that the day was
published correctly. Every process started here is stopped, whatever happens.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import (
    BIN,
    PG_BIN,
    REDIS,
    SAMPLE_RAW,
    Processes,
    airflow,
    airflow_env,
    airflow_setup,
    free_port,
    port_open,
    sql,
    start_postgres,
    wait,
)

DAY = "2024-03-01"

pytestmark = pytest.mark.skipif(
    not PG_BIN or REDIS is None,
    reason="needs Debian postgresql and redis-server (.ci/run installs them)")


@pytest.fixture(scope="module")
def cluster() -> Iterator[dict]:
    work = Path(tempfile.mkdtemp(prefix="newsetl-celery-"))
    work.chmod(0o755)
    procs = Processes(work)
    try:
        yield _start_cluster(work, procs)
    finally:
        procs.stop_all()
        if os.environ.get("NEWSETL_KEEP_CLUSTER_LOGS"):
            print(f"cluster logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _start_cluster(work: Path, procs: Processes) -> dict:
    pg_port = start_postgres(work, procs)
    redis_port, api_port = free_port(), free_port()
    procs.start("redis", [REDIS, "--port", str(redis_port), "--bind", "127.0.0.1",
                          "--save", "", "--appendonly", "no"])
    wait(lambda: port_open(redis_port), 60, "redis")
    out_root = work / "out"
    env = {
        **airflow_env(work, pg_port, api_port, "CeleryExecutor"),
        "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "AIRFLOW__CELERY__RESULT_BACKEND":
            f"db+postgresql+psycopg2://airflow@127.0.0.1:{pg_port}/airflow",
        "NEWSETL_RAW_ROOT": str(SAMPLE_RAW),
        "NEWSETL_OUT_ROOT": str(out_root),
        "NEWSETL_SHARD_MAX_FILES": "2",
        "NEWSETL_ALLOW_EMPTY": "true",
        # Unpausing must not catch up on every day since start_date (empty days here).
        "NEWSETL_CATCHUP": "false",
        "NEWSETL_POOL_SLOTS": "2",
    }
    env.pop("NEWSETL_HOSTNAME", None)
    # migrate + the `newsetl` pool process_shard runs in (as `make airflow` does)
    airflow_setup(env)
    procs.start("dag-processor", [str(BIN / "airflow"), "dag-processor"], env=env)
    procs.start("scheduler", [str(BIN / "airflow"), "scheduler"], env=env)
    procs.start("api-server", [str(BIN / "airflow"), "api-server", "--port", str(api_port),
                               "--host", "127.0.0.1"], env=env)
    worker_env = {**env, "NEWSETL_HOSTNAME": "celery-worker-1",
                  "AIRFLOW__CORE__HOSTNAME_CALLABLE": "newsetl.net.worker_hostname"}
    procs.start("celery-worker", [str(BIN / "airflow"), "celery", "worker", "--concurrency",
                                  "2", "--celery-hostname", "newsetl-worker-1@%h"],
                env=worker_env)
    wait(lambda: port_open(api_port), 180, "api-server port")
    return {"env": env, "pg_port": pg_port, "out_root": out_root, "procs": procs}


def _sql(cluster: dict, query: str, *args) -> list[tuple]:
    return sql(cluster["pg_port"], query, *args)


def _airflow(cluster: dict, *args: str) -> subprocess.CompletedProcess:
    return airflow(cluster["env"], *args)


def test_newsetl_daily_runs_its_shards_on_the_celery_worker(cluster: dict) -> None:
    procs: Processes = cluster["procs"]
    wait(lambda: _sql(cluster, "select 1 from dag where dag_id = 'newsetl_daily'"), 180,
         "the dag-processor to register newsetl_daily")
    trig = _airflow(cluster, "dags", "trigger", "newsetl_daily", "--conf",
                    json.dumps({"ds": DAY}), "--run-id", "celery_proof")
    assert trig.returncode == 0, trig.stderr
    assert _airflow(cluster, "dags", "unpause", "newsetl_daily").returncode == 0

    def finished():
        procs.check_alive()
        rows = _sql(cluster, "select state from dag_run where run_id = 'celery_proof'")
        return rows and rows[0][0] in ("success", "failed") and rows[0][0]

    try:
        state = wait(finished, 420, "the newsetl_daily run", interval=2)
    except TimeoutError:
        for name in ("scheduler", "celery-worker"):
            print(f"--- {name} log (tail) ---\n{procs.log(name)[-4000:]}")
        raise
    tis = _sql(cluster, "select task_id, map_index, state, hostname from task_instance "
                        "where run_id = 'celery_proof' order by task_id, map_index")
    assert state == "success", tis
    shards = [t for t in tis if t[0] == "process_shard"]
    assert len(shards) == 4  # 8 sample files, NEWSETL_SHARD_MAX_FILES=2
    assert [t[1] for t in shards] == [0, 1, 2, 3]
    assert {t[2] for t in shards} == {"success"}
    assert {t[3] for t in tis} == {"celery-worker-1"}, tis
    assert "celery_proof" in procs.log("celery-worker") or "newsetl_daily" in procs.log(
        "celery-worker")
    manifest = json.loads((cluster["out_root"] / "_manifests" / f"ds={DAY}.json").read_text())
    assert manifest["shards"] == 4
    assert manifest["counts"]["input_items"] == 10
    assert manifest["counts"]["articles"] == 8
    assert sorted(p.name for p in (cluster["out_root"] / "articles" / f"ds={DAY}").iterdir()) \
        == ["lang=ar", "lang=de", "lang=en", "lang=es", "lang=fa", "lang=fr", "lang=ru"]
