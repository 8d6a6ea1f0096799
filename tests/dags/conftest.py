"""Airflow test harness: a throw-away SQLite Airflow home, set up before Airflow is imported.

Airflow reads its configuration when it is first imported, so the environment is set
here at import time (pytest imports this conftest before collecting the tests below it).
Nothing under ``tests/dags`` may import Airflow at module level before this runs.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAGS = ROOT / "dags"
SAMPLE_RAW = ROOT / "include" / "sample_data" / "raw"
SAMPLE_DAYS = ("2024-03-01", "2024-03-02", "2024-03-03")
BIN = Path(sys.executable).parent

AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="newsetl-airflow-test-"))
atexit.register(shutil.rmtree, AIRFLOW_HOME, True)


def airflow_env(home: Path) -> dict[str, str]:
    """The environment of an isolated Airflow home with the project's DAGs."""
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
    }


os.environ.update(airflow_env(AIRFLOW_HOME))


@pytest.fixture(autouse=True)
def _own_newsetl_settings(monkeypatch):
    """The tests choose their own roots and thresholds; the detector stays whatever the
    caller chose (the CLI reference runs use it too)."""
    for name in [k for k in os.environ if k.startswith(("NEWSETL_", "AIRFLOW_VAR_NEWSETL"))]:
        if name != "NEWSETL_DETECTOR":
            monkeypatch.delenv(name)

_MIGRATED = False


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Migrate the session's SQLite metadata DB (once, in a subprocess: ~5 s)."""
    global _MIGRATED
    if not _MIGRATED:
        subprocess.run([str(BIN / "airflow"), "db", "migrate"], check=True, env=os.environ.copy(),
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=180)
        _MIGRATED = True
    return AIRFLOW_HOME


@pytest.fixture(scope="session")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


class FreshDags:
    """Parses the DAG files afresh for every run: runs in one process must not share the
    DAG objects (in-process runs update the task params in place; real workers never
    share them)."""

    def __getitem__(self, dag_id: str):
        from airflow.dag_processing.dagbag import DagBag

        # dag.test() in Airflow 3.3.2 fails at the end of a successful run of a DAG with a
        # deadline (see alerts.in_airflow_dags_test); `airflow dags test` drops
        # it by itself, an in-process dag.test() needs the setting.
        saved = os.environ.get("NEWSETL_PUBLISH_DEADLINE")
        os.environ["NEWSETL_PUBLISH_DEADLINE"] = "off"
        try:
            bag = DagBag(dag_folder=str(DAGS))
        finally:
            if saved is None:
                os.environ.pop("NEWSETL_PUBLISH_DEADLINE")
            else:
                os.environ["NEWSETL_PUBLISH_DEADLINE"] = saved
        assert bag.import_errors == {}
        return bag.dags[dag_id]


@pytest.fixture(scope="session")
def fresh_dags() -> FreshDags:
    """``fresh_dags["newsetl_daily"]``: the DAG parsed afresh (:class:`FreshDags`)."""
    return FreshDags()


@pytest.fixture(scope="session")
def project_paths() -> dict:
    return {"root": ROOT, "dags": DAGS, "sample_raw": SAMPLE_RAW, "sample_days": SAMPLE_DAYS,
            "bin": BIN}
