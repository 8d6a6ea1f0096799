"""Check the corpus labels against the raw files (one checker for every source).

For each line of ``labels/*.jsonl``: it parses and has the README's keys, ``file``
exists under ``raw/``, every unit has a known kind and its text (whitespace-normalised,
HTML entities decoded) occurs in the raw text in reading order, a title taken from the
text is one of the title units, and a dateline opens a paragraph unit.

    python bench/corpus/validate.py          # prints problems; exit 1 if any
"""

from __future__ import annotations

import html
import json
import sys
from collections.abc import Iterator
from pathlib import Path

CORPUS = Path(__file__).resolve().parent
KINDS = frozenset(("section_label", "title", "deck", "byline", "subheading", "caption",
                   "quote", "paragraph", "boilerplate", "source", "echo"))
KEYS = frozenset(("file", "lang", "title", "title_source", "section_label", "authors",
                  "dateline", "units"))
TITLE_SOURCES = (None, "text", "record", "filename")


def norm(text: str) -> str:
    return " ".join(html.unescape(text).split())


def raw_text(path: Path) -> str:
    """The text a label refers to: the file, or a JSON record's title and text."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        record = json.loads(text)
        text = f"{record.get('title') or ''}\n{record['text']}"
    return norm(text)


def label_problems(label: dict) -> Iterator[str]:
    """What is wrong with one label (nothing for a good one)."""
    missing = KEYS - label.keys()
    if missing:
        yield f"missing keys {sorted(missing)}"
        return
    path = CORPUS / "raw" / label["file"]
    if not path.is_file():
        yield "no such raw file"
        return
    if label["title_source"] not in TITLE_SOURCES:
        yield f"title_source {label['title_source']!r}"
    hay, pos = raw_text(path), 0
    for number, unit in enumerate(label["units"]):
        if unit.get("kind") not in KINDS:
            yield f"unit {number}: kind {unit.get('kind')!r}"
        text = norm(unit.get("text", ""))
        found = hay.find(text, pos) if text else -1
        if found < 0:
            yield f"unit {number} {'out of order' if text and text in hay else 'missing'}: " \
                  f"{text[:60]!r}"
        else:
            pos = found + len(text)
    if label["title_source"] == "text" and not any(
            u["kind"] == "title" and norm(u["text"]) == norm(label["title"] or "")
            for u in label["units"]):
        yield "title from the text is not a title unit"
    if label["dateline"] and not any(
            u["kind"] == "paragraph" and norm(u["text"]).startswith(norm(label["dateline"]))
            for u in label["units"]):
        yield "dateline opens no paragraph unit"
    bylines = " ".join(norm(u["text"]).casefold() for u in label["units"]
                       if u["kind"] == "byline")
    for author in label["authors"]:
        if norm(author).casefold() not in bylines:
            yield f"author {author!r} is in no byline unit (authors are read from the text)"


def problems() -> Iterator[str]:
    """Every problem of every label file, as ``labels/x.jsonl:line: what``."""
    for labels in sorted((CORPUS / "labels").glob("*.jsonl")):
        for number, line in enumerate(labels.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{labels.relative_to(CORPUS)}:{number}"
            try:
                label = json.loads(line)
            except ValueError as exc:
                yield f"{where}: not JSON ({exc})"
                continue
            for problem in label_problems(label):
                yield f"{where}: {label.get('file')}: {problem}"


def main() -> None:
    found = list(problems())
    for problem in found:
        print(problem)
    print(f"{len(found)} problems")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
