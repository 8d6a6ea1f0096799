"""Section-typing quality on the labelled real-news corpus (bench/corpus).

Every raw article of ``bench/corpus/raw`` goes through the pipeline's own item step
(:func:`newsetl.process.parse_item`: decode, clean, segment), exactly as a day run
would take it. Then:

- over **all** raw articles: how many would be published (not rejected, not an exact
  duplicate of another article of the same source folder), and titles over the limit;
- over the **labelled** ones (``bench/corpus/labels``): title accuracy, per-kind unit
  precision and recall, dateline and byline precision/recall, boilerplate left in the
  body, and news text lost from the body.

Produced sections and labelled units rarely cut the text at the same places, so both
are turned into word tokens (CJK: characters) and aligned with difflib. A labelled unit
is predicted as the kind most of its tokens landed in ("dropped" when they are gone --
the right answer for a scraper ``echo``); a produced section is judged by the labelled
kind most of its tokens came from. Titles that come from a record field or a file-name
slug are not in the text: they count for title accuracy only.

    python bench/segment_quality.py                 # print the tables
    python bench/segment_quality.py --write         # also write docs/segment_quality.md
    python bench/segment_quality.py --snapshot a.json   # save every file's section kinds
    python bench/segment_quality.py --diff a.json       # what changed since that snapshot
    python bench/segment_quality.py --unseen /tmp/aeb   # + unseen real article bodies

``--unseen`` takes a clone of the ScrapingHub article-extraction-benchmark (see
bench/extract_quality.py): the hand-made ``articleBody`` of its 181 pages is real article
text that the rules were never shaped on, with no unit labels. Everything in it is the
article, so the share of its characters typed outside the body kinds (boilerplate,
byline, caption, source) or dropped by cleaning is an upper bound of news text lost on
unseen text (it also counts lines annotators kept that are boilerplate, such as a
"Read the original article" footer).
"""

from __future__ import annotations

import argparse
import difflib
import html
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "include"))

from newsetl.inputs import RawItem  # noqa: E402
from newsetl.process import BODY_KINDS, Parsed, parse_item  # noqa: E402
from newsetl.segment import MAX_TITLE_CHARS  # noqa: E402

CORPUS = HERE / "corpus"
DOC = HERE.parent / "docs" / "segment_quality.md"
KINDS = ("section_label", "title", "deck", "byline", "subheading", "caption", "quote",
         "paragraph", "boilerplate", "source", "echo")
BODY = frozenset(BODY_KINDS)
NOT_IN_TEXT_RULES = ("record_title", "filename_title")
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W_]+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFC", html.unescape(text)).casefold())


def norm(text: str | None) -> str:
    return " ".join(tokens(text or ""))


# --- loading -----------------------------------------------------------------------------


def raw_item(path: Path) -> RawItem:
    rel = path.relative_to(CORPUS / "raw").as_posix()
    if path.suffix == ".json":
        record = json.loads(path.read_text(encoding="utf-8"))
        meta = {k: record.get(k) for k in ("title", "url", "published")}
        return RawItem(rel, "1", 0, "", text=record.get("text") or "", meta=meta)
    return RawItem(rel, None, 0, "", data=path.read_bytes())


def load_labels() -> dict[str, dict]:
    labels: dict[str, dict] = {}
    for path in sorted((CORPUS / "labels").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                labels[record["file"]] = record
    return labels


# --- alignment ---------------------------------------------------------------------------


def align(expected: list[tuple[str, str]], produced: list[tuple[str, str]]
          ) -> tuple[list[list[str]], list[list[str]]]:
    """For each expected unit, the produced kinds of its tokens ("dropped" when missing);
    for each produced section, the expected kinds of its tokens ("extra" when missing)."""
    exp_tok: list[tuple[str, int]] = []
    for i, (_kind, text) in enumerate(expected):
        exp_tok += [(t, i) for t in tokens(text)]
    prod_tok: list[tuple[str, int]] = []
    for j, (_kind, text) in enumerate(produced):
        prod_tok += [(t, j) for t in tokens(text)]
    matcher = difflib.SequenceMatcher(None, [t for t, _ in exp_tok], [t for t, _ in prod_tok],
                                      autojunk=False)
    exp_kinds: list[list[str]] = [[] for _ in expected]
    prod_kinds: list[list[str]] = [[] for _ in produced]
    matched_e: set[int] = set()
    matched_p: set[int] = set()
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            e, p = block.a + k, block.b + k
            matched_e.add(e)
            matched_p.add(p)
            exp_kinds[exp_tok[e][1]].append(produced[prod_tok[p][1]][0])
            prod_kinds[prod_tok[p][1]].append(expected[exp_tok[e][1]][0])
    for e, (_t, i) in enumerate(exp_tok):
        if e not in matched_e:
            exp_kinds[i].append("dropped")
    for p, (_t, j) in enumerate(prod_tok):
        if p not in matched_p:
            prod_kinds[j].append("extra")
    return exp_kinds, prod_kinds


def majority(kinds: list[str]) -> str:
    return Counter(kinds).most_common(1)[0][0] if kinds else "dropped"


# --- scoring -------------------------------------------------------------------------------


@dataclass
class Score:
    """Counters for one source (or all)."""

    files: int = 0
    kept: int = 0
    rejects: Counter = field(default_factory=Counter)
    long_titles: int = 0
    labelled: int = 0
    title_ok: int = 0
    unit_true: Counter = field(default_factory=Counter)   # (kind) expected units
    unit_hit: Counter = field(default_factory=Counter)    # expected units predicted right
    sect_total: Counter = field(default_factory=Counter)  # produced sections per kind
    sect_hit: Counter = field(default_factory=Counter)    # produced sections right
    dateline: Counter = field(default_factory=Counter)    # tp, fp, fn
    byline: Counter = field(default_factory=Counter)
    leak_articles: int = 0
    body_tokens: int = 0
    lost_tokens: int = 0
    confusion: Counter = field(default_factory=Counter)

    def add(self, other: Score) -> None:
        for name, value in vars(other).items():
            if isinstance(value, Counter):
                getattr(self, name).update(value)
            else:
                setattr(self, name, getattr(self, name) + value)


def score_labelled(label: dict, parsed: Parsed | dict, score: Score) -> None:
    score.labelled += 1
    want_title = norm(label.get("title"))
    if isinstance(parsed, dict):  # rejected: every unit is lost
        sections: list = []
        got_title, dateline, authors = "", None, []
    else:
        sections = parsed.seg.sections
        got_title = norm(next((s.text for s in sections if s.kind == "title"), None))
        dateline, authors = parsed.seg.dateline, parsed.seg.authors
    score.title_ok += got_title == want_title
    skip_title = label.get("title_source") in ("record", "filename")
    expected = [(u["kind"], u["text"]) for u in label["units"]
                if not (skip_title and u["kind"] == "title")]
    produced = [(s.kind, s.text) for s in sections if s.rule not in NOT_IN_TEXT_RULES]
    exp_kinds, prod_kinds = align(expected, produced)
    leaked = False
    for (kind, _text), got in zip(expected, exp_kinds, strict=True):
        predicted = majority(got)
        score.unit_true[kind] += 1
        # boilerplate that cleaning dropped ("* * *") is as good as typed boilerplate
        right = predicted == kind or (kind in ("echo", "boilerplate")
                                      and predicted in ("dropped", "boilerplate"))
        score.unit_hit[kind] += right
        if not right:
            score.confusion[(kind, predicted)] += 1
        if kind in ("boilerplate", "echo") and predicted in BODY:
            leaked = True
        if kind in BODY:
            score.body_tokens += len(got)
            score.lost_tokens += sum(k not in BODY for k in got)
    score.leak_articles += leaked
    for (kind, _text), got in zip(produced, prod_kinds, strict=True):
        truth = majority(got) if got else "extra"
        score.sect_total[kind] += 1
        score.sect_hit[kind] += truth == kind or (kind == "boilerplate" and truth == "echo")
    _score_pair(score.dateline, norm(label.get("dateline")), norm(dateline))
    _score_pair(score.byline, ",".join(sorted(map(norm, label.get("authors") or []))),
                ",".join(sorted(map(norm, authors))))


def _score_pair(counter: Counter, want: str, got: str) -> None:
    if got and got == want:
        counter["tp"] += 1
    else:
        counter["fp"] += bool(got)
        counter["fn"] += bool(want)


def evaluate(only: str | None = None) -> tuple[dict[str, Score], dict[str, list[str]]]:
    labels = load_labels()
    scores: dict[str, Score] = defaultdict(Score)
    kinds_by_file: dict[str, list[str]] = {}
    for folder in sorted(p for p in (CORPUS / "raw").iterdir() if p.is_dir()):
        if only and folder.name != only:
            continue
        score = scores[folder.name]
        seen: set[str] = set()
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".txt", ".json"):
                continue
            item = raw_item(path)
            parsed = parse_item(item)
            score.files += 1
            if isinstance(parsed, dict):
                score.rejects[parsed["reason"]] += 1
                kinds_by_file[item.source_file] = [f"reject:{parsed['reason']}"]
            else:
                if parsed.content_sha1 in seen:
                    score.rejects["duplicate"] += 1
                else:
                    score.kept += 1
                seen.add(parsed.content_sha1)
                title = next((s.text for s in parsed.seg.sections if s.kind == "title"), "")
                score.long_titles += len(title) > MAX_TITLE_CHARS
                kinds_by_file[item.source_file] = [
                    f"{s.kind}:{s.rule}:{len(s.text)}" for s in parsed.seg.sections]
            if item.source_file in labels:
                score_labelled(labels[item.source_file], parsed, score)
    return scores, kinds_by_file


# --- report --------------------------------------------------------------------------------


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}" if b else "–"


def _pct(a: float, b: float) -> str:
    return f"{100 * a / b:.1f} %" if b else "–"


def _pr(counter: Counter) -> tuple[str, str]:
    return (_ratio(counter["tp"], counter["tp"] + counter["fp"]),
            _ratio(counter["tp"], counter["tp"] + counter["fn"]))


#: Whole HTML pages turned into text (menus, sidebars, comment threads and all): the
#: main-text extraction of HTML belongs before segmentation, so these are reported apart.
PAGE_SCRAPE_SHAPES = ("-blockstrip", "-tagstrip", "-htmltxt", "-html2text")


def is_page_scrape(source: str) -> bool:
    return source.endswith(PAGE_SCRAPE_SHAPES)


def report(scores: dict[str, Score]) -> str:
    total, dumps, pages = Score(), Score(), Score()
    for name, score in scores.items():
        total.add(score)
        (pages if is_page_scrape(name) else dumps).add(score)
    lines = ["## Per source", "",
             "| source | files | published | titles > limit | labelled | title acc. "
             "| dateline P/R | byline P/R | boilerplate in body | news lost |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s in [*sorted(scores.items()), ("**article dumps**", dumps),
                    ("**whole-page scrapes**", pages), ("**all**", total)]:
        dp, dr = _pr(s.dateline)
        bp, br = _pr(s.byline)
        lines.append(
            f"| {name} | {s.files} | {_pct(s.kept, s.files)} | {s.long_titles} | {s.labelled} "
            f"| {_pct(s.title_ok, s.labelled)} | {dp} / {dr} | {bp} / {br} "
            f"| {_pct(s.leak_articles, s.labelled)} | {_pct(s.lost_tokens, s.body_tokens)} |")
    lines += ["", "## Per kind (labelled articles)", "",
              "Article dumps (all sources but whole-page scrapes) first, then all sources.", "",
              "| kind | labelled units | recall | precision | all: units | recall | precision |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for kind in KINDS:
        if total.unit_true[kind] or total.sect_total[kind]:
            lines.append(f"| {kind} | {dumps.unit_true[kind]} "
                         f"| {_ratio(dumps.unit_hit[kind], dumps.unit_true[kind])} "
                         f"| {_ratio(dumps.sect_hit[kind], dumps.sect_total[kind])} "
                         f"| {total.unit_true[kind]} "
                         f"| {_ratio(total.unit_hit[kind], total.unit_true[kind])} "
                         f"| {_ratio(total.sect_hit[kind], total.sect_total[kind])} |")
    rejects = ", ".join(f"{k} {v}" for k, v in sorted(total.rejects.items())) or "none"
    lines += ["", f"Not published: {rejects}.", "",
              "## Most common confusions in article dumps (labelled kind → predicted kind)", "",
              "| labelled | predicted | units |", "|---|---|---:|"]
    for (want, got), n in dumps.confusion.most_common(15):
        lines.append(f"| {want} | {got} | {n} |")
    return "\n".join(lines)


#: Kinds whose text is not in an article's ``body``.
NOT_BODY_KINDS = ("boilerplate", "byline", "caption", "source")


def unseen_report(root: Path) -> str:
    """Kinds of the ScrapingHub benchmark's article bodies (see the module docstring)."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    units: Counter = Counter()
    chars: Counter = Counter()
    total = kept = articles = rejected = 0
    for key, page in sorted(truth.items()):
        body = page.get("articleBody") or ""
        if len(body) < 200:  # a few pages have no article
            continue
        articles += 1
        total += len("".join(body.split()))
        parsed = parse_item(RawItem("unseen.txt", key, articles, "0" * 64, text=body, meta={}))
        if isinstance(parsed, dict):
            rejected += 1
            continue
        for section in parsed.seg.sections:
            units[section.kind] += 1
            size = len("".join(section.text.split()))
            chars[section.kind] += size
            kept += size
    lines = [f"## Unseen real article bodies (ScrapingHub benchmark, {articles} pages)", "",
             f"Rejected: {rejected}. Characters (no spaces) typed outside the body: "
             f"{sum(chars[k] for k in NOT_BODY_KINDS) / total:.2%}; dropped by cleaning "
             f"and echo removal: {max(total - kept, 0) / total:.2%}.", "",
             "| kind | units | share of characters |", "|---|---:|---:|"]
    for kind, n in units.most_common():
        lines.append(f"| {kind} | {n} | {chars[kind] / total:.2%} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {DOC.name}")
    parser.add_argument("--source", help="only this raw/<source> folder")
    parser.add_argument("--snapshot", type=Path, help="save every file's section kinds")
    parser.add_argument("--diff", type=Path, help="compare section kinds with a snapshot")
    parser.add_argument("--unseen", type=Path,
                        help="a clone of scrapinghub/article-extraction-benchmark")
    args = parser.parse_args()
    scores, kinds = evaluate(args.source)
    table = report(scores)
    if args.unseen:
        table += "\n\n" + unseen_report(args.unseen)
    print(table)
    if args.snapshot:
        args.snapshot.write_text(json.dumps(kinds, indent=0, ensure_ascii=False))
    if args.diff:
        before = json.loads(args.diff.read_text(encoding="utf-8"))
        changed = [f for f in sorted(kinds) if before.get(f) != kinds[f]]
        print(f"\n{len(changed)} of {len(kinds)} files changed section kinds")
        for name in changed[:40]:
            print(f"  {name}")
    if args.write:
        DOC.write_text(
            "# Section-typing quality on the labelled real-news corpus\n\n"
            "Made by `python bench/segment_quality.py --write`; the corpus, its sources and "
            "licences are in `bench/corpus/` (README.md, SOURCES.md).\n\n" + table + "\n"
            + kept_notes(), encoding="utf-8")


#: Hand-written sections of the doc (the before table, how to read it), kept by --write.
NOTES_HEADING = "## Before this change"


def kept_notes() -> str:
    """The doc's hand-written part, from :data:`NOTES_HEADING` on (empty if none)."""
    old = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    at = old.find(NOTES_HEADING)
    return "\n" + old[at:] if at >= 0 else ""


if __name__ == "__main__":
    main()
