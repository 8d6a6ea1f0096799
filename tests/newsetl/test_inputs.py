"""Input formats and every reject reason: bad input ends as a reject row, never a crash."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zipfile
from pathlib import Path

from newsetl import reasons
from newsetl.inputs import Limits, RawItem, RejectItem, discover, iter_file
from newsetl.process import Rows, process_items

ARTICLE = ("Titre de l'article\n\nLe gouvernement a présenté mercredi un projet de loi sur "
           "l'énergie, qui prévoit de nouvelles aides pour les ménages.\n")


def items_of(day: Path, limits: Limits | None = None) -> list:
    files = discover(day)
    return [i for n, f in enumerate(files) for i in iter_file(day, f, n, limits or Limits())]


def rows_of(day: Path, limits: Limits | None = None) -> Rows:
    out = Rows()
    for rows in process_items(items_of(day, limits), detector="langdetect"):
        out.articles += rows.articles
        out.rejects += rows.rejects
    return out


def reasons_of(day: Path, limits: Limits | None = None) -> list[tuple[str | None, str]]:
    return [(r["source_member"], r["reason"]) for r in rows_of(day, limits).rejects]


def test_text_encodings_all_decode_to_the_same_article(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(ARTICLE.encode("utf-8"))
    (tmp_path / "b.txt").write_bytes(b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode())
    (tmp_path / "c.txt").write_bytes(ARTICLE.encode("utf-16"))
    (tmp_path / "d.txt").write_bytes(ARTICLE.encode("cp1252"))
    (tmp_path / "e.txt.gz").write_bytes(gzip.compress(ARTICLE.replace("\n", "\r").encode()))
    # no byte-order mark: told by the NUL bytes (Latin) or by charset-normalizer
    (tmp_path / "f.txt").write_bytes(ARTICLE.encode("utf-16-le"))
    (tmp_path / "g.txt").write_bytes(ARTICLE.encode("utf-16-be"))
    (tmp_path / "h.txt").write_bytes(ARTICLE.encode("utf-32-le"))
    rows = rows_of(tmp_path)
    assert rows.rejects == []
    assert len({a["body"] for a in rows.articles}) == 1
    assert [a["source_file"] for a in rows.articles] == ["a.txt", "b.txt", "c.txt", "d.txt",
                                                         "e.txt.gz", "f.txt", "g.txt", "h.txt"]


def test_utf16_without_bom_in_a_non_latin_script(tmp_path: Path) -> None:
    text = "Правительство объявило во вторник о новой пенсионной реформе.\n\n" * 3
    (tmp_path / "ru.txt").write_bytes(text.encode("utf-16-le"))
    rows = rows_of(tmp_path)
    assert rows.rejects == [] and rows.articles[0]["lang"] == "ru"


def test_jsonl_fields_line_numbers_and_malformed_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "1", "url": "https://x/1", "title": "Titre", "published": "2024-03-01",
                    "text": ARTICLE.split("\n\n", 1)[1]}),
        "",
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"title": "no text"}),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = rows_of(tmp_path)
    (article,) = rows.articles
    assert article["source_member"] == "1"
    assert article["url"] == "https://x/1" and article["published"] == "2024-03-01"
    assert article["title"] == "Titre"
    assert [(r["source_member"], r["reason"]) for r in rows.rejects] == [
        ("3", reasons.MALFORMED_RECORD), ("4", reasons.MALFORMED_RECORD),
        ("5", reasons.MALFORMED_RECORD)]


def test_lone_surrogates_in_json_do_not_crash(tmp_path: Path) -> None:
    body = ARTICLE.split("\n\n", 1)[1].rstrip("\n")
    line = json.dumps({"text": "Titre\n\n" + body[:40] + "\ud800" + body[40:],
                       "url": "https://x/\udc00", "title": "T\udfff"})
    (tmp_path / "a.jsonl").write_text(line + "\n", encoding="utf-8")
    rows = rows_of(tmp_path)
    (article,) = rows.articles
    assert "\ufffd" not in article["body"] and "\ud800" not in article["body"]
    assert article["url"] == "https://x/\ufffd"
    assert article["title"] == "T"  # U+FFFD is then dropped by remove_control_chars


def test_empty_unreadable_not_an_article_unsupported(tmp_path: Path) -> None:
    (tmp_path / "1_empty.txt").write_bytes(b"\xc2\xa0\n\n \n")
    (tmp_path / "2_binary.txt").write_bytes(bytes((i * 37 + 11) % 256 for i in range(4096)))
    (tmp_path / "3_short.txt").write_text("Headline\n\nSoon.", encoding="utf-8")
    (tmp_path / "4_scan.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / ".hidden.txt").write_text(ARTICLE)  # in-flight upload: not an input
    got = [(r["source_file"], r["reason"]) for r in rows_of(tmp_path).rejects]
    assert got == [("1_empty.txt", reasons.EMPTY), ("2_binary.txt", reasons.UNREADABLE_ENCODING),
                   ("3_short.txt", reasons.NOT_AN_ARTICLE),
                   ("4_scan.pdf", reasons.UNSUPPORTED_FORMAT)]
    from newsetl.inputs import discover_skipped

    assert discover_skipped(tmp_path) == [{"path": ".hidden.txt", "size": len(ARTICLE.encode()),
                                           "reason": "hidden"}]


def test_zip_unsafe_members_nested_folders_and_corruption(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as zf:
        zf.writestr("deep/folder/ok.txt", ARTICLE)
        zf.writestr("../escape.txt", ARTICLE)
        zf.writestr("/abs.txt", ARTICLE)
        link = zipfile.ZipInfo("link.txt")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("inner/feed.jsonl", json.dumps({"text": ARTICLE}) + "\n")
        zf.writestr("image.jpg", b"\xff\xd8\xff")
    (tmp_path / "b.zip").write_bytes((tmp_path / "a.zip").read_bytes()[:50])
    rows = rows_of(tmp_path)
    # Zip members are read in sorted name order; the JSONL member is an article too
    # (same body as ok.txt: duplicates are resolved at publish time, across shards).
    assert [a["source_member"] for a in rows.articles] == ["deep/folder/ok.txt",
                                                           "inner/feed.jsonl:1"]
    got = [(r["source_file"], r["source_member"], r["reason"]) for r in rows.rejects]
    assert got == [
        ("a.zip", "../escape.txt", reasons.UNSAFE_ARCHIVE_MEMBER),
        ("a.zip", "/abs.txt", reasons.UNSAFE_ARCHIVE_MEMBER),
        ("a.zip", "image.jpg", reasons.UNSUPPORTED_FORMAT),
        ("a.zip", "link.txt", reasons.UNSAFE_ARCHIVE_MEMBER),
        ("b.zip", None, reasons.CORRUPT_ARCHIVE),
    ]


def _tar_bytes(members: list[tarfile.TarInfo | tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for m in members:
            if isinstance(m, tarfile.TarInfo):
                tf.addfile(m)
            else:
                info = tarfile.TarInfo(m[0])
                info.size = len(m[1])
                tf.addfile(info, io.BytesIO(m[1]))
    return buf.getvalue()


def test_tar_links_devices_traversal_and_truncation(tmp_path: Path) -> None:
    sym = tarfile.TarInfo("sym.txt")
    sym.type, sym.linkname = tarfile.SYMTYPE, "/etc/passwd"
    dev = tarfile.TarInfo("dev.txt")
    dev.type = tarfile.CHRTYPE
    data = _tar_bytes([("a/ok.txt", ARTICLE.encode()), ("../../x.txt", b"x"), sym, dev,
                       ("b/feed.jsonl.gz", gzip.compress(
                           (json.dumps({"text": ARTICLE.replace("énergie", "eau")}) + "\n")
                           .encode()))])
    (tmp_path / "a.tgz").write_bytes(data)
    (tmp_path / "b.tar.gz").write_bytes(data[: len(data) // 2])
    rows = rows_of(tmp_path)
    a_members = [a["source_member"] for a in rows.articles if a["source_file"] == "a.tgz"]
    assert a_members == ["a/ok.txt", "b/feed.jsonl.gz:1"]
    a_rejects = [(r["source_member"], r["reason"]) for r in rows.rejects
                 if r["source_file"] == "a.tgz"]
    assert a_rejects == [("../../x.txt", reasons.UNSAFE_ARCHIVE_MEMBER),
                         ("sym.txt", reasons.UNSAFE_ARCHIVE_MEMBER),
                         ("dev.txt", reasons.UNSAFE_ARCHIVE_MEMBER)]
    b_reasons = [r["reason"] for r in rows.rejects if r["source_file"] == "b.tar.gz"]
    assert b_reasons and set(b_reasons) <= {reasons.CORRUPT_ARCHIVE,
                                            reasons.UNSAFE_ARCHIVE_MEMBER}


def test_too_large_article_and_zip_bomb_budget(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"A" * 3000)
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i in range(5):
            zf.writestr(f"m{i}.txt", ("word " * 180).encode())  # 900 bytes each
    limits = Limits(max_article_bytes=2000, max_archive_bytes=2000)
    got = reasons_of(tmp_path, limits)
    assert (None, reasons.TOO_LARGE) in got
    assert [m for m, r in got if r == reasons.TOO_LARGE and m] == ["m2.txt", "m3.txt", "m4.txt"]


def test_corrupt_gzip_file_and_jsonl_gz(tmp_path: Path) -> None:
    good = gzip.compress(("\n".join(json.dumps({"text": ARTICLE}) for _ in range(50))).encode())
    (tmp_path / "a.jsonl.gz").write_bytes(good[: len(good) - 30])
    (tmp_path / "b.txt.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    got = reasons_of(tmp_path)
    assert got[-1] == (None, reasons.CORRUPT_FILE)
    assert (got[-2][1]) == reasons.CORRUPT_FILE


def test_every_item_is_exactly_one_row(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "b.jsonl").write_text("{bad\n" + json.dumps({"text": ARTICLE}) + "\n")
    with zipfile.ZipFile(tmp_path / "c.zip", "w") as zf:
        zf.writestr("x.txt", ARTICLE)
        zf.writestr("../y.txt", ARTICLE)
    items = items_of(tmp_path)
    assert all(isinstance(i, RawItem | RejectItem) for i in items)
    seqs = [i.seq for i in items]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    rows = rows_of(tmp_path)
    assert len(rows.articles) + len(rows.rejects) == len(items) == 5


def test_an_unexpected_error_in_one_item_becomes_a_reject(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "b.txt").write_text(ARTICLE.replace("énergie", "santé"))
    real = __import__("newsetl.process", fromlist=["segment"]).segment

    def flaky(text, title_hint=None, filename=None):
        if "santé" in text:
            raise RecursionError("boom")
        return real(text, title_hint=title_hint, filename=filename)

    monkeypatch.setattr("newsetl.process.segment", flaky)
    rows = rows_of(tmp_path)
    assert [a["source_file"] for a in rows.articles] == ["a.txt"]
    assert [(r["source_file"], r["reason"], r["detail"]) for r in rows.rejects] == [
        ("b.txt", reasons.PROCESSING_ERROR, "RecursionError: boom")]


def _plain_tar(n: int) -> tuple[bytes, list[int]]:
    """An uncompressed tar of ``n`` small articles and the offset of each header."""
    buf = io.BytesIO()
    offsets = []
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for i in range(n):
            offsets.append(buf.tell())
            data = ARTICLE.replace("mercredi", f"le jour {i}").encode()
            info = tarfile.TarInfo(f"m{i}.txt")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue(), offsets


def test_a_damaged_or_cut_tar_never_loses_members_silently(tmp_path: Path) -> None:
    """tarfile stops quietly at a bad header after the first member; we report it."""
    data, offsets = _plain_tar(6)
    bad = bytearray(data)
    bad[offsets[3] + 148] ^= 0x01  # header checksum of m3
    (tmp_path / "bad.tar").write_bytes(bytes(bad))
    (tmp_path / "cut.tar").write_bytes(data[: offsets[3]])
    (tmp_path / "ok.tar").write_bytes(data)
    rows = rows_of(tmp_path)
    by_file = {}
    for r in rows.articles + rows.rejects:
        by_file.setdefault(r["source_file"], []).append(
            (r["source_member"], r.get("reason", "ok")))
    for name in ("bad.tar", "cut.tar"):
        assert by_file[name] == [("m0.txt", "ok"), ("m1.txt", "ok"), ("m2.txt", "ok"),
                                 ("<after 3 members>", reasons.CORRUPT_ARCHIVE)], name
    assert [m for m, _ in by_file["ok.tar"]] == [f"m{i}.txt" for i in range(6)]


def test_jsonl_values_json_cannot_parse_are_malformed_records(tmp_path: Path) -> None:
    huge_int = '{"text": "' + ARTICLE.strip().replace("\n", " ") + '", "id": ' + "1" * 5000 + "}"
    deep = '{"text": "x", "y": ' + "[" * 100000 + "]" * 100000 + "}"
    (tmp_path / "a.jsonl").write_text(huge_int + "\n" + deep + "\n"
                                      + json.dumps({"text": ARTICLE}) + "\n")
    got = reasons_of(tmp_path)
    assert got == [("1", reasons.MALFORMED_RECORD), ("2", reasons.MALFORMED_RECORD)]
    assert len(rows_of(tmp_path).articles) == 1


def test_encrypted_zip_member_and_folder_entry_with_data(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("feed.jsonl", json.dumps({"text": ARTICLE}) + "\n")
        zf.writestr(zipfile.ZipInfo("notes.txt/"), ARTICLE)  # a folder entry with data
        zf.writestr("ok.txt", ARTICLE)
    data = bytearray(buf.getvalue())
    # mark feed.jsonl (the first member) "encrypted" in its local and central headers:
    # zipfile then refuses to read it (RuntimeError)
    central = data.index(b"PK\x01\x02")
    data[6] |= 0x1
    data[central + 8] |= 0x1
    (tmp_path / "a.zip").write_bytes(bytes(data))
    assert reasons_of(tmp_path) == [("feed.jsonl", reasons.CORRUPT_ARCHIVE),
                                    ("notes.txt/", reasons.UNSUPPORTED_FORMAT)]


def test_gzip_cut_inside_an_over_long_jsonl_line(tmp_path: Path) -> None:
    body = (json.dumps({"text": ARTICLE}) + "\n").encode() + b'{"text": "' + b"ab" * 3000
    packed = gzip.compress(body + b'"}\n')
    (tmp_path / "cut.jsonl.gz").write_bytes(packed[: int(len(packed) * 0.9)])
    got = reasons_of(tmp_path, Limits(max_article_bytes=1000))
    assert got == [("2", reasons.TOO_LARGE), ("3", reasons.CORRUPT_FILE)]


def test_links_special_files_odd_names_and_unreadable_folders_are_accounted(
        tmp_path: Path, monkeypatch) -> None:
    """Nothing below the day folder disappears: inputs, or skipped with a reason."""
    import os

    from newsetl import discovery
    from newsetl.pipeline import run_day

    day = tmp_path / "raw" / "2024-01-01"
    (day / "sub").mkdir(parents=True)
    (day / "locked").mkdir()
    (day / "locked" / "a.txt").write_text(ARTICLE)
    (day / "a.txt").write_text(ARTICLE)
    (day / ".DS_Store").write_text("OS litter")
    os.symlink(day / "a.txt", day / "link.txt")
    os.symlink(day / "sub", day / "linkdir")
    os.mkfifo(day / "pipe.txt")
    (day / os.fsdecode(b"caf\xe9.txt")).write_text(ARTICLE.replace("énergie", "eau"))
    (day / os.fsdecode(b"note\xe9.doc")).write_text("not an input type")
    real_walk = os.walk

    def walk(top, onerror=None, **kw):  # root cannot chmod its way out of reading
        for root, dirs, files in real_walk(top, onerror=onerror, **kw):
            if Path(root).name == "locked":
                onerror(PermissionError(13, "Permission denied", root))
                dirs[:] = []
                continue
            yield root, dirs, files

    monkeypatch.setattr(discovery.os, "walk", walk)
    files, skipped = discovery.scan(day)
    assert [f.path for f in files] == ["a.txt", os.fsdecode(b"caf\xe9.txt"),
                                       os.fsdecode(b"note\xe9.doc")]
    assert [(s["path"], s["reason"]) for s in skipped] == [
        (".DS_Store", "hidden"), ("link.txt", "symlink"), ("linkdir", "symlink"),
        ("locked", "unreadable_folder"), ("pipe.txt", "not_a_regular_file")]

    manifest = run_day(tmp_path / "raw", tmp_path / "out", "2024-01-01",
                       detector="langdetect")
    assert [i["path"] for i in manifest["inputs"]] == ["a.txt", "caf\\xe9.txt", "note\\xe9.doc"]
    assert manifest["counts"]["rejects_by_reason"] == {"unsupported_format": 1}
    assert manifest["counts"]["articles"] == 2
    assert [s["reason"] for s in manifest["skipped_inputs"]] == [
        "hidden", "symlink", "symlink", "unreadable_folder", "not_a_regular_file"]
    from newsetl.readers import read_table
    names = read_table(tmp_path / "out", "articles").column("source_file").to_pylist()
    assert sorted(names) == ["a.txt", "caf\\xe9.txt"]


def test_a_day_folder_that_cannot_be_listed_fails_loudly(tmp_path: Path, monkeypatch) -> None:
    import os

    import pytest
    from newsetl import discovery

    def walk(top, onerror=None, **kw):
        onerror(PermissionError(13, "Permission denied", str(top)))
        return iter(())

    monkeypatch.setattr(discovery.os, "walk", walk)
    with pytest.raises(PermissionError):
        discovery.scan(tmp_path)
    assert os.path.isdir(tmp_path)


def test_nested_archives_spill_to_disk_and_keep_their_order(tmp_path: Path,
                                                            monkeypatch) -> None:
    """A nested archive is buffered in a temporary file past SPOOL_BYTES (it may be as
    large as the archive budget), with the same items as in memory."""
    from newsetl import archives

    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        for i in range(4):
            zf.writestr(f"n{i}.txt", ARTICLE.replace("mercredi", f"le jour {i}"))
    inner_tar = _tar_bytes([("deep/x.txt", ARTICLE.encode()), ("deep/y.bin", b"\x00\x01")])
    (tmp_path / "outer.tgz").write_bytes(_tar_bytes([("a.txt", ARTICLE.encode()),
                                                     ("inner.zip", inner.getvalue()),
                                                     ("inner.tar.gz", inner_tar)]))
    in_memory = [(i.source_member, type(i).__name__) for i in items_of(tmp_path)]
    monkeypatch.setattr(archives, "SPOOL_BYTES", 100)
    spilled = [(i.source_member, type(i).__name__) for i in items_of(tmp_path)]
    assert spilled == in_memory == [
        ("a.txt", "RawItem"),  # tar members in archive order
        ("inner.zip!/n0.txt", "RawItem"), ("inner.zip!/n1.txt", "RawItem"),
        ("inner.zip!/n2.txt", "RawItem"), ("inner.zip!/n3.txt", "RawItem"),
        ("inner.tar.gz!/deep/x.txt", "RawItem"), ("inner.tar.gz!/deep/y.bin", "RejectItem")]
