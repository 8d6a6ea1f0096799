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
  and put DIR on ``PYTHONPATH``).

Scores are bags of lower-cased word tokens: precision = shared / extracted, recall =
shared / true, averaged over pages (macro), F1 from those averages, as the benchmark's
own ``evaluate.py`` does with its shingles; ``empty`` counts pages with no text (for
``newsetl body``: pages the pipeline rejects).
"""

from __future__ import annotations

import argparse
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
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)[:limit]
    rows = []
    for name, extractor in EXTRACTORS.items():
        if not available(name):
            print(f"{name}: not installed, skipped", file=sys.stderr)
            continue
        precisions, recalls, empty, started = [], [], 0, time.perf_counter()
        for key in keys:
            html = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes())
            try:
                pred = extractor(html, truth[key].get("url", ""))
            except Exception as exc:  # noqa: BLE001 - a failing extractor scores empty
                print(f"{name} {key}: {type(exc).__name__}: {exc}", file=sys.stderr)
                pred = ""
            empty += not pred.strip()
            p, r = score(truth[key].get("articleBody", ""), pred)
            precisions.append(p)
            recalls.append(r)
        p, r = statistics.mean(precisions), statistics.mean(recalls)
        rows.append({"extractor": name, "pages": len(keys), "empty": empty,
                     "precision": p, "recall": r,
                     "f1": 2 * p * r / (p + r) if p + r else 0.0,
                     "ms_per_page": 1000 * (time.perf_counter() - started) / len(keys)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmark", type=Path,
                        help="checkout of scrapinghub/article-extraction-benchmark")
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    args = parser.parse_args()
    rows = evaluate(args.benchmark, args.limit)
    print("| extractor | pages | empty | precision | recall | F1 | ms/page |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['extractor']} | {row['pages']} | {row['empty']} | {row['precision']:.3f} | "
              f"{row['recall']:.3f} | {row['f1']:.3f} | {row['ms_per_page']:.0f} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
