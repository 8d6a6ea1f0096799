"""Alerts of the Airflow DAGs: a failed task and a day not published by its deadline.

Both say which day, task or run, and why, in one line; both go to the log and, when the
``alert_webhook`` setting is set, to that URL as ``{"text": ...}`` (Slack, Teams and
most chat webhooks accept it). A failure is also recorded for the News ETL page
(:mod:`newsetl.daystatus`). Nothing here imports Airflow at module level.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from newsetl import settings as settings_mod
from newsetl.rundays import resolve_ds

log = logging.getLogger("newsetl.airflow")


def failure_message(context: dict) -> str:
    """One line naming the day, the failed task (and map index), the run, the error and
    a link to the task's log."""
    ti = context.get("ti") or context.get("task_instance")
    run = context.get("dag_run")
    try:
        ds = resolve_ds(context)[0]
    except Exception:  # noqa: BLE001 - a bad ds param is itself what failed
        ds = (context.get("params") or {}).get("ds") or "?"
    task = getattr(ti, "task_id", None) or "?"
    index = getattr(ti, "map_index", -1)
    if index is not None and index >= 0:
        task = f"{task}[{index}]"
    error = context.get("exception")
    link = getattr(ti, "log_url", None)
    parts = [f"newsetl: day {ds} failed in task {task}",
             f"dag {getattr(ti, 'dag_id', None) or getattr(run, 'dag_id', '?')}",
             f"run {getattr(run, 'run_id', None) or context.get('run_id') or '?'}",
             f"try {getattr(ti, 'try_number', '?')}"]
    if error is not None:
        parts.append(f"{type(error).__name__}: {str(error)[:500]}")
    if link:
        parts.append(str(link))
    return " | ".join(parts)


def alert_failure(context: dict) -> None:
    """``on_failure_callback`` of every task: log the failure and, when the
    ``alert_webhook`` setting is set, POST it there as ``{"text": ...}``. Never raises:
    an unreachable webhook is logged, it does not hide the failure."""
    message = failure_message(context)
    log.error(message)
    try:
        cfg = settings_mod.load(variables=True)
    except Exception as exc:  # noqa: BLE001 - a bad setting must not swallow the alert
        log.error("newsetl alert: cannot read settings: %s", exc)
        return
    _record_failure(cfg.out_root, context)
    if cfg.alert_webhook:
        send_webhook(cfg.alert_webhook, message)


def _record_failure(out_root: str, context: dict) -> None:
    """Leave the failure where the News ETL page sees it (:mod:`newsetl.daystatus`)."""
    from newsetl import daystatus

    ti = context.get("ti") or context.get("task_instance")
    try:
        ds = resolve_ds(context)[0]
        task = getattr(ti, "task_id", None) or "?"
        index = getattr(ti, "map_index", -1)
        if index is not None and index >= 0:
            task = f"{task}[{index}]"
        error = context.get("exception")
        run = getattr(context.get("dag_run"), "run_id", None)
        daystatus.record_failure(out_root, ds, where=task, run=run,
                                 error=f"{type(error).__name__}: {error}" if error else "",
                                 link=getattr(ti, "log_url", None))
    except Exception as exc:  # noqa: BLE001 - the alert must go out even if this fails
        log.error("newsetl alert: cannot record the failure under %s: %s", out_root, exc)


def send_webhook(url: str, message: str, timeout: float = 10.0) -> bool:
    """POST ``{"text": message}`` as JSON; True when the endpoint answered 2xx."""
    import urllib.error
    import urllib.request

    body = json.dumps({"text": message}).encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.error("newsetl alert: webhook %s failed: %s", url.split("?")[0], exc)
        return False


# -- publish deadline (Airflow Deadline Alert) ---------------------------------------

def publish_deadline_alert(cfg: settings_mod.Settings) -> Any:
    """The ``DeadlineAlert`` "day D published by HH:MM UTC on D+1", or None when the
    ``publish_deadline`` setting is off.

    The reference is the run's logical date D (00:00 UTC of the day a scheduled or
    backfill run processes), so the interval is one day plus ``HH:MM``. Airflow removes
    the deadline when the run succeeds (the day is published and checked); otherwise the
    triggerer awaits :func:`deadline_missed` at that time. Runs without a logical date
    get no deadline (Airflow skips the alert for them)."""
    interval = cfg.deadline_after_logical_date()
    if interval is None or in_airflow_dags_test():
        return None
    from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference

    return DeadlineAlert(reference=DeadlineReference.DAGRUN_LOGICAL_DATE, interval=interval,
                         callback=AsyncCallback(deadline_missed,
                                                kwargs={"publish_by": cfg.publish_deadline}),
                         name=f"published by {cfg.publish_deadline} UTC")


def in_airflow_dags_test(argv: list[str] | None = None) -> bool:
    """Whether this process is ``airflow dags test``. Its ``dag.test()`` (Airflow 3.3.2)
    cannot finish a successful run of a DAG with a deadline: it hands ``update_state`` the
    DAG deserialized in memory, whose deadline entries are alert dicts where the
    scheduler's DAG has database ids, and ``DeadlineAlertModel.get_by_id`` fails on them
    after the last task succeeded. A test run needs no deadline, so it gets none."""
    import sys

    args = sys.argv if argv is None else argv
    return list(args[1:3]) == ["dags", "test"]


def _as_datetime(value: Any) -> datetime | None:
    """A datetime from the deadline context (ISO strings after its JSON round trip)."""
    if value is None or isinstance(value, datetime):
        return value
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _run_view(run: dict) -> Any:
    """The DAG-run dict of a deadline context as the attributes :func:`resolve_ds` reads."""
    from types import SimpleNamespace

    return SimpleNamespace(run_id=run.get("dag_run_id") or run.get("run_id"),
                           dag_id=run.get("dag_id"), run_type=run.get("run_type"),
                           logical_date=_as_datetime(run.get("logical_date")),
                           run_after=_as_datetime(run.get("run_after")))


def deadline_message(context: dict, publish_by: str) -> tuple[str, str, bool]:
    """``(ds, message, alert)`` for a missed publish deadline.

    ``alert`` is False for a run created only after its deadline had passed (a catch-up
    or backfill of an old day): it was late before it started, so a webhook per such day
    would only flood the channel during a catch-up; the miss is still logged."""
    run = dict(context.get("dag_run") or {})
    view = _run_view(run)
    try:
        ds = resolve_ds({"params": run.get("conf") or {}, "dag_run": view,
                         "data_interval_start": _as_datetime(run.get("data_interval_start"))})[0]
    except Exception:  # noqa: BLE001 - a bad ds param: still say which run is late
        ds = str((run.get("conf") or {}).get("ds") or "?")
    due = _as_datetime((context.get("deadline") or {}).get("deadline_time"))
    created = _as_datetime(run.get("queued_at")) or _as_datetime(run.get("start_date"))
    alert = not (due is not None and created is not None and created > due)
    due_text = due.strftime("%Y-%m-%d %H:%M UTC") if due else f"{publish_by} UTC"
    message = " | ".join([f"newsetl: day {ds} not published by {due_text}",
                          f"dag {view.dag_id or '?'}", f"run {view.run_id or '?'}",
                          f"state {run.get('state') or '?'}"])
    return ds, message, alert


async def deadline_missed(context: dict | None = None, publish_by: str = "") -> str:
    """Callback of the publish Deadline Alert (awaited in the triggerer): log the late day
    and POST it to ``alert_webhook`` like a task failure (:func:`alert_failure`).

    Returns one line of text, the message and what became of it: Airflow 3.3.2 stores
    the result of a triggerer callback as is in ``callback.output``, a text column, and a
    dict there crashed the triggerer on PostgreSQL (``can't adapt type 'dict'``)."""
    import asyncio

    ds, message, alert = deadline_message(context or {}, publish_by)
    if not alert:
        log.warning("%s (run created after its deadline: logged, not sent)", message)
        return f"{message} | logged, not sent (run created after its deadline)"
    log.error(message)
    # Off the triggerer's event loop: the Variable lookup and the POST both block.
    sent = await asyncio.to_thread(_post_alert, message)
    return f"{message} | {'sent to the webhook' if sent else 'logged, not sent'}"


def _post_alert(message: str) -> bool:
    """POST ``message`` to the ``alert_webhook`` setting, if any (Variables when this
    process can read them, else the environment); True when it was accepted."""
    try:
        cfg = settings_mod.load(variables=True)
    except Exception:  # noqa: BLE001 - no Variable access here: the environment decides
        cfg = settings_mod.load()
    return bool(cfg.alert_webhook) and send_webhook(cfg.alert_webhook, message)
