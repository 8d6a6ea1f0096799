#!/usr/bin/env python3
"""Make raw/kremlin-en/*.txt from the en.kremlin.ru HTML pages mirrored in
github.com/iandennismiller/valdai-transcripts (var/extract/en.kremlin.ru/events/president/news/<id>.html).

Generic "page text" scraper step (documented in sources/helper2.md): take the <article> element,
emit the text of each block element (links, headings, paragraphs, time stamps, slide captions,
list items) as one block, blocks separated by a blank line.  Text-node line breaks of the
source HTML are kept (the site's HTML is hard-wrapped at ~80 columns), runs of spaces/tabs are
collapsed, entities decoded.  Deterministic: pages sorted by numeric id, first N whose text is
1,000..6,000 characters.

usage: helper2_kremlin.py MIRROR_GIT_DIR OUT_DIR [N]
"""
import html, re, subprocess, sys
from html.parser import HTMLParser

BLOCK = {"p", "h1", "h2", "h3", "h4", "li", "time", "div", "br", "ul", "article", "section"}

class Extract(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0          # >0 while inside <article>
        self.blocks, self.cur = [], []
        self.seen_caps = set()
        self.skip = 0           # inside <script>/<style>
    def flush(self):
        t = "".join(self.cur)
        t = re.sub(r"[ \t\r\f\v\xa0]+", " ", t)
        t = "\n".join(l.strip() for l in t.split("\n"))
        t = re.sub(r"\n{2,}", "\n", t).strip()
        if t:
            self.blocks.append(t)
        self.cur = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article":
            self.depth += 1
            return
        if not self.depth:
            return
        if tag in ("script", "style"):
            self.skip += 1
            return
        if tag == "div" and "slide" == a.get("class", "") and a.get("data-cycle-desc"):
            cap = html.unescape(a["data-cycle-desc"]).strip()
            if cap not in self.seen_caps:
                self.seen_caps.add(cap)
                self.flush(); self.cur.append(cap); self.flush()
            return
        if tag in BLOCK:
            self.flush()
    def handle_endtag(self, tag):
        if tag == "article" and self.depth:
            self.flush(); self.depth -= 1; return
        if not self.depth:
            return
        if tag in ("script", "style"):
            self.skip -= 1; return
        if tag in BLOCK:
            self.flush()
    def handle_data(self, data):
        if self.depth and not self.skip:
            self.cur.append(data)

def page_text(src):
    p = Extract(); p.feed(src); p.close()
    return "\n\n".join(p.blocks) + "\n"

def main():
    git, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 75
    names = subprocess.run(["git", f"--git-dir={git}", "ls-tree", "-r", "--name-only", "HEAD"],
                           capture_output=True, text=True, check=True).stdout.split("\n")
    rx = re.compile(r"^var/extract/en\.kremlin\.ru/events/president/news/(\d+)\.html$")
    ids = sorted(int(m.group(1)) for m in map(rx.match, names) if m)
    import os
    os.makedirs(out, exist_ok=True)
    made = 0
    for i in ids:
        src = subprocess.run(["git", f"--git-dir={git}", "show",
                              f"HEAD:var/extract/en.kremlin.ru/events/president/news/{i}.html"],
                             capture_output=True, check=True).stdout.decode("utf-8", "replace")
        if "<article" not in src:
            continue
        t = page_text(src)
        if not (1000 <= len(t) <= 6000):
            continue
        with open(os.path.join(out, f"kremlin-{i}.txt"), "w", encoding="utf-8") as f:
            f.write(t)
        made += 1
        if made >= n:
            break
    print("made", made)

if __name__ == "__main__":
    main()
