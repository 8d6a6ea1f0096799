"""Accuracy of the fast language identifier vs seeded langdetect, side by side.

Reads the development set (``/work/shared/langid-dev`` or ``--data``): sentences/,
word-pairs/ and single-words/ for 51 languages, one item per line. ``nb`` counts as
langdetect's ``no``; ``zh`` counts as ``zh-cn`` or ``zh-tw``.

Both detectors run with ``min_letters=0`` so that every item is judged (an ``und``
answer counts as wrong). Prints per-language and mean accuracy per category and writes
a markdown table (default ``docs/langid_accuracy.md``).

    python bench/langid_accuracy.py                      # full dev set (~2-3 min)
    python bench/langid_accuracy.py --limit 100 --no-write
    python bench/langid_accuracy.py --refit              # refit the calibration constants

The fast detector's accuracy here is that of its best guess (``min_prob=0``: no ``und``
for low confidence). The document also gets the calibration report (reliability table
and ECE on held-out lines) and the ``is_foreign`` precision/recall on mixed articles,
old rule vs new, from ``bench/langid_foreign.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

DEFAULT_DATA = Path(os.environ.get("NEWSETL_LANGID_DEV", "/work/shared/langid-dev"))
CATEGORIES = ("sentences", "word-pairs", "single-words")
ROOT = Path(__file__).resolve().parents[1]


def expected(code: str) -> set[str]:
    """Labels that count as correct for a dev-set file name."""
    if code == "nb":
        return {"no"}
    if code == "zh":
        return {"zh-cn", "zh-tw"}
    return {code}


def load(data: Path, category: str, limit: int | None) -> dict[str, list[str]]:
    out = {}
    for path in sorted((data / category).glob("*.txt")):
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        out[path.stem] = lines[:limit] if limit else lines
    return out


def _langdetect_chunk(texts: list[str]) -> list[str]:
    from newsetl.langid import langdetect_backend

    return [lang for lang, _ in langdetect_backend.detect_batch(texts, min_letters=0)]


def run_langdetect(texts: list[str], jobs: int) -> list[str]:
    if jobs <= 1:
        return _langdetect_chunk(texts)
    size = max(1, len(texts) // (jobs * 8) + 1)
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    with ProcessPoolExecutor(jobs) as pool:
        return [lang for part in pool.map(_langdetect_chunk, chunks) for lang in part]


def run_fast(texts: list[str]) -> list[str]:
    from newsetl.langid import fast

    return [lang for lang, _ in fast.detect_batch(texts, min_letters=0, min_prob=0.0)]


def run_nb(texts: list[str]) -> list[str]:
    """The fast detector's naive Bayes alone (every text scored as before the
    short-text model), for the before/after line."""
    from newsetl.langid import fast

    s, n = fast.scores(texts)
    return [lang for lang, _ in fast.decide(s, n, min_prob=0.0)]


def accuracy(items: dict[str, list[str]], answers: list[str]) -> dict[str, float]:
    acc, k = {}, 0
    for code, lines in items.items():
        ok = expected(code)
        got = answers[k : k + len(lines)]
        k += len(lines)
        acc[code] = 100.0 * sum(a in ok for a in got) / max(1, len(lines))
    return acc


def mean(values) -> float:
    values = list(values)
    return sum(values) / max(1, len(values))


def evaluate(data: Path, limit: int | None, jobs: int, cache: Path | None, fast_only: bool):
    """{category: {"fast": {code: acc}, "langdetect": {code: acc}}} and timings."""
    cached = json.loads(cache.read_text()) if cache and cache.exists() else {}
    results, timing = {}, {}
    for category in CATEGORIES:
        items = load(data, category, limit)
        texts = [t for lines in items.values() for t in lines]
        t0 = time.perf_counter()
        fast_answers = run_fast(texts)
        t_fast = time.perf_counter() - t0
        key = f"{category}:{limit}"
        t0 = time.perf_counter()
        if key in cached and len(cached[key]) == len(texts):
            ld_answers = cached[key]
        elif fast_only:
            ld_answers = None
        else:
            ld_answers = run_langdetect(texts, jobs)
            cached[key] = ld_answers
        t_ld = time.perf_counter() - t0
        timing[category] = (len(texts), t_fast, t_ld)
        results[category] = {"fast": accuracy(items, fast_answers),
                              "nb": accuracy(items, run_nb(texts))}
        if ld_answers is not None:
            results[category]["langdetect"] = accuracy(items, ld_answers)
    if cache:
        cache.write_text(json.dumps(cached))
    return results, timing


def render(results) -> tuple[str, str]:
    """(console text, markdown text)."""
    cats = list(results)
    codes = sorted(next(iter(results.values()))["fast"])
    has_ld = all("langdetect" in results[c] for c in cats)
    head = ["lang"]
    for c in cats:
        head += [f"{c} fast"] + ([f"{c} langdetect", f"{c} delta"] if has_ld else [])
    rows = []
    for code in codes + ["MEAN"]:
        row = [code]
        for c in cats:
            f = results[c]["fast"]
            fv = mean(f.values()) if code == "MEAN" else f[code]
            row.append(f"{fv:.1f}")
            if has_ld:
                ld = results[c]["langdetect"]
                lv = mean(ld.values()) if code == "MEAN" else ld[code]
                row += [f"{lv:.1f}", f"{fv - lv:+.1f}"]
        rows.append(row)
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    console = "\n".join(
        "  ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True)) for r in [head, *rows]
    )
    md = ["| " + " | ".join(head) + " |", "|" + "|".join("---:" for _ in head) + "|"]
    md += ["| " + " | ".join(f"**{x}**" if r[0] == "MEAN" else x for x in r) + " |" for r in rows]
    summary = []
    if has_ld:
        for c in cats:
            f, ld = results[c]["fast"], results[c]["langdetect"]
            worst = min(codes, key=lambda k: f[k] - ld[k])
            nb = results[c]["nb"]
            worst_nb = min(codes, key=lambda k: nb[k] - ld[k])
            summary.append(
                f"- {c}: mean fast {mean(f.values()):.2f} vs langdetect {mean(ld.values()):.2f}; "
                f"worst language {worst} {f[worst] - ld[worst]:+.1f} (naive Bayes alone, "
                f"as before the short-text model: {mean(nb.values()):.2f}, worst "
                f"{worst_nb} {nb[worst_nb] - ld[worst_nb]:+.1f})"
            )
    return console + "\n\n" + "\n".join(summary), "\n".join(md), "\n".join(summary)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None, help="items per language and category")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="langdetect processes")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "langid_accuracy.md")
    ap.add_argument("--no-write", action="store_true", help="do not write the markdown file")
    ap.add_argument("--cache", type=Path, default=None, help="JSON cache of langdetect answers")
    ap.add_argument("--fast-only", action="store_true", help="skip langdetect unless cached")
    ap.add_argument("--refit", action="store_true",
                    help="print refitted calibration constants (langid/calibration.py) and exit")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import langid_foreign

    if args.refit:
        print(langid_foreign.render_refit(langid_foreign.refit(args.data)))
        return 0
    calib = langid_foreign.render_calibration(langid_foreign.calibration_report(args.data))
    foreign = langid_foreign.render_foreign(langid_foreign.foreign_report(args.data))
    print(calib + "\n\n" + foreign + "\n")

    results, timing = evaluate(args.data, args.limit, args.jobs, args.cache, args.fast_only)
    console, md_table, summary = render(results)
    print(console)
    for c, (n, tf, tl) in timing.items():
        print(f"{c}: {n} items, fast {tf:.2f}s, langdetect {tl:.2f}s (jobs={args.jobs})")
    if not args.no_write:
        from newsetl.langid import fast, short

        args.out.parent.mkdir(parents=True, exist_ok=True)
        text = (
            "# Language identification accuracy: fast vs seeded langdetect\n\n"
            f"Generated by `python bench/langid_accuracy.py` on the development set "
            f"({args.data.name}, {'all' if not args.limit else args.limit} items per language"
            " and category). Accuracy in percent; both detectors with `min_letters=0` (fast: "
            "its best guess, `min_prob=0`); "
            "`nb` counts as `no`, `zh` as `zh-cn` or `zh-tw`; delta = fast - langdetect.\n\n"
            f"fast model: ALPHA={fast.ALPHA}, ORDER_WEIGHTS={fast.ORDER_WEIGHTS}; texts "
            f"shorter than SHORT_MAX_CHARS={fast.SHORT_MAX_CHARS} characters by the "
            f"short-text model (Lingua's 1-{short.MAX_ORDER}-grams, PENALTY={short.PENALTY}, "
            f"PRUNE={short.PRUNE}, MIN_COUNT={short.MIN_COUNT}) plus NB_WEIGHT="
            f"{fast.NB_WEIGHT} x the naive Bayes. The dev set is the half of lingua-py's "
            "test lines kept for development; the other half is held out and not on this "
            "machine, so every figure here is a dev figure.\n\n"
            f"{summary}\n\n{md_table}\n\n"
            "## Calibrated confidence (`lang_prob`, `section_lang_prob`)\n\n"
            f"{calib}\n\n"
            "## Foreign sections (`is_foreign`, `section_lang_margin`)\n\n"
            f"{foreign}\n"
        )
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
