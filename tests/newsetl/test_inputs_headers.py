"""Metadata headers at the start of text files become metadata, never title or body."""

from __future__ import annotations

from pathlib import Path

import pytest
from newsetl.headers import split_headers
from newsetl.inputs import Limits, discover, iter_file
from newsetl.process import Rows, process_items

BODY = ("The city council voted on Monday to close the old bridge to traffic for two years "
        "while engineers repair its rusting steel frame.\n\n"
        "Drivers will have to use the ring road, which adds about fifteen minutes to the "
        "trip into the centre at rush hour.\n")


def rows_of(day: Path) -> Rows:
    out = Rows()
    items = [i for n, f in enumerate(discover(day)) for i in iter_file(day, f, n, Limits())]
    for rows in process_items(items, detector="langdetect"):
        out.articles += rows.articles
        out.sections += rows.sections
        out.rejects += rows.rejects
    return out


HEADS = {
    "front_matter": ("---\ntitle: \"Council closes the old bridge\"\nurl: https://x.org/bridge\n"
                     "date: 2024-03-01T09:30:00+01:00\nauthor: Jane Doe\ntags: [city]\n---\n\n"),
    "header_lines": ("Title: Council closes the old bridge\nURL: https://x.org/bridge\n"
                     "Date: 2024-03-01T09:30:00+01:00\nSource: City Gazette\n\n"),
    "bare_lines": "https://x.org/bridge\nFri, 01 Mar 2024 09:30:00 +0100\n\n",
}


@pytest.mark.parametrize("kind", sorted(HEADS))
def test_headers_become_metadata_not_text(tmp_path: Path, kind: str) -> None:
    (tmp_path / "bridge.txt").write_text(HEADS[kind] + BODY)
    rows = rows_of(tmp_path)
    assert rows.rejects == []
    [article] = rows.articles
    assert article["url"] == "https://x.org/bridge"
    assert article["published"].startswith(("2024-03-01", "Fri, 01 Mar 2024"))
    assert article["body"] == BODY.strip()
    texts = [s["text"] for s in rows.sections]
    assert not any("x.org" in t or "2024" in t or "---" in t for t in texts)
    if kind == "bare_lines":
        assert article["title_source"] != "header"
    else:
        assert article["title"] == "Council closes the old bridge"
        assert article["title_source"] == "header"
    if kind == "header_lines":
        assert article["source_name"] == "City Gazette"
    if kind == "front_matter":
        assert article["author"] == ["Jane Doe"]


@pytest.mark.parametrize("text", [
    "Breaking: the council voted on Monday to close the bridge.\n",
    "Date: to be announced, officials said on Monday.\n\nMore text.\n",
    "---\nno closing fence, just a rule above the text\n\nMore text.\n",
    "Title of the story\n\nhttps://x.org is the site that reported it first.\n",
])
def test_text_that_only_looks_like_a_header_is_left_alone(text: str) -> None:
    assert split_headers(text) == (text, {})


def test_only_the_head_is_read() -> None:
    text = "The council met on Monday.\n\nURL: https://x.org/late\n"
    assert split_headers(text) == (text, {})
