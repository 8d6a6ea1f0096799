#!/usr/bin/env python3
"""Make raw/president-tw/* from github.com/kiang/www.president.gov.tw (news_json/<year>/<id>.json,
records scraped from https://www.president.gov.tw/NEWS/<id>: title, subtitle, content, date, url).

Deterministic selection: records of 2016..2025 sorted by path, keep those whose content is
300..6000 characters, then take every 40th.  Three export shapes, by position i in that list:
  i % 3 == 0 -> <id>.json  {"title","text","url","published"}; text = content as stored
  i % 3 == 1 -> <id>.txt   title line, blank line, subtitle (if any) + blank line, content
  i % 3 == 2 -> <id>.txt   one-line export: content with each run of newlines replaced by one space
usage: helper2_president_tw.py MIRROR_GIT_DIR OUT_DIR [N]
"""
import json, os, re, subprocess, sys

def main():
    git, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 60
    names = subprocess.run(["git", f"--git-dir={git}", "ls-tree", "-r", "--name-only", "HEAD"],
                           capture_output=True, text=True, check=True).stdout.split("\n")
    rx = re.compile(r"^news_json/(20(1[6-9]|2[0-5]))/(\d+)\.json$")
    paths = sorted(p for p in names if rx.match(p))
    os.makedirs(out, exist_ok=True)
    keep = []
    for k, p in enumerate(paths):
        if k % 40:
            continue
        rec = json.loads(subprocess.run(["git", f"--git-dir={git}", "show", f"HEAD:{p}"],
                                        capture_output=True, check=True).stdout)
        c = rec.get("content") or ""
        if 300 <= len(c) <= 6000:
            keep.append(rec)
        if len(keep) >= n:
            break
    for i, rec in enumerate(keep):
        rid = rec["id"]
        if i % 3 == 0:
            obj = {"title": rec["title"], "text": rec["content"], "url": rec["url"], "published": rec["date"]}
            with open(os.path.join(out, f"ptw-{rid}.json"), "w", encoding="utf-8") as f:
                json.dump(obj, f, ensure_ascii=False)
                f.write("\n")
        elif i % 3 == 1:
            parts = [rec["title"]]
            if (rec.get("subtitle") or "").strip():
                parts.append(rec["subtitle"].strip())
            parts.append(rec["content"].strip())
            with open(os.path.join(out, f"ptw-{rid}.txt"), "w", encoding="utf-8") as f:
                f.write("\n\n".join(parts) + "\n")
        else:
            with open(os.path.join(out, f"ptw-{rid}.txt"), "w", encoding="utf-8") as f:
                f.write(re.sub(r"\n+", " ", rec["content"].strip()) + "\n")
    print("made", len(keep))

if __name__ == "__main__":
    main()
