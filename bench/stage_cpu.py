"""CPU per article of each stage of the item path, side by side for several checkouts.

``bench/e2e.py`` says how fast a day runs; this says where the CPU goes. The same
generated real-length articles (~3.4 KB, bench/generate.py) go, in one process per
checkout, through the stages a shard runs, each timed on its own (``time.process_time``,
one core):

- ``clean``: :func:`newsetl.cleaning.clean_text`;
- ``segment``: :func:`newsetl.segment.segment` of the cleaned text;
- ``parse_item``: the whole item step (decode, clean, segment, fingerprints);
- ``languages + rows``: :func:`newsetl.process.build_rows` (article and section
  languages, foreign flags, the row dicts), in batches as a shard makes them;
- ``signatures``: the MinHash signatures of near duplicates (where the checkout has them);
- ``staging write``: the staged Parquet files of the shard.

A stage a checkout does not have prints "–". Each checkout runs in its own process with
its ``include/`` first on the path, after a warm-up (imports, model load, compiled code,
a first staged write: pyarrow imports pandas on its first conversion, ~0.3 s that
used to count as staging time).

    python bench/stage_cpu.py --articles 5000 --code /tmp/base
    python bench/stage_cpu.py --articles 5000 --rounds 3 --code /work/main --code /tmp/base
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

STAGES = ("clean", "segment", "parse_item", "languages + rows", "signatures",
          "staging write")
#: Items per ``build_rows`` call (a shard's batch size).
BATCH = 256


def make_texts(n: int, seed: int = 7) -> list[str]:
    from generate import PARAGRAPHS, load_sentences, make_article

    rng = random.Random(seed)
    sentences = load_sentences()
    return [make_article(rng, sentences, PARAGRAPHS["real"]) for _ in range(n)]


def timed(fn) -> tuple[float, object]:
    """CPU seconds of ``fn()`` and its result. What is alive before is frozen out of the
    garbage collector's sight: a shard's worker holds one batch, while here every
    article stays alive, and a full collection over them all would land in whichever
    stage happens to trigger it (0.03-0.05 ms an article, by chance of placement)."""
    gc.collect()
    gc.freeze()
    started = time.process_time()
    out = fn()
    return time.process_time() - started, out


def measure(n: int) -> dict[str, float | None]:
    """ms/article of each stage in this process (the checkout on ``sys.path``)."""
    from newsetl import process
    from newsetl.cleaning import clean_text
    from newsetl.segment import segment

    try:
        from newsetl.items import RawItem
    except ImportError:  # older checkouts
        from newsetl.inputs import RawItem

    texts = make_texts(n)
    items = [RawItem("bench.jsonl", str(i), i, "0" * 64, text=t, meta={})
             for i, t in enumerate(texts)]
    warm = [process.parse_item(item) for item in items[:20]]
    warm_rows = process.Rows()
    process.build_rows([p for p in warm if not isinstance(p, dict)], warm_rows, None)
    _sign(warm_rows)
    _write_staging(warm_rows)  # pyarrow.parquet's import, and pandas' (pyarrow's shim)
    result: dict[str, float | None] = dict.fromkeys(STAGES)
    seconds, cleaned = timed(lambda: [clean_text(t)[0] for t in texts])
    result["clean"] = seconds
    result["segment"] = timed(lambda: [segment(c) for c in cleaned])[0]
    seconds, parsed = timed(lambda: [process.parse_item(item) for item in items])
    result["parse_item"] = seconds
    parsed = [p for p in parsed if not isinstance(p, dict)]
    rows = process.Rows()

    def languages() -> None:
        for start in range(0, len(parsed), BATCH):
            process.build_rows(parsed[start:start + BATCH], rows, None)

    result["languages + rows"] = timed(languages)[0]
    if _sign(None):
        result["signatures"] = timed(lambda: _sign(rows))[0]
    result["staging write"] = timed(lambda: _write_staging(rows))[0]
    return {k: None if v is None else round(v / n * 1000, 4) for k, v in result.items()}


def _sign(rows) -> bool:
    """Sign the rows' articles where the checkout has signatures (``rows`` None: only
    say whether it has)."""
    try:
        from newsetl.minhash import sign_rows
    except ImportError:
        return False
    if rows is not None:
        sign_rows(rows.articles)
    return True


def _write_staging(rows) -> None:
    from newsetl import staging

    with tempfile.TemporaryDirectory() as tmp:
        writers = {name: staging._TableWriter(Path(tmp) / f"{name}.parquet", schema)
                   for name, schema in staging._STAGED.items()}
        for name, writer in writers.items():
            writer.add(getattr(rows, name))
            writer.close()


def run_checkout(code: Path | None, n: int) -> dict[str, float | None]:
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code / "include")
    out = subprocess.run([sys.executable, __file__, "--child", str(n)], env=env,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{code or 'this checkout'} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def best_of(runs: list[dict[str, float | None]]) -> dict[str, float | None]:
    """Each stage's lowest time over several runs of one checkout.

    >>> best_of([{"clean": 0.3, "signatures": None}, {"clean": 0.2, "signatures": None}])
    {'clean': 0.2, 'signatures': None}
    """
    return {stage: None if runs[0][stage] is None else min(r[stage] for r in runs)
            for stage in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--code", type=Path, action="append", default=[],
                        help="also measure another checkout (its include/ first on "
                             "PYTHONPATH); repeatable")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure every checkout this many times, alternating, and "
                             "keep each stage's lowest time (default 1)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    labels = ["this checkout", *map(str, args.code)]
    codes = [None, *args.code]
    runs: list[list[dict]] = [[] for _ in codes]
    for _ in range(args.rounds):  # checkouts alternate: a busy spell hits all alike
        for k, code in enumerate(codes):
            runs[k].append(run_checkout(code, args.articles))
    results = [best_of(r) for r in runs]
    print(f"CPU ms per article, {args.articles:,} generated ~3.4 KB articles, one core, "
          f"best of {args.rounds}\n")
    print("| stage | " + " | ".join(labels) + " |")
    print("|---|" + "---:|" * len(labels))
    for stage in STAGES:
        cells = ["–" if r.get(stage) is None else f"{r[stage]:.3f}" for r in results]
        print(f"| {stage} | " + " | ".join(cells) + " |")
    totals = [sum(r.get(s) or 0 for s in ("parse_item", "languages + rows", "signatures",
                                           "staging write")) for r in results]
    print("| **item path (parse_item + languages + signatures + staging)** | "
          + " | ".join(f"**{t:.3f}**" for t in totals) + " |")


if __name__ == "__main__":
    main()
