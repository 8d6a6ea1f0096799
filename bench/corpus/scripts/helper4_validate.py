#!/usr/bin/env python3
"""Validate labels/<source>.jsonl files: each line parses, `file` exists under raw/, every unit's
text (whitespace-normalised) occurs in the whitespace-normalised raw file (for .json raw files:
in the record's title/text), units appear in order, kinds are from the README table.
usage: helper4_validate.py [labels/kremlin-en.jsonl ...]   (default: helper2's three files)"""
import json, os, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
KINDS = {"section_label", "title", "deck", "byline", "subheading", "caption", "quote",
         "paragraph", "boilerplate", "source", "echo"}
KEYS = {"file", "lang", "title", "title_source", "section_label", "authors", "dateline", "units"}

def norm(s):
    return " ".join(s.split())

def main():
    files = sys.argv[1:] or [os.path.join(ROOT, "labels", f"{s}.jsonl")
                             for s in ("zelensky-uk",)]
    bad = n = 0
    for lf in files:
        for ln, line in enumerate(open(lf, encoding="utf-8"), 1):
            n += 1
            try:
                r = json.loads(line)
            except Exception as e:
                print(f"{lf}:{ln}: bad json {e}"); bad += 1; continue
            miss = KEYS - r.keys()
            if miss:
                print(f"{lf}:{ln}: missing keys {miss}"); bad += 1
            p = os.path.join(ROOT, "raw", r["file"])
            if not os.path.exists(p):
                print(f"{lf}:{ln}: no file {r['file']}"); bad += 1; continue
            raw = open(p, encoding="utf-8").read()
            if p.endswith(".json"):
                d = json.loads(raw)
                raw = (d.get("title") or "") + "\n" + d["text"]
            hay = norm(raw)
            pos = 0
            for i, u in enumerate(r["units"]):
                if u.get("kind") not in KINDS:
                    print(f"{lf}:{ln}: unit {i} bad kind {u.get('kind')}"); bad += 1
                t = norm(u.get("text", ""))
                j = hay.find(t, pos)
                if not t or j < 0:
                    where = "missing" if hay.find(t) < 0 else "out of order"
                    print(f"{lf}:{ln}: unit {i} {where}: {t[:60]!r}"); bad += 1
                else:
                    pos = j + len(t)
            if r["title"] is not None and r.get("title_source") == "text":
                if not any(u["kind"] == "title" and norm(u["text"]) == norm(r["title"]) for u in r["units"]):
                    print(f"{lf}:{ln}: title not among title units"); bad += 1
            if r.get("dateline") and not any(norm(u["text"]).startswith(norm(r["dateline"]))
                                             for u in r["units"] if u["kind"] == "paragraph"):
                print(f"{lf}:{ln}: dateline does not open a paragraph"); bad += 1
            # coverage: all text of the raw file is covered by units
            cov = sum(len(norm(u["text"])) for u in r["units"])
            body = norm(json.loads(open(p, encoding='utf-8').read())["text"]) if p.endswith(".json") else hay
            if cov < len(body) * 0.97:
                print(f"{lf}:{ln}: units cover only {cov}/{len(body)} chars"); bad += 1
    print(f"{n} labels checked, {bad} problems")
    sys.exit(1 if bad else 0)

if __name__ == "__main__":
    main()
