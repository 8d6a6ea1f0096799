"""The work of the Airflow tasks, kept out of the DAG files so they stay thin and parse fast.

Nothing here imports Airflow, pyarrow or the language detectors at module level; every
function that needs them imports them when it runs (inside a task). The functions take
the task's ``context`` (``airflow.sdk.get_current_context()``) and return small JSON-able
dicts for XCom: paths and counts only, never article data.

Which day a run processes is :func:`newsetl.rundays.resolve_ds`; failure and deadline
alerts are in :mod:`newsetl.alerts`.

>>> stats_days_from_events({"a": [type("E", (), {"extra": {"ds": "2024-03-02"}})()]})
['2024-03-02']
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from newsetl import settings as settings_mod
from newsetl import storage

# deadline_missed: the callback path of Deadline Alerts that Airflow stored before the
# alerts had their own module (newsetl.alerts.deadline_missed now)
from newsetl.alerts import deadline_missed as deadline_missed  # noqa: F401
from newsetl.rundays import fail, resolve_ds

log = logging.getLogger("newsetl.airflow")

ARTICLES_ASSET = "newsetl_articles"
SECTIONS_ASSET = "newsetl_sections"
ASSET_GROUP = "newsetl"
#: JSON-schema pattern of the ``ds`` param (empty means "not given").
DS_PATTERN = r"^(\d{4}-\d{2}-\d{2})?$"
PLAN_FILE = "plan.json"
#: Airflow pool of the ``process_shard`` tasks (created by ``scripts/airflow_setup.sh``
#: and the compose ``airflow-init``): caps concurrent shard processes across all runs
#: and backfills, each of which loads a language model and holds a shard in memory.
POOL = "newsetl"



def assets() -> tuple[Any, Any]:
    """The ``articles`` and ``sections`` Assets (name-based; the out root is a runtime
    setting, so it goes into each event's ``extra`` instead of the URI)."""
    from airflow.sdk import Asset

    return (Asset(name=ARTICLES_ASSET, group=ASSET_GROUP),
            Asset(name=SECTIONS_ASSET, group=ASSET_GROUP))


def run_token(context: dict) -> str:
    """Staging token of this run: the dag run id (retries and re-runs of a task reuse it)."""
    run_id = getattr(context.get("dag_run"), "run_id", None) or context.get("run_id") or "adhoc"
    return f"airflow-{run_id}"


def _enum_value(value: Any) -> str | None:
    """``DagRunType.MANUAL`` -> ``"manual"`` (the enum's value, not its repr)."""
    if value is None:
        return None
    return str(getattr(value, "value", value)) or None


def _rate(articles: int, seconds: float) -> str:
    return f"{articles / seconds:.0f} articles/s" if seconds > 0 else "- articles/s"


def _fmt(counter: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(counter.items(), key=lambda kv: -kv[1])) or "-"


# -- newsetl_daily -----------------------------------------------------------------------

def _run_started(context: dict) -> datetime:
    run = context.get("dag_run")
    for name in ("start_date", "run_after", "queued_at"):
        value = getattr(run, name, None)
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.now(UTC)


def day_ready(context: dict) -> bool:
    """The ``wait_for_day`` sensor: whether ``<raw_root>/<ds>/`` is there and complete
    (no upload in flight, the ready marker if one is required; see
    :mod:`newsetl.completeness`). False makes the sensor poke again later (reschedule
    mode: no worker slot is held meanwhile); after ``arrival_timeout_h`` since the run
    started it fails with what is missing, which triggers the failure alert."""
    from newsetl.completeness import check, split_markers
    from newsetl.inputs import day_dir, scan

    cfg = settings_mod.load(variables=True)
    ds, _source = resolve_ds(context)
    day = day_dir(cfg.raw_root, ds)
    param = (context.get("params") or {}).get("allow_empty")
    allow_empty = cfg.allow_empty if param is None else bool(param)
    if not storage.isdir(day):
        if allow_empty:
            return True
        why = f"raw folder for {ds} not found: {day}"
    else:
        found, skipped = scan(day)
        state = check(found, skipped + split_markers(found, cfg.ready_marker)[1],
                      cfg.ready_marker)
        if state.complete or cfg.allow_incomplete:
            return True
        why = f"raw folder for {ds} is not complete: {state.reason()}"
    waited = datetime.now(UTC) - _run_started(context)
    if waited >= timedelta(hours=cfg.arrival_timeout_h):
        raise fail(f"{why}; gave up after {waited.total_seconds() / 3600:.1f} h "
                   f"(newsetl_arrival_timeout_h={cfg.arrival_timeout_h:g})")
    log.info("newsetl wait_for_day ds=%s: %s; waited %.0f min of %g h", ds, why,
             waited.total_seconds() / 60, cfg.arrival_timeout_h)
    return False


def find_inputs(context: dict) -> dict:
    """List the day's inputs, cut them into shards, write ``<staging>/plan.json``.

    The returned dict (XCom) also carries the run's settings and the plan's
    :func:`plan_fingerprint`: a task cleared after ``publish`` removed the staging
    rebuilds the plan from them (:func:`rebuild_plan`)."""
    from newsetl.guards import LayoutError, check_layout, mark_out_root

    started = time.monotonic()
    cfg = settings_mod.load(variables=True)
    ds, source = resolve_ds(context)
    param = (context.get("params") or {}).get("allow_empty")
    allow_empty = cfg.allow_empty if param is None else bool(param)
    doc = _plan_doc(cfg, ds, source, allow_empty, run_token(context))
    try:
        check_layout(cfg.raw_root, cfg.out_root)
    except LayoutError as exc:
        raise fail(str(exc)) from None
    mark_out_root(cfg.out_root)
    staging = doc["staging"]
    storage.remove_tree(staging)  # a re-run of the whole plan starts clean
    plan_path = storage.join(staging, PLAN_FILE)
    write_plan(plan_path, doc)
    n_bytes = sum(size for _path, size in doc["files"])
    log.info("newsetl find_inputs ds=%s (from %s): %d input files, %.1f MB, %d shards, "
             "raw=%s staging=%s fingerprint=%s (%.2fs)", ds, source, len(doc["files"]),
             n_bytes / 1e6, len(doc["shards"]), doc["day"], staging, doc["fingerprint"],
             time.monotonic() - started)
    return {"ds": ds, "plan_path": str(plan_path), "n_files": len(doc["files"]),
            "n_bytes": n_bytes, "n_shards": len(doc["shards"]), "empty": doc["empty"],
            "allow_empty": allow_empty, "ds_source": source, "out_root": cfg.out_root,
            "fingerprint": doc["fingerprint"], "settings": doc["settings"]}


def _plan_doc(cfg: settings_mod.Settings, ds: str, source: str, allow_empty: bool,
              token: str) -> dict:
    """The content of ``plan.json``: the day planned with ``cfg`` (deterministic: the
    same raw folder and settings give the same files and shards)."""
    from newsetl.completeness import IncompleteDayError
    from newsetl.layout import run_staging
    from newsetl.pipeline import MissingDayError, plan_day

    try:
        plan = plan_day(cfg.raw_root, ds, allow_empty=allow_empty,
                        max_files=cfg.shard_max_files, max_bytes=cfg.shard_max_bytes(),
                        min_shards=cfg.shard_min_count, limits=cfg.limits(),
                        ready_marker=cfg.ready_marker, allow_incomplete=cfg.allow_incomplete)
    except MissingDayError as exc:
        raise fail(f"{exc}; set the allow_empty param or the newsetl_allow_empty Variable / "
                   "NEWSETL_ALLOW_EMPTY to publish an empty day") from None
    except IncompleteDayError as exc:
        raise fail(f"{exc}; wait_for_day lets it through once complete, or set the "
                   "newsetl_allow_incomplete Variable / NEWSETL_ALLOW_INCOMPLETE") from None
    doc = {
        "ds": ds,
        "ds_source": source,
        "planned_at": time.time(),
        "day": str(plan.day),
        "raw_root": cfg.raw_root,
        "out_root": cfg.out_root,
        "staging": str(run_staging(cfg.out_root, ds, token)),  # a path or an s3:// URL
        "run_token": token,
        "allow_empty": allow_empty,
        "empty": not plan.files,
        "settings": cfg.to_dict(),
        "files": [[f.path, f.size] for f in plan.files],
        "skipped": plan.skipped,
        "shards": [s.to_dict() for s in plan.shards],
    }
    doc["fingerprint"] = plan_fingerprint(doc)
    return doc


def plan_fingerprint(doc: dict) -> str:
    """What a run's output is made from: the day, its input files (names and sizes) and
    the shards cut over them. Equal fingerprints, equal staged rows.

    >>> a = {"ds": "2024-03-01", "empty": False, "files": [["a.txt", 10]],
    ...      "shards": [{"shard_id": 0, "first": 0, "last": 1}]}
    >>> plan_fingerprint(a) == plan_fingerprint(dict(a, planned_at=1.0))
    True
    >>> plan_fingerprint(a) == plan_fingerprint(dict(a, files=[["a.txt", 11]]))
    False
    """
    import hashlib

    key = {k: doc.get(k) for k in ("ds", "empty", "files", "shards")}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]


def _plan_summary(doc: dict) -> str:
    n_bytes = sum(size for _path, size in doc.get("files") or [])
    return (f"{len(doc.get('files') or [])} files, {n_bytes} bytes, "
            f"{len(doc.get('shards') or [])} shards, fingerprint {doc.get('fingerprint')}")


def rebuild_plan(plan_info: dict, context: dict | None, why: str) -> dict:
    """The plan of this run again, after ``publish`` removed its staging: the day planned
    afresh from the raw folder with the settings the run recorded at ``find_inputs``,
    which must give the same fingerprint (the planner is deterministic). Fails at once
    (no retries) with the instruction when it cannot: a run planned before the settings
    were recorded, or raw inputs that changed since."""
    ds = plan_info["ds"]
    frozen, recorded = plan_info.get("settings"), plan_info.get("fingerprint")
    whole_run = ("clear the whole run from find_inputs (with downstream tasks), or "
                 f"trigger newsetl_daily with the ds param {ds}")
    if not frozen or not recorded:
        raise fail(f"the plan of this run is gone ({plan_info['plan_path']}): {why}, and the "
                   f"run did not record what to rebuild it from. To reprocess ds={ds}, "
                   f"{whole_run}")
    cfg = settings_mod.Settings(**frozen)
    token = run_token(context or {})
    try:
        doc = _plan_doc(cfg, ds, plan_info.get("ds_source") or "rebuilt",
                        bool(plan_info.get("allow_empty")), token)
    except type(fail("")) as exc:  # a vanished or incomplete day is a changed input
        raise fail(f"cannot rebuild the plan of this run for ds={ds} ({why}): {exc}. "
                   f"To reprocess the day from what the raw folder holds now, {whole_run}"
                   ) from None
    if doc["fingerprint"] != recorded:
        raise fail(f"the raw inputs of ds={ds} changed since this run planned the day "
                   f"(then {plan_info.get('n_files')} files, {plan_info.get('n_bytes')} "
                   f"bytes, {plan_info.get('n_shards')} shards, fingerprint {recorded}; now "
                   f"{_plan_summary(doc)}), so this run's shards no longer describe them "
                   f"({why}). To reprocess the day from the new inputs, {whole_run}")
    if str(storage.join(doc["staging"], PLAN_FILE)) != str(plan_info["plan_path"]):
        raise fail(f"the rebuilt plan of ds={ds} lands at {doc['staging']}, not where this "
                   f"run staged ({plan_info['plan_path']}); {whole_run}")
    doc["rebuilt"] = True
    log.info("newsetl ds=%s: rebuilt the plan of this run (%s): raw inputs unchanged, %s",
             ds, why, _plan_summary(doc))
    return doc


def write_plan(location: str | Path, doc: dict) -> None:
    """Write ``plan.json`` atomically (temp file + rename locally, one PUT remotely)."""
    text = json.dumps(doc)
    if storage.is_remote(location):
        storage.write_text(str(location), text)
        return
    path = storage.local_path(location)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def read_plan(plan_path: str) -> dict:
    text = storage.read_text(plan_path)
    if text is None:
        raise FileNotFoundError(f"no plan at {plan_path}")
    return json.loads(text)


def split_shards(plan_info: dict, context: dict | None = None) -> list[dict]:
    """One small dict per shard (the mapped ``process_shard`` tasks expand over them).
    Cleared after the run published (its plan is gone), it plans the day again in
    memory (:func:`rebuild_plan`): each cleared shard then rebuilds the plan itself."""
    if storage.exists(plan_info["plan_path"]):
        plan = read_plan(plan_info["plan_path"])
    else:
        plan = rebuild_plan(plan_info, context, "split_shards cleared after publish")
    shards = [{"plan_path": plan_info["plan_path"], "ds": plan["ds"], "shard_id": s["shard_id"],
               "first": s["first"], "last": s["last"], "n_files": s["last"] - s["first"],
               "n_bytes": s["n_bytes"], "start": s.get("start"), "stop": s.get("stop")}
              for s in plan["shards"]]
    sizes = [s["n_files"] for s in shards]
    log.info("newsetl split_shards ds=%s: %d shards, files per shard min=%s max=%s",
             plan["ds"], len(shards), min(sizes, default=0), max(sizes, default=0))
    return shards


def shard_label(shard: dict) -> str:
    """Readable map index: ``shard 00003: files 40-59``."""
    where = (f"files {shard['first']}-{shard['last'] - 1}" if shard.get("start") is None
             else f"file {shard['first']}, bytes {shard['start']}-{shard.get('stop') or ''}")
    return f"shard {shard['shard_id']:05d}: {where} ({shard['n_bytes'] / 1e6:.1f} MB)"


def _task_state(context: dict | None, task_id: str) -> str | None:
    """The state of ``task_id`` in this run, asked of Airflow (None: no answer, e.g.
    outside Airflow); ``"none"`` when the task instance has no state (cleared)."""
    ti = (context or {}).get("ti")
    run_id = getattr((context or {}).get("dag_run"), "run_id", None) or getattr(ti, "run_id",
                                                                                None)
    getter = getattr(ti, "get_task_states", None)
    if getter is None or run_id is None:
        return None
    try:
        states = getter(dag_id=ti.dag_id, task_ids=[task_id], run_ids=[run_id])
    except Exception as exc:  # noqa: BLE001 - unknown: the caller does the safe thing
        log.warning("newsetl: cannot read the state of %s in run %s: %s", task_id, run_id, exc)
        return None
    found = (states or {}).get(run_id, {})
    if task_id not in found:
        return None
    return _enum_value(found[task_id]) or "none"


def _shard_spec(shard: dict) -> dict:
    return {k: shard.get(k) for k in ("shard_id", "first", "last", "start", "stop")}


def process_shard(shard: dict, plan_info: dict | None = None,
                  context: dict | None = None) -> dict:
    """Process one shard into the run's staging area (retry-safe: rewrites only its folder).

    Cleared after the run published (``publish`` removed the staging and its plan), the
    shard rebuilds the plan with :func:`rebuild_plan` (the same inputs, or it fails at
    once with the instruction), then:

    - ``publish`` of this run is still *success* (the shard was cleared alone, so no
      publish follows): the published day already holds this shard's rows, made from
      the same inputs. Reprocessing would only leave staging nobody publishes, so the
      shard checks that and succeeds without work, saying how to republish;
    - otherwise (cleared with its downstream tasks: ``publish`` runs next) it writes the
      plan back and processes the shard; ``publish`` rebuilds the shards that were not
      cleared and republishes the day.
    """
    if not storage.exists(shard["plan_path"]):
        if plan_info is None:
            raise fail(f"the plan of this run is gone ({shard['plan_path']}): the run "
                       f"published ds={shard.get('ds')} and removed its staging. To "
                       "reprocess the day, clear the whole run from find_inputs (with "
                       "downstream tasks), or trigger newsetl_daily with the ds param")
        doc = rebuild_plan(plan_info, context, f"process_shard {shard['shard_id']} cleared "
                                               "after publish removed the staging")
        _check_shard(shard, doc)
        publish_state = _task_state(context, "publish")
        if publish_state == "success":
            return _already_published(shard, doc, context)
        log.info("newsetl process_shard ds=%s shard=%d: %s: writing the rebuilt plan back "
                 "to %s", doc["ds"], shard["shard_id"],
                 "cannot tell whether publish of this run runs again (staging nobody "
                 "publishes is removed as dead later)" if publish_state is None else
                 f"publish of this run was cleared too (state {publish_state}), so it "
                 "republishes the day after this shard", shard["plan_path"])
        write_plan(shard["plan_path"], doc)
    plan = read_plan(shard["plan_path"])
    _check_shard(shard, plan)
    return _stage_shard(plan, shard["shard_id"])


def _check_shard(shard: dict, plan: dict) -> None:
    """The shard this task was mapped over must be the plan's (``find_inputs`` may have
    planned the day again since ``split_shards`` ran)."""
    shard_id = shard["shard_id"]
    planned = plan["shards"][shard_id] if 0 <= shard_id < len(plan["shards"]) else None
    if planned is None or _shard_spec(planned) != _shard_spec(shard):
        raise fail(f"shard {shard_id} of this run ({_shard_spec(shard)}) is not in the plan "
                   f"at {shard['plan_path']} ({_plan_summary(plan)}): find_inputs planned "
                   f"ds={plan['ds']} again after split_shards ran. Clear find_inputs with "
                   "downstream tasks (or the whole run) to process the day as planned now")


def _stage_shard(plan: dict, shard_id: int) -> dict:
    from newsetl.inputs import InputFile
    from newsetl.shards import Shard
    from newsetl.staging import process_shard as stage

    cfg = settings_mod.Settings(**plan["settings"])
    files = [InputFile(p, s) for p, s in plan["files"]]
    spec = Shard(**plan["shards"][shard_id])
    summary = stage(plan["day"], files, spec, plan["staging"], cfg.detector, cfg.limits())
    log.info("newsetl process_shard ds=%s shard=%d: %d files, %d items -> %d articles, "
             "%d rejects (%s); langs %s; %.2fs, %s", plan["ds"], shard_id,
             summary["n_files"], summary["n_items"], summary["n_articles"],
             summary["n_rejects"], _fmt(summary["rejects_by_reason"]),
             _fmt(summary["articles_by_lang"]), summary["seconds"],
             _rate(summary["n_articles"], summary["seconds"]))
    return summary


def _already_published(shard: dict, doc: dict, context: dict | None) -> dict:
    """A shard cleared alone after its run published: nothing to redo (see
    :func:`process_shard`), unless the published version is made of other inputs."""
    from newsetl.inputs import printable_name
    from newsetl.readers import read_manifest

    ds, run_id = doc["ds"], getattr((context or {}).get("dag_run"), "run_id", None)
    current = read_manifest(doc["out_root"], ds)
    run = (current or {}).get("run") or {}
    published_from = run.get("plan_fingerprint")
    if published_from:
        same = published_from == doc["fingerprint"]
    else:  # published before fingerprints were recorded (or by the CLI): names and sizes
        same = current is not None and sorted(
            [i["path"], i["size"]] for i in current.get("inputs") or []) == sorted(
            [printable_name(p), n] for p, n in doc["files"])
    if current is None or not same:
        where = ("ds is not published" if current is None else
                 f"its published version {current['version']} (run {run.get('run_id')}) "
                 f"was made from other inputs than the raw folder holds now")
        raise fail(f"process_shard {shard['shard_id']} cleared alone after this run "
                   f"published ds={ds}: {where}, and no publish follows a shard cleared "
                   "alone. Clear this shard with its downstream tasks (publish rebuilds "
                   "the other shards and republishes), or clear the whole run")
    by = "this run" if run.get("run_id") == run_id else f"run {run.get('run_id')}"
    log.info("newsetl process_shard ds=%s shard=%d: nothing to reprocess: the day is "
             "published (version %s by %s) from the same raw inputs as this run's plan "
             "(fingerprint %s), so its rows already hold this shard's; this run's publish "
             "succeeded and does not run again for a shard cleared alone. To reprocess "
             "and republish the day, clear this shard with its downstream tasks, or the "
             "whole run", ds, shard["shard_id"], current["version"], by, doc["fingerprint"])
    return {"shard_id": shard["shard_id"], "reprocessed": False, "ds": ds,
            "published_version": current["version"], "fingerprint": doc["fingerprint"]}


def _summary(manifest: dict, empty: bool) -> dict:
    counts = manifest["counts"]
    return {
        "ds": manifest["ds"],
        "version": manifest["version"],
        "empty": empty,
        "shards": manifest["shards"],
        "counts": {k: counts[k] for k in ("input_files", "input_items", "articles",
                                          "sections", "rejects", "duplicates",
                                          "articles_by_lang", "rejects_by_reason")},
        "timings": manifest["timings"],
        "tables": manifest.get("tables", {}),
    }


def publish(plan_info: dict, context: dict) -> dict:
    """Audit and commit the staged shards with :func:`newsetl.publish.publish_day`.

    After this run published, the staging (and its plan) is gone. Run again then:

    - while this run's version of the day is the published one (a retry, or ``publish``
      cleared alone): nothing to do, it returns that version;
    - otherwise (a later run published the day since) it rebuilds the plan
      (:func:`rebuild_plan`: the same inputs, or it fails at once with the instruction)
      and republishes.

    Shards missing from the staging (their output went with an earlier publish, and only
    some shards were cleared) are processed here first (:func:`rebuild_missing_shards`).
    """
    from newsetl.publish import publish_day
    from newsetl.readers import read_manifest

    plan_path = str(plan_info["plan_path"])
    dag_run = context.get("dag_run")
    run_id = getattr(dag_run, "run_id", None)
    if not storage.exists(plan_path):
        # A retry after publish_day succeeded (it removes the staging folder), or publish
        # cleared alone after the run succeeded: done already.
        out_root = plan_info.get("out_root") or settings_mod.load(variables=True).out_root
        current = read_manifest(out_root, plan_info["ds"])
        if current is not None and current.get("run", {}).get("run_id") == run_id:
            log.info("newsetl publish ds=%s: already published by this run (version %s); "
                     "nothing to redo. To reprocess the day, clear process_shard with its "
                     "downstream tasks, or the whole run", plan_info["ds"],
                     current["version"])
            return _summary(current, plan_info["empty"]) | {
                "settings": plan_info.get("settings")}
        doc = rebuild_plan(plan_info, context,
                           "publish cleared after the run published, and the day's "
                           "current version is not this run's")
        write_plan(plan_path, doc)
    plan = read_plan(plan_path)
    rebuild_missing_shards(plan)
    # Wall time from find_inputs to now (tasks run in different processes, maybe hosts).
    elapsed = max(time.time() - plan.get("planned_at", time.time()), 0.0)
    run_started = time.monotonic() - elapsed
    ti = context.get("ti")
    run_info = {
        "runner": "airflow",
        "dag_id": getattr(dag_run, "dag_id", None),
        "run_id": run_id,
        "run_type": _enum_value(getattr(dag_run, "run_type", None)),
        "try_number": getattr(ti, "try_number", None),
        "ds_source": plan["ds_source"],
        "plan_fingerprint": plan.get("fingerprint"),
        "rebuilt": bool(plan.get("rebuilt")),
        "detector": plan["settings"]["detector"] or os.environ.get("NEWSETL_DETECTOR",
                                                                   "default"),
    }
    manifest = publish_day(plan["out_root"], plan["ds"], plan["staging"],
                           len(plan["shards"]), len(plan["files"]), run_info=run_info,
                           run_started=run_started, skipped_inputs=plan.get("skipped"),
                           gate=quality_gate(plan["ds"], bool(plan["empty"] and
                                                              plan.get("allow_empty")),
                                             settings_mod.Settings(**plan["settings"])),
                           staging_max_age=3600 * plan["settings"].get("staging_max_age_h", 6.0))
    # the run's settings, frozen at find_inputs, for the tasks after this one (the plan
    # is gone with the staging): a Variable changed mid-run never splits a run
    summary = _summary(manifest, plan["empty"]) | {"settings": plan["settings"]}
    c, t = manifest["counts"], manifest["timings"]
    log.info("newsetl publish ds=%s version=%s: %d inputs, %d items -> %d articles, "
             "%d sections, %d rejects (%s), %d duplicates; langs %s; process %.2fs, "
             "publish %.2fs, wall %.1fs, %s", plan["ds"], manifest["version"],
             c["input_files"], c["input_items"], c["articles"], c["sections"], c["rejects"],
             _fmt(c["rejects_by_reason"]), c["duplicates"], _fmt(c["articles_by_lang"]),
             t["process_seconds"], t["publish_seconds"], t["wall_seconds"],
             _rate(c["articles"], t["wall_seconds"]))
    return summary


def rebuild_missing_shards(plan: dict) -> list[int]:
    """Process here the shards of ``plan`` that have no staged output, one after the
    other: a day republished after clearing only some shards (the others' output went
    with the earlier publish). Deterministic: the same rows as the first time. Returns
    their ids."""
    from newsetl.shardfiles import shard_location

    missing = [i for i in range(len(plan["shards"]))
               if not storage.exists(storage.join(shard_location(plan["staging"], i),
                                                  "shard.json"))]
    if not missing:
        return []
    log.warning("newsetl publish ds=%s: %d of %d shards have no staged output (cleared "
                "tasks of a run that had published: its staging went with that publish); "
                "processing them here, one after the other: %s (clear every process_shard "
                "to spread them over the pool instead)", plan["ds"], len(missing),
                len(plan["shards"]), ", ".join(map(str, missing)))
    for shard_id in missing:
        _stage_shard(plan, shard_id)
    return missing


def _quality_checks(counts: dict, ds: str, empty_allowed: bool, cfg) -> list:
    """Evaluate and log every check of a day's counts against the recent published days."""
    from newsetl import quality

    thresholds = quality.Thresholds.from_settings(cfg)
    prior = quality.history(cfg.out_root, ds, thresholds.median_window)
    checks = quality.evaluate(counts, [n for _, n in prior], thresholds,
                              empty_allowed=empty_allowed)
    for check in checks:
        log.info("newsetl quality ds=%s %s %s: %s", ds,
                 "SKIP" if check.skipped else ("PASS" if check.ok else "FAIL"), check.name,
                 check.detail)
    return checks


def quality_gate(ds: str, empty_allowed: bool, cfg: settings_mod.Settings | None = None):
    """A ``publish_day`` gate: a day failing a check is never switched live. ``cfg``:
    the run's settings (from its plan), else the current ones."""
    from newsetl import quality

    def gate(manifest: dict) -> list[dict]:
        settings = cfg or settings_mod.load(variables=True)
        checks = _quality_checks(manifest["counts"], ds, empty_allowed, settings)
        bad = quality.failed(checks)
        if bad:
            raise fail(f"{quality.QualityError(ds, bad)}\n(not published: the previous "
                       f"version of {ds}, if any, stays current)")
        return [check.to_dict() for check in checks]  # stored in the day's manifest

    return gate


def _run_settings(published: dict) -> settings_mod.Settings:
    """The settings the run started with (``publish`` passes them on), else the current
    ones (a run published before this was recorded)."""
    frozen = published.get("settings")
    return settings_mod.Settings(**frozen) if frozen else settings_mod.load(variables=True)


def check_quality(published: dict, plan_info: dict) -> dict:
    """Fail the run (no retries) when a check fails; return every check's numbers.

    ``publish`` already refused to switch a failing day live (:func:`quality_gate`);
    this task records the checks of the published day in XCom and the task log.
    """
    from newsetl import quality

    cfg = _run_settings(published)
    ds = published["ds"]
    empty_allowed = bool(published["empty"] and plan_info.get("allow_empty"))
    checks = _quality_checks(published["counts"], ds, empty_allowed, cfg)
    bad = quality.failed(checks)
    if bad:
        raise fail(str(quality.QualityError(ds, bad)))
    c = published["counts"]
    log.info("newsetl quality ds=%s: all %d checks passed (%d articles, %d rejects: %s)",
             ds, len(checks), c["articles"], c["rejects"], _fmt(c["rejects_by_reason"]))
    return {"ds": ds, "passed": True, "checks": [ch.to_dict() for ch in checks]}


def asset_extra(published: dict, table: str, out_root: str) -> dict:
    """``extra`` of an asset event: the day, its publish id, the Delta table's URI and
    committed version (what a consumer pins), and the counts (small)."""
    c = published["counts"]
    committed = (published.get("tables") or {}).get(table) or {}
    extra = {"ds": published["ds"], "version": published["version"],
             "uri": committed.get("uri") or f"{out_root.rstrip('/')}/{table}",
             "table_version": committed.get("version"),
             "tables": {t: v.get("version") for t, v in (published.get("tables") or {}
                                                         ).items()},
             "articles": c["articles"], "sections": c["sections"], "rejects": c["rejects"],
             "input_items": c["input_items"]}
    if table == "articles":
        extra["articles_by_lang"] = c["articles_by_lang"]
    else:
        extra["rejects_by_reason"] = c["rejects_by_reason"]
    return extra


def emit_assets(published: dict, context: dict) -> dict:
    """Attach the day's counts to the ``articles`` and ``sections`` asset events."""
    out_root = _run_settings(published).out_root
    articles, sections = assets()
    events = context["outlet_events"]
    events[articles].extra = asset_extra(published, "articles", out_root)
    events[sections].extra = asset_extra(published, "sections", out_root)
    c = published["counts"]
    log.info("newsetl assets ds=%s version=%s: %s and %s updated (%d articles, %d sections)",
             published["ds"], published["version"], ARTICLES_ASSET, SECTIONS_ASSET,
             c["articles"], c["sections"])
    return {"ds": published["ds"], "version": published["version"]}


# -- newsetl_stats -----------------------------------------------------------------------

def stats_days_from_events(events: Any) -> list[str]:
    """Distinct ``ds`` values in the triggering asset events (several may be batched)."""
    found: set[str] = set()
    for evs in (events or {}).values():
        for event in evs:
            ds = (getattr(event, "extra", None) or {}).get("ds")
            if ds:
                found.add(str(ds))
    return sorted(found)


def stale_stats_days(out_root: str | os.PathLike[str]) -> list[str]:
    """Published days whose stats are missing or describe an earlier publish."""
    from newsetl.stats import stale_days

    return stale_days(out_root)


def compute_stats(context: dict) -> dict:
    """Recompute ``daily_stats`` for the param ``ds``, the triggering events' days, or all."""
    from newsetl.readers import published_days
    from newsetl.stats import write_daily_stats

    started = time.monotonic()
    cfg = settings_mod.load(variables=True)
    ds = (context.get("params") or {}).get("ds")
    if ds:
        days, source = [resolve_ds({"params": {"ds": ds}})[0]], "param"
    else:
        days = stats_days_from_events(context.get("triggering_asset_events"))
        if days:
            # Also catch up on days whose event never produced a run of its own.
            stale = stale_stats_days(cfg.out_root)
            source = "events" + (f" + {len(set(stale) - set(days))} stale" if set(
                stale) - set(days) else "")
            days = sorted(set(days) | set(stale))
        else:
            days, source = published_days(cfg.out_root), "all published days"
    paths = [str(write_daily_stats(cfg.out_root, day)) for day in days]
    log.info("newsetl stats: %d day(s) from %s: %s (%.2fs)", len(days), source,
             ", ".join(days) or "-", time.monotonic() - started)
    return {"days": days, "source": source, "paths": paths}


# -- newsetl_dedup -----------------------------------------------------------------------

def dedup_spans(days: list[str], window: int) -> list[tuple[str, str]]:
    """Days to recompute near duplicates for, merged into ``(first, last)`` spans: days
    at most ``2 * window`` apart share one run (their rewritten partitions overlap).

    >>> dedup_spans(["2024-03-05", "2024-03-01", "2024-06-01"], 2)
    [('2024-03-01', '2024-03-05'), ('2024-06-01', '2024-06-01')]
    """

    spans: list[list[str]] = []
    for ds in sorted(set(days)):
        if spans and (date.fromisoformat(ds) - date.fromisoformat(spans[-1][1])).days <= (
                2 * window):
            spans[-1][1] = ds
        else:
            spans.append([ds, ds])
    return [(a, b) for a, b in spans]


def compute_near_duplicates(context: dict) -> dict:
    """Recompute ``near_duplicates`` around the param ``ds``, the triggering events' days
    (plus stale days: :func:`newsetl.neardup.stale_days`), or (neither) every published
    day (:func:`newsetl.neardup.dedup_days`)."""
    from newsetl import neardup
    from newsetl.readers import published_days

    started = time.monotonic()
    cfg = settings_mod.load(variables=True)
    params = context.get("params") or {}
    window = params.get("window")
    window = neardup.DEFAULT_WINDOW if window is None else int(window)
    if params.get("ds"):
        days, source = [resolve_ds({"params": {"ds": params["ds"]}})[0]], "param"
    else:
        days = stats_days_from_events(context.get("triggering_asset_events"))
        if days:
            # Also catch up on days whose event never produced a run of its own.
            late = set(neardup.stale_days(cfg.out_root)) - set(days)
            source = "events" + (f" + {len(late)} stale" if late else "")
            days = sorted(set(days) | late)
        else:
            days, source = published_days(cfg.out_root), "all published days"
    runs = [neardup.dedup_days(cfg.out_root, first, last, window=window)
            for first, last in dedup_spans(days, window)]
    log.info("newsetl dedup: %d day(s) from %s in %d run(s), window %d: %d rows (%.2fs)",
             len(days), source, len(runs), window, sum(r["rows"] for r in runs),
             time.monotonic() - started)
    return {"days": days, "source": source, "window": window, "runs": runs}


# -- newsetl_maintenance -----------------------------------------------------------------

def maintain_tables(context: dict) -> dict:
    """Compact, re-pin, checkpoint and vacuum every Delta table of the out root with the
    ``retention_days`` setting (:func:`newsetl.maintain.maintain`)."""
    from newsetl.maintain import maintain

    started = time.monotonic()
    cfg = settings_mod.load(variables=True)
    report = maintain(cfg.out_root, cfg.retention_days)
    for table, done in report.items():
        log.info("newsetl maintain %s: %s", table,
                 ", ".join(f"{k}={v}" for k, v in done.items()))
    log.info("newsetl maintain: %d table(s) of %s, retention %g days (%.2fs)", len(report),
             cfg.out_root, cfg.retention_days, time.monotonic() - started)
    return {"out_root": cfg.out_root, "retention_days": cfg.retention_days, "tables": report}
