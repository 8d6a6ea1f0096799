"""Run whole days: find inputs, shard, process (optionally in parallel), publish.

This is what the CLI calls; the Airflow DAG calls the same three steps
(:func:`plan_day`, :func:`newsetl.staging.process_shard`, :func:`publish_day`) as
separate tasks.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from newsetl import storage
from newsetl.inputs import InputFile, Limits, day_dir, scan
from newsetl.publish import publish_day, run_staging
from newsetl.shards import DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES, Shard, plan_shards
from newsetl.staging import process_shard


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
             min_shards: int = 1) -> DayPlan:
    """List the day's inputs and cut them into shards; fail clearly on a missing folder
    or one without input files (unless ``allow_empty``)."""
    day = day_dir(raw_root, ds)
    if not storage.isdir(day):
        if not allow_empty:
            raise MissingDayError(
                f"raw folder for {ds} not found: {day} (pass --allow-empty / allow_empty=True "
                "to publish an empty day)")
        return DayPlan(ds, day, [], [])
    files, skipped = scan(day)
    if not files and not allow_empty:
        # e.g. only a hidden upload in progress: publishing it would replace a good day
        skipped_note = f", {len(skipped)} skipped entries" if skipped else ""
        raise MissingDayError(
            f"raw folder for {ds} holds no input files: {day}{skipped_note} (pass "
            "--allow-empty / allow_empty=True to publish an empty day)")
    shards = plan_shards(files, max_files=max_files, max_bytes=max_bytes, min_shards=min_shards)
    return DayPlan(ds, day, files, shards, skipped)


ProgressFn = Callable[[dict, int, int], None]


def run_day(raw_root: str | os.PathLike[str], out_root: str | os.PathLike[str], ds: str, *,
            workers: int = 1, detector: str | None = None, allow_empty: bool = False,
            limits: Limits | None = None, max_files: int = DEFAULT_MAX_FILES,
            max_bytes: int = DEFAULT_MAX_BYTES, on_shard: ProgressFn | None = None,
            run_token: str | None = None) -> dict:
    """Process and publish one day; returns its manifest.

    Each run stages under its own ``run_token`` (default: unique per call), so two
    runs of the same day never share or wipe each other's staging; the day lock in
    :func:`newsetl.publish.publish_day` orders their switches."""
    if run_token is None:
        run_token = f"cli-{os.getpid()}-{secrets.token_hex(4)}"
    started = time.monotonic()
    # Many shards per worker keep every process busy until the end of the day: with ~4
    # per worker, the last round left one worker idle for ~10% of the run (measured).
    plan = plan_day(raw_root, ds, allow_empty=allow_empty, max_files=max_files,
                    max_bytes=max_bytes, min_shards=12 * workers if workers > 1 else 1)
    staging = run_staging(out_root, ds, run_token)
    storage.remove_tree(staging)
    total = len(plan.shards)
    done = 0
    if workers <= 1 or total <= 1:
        for shard in plan.shards:
            summary = process_shard(plan.day, plan.files, shard, staging, detector, limits)
            done += 1
            if on_shard:
                on_shard(summary, done, total)
    else:
        ctx = get_context("forkserver")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = [pool.submit(process_shard, plan.day, plan.files, shard, staging,
                                   detector, limits) for shard in plan.shards]
            for future in as_completed(futures):
                summary = future.result()
                done += 1
                if on_shard:
                    on_shard(summary, done, total)
    manifest = publish_day(out_root, ds, staging, total, len(plan.files),
                           run_info={"runner": "cli", "workers": workers,
                                     "detector": detector or os.environ.get(
                                         "NEWSETL_DETECTOR", "default")},
                           run_started=started, skipped_inputs=plan.skipped)
    return manifest
