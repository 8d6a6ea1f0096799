"""
# newsetl_dedup

Recomputes the cross-day near-duplicate clusters (the `near_duplicates` Delta table)
with `newsetl.neardup.dedup_days`, from the `signatures` that publishing commits.

Scheduled on the `newsetl_articles` asset, like `newsetl_stats`: `newsetl_daily` emits
an event with the day in `extra["ds"]` after a day passes its quality checks. For each
such day D the partitions of every day within the window of D (default ±30 days) are
rewritten in one Delta commit; the result depends only on the set of published days,
not on the order they were published in. Runs are serialised (`max_active_runs=1`)
so the last commit always saw the latest signatures. A manual run takes the `ds` and
`window` params; without `ds` (and without events) every published day is recomputed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import Param, dag, get_current_context, task
from newsetl import airflow_tasks as work
from newsetl import alerts

ARTICLES, _SECTIONS = work.assets()


@dag(
    dag_id="newsetl_dedup",
    schedule=[ARTICLES],
    start_date=datetime(2024, 1, 1, tzinfo=UTC),
    # Active from the start: Airflow queues no asset events for a paused consumer.
    is_paused_upon_creation=False,
    catchup=False,
    max_active_runs=1,  # overlapping windows: one writer at a time, latest signatures last
    dagrun_timeout=timedelta(hours=2),
    default_args={
        "owner": "newsetl",
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=15),
        "execution_timeout": timedelta(minutes=60),
        "on_failure_callback": alerts.alert_failure,
    },
    params={
        "ds": Param(None, type=["null", "string"], format="date", pattern=work.DS_PATTERN,
                    title="Republished day (YYYY-MM-DD)",
                    description="Empty: the days of the triggering asset events, or every "
                                "published day."),
        "window": Param(None, type=["null", "integer"], minimum=0,
                        title="Window (days either side)",
                        description="Empty: newsetl.neardup.DEFAULT_WINDOW (30)."),
    },
    tags=["newsetl", "dedup"],
    doc_md=__doc__,
)
def newsetl_dedup():
    @task(execution_timeout=timedelta(minutes=60))
    def compute_near_duplicates() -> dict:
        """
        ### Compute near duplicates
        Days: the `ds` param, else the `ds` of every triggering `newsetl_articles` event,
        else all published days. Commits the `near_duplicates` partitions of the days
        within the window of each, one commit per span of days.
        """
        return work.compute_near_duplicates(get_current_context())

    compute_near_duplicates()


newsetl_dedup()
