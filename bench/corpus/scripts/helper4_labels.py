#!/usr/bin/env python3
"""Write labels/zelensky-uk.jsonl from hand-assigned kinds.
The kinds below were assigned by reading each text (blocks = the source's blank-line-separated
paragraphs); this script only copies the block texts in order next to the hand-written kind codes.
Codes: t=title p=paragraph b=boilerplate q=quote s=subheading d=deck. Default for a block not
listed in OVERRIDES is p; for .txt files block 0 is the headline line (t)."""
import json, os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
KIND = {"t": "title", "p": "paragraph", "b": "boilerplate", "q": "quote", "s": "subheading", "d": "deck"}
NOTE_SAL = ("Transcript of a video address as published on president.gov.ua; bold (**...**) salutation and "
            "closing lines ('Слава Україні!') are part of the spoken text and labelled paragraph, not subheading.")
# file -> {block index: code}, notes
FILES = {
    "zuk-2022-04-13-iqiE9vXf_b0.txt": ({1: "b"}, "Appeal text; block 1 is a 'use the hashtag ... on Twitter' share call (boilerplate). List of weapons kept as one paragraph unit."),
    "zuk-2022-03-01-UgacKdlj6HQ.json": ({}, "Interview excerpt; no headline in text."),
    "zuk-2022-03-25-f63-Pj1Ii-g.txt": ({}, NOTE_SAL),
    "zuk-2022-03-21-68ragcCVMH0.txt": ({}, NOTE_SAL),
    "zuk-2022-02-25-WGqs0KAHDAo.txt": ({}, NOTE_SAL + " Headline line is a descriptive sentence."),
    "zuk-2022-02-25-3zFAZ4ezNYE.json": ({}, NOTE_SAL + " Block 14 is in Russian (code-switching)."),
    "zuk-2022-03-01-opcPsPcaPOA.txt": ({}, NOTE_SAL),
    "zuk-2022-02-28-mRwkk2mgfnU.json": ({}, NOTE_SAL),
    "zuk-2022-03-05-jwOcWw6wsx4.json": ({}, NOTE_SAL + " Blocks 12-21 are in Russian (address to Donbas)."),
    "zuk-2022-05-01-fczj-3zriCg.txt": ({}, NOTE_SAL),
    "zuk-2022-03-30-TcrDFyYDL7U.json": ({}, NOTE_SAL),
    "zuk-2022-03-04-gKFyL9a3a5k.txt": ({}, NOTE_SAL + " Block 4 is in Russian."),
    "zuk-2022-04-23-PNcaDIHuClk.json": ({}, NOTE_SAL),
    "zuk-2022-03-20-UYi86RI2sC8.json": ({}, NOTE_SAL + " Blocks 9-11 are in Russian."),
    "zuk-2022-03-28-f6A7bKGJpEQ.json": ({}, NOTE_SAL),
    "zuk-2022-03-06-nQDtSl-l_d8.json": ({}, NOTE_SAL + " Blocks 24 and 26 are '* ' bulleted lists of award recipients (names in bold), one paragraph unit each."),
    "zuk-2022-03-21-K8pi2B8-Djc.json": ({}, NOTE_SAL),
    "zuk-2022-03-06-Gec3XU1aEU8.txt": ({}, NOTE_SAL + " Many one-sentence paragraphs; blocks 17-19 in Russian."),
    "zuk-2022-04-21-IanPF1929VI.txt": ({}, NOTE_SAL),
    "zuk-2022-03-05-VmNG65OQzy8.txt": ({}, NOTE_SAL + " Generic headline 'Звернення Президента ...'."),
    "zuk-2022-04-13-RqvZvEAPFwg.json": ({}, NOTE_SAL),
    "zuk-2022-03-08-NgZQWm1cCis.txt": ({}, NOTE_SAL),
    "zuk-2022-03-20-jt_CPMYawQs.txt": ({}, NOTE_SAL + " Speech to the Knesset; several bold salutation blocks."),
    "zuk-2022-03-22--K1NlX4TFb0.json": ({}, NOTE_SAL),
    "zuk-2022-03-14-BZ_D0iLdZ6o.json": ({}, NOTE_SAL + " Block 19 holds two paragraphs separated by a single newline; kept as one unit."),
    "zuk-2022-04-05-Me7a6p-Z0-g.json": ({}, NOTE_SAL),
    "zuk-2022-04-27-5bd-4xEgIIM.txt": ({}, NOTE_SAL),
    "zuk-2022-03-10-fWAdJRy1SXU.txt": ({}, NOTE_SAL),
    "zuk-2022-04-29-Dkd2aidrZxI.json": ({}, NOTE_SAL),
    "zuk-2022-03-11-3lvq37c0hnw.txt": ({}, NOTE_SAL + " Speech to the Polish Sejm; five bold salutation blocks at the start."),
}

def blocks(text):
    return [b.strip() for b in text.split("\n\n") if b.strip()]

def main():
    out = []
    for f, (ov, note) in FILES.items():
        p = os.path.join(ROOT, "raw", "zelensky-uk", f)
        raw = open(p, encoding="utf-8").read()
        if f.endswith(".json"):
            d = json.loads(raw)
            bl, title, tsrc = blocks(d["text"]), d["title"], "record"
            codes = [ov.get(i, "p") for i in range(len(bl))]
        else:
            bl = blocks(raw)
            title, tsrc = bl[0], "text"
            codes = ["t"] + [ov.get(i, "p") for i in range(1, len(bl))]
        units = [{"kind": KIND[c], "text": b} for c, b in zip(codes, bl)]
        out.append({"file": f"zelensky-uk/{f}", "lang": "uk", "title": title, "title_source": tsrc,
                    "section_label": None, "authors": [], "dateline": None, "units": units,
                    "notes": note})
    with open(os.path.join(ROOT, "labels", "zelensky-uk.jsonl"), "w", encoding="utf-8") as fh:
        for r in out:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(len(out), "labels")

if __name__ == "__main__":
    main()
