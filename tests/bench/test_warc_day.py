"""The WARC days of bench/e2e.py: generated pages shaped like real ones, and real pages
packed into WARC files, every record read back."""

from __future__ import annotations

import gzip
import importlib.util
import json
import random
import sys
from pathlib import Path

import pytest
from newsetl.htmltext import Page, extract_page, parse_html, prune_non_content
from newsetl.items import ItemContext, Limits, RawItem
from newsetl.warc import iter_warc

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def generate():
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    return module


def test_generated_pages_look_like_real_news_pages(generate) -> None:
    rng = random.Random(3)
    text = ("WORLD\n\nMinister quits after a long budget row in the capital\n\n"
            + "\n\n".join(f"Paragraph {i} of the story, with enough words to be prose."
                          for i in range(8)))
    pages = [generate.article_page(rng, text, f"https://news.example/{i}") for i in range(12)]
    for data in pages:
        tree = parse_html(data)
        before = sum(1 for _ in tree.iter())
        prune_non_content(tree)
        after = sum(1 for _ in tree.iter())
        # real pages: ~740 elements, about half of them pruned as never content; the
        # rest is not a teaser grid the pruning removes whole
        assert before > 600 and after > 300 and len(data) > 100_000
        page = extract_page(data)
        assert isinstance(page, Page)
        assert "Paragraph 7 of the story" in page.text and "Footer link" not in page.text
        assert page.meta["title"] and page.meta["author"]
    authors_in_json_ld = sum(b'"@type": "Person"' in data for data in pages)
    assert 0 < authors_in_json_ld < len(pages)  # the others need the byline search


def test_real_pages_packed_into_a_warc_day_are_all_read_back(generate, tmp_path) -> None:
    bench = tmp_path / "aeb"
    (bench / "html").mkdir(parents=True)
    truth = {}
    for key in ("a1", "b2"):
        html = (f"<html><head><title>Page {key}</title></head><body><article><h1>Page "
                f"{key}</h1>" + "<p>Some real text of the article, long enough.</p>" * 8
                + "</article></body></html>")
        (bench / "html" / f"{key}.html.gz").write_bytes(gzip.compress(html.encode()))
        truth[key] = {"url": f"https://site.example/{key}", "articleBody": "x"}
    (bench / "ground-truth.json").write_text(json.dumps(truth))
    assert generate.pack_real_warc(tmp_path / "raw", "2024-01-01", 5, bench, per_file=3) == 5
    files = sorted((tmp_path / "raw" / "2024-01-01").iterdir())
    assert [f.name for f in files] == ["real-00000.warc.gz", "real-00001.warc.gz"]
    items = []
    for index, path in enumerate(files):
        with path.open("rb") as fh:
            items += list(iter_warc(ItemContext(str(path), index, Limits()), fh, None))
    assert len(items) == 5 and all(isinstance(i, RawItem) for i in items)
    assert [i.meta["url"] for i in items] == [
        "https://site.example/a1?copy=0", "https://site.example/b2?copy=0",
        "https://site.example/a1?copy=1", "https://site.example/b2?copy=1",
        "https://site.example/a1?copy=2"]
