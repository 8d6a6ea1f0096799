"""Peak memory (all processes) and throughput of ``newsetl run`` on every day shape.

The same generated real-length articles (~3.3 KB) as many small files (the mixed day of
bench/generate.py), as one ``.jsonl.gz``, as one ``.zip``, at 20,000 and 100,000
articles, and (``--big``) a ``.jsonl.gz`` of about 1 GB. Each run is the real CLI in a
subprocess; peak RSS is the sum over the process tree (CLI, workers, forkserver),
sampled every 50 ms (bench/e2e.py).

    python bench/memory.py --workers 2            # 20k and 100k, three shapes
    python bench/memory.py --sizes 20000 --big    # plus the 1 GB file
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from e2e import run_once  # noqa: E402
from generate import generate, generate_one_file  # noqa: E402

DS = "2024-01-01"
GB = 1024 ** 3


def make_day(work: Path, shape: str, size: int | None) -> Path:
    raw = work / f"raw-{shape}-{size or 'big'}"
    if not (raw / DS).exists():
        if shape == "files":
            generate(raw, DS, size, seed=size, article_size="real")
        elif size is None:
            generate_one_file(raw, DS, 0, "jsonl.gz", seed=7, target_bytes=GB)
        else:
            generate_one_file(raw, DS, size, shape, seed=size)
    return raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[20000, 100000])
    parser.add_argument("--shapes", nargs="+", default=["files", "jsonl.gz", "zip"])
    parser.add_argument("--big", action="store_true", help="also a ~1 GB .jsonl.gz")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep generated days here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsetl-memory-"))
    runs = [(shape, size) for size in args.sizes for shape in args.shapes]
    if args.big:
        runs.append(("jsonl.gz", None))
    rows = []
    try:
        for shape, size in runs:
            raw = make_day(work, shape, size)
            day_bytes = sum(p.stat().st_size for p in (raw / DS).rglob("*") if p.is_file())
            out = work / "out"
            shutil.rmtree(out, ignore_errors=True)
            result = run_once(raw, out, DS, args.workers, "fast")
            label = f"{'~1 GB' if size is None else f'{size:,}'} as {shape}"
            rate = result["articles"] / result["seconds"]
            rows.append((label, day_bytes / 1e6, result["articles"], result["seconds"], rate,
                         result["peak_rss_mb"]))
            print(f"{label}: {day_bytes / 1e6:,.0f} MB, {result['articles']:,} articles in "
                  f"{result['seconds']:.1f}s = {rate:,.0f} articles/s, peak RSS "
                  f"{result['peak_rss_mb']:,.0f} MB (workers={args.workers})", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print("| day | input MB | articles | seconds | articles/s | peak RSS, all processes (MB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, mb, articles, seconds, rate, rss in rows:
        print(f"| {label} | {mb:,.0f} | {articles:,} | {seconds:.1f} | {rate:,.0f} | {rss:,.0f} |")


if __name__ == "__main__":
    main()
