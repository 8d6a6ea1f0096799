"""Near-duplicate quality and speed on a syndication set with known truth.

Builds real-length bodies (bench/generate.py's sentence pools, "real" length: 8-14
paragraphs) and, for each base story, copies spread over the following days: exact
re-runs, word substitutions (2-40 words), an inserted or removed boilerplate paragraph,
truncated tails (10-50 %), reordered paragraphs, and a changed headline (the body is
unchanged: an exact repeat of the body). Unrelated stories share one long newsletter
paragraph, and one base in ten gets a late copy beyond the window. Truth is the exact
Jaccard similarity of the 5-word shingle sets, for every pair of one family (pairs of
different families share random sentences only, far below 0.8: checked on a sample).

Reports pair precision and recall for true Jaccard >= 0.8 within the window (targets
P >= 0.95, R >= 0.9), articles/s for signatures and for clustering, and peak RSS;
``--sweep`` repeats the quality part for other shingle sizes and band layouts.

    python bench/near_dups.py --bases 600 [--sweep] [--langs zh ja]
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import PARAGRAPHS, dev_root, load_sentences  # noqa: E402
from newsetl import minhash, neardup, schemas  # noqa: E402

NEWSLETTER = ("Sign up for our morning newsletter to get the most important stories of the "
              "day delivered to your inbox before breakfast, with analysis from our "
              "correspondents around the world, exclusive interviews, the best photography "
              "and our weekend long reads; you can unsubscribe at any time using the link "
              "at the bottom of every email, and we will never share your address.")
WINDOW = 30
THRESHOLD = 0.8


#: Languages written without spaces: sentences join without one, and a substitution
#: changes a character (a word of its own for the signatures, see newsetl.wordhash).
UNSPACED = ("zh", "ja")


def base_body(rng: random.Random, pool: list[str], glue: str = " ") -> list[str]:
    """Paragraphs of one story."""
    return [glue.join(rng.choice(pool) for _ in range(rng.randint(1, 3)))
            for _ in range(rng.randint(*PARAGRAPHS["real"]))]


def substitute(rng: random.Random, paragraphs: list[str], n: int, vocab: list[str],
               unspaced: bool = False) -> list[str]:
    words = [list(p) if unspaced else p.split() for p in paragraphs]
    for _ in range(n):
        para = rng.randrange(len(words))
        words[para][rng.randrange(len(words[para]))] = rng.choice(vocab)
    return [("" if unspaced else " ").join(w) for w in words]


def variants(rng: random.Random, paragraphs: list[str], vocab: list[str],
             unspaced: bool = False) -> list[tuple[str, list[str]]]:
    """(kind, paragraphs) copies of one story."""
    out = [("exact", paragraphs), ("headline", paragraphs)]
    out.append((f"subst{(k := rng.choice((2, 5, 10, 20, 40)))}",
                substitute(rng, paragraphs, k, vocab, unspaced)))
    out.append(("boiler+", [*paragraphs, NEWSLETTER]))
    cut = rng.choice((0.1, 0.25, 0.5))
    out.append((f"trunc{int(cut * 100)}",
                paragraphs[:max(1, round(len(paragraphs) * (1 - cut)))]))
    swapped = list(paragraphs)
    i, j = rng.sample(range(len(swapped)), 2)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    out.append(("reorder", swapped))
    return rng.sample(out, rng.randint(2, len(out)))


def load_pools(langs: list[str] | None) -> dict[str, list[str]]:
    """Sentences per language: the generator's languages, or ``langs`` from the same
    language-ID dev set."""
    if not langs:
        return load_sentences()
    root = dev_root() / "sentences"
    return {lang: [line.strip() for line in (root / f"{lang}.txt").read_text(
        encoding="utf-8").splitlines() if len(line.strip()) > 20] for lang in langs}


def build(n_bases: int, seed: int, langs: list[str] | None = None
          ) -> tuple[list[str], list[int], list[int], list[str]]:
    """Bodies, their day (0..), their family (-1: no family) and their variant kind."""
    rng = random.Random(seed)
    sentences = load_pools(langs)
    langs = sorted(sentences)
    bodies, days, families, kinds = [], [], [], []

    def add(paragraphs: list[str], day: int, family: int, kind: str) -> None:
        bodies.append("\n\n".join(paragraphs))
        days.append(day)
        families.append(family)
        kinds.append(kind)

    for family in range(n_bases):
        lang = langs[family % len(langs)]
        pool, unspaced = sentences[lang], lang in UNSPACED
        glue = "" if unspaced else " "
        vocab = list("".join(rng.sample(pool, 20)).replace(" ", "")) if unspaced else \
            " ".join(rng.sample(pool, 20)).split()
        paragraphs = base_body(rng, pool, glue)
        start = rng.randrange(90)
        with_boiler = rng.random() < 0.3
        add([*paragraphs, NEWSLETTER] if with_boiler else paragraphs, start, family, "base")
        for kind, copy in variants(rng, paragraphs, vocab, unspaced):
            if kind == "boiler+" and with_boiler:
                kind, copy = "boiler-", paragraphs  # the copy without it
            add(copy, start + rng.randint(0, 10), family, kind)
        if family % 10 == 0:
            add(paragraphs, start + WINDOW + rng.randint(1, 20), family, "late")
    for k in range(n_bases):  # unrelated stories sharing the long newsletter paragraph
        lang = langs[k % len(langs)]
        glue = "" if lang in UNSPACED else " "
        paragraphs = [glue.join(rng.choice(sentences[lang]) for _ in range(2))
                      for _ in range(3)]
        add([*paragraphs, NEWSLETTER], rng.randrange(100), -1, "shares_boiler")
    return bodies, days, families, kinds


def shingle_sets(values: np.ndarray, offsets: np.ndarray) -> list[set]:
    """Each body's shingle hashes as a set (the truth is computed on them)."""
    return [set(values[a:b].tolist()) for a, b in zip(offsets[:-1], offsets[1:], strict=True)]


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def truth_pairs(sets: list[set], days: list[int], families: list[int]) -> set:
    """Pairs of one family, at most WINDOW days apart, with Jaccard >= THRESHOLD."""
    by_family: dict[int, list[int]] = {}
    for i, fam in enumerate(families):
        if fam >= 0:
            by_family.setdefault(fam, []).append(i)
    return {(i, j) for members in by_family.values()
            for i, j in itertools.combinations(members, 2)
            if abs(days[i] - days[j]) <= WINDOW and jaccard(sets[i], sets[j]) >= THRESHOLD}


def cross_family_max(sets: list[set], families: list[int], seed: int, n: int = 3000) -> float:
    """The largest Jaccard of a sample of pairs from different families (or none)."""
    rng = random.Random(seed)
    best = 0.0
    for _ in range(n):
        i, j = rng.randrange(len(sets)), rng.randrange(len(sets))
        if families[i] != families[j] or families[i] < 0 <= families[j]:
            best = max(best, jaccard(sets[i], sets[j]))
    return best


def window_table(bodies: list[str], days: list[int], sigs: np.ndarray,
                 sets: list[set]) -> pa.Table:
    ds = [neardup._ds(738_000 + d) for d in days]
    return pa.Table.from_pylist(
        [{"ds": d, "article_id": f"{i:08d}", "content_sha1": str(hash(" ".join(b.split()))),
          "n_shingles": len(s), "minhash": minhash.encode(sig)}
         for i, (d, b, s, sig) in enumerate(zip(ds, bodies, sets, sigs, strict=True))],
        schema=schemas.delta_schema("signatures"))


def predicted_pairs(table: pa.Table) -> tuple[set, float]:
    """Verified pairs as body indices (every exact pair, not only the chain) and the
    clustering seconds."""
    started = time.perf_counter()
    win = neardup.window_from_table(table)
    pairs = neardup.verified_pairs(win, WINDOW, THRESHOLD)
    seconds = time.perf_counter() - started
    index = np.array([int(a) for a in win.article_id])
    found = {(min(a, b), max(a, b)) for a, b in index[pairs].tolist()}
    by_sha: dict[str, list[int]] = {}
    for i, sha in zip(index.tolist(), win.content_sha1.tolist(), strict=True):
        by_sha.setdefault(sha, []).append(i)
    day = dict(zip(index.tolist(), win.day.tolist(), strict=True))
    for members in by_sha.values():
        found |= {(min(a, b), max(a, b)) for a, b in itertools.combinations(members, 2)
                  if abs(day[a] - day[b]) <= WINDOW}
    return found, seconds


def evaluate(bodies: list[str], days: list[int], families: list[int], kinds: list[str],
             label: str, verbose: bool) -> dict:
    minhash.signatures(bodies[:2])  # warm: tables built once per process
    started = time.perf_counter()
    values, offsets = minhash.shingle_hashes(bodies)
    sigs = minhash.signatures_of_hashes(values, offsets)
    sign_seconds = time.perf_counter() - started
    sets = shingle_sets(values, offsets)
    truth = truth_pairs(sets, days, families)
    found, cluster_seconds = predicted_pairs(window_table(bodies, days, sigs, sets))
    hits = found & truth
    precision = len(hits) / len(found) if found else 1.0
    recall = len(hits) / len(truth) if truth else 1.0
    result = {"config": label, "articles": len(bodies), "truth_pairs": len(truth),
              "found_pairs": len(found), "precision": round(precision, 4),
              "recall": round(recall, 4),
              "signatures_per_s": round(len(bodies) / sign_seconds),
              "clustering_per_s": round(len(bodies) / cluster_seconds)}
    if verbose:
        false_pos = found - truth
        shared = sum(1 for a, b in false_pos if -1 in (families[a], families[b]))
        print(f"  false positives: {len(false_pos)} ({shared} involve boilerplate sharers; "
              f"true J of the others: "
              f"{sorted(round(jaccard(sets[a], sets[b]), 2) for a, b in false_pos)[:12]})")
        missed: dict[str, int] = {}
        for a, b in truth - found:
            key = "/".join(sorted((kinds[a], kinds[b])))
            missed[key] = missed.get(key, 0) + 1
        print(f"  missed pairs by variant kinds: {dict(sorted(missed.items()))}")
        missed_j = [jaccard(sets[a], sets[b]) for a, b in truth - found]
        if missed_j:
            print(f"  true Jaccard of missed pairs: {min(missed_j):.3f}..{max(missed_j):.3f}"
                  f" (median {np.median(missed_j):.3f})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bases", type=int, default=600, help="base stories (default 600)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sweep", action="store_true",
                        help="also shingle sizes 3 and 8, bands 32x4 and 8x16")
    parser.add_argument("--langs", nargs="+",
                        help="languages of the stories (default: bench/generate.py's; "
                             "e.g. zh ja: unspaced scripts, characters substituted)")
    args = parser.parse_args()
    bodies, days, families, kinds = build(args.bases, args.seed, args.langs)
    sets = shingle_sets(*minhash.shingle_hashes(bodies))
    print(f"{len(bodies)} bodies over {max(days) + 1} days, "
          f"mean {np.mean([len(s) for s in sets]):.0f} shingles; "
          f"max Jaccard of sampled unrelated pairs: "
          f"{cross_family_max(sets, families, args.seed):.3f}")
    print(evaluate(bodies, days, families, kinds, "w5 16x8 (default)", verbose=True))
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if args.sweep:
        for words, bands, rows in ((3, 16, 8), (8, 16, 8), (5, 32, 4), (5, 8, 16)):
            minhash.SHINGLE_WORDS, minhash.BANDS, minhash.ROWS = words, bands, rows
            print(evaluate(bodies, days, families, kinds, f"w{words} {bands}x{rows}",
                           verbose=False))


if __name__ == "__main__":
    main()
