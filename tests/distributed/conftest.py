"""Helpers of the distributed tests: real PostgreSQL (and Redis) and Airflow processes on
loopback, without Docker. Every process started through :class:`Processes` runs in its
own session and is stopped with its whole group."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_RAW = ROOT / "include" / "sample_data" / "raw"
PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
REDIS = shutil.which("redis-server")
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait(predicate, timeout: float, what: str, interval: float = 0.5):
    """The first truthy value of ``predicate()``; TimeoutError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def port_open(port: int) -> bool:
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

    def get(self, name: str) -> subprocess.Popen:
        return dict(self.procs)[name]

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def check_alive(self) -> None:
        """RuntimeError with the log tail of the first process that exited."""
        for name, proc in self.procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n"
                                   f"{self.log(name)[-3000:]}")

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


def start_postgres(work: Path, procs: Processes) -> int:
    """A throw-away PostgreSQL cluster under ``work`` (trust auth, user and database
    ``airflow``) on a free loopback port; returns the port once the database exists."""
    pg_bin = PG_BIN[-1]
    pg_data = work / "pg"
    pg_data.mkdir()
    if os.geteuid() == 0:  # postgres refuses to run as root
        shutil.chown(pg_data, "postgres", "postgres")
        shutil.chown(work, "postgres", "postgres")
    pg_port = free_port()
    initdb = [str(pg_bin / "initdb"), "-D", str(pg_data), "-A", "trust", "-U", "airflow",
              "--no-sync"]
    if os.geteuid() == 0:
        initdb = ["runuser", "-u", "postgres", "--", *initdb]
    subprocess.run(initdb, check=True, capture_output=True, timeout=120)
    procs.start("postgres", [str(pg_bin / "postgres"), "-D", str(pg_data), "-p", str(pg_port),
                             "-k", str(work), "-c", "listen_addresses=127.0.0.1",
                             "-c", "fsync=off", "-c", "max_connections=200"], user="postgres")
    wait(lambda: port_open(pg_port), 60, "postgres")
    wait(lambda: subprocess.run([str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p",
                                 str(pg_port), "-U", "airflow", "airflow"],
                                capture_output=True).returncode == 0, 30, "createdb")
    return pg_port


def airflow_env(work: Path, pg_port: int, api_port: int, executor: str) -> dict[str, str]:
    """The environment shared by every Airflow process of a test cluster: its own home
    under ``work``, this checkout's DAGs and ``newsetl`` package, PostgreSQL, one JWT
    secret (as in the compose stack) and short scheduler/dag-processor intervals."""
    home = work / "airflow"
    home.mkdir(exist_ok=True)
    (work / "no-plugins").mkdir(exist_ok=True)
    include = str(ROOT / "include")
    pythonpath = os.environ.get("PYTHONPATH")
    return {
        **os.environ,
        # this checkout's package, not whatever the venv has installed in editable mode
        "PYTHONPATH": include + (os.pathsep + pythonpath if pythonpath else ""),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(work / "no-plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": executor,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN":
            f"postgresql+psycopg2://airflow@127.0.0.1:{pg_port}/airflow",
        "AIRFLOW__API_AUTH__JWT_SECRET": "newsetl-distributed-test-secret",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW_BIN": str(BIN / "airflow"),
    }


def airflow_setup(env: dict[str, str]) -> None:
    """``airflow db migrate`` and the ``newsetl`` pool, as ``make airflow`` does."""
    done = subprocess.run(["bash", str(ROOT / "scripts" / "airflow_setup.sh")], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def sql(pg_port: int, query: str, *args) -> list[tuple]:
    import psycopg2

    with psycopg2.connect(host="127.0.0.1", port=pg_port, user="airflow",
                          dbname="airflow") as conn, conn.cursor() as cur:
        cur.execute(query, args)
        return cur.fetchall()


def airflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "airflow"), *args], env=env, capture_output=True,
                          text=True, timeout=180)
