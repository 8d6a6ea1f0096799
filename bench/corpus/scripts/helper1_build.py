#!/usr/bin/env python3
"""Build helper1's raw files for bench/corpus from fetched mirrors (deterministic).

Sources (mirrors made with the search tool's fetch; paths overridable by env):
  agenciabrasil  LabOnNonDemocraticPolitics/AgenciaBrasil @ 987dc117541b35c3fb3d74cd6fdbd36ab4cef4d9
                 file abs2016_utf-8_short.txt (scraper output: one Python bytes literal per line)
  tehrantimes    Kmahmoudi/Tehran-Times-Dataset @ 5441021a9f52bb153c1d7ab18ae3d6a6a93f1099
                 data/_news_<id>_<Headline-Slug>.txt (one file per article, whole text on one line)
  wikinews-ja-tok tm4roon/jawikinews-headline-dataset @ cfdf15830a6bd3f734cd4bdac3b7692e23825988
                 full-articles/origin.tsv.gz (id, article, headline; MeCab-tokenised Japanese Wikinews)

Usage: python3 helper1_build.py [OUT_RAW_DIR]   (default: bench/corpus/raw next to this script)
"""
import ast, gzip, io, json, os, re, subprocess, sys

MIRROR = os.environ.get("MIRROR_ROOT", "/work/.mirror")
AB_GIT = os.path.join(MIRROR, "LabOnNonDemocraticPolitics+AgenciaBrasil/repo/.git")
TT_GIT = os.path.join(MIRROR, "Kmahmoudi+Tehran-Times-Dataset/repo")
JA_GIT = os.path.join(MIRROR, "tm4roon+jawikinews-headline-dataset/repo")
AB_COMMIT = "987dc117541b35c3fb3d74cd6fdbd36ab4cef4d9"
TT_COMMIT = "5441021a9f52bb153c1d7ab18ae3d6a6a93f1099"
JA_COMMIT = "cfdf15830a6bd3f734cd4bdac3b7692e23825988"


def git_show(gitdir, commit, path):
    return subprocess.run(["git", "--git-dir", gitdir, "show", f"{commit}:{path}"],
                          check=True, capture_output=True).stdout


def git_ls(gitdir, commit, prefix):
    out = subprocess.run(["git", "--git-dir", gitdir, "ls-tree", "-r", "-z", "--name-only", commit, prefix],
                         check=True, capture_output=True).stdout
    return [p.decode("utf-8") for p in out.split(b"\0") if p]


def build_agenciabrasil(out):
    """Each article: the scraper printed url, title, date, author and the text blocks, one
    `bytes` repr per line. We decode every literal back to its UTF-8 bytes and write the
    article as the scraper's plain-text twin (abs2016_short.txt) has it, minus the URL line:
    title on line 1, then one block per line (blocks keep their own inner newlines)."""
    raw = git_show(AB_GIT, AB_COMMIT, "abs2016_utf-8_short.txt").decode("utf-8").replace("\r\n", "\n")
    blocks = re.split(r"\n+\*{10,}\n+", raw)
    n = 0
    for blk in blocks:
        items = []
        for line in blk.split("\n"):
            line = line.rstrip("\r")
            if line.startswith("b'") or line.startswith('b"'):
                items.append(ast.literal_eval(line).decode("utf-8"))
        if len(items) < 5:
            continue
        url, title = items[0], items[1]
        body = "\n".join(items[2:])
        if len(body) < 300:
            continue
        n += 1
        slug = url.rstrip("/").rsplit("/", 1)[-1][:60]
        name = f"ab-{n:03d}-{slug}.txt"
        with open(os.path.join(out, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(title + "\n" + body + "\n")
    return n


def build_tehrantimes(out, want=60):
    paths = sorted(p for p in git_ls(TT_GIT, TT_COMMIT, "data/") if p.endswith(".txt"))
    keep = []
    for i, p in enumerate(paths):
        if i % 97 != 0:            # a deterministic spread over the whole archive
            continue
        data = git_show(TT_GIT, TT_COMMIT, p)
        if not (1000 <= len(data) <= 6000):
            continue
        keep.append((p, data))
        if len(keep) >= want:
            break
    for p, data in keep:
        base = p.split("/", 1)[1]
        with open(os.path.join(out, base), "wb") as f:   # bytes exactly as stored
            f.write(data)
    return len(keep)


def build_wikinews_ja(out, want=45):
    rows = gzip.decompress(git_show(JA_GIT, JA_COMMIT, "full-articles/origin.tsv.gz")).decode("utf-8").split("\n")
    n = 0
    for line in rows[1:]:
        parts = line.split("\t")
        if len(parts) != 3:
            continue
        rid, art, head = parts
        if not (700 <= len(art) <= 4000) or int(rid) % 7 != 0:
            continue
        n += 1
        rec = {"title": head, "text": art}
        with open(os.path.join(out, f"jawn-{int(rid):05d}.json"), "w", encoding="utf-8") as f:
            json.dump(rec, f, ensure_ascii=False)
            f.write("\n")
        if n >= want:
            break
    return n


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "raw")
    counts = {}
    for src, fn in (("agenciabrasil", build_agenciabrasil), ("tehrantimes", build_tehrantimes),
                    ("wikinews-ja-tok", build_wikinews_ja)):
        d = os.path.join(root, src)
        os.makedirs(d, exist_ok=True)
        for old in os.listdir(d):
            os.remove(os.path.join(d, old))
        counts[src] = fn(d)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
