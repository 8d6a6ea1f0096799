#!/usr/bin/env python3
"""Validate helper3 label files: JSON parses, file exists, kinds known, every unit
text (whitespace-normalised) occurs in the whitespace-normalised raw file with
HTML entities decoded, units in order."""
import html, json, os, re, sys
ROOT = os.path.join(os.path.dirname(__file__), "..")
KINDS = {"section_label", "title", "deck", "byline", "subheading", "caption", "quote",
         "paragraph", "boilerplate", "source", "echo"}
def ws(s): return re.sub(r"\s+", " ", s).strip()
bad = n = 0
for name in sys.argv[1:]:
    for i, line in enumerate(open(os.path.join(ROOT, "labels", name), encoding="utf-8"), 1):
        n += 1
        r = json.loads(line)
        p = os.path.join(ROOT, "raw", r["file"])
        if not os.path.exists(p):
            print(name, i, "missing", r["file"]); bad += 1; continue
        raw = ws(html.unescape(open(p, encoding="utf-8").read()))
        for key in ("file", "lang", "title", "title_source", "section_label", "authors", "dateline", "units"):
            if key not in r: print(name, i, "no key", key); bad += 1
        pos = 0
        for u in r["units"]:
            if u["kind"] not in KINDS: print(name, i, "kind", u["kind"]); bad += 1
            t = ws(html.unescape(u["text"]))
            j = raw.find(t, pos)
            if j < 0:
                print(name, i, r["file"], "not found/out of order:", t[:80]); bad += 1
            else:
                pos = j + len(t)
        if r["title"] and not any(u["kind"] == "title" for u in r["units"]):
            print(name, i, "title without title unit"); bad += 1
print(f"{n} records, {bad} problems")
sys.exit(1 if bad else 0)
