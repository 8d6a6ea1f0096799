"""Calibration and foreign-section benchmarks of the fast detector (issue 14).

Used by ``bench/langid_accuracy.py`` (which writes the results into
``docs/langid_accuracy.md``); runs on its own too:

    python bench/langid_foreign.py            # print both reports
    python bench/langid_foreign.py --refit    # print refitted calibration constants

*Calibration*: every dev-set line (sentences, word pairs, single words) is scored once;
lines with index ``% 3 == 2`` in each file are held out, the rest fit
``calibration.TEMPERATURE`` / ``LENGTH_EXPONENT``. On the held-out lines: a reliability
table of the calibrated probability of the best language and its expected calibration
error (ECE), next to the raw softmax the detector used before.

*Foreign sections*: mixed articles built from the dev sentences (fixed seed): a body of
paragraphs in one language with sentences of another language inserted (some with a
tweet sign-off), names-only lines, ALL-CAPS name lines, @handle sign-off lines and URL
lines. Each article goes through ``process.parse_item`` and ``process.build_rows`` (the
pipeline's own path); a section is *truly foreign* when an inserted foreign sentence
makes up at least half of its text. Precision and recall of ``is_foreign`` are printed
for the new rule and for the old one (``section_lang != lang``, uncalibrated argmax,
computed on the same sections).
"""

from __future__ import annotations

import argparse
import os
import random
from pathlib import Path

import numpy as np
from langid_accuracy import expected  # bench/ is on the path: run as a script or from it

DEFAULT_DATA = Path(os.environ.get("NEWSETL_LANGID_DEV", "/work/shared/langid-dev"))
CATEGORIES = ("sentences", "word-pairs", "single-words")
SEED = 14
#: ``section_lang_margin`` thresholds of the precision/recall sweep.
SWEEP = (0.0, 1.0, 2.2, 3.0, 5.0, 8.0)


def _lines(path: Path) -> list[str]:
    return [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


# ---------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------
def dev_scores(data: Path, nb_only: bool = False):
    """Score matrix, n-gram counts, right-answer mask, category, hold-out flag and
    short-model flag of every dev-set line (as the detector scores it: short lines by
    the short-text model, ``fast.routed_scores``; ``nb_only``: every line by the naive
    Bayes alone)."""
    from newsetl.langid import fast

    langs = fast.languages()
    col = {lang: i for i, lang in enumerate(langs)}
    texts, truth, cats, hold = [], [], [], []
    for category in CATEGORIES:
        for path in sorted((data / category).glob("*.txt")):
            for i, line in enumerate(_lines(path)):
                texts.append(line)
                truth.append(path.stem)
                cats.append(category)
                hold.append(i % 3 == 2)
    if nb_only:
        s, n = fast.scores(texts)
        short = np.zeros(len(texts), dtype=bool)
    else:
        s, n, short, _, _ = fast.routed_scores(texts)
    ok = np.zeros(s.shape, dtype=bool)
    for k, code in enumerate(truth):
        for lang in expected(code):
            ok[k, col[lang]] = True
    return s, n, ok, np.array(cats), np.array(hold), short


def refit(data: Path) -> tuple[float, float, float, float]:
    """(TEMPERATURE, LENGTH_EXPONENT) of the naive Bayes, fitted on its scores of all
    fitting lines (its calibration must hold for texts of any length: long texts and
    article bodies), and (SHORT_TEMPERATURE, SHORT_LENGTH_EXPONENT) on the short
    model's scores of the short fitting lines."""
    from newsetl.langid import calibration

    s, n, ok, _, hold, _ = dev_scores(data, nb_only=True)
    t0, a = calibration.fit(s[~hold], n[~hold], ok[~hold])
    s, n, ok, _, hold, short = dev_scores(data)
    fit = ~hold & short
    ts, a_s = calibration.fit(s[fit], n[fit], ok[fit])
    return t0, a, ts, a_s


def render_refit(constants: tuple[float, float, float, float]) -> str:
    t0, a, ts, a_s = constants
    return (f"TEMPERATURE = {t0}\nLENGTH_EXPONENT = {a}\n"
            f"SHORT_TEMPERATURE = {ts}\nSHORT_LENGTH_EXPONENT = {a_s}")


def calibration_report(data: Path) -> dict:
    """Reliability tables and ECE, raw softmax vs calibrated, on the held-out lines."""
    from newsetl.langid import calibration

    s, n, ok, cats, hold, short = dev_scores(data)
    sel = hold & (n > 0)
    out = {"n": int(sel.sum()), "skipped_no_ngram": int((hold & (n == 0)).sum()),
           "short": int((sel & short).sum())}
    s, n, ok, cats, short = s[sel], n[sel], ok[sel], cats[sel], short[sel]
    for name, (t0, a) in {"raw": (1.0, 0.0),
                          "calibrated": calibration.constants(short)}.items():
        p = calibration.probabilities(s, n, t0, a)
        best = p.argmax(axis=1)
        p_best = p[np.arange(len(p)), best]
        correct = ok[np.arange(len(p)), best]
        table, ece = calibration.reliability(p_best, correct)
        per_cat = {c: calibration.reliability(p_best[cats == c], correct[cats == c])[1]
                   for c in CATEGORIES}
        und = p_best < calibration.MIN_PROB
        out[name] = {"table": table, "ece": ece, "per_category": per_cat,
                     "und_share": float(und.mean()),
                     "acc_when_judged": float(correct[~und].mean()),
                     "acc_of_und": float(correct[und].mean()) if und.any() else 0.0}
    return out


def _short_max() -> int:
    from newsetl.langid import fast

    return fast.SHORT_MAX_CHARS


def render_calibration(rep: dict) -> str:
    from newsetl.langid import calibration

    raw, cal = rep["raw"], rep["calibrated"]
    lines = [
        f"Held-out dev lines (every third line of each file, {rep['n']} lines with at "
        "least one known n-gram; sentences, word pairs and single words together). "
        "p = probability of the best language; accuracy = share of those that are right.",
        "",
        f"Calibration: T(n) = {calibration.TEMPERATURE} * n^{calibration.LENGTH_EXPONENT} "
        "(n = known n-grams of the text) for the naive Bayes, fitted on its scores of the "
        "other lines; T(n) = "
        f"{calibration.SHORT_TEMPERATURE} * n^{calibration.SHORT_LENGTH_EXPONENT} (n = "
        "n-gram slots) for texts scored by the short-text model (shorter than "
        f"{_short_max()} characters: {rep['short']} of these lines), fitted on the other "
        "short lines (`python bench/langid_accuracy.py --refit`).",
        "",
        f"- **ECE: raw softmax {raw['ece']:.3f} -> calibrated {cal['ece']:.3f}** "
        "(bins below; count-weighted |mean p - accuracy|)",
        "- ECE per category, raw -> calibrated: " + "; ".join(
            f"{c} {raw['per_category'][c]:.3f} -> {cal['per_category'][c]:.3f}"
            for c in CATEGORIES),
        f"- `und` below calibrated p {calibration.MIN_PROB} (`calibration.MIN_PROB`): "
        f"{100 * cal['und_share']:.1f} % of these lines (their best guess was right "
        f"{100 * cal['acc_of_und']:.1f} % of the time); accuracy of the rest "
        f"{100 * cal['acc_when_judged']:.1f} %",
        "",
        "| p bin | raw count | raw mean p | raw accuracy | calibrated count "
        "| calibrated mean p | calibrated accuracy |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for (lo, hi, c1, m1, a1), (_, _, c2, m2, a2) in zip(raw["table"], cal["table"],
                                                        strict=True):
        def cell(c, m, a):
            return f"{c} | {m:.3f} | {a:.3f}" if c else "0 | | "
        lines.append(f"| [{lo:.2f}, {hi:.2f}{']' if hi == 1.0 else ')'} | {cell(c1, m1, a1)} "
                     f"| {cell(c2, m2, a2)} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------
# Foreign sections
# ---------------------------------------------------------------------------------
FIRST = ["Antonio", "Marco", "Maria", "Jean", "Olga", "Ahmed", "Li", "Sven", "Ana",
         "Kofi", "Yuki", "Pedro", "Ingrid", "Dmitri", "Fatima", "Hans", "Priya", "Tomás"]
LAST = ["Padellaro", "Travaglio", "Dupont", "Ivanova", "Hassan", "Wei", "Lindqvist",
        "Silva", "Mensah", "Tanaka", "Garcia", "Berg", "Petrov", "Nasser", "Müller",
        "Sharma", "Kowalski", "Novak"]
MONTHS = ["January", "March", "May", "July", "October", "December"]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _distractor(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:  # names-only line
        return ", ".join(_name(rng) for _ in range(rng.randint(2, 4)))
    if kind == 1:  # ALL-CAPS name line
        return " ".join(_name(rng).upper() for _ in range(rng.randint(2, 4)))
    if kind == 2:  # tweet sign-off
        name = _name(rng)
        handle = name.replace(" ", "").replace("á", "a").replace("ü", "u")
        return (f"\u2014 {name} (@{handle}) {rng.choice(MONTHS)} {rng.randint(1, 28)}, "
                f"{rng.randint(2010, 2024)}")
    if kind == 3:  # URL line
        slug = "-".join(w.lower() for w in _name(rng).split())
        year, num = rng.randint(2010, 2024), rng.randint(1000, 99999)
        return f"https://www.example-news.com/{year}/{slug}-{num}"
    handles = " ".join(f"@{rng.choice(LAST).lower()}" for _ in range(3))
    return f"{handles} #{rng.choice(LAST)} #{rng.choice(FIRST)}News"


def mixed_articles(data: Path, per_language: int = 20, seed: int = SEED):
    """[(text, [foreign sentences], host code)] built from the dev sentences
    (deterministic)."""
    rng = random.Random(seed)
    sentences = {p.stem: _lines(p) for p in sorted((data / "sentences").glob("*.txt"))}
    codes = sorted(sentences)
    articles = []
    for host in codes:
        for _ in range(per_language):
            units = [" ".join(rng.sample(sentences[host], rng.randint(1, 2)))
                     for _ in range(rng.randint(4, 7))]
            foreign = []
            for _ in range(rng.choice((0, 1, 1, 2))):
                other = rng.choice([c for c in codes if c != host])
                sent = rng.choice(sentences[other])
                foreign.append(sent)
                if rng.random() < 0.25:  # an embedded tweet
                    sent = f"{sent} \u2014 {_name(rng)} (@{rng.choice(LAST)}) 3 May 2017"
                units.insert(rng.randint(1, len(units)), sent)
            for _ in range(rng.randint(1, 3)):
                units.insert(rng.randint(1, len(units)), _distractor(rng))
            articles.append(("\n\n".join(units), foreign, host))
    return articles


def foreign_report(data: Path, per_language: int = 20) -> dict:
    """``is_foreign`` precision and recall, new rule vs old, on the mixed articles."""
    from newsetl import process
    from newsetl.inputs import RawItem
    from newsetl.langid import UND, fast

    parsed, truths = [], []
    for k, (text, foreign, host) in enumerate(mixed_articles(data, per_language)):
        item = RawItem(f"mixed/{k:05d}.txt", None, k, "sha", text=text)
        p = process.parse_item(item)
        if isinstance(p, dict):
            continue
        parsed.append(p)
        truths.append((foreign, host))
    rows = process.Rows()
    for i in range(0, len(parsed), 256):
        process.build_rows(parsed[i:i + 256], rows, "fast")
    # the old rule on the same sections: uncalibrated argmax, foreign = languages differ
    texts, groups = [], []
    for p in parsed:
        body = []
        for section in p.seg.sections:
            if section.kind in process.JUDGED_KINDS:
                if section.kind in process.BODY_KINDS:
                    body.append(len(texts))
                texts.append(process._section_text_for_lang(section))
        groups.append(body)
    old_text, old_body = fast.detect_grouped(texts, groups, process.MIN_SECTION_LETTERS,
                                             process.MIN_BODY_LETTERS, min_prob=0.0)
    old_iter = iter(old_text)
    sec_iter = iter(rows.sections)  # in article order, one row per section
    counts = {"new": [0, 0, 0], "old": [0, 0, 0]}  # tp, fp, fn
    kinds_fp = {"new": {}, "old": {}}
    n_sections = n_true = 0
    margins = {m: [0, 0, 0] for m in SWEEP}
    wrong_article = 0
    missed: dict[str, int] = {}
    for p, (foreign, host), (old_lang, _), art in zip(parsed, truths, old_body,
                                              (r for r in rows.articles), strict=True):
        secs = [next(sec_iter) for _ in p.seg.sections]
        art_ok = art["lang"] in expected(host)
        wrong_article += not art_ok
        for sec, section in zip(secs, p.seg.sections, strict=True):
            s_old = next(old_iter)[0] if section.kind in process.JUDGED_KINDS else UND
            n_sections += 1
            text = sec["text"]
            truth = is_truly_foreign(text, foreign)
            n_true += truth
            old_flag = s_old != UND and old_lang != UND and not process.same_language(
                s_old, old_lang)
            for m, c in margins.items():
                flag = (sec["section_lang_margin"] >= m and sec["section_lang"] != UND
                        and not process.same_language(sec["section_lang"], art["lang"]))
                c[0] += flag and truth
                c[1] += flag and not truth
                c[2] += truth and not flag
            if truth and not sec["is_foreign"]:
                why = _miss_reason(section)
                missed[why] = missed.get(why, 0) + 1
            for name, flag in (("new", sec["is_foreign"]), ("old", old_flag)):
                c = counts[name]
                if flag and truth:
                    c[0] += 1
                elif flag:
                    c[1] += 1
                    kind = _fp_kind(text, foreign) if art_ok else "article language wrong"
                    kinds_fp[name][kind] = kinds_fp[name].get(kind, 0) + 1
                elif truth:
                    c[2] += 1
    out = {"articles": len(parsed), "sections": n_sections, "truly_foreign": n_true,
           "wrong_article_lang": wrong_article, "missed": missed,
           "sweep": {m: (tp / max(1, tp + fp), tp / max(1, tp + fn))
                     for m, (tp, fp, fn) in margins.items()}}
    for name, (tp, fp, fn) in counts.items():
        out[name] = {"tp": tp, "fp": fp, "fn": fn,
                     "precision": tp / max(1, tp + fp), "recall": tp / max(1, tp + fn),
                     "false_flags": kinds_fp[name]}
    return out


def _miss_reason(section) -> str:
    from newsetl import process

    if section.kind not in process.JUDGED_KINDS:
        return f"typed {section.kind} (not judged)"
    text = process._section_text_for_lang(section)
    if not process.has_letters(process.evidence_text(text), process.FOREIGN_MIN_LETTERS):
        return f"under {process.FOREIGN_MIN_LETTERS} letters of evidence"
    return "not confident enough"


def _letters(text: str) -> str:
    from newsetl.cleaning import clean_text

    return "".join(ch for ch in clean_text(text)[0].casefold() if ch.isalpha())


def is_truly_foreign(text: str, foreign: list[str]) -> bool:
    """An inserted foreign sentence makes up at least half of the section's letters
    or the section is a piece of one (the segmenter may split a long line); compared on
    the letters of the cleaned texts: cleaning may change spaces, quotes, dashes and
    drop mojibake."""
    got = _letters(text)
    return bool(got) and any(
        (f := _letters(s)) and ((f in got and 2 * len(f) >= len(got)) or got in f)
        for s in foreign)


def _fp_kind(text: str, foreign: list[str]) -> str:
    if any(_letters(f) in _letters(text) for f in foreign):
        return "mixed with foreign text"
    if "http" in text:
        return "URL"
    if "(@" in text:
        return "sign-off"
    if "@" in text or "#" in text:
        return "handles"
    if text.upper() == text and text.lower() != text:
        return "ALL-CAPS"
    words = [w for w in text.replace(",", " ").split() if w[:1].isalpha()]
    if words and all(w[0].isupper() for w in words):
        return "names-only"
    return "host-language text"


def render_foreign(rep: dict) -> str:
    from newsetl import process

    lines = [
        f"{rep['articles']} mixed articles (dev sentences, seed {SEED}; {rep['sections']} "
        f"sections, {rep['truly_foreign']} truly foreign) through `process.build_rows`. "
        f"New rule: evidence (`process.evidence_text`) of at least "
        f"{process.FOREIGN_MIN_LETTERS} letters, calibrated p >= {process.FOREIGN_MIN_PROB}, "
        f"margin >= {process.FOREIGN_MIN_MARGIN}. Old rule: `section_lang != lang`.",
        "",
        "| rule | precision | recall | true flags | false flags | missed | false flags by kind |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name in ("old", "new"):
        r = rep[name]
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(r["false_flags"].items(),
                                                        key=lambda kv: -kv[1]))
        lines.append(f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | {r['tp']} "
                     f"| {r['fp']} | {r['fn']} | {kinds} |")
    lines += [
        "",
        "Truly foreign sections the new rule misses, by reason: " + ", ".join(
            f"{k} {v}" for k, v in sorted(rep["missed"].items(), key=lambda kv: -kv[1]))
        + ".",
        "",
        f"Articles whose own language came out wrong: {rep['wrong_article_lang']} "
        "(their sections are judged against a wrong language; a false flag there is "
        "counted as 'article language wrong').",
        "",
        "Choosing your own threshold on `section_lang_margin` (flag = margin >= m and "
        "`section_lang` differs from `lang`; no probability condition):",
        "",
        "| margin >= | precision | recall |",
        "|---:|---:|---:|",
    ]
    lines += [f"| {m} | {p:.3f} | {r:.3f} |" for m, (p, r) in rep["sweep"].items()]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--refit", action="store_true", help="print refitted constants")
    ap.add_argument("--per-language", type=int, default=20, help="mixed articles per host")
    args = ap.parse_args(argv)
    if args.refit:
        print(render_refit(refit(args.data)))
        return 0
    print(render_calibration(calibration_report(args.data)))
    print()
    print(render_foreign(foreign_report(args.data, args.per_language)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
