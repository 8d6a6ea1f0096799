"""``newsetl`` command line: process and publish days of raw news dumps.

Examples::

    newsetl run --raw-root include/sample_data/raw --out-root data/out --ds 2024-03-01
    newsetl run --raw-root R --out-root O --from 2024-03-01 --to 2024-03-03 --workers 2
    newsetl dedup --out-root data/out --ds 2024-03-01 --window 30
    newsetl reasons
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
import traceback
from collections import Counter
from datetime import date, timedelta

from newsetl import __version__, reasons
from newsetl.cleanup import DEFAULT_MAX_AGE
from newsetl.items import Limits, MiB
from newsetl.langid import DETECTORS
from newsetl.shards import DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES


def parse_ds(value: str) -> date:
    """argparse type for ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def whole_number(value: str, minimum: int) -> int:
    """A whole number of at least ``minimum``, or an argparse error saying what is wrong."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}: {value!r}")
    return number


def positive_int(value: str) -> int:
    """argparse type for counts (workers, files per shard).

    >>> positive_int("2")
    2
    """
    return whole_number(value, 1)


def non_negative_int(value: str) -> int:
    """argparse type for a window of days (0 allowed: the same day only).

    >>> non_negative_int("0")
    0
    """
    return whole_number(value, 0)


def positive_mb(value: str) -> float:
    """argparse type for sizes in megabytes (at least one byte)."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not number * MiB >= 1:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a positive size in MB: {value!r}")
    return number


def day_range(start: date, end: date) -> list[str]:
    """Inclusive list of ISO days.

    >>> day_range(date(2024, 2, 28), date(2024, 3, 1))
    ['2024-02-28', '2024-02-29', '2024-03-01']
    """
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsetl",
        description="Raw news-article dumps -> clean, typed, language-tagged Parquet.",
    )
    parser.add_argument("--version", action="version", version=f"newsetl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="process and publish one day or a range of days",
                         description="Process <raw-root>/<ds>/ and publish it atomically under "
                                     "<out-root> (articles, sections, rejects, manifest).")
    run.add_argument("--raw-root", required=True, help="folder holding one sub-folder per day")
    run.add_argument("--out-root", required=True, help="dataset root to publish into")
    days = run.add_mutually_exclusive_group(required=True)
    days.add_argument("--ds", type=parse_ds, help="the day to process (YYYY-MM-DD)")
    days.add_argument("--from", dest="start", type=parse_ds,
                      help="first day of a range (inclusive; needs --to)")
    run.add_argument("--to", dest="end", type=parse_ds, help="last day of a range (inclusive)")
    run.add_argument("--workers", type=positive_int, default=1,
                     help="processes working on shards in parallel (default 1)")
    run.add_argument("--detector", choices=DETECTORS, default=None,
                     help="language detector (default: $NEWSETL_DETECTOR or the package default)")
    run.add_argument("--allow-empty", action="store_true",
                     help="publish an empty day when the raw folder is missing or holds no "
                          "input files, instead of failing")
    run.add_argument("--allow-incomplete", action="store_true",
                     help="publish a day whose upload looks unfinished (files such as "
                          "*.partial or *.tmp, or a missing --ready-marker) instead of "
                          "failing")
    run.add_argument("--ready-marker", metavar="NAME", default=None,
                     help="a day is complete only when its folder holds this file "
                          "(e.g. _SUCCESS); it is never read as an input")
    run.add_argument("--max-article-mb", type=positive_mb, default=5.0,
                     help="reject articles larger than this (too_large; default 5)")
    run.add_argument("--max-archive-mb", type=positive_mb, default=4096.0,
                     help="decompressed-size budget per archive (zip-bomb guard; default 4096)")
    run.add_argument("--shard-files", type=positive_int, default=DEFAULT_MAX_FILES,
                     help=f"max input files per shard (default {DEFAULT_MAX_FILES})")
    run.add_argument("--shard-mb", type=positive_mb, default=DEFAULT_MAX_BYTES / MiB,
                     help=f"max input megabytes per shard (default {DEFAULT_MAX_BYTES // MiB})")
    run.add_argument("--progress", choices=("auto", "bar", "lines", "none"), default="auto",
                     help="progress bar on a terminal, plain lines otherwise (default auto)")
    run.add_argument("--json", action="store_true",
                     help="print the manifests' counts as JSON instead of a table")
    run.add_argument("--no-dedup", action="store_true",
                     help="do not update near_duplicates after publishing (run "
                          "`newsetl dedup` later)")
    run.add_argument("--window", type=non_negative_int, default=None,
                     help="near-duplicate window in days either side (default "
                          "neardup.DEFAULT_WINDOW, 30)")

    dedup = sub.add_parser(
        "dedup", help="recompute the near_duplicates of the days whose window holds a day",
        description="Cluster near and exact duplicates across days from the signatures "
                    "table: rewrites the near_duplicates partitions of every day within "
                    "--window of --ds (or of the range), in one commit. The result does "
                    "not depend on the order days were published in.")
    dedup.add_argument("--out-root", required=True)
    dedup_days = dedup.add_mutually_exclusive_group(required=True)
    dedup_days.add_argument("--ds", type=parse_ds, help="the (re)published day")
    dedup_days.add_argument("--from", dest="start", type=parse_ds,
                            help="first day of a range (inclusive; needs --to)")
    dedup.add_argument("--to", dest="end", type=parse_ds, help="last day of a range")
    dedup.add_argument("--window", type=non_negative_int, default=None,
                       help="days either side searched for copies (default 30)")
    dedup.add_argument("--threshold", type=float, default=None,
                       help="estimated Jaccard similarity of a near duplicate (default 0.8)")

    gc = sub.add_parser("gc", help="remove the staging that dead runs left below an out root",
                        description="Remove staging folders of runs that died: CLI runs of "
                                    "this host whose process is gone, and any run whose "
                                    "staging was not written to for --max-age-hours (an "
                                    "Airflow try may still be running before that).")
    gc.add_argument("--out-root", required=True)
    gc.add_argument("--ds", type=parse_ds, help="only this day (default: every day)")
    gc.add_argument("--max-age-hours", type=positive_mb, default=DEFAULT_MAX_AGE / 3600,
                    help=f"idle age of dead staging (default {DEFAULT_MAX_AGE // 3600})")
    maintain = sub.add_parser("maintain", help="compact, checkpoint and vacuum the tables",
                              description="Compact small files, move the manifests' pins to "
                                          "the compacted versions, write checkpoints and "
                                          "vacuum files replaced longer ago than the "
                                          "retention (pinned versions are kept).")
    maintain.add_argument("--out-root", required=True)
    maintain.add_argument("--retention-days", type=float, default=7.0,
                          help="keep replaced files this long: time travel reaches back "
                               "this far (default 7)")
    migrate = sub.add_parser("migrate", help="convert an old-layout out root (symlinks, "
                                             "_versions) into the Delta tables")
    migrate.add_argument("--out-root", required=True)
    sub.add_parser("reasons", help="list the reject reason codes and what they mean")
    show = sub.add_parser("manifest", help="print the published manifest of a day")
    show.add_argument("--out-root", required=True)
    show.add_argument("--ds", type=parse_ds, required=True)
    show.add_argument("--as-of", type=int, default=None, metavar="VERSION",
                      help="version of the manifests table (time travel; default latest)")
    files = sub.add_parser("files", help="list the Parquet files of a table's published "
                                          "days (paths or URLs, for DuckDB/Spark)")
    files.add_argument("--out-root", required=True)
    files.add_argument("--table", choices=("articles", "sections", "rejects", "signatures",
                                           "near_duplicates"),
                       default="articles")
    files.add_argument("--ds", type=parse_ds, action="append",
                       help="only this day (repeatable; default: every published day)")
    files.add_argument("--as-of", type=int, default=None, metavar="VERSION",
                       help="version of the manifests table (time travel; default latest)")
    return parser


class _Progress:
    """A rich progress bar on a terminal, plain lines otherwise."""

    def __init__(self, mode: str) -> None:
        if mode == "auto":
            mode = "bar" if sys.stderr.isatty() else "lines"
        self.mode = mode
        self.bar = None
        self.task = None

    def start_day(self, ds: str) -> None:
        self.ds = ds
        if self.mode == "lines":
            print(f"[{ds}] processing", file=sys.stderr, flush=True)

    def shard_done(self, summary: dict, done: int, total: int) -> None:
        if self.mode == "lines":
            print(f"[{self.ds}] shard {done}/{total}: {summary['n_items']} items, "
                  f"{summary['n_articles']} articles, {summary['n_rejects']} rejects "
                  f"({summary['seconds']:.1f}s)", file=sys.stderr, flush=True)
        elif self.mode == "bar":
            if self.bar is None:
                from rich.progress import Progress

                self.bar = Progress(transient=True)
                self.bar.start()
            if self.task is None:
                self.task = self.bar.add_task(f"{self.ds} shards", total=total)
            self.bar.update(self.task, completed=done)

    def end_day(self) -> None:
        if self.bar is not None:
            self.bar.stop()
        self.bar, self.task = None, None


def cmd_run(args: argparse.Namespace) -> int:
    from newsetl.completeness import IncompleteDayError
    from newsetl.guards import LayoutError, cap_workers, check_layout
    from newsetl.pipeline import MissingDayError, run_day

    if args.start is not None:
        if args.end is None:
            print("newsetl: error: --from needs --to", file=sys.stderr)
            return 2
        try:
            days = day_range(args.start, args.end)
        except ValueError as exc:
            print(f"newsetl: error: {exc}", file=sys.stderr)
            return 2
    else:
        days = [args.ds.isoformat()]
    limits = Limits(max_article_bytes=max(1, int(args.max_article_mb * MiB)),
                    max_archive_bytes=max(1, int(args.max_archive_mb * MiB)))
    workers, why = cap_workers(args.workers)
    if why:
        print(f"newsetl: {why}", file=sys.stderr)
    try:
        check_layout(args.raw_root, args.out_root)
    except LayoutError as exc:
        print(f"newsetl: error: {exc}", file=sys.stderr)
        return 2
    progress = _Progress(args.progress)
    manifests, failures = [], []
    started = time.monotonic()
    for ds in days:
        progress.start_day(ds)
        try:
            manifest = run_day(args.raw_root, args.out_root, ds, workers=workers,
                               detector=args.detector, allow_empty=args.allow_empty,
                               limits=limits, max_files=args.shard_files,
                               max_bytes=max(1, int(args.shard_mb * MiB)),
                               on_shard=progress.shard_done,
                               ready_marker=args.ready_marker,
                               allow_incomplete=args.allow_incomplete)
        except MissingDayError as exc:
            failures.append((ds, str(exc)))
            _record(args.out_root, ds, exc)
            print(f"newsetl: error: {exc} (pass --allow-empty to publish an empty day)",
                  file=sys.stderr)
            continue
        except IncompleteDayError as exc:
            failures.append((ds, str(exc)))
            _record(args.out_root, ds, exc)
            print(f"newsetl: error: {exc} (wait for the upload, or pass --allow-incomplete)",
                  file=sys.stderr)
            continue
        except Exception as exc:  # noqa: BLE001 - one failed day must not stop a range
            failures.append((ds, f"{type(exc).__name__}: {exc}"))
            _record(args.out_root, ds, exc)
            if not isinstance(exc, OSError):  # a bug, not the environment: keep the trace
                traceback.print_exc()
            print(f"newsetl: error: {ds} failed, nothing published for it: "
                  f"{type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        finally:
            progress.end_day()
        manifests.append(manifest)
    if manifests and not args.no_dedup:
        published = sorted(m["ds"] for m in manifests)
        if not _run_dedup(args.out_root, published[0], published[-1], args.window, None):
            failures.append(("dedup", "near_duplicates not updated"))
    elapsed = time.monotonic() - started
    if len(days) > 1 and failures:
        print(f"newsetl: {len(failures)} of {len(days)} day(s) failed: "
              + ", ".join(ds for ds, _ in failures), file=sys.stderr)
    if not manifests:
        return 1
    if args.json:
        print(json.dumps([{"ds": m["ds"], **m["counts"]} for m in manifests], indent=1))
    else:
        print_summary(manifests, elapsed)
    return 1 if failures else 0


def _run_dedup(out_root: str, first: str, last: str, window: int | None,
               threshold: float | None) -> dict | None:
    """Update ``near_duplicates`` for the days around ``[first, last]``; the summary, or
    None after printing why it failed (the days themselves stay published)."""
    from newsetl import neardup

    try:
        summary = neardup.dedup_days(
            out_root, first, last,
            window=neardup.DEFAULT_WINDOW if window is None else window,
            threshold=neardup.DEFAULT_THRESHOLD if threshold is None else threshold)
    except Exception as exc:  # noqa: BLE001 - report, the days are published anyway
        traceback.print_exc()
        print(f"newsetl: error: near_duplicates not updated for {first}..{last}: "
              f"{type(exc).__name__}: {exc} (rerun `newsetl dedup`)", file=sys.stderr)
        return None
    print(f"newsetl dedup {first}..{last}: {summary['rows']} near_duplicates rows "
          f"{summary['by_kind']} for days {summary['days_rewritten'][0]}.."
          f"{summary['days_rewritten'][1]} ({summary['articles_read']} signatures read)",
          file=sys.stderr)
    return summary


def cmd_dedup(args: argparse.Namespace) -> int:
    if args.start is not None and args.end is None:
        print("newsetl: error: --from needs --to", file=sys.stderr)
        return 2
    if args.end is not None and args.start is None:
        print("newsetl: error: --to needs --from", file=sys.stderr)
        return 2
    first = (args.start or args.ds).isoformat()
    last = (args.end or args.ds).isoformat()
    if last < first:
        print(f"newsetl: error: --to {last} is before --from {first}", file=sys.stderr)
        return 2
    if args.threshold is not None and not 0 < args.threshold <= 1:
        print("newsetl: error: --threshold must be in (0, 1]", file=sys.stderr)
        return 2
    summary = _run_dedup(args.out_root, first, last, args.window, args.threshold)
    if summary is None:
        return 1
    print(json.dumps(summary))
    return 0


def print_summary(manifests: list[dict], elapsed: float) -> None:
    """Per-day table plus totals by language and reject reason."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    days = Table(title="newsetl run", min_width=60)
    for col in ("day", "files", "items", "articles", "rejects", "duplicates", "seconds"):
        days.add_column(col, justify="right" if col != "day" else "left")
    langs: Counter[str] = Counter()
    why: Counter[str] = Counter()
    for m in manifests:
        c = m["counts"]
        langs.update(c["articles_by_lang"])
        why.update(c["rejects_by_reason"])
        days.add_row(m["ds"], str(c["input_files"]), str(c["input_items"]), str(c["articles"]),
                     str(c["rejects"]), str(c["duplicates"]),
                     f"{m['timings'].get('wall_seconds', 0):.1f}")
    console.print(days)
    by_lang = Table(title="articles by language", min_width=30)
    by_lang.add_column("lang")
    by_lang.add_column("articles", justify="right")
    for lang, n in sorted(langs.items(), key=lambda kv: (-kv[1], kv[0])):
        by_lang.add_row(lang, str(n))
    console.print(by_lang)
    by_reason = Table(title="rejects by reason", min_width=30)
    by_reason.add_column("reason")
    by_reason.add_column("rows", justify="right")
    for reason, n in sorted(why.items(), key=lambda kv: (-kv[1], kv[0])):
        by_reason.add_row(reason, str(n))
    if not why:
        by_reason.add_row("(none)", "0")
    console.print(by_reason)
    total = sum(m["counts"]["articles"] for m in manifests)
    rate = total / elapsed if elapsed > 0 else 0.0
    console.print(f"{len(manifests)} day(s), {total} articles in {elapsed:.1f}s "
                  f"({rate:.0f} articles/s)")


def cmd_reasons() -> int:
    width = max(map(len, reasons.REASONS))
    for code, meaning in reasons.REASONS.items():
        print(f"{code.ljust(width)}  {meaning}")
    return 0


def cmd_manifest(args: argparse.Namespace) -> int:
    from newsetl.readers import read_manifest

    manifest = read_manifest(args.out_root, args.ds.isoformat(), as_of=args.as_of)
    if manifest is None:
        print(f"newsetl: error: no published manifest for {args.ds} under {args.out_root}",
              file=sys.stderr)
        return 1
    print(json.dumps(manifest, indent=1, ensure_ascii=False))
    return 0


def cmd_files(args: argparse.Namespace) -> int:
    from newsetl.readers import snapshot, table_files

    days = [d.isoformat() for d in args.ds] if args.ds else None
    paths = table_files(args.out_root, args.table, days,
                        snap=snapshot(args.out_root, days, as_of=args.as_of))
    for path in paths:
        print(path)
    if not paths:
        which = ", ".join(days) if days else "any day"
        print(f"newsetl: error: no published {args.table} files for {which} under "
              f"{args.out_root}", file=sys.stderr)
        return 1
    return 0


def _record(out_root: str, ds: str, exc: BaseException) -> None:
    """Leave the day's failure for the News ETL page (:mod:`newsetl.daystatus`)."""
    from newsetl import daystatus
    from newsetl.guards import LayoutError

    if isinstance(exc, LayoutError):
        return  # nothing may be written under a misplaced out root
    try:
        daystatus.record_failure(out_root, ds, where="newsetl run",
                                 error=f"{type(exc).__name__}: {exc}")
    except OSError as err:  # e.g. the full disk that failed the run
        print(f"newsetl: cannot record the failure of {ds}: {err}", file=sys.stderr)


def cmd_gc(args: argparse.Namespace) -> int:
    from newsetl.cleanup import remove_dead_staging

    ds = args.ds.isoformat() if args.ds else None
    removed = remove_dead_staging(args.out_root, ds, max_age=args.max_age_hours * 3600)
    for run in removed:
        idle = "" if run.idle is None else f" (idle {run.idle / 3600:.1f} h)"
        print(f"removed staging ds={run.ds} {run.token}{idle}")
    print(f"{len(removed)} dead staging folder(s) removed")
    return 0


def cmd_maintain(args: argparse.Namespace) -> int:
    from newsetl.maintain import maintain

    if args.retention_days < 0:
        print("newsetl: error: --retention-days must not be negative", file=sys.stderr)
        return 2
    for table, done in maintain(args.out_root, args.retention_days).items():
        print(f"{table}: " + ", ".join(f"{k}={v}" for k, v in done.items()))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from newsetl.migrate import MigrationError, migrate

    try:
        report = migrate(args.out_root)
    except MigrationError as exc:
        print(f"newsetl: error: {exc}", file=sys.stderr)
        return 1
    for entry in report:
        print(json.dumps(entry))
    print(f"{sum(1 for e in report if 'ds' in e and not e['skipped'])} day(s) migrated, "
          f"{sum(1 for e in report if e.get('skipped'))} already migrated")
    return 0


def _exit_on_sigterm(signum: int, _frame) -> None:
    """SIGTERM (``kill``, a container stop) unwinds like Ctrl-C: workers are stopped
    and the run's staging removed on the way out."""
    raise SystemExit(128 + signum)


def _start_workers_early(requested: int) -> None:
    """With several workers, start their forkserver before importing the pipeline: its
    warm-up (:mod:`newsetl.workerwarm`) runs meanwhile, on another core."""
    from newsetl.guards import cap_workers

    if cap_workers(requested)[0] > 1:
        from newsetl.workers import start_forkserver

        start_forkserver()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        if args.end is not None and args.start is None:
            print("newsetl: error: --to needs --from", file=sys.stderr)
            return 2
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        _start_workers_early(args.workers)
        return cmd_run(args)
    if args.command == "gc":
        return cmd_gc(args)
    if args.command == "reasons":
        return cmd_reasons()
    if args.command == "files":
        return cmd_files(args)
    if args.command == "maintain":
        return cmd_maintain(args)
    if args.command == "migrate":
        return cmd_migrate(args)
    if args.command == "dedup":
        return cmd_dedup(args)
    return cmd_manifest(args)


if __name__ == "__main__":
    sys.exit(main())
