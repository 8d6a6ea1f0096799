"""Operations of newsetl_daily: publish deadline, catch-up, the `newsetl` pool, run notes.

The DAG-level settings are read when the DAG file is parsed, so each test parses
``dags/newsetl_daily.py`` afresh (a ``DagBag`` of that one file) with its own environment.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from newsetl import airflow_tasks as work
from newsetl import alerts, rundays, settings

ROOT = Path(__file__).resolve().parents[2]
DAILY = ROOT / "dags" / "newsetl_daily.py"


def parse_daily(monkeypatch, **env: str):
    """``(dag, import_errors)`` of newsetl_daily parsed with ``NEWSETL_<NAME>=value``."""
    from airflow.dag_processing.dagbag import DagBag

    for name, value in env.items():
        monkeypatch.setenv(settings.env_name(name), value)
    bag = DagBag(dag_folder=str(DAILY))
    return bag.dags.get("newsetl_daily"), bag.import_errors


# -- catch-up -------------------------------------------------------------------------

def test_catch_up_is_on_by_default_from_the_start_date_setting(monkeypatch):
    dag, errors = parse_daily(monkeypatch)
    assert errors == {}
    defaults = settings.Settings()
    assert dag.catchup is True and defaults.catchup is True
    assert dag.start_date == datetime.fromisoformat(defaults.start_date).replace(tzinfo=UTC)
    assert dag.end_date is None
    assert dag.max_active_runs == defaults.max_active_runs == 4


def test_catch_up_start_end_and_max_active_runs_come_from_settings(monkeypatch):
    dag, errors = parse_daily(monkeypatch, start_date="2025-01-15", end_date="2025-02-01",
                              catchup="false", max_active_runs="2")
    assert errors == {}
    assert dag.start_date == datetime(2025, 1, 15, tzinfo=UTC)
    assert dag.end_date == datetime(2025, 2, 1, tzinfo=UTC)
    assert (dag.catchup, dag.max_active_runs) == (False, 2)


def test_a_bad_dag_setting_is_an_import_error_naming_it(monkeypatch):
    dag, errors = parse_daily(monkeypatch, max_active_runs="0")
    assert dag is None
    assert "NEWSETL_MAX_ACTIVE_RUNS" in "".join(errors.values())


def test_task_only_settings_do_not_break_parsing(monkeypatch):
    """A bad task setting is reported by the task that reads it, not as a broken DAG."""
    _dag, errors = parse_daily(monkeypatch, max_reject_share="7")
    assert errors == {}


@pytest.mark.parametrize("value,expected", [("08:00", "08:00"), ("6:5", "06:05"),
                                            ("off", None), ("", None), ("23:59", "23:59")])
def test_publish_deadline_setting(value, expected):
    assert settings.load(env={"NEWSETL_PUBLISH_DEADLINE": value}).publish_deadline == expected


@pytest.mark.parametrize("name,value", [("NEWSETL_PUBLISH_DEADLINE", "24:00"),
                                        ("NEWSETL_PUBLISH_DEADLINE", "8am"),
                                        ("NEWSETL_START_DATE", "2024-13-01"),
                                        ("NEWSETL_CATCHUP", "sometimes")])
def test_bad_dag_settings_name_the_source(name, value):
    with pytest.raises(ValueError, match=name):
        settings.load_dag(env={name: value})


# -- publish deadline -----------------------------------------------------------------

def test_dag_carries_the_publish_deadline_at_the_configured_time(monkeypatch):
    from airflow.sdk import AsyncCallback, DeadlineReference
    from airflow.sdk._shared.module_loading import import_string

    dag, _errors = parse_daily(monkeypatch, publish_deadline="06:30")
    (alert,) = dag.deadline
    assert alert.reference == DeadlineReference.DAGRUN_LOGICAL_DATE
    # logical date D = 00:00 UTC of the day processed: due at 06:30 UTC on D+1
    assert alert.interval == timedelta(days=1, hours=6, minutes=30)
    assert isinstance(alert.callback, AsyncCallback)
    assert import_string(alert.callback.path) is alerts.deadline_missed
    assert alert.callback.kwargs == {"publish_by": "06:30"}


def test_deadline_is_off_by_default_and_on_when_configured(monkeypatch):
    """Off by default: Airflow 3.3.2's scheduler crashed on a missed deadline (SQLite)."""
    dag, _ = parse_daily(monkeypatch)
    assert not dag.deadline and settings.Settings().publish_deadline is None
    dag, _ = parse_daily(monkeypatch, publish_deadline="08:00")
    assert [a.interval for a in dag.deadline] == [timedelta(days=1, hours=8)]
    dag, _ = parse_daily(monkeypatch, publish_deadline="off")
    assert not dag.deadline


def test_airflow_dags_test_gets_no_deadline(monkeypatch):
    """`airflow dags test` (make demo) cannot finish a run with a deadline in 3.3.2."""
    assert alerts.in_airflow_dags_test(["/venv/bin/airflow", "dags", "test", "newsetl_daily"])
    assert not alerts.in_airflow_dags_test(["/venv/bin/airflow", "dag-processor"])
    monkeypatch.setattr("sys.argv", ["/venv/bin/airflow", "dags", "test", "newsetl_daily"])
    dag, _ = parse_daily(monkeypatch, publish_deadline="08:00")
    assert not dag.deadline


def test_deadline_survives_serialization(monkeypatch):
    """The scheduler works on the serialized DAG: the alert must round-trip."""
    from airflow.serialization.serialized_objects import DagSerialization

    dag, _ = parse_daily(monkeypatch, publish_deadline="07:15")
    (alert,) = DagSerialization.to_dict(dag)["dag"]["deadline"]
    assert alert["interval"]["__data__"] == timedelta(days=1, hours=7, minutes=15).total_seconds()
    assert alert["callback"]["__data__"]["path"] == "newsetl.alerts.deadline_missed"
    assert alert["reference"]["reference_type"] == "DagRunLogicalDateDeadline"


def deadline_context(ds: str, queued_at: str, **run) -> dict:
    """What Airflow passes a deadline callback: the run as JSON plus the deadline."""
    day = datetime.fromisoformat(ds).replace(tzinfo=UTC)
    due = day + timedelta(days=1, hours=8)
    return {"dag_run": {"dag_run_id": f"scheduled__{(day + timedelta(days=1)).isoformat()}",
                        "dag_id": "newsetl_daily", "run_type": "scheduled", "state": "running",
                        "logical_date": day.isoformat(), "data_interval_start": day.isoformat(),
                        "run_after": (day + timedelta(days=1)).isoformat(), "conf": {},
                        "queued_at": queued_at, **run},
            "deadline": {"id": "x", "deadline_time": due.isoformat()}}


@pytest.fixture
def webhook_calls(monkeypatch) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []
    monkeypatch.setenv("NEWSETL_ALERT_WEBHOOK", "http://hooks.invalid/newsetl")
    monkeypatch.setattr(alerts, "send_webhook", lambda url, text: calls.append((url, text)) or True)
    return calls


def test_missed_deadline_is_logged_and_posted_naming_the_day(webhook_calls, caplog):
    context = deadline_context("2024-03-01", queued_at="2024-03-02T00:00:05+00:00")
    with caplog.at_level("ERROR", logger="newsetl.airflow"):
        result = asyncio.run(alerts.deadline_missed(context=context, publish_by="08:00"))
    ((url, text),) = webhook_calls
    # Airflow 3.3.2 stores the result in callback.output (text): a str, never a dict
    assert result == f"{text} | sent to the webhook"
    assert url == "http://hooks.invalid/newsetl"
    assert "day 2024-03-01 not published by 2024-03-02 08:00 UTC" in text
    assert "scheduled__2024-03-02" in text and text in caplog.text


def test_missed_deadline_of_a_ds_param_run_names_the_param_day(webhook_calls):
    context = deadline_context("2024-03-05", queued_at="2024-03-06T00:00:00+00:00",
                               conf={"ds": "2024-02-29"})
    asyncio.run(alerts.deadline_missed(context=context, publish_by="08:00"))
    assert "day 2024-02-29 not published" in webhook_calls[0][1]


def test_catch_up_run_created_after_its_deadline_is_logged_not_posted(webhook_calls, caplog):
    context = deadline_context("2024-03-01", queued_at="2024-07-01T12:00:00+00:00",
                               run_type="backfill")
    with caplog.at_level("WARNING", logger="newsetl.airflow"):
        result = asyncio.run(alerts.deadline_missed(context=context, publish_by="08:00"))
    assert webhook_calls == []
    assert "day 2024-03-01 not published" in caplog.text
    assert isinstance(result, str) and result.endswith(
        "| logged, not sent (run created after its deadline)")



def test_deadline_callback_result_fits_the_callback_output_column(monkeypatch):
    """Airflow 3.3.2 writes a triggerer callback's result as is to ``callback.output``
    (Text): a dict crashed the triggerer on PostgreSQL (docs/airflow.md)."""
    from airflow.models.callback import Callback
    from sqlalchemy import Text

    assert isinstance(Callback.__table__.c.output.type, Text)
    monkeypatch.delenv("NEWSETL_ALERT_WEBHOOK", raising=False)
    context = deadline_context("2024-03-01", queued_at="2024-03-02T00:00:05+00:00")
    result = asyncio.run(alerts.deadline_missed(context=context, publish_by="08:00"))
    assert isinstance(result, str)
    assert result.startswith("newsetl: day 2024-03-01 not published by 2024-03-02 08:00 UTC")
    assert result.endswith("| logged, not sent")  # no webhook configured

# -- capacity: the newsetl pool -------------------------------------------------------

def test_process_shard_runs_in_the_newsetl_pool(monkeypatch):
    dag, _ = parse_daily(monkeypatch)
    assert dag.get_task("process_shard").pool == work.POOL == "newsetl"
    others = {t.pool for t in dag.tasks if t.task_id != "process_shard"}
    assert others == {"default_pool"}


def test_make_targets_run_the_setup_script():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "airflow"):
        body = makefile.split(f"\n{target}: ", 1)[1].split("\n\n", 1)[0]
        assert "scripts/airflow_setup.sh" in body, target


def test_setup_script_creates_the_pool(airflow_db):
    env = {**os.environ, "NEWSETL_POOL_SLOTS": "3",
           "AIRFLOW_BIN": str(Path(os.sys.executable).parent / "airflow")}
    script = ROOT / "scripts" / "airflow_setup.sh"
    done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pool newsetl = 3 slots" in done.stdout
    listed = subprocess.run([env["AIRFLOW_BIN"], "pools", "get", "newsetl", "-o", "json"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    (pool,) = json.loads(listed.stdout[listed.stdout.index("["):])
    assert (pool["pool"], int(pool["slots"])) == ("newsetl", 3)


# -- the runs list names the day ------------------------------------------------------

def _run(**kw) -> SimpleNamespace:
    day = datetime(2024, 3, 1, tzinfo=UTC)
    base = {"dag_id": "newsetl_daily", "run_id": "scheduled__2024-03-02T00:00:00+00:00",
            "note": None, "conf": {}, "run_type": "scheduled", "logical_date": day,
            "data_interval_start": day, "run_after": day + timedelta(days=1)}
    return SimpleNamespace(**{**base, **kw})


def test_run_note_names_the_day_the_run_processes():
    assert rundays.run_note(_run()) == "ds=2024-03-01 (data_interval_start)"
    assert rundays.run_note(_run(conf={"ds": "2024-02-10"})) == "ds=2024-02-10 (param)"
    manual = _run(run_type="manual", logical_date=datetime(2024, 3, 5, tzinfo=UTC),
                  data_interval_start=datetime(2026, 1, 1, tzinfo=UTC))
    assert rundays.run_note(manual) == "ds=2024-03-04 (logical_date - 1 day)"
    assert rundays.run_note(_run(note="rerun after fix")) is None  # a user's note wins
    assert rundays.run_note(_run(dag_id="newsetl_stats")) is None
    assert rundays.run_note(_run(conf={"ds": "03/01/2024"})) is None  # find_inputs reports it


def test_listener_sets_the_note_and_is_registered_by_the_plugin():
    import importlib.util

    from newsetl import airflow_listener

    run = _run()
    airflow_listener.on_dag_run_running(dag_run=run, msg="started")
    assert run.note == "ds=2024-03-01 (data_interval_start)"
    broken = SimpleNamespace(dag_id="newsetl_daily", run_id="x")  # missing attributes
    airflow_listener.on_dag_run_running(dag_run=broken, msg="started")  # never raises

    spec = importlib.util.spec_from_file_location("news_etl_plugin",
                                                  ROOT / "plugins" / "news_etl.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert airflow_listener in module.NewsEtlPlugin.listeners
