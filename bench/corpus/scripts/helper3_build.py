#!/usr/bin/env python3
"""Build raw dump files from real, redistributable news HTML pages (helper3 share).

Inputs are HTML test fixtures stored in public GitHub repositories (see
bench/corpus/sources/helper3.md).  Each page is read from a fetched git mirror
at a pinned commit and turned into raw dump files with plain, generic scraper
steps -- the same steps for every outlet, no per-site tuning:

  tagstrip    every text node of the page on its own line (script/style/noscript
              contents and comments dropped, entities decoded, empty nodes
              skipped).  What a naive `soup.get_text("\n", strip=True)` gives.
  blockstrip  a line break at every block-level tag (p, div, li, h1-h6, br, td,
              ...), inline text joined; runs of whitespace collapsed.  What a
              lynx/`innerText`-style dump gives.
  trafilatura trafilatura.extract(html, include_comments=False), otherwise
              its defaults (plain text); reader comments are left out, as a
              news scraper would run it.
  html2text   html2text.HTML2Text() with its defaults (Markdown-ish text).
  htmltxt     the page's markup given as .txt: <script>, <style>, <noscript>
              elements and comments removed, everything else (tags, entities)
              left as it was.

Usage:  helper3_build.py MIRROR_ROOT OUT_RAW_DIR
  MIRROR_ROOT  directory holding the fetched mirrors (owner+name/repo)
  OUT_RAW_DIR  bench/corpus/raw

Needs trafilatura and html2text (pip, in a separate venv); deterministic.
"""
from __future__ import annotations

import gzip
import html
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

# (source outlet group, id, repo dir, commit, path, lang)
PAGES = [
    *[("globalvoices", f"gv-mc{i:02d}", "mediacloud+backend",
       "740bdcf68cd35ef8d572d68c43d5df8f70d3a1b0",
       f"t/data/crawler/gv/index_{i}.html", "en") for i in range(1, 16)],
    ("globalvoices", "gv-de01", "adbar+trafilatura",
     "e90b0ef51ab026fdb905fb6c5b3c84dd3d784fd5",
     "tests/eval/de.globalvoices.org.nicaragua.html", "de"),
    ("usgov", "wh-blog", "postlight+parser",
     "e8ba7ece291efa4d915d50dd4deeec17d54359f2",
     "fixtures/obamawhitehouse.archives.gov--blog.html", "en"),
    ("usgov", "wh-speech", "postlight+parser",
     "e8ba7ece291efa4d915d50dd4deeec17d54359f2",
     "fixtures/obamawhitehouse.archives.gov--speeches.html", "en"),
    ("usgov", "wh-article", "postlight+parser",
     "e8ba7ece291efa4d915d50dd4deeec17d54359f2",
     "fixtures/obamawhitehouse.archives.gov.html", "en"),
    # VoiceOfAmerica_2024_04_28 (fundus) left out: it is an Associated Press story, not a US-government work.
    # polygraph.info left out: its page says "© 2019 POLYGRAPH.info All Rights Reserved".
    ("ccnews", "wmf-01", "adbar+trafilatura",
     "e90b0ef51ab026fdb905fb6c5b3c84dd3d784fd5",
     "tests/cache/wikimediafoundation.org.turkey.html", "en"),
    ("ccnews", "mobilsicher-01", "adbar+trafilatura",
     "e90b0ef51ab026fdb905fb6c5b3c84dd3d784fd5",
     "tests/eval/mobilsicher.de.icloud.html", "de"),
]

SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "object"}
BLOCK = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
         "br", "tr", "td", "th", "table", "section", "article", "header",
         "footer", "nav", "aside", "blockquote", "figure", "figcaption", "form",
         "dl", "dt", "dd", "pre", "hr", "main", "title", "option", "select",
         "button", "label", "address", "center", "body", "head", "html"}


def read_blob(root: str, repo: str, commit: str, path: str) -> bytes:
    gitdir = os.path.join(root, repo, "repo")
    if not os.path.isdir(os.path.join(gitdir, "objects")):
        gitdir = os.path.join(gitdir, ".git")
    data = subprocess.run(["git", f"--git-dir={gitdir}", "show", f"{commit}:{path}"],
                          check=True, capture_output=True).stdout
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    return data


def decode(data: bytes) -> str:
    m = re.search(rb'charset=["\']?([A-Za-z0-9_-]+)', data[:4000])
    enc = m.group(1).decode() if m else "utf-8"
    try:
        return data.decode(enc)
    except (LookupError, UnicodeDecodeError):
        return data.decode("utf-8", errors="replace")


class _Nodes(HTMLParser):
    """Collect text nodes; optionally mark block boundaries."""

    def __init__(self, blocks: bool):
        super().__init__(convert_charrefs=True)
        self.blocks = blocks
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            self.skip += 1
        elif self.blocks and tag in BLOCK:
            self.out.append("\n")

    def handle_startendtag(self, tag, attrs):
        if self.blocks and tag in BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
        elif self.blocks and tag in BLOCK:
            self.out.append("\n")

    def handle_data(self, data):
        if self.skip:
            return
        if self.blocks:
            self.out.append(data)
        else:
            t = data.strip()
            if t:
                self.out.append(t + "\n")


def tagstrip(page: str) -> str:
    p = _Nodes(blocks=False)
    p.feed(page)
    p.close()
    return "".join(p.out)


def blockstrip(page: str) -> str:
    p = _Nodes(blocks=True)
    p.feed(page)
    p.close()
    lines = []
    for ln in "".join(p.out).split("\n"):
        ln = re.sub(r"[ \t\r\f\v\u00a0]+", " ", ln).strip()
        if ln:
            lines.append(ln)
    return "\n".join(lines) + "\n"


def htmltxt(page: str) -> str:
    s = re.sub(r"<!--.*?-->", "", page, flags=re.S)
    for t in ("script", "style", "noscript"):
        s = re.sub(rf"<{t}\b.*?</{t}\s*>", "", s, flags=re.S | re.I)
    s = re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", s)
    return s.strip() + "\n"


def traf(page: str) -> str:
    import trafilatura
    # include_comments=False: a news scraper drops reader comments (trafilatura's
    # default keeps them); every other setting is trafilatura's default.
    return (trafilatura.extract(page, include_comments=False) or "") + "\n"


def h2t(page: str) -> str:
    import html2text
    h = html2text.HTML2Text()
    return h.handle(page)


SHAPES = {"tagstrip": tagstrip, "blockstrip": blockstrip, "trafilatura": traf,
          "html2text": h2t, "htmltxt": htmltxt}


def main(argv: list[str]) -> int:
    root, out = argv[1], argv[2]
    for group, pid, repo, commit, path, lang in PAGES:
        page = decode(read_blob(root, repo, commit, path))
        for shape, fn in SHAPES.items():
            d = os.path.join(out, f"{group}-{shape}")
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, f"{pid}.txt"), "w", encoding="utf-8") as f:
                f.write(fn(page))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
