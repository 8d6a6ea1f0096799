"""A page's <title> loses the site's name: the title is the headline."""

from __future__ import annotations

import pytest
from newsetl.items import RawItem
from newsetl.process import parse_item
from newsetl.sitenames import strip_site_name

BODY = ("The ministry said on Tuesday that the new rules would take effect in March, after "
        "months of talks with unions.\n\nOfficials expect the change to affect about two "
        "million workers in the retail sector.")


@pytest.mark.parametrize(("title", "site", "url", "headline"), [
    ("Ceasefire talks stall again | CBC News", "CBC", "https://www.cbc.ca/news/1",
     "Ceasefire talks stall again"),
    ("Missile hits buildings and schools - National | Globalnews.ca", "Global News",
     "https://globalnews.ca/news/1", "Missile hits buildings and schools - National"),
    ("Nadeschdin setzt auf ein Ende der Putin-Ära – DW – 30.01.2024", "Deutsche Welle",
     "https://www.dw.com/de/a", "Nadeschdin setzt auf ein Ende der Putin-Ära"),
    ("イオン銀行の社長解任、持ち株社長も引責 - 日本経済新聞", "日本経済新聞社",
     "https://www.nikkei.com/article/1", "イオン銀行の社長解任、持ち株社長も引責"),
    ("Roky v důchodu tráví Češi po doktorech - Seznam Zprávy", "Seznam_Zpravy",
     "https://www.seznamzpravy.cz/clanek/1", "Roky v důchodu tráví Češi po doktorech"),
    # what follows the separator is part of the headline: kept
    ("Your old coins could be worth thousands - here's how to check", "Mail Online",
     "https://www.dailymail.co.uk/a", None),
    ("Manager gets a surprise in the delivery room – Helt absurd", "Mediehuset Nettavisen",
     "https://www.nettavisen.no/1", None),
    ("CBC News", "CBC", None, None),  # nothing would be left
])
def test_site_names_are_cut_from_page_titles(title: str, site: str, url: str | None,
                                             headline: str | None) -> None:
    assert strip_site_name(title, site, url) == (headline or title)


def test_a_page_title_reaches_the_article_without_the_site_name() -> None:
    meta = {"title": "Ceasefire talks stall again | CBC News", "title_source": "page",
            "site_name": "CBC", "url": "https://www.cbc.ca/news/1"}
    parsed = parse_item(RawItem("day.warc.gz", "1", 0, "0" * 64, text=BODY, meta=meta))
    assert [s.text for s in parsed.seg.of_kind("title")] == ["Ceasefire talks stall again"]
    record = dict(meta, title_source=None)  # a JSONL title is the publisher's: kept whole
    parsed = parse_item(RawItem("day.jsonl", "1", 0, "0" * 64, text=BODY, meta=record))
    assert [s.text for s in parsed.seg.of_kind("title")] == [meta["title"]]


def test_a_malformed_page_url_leaves_the_title_and_the_article_alone() -> None:
    meta = {"title": "Ceasefire talks stall again | CBC News", "title_source": "page",
            "site_name": "CBC", "url": "http://[cbc.ca/news", "author": "Jane Doe"}
    parsed = parse_item(RawItem("day.warc.gz", "1", 0, "0" * 64, text=BODY, meta=meta))
    assert [s.text for s in parsed.seg.of_kind("title")] == ["Ceasefire talks stall again"]
    assert parsed.seg.authors == ["Jane Doe"]
