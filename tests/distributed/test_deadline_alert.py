"""The publish Deadline Alert of ``newsetl_daily`` with real processes on PostgreSQL.

PostgreSQL on a free loopback port, then the Airflow scheduler (LocalExecutor),
dag-processor, triggerer and api-server as separate processes, and a tiny webhook on
loopback that records what is POSTed to it. ``newsetl_daily`` catches up from two days
before the deadline's day D, with ``NEWSETL_PUBLISH_DEADLINE`` a minute or two from now
and an empty raw root, so both runs wait in ``wait_for_day``:

* the run of D-2 (due D-1 at HH:MM) and a backfill of D-6..D-4 (three runs created at
  once) are created after their deadlines: the scheduler marks the misses at once, and
  the triggerer only logs them (WARNING, no POST);
* the run of D-1 (due D at HH:MM) is created before its deadline and still waiting when
  it passes: the triggerer awaits ``newsetl.alerts.deadline_missed``, which logs the
  ERROR line and POSTs ``{"text": ...}`` naming the day to the webhook of the Airflow
  Variable ``newsetl_alert_webhook`` (read in the triggerer).

On SQLite (Airflow 3.3.2) the scheduler crashed on the first miss, and here the
triggerer did until ``deadline_missed`` returned text instead of a dict
(docs/airflow.md): both must still be alive afterwards. Every process started here is
stopped.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .conftest import (
    BIN,
    PG_BIN,
    Processes,
    airflow,
    airflow_env,
    airflow_setup,
    free_port,
    port_open,
    sql,
    start_postgres,
    wait,
)

pytestmark = pytest.mark.skipif(not PG_BIN,
                                reason="needs Debian postgresql (.ci/run installs it)")

#: Least time from fixing the deadline to it passing: the dag-processor must parse the
#: DAG and the scheduler create the run of D-1 before then (~20 s on a loaded 2-core box).
LEAD = timedelta(seconds=60)


class Webhook:
    """``POST /hook`` on loopback, recording each JSON body."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        posts = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                posts.append(json.loads(body or b"{}"))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def deadline_cluster() -> Iterator[dict]:
    work = Path(tempfile.mkdtemp(prefix="newsetl-deadline-"))
    work.chmod(0o755)
    procs = Processes(work)
    hook = Webhook()
    try:
        yield _start(work, procs, hook)
    finally:
        procs.stop_all()
        hook.close()
        if os.environ.get("NEWSETL_KEEP_CLUSTER_LOGS"):
            print(f"cluster logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _start(work: Path, procs: Processes, hook: Webhook) -> dict:
    pg_port = start_postgres(work, procs)
    api_port = free_port()
    env = airflow_env(work, pg_port, api_port, "LocalExecutor")
    airflow_setup(env)
    # The deadline is read when the DAG is parsed: fix it only now, just before the
    # dag-processor starts, on the first whole minute at least LEAD from now.
    now = datetime.now(UTC)
    due = (now + LEAD - timedelta(microseconds=1)).replace(second=0, microsecond=0) \
        + timedelta(minutes=1)
    if due.date() != now.date():
        pytest.skip("too close to midnight UTC: the run of yesterday would not be due today")
    live_day = due.date() - timedelta(days=1)
    late_day = due.date() - timedelta(days=2)
    (work / "raw").mkdir()  # empty: every run waits in wait_for_day
    env.update({
        "AIRFLOW__CORE__PARALLELISM": "2",
        "NEWSETL_RAW_ROOT": str(work / "raw"),
        "NEWSETL_OUT_ROOT": str(work / "out"),
        "NEWSETL_START_DATE": late_day.isoformat(),
        "NEWSETL_CATCHUP": "true",
        "NEWSETL_ARRIVAL_TIMEOUT_H": "5",
        "NEWSETL_PUBLISH_DEADLINE": due.strftime("%H:%M"),
        # A closed port: the POST must come from the Airflow Variable (it wins).
        "NEWSETL_ALERT_WEBHOOK": f"http://127.0.0.1:{free_port()}/not-this-one",
    })
    variable = airflow(env, "variables", "set", "newsetl_alert_webhook", hook.url)
    assert variable.returncode == 0, variable.stderr
    for name in ("dag-processor", "scheduler", "triggerer"):
        procs.start(name, [str(BIN / "airflow"), name], env=env)
    procs.start("api-server", [str(BIN / "airflow"), "api-server", "--port", str(api_port),
                               "--host", "127.0.0.1"], env=env)
    return {"env": env, "pg_port": pg_port, "procs": procs, "hook": hook, "due": due,
            "live_day": live_day.isoformat(), "late_day": late_day.isoformat(),
            "api_port": api_port}


def test_missed_publish_deadline_alerts_once_and_the_scheduler_survives(
        deadline_cluster: dict) -> None:
    c = deadline_cluster
    procs: Processes = c["procs"]
    pg, due, live, late = c["pg_port"], c["due"], c["live_day"], c["late_day"]
    backfill_days = [(due.date() - timedelta(days=n)).isoformat() for n in (6, 5, 4)]

    def registered():
        procs.check_alive()
        return sql(pg, "select 1 from dag where dag_id = 'newsetl_daily'")

    wait(registered, 120, "the dag-processor to register newsetl_daily", interval=1)
    unpause = airflow(c["env"], "dags", "unpause", "newsetl_daily")
    assert unpause.returncode == 0, unpause.stderr

    def runs():
        procs.check_alive()
        rows = sql(pg, "select r.logical_date, r.queued_at, d.deadline_time from dag_run r "
                       "join deadline d on d.dagrun_id = r.id "
                       "where r.dag_id = 'newsetl_daily' and r.run_type = 'scheduled' "
                       "order by r.logical_date")
        return len(rows) == 2 and rows

    rows = wait(runs, 120, "the catch-up runs and their deadlines", interval=1)
    (late_date, late_queued, late_due), (live_date, live_queued, live_due) = rows
    assert [late_date.date().isoformat(), live_date.date().isoformat()] == [late, live]
    assert live_due == due and late_due == due - timedelta(days=1)
    assert late_queued > late_due  # a catch-up run of an old day: late when created
    assert live_queued < live_due, (
        f"the run of {live} was created at {live_queued}, after its deadline {live_due}: "
        "the machine was too slow for LEAD")
    # A backfill of three old days: three runs, all late, missed in one scheduler loop.
    backfill = airflow(c["env"], "backfill", "create", "--dag-id", "newsetl_daily",
                       "--from-date", backfill_days[0], "--to-date", backfill_days[-1])
    assert backfill.returncode == 0, backfill.stdout[-2000:] + backfill.stderr[-2000:]
    backfilled = sql(pg, "select r.logical_date, r.queued_at, d.deadline_time from dag_run r "
                         "join deadline d on d.dagrun_id = r.id where r.run_type = 'backfill' "
                         "order by r.logical_date")
    assert [r[0].date().isoformat() for r in backfilled] == backfill_days
    assert all(queued > deadline for _, queued, deadline in backfilled)

    def alerted():
        procs.check_alive()
        return c["hook"].posts

    try:
        wait(alerted, (due - datetime.now(UTC)).total_seconds() + 120,
             "the webhook POST of the missed deadline", interval=1)
        wait(lambda: all(f"newsetl: day {day} not published" in procs.log("triggerer")
                         for day in [late, *backfill_days]), 60,
             "the triggerer to log the late catch-up and backfill runs")
    except (TimeoutError, RuntimeError):
        for name in ("scheduler", "triggerer"):
            print(f"--- {name} log (tail) ---\n{procs.log(name)[-5000:]}")
        raise
    # Both misses handled: the scheduler marked them and is still scheduling.
    assert wait(lambda: sql(pg, "select count(*) from deadline where missed")[0][0] == 5,
                30, "all five deadlines marked missed")
    assert procs.get("scheduler").poll() is None
    assert "StaleDataError" not in procs.log("scheduler")
    beat = wait(lambda: sql(pg, "select max(latest_heartbeat) from job where job_type = "
                                "'SchedulerJob' and state = 'running'")[0][0], 10, "heartbeat")
    assert beat > due  # still heartbeating after both misses
    assert wait(lambda: port_open(c["api_port"]), 30, "api-server")

    hook_posts = c["hook"].posts
    assert len(hook_posts) == 1, hook_posts
    text = hook_posts[0]["text"]
    assert text.startswith(f"newsetl: day {live} not published by "
                           f"{due:%Y-%m-%d %H:%M} UTC | dag newsetl_daily | run scheduled__")
    assert all(day not in text for day in [late, *backfill_days])
    triggerer = procs.log("triggerer")
    for day in [late, *backfill_days]:
        assert f"[warning  ] newsetl: day {day} not published by " in triggerer
    assert triggerer.count("(run created after its deadline: logged, not sent)") == 4
    # the live miss at ERROR level, the late one at WARNING (structlog's console format)
    assert f"[error    ] {text}" in triggerer
    # The live run is still waiting for its data: the miss did not touch it.
    states = sql(pg, "select logical_date, state from dag_run where run_type = 'scheduled' "
                     "order by logical_date")
    assert [s for _, s in states] == ["running", "running"]
    # All callbacks finished and their one-line results were stored (a dict result
    # crashed the triggerer here: newsetl.alerts.deadline_missed returns text).
    def finished():
        rows = sql(pg, "select state, output from callback")
        return len(rows) == 5 and all(state == "success" for state, _ in rows) and rows

    outputs = {output for _, output in wait(finished, 60, "all five callbacks to succeed")}
    live_output = f"{text} | sent to the webhook"
    assert live_output in outputs, outputs
    late_outputs = sorted(outputs - {live_output})
    assert [o.split(" not published")[0] for o in late_outputs] == [
        f"newsetl: day {day}" for day in sorted([late, *backfill_days])]
    assert any(o.startswith(f"newsetl: day {late} not published by "
                            f"{late_due:%Y-%m-%d %H:%M} UTC | dag newsetl_daily | run ")
               for o in late_outputs)
    assert all(o.endswith("| logged, not sent (run created after its deadline)")
               for o in late_outputs)
    assert procs.get("triggerer").poll() is None
