"""WARC web archives: one item per response record, every response accounted for."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from newsetl import reasons
from newsetl.inputs import Limits, RawItem, RejectItem, discover, iter_file
from newsetl.process import Rows, process_items
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PAGE = """<!DOCTYPE html><html><head><title>Floods close the valley road</title></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav><article>
<h1>Floods close the valley road</h1>
<p>Heavy rain overnight flooded the only road into the valley, and the police closed it
early on Sunday morning while engineers inspected the bridge.</p>
<p>Residents were told to stay at home until the water level falls, which the weather
service expects by Monday afternoon at the earliest.</p></article></body></html>"""

URL = "https://news.example/valley/floods"


def _response(writer: WARCWriter, url: str, status: str, ctype: str | None, body: bytes,
              extra: list[tuple[str, str]] | None = None):
    headers = [("Content-Type", ctype)] if ctype else []
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                     http_headers=http, warc_headers_dict=dict(extra or []))


def warc_bytes(gz: bool) -> bytes:
    """warcinfo, request, 200 HTML page, 404, image, redirect, a menu page, metadata."""
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gz)
    w.write_record(w.create_warcinfo_record("crawl.warc", {"software": "test"}))
    w.write_record(w.create_warc_record(URL, "request", payload=io.BytesIO(
        b"GET /2024/03/01/floods HTTP/1.1\r\nHost: news.example\r\n\r\n")))
    w.write_record(_response(w, URL, "200 OK", "text/html; charset=utf-8", PAGE.encode(),
                             [("WARC-Date", "2024-03-01T06:07:08Z")]))
    w.write_record(_response(w, URL + "-gone", "404 Not Found", "text/html", b"<html>no</html>"))
    w.write_record(_response(w, URL + ".png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n"))
    w.write_record(_response(w, URL + "-old", "301 Moved Permanently", "text/html", b""))
    w.write_record(_response(w, URL + "-menu", "200 OK", "text/html",
                             b"<html><body><nav><a href='/'>Home</a></nav></body></html>"))
    w.write_record(w.create_warc_record(URL, "metadata", payload=io.BytesIO(b"via: x\r\n")))
    return buf.getvalue()


def items_of(day: Path, limits: Limits | None = None) -> list:
    return [i for n, f in enumerate(discover(day)) for i in iter_file(day, f, n,
                                                                       limits or Limits())]


def rows_of(day: Path) -> Rows:
    out = Rows()
    for rows in process_items(items_of(day), detector="langdetect"):
        out.articles += rows.articles
        out.rejects += rows.rejects
    return out


EXPECTED_REJECTS = [reasons.WARC_HTTP_ERROR, reasons.WARC_NOT_HTML, reasons.WARC_HTTP_ERROR,
                    reasons.NO_MAIN_TEXT]


@pytest.mark.parametrize("name,gz", [("crawl.warc", False), ("crawl.warc.gz", True)])
def test_each_response_record_is_one_item(tmp_path: Path, name: str, gz: bool) -> None:
    (tmp_path / name).write_bytes(warc_bytes(gz))
    items = items_of(tmp_path)
    assert len(items) == 5  # the five responses; warcinfo, request, metadata skipped
    assert all(i.source_member.startswith("urn:uuid:") for i in items)
    assert len({i.seq for i in items}) == 5
    rows = rows_of(tmp_path)
    [article] = rows.articles
    assert article["title"] == "Floods close the valley road"
    assert article["title_source"] == "page"
    assert article["url"] == URL
    assert article["published"] == "2024-03-01T06:07:08Z"  # WARC-Date: the page has none
    assert article["body"].startswith("Heavy rain overnight") and "Home" not in article["body"]
    assert [r["reason"] for r in rows.rejects] == EXPECTED_REJECTS
    assert "404" in rows.rejects[0]["detail"] and "image/png" in rows.rejects[1]["detail"]


def test_a_warc_cut_inside_a_record_reports_it(tmp_path: Path) -> None:
    data = warc_bytes(False)
    cut = data.index(b"Residents were told")  # inside the page's payload
    (tmp_path / "cut.warc").write_bytes(data[:cut])
    items = items_of(tmp_path)
    assert [(type(i), getattr(i, "reason", None)) for i in items] == [
        (RejectItem, reasons.WARC_TRUNCATED)]


def _record_offsets(data: bytes) -> list[int]:
    records = ArchiveIterator(io.BytesIO(data))
    return [records.offset for _ in records]


@pytest.mark.parametrize("where", [0.2, 0.5, 0.8])
def test_a_warc_gz_cut_inside_a_response_never_loses_it_silently(tmp_path: Path,
                                                                  where: float) -> None:
    data = warc_bytes(True)
    start, end = _record_offsets(data)[6:8]  # the menu page's gzip member
    (tmp_path / "cut.warc.gz").write_bytes(data[:start + int((end - start) * where)])
    items = items_of(tmp_path)
    assert isinstance(items[0], RawItem)
    # the four responses before it, then one reject for the cut record
    assert [getattr(i, "reason", None) for i in items[1:4]] == EXPECTED_REJECTS[:3]
    assert len(items) == 5 and isinstance(items[-1], RejectItem)
    assert items[-1].reason in (reasons.WARC_TRUNCATED, reasons.MALFORMED_RECORD)


def test_a_record_marked_truncated_and_garbage_are_rejects(tmp_path: Path) -> None:
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=False)
    w.write_record(_response(w, URL, "200 OK", "text/html", PAGE.encode(),
                             [("WARC-Truncated", "length")]))
    (tmp_path / "a.warc").write_bytes(buf.getvalue())
    (tmp_path / "b.warc").write_bytes(b"this is not a web archive at all\r\n\r\n")
    (tmp_path / "c.warc").write_bytes(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Le")
    items = items_of(tmp_path)
    assert [(i.source_file, i.reason) for i in items] == [
        ("a.warc", reasons.WARC_TRUNCATED), ("b.warc", reasons.MALFORMED_RECORD),
        ("c.warc", reasons.MALFORMED_RECORD)]


def test_a_warc_inside_a_zip_is_streamed(tmp_path: Path) -> None:
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as zf:
        zf.writestr("crawls/one.warc.gz", warc_bytes(True))
        zf.writestr("crawls/two.warc", warc_bytes(False))
    (tmp_path / "crawls.zip").write_bytes(zbuf.getvalue())
    rows = rows_of(tmp_path)
    assert [a["source_member"].split(":urn")[0] for a in rows.articles] == [
        "crawls/one.warc.gz", "crawls/two.warc"]
    assert [r["reason"] for r in rows.rejects] == EXPECTED_REJECTS * 2


def test_a_page_over_the_limit_is_too_large(tmp_path: Path) -> None:
    (tmp_path / "a.warc").write_bytes(warc_bytes(False))
    items = items_of(tmp_path, Limits(max_article_bytes=100))
    assert [getattr(i, "reason", None) for i in items][:2] == [reasons.TOO_LARGE,
                                                               reasons.WARC_HTTP_ERROR]


def test_junk_between_records_is_logged_not_printed(tmp_path: Path, capfd, caplog) -> None:
    data = warc_bytes(False)
    second = _record_offsets(data)[1]
    (tmp_path / "a.warc").write_bytes(data[:second - 4] + b"junk\r\n" + data[second - 4:])
    items = items_of(tmp_path)
    assert [getattr(i, "reason", None) for i in items] == [None, *EXPECTED_REJECTS]
    assert capfd.readouterr().err == ""
    assert "not followed by a blank line" in caplog.text


def test_records_that_are_no_items_are_counted_by_kind(tmp_path: Path) -> None:
    (tmp_path / "a.warc").write_bytes(warc_bytes(False))
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as zf:
        zf.writestr("crawls/one.warc.gz", warc_bytes(True))
        zf.writestr("crawls/nested.zip", zbuf_of({"two.warc": warc_bytes(False)}))
    (tmp_path / "b.zip").write_bytes(zbuf.getvalue())
    once = {"metadata": 1, "request": 1, "warcinfo": 1}
    for entry, times in zip(discover(tmp_path), (1, 2), strict=True):
        skipped: Counter[str] = Counter()
        items = list(iter_file(tmp_path, entry, 0, Limits(), skipped=skipped))
        assert len(items) == 5 * times
        assert skipped == {kind: n * times for kind, n in once.items()}


def zbuf_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_the_manifest_accounts_for_every_record_of_a_crawl(tmp_path: Path) -> None:
    from newsetl.pipeline import run_day

    day = tmp_path / "raw" / "2024-03-01"
    day.mkdir(parents=True)
    (day / "a.warc.gz").write_bytes(warc_bytes(True))
    (day / "notes.txt").write_text("The council met on Monday to discuss the new bridge "
                                   "over the river, and voted to build it next year.\n")
    manifest = run_day(tmp_path / "raw", tmp_path / "out", "2024-03-01", detector="langdetect")
    entries = {i["path"]: i for i in manifest["inputs"]}
    assert entries["a.warc.gz"]["skipped_records"] == {"metadata": 1, "request": 1,
                                                       "warcinfo": 1}
    assert entries["a.warc.gz"]["items"] == 5 and "skipped_records" not in entries["notes.txt"]
    counts = manifest["counts"]
    assert counts["skipped_records"] == {"metadata": 1, "request": 1, "warcinfo": 1}
    assert counts["input_items"] == counts["articles"] + counts["rejects"] == 6
    # every record of the file: its items plus the records that are no items
    assert entries["a.warc.gz"]["items"] + sum(counts["skipped_records"].values()) == len(
        _record_offsets(warc_bytes(False)))


def _described(items: list) -> list:
    return [(type(i).__name__, i.source_member, getattr(i, "reason", None),
             getattr(i, "detail", None), getattr(i, "text", None)) for i in items]


@pytest.mark.parametrize("cut", [None, 0.3, 0.7])
def test_isal_inflates_what_zlib_inflates(tmp_path: Path, monkeypatch, cut: float | None) -> None:
    """With ``isal`` installed, ``.warc.gz`` members are inflated by ISA-L: the same
    items and rejects as zlib, whole or cut inside a record."""
    pytest.importorskip("isal")
    from newsetl import gzipmembers

    data = warc_bytes(True)
    if cut is not None:
        start, end = _record_offsets(data)[6:8]
        data = data[:start + int((end - start) * cut)]
    (tmp_path / "crawl.warc.gz").write_bytes(data)
    assert gzipmembers.inflater() is not gzipmembers.ZLIB
    fast = _described(items_of(tmp_path))
    monkeypatch.setattr(gzipmembers, "inflater", lambda: gzipmembers.ZLIB)
    assert _described(items_of(tmp_path)) == fast


def _reasons(items: list) -> list[tuple[str, str | None]]:
    return [(i.source_member, getattr(i, "reason", None)) for i in items]


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x5A]) + data[at + 1:]


@pytest.mark.parametrize("inflater", ["isal", "zlib"])
@pytest.mark.parametrize("where", [0.0, 0.3, 0.6, 0.999])
def test_a_damaged_gzip_member_rejects_its_record_and_reading_resumes(
        tmp_path: Path, monkeypatch, capfd, inflater: str, where: float) -> None:
    """One damaged member (its header, its deflate data, its checksum) used to end the
    file: the records after it vanished. Now its record is one reject, and reading goes
    on at the next member."""
    from newsetl import gzipmembers

    if inflater == "zlib":
        monkeypatch.setattr(gzipmembers, "inflater", lambda: gzipmembers.ZLIB)
    else:
        pytest.importorskip("isal")
    data = warc_bytes(True)
    start, end = _record_offsets(data)[4:6]  # the image response's member
    intact = _reasons(items_of_bytes(tmp_path / "intact", data))
    items = _reasons(items_of_bytes(tmp_path / "damaged",
                                    _flip(data, start + int((end - start) * where))))
    assert len(items) == len(intact) == 5
    assert items[:2] == intact[:2] and items[3:] == intact[3:]
    assert items[2][1] == reasons.CORRUPT_FILE
    assert capfd.readouterr().err == ""  # warcio printed inflate errors


def items_of_bytes(day: Path, data: bytes) -> list:
    """The items of one ``crawl.warc.gz`` of ``data`` in a day of its own."""
    day.mkdir()
    (day / "crawl.warc.gz").write_bytes(data)
    return items_of(day)


def _random_page(seed: int, words: int) -> bytes:
    """A page that compresses poorly: its gzip member spans several reads."""
    import random

    rng = random.Random(seed)
    text = " ".join("".join(rng.choice("abcdefghij") for _ in range(rng.randint(2, 9)))
                    for _ in range(words))
    return f"<html><body><article><p>{text}</p></article></body></html>".encode()


def test_damage_deep_inside_a_big_member_loses_only_its_record(tmp_path: Path) -> None:
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    for i in range(5):
        w.write_record(_response(w, f"{URL}/{i}", "200 OK", "image/png", _random_page(i, 60_000)))
    data = buf.getvalue()
    start, end = _record_offsets(data)[2:4]
    assert end - start > 2 * 64 * 1024
    (tmp_path / "big.warc.gz").write_bytes(_flip(data, (start + end) // 2))
    items = items_of(tmp_path)
    assert [i.reason for i in items] == [reasons.WARC_NOT_HTML] * 2 + [
        reasons.CORRUPT_FILE] + [reasons.WARC_NOT_HTML] * 2


def test_garbage_between_gzip_members_is_one_reject(tmp_path: Path) -> None:
    data = warc_bytes(True)
    at = _record_offsets(data)[4]
    (tmp_path / "crawl.warc.gz").write_bytes(data[:at] + b"not gzip at all\r\n" + data[at:])
    items = items_of(tmp_path)
    assert [getattr(i, "reason", None) for i in items] == [
        None, reasons.WARC_HTTP_ERROR, reasons.CORRUPT_FILE, *EXPECTED_REJECTS[1:]]
    assert "17 bytes" in items[2].detail


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("padding", [b"\0" * 1000, b"\r\n" * 3, b" \t\n",
                                     b"\0" * (300 * 1024) + b"\n"])
def test_padding_after_the_last_record_is_no_reject(tmp_path: Path, gz: bool,
                                                    padding: bytes) -> None:
    """Writers pad a file to a block with NUL bytes: the padding was read as one more
    record (a phantom ``malformed_record`` or ``warc_truncated``)."""
    data = warc_bytes(gz)
    (tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")).write_bytes(data + padding)
    assert [getattr(i, "reason", None) for i in items_of(tmp_path)] == [None,
                                                                        *EXPECTED_REJECTS]


@pytest.mark.parametrize("gz,reason", [(False, reasons.MALFORMED_RECORD),
                                       (True, reasons.CORRUPT_FILE)])
def test_garbage_after_the_last_record_is_still_a_reject(tmp_path: Path, gz: bool,
                                                         reason: str) -> None:
    data = warc_bytes(gz)
    (tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")).write_bytes(
        data + b"\0\0trailing garbage\r\n")
    assert [getattr(i, "reason", None) for i in items_of(tmp_path)] == [
        None, *EXPECTED_REJECTS, reason]


def _gzip(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data, compresslevel=1)


def test_a_member_with_an_endless_header_line_is_one_reject(tmp_path: Path) -> None:
    """A member holding one line of megabytes (a bomb, or damage) made warcio buffer it
    whole; and it ended the file. Now the line is cut at the cap, its member is one
    reject, and the members after it are read."""
    from newsetl.warc import MAX_LINE_BYTES

    data = warc_bytes(True)
    at = _record_offsets(data)[4]
    bomb = _gzip(b"WARC/1.0\r\nWARC-Type: response\r\nX-Long: " + b"a" * (4 * MAX_LINE_BYTES))
    (tmp_path / "crawl.warc.gz").write_bytes(data[:at] + bomb + data[at:])
    items = items_of(tmp_path)
    assert [getattr(i, "reason", None) for i in items] == [
        None, reasons.WARC_HTTP_ERROR, reasons.MALFORMED_RECORD, *EXPECTED_REJECTS[1:]]
    assert f"over {MAX_LINE_BYTES} bytes" in items[2].detail


def test_a_line_over_the_cap_is_never_held_in_memory(tmp_path: Path) -> None:
    """warcio grew a line block by block (a 64 MB line took 356 MB and 68 CPU s)."""
    import tracemalloc

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=False)
    w.write_record(_response(w, URL, "200 OK", "image/png", b"\x89PNG\r\n\x1a\n"))
    (tmp_path / "a.warc").write_bytes(buf.getvalue())
    assert len(items_of(tmp_path)) == 1  # imports and caches warmed up
    line = 16 * 1024 * 1024
    (tmp_path / "a.warc").write_bytes(buf.getvalue() + b"x" * line)
    tracemalloc.start()
    try:
        items = items_of(tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [i.reason for i in items] == [reasons.WARC_NOT_HTML, reasons.MALFORMED_RECORD]
    assert peak < line // 4


def test_headers_over_the_cap_are_a_reject(tmp_path: Path) -> None:
    """warcio keeps every header line of a record (and joins continuation lines by
    repeated concatenation): a record of endless short header lines is refused too."""
    from newsetl.warc import MAX_HEADER_BYTES

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=False)
    pad = [(f"X-Pad-{i}", "x") for i in range(MAX_HEADER_BYTES // 8)]
    w.write_record(_response(w, URL, "200 OK", "text/html", PAGE.encode(), pad))
    (tmp_path / "a.warc").write_bytes(buf.getvalue())
    [item] = items_of(tmp_path)
    assert item.reason == reasons.MALFORMED_RECORD
    assert f"over {MAX_HEADER_BYTES} bytes" in item.detail


def test_a_warc_gz_has_the_gzip_decompression_budget(tmp_path: Path) -> None:
    """A .warc.gz inflated without a budget: a member of zeros (a bomb) was read to its
    end. Now past the stream budget one ``too_large`` reject ends the file."""
    limits = Limits(min_stream_budget=1024 * 1024, max_ratio=2)
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    w.write_record(_response(w, URL, "200 OK", "text/html", PAGE.encode()))
    w.write_record(_response(w, URL + "/bomb", "200 OK", "image/png", b"\0" * (4 << 20)))
    w.write_record(_response(w, URL + "/after", "200 OK", "text/html", PAGE.encode()))
    (tmp_path / "a.warc.gz").write_bytes(buf.getvalue())
    items = items_of(tmp_path, limits)
    assert [getattr(i, "reason", None) for i in items] == [None, reasons.TOO_LARGE]
    assert "budget" in items[1].detail


def _br_response(writer: WARCWriter, url: str, body: bytes, chunked: bool = False):
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "br")]
    if chunked:
        headers.append(("Transfer-Encoding", "chunked"))
        half = len(body) // 2
        body = b"".join(b"%x\r\n%s\r\n" % (len(part), part)
                        for part in (body[:half], body[half:])) + b"0\r\n\r\n"
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                     http_headers=http)


def test_brotli_encoded_pages_are_read_and_bounded(tmp_path: Path) -> None:
    """``Content-Encoding: br`` pages (common in today's crawls) failed in warcio's
    decoder with the pinned brotli, each a reject; now they are articles, a brotli bomb
    is ``too_large`` without being inflated whole, and a damaged body is one reject."""
    import brotli

    page = brotli.compress(PAGE.encode())
    bomb = brotli.compress(b"<html><body>" + b"x" * 200_000_000)
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    w.write_record(_br_response(w, URL, page))
    w.write_record(_br_response(w, URL + "-chunked", page, chunked=True))
    w.write_record(_br_response(w, URL + "-bomb", bomb))
    w.write_record(_br_response(w, URL + "-cut", page[:len(page) // 2]))
    w.write_record(_br_response(w, URL + "-noise", bytes(range(7, 250))))
    (tmp_path / "crawl.warc.gz").write_bytes(buf.getvalue())
    items = items_of(tmp_path)
    assert [getattr(i, "reason", None) for i in items] == [
        None, None, reasons.TOO_LARGE, reasons.MALFORMED_RECORD, reasons.MALFORMED_RECORD]
    rows = rows_of(tmp_path)
    assert [a["title"] for a in rows.articles] == ["Floods close the valley road"] * 2
    assert "brotli" in items[3].detail


def _members(n: int) -> list[bytes]:
    """``n`` HTML responses, one gzip member each."""
    out = []
    for i in range(n):
        buf = io.BytesIO()
        w = WARCWriter(buf, gzip=True)
        w.write_record(_response(w, f"{URL}/{i}", "200 OK", "text/html", PAGE.encode()))
        out.append(buf.getvalue())
    return out


@pytest.mark.parametrize("case", ["two_damaged", "gap_then_damaged", "damaged_then_cut"])
def test_a_damaged_member_after_damage_still_has_its_reject(tmp_path: Path,
                                                            case: str) -> None:
    """A member found by looking past damage (or garbage) used to lose its record
    silently when it failed before its first record: taken for a false header."""
    p = _members(5)
    if case == "two_damaged":
        data = p[0] + _flip(p[1], 40) + _flip(p[2], 12) + b"".join(p[3:])
        want = [None, reasons.CORRUPT_FILE, reasons.CORRUPT_FILE, None, None]
    elif case == "gap_then_damaged":
        data = p[0] + p[1] + b"GARBAGE" + _flip(p[2], 12) + b"".join(p[3:])
        want = [None, None, reasons.CORRUPT_FILE, reasons.CORRUPT_FILE, None, None]
    else:
        data = p[0] + _flip(p[1], 40) + p[2][:20]
        want = [None, reasons.CORRUPT_FILE, reasons.WARC_TRUNCATED]
    items = items_of_bytes(tmp_path / "day", data)
    assert [getattr(i, "reason", None) for i in items] == want
    labels = [i.source_member for i in items]
    assert len(set(labels)) == len(labels)


def _story_member(i: int) -> bytes:
    """A response in a gzip member of its own, the same bytes on every run."""
    html = ("<html><head><title>Story {i}</title></head><body><p>" + "This is a fine "
            "paragraph of news text number {i} with enough words to count as an article "
            "body. " * 6 + "</p></body></html>").format(i=i)
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    w.write_record(w.create_warc_record(
        f"http://x/{i}", "response", payload=io.BytesIO(html.encode()), http_headers=http,
        warc_headers_dict={"WARC-Record-ID": f"<urn:uuid:00000003-{i}>",
                           "WARC-Date": "2024-01-01T00:00:00Z"}))
    return buf.getvalue()


def test_a_damaged_member_is_checked_to_its_end_before_its_record_is_an_article(
        tmp_path: Path) -> None:
    """Damage near the end of a member's deflate data left the record's bytes whole but
    garbled what follows it: the record became an article before the member's checksum
    was read, and the garbage a phantom ``malformed_record``."""
    import zlib

    first = bytearray(_story_member(0))
    first[384] = 0
    with pytest.raises(zlib.error):
        zlib.decompress(bytes(first), 31)
    items = items_of_bytes(tmp_path / "day",
                           bytes(first) + _story_member(1) + _story_member(2))
    assert _reasons(items) == [("urn:uuid:00000003-0", reasons.CORRUPT_FILE),
                               ("urn:uuid:00000003-1", None), ("urn:uuid:00000003-2", None)]


@pytest.mark.parametrize("gz", [False, True])
def test_an_http_header_line_over_the_cap_rejects_its_record_only(tmp_path: Path,
                                                                  gz: bool) -> None:
    """A 300 KB HTTP header line (a huge ``Link``) inside a record whose Content-Length
    is known ended a plain WARC: the records after it vanished without a reject."""
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gz)
    for i in range(3):
        extra = [("Link", "<https://x/a>; rel=preload, " * 11000)] if i == 0 else []
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), *extra],
                                protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(f"{URL}/{i}", "response", http_headers=http,
                                            payload=io.BytesIO(PAGE.encode())))
    (tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")).write_bytes(buf.getvalue())
    items = items_of(tmp_path)
    assert [getattr(i, "reason", None) for i in items] == [reasons.MALFORMED_RECORD,
                                                            None, None]
    assert "256" in items[0].detail or "262144" in items[0].detail


@pytest.mark.parametrize("at", [0, 1])
def test_a_damaged_first_byte_of_a_warc_gz_loses_only_its_record(tmp_path: Path,
                                                                  at: int) -> None:
    """The first two bytes alone told gzip from plain: one damaged byte there made the
    whole file one ``malformed_record`` reject."""
    p = _members(5)
    items = items_of_bytes(tmp_path / "day", _flip(p[0], at) + b"".join(p[1:]))
    assert [getattr(i, "reason", None) for i in items] == [reasons.CORRUPT_FILE] + [None] * 4


def test_a_warc_gz_missing_only_its_last_trailer_keeps_its_last_record(
        tmp_path: Path) -> None:
    """The file's end cut only the last member's trailer (checksum and size): all of the
    record's Content-Length was read, as warcio read it, so it is an article still; a
    cut inside the record's block stays ``warc_truncated``."""
    p = _members(3)
    whole = items_of_bytes(tmp_path / "trailer", b"".join(p)[:-8])
    assert [getattr(i, "reason", None) for i in whole] == [None, None, None]
    cut = items_of_bytes(tmp_path / "block", b"".join(p)[:-40])
    assert [getattr(i, "reason", None) for i in cut] == [None, None, reasons.WARC_TRUNCATED]
