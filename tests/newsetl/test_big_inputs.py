"""Big and odd inputs: one big JSONL shared by shards, stream budgets, JSONL encodings and
line ends, duplicates in bulk (issue: bounded memory and full parallelism)."""

from __future__ import annotations

import codecs
import gzip
import json
import random
import zipfile
from pathlib import Path

import pyarrow.dataset as pads
import pytest
from newsetl import ranges, reasons
from newsetl.inputs import InputFile, Limits, iter_file
from newsetl.pipeline import plan_day, run_day

DAY = "2024-05-01"
WORDS = ["council", "budget", "minister", "river", "harbour", "school", "vote", "market",
         "energy", "court", "police", "railway", "weather", "festival", "museum", "hospital"]


def _article(rng: random.Random, n: int) -> dict:
    sentences = [" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "."
                 for _ in range(8)]
    return {"id": str(n), "title": f"Story number {n} about the {rng.choice(WORDS)}",
            "text": f"Story number {n} about the {WORDS[n % len(WORDS)]}\n\n"
                    + "\n\n".join(" ".join(sentences[i:i + 2]) for i in range(0, 8, 2))}


def _write_jsonl(path: Path, n: int, gz: bool, blank_every: int = 7) -> None:
    rng = random.Random(5)
    lines = []
    for i in range(n):
        lines.append(json.dumps(_article(rng, i)))
        if i % blank_every == 0:
            lines.append("")  # blank lines: line numbers and seq must still match
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)


def _rows(out: Path, table: str, keys: tuple[str, ...]) -> list[dict]:
    rows = pads.dataset(out / table, format="parquet", partitioning="hive").to_table()
    return sorted(rows.to_pylist(), key=lambda r: tuple(str(r[k]) for k in keys))


def _split_and_whole(tmp_path: Path) -> tuple[dict, dict]:
    """The day of one big file run as range shards (two workers) and as one shard: the
    plan cuts the file, and both runs publish the same rows and counts."""
    plan = plan_day(tmp_path / "raw", DAY, min_shards=6)
    assert len(plan.shards) > 2, plan.shards
    assert all(s.first == 0 and s.start is not None for s in plan.shards)
    split = run_day(tmp_path / "raw", tmp_path / "split", DAY, workers=2)
    whole = run_day(tmp_path / "raw", tmp_path / "whole", DAY, workers=1)
    assert split["shards"] > 2 and whole["shards"] == 1
    for table, keys in (("articles", ("source_member",)), ("rejects", ("source_member",)),
                        ("sections", ("article_id", "position"))):
        assert _rows(tmp_path / "split", table, keys) == _rows(tmp_path / "whole", table, keys)
    assert split["counts"] == whole["counts"]
    return split, whole


@pytest.fixture
def small_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split files of a few hundred KB (the real thresholds are MBs)."""
    monkeypatch.setattr(ranges, "MIN_SPLIT_BYTES", 64 * 1024)
    monkeypatch.setattr(ranges, "MIN_RANGE_BYTES", 16 * 1024)
    monkeypatch.setattr(ranges, "SAMPLE_BYTES", 4 * 1024)
    monkeypatch.setattr(ranges, "_CHUNK", 4 * 1024)


@pytest.mark.parametrize("gz", [False, True])
def test_one_big_jsonl_is_split_into_line_ranges_with_the_same_rows(
        tmp_path: Path, small_ranges: None, gz: bool) -> None:
    name = "dump.jsonl.gz" if gz else "dump.jsonl"
    _write_jsonl(tmp_path / "raw" / DAY / name, 600, gz)
    split, whole = _split_and_whole(tmp_path)
    assert split["counts"]["articles"] == 600
    # one manifest entry for the file, its items summed over the ranges
    assert [(i["path"], i["items"]) for i in split["inputs"]] == [(name, 600)]
    assert split["inputs"][0]["sha256"] == whole["inputs"][0]["sha256"]


def test_one_big_zip_is_split_into_member_ranges_with_the_same_rows(
        tmp_path: Path, small_ranges: None) -> None:
    rng = random.Random(9)
    day = tmp_path / "raw" / DAY
    day.mkdir(parents=True)
    with zipfile.ZipFile(day / "dump.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a-folder/", b"")
        zf.writestr("notes.pdf", b"%PDF-1.4 not an article")
        zf.writestr("../escape.txt", b"unsafe path")
        for i in range(500):
            zf.writestr(f"story/{i:04d}.txt", _article(rng, i)["text"])
    split, _whole = _split_and_whole(tmp_path)
    assert split["counts"]["input_items"] == 502


@pytest.mark.parametrize("zip64", [False, True])
def test_one_big_zip_in_name_order_is_split_into_ranges_that_read_their_own_headers(
        tmp_path: Path, small_ranges: None, monkeypatch: pytest.MonkeyPatch,
        zip64: bool) -> None:
    """Written in name order (as dumps usually are), each range's worker reads its own
    central-directory records alone (newsetl.zipdir): same rows as the whole zip, with
    folders, unsafe and non-ASCII names, and ZIP64 records."""
    rng = random.Random(11)
    day = tmp_path / "raw" / DAY
    day.mkdir(parents=True)
    names = sorted(["../escape.txt", "a-folder/", "notes.pdf", "z/caf\u00e9 \u65e5\u672c.txt",
                    *(f"story/{i:04d}.txt" for i in range(500))])
    with monkeypatch.context() as m:
        if zip64:  # every size and offset in ZIP64 fields, ZIP64 end records
            m.setattr(zipfile, "ZIP64_LIMIT", 16)
            m.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 3)
        with zipfile.ZipFile(day / "dump.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            for i, name in enumerate(names):
                zf.writestr(name, b"" if name.endswith("/") else _article(rng, i)["text"])
    plan = plan_day(tmp_path / "raw", DAY, min_shards=6)
    assert {s.zip_entries for s in plan.shards} == {len(names)}
    whole = list(iter_file(day, plan.files[0], 0, Limits()))
    with monkeypatch.context() as m:  # zipfile's full header reader now fails
        m.setattr(zipfile.ZipFile, "_RealGetContents", lambda self: 1 / 0)
        ranged = [item for shard in plan.shards
                  for item in iter_file(day, plan.files[0], 0, Limits(), shard.span)]
    assert ranged == whole
    split, _whole = _split_and_whole(tmp_path)
    assert split["counts"]["input_items"] == len(names) - 1
    assert split["counts"]["articles"] == 501


def test_gzip_stream_over_its_decompression_budget_ends_in_a_reject(tmp_path: Path) -> None:
    day = tmp_path / DAY
    day.mkdir()
    line = json.dumps({"text": "The same short story, again and again."}) + "\n"
    (day / "bomb.jsonl.gz").write_bytes(gzip.compress(line.encode() * 20000, mtime=0))
    limits = Limits(max_ratio=10, min_stream_budget=64 * 1024)
    entry = InputFile("bomb.jsonl.gz", (day / "bomb.jsonl.gz").stat().st_size)
    items = list(iter_file(day, entry, 0, limits))
    assert items[-1].reason == reasons.TOO_LARGE
    assert "budget" in items[-1].detail
    read = sum(len(line) for _ in items[:-1])
    assert read <= limits.stream_budget(entry.size) < len(line) * 20000


@pytest.mark.parametrize("encoding,line_end", [
    ("utf-8", "\r"),          # CR-only line ends
    ("utf-16", "\n"),         # UTF-16 with a BOM
    ("utf-16", "\r\n"),
    ("cp1252", "\n"),         # a legacy code page
    ("utf-8-sig", "\r\n"),
])
def test_jsonl_encodings_and_line_ends(tmp_path: Path, encoding: str, line_end: str) -> None:
    texts = ["Le président a annoncé mercredi une réforme de l'école publique à Paris.",
             "Les élèves étrangers bénéficieront d'un accès élargi à la cantine dès mars.",
             "Déjà critiquée, la mesure sera débattue à l'Assemblée en février prochain."]
    body = line_end.join(json.dumps({"text": t}, ensure_ascii=False) for t in texts)
    path = tmp_path / "feed.jsonl"
    path.write_bytes(codecs.encode(body + line_end, encoding))
    items = list(iter_file(tmp_path, InputFile("feed.jsonl", path.stat().st_size), 0,
                           Limits()))
    assert [getattr(i, "text", None) for i in items] == texts
    assert [i.source_member for i in items] == ["1", "2", "3"]


def test_many_copies_of_one_line_publish_as_duplicates(tmp_path: Path) -> None:
    day = tmp_path / "raw" / DAY
    day.mkdir(parents=True)
    line = json.dumps({"text": "Storm closes the harbour.\n\nFerries stay in port until "
                               "Friday, the port authority said on Tuesday."}) + "\n"
    (day / "copies.jsonl.gz").write_bytes(gzip.compress(line.encode() * 3000, mtime=0))
    manifest = run_day(tmp_path / "raw", tmp_path / "out", DAY)
    assert manifest["counts"]["articles"] == 1
    assert manifest["counts"]["duplicates"] == 2999
    rejects = _rows(tmp_path / "out", "rejects", ("source_member",))
    article = _rows(tmp_path / "out", "articles", ("source_member",))[0]
    assert {r["reason"] for r in rejects} == {reasons.DUPLICATE}
    assert {r["duplicate_of"] for r in rejects} == {article["article_id"]}
    assert rejects[0]["detail"] == (f"same body as article {article['article_id']} from "
                                    "copies.jsonl.gz [1]")
