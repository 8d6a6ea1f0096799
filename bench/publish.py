"""Publish time alone: the same staged day published by this checkout and by others.

Generates a deterministic day (bench/generate.py), processes it once into a staging
folder (the staged shard format is shared by every checkout), then times
``publish_day`` of each checkout on a fresh copy of that staging into an empty out
root, alternating checkouts for ``--repeat`` rounds, and prints the median and best wall
seconds, the median CPU seconds of all the publisher's threads (steadier than wall time
on a shared machine) and the publisher's peak RSS.

    python bench/publish.py --articles 20000 --code /path/to/other/checkout

``--staged DIR`` keeps the generated and processed day in DIR and reuses it on the next
run with the same ``--articles`` (processing 100,000 articles takes minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

HERE = Path(__file__).resolve().parents[1]
DS = "2024-01-01"
#: Runs in a child process with one checkout's include/ on the path.
CHILD = """
import json, resource, sys, time
from newsetl.publish import publish_day
staging, out, n_shards, n_files = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
started, cpu = time.perf_counter(), time.process_time()
manifest = publish_day(out, "2024-01-01", staging, n_shards, n_files)
print(json.dumps({"seconds": time.perf_counter() - started,
                  "cpu_seconds": time.process_time() - cpu,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "articles": manifest["counts"]["articles"]}))
"""


def stage(raw: Path, staging: Path, workers: int) -> tuple[int, int]:
    """Process the day into ``staging`` once; (shards, input files)."""
    from newsetl.pipeline import _process_shards, plan_day

    plan = plan_day(raw, DS, min_shards=12 * workers if workers > 1 else 1)
    _process_shards(plan, staging, workers, "fast", None, None)
    return len(plan.shards), len(plan.files)


def publish_once(code: Path, staged: Path, work: Path, n_shards: int, n_files: int) -> dict:
    staging, out = work / "staging", work / "out"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(staged, staging)
    env = dict(os.environ, PYTHONPATH=str(code / "include"))
    done = subprocess.run([sys.executable, "-c", CHILD, str(staging), str(out), str(n_shards),
                           str(n_files)], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--code", type=Path, action="append", default=[],
                        help="another checkout to time side by side (repeatable)")
    parser.add_argument("--staged", type=Path, help="keep (and reuse) the staged day here")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE / "include"))
    with tempfile.TemporaryDirectory(prefix="newsetl-bench-publish-") as tmp:
        root = Path(tmp)
        kept = args.staged / f"{args.articles}.json" if args.staged else None
        staged = args.staged / str(args.articles) if args.staged else root / "staged"
        if kept is not None and kept.exists():
            n_shards, n_files = json.loads(kept.read_text())
        else:
            generate(root / "raw", DS, args.articles, seed=args.articles, article_size="real")
            shutil.rmtree(staged, ignore_errors=True)
            n_shards, n_files = stage(root / "raw", staged, args.workers)
            if kept is not None:
                kept.write_text(json.dumps([n_shards, n_files]))
        codes = [HERE, *args.code]
        seconds: dict[Path, list[float]] = {code: [] for code in codes}
        cpu: dict[Path, list[float]] = {code: [] for code in codes}
        rss: dict[Path, list[float]] = {code: [] for code in codes}
        for _ in range(args.repeat):
            for code in codes:
                result = publish_once(code, staged, root / "run", n_shards, n_files)
                seconds[code].append(result["seconds"])
                cpu[code].append(result["cpu_seconds"])
                rss[code].append(result["peak_rss_mb"])
        for code in codes:
            print(f"{code}: publish of {args.articles:,} generated items ({n_shards} shards): "
                  f"median {statistics.median(seconds[code]):.2f}s, best "
                  f"{min(seconds[code]):.2f}s of "
                  f"{', '.join(f'{s:.2f}' for s in seconds[code])}; CPU (all threads) "
                  f"median {statistics.median(cpu[code]):.2f}s; peak RSS max "
                  f"{max(rss[code]):.0f} MB")


if __name__ == "__main__":
    main()
