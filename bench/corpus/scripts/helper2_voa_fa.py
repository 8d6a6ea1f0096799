#!/usr/bin/env python3
"""Make raw/voa-fa/*.json from github.com/m3hrdadfi/news-headline-generation app/assets/example.json
(VOA Persian news 2003-2008, from the VOA Persian Corpus, https://jon.dehdari.org/corpora/;
records {"name": {i: headline}, "text": {i: article}}).  One JSON record per article:
{"title": headline, "text": article} exactly as stored (one-line, tokenised text).
Articles under 300 characters are skipped.
usage: helper2_voa_fa.py MIRROR_GIT_DIR OUT_DIR
"""
import json, os, subprocess, sys

def main():
    git, out = sys.argv[1], sys.argv[2]
    d = json.loads(subprocess.run(["git", f"--git-dir={git}", "show", "HEAD:app/assets/example.json"],
                                  capture_output=True, check=True).stdout)
    os.makedirs(out, exist_ok=True)
    made = 0
    for k in sorted(d["text"], key=int):
        t = d["text"][k]
        if len(t) < 300:
            continue
        with open(os.path.join(out, f"voa-fa-{int(k):03d}.json"), "w", encoding="utf-8") as f:
            json.dump({"title": d["name"][k], "text": t}, f, ensure_ascii=False)
            f.write("\n")
        made += 1
    print("made", made)

if __name__ == "__main__":
    main()
