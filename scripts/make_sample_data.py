"""Build the bundled sample days under include/sample_data/raw/ (deterministic bytes).

The articles in include/sample_data/articles/ were written for this project (plus the
seed article from a real dump). This script packs them into three days that cover
every input format and the dirty cases the pipeline must survive, so the committed
sample data can be rebuilt and reviewed: ``python scripts/make_sample_data.py``.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import tarfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "include" / "sample_data"
ARTICLES = HERE / "articles"
RAW = HERE / "raw"
EPOCH = (2024, 3, 1, 0, 0, 0)


def art(name: str) -> str:
    return (ARTICLES / name).read_text(encoding="utf-8")


def gz(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as fh:
        fh.write(data)
    return buf.getvalue()


def write_zip(path: Path, members: list[tuple[str, bytes, int | None]]) -> None:
    """Members as (name, data, unix_mode or None); a mode of 0o120777 makes a symlink."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data, mode in members:
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = ((mode or 0o100644) & 0xFFFF) << 16
            zf.writestr(info, data)


def write_tgz(path: Path, members: list[tuple[str, bytes]]) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tf.addfile(info, io.BytesIO(data))
    path.write_bytes(gz(raw.getvalue()))


def jsonl(records: list[object]) -> bytes:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    return ("\n".join(lines) + "\n").encode("utf-8")


def mojibake(text: str) -> str:
    """UTF-8 bytes read as cp1252: what a misconfigured scraper stores."""
    return text.encode("utf-8").decode("cp1252", errors="replace")


def day1(d: Path) -> None:
    shutil.copy(ARTICLES / "000_f14259f59aa8b858.txt", d / "000_f14259f59aa8b858.txt")
    (d / "en_storm.txt").write_bytes(art("en_storm.txt").replace("\n", "\r\n").encode())
    (d / "de_bahn.txt.gz").write_bytes(gz(b"\xef\xbb\xbf" + art("de_bahn.txt").encode()))
    (d / "ar_economy.txt").write_bytes(art("ar_economy.txt").encode("utf-16"))
    fr = art("fr_greve.txt").replace("é", "&eacute;").replace("’", "&rsquo;")
    (d / "feed.jsonl").write_bytes(jsonl([
        {"id": "es-1", "url": "https://example.es/sequia", "published": "2024-03-01T08:00:00Z",
         "text": art("es_sequia.txt")},
        {"id": "fr-1", "url": "https://example.fr/greve", "text": fr},
        '{"id": "broken", "text": "unterminated',
    ]))
    write_zip(d / "bundle.zip", [("world/europe/ru_moscow.txt", art("ru_moscow.txt").encode(),
                                  None)])
    write_tgz(d / "archive.tgz", [("mideast/fa_tehran.txt", art("fa_tehran.txt").encode())])
    (d / "empty.txt").write_bytes(b"\xc2\xa0 \r\n \r\n")


def day2(d: Path) -> None:
    (d / "en_budget.txt").write_bytes(art("en_budget.txt").encode("cp1252"))
    (d / "de_klima.txt").write_bytes(mojibake(art("de_klima.txt")).encode("utf-8"))
    (d / "ru_science.txt").write_bytes(art("ru_science.txt").replace("\n", "\r").encode())
    (d / "wire.jsonl.gz").write_bytes(gz(jsonl([
        {"id": "es-2", "title": "El Real Madrid gana la Supercopa en Riad",
         "text": art("es_futbol.txt").split("\n", 2)[2]},
        {"id": "ar-2", "url": "https://example.eg/book-fair", "published": "2024-03-02",
         "text": art("ar_culture.txt")},
        {"id": "en-dup", "text": art("en_budget.txt").replace("schools", "Schools", 1)},
    ])))
    write_zip(d / "sport.zip", [
        ("iran/fa_football.txt", art("fa_football.txt").encode(), None),
        ("../../etc/evil.txt", b"path traversal attempt", None),
        ("iran/latest.txt", b"/etc/passwd", 0o120777),
    ])
    (d / "notes.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")


def day3(d: Path) -> None:
    roma = art("it_roma.txt").replace("metropolitana", "metro\u200bpolitana", 1)
    roma = roma.replace("\n\n", "\n\u00a0\u00a0\n\n", 2)
    (d / "it_roma.txt").write_bytes(roma.encode())
    write_zip_path = d / "corrupt.zip"
    write_zip(write_zip_path, [("a.txt", art("en_storm.txt").encode(), None)])
    write_zip_path.write_bytes(write_zip_path.read_bytes()[:120])
    (d / "scan.txt").write_bytes(bytes((i * 37 + 11) % 256 for i in range(2048)))
    (d / "short.txt").write_bytes(b"Breaking news\n\nMore soon.\n")
    feed = jsonl([
        {"id": "de-3", "text": art("de_klima.txt")},
        {"id": "es-3", "text": art("es_sequia.txt")},
        {"id": "de-4", "text": art("de_bahn.txt")},
        {"id": "ru-3", "text": art("ru_science.txt")},
        {"id": "fa-3", "text": art("fa_football.txt")},
    ])
    write_tgz(d / "wires.tar.gz", [("2024/03/03/agency.jsonl.gz", gz(feed))])


def main() -> None:
    shutil.rmtree(RAW, ignore_errors=True)
    for ds, build in (("2024-03-01", day1), ("2024-03-02", day2), ("2024-03-03", day3)):
        day = RAW / ds
        day.mkdir(parents=True)
        build(day)
        print(ds, sorted(p.name for p in day.iterdir()))


if __name__ == "__main__":
    main()
