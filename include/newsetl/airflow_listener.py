"""Airflow listener (registered by ``plugins/news_etl.py``): names the day on each run.

Airflow calls ``on_dag_run_running`` in the scheduler, inside its database session,
when a queued run starts. Setting ``dag_run.note`` there stores the note with the
scheduler's own commit, so the runs list and the grid show ``ds=2024-03-01 (...)`` for
scheduled, backfill and manual runs alike. Tasks cannot do this: the Execution API
offers them no way to change their run. (``airflow dags test`` runs never pass through
the scheduler and stay without a note.)
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.listeners import hookimpl

from newsetl.rundays import run_note

log = logging.getLogger("newsetl.airflow")


@hookimpl
def on_dag_run_running(dag_run: Any, msg: str) -> None:
    """Note the day on a starting ``newsetl_daily`` run; never raises (a listener error
    must not disturb the scheduler)."""
    try:
        note = run_note(dag_run)
        if note:
            dag_run.note = note
    except Exception:  # noqa: BLE001 - best effort: the run itself is unaffected
        log.exception("newsetl: cannot note the day of run %s", getattr(dag_run, "run_id", "?"))
