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
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_RAW = ROOT / "include" / "sample_data" / "raw"
DAY = "2024-03-01"
PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
REDIS = shutil.which("redis-server")
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(
    not PG_BIN or REDIS is None,
    reason="needs Debian postgresql and redis-server (.ci/run installs them)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(predicate, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Processes:
    """Background processes in their own sessions, each stopped with its whole group."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, cmd: list[str], env: dict | None = None,
              user: str | None = None) -> subprocess.Popen:
        if user is not None and os.geteuid() == 0:
            cmd = ["runuser", "-u", user, "--", *cmd]
        log = (self.logs / f"{name}.log").open("wb")
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
        self.procs.append((name, proc))
        return proc

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                with _suppress():
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for _name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with _suppress():
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


class _suppress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return exc[0] is not None and issubclass(exc[0], ProcessLookupError | PermissionError)


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
    pg_bin = PG_BIN[-1]
    pg_data = work / "pg"
    pg_data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(pg_data, "postgres", "postgres")
        shutil.chown(work, "postgres", "postgres")
    pg_port, redis_port, api_port = _free_port(), _free_port(), _free_port()
    initdb = [str(pg_bin / "initdb"), "-D", str(pg_data), "-A", "trust", "-U", "airflow",
              "--no-sync"]
    if os.geteuid() == 0:
        initdb = ["runuser", "-u", "postgres", "--", *initdb]
    subprocess.run(initdb, check=True, capture_output=True, timeout=120)
    procs.start("postgres", [str(pg_bin / "postgres"), "-D", str(pg_data), "-p", str(pg_port),
                             "-k", str(work), "-c", "listen_addresses=127.0.0.1",
                             "-c", "fsync=off", "-c", "max_connections=200"], user="postgres")
    procs.start("redis", [REDIS, "--port", str(redis_port), "--bind", "127.0.0.1",
                          "--save", "", "--appendonly", "no"])
    _wait(lambda: _port_open(pg_port) and _port_open(redis_port), 60, "postgres and redis")
    _wait(lambda: subprocess.run([str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p",
                                  str(pg_port), "-U", "airflow", "airflow"],
                                 capture_output=True).returncode == 0, 30, "createdb")
    home = work / "airflow"
    home.mkdir()
    out_root = work / "out"
    db = f"postgresql+psycopg2://airflow@127.0.0.1:{pg_port}/airflow"
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(work / "no-plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db,
        "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg2://airflow@127.0.0.1:{pg_port}/airflow",
        "AIRFLOW__API_AUTH__JWT_SECRET": "newsetl-distributed-test-secret",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "NEWSETL_RAW_ROOT": str(SAMPLE_RAW),
        "NEWSETL_OUT_ROOT": str(out_root),
        "NEWSETL_SHARD_MAX_FILES": "2",
        "NEWSETL_ALLOW_EMPTY": "true",
        # Unpausing must not catch up on every day since start_date (empty days here).
        "NEWSETL_CATCHUP": "false",
        "NEWSETL_POOL_SLOTS": "2",
        "AIRFLOW_BIN": str(BIN / "airflow"),
    }
    env.pop("NEWSETL_HOSTNAME", None)
    (work / "no-plugins").mkdir()
    # migrate + the `newsetl` pool process_shard runs in (as `make airflow` does)
    migrate = subprocess.run(["bash", str(ROOT / "scripts" / "airflow_setup.sh")], env=env,
                             capture_output=True, text=True, timeout=600)
    assert migrate.returncode == 0, migrate.stdout[-3000:] + migrate.stderr[-3000:]
    procs.start("dag-processor", [str(BIN / "airflow"), "dag-processor"], env=env)
    procs.start("scheduler", [str(BIN / "airflow"), "scheduler"], env=env)
    procs.start("api-server", [str(BIN / "airflow"), "api-server", "--port", str(api_port),
                               "--host", "127.0.0.1"], env=env)
    worker_env = {**env, "NEWSETL_HOSTNAME": "celery-worker-1",
                  "AIRFLOW__CORE__HOSTNAME_CALLABLE": "newsetl.net.worker_hostname"}
    procs.start("celery-worker", [str(BIN / "airflow"), "celery", "worker", "--concurrency",
                                  "2", "--celery-hostname", "newsetl-worker-1@%h"],
                env=worker_env)
    _wait(lambda: _port_open(api_port), 180, "api-server port")
    return {"env": env, "db": db, "pg_port": pg_port, "out_root": out_root, "procs": procs}


def _sql(cluster: dict, query: str, *args) -> list[tuple]:
    import psycopg2

    with psycopg2.connect(host="127.0.0.1", port=cluster["pg_port"], user="airflow",
                          dbname="airflow") as conn, conn.cursor() as cur:
        cur.execute(query, args)
        return cur.fetchall()


def _airflow(cluster: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "airflow"), *args], env=cluster["env"],
                          capture_output=True, text=True, timeout=180)


def test_newsetl_daily_runs_its_shards_on_the_celery_worker(cluster: dict) -> None:
    procs: Processes = cluster["procs"]
    _wait(lambda: _sql(cluster, "select 1 from dag where dag_id = 'newsetl_daily'"), 180,
          "the dag-processor to register newsetl_daily")
    trig = _airflow(cluster, "dags", "trigger", "newsetl_daily", "--conf",
                    json.dumps({"ds": DAY}), "--run-id", "celery_proof")
    assert trig.returncode == 0, trig.stderr
    assert _airflow(cluster, "dags", "unpause", "newsetl_daily").returncode == 0

    def finished():
        for name, proc in procs.procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n"
                                   f"{procs.log(name)[-3000:]}")
        rows = _sql(cluster, "select state from dag_run where run_id = 'celery_proof'")
        return rows and rows[0][0] in ("success", "failed") and rows[0][0]

    try:
        state = _wait(finished, 420, "the newsetl_daily run", interval=2)
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
