#!/usr/bin/env python3
"""Build raw/zelensky-uk/ from the Amice13/resistinua mirror (Ukrainian texts of addresses by
President Volodymyr Zelensky, as published on president.gov.ua, CC BY 4.0).
usage: helper4_zelensky_uk.py MIRROR_GIT_DIR OUT_DIR [N]
Reads static/content/messages.js, messages-2.js, messages-3.js at the pinned commit with
`git show`, keeps records whose speaker is exactly ['Володимир Зеленський'] and whose text
(stripped of the leading/trailing newline the JS template literal adds) is 1,000-6,000 chars,
sorts them by date then id, and writes the first N (default 40):
  even positions -> zuk-<date>-<id>.json  {"title","text","url","published"} (text as stored)
  odd positions  -> zuk-<date>-<id>.txt   headline line, blank line, text as stored
Deterministic: same commit -> byte-identical files."""
import json, os, re, subprocess, sys

COMMIT = "2391318cf8c1d24d492995fbf99934ba696ef334"
FILES = ["static/content/messages.js", "static/content/messages-2.js", "static/content/messages-3.js"]
REC = re.compile(r"\{\s*\n\s*id: '([^']*)',\s*\n\s*name: '((?:[^'\\]|\\.)*)',.*?speaker: \[([^\]]*)\],"
                 r"\s*\n\s*date: '([^']*)'.*?text: `(.*?)`,\s*\n\s*description: .*?url: '([^']*)'", re.S)

def js_unescape(s):
    return re.sub(r"\\(.)", r"\1", s)

def main():
    git, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    recs = {}
    for f in FILES:
        src = subprocess.run(["git", "--git-dir", git, "show", f"{COMMIT}:{f}"], check=True,
                             capture_output=True).stdout.decode("utf-8")
        for rid, name, spk, date, text, url in REC.findall(src):
            if spk.strip() != "'Володимир Зеленський'":
                continue
            text = js_unescape(text).strip("\n").rstrip()
            if not 1000 <= len(text) <= 6000:
                continue
            recs.setdefault(rid, (date, rid, js_unescape(name), text, url))
    sel = sorted(recs.values())[:n]
    os.makedirs(out, exist_ok=True)
    for i, (date, rid, name, text, url) in enumerate(sel):
        base = os.path.join(out, f"zuk-{date[:10]}-{rid}")
        if i % 2 == 0:
            with open(base + ".json", "w", encoding="utf-8") as fh:
                json.dump({"title": name, "text": text, "url": url, "published": date}, fh,
                          ensure_ascii=False)
                fh.write("\n")
        else:
            with open(base + ".txt", "w", encoding="utf-8") as fh:
                fh.write(name + "\n\n" + text + "\n")
    print(len(sel), "files")

if __name__ == "__main__":
    main()
