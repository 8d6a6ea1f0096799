#!/usr/bin/env python3
"""Write labels/{kremlin-en,president-tw,voa-fa}.jsonl from HAND-ASSIGNED kinds.

The kinds below were assigned by a person reading each raw file (helper2); this script only
copies the text of each blank-line-separated block of the raw file (or of the JSON record's
`text`) into the unit list, in order, with the kind written for it here.  It does not run or
imitate any newsetl code.  Codes: L section_label, T title, D deck, Y byline, S subheading,
C caption, Q quote, P paragraph, B boilerplate.
"""
import json, os, re, sys

K = dict(L="section_label", T="title", D="deck", Y="byline", S="subheading", C="caption",
         Q="quote", P="paragraph", B="boilerplate")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

# kremlin-en: one code per block (see raw/kremlin-en/*.txt)
KREMLIN = {
 "kremlin-15240.txt": "LTDBB" + "P"*7 + "B"*9,
 "kremlin-15747.txt": "LTDBBB" + "C"*12 + "P"*4 + "BSBSB" + "B"*10,
 "kremlin-17093.txt": "LTDBBB" + "C"*3 + "P"*3 + "B" + "P"*11 + "B" + "B"*13,
 "kremlin-17094.txt": "LTDBBB" + "CC" + "PPP" + "BSB" + "B"*11,
 "kremlin-17100.txt": "LTDBB" + "PPP" + "BSB" + "B"*6,
 "kremlin-17109.txt": "LTDB" + "PP" + "B"*12,
 "kremlin-17113.txt": "LTDBBB" + "C" + "P" + "B" + "P"*18 + "B" + "B"*10,
 "kremlin-17119.txt": "LTDBBB" + "C" + "B" + "P"*5 + "B" + "B"*10,
 "kremlin-17120.txt": "LTDBB" + "PPP" + "B"*8,
 "kremlin-17127.txt": "LTDBBB" + "CC" + "P"*5 + "B"*12,
 "kremlin-17129.txt": "LTDBB" + "PPP" + "B"*13,
 "kremlin-17133.txt": "LTDBBB" + "CCC" + "PP" + "B"*20,
 "kremlin-17135.txt": "LTDBBB" + "C"*5 + "PP" + "BSBSB" + "B"*12,
 "kremlin-17145.txt": "LTDBB" + "PP" + "B"*12,
 "kremlin-7689.txt": "LTDBBB" + "C" + "P"*6 + "B"*12,
 "kremlin-7954.txt": "LTDBBB" + "CC" + "PPP" + "BSB" + "B"*10,
 "kremlin-7955.txt": "LTBBB" + "C"*7 + "P"*12 + "BSB" + "B"*18,
 "kremlin-7957.txt": "LTDBBB" + "C" + "P" + "B" + "P"*8 + "B" + "B"*11,
 "kremlin-7959.txt": "LTDBB" + "P" + "Q" + "PPP" + "B"*8,
 "kremlin-7961.txt": "LTDBBB" + "C" + "P" + "BSBSB" + "B"*12,
 "kremlin-7964.txt": "LTDBB" + "PP" + "B"*9,
 "kremlin-7972.txt": "LTDBBB" + "CCC" + "P"*6 + "BSB" + "B"*13,
 "kremlin-7980.txt": "LTDBB" + "P"*5 + "BSB" + "B"*8,
 "kremlin-7982.txt": "LTDBBB" + "C" + "PPP" + "B" + "P"*12 + "B"*9,
 "kremlin-7988.txt": "LTDBBB" + "C"*4 + "P"*7 + "B"*8,
}
KREMLIN_NOTES = {
 "kremlin-7955.txt": "no lead/deck on this page: date follows the headline directly",
 "kremlin-7959.txt": "block 6 is the quoted message text (quote)",
}

# president-tw: .txt with headline -> T, D (subtitle), P...; one-line .txt and .json -> P...
PTW = ["ptw-20452.json", "ptw-20497.txt", "ptw-20538.txt", "ptw-20581.json", "ptw-20622.txt",
       "ptw-20709.txt", "ptw-20754.json", "ptw-20797.txt", "ptw-20839.txt", "ptw-20882.json",
       "ptw-20927.txt", "ptw-20968.txt", "ptw-21009.json", "ptw-21049.txt", "ptw-21094.txt",
       "ptw-21140.json", "ptw-21183.txt", "ptw-21245.txt", "ptw-21289.json", "ptw-21375.txt",
       "ptw-21417.txt"]
PTW_HEADLINED = {"ptw-20497.txt", "ptw-20622.txt", "ptw-20797.txt", "ptw-20927.txt",
                 "ptw-21049.txt", "ptw-21183.txt", "ptw-21375.txt"}

def blocks(text):
    return [re.sub(r"[ \t]*\n[ \t]*", " ", b.strip()) for b in re.split(r"\n\s*\n", text) if b.strip()]

def rec(file, lang, title, title_source, section_label, units, notes=None):
    o = {"file": file, "lang": lang, "title": title, "title_source": title_source,
         "section_label": section_label, "authors": [], "dateline": None, "units": units}
    if notes:
        o["notes"] = notes
    return o

def main():
    out = {}
    rows = []
    for f, codes in KREMLIN.items():
        bs = blocks(open(os.path.join(ROOT, "raw/kremlin-en", f), encoding="utf-8").read())
        assert len(bs) == len(codes), (f, len(bs), len(codes))
        units = [{"kind": K[c], "text": b} for c, b in zip(codes, bs)]
        rows.append(rec(f"kremlin-en/{f}", "en", bs[codes.index("T")], "text", bs[0], units,
                        KREMLIN_NOTES.get(f)))
    out["kremlin-en"] = rows
    rows = []
    for f in PTW:
        p = os.path.join(ROOT, "raw/president-tw", f)
        if f.endswith(".json"):
            d = json.load(open(p, encoding="utf-8"))
            bs = blocks(d["text"])
            rows.append(rec(f"president-tw/{f}", "zh-Hant", d["title"], "record", None,
                            [{"kind": "paragraph", "text": b} for b in bs],
                            "JSON record: headline only in the record's title field"))
        else:
            bs = blocks(open(p, encoding="utf-8").read())
            if f in PTW_HEADLINED:
                units = [{"kind": "title", "text": bs[0]}, {"kind": "deck", "text": bs[1]}] + \
                        [{"kind": "paragraph", "text": b} for b in bs[2:]]
                rows.append(rec(f"president-tw/{f}", "zh-Hant", bs[0], "text", None, units))
            else:
                assert len(bs) == 1
                rows.append(rec(f"president-tw/{f}", "zh-Hant", None, None, None,
                                [{"kind": "paragraph", "text": bs[0]}],
                                "one-line export, no headline; the paragraphs are run together on one line"))
    out["president-tw"] = rows
    rows = []
    for f in sorted(os.listdir(os.path.join(ROOT, "raw/voa-fa"))):
        d = json.load(open(os.path.join(ROOT, "raw/voa-fa", f), encoding="utf-8"))
        rows.append(rec(f"voa-fa/{f}", "fa", d["title"], "record", None,
                        [{"kind": "paragraph", "text": d["text"].strip()}],
                        "one-line tokenised VOA Persian text (spaces before punctuation as in the corpus); headline only in the record"))
    out["voa-fa"] = rows
    for src, rows in out.items():
        with open(os.path.join(ROOT, "labels", f"{src}.jsonl"), "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(src, len(rows))

if __name__ == "__main__":
    main()
