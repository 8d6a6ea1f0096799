"""Throughput of the fast language identifier vs seeded langdetect on the same texts.

Two workloads from the development set (``/work/shared/langid-dev`` or ``--data``):

* sentences: the first ``--sentences`` lines of every language's sentences file (those
  shorter than ``fast.SHORT_MAX_CHARS`` go through the short-text model);
* word pairs: as many lines of the word-pairs files (titles-like texts: all short);
* articles: ~2 KB "articles" built deterministically per language by concatenating
  consecutive dev sentences until at least ``--article-chars`` characters;
* articles + sections: the pipeline's workload: the same articles, each sentence judged
  as a section of its own and the article judged as a whole
  (``newsetl.langid.detect_grouped``; langdetect judges every section and every article
  text separately). Rates are in articles per second.

Both detectors get the same texts with the default ``min_letters``; the fast one in a
single ``detect_batch`` call (plus a run of single ``detect`` calls), langdetect one text
at a time (that is all it can do). Fast batch rates are per CPU second, best of 7
runs alternated with the short-text model switched off (``SHORT_MAX_CHARS = 0``: the
naive Bayes alone, as before), so the before/after ratio holds on a busy machine. The
model load of each is timed separately.

    python bench/langid_speed.py                    # ~1 min
    python bench/langid_speed.py --limit 200        # at most 200 texts per workload
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

DEFAULT_DATA = Path(os.environ.get("NEWSETL_LANGID_DEV", "/work/shared/langid-dev"))


def sentences(data: Path, per_lang: int, category: str = "sentences") -> list[str]:
    out = []
    for path in sorted((data / category).glob("*.txt")):
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        out += lines[:per_lang]
    return out


def articles(data: Path, per_lang: int, chars: int) -> list[str]:
    return [" ".join(parts) for parts in article_parts(data, per_lang, chars)]


def article_parts(data: Path, per_lang: int, chars: int) -> list[list[str]]:
    """Each article as the list of its sentences."""
    out = []
    for path in sorted((data / "sentences").glob("*.txt")):
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        cur: list[str] = []
        size = 0
        made = 0
        for ln in lines:
            cur.append(ln)
            size += len(ln) + 1
            if size >= chars:
                out.append(cur)
                cur, size = [], 0
                made += 1
                if made >= per_lang:
                    break
    return out


def interleave(texts: list[str], limit: int | None) -> list[str]:
    """A deterministic sample spread over all languages (every k-th text)."""
    if not limit or limit >= len(texts):
        return texts
    step = len(texts) / limit
    return [texts[int(i * step)] for i in range(limit)]


def rate(fn, texts, min_seconds: float = 0.0) -> float:
    """texts per second of fn(texts); repeats short runs to at least min_seconds."""
    n, t0 = 0, time.perf_counter()
    while True:
        fn(texts)
        n += len(texts)
        elapsed = time.perf_counter() - t0
        if elapsed >= min_seconds:
            return n / elapsed


def side_by_side(fn, items, count: int, rounds: int = 7) -> tuple[float, float]:
    """(rate with the short-text model, rate with it off: the naive Bayes alone, as
    before it), in ``count`` units per CPU second of this process, best of ``rounds``
    alternated runs: on a shared machine wall-clock rates of two separate runs differ
    by 2x and more, CPU time of interleaved runs much less."""
    from newsetl.langid import fast

    best = [0.0, 0.0]
    saved = fast.SHORT_MAX_CHARS
    try:
        for _ in range(rounds):
            for k, limit in enumerate((saved, 0)):
                fast.SHORT_MAX_CHARS = limit
                t0 = time.process_time()
                fn(items)
                best[k] = max(best[k], count / max(time.process_time() - t0, 1e-9))
    finally:
        fast.SHORT_MAX_CHARS = saved
    return best[0], best[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sentences", type=int, default=40, help="sentences per language")
    ap.add_argument("--articles", type=int, default=10, help="articles per language")
    ap.add_argument("--article-chars", type=int, default=2000)
    ap.add_argument("--limit", type=int, default=None, help="max texts per workload")
    ap.add_argument("--langdetect-limit", type=int, default=None, help="max texts langdetect gets")
    args = ap.parse_args(argv)

    from newsetl.langid import fast, langdetect_backend, short

    t0 = time.perf_counter()
    fast._model()
    short.model(fast.languages())
    t_fast_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    fast.detect("a first call loads (or compiles) the kernel")
    t_kernel = time.perf_counter() - t0
    t0 = time.perf_counter()
    langdetect_backend._factory()
    t_ld_load = time.perf_counter() - t0
    print(f"model load: fast {t_fast_load:.2f}s (+ kernel {t_kernel:.2f}s on first call), "
          f"langdetect {t_ld_load:.2f}s")

    workloads = {
        "sentences": interleave(sentences(args.data, args.sentences), args.limit),
        "word pairs": interleave(sentences(args.data, args.sentences, "word-pairs"),
                                 args.limit),
        "articles": interleave(articles(args.data, args.articles, args.article_chars), args.limit),
    }
    ratios = {}
    for name, texts in workloads.items():
        avg = sum(map(len, texts)) / max(1, len(texts))
        ld_texts = interleave(texts, args.langdetect_limit)
        fast.detect_batch(texts[:50])  # warm-up
        r_batch, r_before = side_by_side(fast.detect_batch, texts, len(texts))
        singles = texts[: min(len(texts), 300)]
        r_single = rate(lambda ts: [fast.detect(t) for t in ts], singles, min_seconds=0.5)
        t0 = time.perf_counter()
        for t in ld_texts:
            langdetect_backend.detect_batch([t], min_letters=20)
        r_ld = len(ld_texts) / (time.perf_counter() - t0)
        ratios[name] = r_batch / r_ld
        short_share = float(fast.is_short(texts).mean())
        print(
            f"{name}: {len(texts)} texts, avg {avg:.0f} chars, "
            f"{100 * short_share:.0f} % short-text model | "
            f"fast batch {r_batch:,.0f}/s (short model off, as before: {r_before:,.0f}/s), "
            f"fast single calls {r_single:,.0f}/s | "
            f"langdetect {r_ld:,.0f}/s ({len(ld_texts)} texts) | "
            f"ratio batch {r_batch / r_ld:.0f}x, single {r_single / r_ld:.0f}x"
        )
    parts = article_parts(args.data, args.articles, args.article_chars)
    parts = [parts[int(i * len(parts) / args.limit)] for i in range(args.limit)] \
        if args.limit and args.limit < len(parts) else parts
    texts = [t for p in parts for t in p]
    groups, start = [], 0
    for p in parts:
        groups.append(list(range(start, start + len(p))))
        start += len(p)

    def grouped(detector, texts=texts, groups=groups):
        return detect_grouped(texts, groups, detector=detector, min_letters=30,
                              group_min_letters=20)

    from newsetl.langid import detect_grouped

    grouped("fast")  # warm-up
    r_fast, r_fast_before = side_by_side(lambda _: grouped("fast"), None, len(parts))
    ld_n = min(len(parts), args.langdetect_limit or len(parts))
    ld_parts = parts[:ld_n]
    ld_texts = [t for p in ld_parts for t in p]
    ld_groups, start = [], 0
    for p in ld_parts:
        ld_groups.append(list(range(start, start + len(p))))
        start += len(p)
    t0 = time.perf_counter()
    grouped("langdetect", ld_texts, ld_groups)
    r_ld = ld_n / (time.perf_counter() - t0)
    print(f"articles + sections: {len(parts)} articles, {len(texts)} sections | "
          f"fast {r_fast:,.0f} articles/s (short model off, as before: "
          f"{r_fast_before:,.0f}) | langdetect {r_ld:,.1f} articles/s "
          f"({ld_n} articles) | ratio {r_fast / r_ld:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
