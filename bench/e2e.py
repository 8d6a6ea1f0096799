"""End-to-end throughput and peak memory of ``newsetl run`` on generated days.

For each size, generates a deterministic day (bench/generate.py), runs the real CLI in a
subprocess with section-level language on (always on in newsetl), and prints
articles/second and the peak memory of the whole process tree (main process, forkserver
and workers): the summed RSS, sampled every 50 ms, and the summed PSS, which counts a
page the workers share with the forkserver (the language models) once, not once per
process, sampled every 0.5 s. PSS is read from ``/proc/<pid>/smaps_rollup``, which
walks every mapping of the process: ~3.7 CPU ms a sample of the four processes of a
run with two workers (and the process list ~0.6 ms), against ~0.08 ms for the RSS and
CPU times. Sampled every 50 ms, the sampling itself took ~5 % of a 2-core machine
from the run it measured (a 5,000-page WARC day: 25.8 s in the bench, 23.8 s alone).
On a shared machine wall seconds depend on what else runs; the CPU seconds of
the whole process tree (user + system, from ``getrusage`` of the reaped children) do
not, so each row also gives ``CPU s`` and ``items/CPU s``: with ``--workers N`` on N
idle cores, items/s can approach N x items/CPU s minus what the main process spends
alone (planning, publishing); "main + busiest worker" is the wall time the run would
take on idle cores if it were CPU-bound. Workers are children of multiprocessing's
forkserver, which nobody reaps, so their CPU time is sampled with the memory (the last
sample of each process: up to 50 ms of each one's end is missed).

    python bench/e2e.py --sizes 20000 100000 --workers 2
    python bench/e2e.py --warc --sizes 5000 --workers 2          # a generated crawl day
    python bench/e2e.py --warc-pages /tmp/aeb --sizes 3000      # real pages, see below

``--warc`` generates HTML news pages shaped like real ones (bench/generate.py's
``article_page``); ``--warc-pages`` packs the ScrapingHub benchmark's 181 real pages
(a checkout, as for bench/extract_quality.py) into ``.warc.gz`` files, repeated up to
the size: the honest measure of a crawl of real pages (the repeats are extracted like
the first copies, then flagged as duplicates).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate, generate_warc, pack_real_warc  # noqa: E402


def tree_rss(proc: psutil.Process, cpu: dict[int, float] | None = None,
             tree: list[psutil.Process] | None = None,
             with_pss: bool = True) -> tuple[int, int | None]:
    """The RSS and the PSS (None without ``with_pss``) of a process and its descendants
    (``tree``: the processes as last listed, else listed now); ``cpu`` gets each
    descendant's CPU seconds so far (user + system) by pid.

    The summed RSS counts pages shared by several processes once per process: the
    workers are forked from a forkserver that holds the language models and modules, so
    each worker's RSS repeats them. PSS (proportional set size) splits a shared page
    among the processes that map it, so the summed PSS is the memory the run takes."""
    total = pss = 0
    for p in tree if tree is not None else [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error, OSError):  # a worker may exit meanwhile
            total += p.memory_info().rss
            if with_pss:
                pss += _pss(p.pid)
            if cpu is not None and p.pid != proc.pid:
                times = p.cpu_times()
                cpu[p.pid] = times.user + times.system
    return total, pss if with_pss else None


#: Seconds between RSS and CPU samples; every ``PSS_EVERY``-th sample also lists the
#: process tree again and reads PSS (costly: see the module docstring).
SAMPLE_SECONDS = 0.05
PSS_EVERY = 10


def _pss(pid: int) -> int:
    """A process's PSS in bytes, from /proc/<pid>/smaps_rollup (one line, cheap)."""
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0


def run_once(raw: Path, out: Path, ds: str, workers: int, detector: str,
             code: Path | None = None) -> dict:
    env = dict(os.environ)
    if code is not None:  # another checkout's package first on the path (before/after)
        env["PYTHONPATH"] = str(code / "include")
    cmd = [str(Path(sys.executable).with_name("newsetl")), "run", "--raw-root", str(raw),
           "--out-root", str(out), "--ds", ds, "--workers", str(workers), "--detector",
           detector, "--progress", "none", "--json"]
    started = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    ps = psutil.Process(proc.pid)
    peak = peak_pss = 0
    descendants_cpu: dict[int, float] = {}
    tree: list[psutil.Process] = [ps]
    samples = 0
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            full = samples % PSS_EVERY == 0
            if full:
                tree = [ps, *ps.children(recursive=True)]
            rss, pss = tree_rss(ps, descendants_cpu, tree, with_pss=full)
            peak = max(peak, rss)
            peak_pss = max(peak_pss, pss or 0)
        samples += 1
        time.sleep(SAMPLE_SECONDS)
    elapsed = time.perf_counter() - started
    out_text, err_text = proc.communicate()
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # the main process (reaped here) plus each worker's last sample
    main_cpu = ((cpu_after.ru_utime - cpu_before.ru_utime)
                + (cpu_after.ru_stime - cpu_before.ru_stime))
    cpu = main_cpu + sum(descendants_cpu.values())
    # on idle cores: the main process alone, then the busiest worker (the main process
    # waits while the workers run)
    cpu_bound = main_cpu + max(descendants_cpu.values(), default=0.0)
    if proc.returncode != 0:
        raise SystemExit(f"newsetl failed: {err_text}")
    counts = json.loads(out_text)[0]
    return {"seconds": elapsed, "cpu_seconds": cpu, "main_cpu_seconds": main_cpu,
            "cpu_bound_seconds": cpu_bound, "peak_rss_mb": peak / 1e6,
            "peak_pss_mb": peak_pss / 1e6, **counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20000, 100000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--detector", default="fast")
    parser.add_argument("--keep", type=Path, help="keep generated data here")
    parser.add_argument("--article-size", choices=("real", "short"), default="real",
                        help="real: ~3.4 KB articles like real news; short: ~1.6 KB")
    parser.add_argument("--warc", action="store_true",
                        help="a crawl day: HTML pages (~100 KB each) in .warc.gz files; "
                             "items/s are pages/s")
    parser.add_argument("--warc-pages", type=Path, metavar="BENCHMARK",
                        help="a crawl day of real pages: the ScrapingHub benchmark's 181 "
                             "pages (a checkout, as for bench/extract_quality.py) packed "
                             "into .warc.gz files, repeated up to each size")
    parser.add_argument("--code", type=Path, action="append", default=[],
                        help="also run another checkout of the project (its include/ "
                             "first on PYTHONPATH), side by side; repeatable")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsetl-bench-"))
    rows = []
    try:
        for size in args.sizes:
            kind = "real-warc-" if args.warc_pages else "warc-" if args.warc else ""
            raw = work / f"raw-{kind}{size}"
            if not (raw / "2024-01-01").exists():
                if args.warc_pages:
                    pack_real_warc(raw, "2024-01-01", size, args.warc_pages)
                else:
                    make = generate_warc if args.warc else generate
                    make(raw, "2024-01-01", size, seed=size, article_size=args.article_size)
            for code in [None, *args.code]:
                out = work / f"out-{size}"
                shutil.rmtree(out, ignore_errors=True)
                result = run_once(raw, out, "2024-01-01", args.workers, args.detector, code)
                rate = result["input_items"] / result["seconds"]
                label = f"{size:,} ({code or 'this checkout'})"
                cpu = result["cpu_seconds"]
                rows.append((label, result["articles"], result["seconds"], rate,
                             result["peak_rss_mb"], result["peak_pss_mb"], cpu,
                             result["input_items"] / cpu))
                print(f"{label}, {args.article_size} articles: {result['articles']} articles in "
                      f"{result['seconds']:.1f}s "
                  f"= {rate:,.0f} items/s, "
                      f"{result['articles'] / result['seconds']:,.0f} published articles/s, "
                      f"peak RSS {result['peak_rss_mb']:.0f} MB (PSS "
                      f"{result['peak_pss_mb']:.0f} MB), {cpu:.1f} CPU s = "
                      f"{result['input_items'] / cpu:,.0f} items/CPU s (main process "
                      f"{result['main_cpu_seconds']:.1f} CPU s; main + busiest worker "
                      f"{result['cpu_bound_seconds']:.1f} CPU s = "
                      f"{result['input_items'] / result['cpu_bound_seconds']:,.0f} items/s "
                      f"on idle cores) "
                      f"(workers={args.workers}, detector={args.detector})", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print("| items | articles | seconds | items/s | articles/s | peak RSS (MB) "
          "| peak PSS (MB) | CPU s | items/CPU s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, arts, secs, rate, rss, pss, cpu, per_cpu in rows:
        print(f"| {size} | {arts:,} | {secs:.1f} | {rate:,.0f} | {arts / secs:,.0f} "
              f"| {rss:.0f} | {pss:.0f} | {cpu:.1f} | {per_cpu:,.0f} |")
    mine = [r for r in rows if "this checkout" in r[0]]
    if len(mine) >= 2:
        print(f"\nRSS growth from {mine[0][0]} to {mine[-1][0]} items: "
              f"{mine[-1][4] / mine[0][4]:.2f}x")


if __name__ == "__main__":
    main()
