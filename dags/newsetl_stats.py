"""
# newsetl_stats

Recomputes the per-day dashboard aggregates (the `daily_stats` Delta table, partition
`ds=<ds>`) with `newsetl.stats.write_daily_stats`.

Scheduled on the `newsetl_articles` asset: `newsetl_daily` emits an event with the
day in `extra["ds"]` after a day passes its quality checks. Several events (for example
from a backfill) can land in one run; every day named in them is recomputed, and so is
any published day whose stats are missing or describe an earlier publish (a catch-up in case
an event did not get a run of its own). A manual
run takes the `ds` param; without it (and without events) every published day is
recomputed. Recomputing replaces a day's stats in one Delta commit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import Param, dag, get_current_context, task
from newsetl import airflow_tasks as work
from newsetl import alerts

ARTICLES, _SECTIONS = work.assets()


@dag(
    dag_id="newsetl_stats",
    schedule=[ARTICLES],
    start_date=datetime(2024, 1, 1, tzinfo=UTC),
    # Active from the start: Airflow queues no asset events for a paused consumer, so a
    # paused stats DAG would silently miss every published day.
    is_paused_upon_creation=False,
    catchup=False,
    max_active_runs=4,  # stats of different days are independent; same day: atomic
    dagrun_timeout=timedelta(hours=2),
    default_args={
        "owner": "newsetl",
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=15),
        "execution_timeout": timedelta(minutes=30),
        "on_failure_callback": alerts.alert_failure,
    },
    params={
        "ds": Param(None, type=["null", "string"], format="date", pattern=work.DS_PATTERN,
                    title="Day to recompute (YYYY-MM-DD)",
                    description="Empty: the days of the triggering asset events, or every "
                                "published day."),
    },
    tags=["newsetl", "stats"],
    doc_md=__doc__,
)
def newsetl_stats():
    @task(execution_timeout=timedelta(minutes=30))
    def compute_daily_stats() -> dict:
        """
        ### Compute daily stats
        Days: the `ds` param, else the `ds` of every triggering `newsetl_articles` event,
        else all published days. Commits each day's `daily_stats` partition.
        """
        return work.compute_stats(get_current_context())

    compute_daily_stats()


newsetl_stats()
