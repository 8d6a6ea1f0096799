"""HTML pages (files, gzip, archive members, ``.txt`` pages): main text and metadata."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

from newsetl import htmltext, reasons
from newsetl.htmltext import extract_page
from newsetl.inputs import Limits, RawItem, RejectItem, discover, iter_file
from newsetl.process import Rows, process_items

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Minister quits after budget row | Daily Planet</title>
<meta property="og:title" content="Minister quits after budget row">
<meta name="author" content="Jane Doe">
<meta property="og:site_name" content="Daily Planet">
<meta property="article:published_time" content="2024-03-01T10:00:00Z">
<link rel="canonical" href="https://planet.example/news/minister-quits">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li></ul></nav>
<article><h1>Minister quits after budget row</h1>
<p>The finance minister resigned on Friday after a week of bitter arguments about the
budget, officials in the capital said.</p>
<h2>A long week</h2>
<p>Talks had collapsed on Tuesday when the coalition partners could not agree on spending
for schools, hospitals and roads in the poorer regions.</p>
<p>The prime minister is expected to name a successor early next week, according to
two people familiar with the matter.</p>
</article>
<footer><p>Copyright 2024 Daily Planet. All rights reserved.</p></footer>
</body></html>
"""

MENU_ONLY = """<!DOCTYPE html><html><head><title>Index</title></head><body>
<nav><a href="/a">A</a> <a href="/b">B</a></nav></body></html>"""


def rows_of(day: Path, limits: Limits | None = None) -> Rows:
    out = Rows()
    items = [i for n, f in enumerate(discover(day))
             for i in iter_file(day, f, n, limits or Limits())]
    for rows in process_items(items, detector="langdetect"):
        out.articles += rows.articles
        out.sections += rows.sections
        out.rejects += rows.rejects
    return out


def test_a_page_gives_its_main_text_and_metadata(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    rows = rows_of(tmp_path)
    assert rows.rejects == []
    [article] = rows.articles
    assert article["title"] == "Minister quits after budget row"
    assert article["title_source"] == "page"
    assert article["url"] == "https://planet.example/news/minister-quits"
    assert article["published"] == "2024-03-01"
    assert article["author"] == ["Jane Doe"]
    assert article["source_name"] == "Daily Planet"
    assert article["lang"] == "en"
    body = article["body"]
    assert body.startswith("The finance minister resigned on Friday")
    assert "Home" not in body and "Copyright" not in body and "<" not in body
    kinds = [(s["kind"], s["text"]) for s in rows.sections]
    assert ("subheading", "A long week") in kinds
    assert sum(k == "paragraph" for k, _ in kinds) == 3


def test_html_is_found_by_content_in_txt_gzip_and_archives(tmp_path: Path) -> None:
    pages = {"plain.htm": PAGE.encode(), "saved.txt": b"\xef\xbb\xbf  \n" + PAGE.encode(),
             "zipped.html.gz": gzip.compress(PAGE.encode())}
    for name, data in pages.items():
        (tmp_path / name).write_bytes(data)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("site/page.html", PAGE)
        zf.writestr("site/page.txt", PAGE)
    (tmp_path / "pages.zip").write_bytes(buf.getvalue())
    tbuf = io.BytesIO()
    with tarfile.open(fileobj=tbuf, mode="w:gz") as tf:
        info = tarfile.TarInfo("p.htm")
        info.size = len(PAGE.encode())
        tf.addfile(info, io.BytesIO(PAGE.encode()))
    (tmp_path / "pages.tgz").write_bytes(tbuf.getvalue())
    rows = rows_of(tmp_path)
    # the same page six times, each read as a page (duplicates are found at publishing)
    assert rows.rejects == []
    assert sorted((a["source_file"], a["source_member"]) for a in rows.articles) == [
        ("pages.tgz", "p.htm"), ("pages.zip", "site/page.html"), ("pages.zip", "site/page.txt"),
        ("plain.htm", None), ("saved.txt", None), ("zipped.html.gz", None)]
    assert {(a["article_id"], a["title_source"], a["url"]) for a in rows.articles} == {
        (rows.articles[0]["article_id"], "page", "https://planet.example/news/minister-quits")}


def test_a_page_without_main_text_and_unparsable_html_are_rejects(tmp_path: Path) -> None:
    (tmp_path / "a_menu.html").write_text(MENU_ONLY)
    (tmp_path / "b_binary.html").write_bytes(b"\x00\x01\x02\x03\xff\xfe" * 10)
    (tmp_path / "c_empty.html").write_bytes(b"")
    rows = rows_of(tmp_path)
    assert rows.articles == []
    assert [(r["source_file"], r["reason"]) for r in rows.rejects] == [
        ("a_menu.html", reasons.NO_MAIN_TEXT), ("b_binary.html", reasons.UNPARSABLE_HTML),
        ("c_empty.html", reasons.UNPARSABLE_HTML)]
    assert all(r["raw_sha256"] for r in rows.rejects)


def test_a_page_over_the_article_limit_is_too_large(tmp_path: Path) -> None:
    (tmp_path / "big.html").write_text(PAGE + "<!--" + "x" * 5000 + "-->")
    (tmp_path / "big.txt").write_text(PAGE + "<!--" + "x" * 5000 + "-->")
    items = [i for n, f in enumerate(discover(tmp_path))
             for i in iter_file(tmp_path, f, n, Limits(max_article_bytes=4000))]
    assert [(type(i), getattr(i, "reason", None)) for i in items] == [
        (RejectItem, reasons.TOO_LARGE)] * 2


def test_text_that_only_mentions_tags_stays_text(tmp_path: Path) -> None:
    text = ("<b>Breaking</b>: the council voted on Monday to close the old bridge to "
            "traffic for two years while it is repaired.\n")
    (tmp_path / "a.txt").write_text(text)
    [item] = [i for i in iter_file(tmp_path, discover(tmp_path)[0], 0, Limits())]
    assert isinstance(item, RawItem) and item.data is not None and item.meta == {}


def test_extraction_never_raises(monkeypatch) -> None:
    import trafilatura

    def boom(*args, **kwargs):
        raise RecursionError("deep tree")

    monkeypatch.setattr(trafilatura, "bare_extraction", boom)
    monkeypatch.setattr(htmltext, "fast_body", boom)
    failure = extract_page(PAGE.encode())
    assert failure.reason == reasons.UNPARSABLE_HTML and "RecursionError" in failure.detail


def test_a_record_url_wins_and_a_record_date_is_the_fallback() -> None:
    page = extract_page(PAGE.replace('<meta property="article:published_time" '
                                     'content="2024-03-01T10:00:00Z">', "").encode(),
                        url="https://crawl.example/x", published="2024-05-06T07:08:09Z")
    assert page.meta["url"] == "https://crawl.example/x"
    assert page.meta["published"] == "2024-05-06T07:08:09Z"
    assert extract_page(PAGE.encode(), published="2024-05-06").meta["published"] == "2024-03-01"
