"""Damaged inputs found by an adversarial review: each becomes rejects for what is
damaged and articles for the rest, never a failed run or lost records."""

from __future__ import annotations

import io
import tarfile
import zipfile
import zlib
from pathlib import Path

import pytest
from newsetl.inputs import Limits, RejectItem, discover, iter_file
from newsetl.pipeline import run_day
from newsetl.process import process_items

DAY = "2024-01-01"
ARTICLE = ("Le conseil municipal a voté mercredi le budget de la ville pour l'année "
           "prochaine, après un long débat sur les transports publics et les écoles.\n\n"
           "Le maire a salué un compromis qui préserve les services essentiels, tandis que "
           "l'opposition a dénoncé une hausse des impôts locaux jugée trop forte.\n")


def _items(day: Path) -> list[tuple[str | None, str]]:
    found = []
    for index, entry in enumerate(discover(day)):
        for item in iter_file(day, entry, index, Limits()):
            found.append((item.source_member, item.reason if isinstance(item, RejectItem)
                          else "ok"))
    return found


def _article(i: int) -> str:
    return ARTICLE.replace("mercredi", f"le jour {i}")


def test_a_tar_member_with_a_negative_size_is_a_corrupt_member(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for i in range(3):
            data = _article(i).encode()
            info = tarfile.TarInfo(f"m{i}.txt")
            info.size = len(data)
            if i == 1:
                info.pax_headers = {"size": "-1024"}
            tf.addfile(info, io.BytesIO(data))
    day = tmp_path / "raw" / DAY
    day.mkdir(parents=True)
    (day / "neg.tar").write_bytes(buf.getvalue())
    found = _items(day)
    assert found[0] == ("m0.txt", "ok") and ("m1.txt", "corrupt_archive") in found
    manifest = run_day(tmp_path / "raw", tmp_path / "out", DAY, detector="langdetect")
    assert manifest["counts"]["input_items"] == (manifest["counts"]["articles"]
                                                 + manifest["counts"]["rejects"])


def test_a_zip_member_whose_local_header_lies_about_utf8_is_one_reject(tmp_path: Path
                                                                        ) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i, name in enumerate(["a.txt", "cafe.txt", "z.txt"]):
            zf.writestr(name, _article(i))
    data = bytearray(buf.getvalue())
    for signature, name_at in ((b"PK\x03\x04", 30), (b"PK\x01\x02", 46)):
        pos = data.find(signature)
        while pos >= 0:
            if data[pos + name_at:pos + name_at + 8] == b"cafe.txt":
                data[pos + name_at:pos + name_at + 8] = b"caf\xe9.txt"
                if signature == b"PK\x03\x04":
                    data[pos + 7] |= 0x08  # the UTF-8 flag, in the local header only
            pos = data.find(signature, pos + 4)
    day = tmp_path / "raw" / DAY
    day.mkdir(parents=True)
    (day / "names.zip").write_bytes(bytes(data))
    assert [reason for _, reason in _items(day)] == ["ok", "corrupt_archive", "ok"]


def test_an_absurd_date_line_does_not_lose_the_article(tmp_path: Path) -> None:
    day = tmp_path / "raw" / DAY
    day.mkdir(parents=True)
    (day / "a.txt").write_text("Mar 1 2024 3000000000:00\n\n" + ARTICLE)
    manifest = run_day(tmp_path / "raw", tmp_path / "out", DAY, detector="langdetect")
    assert manifest["counts"]["articles"] == 1


def test_a_file_of_bad_records_is_handed_on_in_bounded_batches(tmp_path: Path) -> None:
    """Only parsed articles used to end a batch: a file of a million bad lines held a
    million reject rows (919 MB for a 4 MB file)."""
    day = tmp_path / DAY
    day.mkdir()
    (day / "bad.jsonl").write_bytes(b"[1]\n" * 2000)
    entry = discover(day)[0]
    batches = list(process_items(iter_file(day, entry, 0, Limits()), detector="langdetect",
                                 batch_size=256))
    assert sum(len(rows.rejects) for rows in batches) == 2000
    assert max(len(rows.rejects) for rows in batches) <= 256


def test_a_payload_that_fails_to_decode_rejects_its_record_only(tmp_path: Path,
                                                                monkeypatch) -> None:
    """A payload decoder that raises (warcio's brotli decoder raised AttributeError
    with the pinned brotli): the reject ended the file, and the records after it were
    never counted."""
    from warcio.recordloader import ArcWarcRecord
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    day = tmp_path / DAY
    day.mkdir()
    with open(day / "crawl.warc.gz", "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i in range(4):
            page = (f"<html><head><title>Page {i}</title></head><body><article><h1>Page {i}"
                    f"</h1><p>{_article(i)}</p></article></body></html>").encode()
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://news.example/{i}", "response", payload=io.BytesIO(page),
                http_headers=http))
    real = ArcWarcRecord.content_stream

    def broken_second(self):
        if self.rec_headers.get_header("WARC-Target-URI").endswith("/1"):
            raise AttributeError("'brotli.Decompressor' object has no attribute 'unused_data'")
        return real(self)

    monkeypatch.setattr(ArcWarcRecord, "content_stream", broken_second)
    reasons = [reason for _, reason in _items(day)]
    assert reasons.count("malformed_record") == 1 and len(reasons) == 4


def test_a_late_line_in_another_encoding_is_unreadable_not_malformed(tmp_path: Path) -> None:
    day = tmp_path / DAY
    day.mkdir()
    good = b'{"text": "' + _article(0).replace("\n", " ").encode() + b'"}\n'
    late = '{"text": "Le café est fermé depuis lundi."}\n'.encode("cp1252")
    (day / "mixed.jsonl").write_bytes(good * 400 + late)  # past the encoding sample
    found = _items(day)
    assert found[-1][1] == "unreadable_encoding"
    assert [reason for _, reason in found[:-1]] == ["ok"] * 400


def _gzip_of(*parts: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return b"".join(compressor.compress(p) for p in parts) + compressor.flush()


@pytest.mark.parametrize("name", ["ap.sgml.gz", "ap.txt.gz"])
def test_an_sgml_gzip_stream_has_the_decompression_budget(tmp_path: Path, name: str) -> None:
    """SGML streams were inflated without a budget: 200 MB of blank lines in a 200 KB
    ``.sgml.gz`` took 55 CPU s, all of it read. Now, as for JSONL, one ``too_large``
    reject ends the file past the budget."""
    doc = (b"<DOC><DOCNO>AP-1</DOCNO><TEXT>" + _article(1).encode() + b"</TEXT></DOC>\n")
    day = tmp_path / DAY
    day.mkdir()
    (day / name).write_bytes(_gzip_of(doc, b"\n" * (4 << 20), doc.replace(b"AP-1", b"AP-2")))
    entry = discover(day)[0]
    items = list(iter_file(day, entry, 0, Limits(min_stream_budget=1 << 20, max_ratio=2)))
    assert [getattr(i, "reason", "ok") for i in items] == ["ok", "too_large"]
    assert "budget" in items[1].detail


def _zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _tgz_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.mark.parametrize("nested", ["zip", "tar.gz"])
def test_archives_nested_in_an_archive_share_its_budget(tmp_path: Path, nested: str) -> None:
    """Each nested archive started a budget of its own: a zip of N small zips could
    inflate N times ``max_archive_bytes``. Now they draw on the outer archive's."""
    text = (_article(0) * 2000).encode()[:600_000]
    pack = _zip_of if nested == "zip" else _tgz_of
    inner = pack({"a.txt": text})
    assert len(inner) < 10_000  # the outer archive charges little for each
    day = tmp_path / DAY
    day.mkdir()
    (day / "outer.zip").write_bytes(_zip_of({f"n{i}.{nested}": inner for i in range(3)}))
    entry = discover(day)[0]
    items = list(iter_file(day, entry, 0, Limits(max_archive_bytes=1 << 20)))
    assert [getattr(i, "reason", "ok") for i in items] == ["ok", "too_large", "too_large"]
    assert items[1].source_member == f"n1.{nested}!/a.txt"
