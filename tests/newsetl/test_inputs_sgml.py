"""SGML/TREC documents: one item per <DOC>, fields to metadata, no tag text in bodies."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

from newsetl import reasons
from newsetl.inputs import Limits, RawItem, RejectItem, discover, iter_file
from newsetl.process import Rows, process_items

TREC = """<DOC>
<DOCNO> AP880212-0001 </DOCNO>
<FILEID>AP-NR-02-12-88 2344EST</FILEID>
<HEADLINE>Reporter Rescued From Flooded River</HEADLINE>
<DATE>880212</DATE>
<BYLINE>By JOHN SMITH</BYLINE>
<DATELINE>SPRINGFIELD, Mo.</DATELINE>
<TEXT>
   Rescue workers pulled a newspaper reporter from a flooded river on Friday after
her car was swept off a low bridge during the storm, police said.
   The woman, who was not named, was taken to a hospital &amp; treated for mild
hypothermia, a spokesman for the fire department said.
</TEXT>
</DOC>
<DOC id="LTW_ENG_20050101.0002" type="story">
<HEADLINE>
Council votes to close old bridge
</HEADLINE>
<DATELINE>BERLIN</DATELINE>
<URL>https://example.org/bridge</URL>
<TEXT>
<P>
The city council voted on Monday to close the old bridge to traffic for two years
while engineers repair its rusting steel frame.
</P>
<P>
Drivers will have to use the ring road, which adds about fifteen minutes to the trip
into the centre at rush hour.
</P>
</TEXT>
</DOC>
"""

BROKEN = """<DOC>
<DOCNO>X-1</DOCNO>
<TEXT>The first document never closes and the next one starts.</TEXT>
<DOC>
<DOCNO>X-2</DOCNO>
<HEADLINE>Only a headline</HEADLINE>
</DOC>
stray text between documents
<DOC>
<DOCNO>X-3</DOCNO>
<TEXT><P>Officials said on Tuesday that the new museum will open its doors to visitors
in the spring after years of delays.</P></TEXT>
</DOC>
<DOC>
<DOCNO>X-4</DOCNO>
<TEXT>The file ends inside this document.
"""


def items_of(day: Path, limits: Limits | None = None) -> list:
    return [i for n, f in enumerate(discover(day))
            for i in iter_file(day, f, n, limits or Limits())]


def rows_of(day: Path) -> Rows:
    out = Rows()
    for rows in process_items(items_of(day), detector="langdetect"):
        out.articles += rows.articles
        out.sections += rows.sections
        out.rejects += rows.rejects
    return out


def test_trec_documents_become_articles_with_their_fields(tmp_path: Path) -> None:
    (tmp_path / "ap.sgml").write_text(TREC)
    rows = rows_of(tmp_path)
    assert rows.rejects == []
    first, second = rows.articles
    assert first["source_member"] == "AP880212-0001"
    assert first["title"] == "Reporter Rescued From Flooded River"
    assert first["title_source"] == "record"
    assert first["published"] == "880212"
    assert first["dateline"] == "SPRINGFIELD, Mo."
    assert first["author"] == ["JOHN SMITH"]
    assert first["n_paragraphs"] == 2
    # the dateline opens the first paragraph, as in a text file; lines are unwrapped
    assert first["body"].startswith("SPRINGFIELD, Mo. — Rescue workers pulled a newspaper "
                                    "reporter from a flooded river on Friday after her car")
    assert "hospital & treated" in first["body"]
    assert second["source_member"] == "LTW_ENG_20050101.0002"
    assert second["title"] == "Council votes to close old bridge"
    assert second["url"] == "https://example.org/bridge"
    assert second["dateline"] == "BERLIN"
    assert second["n_paragraphs"] == 2
    for text in [a["body"] for a in rows.articles] + [s["text"] for s in rows.sections]:
        assert "<" not in text and ">" not in text and "&amp;" not in text


def test_malformed_documents_are_rejects_and_good_ones_survive(tmp_path: Path) -> None:
    (tmp_path / "broken.trec").write_text(BROKEN)
    items = items_of(tmp_path)
    assert [(i.source_member, getattr(i, "reason", None)) for i in items] == [
        ("1", reasons.MALFORMED_RECORD),  # no </DOC> before the next <DOC>
        ("4", reasons.MALFORMED_RECORD),  # no <TEXT>
        ("9", reasons.MALFORMED_RECORD),  # stray text
        ("X-3", None),
        ("14", reasons.MALFORMED_RECORD),  # the file ends inside it
    ]
    assert "no <TEXT> field" in items[1].detail and "end of the file" in items[4].detail
    assert isinstance(items[3], RawItem) and items[3].text.startswith("Officials said")


def test_sgml_by_content_in_txt_and_gzip_and_in_tar(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("\n\n" + TREC)
    (tmp_path / "b.sgm.gz").write_bytes(gzip.compress(TREC.encode("cp1252")))
    tbuf = io.BytesIO()
    with tarfile.open(fileobj=tbuf, mode="w:gz") as tf:
        for name in ("docs/c.txt", "docs/d.trec"):
            info = tarfile.TarInfo(name)
            info.size = len(TREC.encode())
            tf.addfile(info, io.BytesIO(TREC.encode()))
    (tmp_path / "e.tgz").write_bytes(tbuf.getvalue())
    items = items_of(tmp_path)
    assert all(isinstance(i, RawItem) for i in items)
    assert [(i.source_file, i.source_member) for i in items] == [
        ("a.txt", "AP880212-0001"), ("a.txt", "LTW_ENG_20050101.0002"),
        ("b.sgm.gz", "AP880212-0001"), ("b.sgm.gz", "LTW_ENG_20050101.0002"),
        ("e.tgz", "docs/c.txt:AP880212-0001"), ("e.tgz", "docs/c.txt:LTW_ENG_20050101.0002"),
        ("e.tgz", "docs/d.trec:AP880212-0001"), ("e.tgz", "docs/d.trec:LTW_ENG_20050101.0002")]
    assert len({i.seq for i in items}) == len(items)


def test_a_zip_text_member_stays_one_item_but_sgml_members_are_split(tmp_path: Path) -> None:
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as zf:
        zf.writestr("a.txt", TREC)
        zf.writestr("b.sgml", TREC)
    (tmp_path / "docs.zip").write_bytes(zbuf.getvalue())
    items = items_of(tmp_path)
    assert [i.source_member for i in items] == [
        "a.txt", "b.sgml:AP880212-0001", "b.sgml:LTW_ENG_20050101.0002"]
    assert items[0].data is not None  # read as text: member ranges count one item per .txt


def test_a_document_over_the_limit_is_too_large_and_memory_stays_bounded(tmp_path: Path
                                                                          ) -> None:
    big = "<DOC><DOCNO>BIG</DOCNO><TEXT>\n" + ("word " * 40 + "\n") * 500 + "</TEXT></DOC>\n"
    (tmp_path / "big.sgml").write_text(big + TREC)
    items = items_of(tmp_path, Limits(max_article_bytes=20_000))
    assert [getattr(i, "reason", None) for i in items] == [reasons.TOO_LARGE, None, None]
    assert isinstance(items[0], RejectItem) and items[0].source_member == "1"


def test_top_fields_pair_tags_as_the_field_regex_did() -> None:
    """The one-pass pairing gives the fields the lazy back-reference regex gave (which
    rescanned to the end of the body for every tag left open: quadratic on a document
    cut before </TEXT>), on random tag soups."""
    import random
    import re

    from newsetl.sgml import top_fields

    field = re.compile(r"<(?P<tag>[A-Za-z][\w.-]*)(?:\s[^>]*)?>(?P<value>.*?)</(?P=tag)\s*>",
                       re.IGNORECASE | re.DOTALL)
    parts = ["<TEXT>", "</TEXT>", "<text>", "</Text >", "<P>", "</P>", "<DOCNO>", "</DOCNO>",
             "<HEAD a=1>", "</HEAD>", "x", "yy ", "\n", "<", ">", "</", "<A.b>", "</a.B>",
             "<TEXTX>", "</TEXTX>"]
    rng = random.Random(7)
    for _ in range(3000):
        body = "".join(rng.choice(parts) for _ in range(rng.randint(0, 30)))
        assert list(top_fields(body)) == [(m.group("tag").upper(), m.group("value"))
                                          for m in field.finditer(body)], body
    cut = "<DOCNO> AP880212-0001 </DOCNO>\n<TEXT>\n" + "<P>\nThe council met.\n" * 4000
    assert dict(top_fields(cut)) == {"DOCNO": " AP880212-0001 "}
