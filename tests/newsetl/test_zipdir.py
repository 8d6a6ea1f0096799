"""Zip member ranges read their own central-directory records alone (newsetl.zipdir):
the headers equal zipfile's, the items equal those of the whole archive, and anything
unusual falls back to zipfile's full reader (issue 11: memory flat in members)."""

from __future__ import annotations

import contextlib
import io
import logging
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from newsetl import ranges, reasons, zipdir
from newsetl.inputs import InputFile, Limits, iter_file
from newsetl.ranges import Span
from newsetl.shards import Shard, plan_shards

TEXT = ("Storm closes the harbour\n\nFerries stay in port until Friday, the port authority "
        "said on Tuesday, after waves broke over the northern pier.\n")
#: Source order is name order; "../", "a-folder/" and "notes.pdf" become rejects or
#: nothing, "é" and "日本" need the UTF-8 flag.
NAMES = ["../escape.txt", "a-folder/", "a-folder/one.txt", "b/notes.pdf", "b/zz.txt",
         "c/caf\u00e9.txt", "c/\u65e5\u672c.txt", "d/", "d/last.txt"]
SLOTS = [slot for slot in zipfile.ZipInfo.__slots__ if slot != "_end_offset"]


def _fields(info: zipfile.ZipInfo) -> tuple:
    return tuple(getattr(info, slot, None) for slot in SLOTS)


def _zip_bytes(names: list[str], *, comment: bytes = b"", member_comment: bool = False,
               text: str = TEXT) -> bytes:
    """A zip of ``names`` in that (directory) order; folder names get no data."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.comment = comment
        for n, name in enumerate(names):
            info = zipfile.ZipInfo(name, (2024, 5, 1, 12, 30, 58))
            info.compress_type = zipfile.ZIP_STORED if n % 2 else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            if member_comment:
                info.comment = f"member {n}".encode()
            zf.writestr(info, b"" if name.endswith("/") else f"{name}\n\n{text}".encode())
    return buf.getvalue()


@contextlib.contextmanager
def _zip64_everywhere(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Writing under tiny limits makes zipfile store every size and offset in ZIP64
    extra fields and end the archive with ZIP64 end records (as CPython's tests do)."""
    with monkeypatch.context() as m:
        m.setattr(zipfile, "ZIP64_LIMIT", 16)
        m.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 3)
        yield


def _patch_name(data: bytes, old: bytes, new: bytes) -> bytes:
    """Rename a member in its local and central headers (same length, flags kept)."""
    assert len(old) == len(new) and data.count(old) == 2
    return data.replace(old, new)


def _archive(kind: str, monkeypatch: pytest.MonkeyPatch) -> bytes:
    if kind == "plain":
        return _zip_bytes(NAMES, comment=b"the day's dump", member_comment=True)
    if kind == "zip64":
        with _zip64_everywhere(monkeypatch):
            return _zip_bytes(NAMES)
    if kind == "prepended":  # e.g. a self-extracting stub: zipfile shifts every offset
        return b"#!/bin/sh\nexit 0\n" * 50 + _zip_bytes(NAMES)
    if kind == "cp437":  # no UTF-8 flag: the historical encoding (0x82 is "é")
        return _patch_name(_zip_bytes(["b/cafe.txt", "c.txt"]), b"b/cafe.txt", b"b/caf\x82.txt")
    if kind == "nul":  # zipfile cuts a name at a NUL byte
        return _patch_name(_zip_bytes(["a/bXc.txt", "z.txt"]), b"a/bXc.txt", b"a/b\x00c.txt")
    raise AssertionError(kind)


KINDS = ["plain", "zip64", "prepended", "cp437", "nul"]


@pytest.mark.parametrize("chunk", [7, 100, zipdir.CHUNK])
@pytest.mark.parametrize("kind", KINDS)
def test_headers_are_built_as_zipfile_builds_them(monkeypatch: pytest.MonkeyPatch,
                                                  kind: str, chunk: int) -> None:
    data = _archive(kind, monkeypatch)
    expected = [_fields(info) for info in zipfile.ZipFile(io.BytesIO(data)).infolist()]
    fp = io.BytesIO(data)
    got = [_fields(info) for info in zipdir.iter_infos(fp, zipdir.find_directory(fp), chunk)]
    assert got == expected
    assert len(got) >= 2


def test_zip64_archive_really_uses_zip64_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _archive("zip64", monkeypatch)
    assert b"PK\x06\x06" in data  # ZIP64 end record
    fp = io.BytesIO(data)
    records = list(zipdir._raw_records(fp, zipdir.find_directory(fp)))
    saturated = [fixed for fixed, *_ in records if 0xFFFF_FFFF in (fixed[11], fixed[18])]
    assert len(saturated) >= len(records) - 2  # all but the first small offsets
    infos = list(zipdir.iter_infos(fp, zipdir.find_directory(fp)))
    assert all(max(i.file_size, i.compress_size, i.header_offset) < 4096 for i in infos)


def _encrypted(data: bytes) -> bytes:
    out = bytearray(data)
    out[data.index(b"PK\x01\x02") + 8] |= 0x1  # first record's flags: encrypted
    return bytes(out)


def _unicode_path(data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("a.txt")
        name = "\u00e0.txt".encode()
        info.extra = struct.pack("<HHBL", 0x7075, 5 + len(name), 1, zlib.crc32(b"a.txt")) + name
        zf.writestr(info, TEXT)
    return buf.getvalue()


def _spanned(data: bytes) -> bytes:
    out = bytearray(data)
    end = data.rindex(b"PK\x05\x06")
    out[end + 4:end + 6] = b"\x01\x00"  # "this is disk 1"
    return bytes(out)


def _crossing(data: bytes) -> bytes:
    """The end record says the directory is 10 bytes shorter than it is."""
    out = bytearray(data)
    end = data.rindex(b"PK\x05\x06")
    size = struct.unpack_from("<L", data, end + 12)[0]
    struct.pack_into("<L", out, end + 12, size - 10)
    struct.pack_into("<L", out, end + 16, struct.unpack_from("<L", data, end + 16)[0] + 10)
    return bytes(out)


@pytest.mark.parametrize("damage", [_encrypted, _unicode_path, _spanned, _crossing,
                                    lambda data: data[:-30], lambda data: b"not a zip"])
def test_unusual_or_damaged_directories_are_declined(damage) -> None:
    fp = io.BytesIO(damage(_zip_bytes(NAMES)))
    with pytest.raises(zipdir.DIRECTORY_ERRORS):
        list(zipdir.iter_infos(fp, zipdir.find_directory(fp)))


BOUNDS = [(0, 1), (0, None), (1, 2), (1, 8), (4, 5), (8, None), (len(NAMES) - 1, None)]


@pytest.mark.parametrize("start,stop", BOUNDS)
@pytest.mark.parametrize("kind", ["plain", "zip64", "prepended"])
def test_read_range_holds_only_its_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           kind: str, start: int, stop: int | None) -> None:
    path = tmp_path / "a.zip"
    path.write_bytes(_archive(kind, monkeypatch))
    full = zipfile.ZipFile(path).infolist()
    skipped: list[int] = []
    archive, kept = zipdir.read_range(path, start, stop, len(full),
                                      lambda index, info: skipped.append(index))
    with archive:
        assert [_fields(info) for info in kept] == [_fields(info) for info in full[start:stop]]
        assert archive.infolist() == kept and skipped == list(range(start))
        for member in kept:
            if not member.is_dir():
                assert archive.read(member).startswith(member.filename.encode())


@pytest.mark.parametrize("names,start,stop,entries", [
    (NAMES, 0, None, len(NAMES) + 1),           # fewer members than planned
    (NAMES, 2, None, len(NAMES) - 1),           # more members than planned
    (NAMES + ["zzz-extra.txt"], 0, 99, 99),     # the range ends past the directory
    (["b.txt", "a.txt", "c.txt"], 0, None, 3),  # not in name order
    (["b.txt", "a.txt", "c.txt"], 2, None, 3),  # ... before the range too
])
def test_read_range_declines_what_the_plan_did_not_see(tmp_path: Path, names: list[str],
                                                       start: int, stop: int | None,
                                                       entries: int) -> None:
    path = tmp_path / "a.zip"
    path.write_bytes(_zip_bytes(names))
    with pytest.raises(zipdir.UnusualZip):
        zipdir.read_range(path, start, stop, entries, lambda index, info: None)


# -- iter_file: ranges read alone give the items of the whole archive ---------------------


def _items(day: Path, span: Span | None, limits: Limits) -> list:
    entry = InputFile("dump.zip", (day / "dump.zip").stat().st_size)
    return list(iter_file(day, entry, 3, limits, span))


def _partitions(n: int) -> list[list[tuple[int, int | None]]]:
    """Member ranges at every kind of boundary: one range, first/last member alone,
    single members, uneven cuts."""
    return [[(0, None)], [(0, 1), (1, None)], [(0, n - 1), (n - 1, None)],
            [(i, i + 1) for i in range(n - 1)] + [(n - 1, None)],
            [(0, 3), (3, 4), (4, n - 2), (n - 2, None)]]


def _spans(items_before: list[int], parts: list[tuple[int, int | None]], entries: int | None
           ) -> list[Span]:
    return [Span(start, stop, items_before[start], entries) for start, stop in parts]


def _whole_and_counts(day: Path, limits: Limits) -> tuple[list, list[int]]:
    """The whole archive's items, and the number of items before each member."""
    whole = _items(day, None, limits)
    infos = sorted(zipfile.ZipFile(day / "dump.zip").infolist(), key=lambda i: i.filename)
    counts = [0]
    for info in infos:
        counts.append(counts[-1] + sum(1 for item in whole if item.source_member is not None
                                       and item.source_member == info.filename))
    return whole, counts


@pytest.fixture
def no_full_reader(monkeypatch: pytest.MonkeyPatch):
    """Makes zipfile's full header reader fail: what still works read headers alone."""
    def refuse(self: zipfile.ZipFile) -> None:
        raise zipfile.BadZipFile("full central directory read")
    return lambda: monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", refuse)


LIMITS = [Limits(), Limits(max_archive_members=5),
          Limits(max_archive_bytes=4 * len(TEXT))]  # the budget runs out mid-archive


@pytest.mark.parametrize("limits", LIMITS, ids=["default", "members", "budget"])
@pytest.mark.parametrize("kind", ["plain", "zip64"])
def test_ranges_read_alone_give_the_items_of_the_whole_zip(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_full_reader, kind: str,
        limits: Limits) -> None:
    (tmp_path / "dump.zip").write_bytes(_archive(kind, monkeypatch))
    whole, counts = _whole_and_counts(tmp_path, limits)
    reject_reasons = {getattr(item, "reason", None) for item in whole}
    assert {reasons.UNSAFE_ARCHIVE_MEMBER, reasons.UNSUPPORTED_FORMAT} <= reject_reasons
    if limits != Limits():
        assert reasons.TOO_LARGE in reject_reasons
    no_full_reader()
    for parts in _partitions(len(NAMES)):
        split = [item for span in _spans(counts, parts, len(NAMES))
                 for item in _items(tmp_path, span, limits)]
        assert split == whole, parts


@pytest.mark.parametrize("case", ["encrypted", "stale plan"])
def test_a_range_falls_back_to_the_full_reader_when_it_meets_the_unusual(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, case: str) -> None:
    """An encrypted member, or a directory out of name order although the plan says
    otherwise (a range checks the records it reads, up to its end): zipfile reads every
    header, and the range still gives its share of the whole archive's items."""
    if case == "encrypted":
        data, partitions = _encrypted(_zip_bytes(NAMES)), _partitions(len(NAMES))
    else:
        data, partitions = _zip_bytes(list(reversed(NAMES))), [[(0, 2), (2, 5), (5, None)]]
    (tmp_path / "dump.zip").write_bytes(data)
    whole, counts = _whole_and_counts(tmp_path, Limits())
    caplog.set_level(logging.INFO, logger="newsetl.archives")
    for parts in partitions:
        caplog.clear()
        split = [item for span in _spans(counts, parts, len(NAMES))
                 for item in _items(tmp_path, span, Limits())]
        assert split == whole, parts
        assert "reading every header of dump.zip" in caplog.text


def test_a_damaged_directory_is_reported_once_by_the_first_range(tmp_path: Path) -> None:
    (tmp_path / "dump.zip").write_bytes(_crossing(_zip_bytes(NAMES))[:-30])
    whole = _items(tmp_path, None, Limits())
    assert [item.reason for item in whole] == [reasons.CORRUPT_ARCHIVE]
    split = [item for span in _spans([0] * 10, [(0, 4), (4, None)], len(NAMES))
             for item in _items(tmp_path, span, Limits())]
    assert split == whole


# -- the planner ----------------------------------------------------------------------------


@pytest.fixture
def small_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranges, "MIN_SPLIT_BYTES", 16 * 1024)
    monkeypatch.setattr(ranges, "MIN_RANGE_BYTES", 4 * 1024)


def _story_zip(path: Path, n: int, order: list[int] | None = None) -> None:
    rng = __import__("random").Random(n)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in order or range(n):
            words = " ".join(rng.choice(["tide", "pier", "vote", "court", "rail"])
                             for _ in range(400))
            zf.writestr(f"story/{i:05d}.txt", f"Story {i}\n\n{words}.\n")


def test_planner_reads_the_directory_in_name_order_without_zipfile(
        tmp_path: Path, small_ranges: None, no_full_reader) -> None:
    path = tmp_path / "dump.zip"
    _story_zip(path, 200)
    reference = ranges.cut_members(ranges._index_zipfile(path), 4, 1 << 30)
    no_full_reader()
    spans = ranges.split_zip(path, 4, 1 << 30)
    assert len(spans) == 4 and {span.zip_entries for span in spans} == {200}
    assert [(s.start, s.stop, s.first_line) for s in spans] == [
        (s.start, s.stop, s.first_line) for s in reference]
    assert [s.first_line for s in spans] == [s.start for s in spans]  # one item each


def test_planner_sorts_a_directory_out_of_name_order_with_zipfile(
        tmp_path: Path, small_ranges: None) -> None:
    path = tmp_path / "dump.zip"
    _story_zip(path, 200, order=[*range(100, 200), *range(100)])
    spans = ranges.split_zip(path, 4, 1 << 30)
    assert len(spans) == 4 and {span.zip_entries for span in spans} == {None}
    assert ranges.zip_index(path).in_order is False


def test_shards_carry_the_zip_entries_of_their_ranges() -> None:
    """Through packing, merging (too many shards) and the plan's JSON round trip."""
    files = [InputFile("a.txt", 10), InputFile("dump.zip", 10_000), InputFile("z.txt", 10)]
    spans = {1: [Span(i * 10, None if i == 7 else (i + 1) * 10, i * 9, 80) for i in range(8)]}
    for max_shards, n_ranges in ((20, 8), (6, 4)):
        shards = plan_shards(files, max_shards=max_shards, spans=spans)
        ranged = [s for s in shards if s.start is not None]
        assert len(ranged) == n_ranges
        assert [Shard(**s.to_dict()).span for s in ranged] == [s.span for s in ranged]
        assert {s.span.zip_entries for s in ranged} == {80}
        assert ranged[-1].stop is None
        assert ranged[1].first_line == spans[1][8 // n_ranges].first_line
