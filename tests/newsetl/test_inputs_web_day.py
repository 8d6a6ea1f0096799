"""A day of web and collection formats end to end: accounting balances, rows published."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pyarrow.dataset as pads
from newsetl import reasons
from newsetl.archives import zip_member_items
from newsetl.pipeline import run_day

from .test_inputs_html import PAGE
from .test_inputs_sgml import TREC
from .test_inputs_warc import warc_bytes

DAY = "2024-06-01"


def test_a_day_of_pages_crawls_and_collections_balances(tmp_path: Path) -> None:
    day = tmp_path / "raw" / DAY
    day.mkdir(parents=True)
    (day / "page.html").write_text(PAGE)
    (day / "crawl.warc.gz").write_bytes(warc_bytes(True))
    (day / "ap.sgml.gz").write_bytes(gzip.compress(TREC.encode()))
    (day / "note.txt").write_text(
        "URL: https://x.org/ferries\nDate: 2024-06-01\n\nFerries stay in port until "
        "Friday after the storm damaged the harbour wall, the port authority said.\n")
    manifest = run_day(tmp_path / "raw", tmp_path / "out", DAY, detector="langdetect")
    counts = manifest["counts"]
    assert counts["input_items"] == 1 + 5 + 2 + 1
    assert counts["articles"] + counts["rejects"] == counts["input_items"]
    assert counts["articles"] == 1 + 1 + 2 + 1
    assert counts["rejects_by_reason"] == {reasons.WARC_HTTP_ERROR: 2,
                                           reasons.WARC_NOT_HTML: 1, reasons.NO_MAIN_TEXT: 1}
    articles = pads.dataset(tmp_path / "out" / "articles", format="parquet").to_table(
        columns=["source_file", "url", "title_source"]).to_pylist()
    assert {(a["source_file"], a["title_source"]) for a in articles} == {
        ("page.html", "page"), ("crawl.warc.gz", "page"), ("ap.sgml.gz", "record"),
        ("note.txt", None)}
    assert ("note.txt", "https://x.org/ferries") in {(a["source_file"], a["url"])
                                                     for a in articles}


def test_zip_members_that_hold_many_items_are_never_counted_as_one() -> None:
    assert [zip_member_items(zipfile.ZipInfo(name)) for name in (
        "a.html", "a.txt", "a.warc.gz", "a.warc", "a.sgml", "a.trec.gz")] == [
        1, 1, None, None, None, None]

