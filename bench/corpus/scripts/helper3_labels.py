#!/usr/bin/env python3
"""Write helper3 hand labels from line-level decisions (re-runnable).

The decisions below were made by reading each blockstrip raw file (line numbers
refer to raw/<group>-blockstrip/<id>.txt).  Lines not listed inside the body
range are boilerplate (page chrome, menus, comments, sidebars).  The same
decisions are carried over to the tagstrip and trafilatura shapes of the same
page by matching text (whitespace-insensitive); those files were then read
to check the carried-over result.
"""
import json, os, re, sys

RAW = os.path.join(os.path.dirname(__file__), "..", "raw")
LAB = os.path.join(os.path.dirname(__file__), "..", "labels")

def ws(s): return re.sub(r"\s+", " ", s).strip()
def nows(s): return re.sub(r"\s+", "", s)

# id: dict(title=line, date=[lines], byline=line, body=(a,b), caption=set, sub=set,
#          bp=set (boilerplate inside body), quote=set, authors=[...])
GV = {
 "gv-mc01": dict(title=21, byline=25, body=(345, 362), caption={345, 353, 357, 361}, sub=set(), bp=set(), authors=["Diego Casaes"]),
 "gv-mc02": dict(title=21, byline=25, body=(345, 382), caption=set(), sub=set(), bp=set(), authors=["Haute Haiku"]),
 "gv-mc03": dict(title=21, byline=25, body=(352, 361), caption=set(), sub=set(), bp=set(), authors=["Hamid Tehrani"]),
 "gv-mc04": dict(title=21, byline=25, body=(352, 387), caption=set(), sub={353, 360, 367, 371, 379, 385, 386, 387}, bp=set(), authors=["Oiwan Lam"]),
 "gv-mc05": dict(title=21, byline=25, body=(350, 371), caption=set(), sub=set(), bp=set(), authors=["Bhumika Ghimire"]),
 "gv-mc06": dict(title=21, byline=25, body=(348, 369), caption={357}, sub=set(), bp={369}, authors=["Gaurav Mishra"]),
 "gv-mc07": dict(title=21, byline=25, body=(349, 396), caption={396}, sub={356, 363, 370, 381, 384, 392}, bp={395}, authors=["Anas Alaoui"]),
 "gv-mc08": dict(title=21, byline=25, body=(348, 368), caption=set(), sub=set(), bp=set(), authors=["Juan Arellano"]),
}

QUOTE_OPEN = ("“", '"', "«", "„")


def gv_blockstrip_units(pid, d):
    lines = open(os.path.join(RAW, "globalvoices-blockstrip", pid + ".txt"), encoding="utf-8").read().split("\n")
    kinds = []
    a, b = d["body"]
    for n, text in enumerate(lines, 1):
        if not text.strip():
            continue
        if n == d["title"]:
            k = "title"
        elif n == d["byline"]:
            k = "byline"
        elif a <= n <= b:
            if n in d["caption"]:
                k = "caption"
            elif n in d["sub"]:
                k = "subheading"
            elif n in d["bp"]:
                k = "boilerplate"
            elif text.lstrip().startswith(QUOTE_OPEN):
                k = "quote"
            else:
                k = "paragraph"
        elif n == b + 1 and text.startswith("Posted by "):
            k = "byline"
        else:
            k = "boilerplate"
        kinds.append((k, text))
    return kinds


def merge_bp(units):
    out = []
    for k, t in units:
        if k == "boilerplate" and out and out[-1][0] == "boilerplate":
            out[-1] = ("boilerplate", out[-1][1] + " " + t)
        else:
            out.append((k, t))
    return out


def carry(units, path):
    """Carry (kind, text) decisions of one shape over to another shape's file.

    Each decision's text is looked up (whitespace-insensitively) in the target;
    target text not covered by any decision becomes boilerplate.  Returns units
    in the target's order, texts copied from the target."""
    raw = open(path, encoding="utf-8").read()
    lines = [l for l in raw.split("\n") if l.strip()]
    # character stream without whitespace, with map back to line index
    stream, owner = [], []
    for i, l in enumerate(lines):
        for ch in nows(l):
            stream.append(ch); owner.append(i)
    s = "".join(stream)
    kind_of = [None] * len(lines)
    pos = 0
    for ui, (k, t) in enumerate(units):
        key = nows(t)
        if not key:
            continue
        j = s.find(key, pos)
        if j < 0:
            j = s.find(key)
            if j < 0:
                continue
        else:
            pos = j + len(key)
        for c in range(j, j + len(key)):
            li = owner[c]
            if kind_of[li] is None or kind_of[li][0] == "boilerplate":
                kind_of[li] = (k, ui)
    out = []
    last = None
    for i, l in enumerate(lines):
        k, ui = kind_of[i] or ("boilerplate", -1)
        t = ws(l)
        # lines that come from one source unit (or a boilerplate run): one unit
        if out and (last == (k, ui) or (k == "boilerplate" and out[-1][0] == k)):
            out[-1] = (k, out[-1][1] + " " + t)
        else:
            out.append((k, t))
        last = (k, ui)
    return out


def record(file, lang, title, authors, units, notes, dateline=None, title_source=None):
    return {"file": file, "lang": lang, "title": title,
            "title_source": title_source if title_source is not None else ("text" if title else None),
            "section_label": None, "authors": authors, "dateline": dateline,
            "units": [{"kind": k, "text": ws(t)} for k, t in units if ws(t)],
            "notes": notes}

GV.update({
 "gv-mc10": dict(title=21, byline=25, body=(354, 382), caption=set(), sub=set(), bp=set(), authors=["Elia Varela Serra"]),
 "gv-mc11": dict(title=21, byline=25, body=(357, 414), caption={358, 382}, sub=set(), bp={414}, authors=["Thiana Biondo"]),
 "gv-mc12": dict(title=21, byline=25, body=(353, 406), caption={371, 372, 373, 374, 375, 376, 383}, sub=set(), bp=set(), authors=["Eman AbdElRahman"]),
 "gv-mc13": dict(title=21, byline=25, body=(348, 374), caption=set(), sub=set(), bp=set(), authors=["Juan Arellano"]),
 "gv-mc14": dict(title=21, byline=25, body=(361, 379), caption=set(), sub=set(), bp=set(), authors=["Amira Al Hussaini"]),
 "gv-mc15": dict(title=21, byline=25, body=(363, 380), caption={377}, sub=set(), bp=set(), authors=["Mong Palatino"]),
})

# other pages: explicit line kinds on the blockstrip file; unlisted lines are boilerplate
def rng(a, b, k): return {n: k for n in range(a, b + 1)}

OTHER = {
 # polygraph-01 (usgov) was dropped from the corpus: its page says "All Rights Reserved".
 ("ccnews", "wmf-01"): dict(lang="en", title="Access to Wikipedia restored in Turkey after more than two and a half years", authors=[],
    kinds={18: "section_label", 19: "title", 20: "byline", **rng(22, 30, "paragraph"), 24: "quote", **rng(76, 87, "caption")},
    section="News",
    notes="Byline names the organisation only (authors empty) and is glued to the date. Page photo-credit list in the footer labelled caption."),
}


def other_blockstrip_units(group, pid, spec):
    lines = open(os.path.join(RAW, f"{group}-blockstrip", pid + ".txt"), encoding="utf-8").read().split("\n")
    return [(spec["kinds"].get(n, "boilerplate"), t) for n, t in enumerate(lines, 1) if t.strip()]


def main():
    os.makedirs(LAB, exist_ok=True)
    out = {}
    for pid, d in GV.items():
        bl = gv_blockstrip_units(pid, d)
        title = next(t for k, t in bl if k == "title")
        note = ("Global Voices 2009 page (mediacloud crawler fixture). Page chrome, sidebars, tag lists, "
                "excerpt, translation links, share widgets and reader comments are boilerplate; the "
                "closing 'Posted by' line is a byline. Quoted blog text: paragraph, or quote when it opens with a quotation mark.")
        for shape in ("blockstrip", "tagstrip", "trafilatura"):
            f = f"globalvoices-{shape}/{pid}.txt"
            units = merge_bp(bl) if shape == "blockstrip" else carry(bl, os.path.join(RAW, f))
            t = title if any(k == "title" for k, _ in units) else None
            out.setdefault(f"globalvoices-{shape}", []).append(
                record(f, "en", ws(t) if t else None, d["authors"], units, note))
    for (group, pid), spec in OTHER.items():
        bl = other_blockstrip_units(group, pid, spec)
        for shape in ("blockstrip", "tagstrip", "trafilatura"):
            f = f"{group}-{shape}/{pid}.txt"
            units = merge_bp(bl) if shape == "blockstrip" else carry(bl, os.path.join(RAW, f))
            has_t = any(k == "title" for k, _ in units)
            rec = record(f, spec["lang"], spec["title"] if has_t else None, spec["authors"], units, spec["notes"])
            rec["section_label"] = spec["section"] if any(k == "section_label" for k, _ in units) else None
            out.setdefault(f"{group}-{shape}", []).append(rec)
    for src, recs in out.items():
        with open(os.path.join(LAB, src + ".jsonl"), "w", encoding="utf-8") as fh:
            for r in recs:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(src, len(recs))


if __name__ == "__main__":
    main()
