"""Main-text extraction quality of HTML pages: word-level precision, recall and F1.

Scores the body newsetl extracts from a web page (:mod:`newsetl.htmltext`, trafilatura)
against a public benchmark with hand-made ground truth, the ScrapingHub article
extraction benchmark (https://github.com/scrapinghub/article-extraction-benchmark, MIT
licence: 181 news and blog pages as ``html/<id>.html.gz`` with ``ground-truth.json``).
The benchmark is not copied into this repository; pass a checkout of it:

    git clone https://github.com/scrapinghub/article-extraction-benchmark /tmp/aeb
    python bench/extract_quality.py /tmp/aeb

Columns, side by side on the same pages:

- ``newsetl page`` -- the text :func:`newsetl.htmltext.extract_page` hands on (blocks
  joined by blank lines);
- ``newsetl body`` -- the article body after the pipeline's cleaning and segmentation
  (:func:`newsetl.process.parse_item`): what the ``articles`` table stores (a rejected
  page scores an empty body);
- ``trafilatura extract`` -- ``trafilatura.extract`` with its defaults;
- ``jusText`` -- jusText's non-boilerplate paragraphs (English stoplist; installed with
  trafilatura);
- ``resiliparse`` -- ``extract_plain_text(main_content=True)`` when resiliparse is
  importable (it is not a project dependency: ``pip install --target DIR resiliparse``
  and put DIR on ``PYTHONPATH``);
- ``newsetl page (DIR)`` -- with ``--code DIR``: the page text of another checkout
  (before/after).

Every page goes through every extractor in turn and ``CPU ms/page`` is CPU time, so
that figures taken on a busy shared machine still compare.

Scores are bags of lower-cased word tokens: precision = shared / extracted, recall =
shared / true, averaged over pages (macro), F1 from those averages, as the benchmark's
own ``evaluate.py`` does with its shingles; ``empty`` counts pages with no text (for
``newsetl body``: pages the pipeline rejects).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "include"))

from newsetl.htmltext import Failure, extract_page  # noqa: E402
from newsetl.items import RawItem  # noqa: E402
from newsetl.process import parse_item  # noqa: E402

_WORD = re.compile(r"\w+")


def words(text: str) -> Counter[str]:
    """The bag of lower-cased word tokens.

    >>> sorted(words("The cat, the HAT.").items())
    [('cat', 1), ('hat', 1), ('the', 2)]
    """
    return Counter(_WORD.findall(text.casefold()))


def score(true: str, pred: str) -> tuple[float, float]:
    """(precision, recall) of one page; an empty side scores 1 when both are empty.

    >>> score("a b c d", "a b x")
    (0.6666666666666666, 0.5)
    """
    t, p = words(true), words(pred)
    shared = sum((t & p).values())
    precision = shared / sum(p.values()) if p else float(not t)
    recall = shared / sum(t.values()) if t else float(not p)
    return precision, recall


def newsetl_page(html: bytes, url: str) -> str:
    page = extract_page(html)
    return "" if isinstance(page, Failure) else page.text


def newsetl_body(html: bytes, url: str) -> str:
    page = extract_page(html)
    if isinstance(page, Failure):
        return ""
    parsed = parse_item(RawItem("bench", None, 0, "", text=page.text, meta=page.meta))
    return "" if isinstance(parsed, dict) else parsed.body


def trafilatura_extract(html: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def justext_paragraphs(html: bytes, url: str) -> str:
    import justext

    paragraphs = justext.justext(html, justext.get_stoplist("English"))
    return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def resiliparse_main(html: bytes, url: str) -> str:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding

    return extract_plain_text(bytes_to_str(html, detect_encoding(html)), main_content=True)


EXTRACTORS: dict[str, Callable[[bytes, str], str]] = {
    "newsetl page": newsetl_page,
    "newsetl body": newsetl_body,
    "trafilatura extract": trafilatura_extract,
    "jusText": justext_paragraphs,
    "resiliparse": resiliparse_main,
}


def other_checkout(code: Path) -> Callable[[bytes, str], str]:
    """``newsetl page`` of another checkout (before/after in one run): its
    ``htmltext.py`` loaded as a module of its own (its imports of ``newsetl.reasons`` and
    ``newsetl.items`` resolve to this checkout's)."""
    import importlib.util

    name = f"htmltext_{abs(hash(str(code)))}"
    spec = importlib.util.spec_from_file_location(name, code / "include/newsetl/htmltext.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)

    def extract(html: bytes, url: str) -> str:
        page = module.extract_page(html)
        return "" if isinstance(page, module.Failure) else page.text

    return extract


def available(name: str) -> bool:
    module = {"jusText": "justext", "resiliparse": "resiliparse"}.get(name)
    if module is None:
        return True
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def evaluate(root: Path, limit: int | None) -> list[dict]:
    """Every extractor on every page, page by page (the extractors take turns, so a
    machine whose load changes during the run slows them alike); ``ms_per_page`` is CPU
    time (``time.process_time``), which other processes on a shared machine change
    less than wall time."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)[:limit]
    names = []
    for name in EXTRACTORS:
        if available(name):
            names.append(name)
        else:
            print(f"{name}: not installed, skipped", file=sys.stderr)
    scores: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    empty = dict.fromkeys(names, 0)
    cpu = dict.fromkeys(names, 0.0)
    if keys:  # imports and first-call set-up are no page's cost
        first = gzip.decompress((root / "html" / f"{keys[0]}.html.gz").read_bytes())
        for name in names:
            with contextlib.suppress(Exception):
                EXTRACTORS[name](first, "")
    for key in keys:
        html = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes())
        for name in names:
            started = time.process_time()
            try:
                pred = EXTRACTORS[name](html, truth[key].get("url", ""))
            except Exception as exc:  # noqa: BLE001 - a failing extractor scores empty
                print(f"{name} {key}: {type(exc).__name__}: {exc}", file=sys.stderr)
                pred = ""
            cpu[name] += time.process_time() - started
            empty[name] += not pred.strip()
            scores[name].append(score(truth[key].get("articleBody", ""), pred))
    rows = []
    for name in names:
        p = statistics.mean(s[0] for s in scores[name])
        r = statistics.mean(s[1] for s in scores[name])
        rows.append({"extractor": name, "pages": len(keys), "empty": empty[name],
                     "precision": p, "recall": r,
                     "f1": 2 * p * r / (p + r) if p + r else 0.0,
                     "ms_per_page": 1000 * cpu[name] / len(keys)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmark", type=Path,
                        help="checkout of scrapinghub/article-extraction-benchmark")
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    parser.add_argument("--code", type=Path, action="append", default=[],
                        help="also score another checkout's newsetl page text, page by "
                             "page with the others; repeatable")
    args = parser.parse_args()
    for code in args.code:
        EXTRACTORS[f"newsetl page ({code})"] = other_checkout(code)
    rows = evaluate(args.benchmark, args.limit)
    print("| extractor | pages | empty | precision | recall | F1 | CPU ms/page |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['extractor']} | {row['pages']} | {row['empty']} | {row['precision']:.3f} | "
              f"{row['recall']:.3f} | {row['f1']:.3f} | {row['ms_per_page']:.0f} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
