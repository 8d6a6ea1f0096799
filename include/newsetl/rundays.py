"""Which day an Airflow run processes, and the note that names it in the runs list.

How a run finds its day (``ds``), in order:

1. the ``ds`` param (``YYYY-MM-DD``; trigger form or ``--conf '{"ds": "..."}'``);
2. a manual run with a logical date L: the UTC day before L's date (the day that ends
   at L). Airflow 3 gives such a run the data interval of its *trigger time*, not of L;
3. ``data_interval_start`` (UTC date) — scheduled and backfill runs of the one-day
   ``CronDataIntervalTimetable``: the run with logical date D covers [D, D+1) and
   processes D; it starts just after midnight of D+1;
4. otherwise (a manual or asset-triggered run without a logical date) the UTC day
   before ``run_after``: the latest complete day.

>>> from datetime import datetime, UTC
>>> resolve_ds({"params": {"ds": "2024-03-01"}})
('2024-03-01', 'param')
>>> resolve_ds({"params": {"ds": None}, "data_interval_start": datetime(2024, 3, 2, tzinfo=UTC)})
('2024-03-02', 'data_interval_start')

>>> class Run:
...     run_after = datetime(2024, 3, 3, 0, 5, tzinfo=UTC)
>>> resolve_ds({"params": {}, "dag_run": Run()})
('2024-03-02', 'run_after - 1 day')
>>> class Manual(Run):
...     run_type, logical_date = "manual", datetime(2024, 3, 5, tzinfo=UTC)
>>> resolve_ds({"params": {}, "dag_run": Manual(),
...             "data_interval_start": datetime(2026, 11, 29, tzinfo=UTC)})
('2024-03-04', 'logical_date - 1 day')
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

#: DAGs whose runs get a ``ds=<day>`` note when they start (:func:`run_note`).
NOTED_DAGS = frozenset({"newsetl_daily"})


def fail(message: str) -> Exception:
    """An exception that fails the task at once, without retries (a data problem)."""
    try:
        from airflow.sdk.exceptions import AirflowFailException
    except ImportError:  # pragma: no cover - Airflow is always there when tasks run
        return RuntimeError(message)
    return AirflowFailException(message)


def _utc_day(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.date().isoformat()


def resolve_ds(context: dict) -> tuple[str, str]:
    """``(ds, where it came from)`` for this run (see the module docstring); never KeyError."""
    params = context.get("params") or {}
    ds = params.get("ds")
    if ds:
        try:
            return date.fromisoformat(str(ds)).isoformat(), "param"
        except ValueError:
            raise fail(f"param ds={ds!r} is not a date (YYYY-MM-DD)") from None
    run = context.get("dag_run")
    run_type = getattr(run, "run_type", None)
    logical = context.get("logical_date") or getattr(run, "logical_date", None)
    if str(getattr(run_type, "value", run_type)) == "manual" and logical is not None:
        # Airflow 3 derives a manual run's data interval from when it was triggered, not
        # from the logical date the user gave (`airflow dags trigger --logical-date L`):
        # the day is the one that ends at L, as for a scheduled run with that date + 1.
        return _utc_day(logical - timedelta(days=1)), "logical_date - 1 day"
    start = context.get("data_interval_start")
    if start is not None:
        return _utc_day(start), "data_interval_start"
    run_after = getattr(context.get("dag_run"), "run_after", None) or datetime.now(UTC)
    return _utc_day(run_after - timedelta(days=1)), "run_after - 1 day"


def run_note(dag_run: Any) -> str | None:
    """``ds=<day> (<how it was chosen>)`` for a starting run of :data:`NOTED_DAGS`, so the
    Airflow runs list names the day each run processes (a run id or logical date names
    the schedule time instead, the day *after*). None for other DAGs, for runs that
    already carry a note (a user's note wins) and when the day cannot be told."""
    if getattr(dag_run, "dag_id", None) not in NOTED_DAGS or getattr(dag_run, "note", None):
        return None
    context = {"params": getattr(dag_run, "conf", None) or {}, "dag_run": dag_run,
               "logical_date": getattr(dag_run, "logical_date", None),
               "data_interval_start": getattr(dag_run, "data_interval_start", None)}
    try:
        ds, source = resolve_ds(context)
    except Exception:  # noqa: BLE001 - a bad ds param fails find_inputs with the reason
        return None
    return f"ds={ds} ({source})"
