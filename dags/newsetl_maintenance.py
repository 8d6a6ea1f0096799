"""
# newsetl_maintenance

Weekly upkeep of the published Delta tables (`articles`, `sections`, `rejects`,
`daily_stats`, `manifests`) with `newsetl.maintain.maintain`, the same as
`newsetl maintain`:

1. **compact** small files of each partition (the rows do not change);
2. **re-pin** each day's manifest row to the compacted versions, unless a commit since
   touched the day (a publish that crashed between two commits);
3. **checkpoint** the Delta log;
4. **vacuum** files replaced longer ago than `newsetl_retention_days` (default 7; time
   travel reaches back this far), keeping every version a manifest row pins.

Safe next to publishing: compaction and the manifest re-pin are ordinary Delta commits,
redone when they conflict with a concurrent publish.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import dag, get_current_context, task
from newsetl import airflow_tasks as work


@dag(
    dag_id="newsetl_maintenance",
    schedule="0 3 * * 0",  # Sundays 03:00 UTC, after the night's daily run
    start_date=datetime(2024, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=6),
    default_args={
        "owner": "newsetl",
        "retries": 2,
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=30),
        "execution_timeout": timedelta(hours=4),
        # no alerts.alert_failure: it records a failed *day* for the News ETL page
    },
    tags=["newsetl", "maintenance"],
    doc_md=__doc__,
)
def newsetl_maintenance():
    @task(execution_timeout=timedelta(hours=4))
    def maintain_tables() -> dict:
        """
        ### Compact, re-pin, checkpoint, vacuum
        Every Delta table under the `out_root` setting; vacuum retention from
        `newsetl_retention_days`. Returns what was done per table.
        """
        return work.maintain_tables(get_current_context())

    maintain_tables()


newsetl_maintenance()
