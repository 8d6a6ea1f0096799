"""
# newsetl_daily

Turns one UTC day of raw news dumps, `<raw_root>/<ds>/`, into the published
`articles`, `sections` and `rejects` partitions `ds=<ds>` plus the day's manifest under
`<out_root>` — the same code and the same output as `newsetl run --ds <ds>`.

**Which day a run processes.** The timetable is `CronDataIntervalTimetable("0 0 * * *",
UTC)`: the run with logical date *D* covers the interval [D, D+1), starts just after
midnight UTC of D+1 and processes day **D** (`data_interval_start`). Backfills
(`airflow backfill create --dag-id newsetl_daily --from-date D1 --to-date D2`) create one
such run per day. The `ds` param overrides it. A manual run without a logical date
processes the day before its `run_after` (the latest complete day).

**Late and partial data.** `wait_for_day` (a sensor in reschedule mode: no worker slot
held while it waits) pokes every 5 minutes until `<raw_root>/<ds>/` exists and is
complete — no upload in flight (`*.partial`, `*.tmp`, …) and the ready marker when
`newsetl_ready_marker` is set — and fails after `newsetl_arrival_timeout_h` hours.

**Alerts.** Every task's failure is logged and, with `newsetl_alert_webhook` set, POSTed
there (day, task, run, error, log link). A Deadline Alert does the same when day D is not
published by `NEWSETL_PUBLISH_DEADLINE` (UTC `HH:MM`, off by default) on D+1.

**No silent gaps.** Catch-up is on (`NEWSETL_CATCHUP`): every day since
`NEWSETL_START_DATE` gets a run, at most `NEWSETL_MAX_ACTIVE_RUNS` at a time. These
DAG-level settings come from the DAG processor's environment. Each run is noted with
its day (`ds=...`) when it starts.

**Tasks.** `wait_for_day` → `find_inputs` → `split_shards` → `process_shard` (mapped,
one per shard) → `publish` (Delta commits, same `publish_day` as the CLI) → `quality_checks`
(fails the run with the failing check and its numbers) → `emit_assets` (asset events on
`newsetl_articles` / `newsetl_sections` with the day's counts; `newsetl_stats` runs on
them). Only paths and counts travel through XCom; the file list lives in
`<out_root>/_staging/ds=<ds>/airflow-<run_id>/plan.json`.

**Idempotent.** Re-running or backfilling a day replaces its partitions with identical
rows. Settings: Airflow Variables `newsetl_*` or `NEWSETL_*` environment variables (see
`docs/airflow.md`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task
from airflow.sdk.bases.sensor import BaseSensorOperator
from newsetl import airflow_tasks as work
from newsetl import alerts, settings

ARTICLES, SECTIONS = work.assets()
# Schedule, catch-up and deadline shape the DAG, so they are read at parse time, from
# the environment only (settings.load_dag: no Variable lookups while parsing).
CFG = settings.load_dag()


def _utc_midnight(day: str | None) -> datetime | None:
    """00:00 UTC of a ``YYYY-MM-DD`` setting: the logical date of that day's run."""
    return None if day is None else datetime.fromisoformat(day).replace(tzinfo=UTC)


DEFAULT_ARGS = {
    "owner": "newsetl",
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": 2.0,  # ~1-2 min, then ~2-4 min (Airflow adds jitter)
    "max_retry_delay": timedelta(minutes=30),
    "execution_timeout": timedelta(minutes=30),
    "on_failure_callback": alerts.alert_failure,
}

class DayReadySensor(BaseSensorOperator):
    """
    ### Wait for a complete raw day
    True once `<raw_root>/<ds>/` exists and no upload is in flight (and the ready marker
    is there when `newsetl_ready_marker` is set); fails with what is missing after
    `newsetl_arrival_timeout_h` hours. Reschedule mode: no worker slot is held between
    pokes.
    """

    def poke(self, context) -> bool:
        return work.day_ready(context)


PROCESS_SHARD_DOC = """
### Process one shard
Decodes, cleans, segments and language-tags the shard's files into
`<staging>/shards/<shard_id>/` (written to a temp folder and renamed, so a retry simply
rewrites it). Returns the shard's counts. One mapped instance per shard, each taking
one slot of the `newsetl` pool (sized to the cores; shared by all runs and backfills).

Cleared after the run published (its staging is gone), it re-plans the day with the
run's settings and checks the inputs did not change (else it fails at once, saying to
clear the whole run). Cleared alone, it succeeds without work (the published day holds
its rows; no publish follows); cleared with *Downstream*, it reprocesses and `publish`
republishes the day (docs/airflow.md, *Clearing tasks of a finished run*).
"""


@dag(
    dag_id="newsetl_daily",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=_utc_midnight(CFG.start_date),
    end_date=_utc_midnight(CFG.end_date),
    catchup=CFG.catchup,  # every day since start_date gets a run: no silent gaps
    max_active_runs=CFG.max_active_runs,  # bounds the catch-up
    deadline=alerts.publish_deadline_alert(CFG),
    dagrun_timeout=timedelta(hours=12),
    default_args=DEFAULT_ARGS,
    params={
        "ds": Param(None, type=["null", "string"], format="date", pattern=work.DS_PATTERN,
                    title="Day to process (YYYY-MM-DD)",
                    description="Empty: the run's data interval start, or yesterday for a "
                                "manual run without a logical date."),
        "allow_empty": Param(None, type=["null", "boolean"], title="Allow an empty day",
                             description="Publish an empty day when the raw folder is missing "
                                         "or empty. Empty: the newsetl_allow_empty setting."),
    },
    tags=["newsetl", "etl", "daily"],
    doc_md=__doc__,
)
def newsetl_daily():
    @task(execution_timeout=timedelta(minutes=20))
    def find_inputs() -> dict:
        """
        ### Find the day's inputs
        Resolves `ds` (param → data interval start → day before `run_after`), lists the
        files of `<raw_root>/<ds>/` and cuts them into shards (`plan_day`). Writes the
        file list and shards to `plan.json` in the run's staging folder and returns only
        its path and counts. A missing or empty folder fails at once unless `allow_empty`.
        """
        return work.find_inputs(get_current_context())

    @task(execution_timeout=timedelta(minutes=5))
    def split_shards(plan: dict) -> list[dict]:
        """
        ### Split into shards
        Reads `plan.json` and returns one small dict per shard
        (`shard_id`, `first`, `last`, `n_files`, `n_bytes`, `plan_path`) to expand over
        (at most 1000 shards; `max_map_length` is 1024).
        """
        return work.split_shards(plan, get_current_context())

    @task(execution_timeout=timedelta(hours=2), map_index_template="{{ shard_label }}",
          pool=work.POOL,  # caps shard processes across all runs (scripts/airflow_setup.sh)
          doc_md=PROCESS_SHARD_DOC)  # mapped tasks do not pick up the docstring
    def process_shard(shard: dict, plan: dict) -> dict:
        context = get_current_context()
        context["shard_label"] = work.shard_label(shard)
        return work.process_shard(shard, plan, context)

    @task(execution_timeout=timedelta(hours=2), trigger_rule="none_failed",
          max_active_tis_per_dag=1)
    def publish(plan: dict) -> dict:
        """
        ### Write, audit, publish
        `publish_day` (the same as the CLI): audits the staged shards (dedup, accounting,
        the quality checks: a failing day commits nothing), commits each Delta table with
        a predicate overwrite of `ds = '<ds>'`, then the day's `manifests` row with each
        table's version, last: the day is published when that row is committed.
        One publish at a time across runs (`max_active_tis_per_dag=1`; concurrent
        publishers would still lose no commit). Runs after zero shards too (an allowed
        empty day).
        """
        return work.publish(plan, get_current_context())

    @task(execution_timeout=timedelta(minutes=10))
    def quality_checks(published: dict, plan: dict) -> dict:
        """
        ### Data quality checks
        Zero articles, reject share, `und` share, and a drop below a fraction of the
        median of recent published days (thresholds: `newsetl_*` settings). `publish`
        already gated the switch on them; this task records every check's numbers of the
        published day (a failure names each failing check and its numbers).
        """
        return work.check_quality(published, plan)

    @task(execution_timeout=timedelta(minutes=5), outlets=[ARTICLES, SECTIONS])
    def emit_assets(published: dict) -> dict:
        """
        ### Emit asset events
        Updates the `newsetl_articles` and `newsetl_sections` assets with the day, its
        publish id, the Delta table URI and committed versions and counts in the event
        `extra` (this triggers `newsetl_stats`).
        """
        return work.emit_assets(published, get_current_context())

    # The runtime limit is newsetl_arrival_timeout_h (checked by day_ready); this
    # parse-time timeout is only a backstop.
    waited = DayReadySensor(task_id="wait_for_day", poke_interval=300, timeout=48 * 3600,
                            mode="reschedule", execution_timeout=timedelta(minutes=5),
                            doc_md=DayReadySensor.__doc__)
    plan = find_inputs()
    waited >> plan
    shards = process_shard.partial(plan=plan).expand(shard=split_shards(plan))
    published = publish(plan)
    shards >> published
    checked = quality_checks(published, plan)
    checked >> emit_assets(published)


newsetl_daily()
