"""Near-duplicate speed at scale: signatures/s, and one day's dedup against a window of
1 M articles (articles/s, peak RSS), in archives of different sizes.

* **signatures** — bench/near_dups.py's real-length bodies (multilingual, ~2.3 KB),
  signed in batches of 1,024 like the shards, by 1 process and by 2 processes at once
  (the 2-core figure), in fresh interpreters, rounds alternating between checkouts.
* **dedup of one day** — a synthetic ``signatures`` table (random 128-value signatures,
  so unrelated articles never share a band; 12 % of the articles are planted copies of
  an article 1-10 days earlier, 8-16 % of their values changed, or unchanged re-runs),
  its ``manifests`` rows, and the ``near_pairs`` the archive would hold after every day
  had been deduped (the planted families' pairs, found by ``nearpairs.match``); one
  untimed ``dedup_days(D, D)`` for a day D in the middle fills ``near_duplicates``.
  Then ``neardup.dedup_days(D, D)`` again (D republished), in a fresh process (imports
  done before the clock starts): seconds, D's articles/s, CPU seconds, the phases and
  the process's peak RSS. ``--window-articles`` articles fall in D's
  ±30-day window; archives of 1x, 2x and 3x that size (centred on D) show whether the
  cost depends on the archive.

    python bench/near_dups_scale.py [--window-articles 1000000] [--archives 1 2 3]
        [--code OTHER_CHECKOUT] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

HERE = Path(__file__).resolve().parent
WINDOW = 30
START = date(2024, 1, 1)


# --- workers (run in a fresh interpreter with the checkout under test) -------------------

def worker_sign(seconds: float) -> dict:
    sys.path.insert(0, str(HERE))
    from generate import load_sentences  # noqa: F401 - imported before timing
    from near_dups import build
    from newsetl import minhash

    bodies = build(600, 0)[0]
    minhash.signatures(bodies[:8])  # warm (tables built once per process)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for k in range(0, len(bodies), 1024):
            minhash.signatures(bodies[k:k + 1024])
        done += len(bodies)
    return {"articles": done, "seconds": time.perf_counter() - started}


def worker_dedup(out: str, ds: str) -> dict:
    import deltalake  # noqa: F401 - imports (~2 s cold) are not the day's cost
    import pyarrow.dataset  # noqa: F401
    from newsetl import neardup, publish, readers  # noqa: F401

    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    summary = neardup.dedup_days(out, ds, ds, window=WINDOW)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (usage.ru_utime + usage.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"seconds": seconds, "rows": summary["rows"], "phases": summary.get("seconds"),
            "cpu_seconds": cpu,
            "read": summary.get("articles_read"),
            "rss_before_mb": before.ru_maxrss / 1024,
            "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux keeps ``ru_maxrss`` across fork and
    exec, so a worker started by a process that had just built a 1.5 GB archive in
    memory reported 1.5 GB whatever it used; ``VmHWM`` belongs to the process's own
    address space (``ru_maxrss`` where there is no /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_worker(code: Path, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code / "include")}
    out = subprocess.run([sys.executable, __file__, "--worker", *args], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def sign_rate(code: Path, procs: int, seconds: float) -> float:
    env = {**os.environ, "PYTHONPATH": str(code / "include")}
    running = [subprocess.Popen([sys.executable, __file__, "--worker", "sign", str(seconds)],
                                env=env, stdout=subprocess.PIPE, text=True)
               for _ in range(procs)]
    results = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in running]
    return sum(r["articles"] / r["seconds"] for r in results)


# --- the synthetic archive --------------------------------------------------------------

def _ds(k: int) -> str:
    return (START + timedelta(days=k)).isoformat()


def build_archive(out: Path, n_days: int, per_day: int, seed: int) -> None:
    """signatures, manifests and near_pairs of ``n_days`` days of ``per_day`` articles."""
    from deltalake import WriterProperties, write_deltalake
    from newsetl import minhash, nearpairs, nearstore, schemas

    rng = np.random.default_rng(seed)
    n = n_days * per_day
    day = np.repeat(np.arange(n_days), per_day)
    sig = rng.integers(0, 2**32, (n, minhash.NUM_PERM), dtype=np.uint32)
    ident = rng.integers(0, 2**63, n, dtype=np.int64)
    copies = np.flatnonzero((rng.random(n) < 0.12) & (day >= 10))
    back = per_day * rng.integers(1, 11, len(copies)) + rng.integers(0, per_day, len(copies))
    base = copies - back
    base = np.maximum(base, 0)
    rerun = rng.random(len(copies)) < 0.25
    share = rng.uniform(0.08, 0.16, (len(copies), 1))
    changed = rng.random((len(copies), minhash.NUM_PERM)) < share
    changed[rerun] = False
    for k in np.argsort(copies):  # in day order: a copy of a copy copies the copy
        c, b = copies[k], base[k]
        sig[c] = np.where(changed[k], sig[c], sig[b])
        if rerun[k]:
            ident[c] = ident[b]
    # a day never holds two identical articles (publishing rejects the second): a
    # same-day re-run of one base becomes an edited copy with the same signature
    seen: set[tuple[int, int]] = set()
    for c in copies[rerun]:
        if (day[c], ident[c]) in seen:
            ident[c] = rng.integers(0, 2**63)
        seen.add((day[c], ident[c]))
    sha1 = np.array([f"{v:016x}{v * 40503 % 2**64:016x}{v % 2**32:08x}"
                     for v in ident.astype(np.uint64).tolist()], dtype=object)
    days = [_ds(d) for d in range(n_days)]
    props = WriterProperties(compression="ZSTD", max_row_group_size=50_000)
    schema = schemas.delta_schema("signatures")
    for first in range(0, n_days, 10):  # ten days per write: bounded Arrow buffers
        rows = np.flatnonzero((day >= first) & (day < first + 10))
        data = sig[rows].astype("<u4").tobytes()
        offsets = pa.py_buffer(np.arange(len(rows) + 1, dtype=np.int32) * 4 * minhash.NUM_PERM)
        blobs = pa.Array.from_buffers(pa.binary(), len(rows), [None, offsets, pa.py_buffer(data)])
        table = pa.table({"article_id": pa.array([s[:16] for s in sha1[rows]]),
                          "content_sha1": pa.array(sha1[rows]),
                          "n_shingles": pa.array(np.full(len(rows), 300, np.int32)),
                          "minhash": blobs,
                          "ds": pa.array([days[d] for d in day[rows]])}).cast(schema)
        write_deltalake(str(out / "signatures"), table, partition_by=["ds"], mode="append",
                        writer_properties=props)
    manifests = pa.Table.from_pylist(
        [{"publish_id": f"v-bench-{d}", "published_at": "2026-12-02T00:00:00+00:00",
          "articles_version": 0, "sections_version": 0, "rejects_version": 0,
          "input_items": per_day, "articles": per_day, "sections": 0, "rejects": 0,
          # signed with this version: the dedup re-signs days that record another
          "manifest": json.dumps({"signature_version": minhash.SIGNATURE_VERSION}),
          "ds": d} for d in days], schema=schemas.delta_schema("manifests"))
    write_deltalake(str(out / "manifests"), manifests, partition_by=["ds"], mode="overwrite")
    family = np.unique(np.concatenate([copies, base]))
    fam_ds = np.array([days[d] for d in day[family]], dtype=object)
    side = nearpairs.Side(ds=fam_ds, day=nearpairs.ordinals(fam_ds.astype(str)),
                          article_id=np.array([s[:16] for s in sha1[family]], dtype=object),
                          content_sha1=sha1[family], n_shingles=np.full(len(family), 300),
                          sig=sig[family])
    li, rj, sims = nearpairs.match(side, side, WINDOW, 0.8)
    marks = len(days)
    pairs = pa.table({
        "article_id": pa.array(np.concatenate([side.article_id[li], [""] * marks])),
        "content_sha1": pa.array(np.concatenate([side.content_sha1[li],
                                                 [nearstore.params(WINDOW, 0.8)] * marks])),
        "other_ds": pa.array(np.concatenate([side.ds[rj], [""] * marks])),
        "other_article_id": pa.array(np.concatenate([side.article_id[rj], [""] * marks])),
        "similarity": pa.array(np.concatenate([sims, np.zeros(marks)]).astype(np.float32)),
        "publish_id": pa.array([f"v-bench-{d}" for d in np.concatenate([side.ds[li], days])]),
        "ds": pa.array(np.concatenate([side.ds[li], days]))}).cast(
            schemas.delta_schema("near_pairs"))
    write_deltalake(str(out / "near_pairs"), pairs, partition_by=["ds"], mode="overwrite",
                    writer_properties=props)
    print(f"  built {out.name}: {n:,} articles over {n_days} days, {len(copies):,} planted "
          f"copies, {len(li) // 2:,} stored pairs", flush=True)


# --- main -------------------------------------------------------------------------------

def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        kind, *rest = sys.argv[2:]
        result = worker_sign(float(rest[0])) if kind == "sign" else worker_dedup(*rest)
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window-articles", type=int, default=1_000_000)
    parser.add_argument("--archives", type=int, nargs="*", default=[1, 2, 3],
                        help="archive sizes in windows (default 1 2 3)")
    parser.add_argument("--sign-seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--code", type=Path, action="append", default=[],
                        help="also measure another checkout (its include/), side by side")
    parser.add_argument("--code-archives", type=int, nargs="+", default=[1],
                        help="archive sizes on which --code checkouts run too (default 1: "
                             "the all-in-memory version needs > 3 GB for one 1 M window)")
    parser.add_argument("--skip-signatures", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the archives here")
    args = parser.parse_args()
    codes = [HERE.parent, *args.code]
    if not args.skip_signatures:
        rates: dict[tuple[str, int], list[float]] = {}
        for _ in range(args.rounds):
            for code in codes:
                for procs in (1, 2):
                    rates.setdefault((str(code), procs), []).append(
                        sign_rate(code, procs, args.sign_seconds))
        print("| signatures (real-length bodies, batches of 1,024) | 1 process | 2 processes |")
        print("|---|---:|---:|")
        for code in codes:
            one, two = (max(rates[(str(code), p)]) for p in (1, 2))
            print(f"| {code} | {one:,.0f}/s | {two:,.0f}/s |", flush=True)
    span = 2 * WINDOW + 1
    per_day = args.window_articles // span
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsetl-neardup-"))
    print(f"\none day's dedup: {per_day:,} articles a day, {per_day * span:,} in its window")
    print("| archive | code | seconds | day's articles/s | CPU seconds | peak RSS (MB) "
          "| rows written | phases (s) |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for size in args.archives:
        n_days = size * span
        out = work / f"archive-{size}x"
        if not (out / "near_pairs").exists():
            build_archive(out, n_days, per_day, seed=size)
        middle = _ds(n_days // 2)
        # as after every day was deduped: near_duplicates holds the window's rows
        run_worker(codes[0], "dedup", str(out), middle)
        for code in codes if size in args.code_archives else codes[:1]:
            rounds = args.rounds if code == codes[0] else 1  # the old version: minutes
            best = min((run_worker(code, "dedup", str(out), middle)
                        for _ in range(rounds)), key=lambda r: r["seconds"])
            print(f"| {size}x ({size * per_day * span:,} articles) | {code.name} | "
                  f"{best['seconds']:.2f} | {per_day / best['seconds']:,.0f} | "
                  f"{best['cpu_seconds']:.2f} | {best['peak_rss_mb']:.0f} | {best['rows']:,} | "
                  f"{best.get('phases') or ''} |", flush=True)


if __name__ == "__main__":
    main()
