"""Run whole days: find inputs, shard, process (optionally in parallel), publish.

This is what the CLI calls; the Airflow DAG calls the same three steps
(:func:`plan_day`, :func:`newsetl.staging.process_shard`, :func:`publish_day`) as
separate tasks.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from newsetl import completeness, ranges, storage
from newsetl.cleanup import cli_run_token, remove_run_staging
from newsetl.completeness import IncompleteDayError
from newsetl.guards import cap_workers, check_layout, mark_out_root
from newsetl.inputs import (
    JSONL,
    ZIP,
    InputFile,
    Limits,
    classify_name,
    day_dir,
    jsonl_splittable,
    scan,
)
from newsetl.layout import run_staging
from newsetl.publish import publish_day
from newsetl.publish import warm_up as warm_up_publishing
from newsetl.ranges import Span, split_file
from newsetl.shards import DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES, Shard, plan_shards
from newsetl.workers import start_forkserver, worker_context

log = logging.getLogger(__name__)


class MissingDayError(FileNotFoundError):
    """The raw folder of a day does not exist or holds no input files (and empty days
    are not allowed)."""


@dataclass
class DayPlan:
    """What a day's run will do: the input files and the shards over them."""

    ds: str
    day: Path | str
    files: list[InputFile]
    shards: list[Shard]
    #: Files of the day folder that are not inputs (hidden uploads), for the manifest.
    skipped: list[dict] = field(default_factory=list)


def plan_day(raw_root: str | os.PathLike[str], ds: str, allow_empty: bool = False,
             max_files: int = DEFAULT_MAX_FILES, max_bytes: int = DEFAULT_MAX_BYTES,
             min_shards: int = 1, limits: Limits | None = None,
             ready_marker: str | None = None, allow_incomplete: bool = False) -> DayPlan:
    """List the day's inputs and cut them into shards. Fails clearly on a missing folder
    or one without input files (:class:`MissingDayError`, unless ``allow_empty``) and on
    a day whose upload is not finished (:class:`IncompleteDayError`, unless
    ``allow_incomplete``; see :mod:`newsetl.completeness`). The messages name the day
    and the path; callers add how to override (a CLI flag, an Airflow param)."""
    day = day_dir(raw_root, ds)
    if not storage.isdir(day):
        if not allow_empty:
            raise MissingDayError(f"raw folder for {ds} not found: {day}")
        return DayPlan(ds, day, [], [])
    found, skipped = scan(day)
    files, markers = completeness.split_markers(found, ready_marker)
    skipped = sorted(skipped + markers, key=lambda d: d["path"])
    state = completeness.check(found, skipped, ready_marker)
    if not state.complete and not allow_incomplete:
        raise IncompleteDayError(f"raw folder for {ds} is not complete: {state.reason()}: "
                                 f"{day}")
    if not files and not allow_empty:
        # e.g. only a hidden upload in progress: publishing it would replace a good day
        skipped_note = f", {len(skipped)} skipped entries" if skipped else ""
        raise MissingDayError(f"raw folder for {ds} holds no input files: {day}{skipped_note}")
    spans = split_big_files(day, files, min_shards, max_bytes, limits or Limits())
    shards = plan_shards(files, max_files=max_files, max_bytes=max_bytes,
                         min_shards=min_shards, spans=spans)
    return DayPlan(ds, day, files, shards, skipped)


def split_big_files(day: Path | str, files: list[InputFile], wanted: int, max_bytes: int,
                    limits: Limits) -> dict[int, list[Span]]:
    """Line ranges of the day's big UTF-8 JSONL files (an index pass reads each such file
    once) and member ranges of its big zips of text members (from the central
    directory), so that one big dump keeps every worker busy. Local days only."""
    if storage.is_remote(day) or wanted <= 1:
        return {}
    spans: dict[int, list[Span]] = {}
    for index, entry in enumerate(files):
        fmt, gz = classify_name(entry.path)
        if fmt not in (JSONL, ZIP) or entry.size < ranges.MIN_SPLIT_BYTES:
            continue
        path = Path(day) / entry.path
        try:
            if fmt == ZIP:
                found = ranges.split_zip(path, wanted, max_bytes)
            elif jsonl_splittable(path, gz):
                budget = limits.stream_budget(entry.size) if gz else None
                found = split_file(path, gz, wanted, max_bytes, budget)
            else:
                continue
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile, ValueError) as exc:
            # damaged (a bad name or offset in a zip too): read whole, where the reader
            # reports it
            log.info("not splitting %s: %s", entry.path, exc)
            continue
        if len(found) > 1:
            spans[index] = found
    return spans


ProgressFn = Callable[[dict, int, int], None]


def run_day(raw_root: str | os.PathLike[str], out_root: str | os.PathLike[str], ds: str, *,
            workers: int = 1, detector: str | None = None, allow_empty: bool = False,
            limits: Limits | None = None, max_files: int = DEFAULT_MAX_FILES,
            max_bytes: int = DEFAULT_MAX_BYTES, on_shard: ProgressFn | None = None,
            run_token: str | None = None, ready_marker: str | None = None,
            allow_incomplete: bool = False) -> dict:
    """Process and publish one day; returns its manifest.

    Each run stages under its own ``run_token`` (default: unique per call, naming this
    host and process, see :mod:`newsetl.cleanup`), so two runs of the same day never
    share or wipe each other's staging; their Delta commits are ordered by delta-rs
    (:mod:`newsetl.publish`). A run that fails or is
    interrupted (SIGINT, or SIGTERM turned into ``SystemExit`` by the CLI) stops its
    workers and removes its staging before the error goes on."""
    if run_token is None:
        run_token = cli_run_token()
    started = time.monotonic()
    workers, why = cap_workers(workers)
    if why:
        log.warning(why)
    check_layout(raw_root, out_root)
    mark_out_root(out_root)
    if workers > 1:  # its warm-up (newsetl.workerwarm) overlaps with the planning
        start_forkserver()
    # Many shards per worker keep every process busy until the end of the day: with ~4
    # per worker, the last round left one worker idle for ~10% of the run (measured).
    plan = plan_day(raw_root, ds, allow_empty=allow_empty, max_files=max_files,
                    max_bytes=max_bytes, min_shards=12 * workers if workers > 1 else 1,
                    limits=limits, ready_marker=ready_marker,
                    allow_incomplete=allow_incomplete)
    staging = run_staging(out_root, ds, run_token)
    storage.remove_tree(staging)
    try:
        _process_shards(plan, staging, workers, detector, limits, on_shard)
        return publish_day(out_root, ds, staging, len(plan.shards), len(plan.files),
                           run_info={"runner": "cli", "workers": workers,
                                     "detector": detector or os.environ.get(
                                         "NEWSETL_DETECTOR", "default")},
                           run_started=started, skipped_inputs=plan.skipped)
    except BaseException:
        # e.g. a full disk: the space of the failed run's staging comes back at once
        remove_run_staging(staging)
        raise


def _process_shards(plan: DayPlan, staging: Path | str, workers: int, detector: str | None,
                    limits: Limits | None, on_shard: ProgressFn | None) -> None:
    # imported here: with workers, only they need the item-processing modules
    from newsetl.staging import process_shard

    total = len(plan.shards)
    if workers <= 1 or total <= 1:  # one shard: faster here than waiting for a worker
        for done, shard in enumerate(plan.shards, 1):
            summary = process_shard(plan.day, plan.files, shard, staging, detector, limits)
            if on_shard:
                on_shard(summary, done, total)
        return
    warm_up_publishing()  # the workers' forkserver is still warming up meanwhile
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=worker_context(),
                               initializer=start_worker,
                               initargs=(os.getpid(), dict(os.environ)))
    try:
        futures = [pool.submit(process_shard, plan.day, plan.files, shard, staging,
                               detector, limits) for shard in plan.shards]
        for done, future in enumerate(as_completed(futures), 1):
            summary = future.result()
            if on_shard:
                on_shard(summary, done, total)
    except BaseException:
        stop_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


#: How often a worker checks that the process that started it is still alive.
PARENT_CHECK_SECONDS = 1.0


def start_worker(parent_pid: int, environ: dict[str, str]) -> None:
    """Worker initializer: the caller's environment now (the forkserver keeps the one it
    started with: credentials set since would be missing), and exit with the parent."""
    os.environ.clear()
    os.environ.update(environ)
    exit_with_parent(parent_pid)


def exit_with_parent(parent_pid: int) -> None:
    """Exit this worker as soon as the CLI process ``parent_pid`` is gone.

    Workers are children of the forkserver, not of the CLI, so a SIGKILLed CLI would
    leave them (and through them the forkserver and the resource tracker) running with
    parent 1. A daemon thread polls the CLI's pid and ends the worker when it is gone.
    """
    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # pragma: no cover - pid reused by another user
                os._exit(1)

    threading.Thread(target=watch, name="newsetl-parent-watch", daemon=True).start()


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's worker processes now (shutdown() would wait for running shards)."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            proc.kill()
