#!/usr/bin/env python3
"""Validate label files: every line parses, `file` exists, kinds are known, every unit's text
(whitespace-normalised) occurs in the whitespace-normalised, HTML-entity-decoded raw file, in order.
Usage: python3 helper1_validate.py [labels/x.jsonl ...]   (default: helper1's label files)"""
import html, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
KINDS = {"section_label", "title", "deck", "byline", "subheading", "caption", "quote", "paragraph",
         "boilerplate", "source", "echo"}
FIELDS = {"file", "lang", "title", "title_source", "section_label", "authors", "dateline", "units"}
DEFAULT = ["agenciabrasil.jsonl", "tehrantimes.jsonl", "wikinews-ja-tok.jsonl"]


def norm(s):
    return re.sub(r"\s+", " ", html.unescape(s)).strip()


def raw_text(path):
    txt = open(path, encoding="utf-8").read()
    if path.endswith(".json"):
        rec = json.loads(txt)
        return (rec.get("title") or "") + "\n" + rec["text"]
    return txt


def check(path):
    errs, n = [], 0
    for ln, line in enumerate(open(path, encoding="utf-8"), 1):
        if not line.strip():
            continue
        n += 1
        try:
            rec = json.loads(line)
        except ValueError as e:
            errs.append(f"{path}:{ln}: bad JSON {e}"); continue
        miss = FIELDS - rec.keys()
        if miss:
            errs.append(f"{path}:{ln}: missing {sorted(miss)}")
        f = os.path.join(ROOT, "raw", rec.get("file", ""))
        if not os.path.isfile(f):
            errs.append(f"{path}:{ln}: no raw file {rec.get('file')}"); continue
        if rec.get("title_source") not in ("text", "record", "filename", None):
            errs.append(f"{path}:{ln}: bad title_source")
        raw = norm(raw_text(f))
        pos = 0
        for i, u in enumerate(rec.get("units", [])):
            if u.get("kind") not in KINDS:
                errs.append(f"{path}:{ln}: unit {i} bad kind {u.get('kind')}")
            t = norm(u.get("text", ""))
            if not t:
                errs.append(f"{path}:{ln}: unit {i} empty"); continue
            j = raw.find(t, pos)
            if j < 0:
                errs.append(f"{path}:{ln}: unit {i} not found in order: {t[:60]!r}")
                j = raw.find(t)
                if j < 0:
                    continue
            pos = j + len(t)
        if rec.get("dateline") and not any(norm(u["text"]).startswith(rec["dateline"])
                                           for u in rec["units"] if u["kind"] in ("paragraph", "quote")):
            errs.append(f"{path}:{ln}: dateline not at the start of a paragraph")
    return n, errs


def main():
    files = sys.argv[1:] or [os.path.join(ROOT, "labels", x) for x in DEFAULT]
    total, bad = 0, []
    for p in files:
        n, e = check(p)
        total += n; bad += e
        print(f"{p}: {n} labels, {len(e)} problems")
    for e in bad:
        print(e)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
