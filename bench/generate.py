"""Deterministic generator of realistic multi-language raw news dumps, any size.

Articles are assembled from the language-ID dev sentences (../shared/langid-dev or
$NEWSETL_LANGID_DEV) of a dozen languages, with the layout noise real dumps have:
section labels, captions with agency credits, quotes, datelines, share/newsletter
boilerplate, source trailers, nbsp lines, CRLF, and a few duplicates and junk items.
They are packed into every input format (txt, txt.gz, jsonl, jsonl.gz, zip, tgz), or
(``--warc``) into HTML news pages in ``.warc.gz`` files, as a crawl writes them.
The same ``--seed`` and size always give the same bytes.

    python bench/generate.py --out /tmp/raw --ds 2024-01-01 --articles 20000
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import random
import tarfile
import zipfile
from pathlib import Path

LANGS = ("en", "fr", "de", "es", "it", "pt", "ru", "ar", "fa", "nl", "pl", "tr")
LABELS = {"en": "WORLD", "fr": "MONDE", "de": "POLITIK", "es": "SOCIEDAD", "it": "CRONACA",
          "pt": "MUNDO", "ru": "ОБЩЕСТВО", "ar": "اقتصاد", "fa": "جامعه", "nl": "BINNENLAND",
          "pl": "KRAJ", "tr": "GÜNDEM"}
BOILER = {"en": "Share this article", "fr": "Partager cet article", "de": "Artikel teilen",
          "es": "Compartir", "it": "Condividi", "pt": "Partilhar", "ru": "Поделиться",
          "ar": "شارك هذا المقال", "fa": "به اشتراک بگذارید", "nl": "Delen", "pl": "Udostępnij",
          "tr": "Paylaş"}
SOURCE = {"en": "SOURCE", "fr": "SOURCE", "de": "Quelle", "es": "Fuente", "it": "Fonte",
          "pt": "Fonte", "ru": "Источник", "ar": "المصدر", "fa": "منبع", "nl": "Bron",
          "pl": "Źródło", "tr": "Kaynak"}
AGENCIES = ("AFP", "Reuters", "AP", "EPA", "dpa", "EFE", "ANSA", "TASS")
QUOTES = {"fr": ("« ", " »"), "de": ("„", "“"), "ru": ("«", "»")}


def dev_root() -> Path:
    env = os.environ.get("NEWSETL_LANGID_DEV")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "shared" / "langid-dev", here / "../shared/langid-dev"):
        if candidate.exists():
            return candidate
    raise SystemExit("langid-dev not found: set NEWSETL_LANGID_DEV")


def load_sentences() -> dict[str, list[str]]:
    root = dev_root() / "sentences"
    out = {}
    for lang in LANGS:
        lines = (root / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
        out[lang] = [line.strip() for line in lines if len(line.strip()) > 40]
    return out


#: Paragraph counts: "real" articles average ~3.3 KB of UTF-8 like real news text; "short"
#: ones (~1.9 KB) are what earlier benchmark figures used.
PARAGRAPHS = {"real": (8, 14), "short": (4, 8)}


def make_article(rng: random.Random, sentences: dict[str, list[str]],
                 paragraphs: tuple[int, int] = PARAGRAPHS["short"]) -> str:
    """One article of one language, with layout noise."""
    lang = rng.choice(LANGS)
    pool = sentences[lang]
    parts: list[str] = []
    if rng.random() < 0.5:
        parts.append(LABELS[lang])
    parts.append(rng.choice(pool).rstrip("."))
    if rng.random() < 0.6:
        foreign = sentences["en"] if lang != "en" else sentences["fr"]
        caption = rng.choice(foreign if rng.random() < 0.2 else pool)
        parts.append(f"{caption} ©{rng.choice(AGENCIES)}")
    for i in range(rng.randint(*paragraphs)):
        para = " ".join(rng.choice(pool) for _ in range(rng.randint(1, 3)))
        if i == 0 and rng.random() < 0.3 and lang in ("en", "fr", "de", "es"):
            para = f"PARIS – {para}"
        if rng.random() < 0.15:
            left, right = QUOTES.get(lang, ("“", "”"))
            para = f"{left}{para}{right}"
        parts.append(para)
        if rng.random() < 0.1:
            parts.append("\u00a0\u00a0\u00a0")
    if rng.random() < 0.7:
        parts.append(BOILER[lang])
    if rng.random() < 0.5:
        parts.append(f"{SOURCE[lang]}: {rng.choice(AGENCIES)}")
    text = "\n\n".join(parts) + "\n"
    return text.replace("\n", "\r\n") if rng.random() < 0.2 else text


def _gz(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=1) as fh:
        fh.write(data)
    return buf.getvalue()


def generate(out: Path, ds: str, n_articles: int, seed: int = 0,
             article_size: str = "short") -> int:
    """Write ``n_articles`` items for day ``ds`` under ``out``; returns the item count."""
    rng = random.Random(seed)
    sentences = load_sentences()
    day = out / ds
    day.mkdir(parents=True, exist_ok=True)
    made, batch_no = 0, 0
    recent: list[str] = []
    while made < n_articles:
        kind = rng.choices(("jsonl", "jsonl.gz", "zip", "tgz", "txt", "txt.gz"),
                           weights=(40, 20, 15, 10, 10, 5))[0]
        size = {"jsonl": 500, "jsonl.gz": 500, "zip": 200, "tgz": 200}.get(kind, 1)
        size = min(size, n_articles - made)
        texts = []
        for _ in range(size):
            if recent and rng.random() < 0.01:
                texts.append(rng.choice(recent))  # an exact duplicate
            else:
                texts.append(make_article(rng, sentences, PARAGRAPHS[article_size]))
                recent = (recent + [texts[-1]])[-50:]
        name = f"batch-{batch_no:06d}"
        batch_no += 1
        if kind.startswith("jsonl"):
            lines = [json.dumps({"id": f"{name}-{i}", "url": f"https://news.example/{name}/{i}",
                                 "text": t}, ensure_ascii=False) for i, t in enumerate(texts)]
            if rng.random() < 0.2:
                lines[rng.randrange(len(lines))] = '{"id": "truncated", "text": "'
            data = ("\n".join(lines) + "\n").encode()
            (day / f"{name}.{kind}").write_bytes(_gz(data) if kind.endswith("gz") else data)
        elif kind == "zip":
            with zipfile.ZipFile(day / f"{name}.zip", "w", zipfile.ZIP_DEFLATED,
                                 compresslevel=1) as zf:
                for i, t in enumerate(texts):
                    zf.writestr(zipfile.ZipInfo(f"{name}/{i:04d}.txt", (2024, 1, 1, 0, 0, 0)),
                                t.encode())
        elif kind == "tgz":
            raw = io.BytesIO()
            with tarfile.open(fileobj=raw, mode="w") as tf:
                for i, t in enumerate(texts):
                    info = tarfile.TarInfo(f"{name}/{i:04d}.txt")
                    data = t.encode()
                    info.size, info.mtime = len(data), 0
                    tf.addfile(info, io.BytesIO(data))
            (day / f"{name}.tgz").write_bytes(_gz(raw.getvalue()))
        elif kind == "txt":
            (day / f"{name}.txt").write_bytes(texts[0].encode())
        else:
            (day / f"{name}.txt.gz").write_bytes(_gz(texts[0].encode()))
        made += size
    return made


def generate_one_file(out: Path, ds: str, n_articles: int, shape: str, seed: int = 0,
                      article_size: str = "real", target_bytes: int | None = None) -> int:
    """The day as one file: ``jsonl.gz`` (one JSON line per article) or ``zip`` (one
    ``.txt`` member per article), written as a stream (memory stays flat). With
    ``target_bytes``, articles are added until the file reaches that size. Returns the
    number of articles."""
    rng = random.Random(seed)
    sentences = load_sentences()
    day = out / ds
    day.mkdir(parents=True, exist_ok=True)
    made = 0

    def more() -> bool:
        if target_bytes is not None:
            return path.stat().st_size < target_bytes if made % 1000 == 0 else True
        return made < n_articles

    if shape == "jsonl.gz":
        path = day / "dump.jsonl.gz"
        with gzip.open(path, "wb", compresslevel=6) as fh:
            while more():
                text = make_article(rng, sentences, PARAGRAPHS[article_size])
                fh.write(json.dumps({"id": str(made), "text": text},
                                    ensure_ascii=False).encode() + b"\n")
                made += 1
    elif shape == "zip":
        path = day / "dump.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            while more():
                text = make_article(rng, sentences, PARAGRAPHS[article_size])
                zf.writestr(zipfile.ZipInfo(f"dump/{made:07d}.txt", (2024, 1, 1, 0, 0, 0)),
                            text.encode())
                made += 1
    else:
        raise ValueError(f"unknown shape {shape!r}")
    return made


#: Page chrome around each article of a WARC day, shaped like the ScrapingHub benchmark's
#: real news pages (~740 elements and ~170 KB each, ~380 elements left once the subtrees
#: that never hold text are pruned) rather than like a teaser grid the pruning removes
#: whole: a head full of meta and link tags with JSON-LD, a mega-menu of nested link
#: lists in plain divs, a breadcrumb, share tools, an inline "read more" box, a
#: newsletter form, reader comments, a "most read" sidebar and related stories as list
#: items with a teaser paragraph, a link-farm site footer in divs, a cookie banner, and
#: the inline scripts and styles that make most of a page's bytes.
_STYLE = "<style>" + "".join(f".c{i}{{margin:{i}px;padding:{i % 7}px}}" for i in range(1500)) \
    + "</style>"
_SCRIPT = "".join("<script>window.__CONFIG" + str(k) + "__ = " + json.dumps(
    {f"key{i}": "x" * 60 for i in range(250)}) + ";</script>" for k in range(4))
_HEAD_TAGS = "".join(
    [f'<meta name="m{i}" content="value {i}">' for i in range(20)]
    + [f'<link rel="preload" href="/static/{i}.js" as="script">' for i in range(16)]
    + ['<meta name="viewport" content="width=device-width">',
       '<link rel="icon" href="/favicon.ico">'])
_MENU = '<div class="site-menu" id="mega-menu"><ul class="menu-list">' + "".join(
    f'<li class="menu-item"><a href="/s/{i}">Section {i}</a><ul class="sub-menu">'
    + "".join(f'<li><a href="/s/{i}/{j}">Topic {i}.{j}</a></li>' for j in range(5))
    + "</ul></li>" for i in range(10)) + "</ul></div>"
_ICON = ('<svg viewBox="0 0 24 24" width="16" height="16"><g><path d="M12 2C6.5 2 2 6.5 2 '
         '12s4.5 10 10 10 10-4.5 10-10S17.5 2 12 2z"/><path d="M9 12h6"/><circle cx="12" '
         'cy="12" r="3"/></g></svg>')
_SHARE = '<div class="share-tools">' + "".join(
    f'<a class="share-{n}" href="https://{n}.example/share">{_ICON}<span>{n.title()}</span></a>'
    for n in ("facebook", "twitter", "linkedin", "whatsapp", "email")) + "</div>"
#: The parts the pruning removes whole (a nav bar, an ad rail, icons), which still cost
#: parsing: real pages have about half their elements there.
_NAV = '<nav class="top-nav"><ul>' + "".join(
    f'<li><a href="/t/{i}">{_ICON}Topic {i}</a></li>' for i in range(40)) + "</ul></nav>"
_ADS = "<aside class='ad-rail'>" + "".join(
    f'<div class="ad-slot" id="ad-{i}"><iframe src="/ads/{i}"></iframe><noscript><img '
    f'src="/px/{i}.gif"></noscript></div>' for i in range(6)) + "</aside>"
_NEWSLETTER = ('<div class="newsletter-signup"><h3>Get the morning briefing</h3><form>'
               '<input type="email" placeholder="Email"><button>Sign up</button></form>'
               "<p>We will never share your address.</p></div>")
_SITE_FOOTER = '<div class="site-footer">' + "".join(
    f'<div class="footer-col"><h4>Column {c}</h4><ul>'
    + "".join(f'<li><a href="/f/{c}/{i}">Footer link {c}.{i}</a></li>' for i in range(12))
    + "</ul></div>" for c in range(5)) \
    + '<div class="copyright"><p>© 2024 Example News. All rights reserved.</p></div></div>'
_COOKIES = ('<div class="cookie-banner" id="cookie-notice"><p>We use cookies to improve '
            'your experience.</p><a href="/privacy">Privacy policy</a></div>')
_AUTHORS = ("Ann Smith", "John Roe", "Maria Rossi", "Li Wei", "Omar Haddad", "Eva Novak")


#: Where the article's paragraphs sit: each page takes one, so that trafilatura finds the
#: body by its different rules (a content class, ``<article>``, a generic ``id``, or only
#: by the paragraphs), with a wider subtree to clean for the generic ones.
_CONTAINERS = ('<div class="article-body">{}</div>', '<div class="story">{}</div>',
               '<div id="content" class="col-md-8 col-sm-12 js-track">{}</div>',
               '<div class="text-wrap">{}</div>', "<div>{}</div>")
_WRAP = ('<div class="container js-layout"><div class="row gutter-lg"><div class="col-12 '
         'col-lg-8 layout-main" data-track="main">{}</div></div></div>')


def article_page(rng: random.Random, text: str, url: str) -> bytes:
    """One generated article as an HTML news page (title, byline, paragraphs, chrome):
    two in three name their author in JSON-LD, the others only in a byline (where the
    extractor searches the page for it, as on a third of the benchmark's real pages)."""
    import html

    esc = html.escape
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    at = next((i for i, b in enumerate(blocks) if len(b) > 30), 0)  # after a section label
    kicker = "".join(f'<div class="kicker">{esc(b)}</div>' for b in blocks[:at])
    title, paras = (blocks[at], blocks[at + 1:]) if len(blocks) > at + 1 else ("News", blocks)
    author = rng.choice(_AUTHORS)
    headlines = [f"Story {rng.randrange(10**6)} of the week in brief" for _ in range(24)]
    read_more = '<div class="read-more-box"><h4>Read more</h4><ul>' + "".join(
        f'<li><a href="/a/{k}">{h}</a></li>' for k, h in enumerate(headlines[:4])) + "</ul></div>"
    body = [f"<p>{esc(p)}</p>" for p in paras]
    body.insert(min(3, len(body)), read_more)
    comments = '<section id="comments" class="comments-area"><h3>Comments</h3>' + "".join(
        f'<div class="comment" id="c{k}"><div class="comment-meta"><span class="name">Reader'
        f' {k}</span><span class="when">{k + 1} hours ago</span></div><p>I think this is '
        f'point number {k} about the story, and I disagree with it.</p><a href="#reply" '
        f'class="reply">Reply</a></div>' for k in range(rng.randrange(2, 7))) + "</section>"
    most_read = '<div class="sidebar"><div class="most-read"><h3>Most read</h3><ol>' + "".join(
        f'<li><a href="/m/{k}"><span class="rank">{k + 1}</span>{h}</a></li>'
        for k, h in enumerate(headlines[4:14])) + "</ol></div></div>"
    related = '<div class="related-stories"><h2>Related stories</h2><ul>' + "".join(
        f'<li class="related-item"><a href="/r/{k}"><img src="/i/{k}.jpg" alt=""><h3>{h}</h3>'
        f"</a><p>A short teaser of the related story, about one line long.</p></li>"
        for k, h in enumerate(headlines[14:24])) + "</ul></div>"
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
          "datePublished": "2024-01-01T06:00:00Z",
          "publisher": {"@type": "Organization", "name": "Example News"}}
    if rng.random() < 2 / 3:
        ld["author"] = {"@type": "Person", "name": author}
    json_ld = json.dumps(ld)
    container = rng.choice(_CONTAINERS)
    article_tag = "article" if container != "<div>{}</div>" else "div"
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>'
            f"{esc(title)} | Example News</title>{_HEAD_TAGS}"
            f'<meta property="og:site_name" content="Example News">'
            f'<link rel="canonical" href="{url}">'
            f'<script type="application/ld+json">{json_ld}</script>{_STYLE}</head><body>'
            f'<header class="site-header"><div class="logo"><a href="/">Example News</a></div>'
            f"{_NAV}{_MENU}</header>"
            f'<div class="breadcrumb"><a href="/">Home</a> › <a href="/world">World</a></div>'
            + _WRAP.format(
                f'<div class="article-wrapper"><{article_tag} class="story-main">{kicker}'
                f'<h1 class="headline">{esc(title)}</h1><div class="byline">By <a '
                f'rel="author" href="/authors/{rng.randrange(100)}">{author}</a></div>'
                f'<figure><img src="/img/lead.jpg" alt=""><figcaption>A picture of the '
                f"scene. Photo: Agency</figcaption></figure>{_SHARE}"
                f'{container.format("".join(body))}{_SHARE}</{article_tag}>'
                f"{_NEWSLETTER}{comments}</div>{most_read}{related}{_ADS}")
            + f"{_SITE_FOOTER}<footer><p>Example News Ltd</p></footer>{_COOKIES}"
            f"{_SCRIPT}</body></html>")
    return page.encode()


def generate_warc(out: Path, ds: str, n_pages: int, seed: int = 0,
                  article_size: str = "real", per_file: int = 500) -> int:
    """A crawl day: ``.warc.gz`` files of ``per_file`` HTTP responses each (with their
    requests, as crawlers write them); about 1 % of responses are 404s or images, which
    the pipeline rejects. Returns the number of response records."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    rng = random.Random(seed)
    sentences = load_sentences()
    day = out / ds
    day.mkdir(parents=True, exist_ok=True)
    made = 0
    while made < n_pages:
        with open(day / f"crawl-{made // per_file:05d}.warc.gz", "wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            for _ in range(min(per_file, n_pages - made)):
                url = f"https://news.example/{ds}/{made}"
                status, ctype = "200 OK", "text/html; charset=utf-8"
                roll = rng.random()
                if roll < 0.005:
                    status, payload = "404 Not Found", b"<html><body>Not found</body></html>"
                elif roll < 0.01:
                    ctype, payload = "image/jpeg", bytes(rng.randrange(256) for _ in range(512))
                else:
                    payload = article_page(rng, make_article(
                        rng, sentences, PARAGRAPHS[article_size]), url)
                writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(
                    f"GET /{ds}/{made} HTTP/1.1\r\nHost: news.example\r\n\r\n".encode())))
                http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    url, "response", payload=io.BytesIO(payload), http_headers=http,
                    warc_headers_dict={"WARC-Date": f"{ds}T06:00:00Z"}))
                made += 1
    return made


def pack_real_warc(out: Path, ds: str, n_pages: int, benchmark: Path,
                   per_file: int = 500) -> int:
    """A crawl day of real pages: the ScrapingHub benchmark's 181 HTML pages
    (``benchmark``: a checkout of scrapinghub/article-extraction-benchmark, see
    bench/extract_quality.py) packed with warcio as HTTP responses, repeated in turn up
    to ``n_pages`` responses, each repeat under its own URL (the page's URL with
    ``?copy=N``). Repeats extract to the same bodies, which the pipeline flags as
    duplicates after extracting them: the extraction cost is every page's. Returns the
    number of response records."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    truth = json.loads((benchmark / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)
    pages = [gzip.decompress((benchmark / "html" / f"{key}.html.gz").read_bytes())
             for key in keys]
    day = out / ds
    day.mkdir(parents=True, exist_ok=True)
    made = 0
    while made < n_pages:
        with open(day / f"real-{made // per_file:05d}.warc.gz", "wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            for _ in range(min(per_file, n_pages - made)):
                key = keys[made % len(keys)]
                url = (truth[key].get("url") or f"https://page.example/{key}") \
                    + f"?copy={made // len(keys)}"
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                        protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    url, "response", payload=io.BytesIO(pages[made % len(keys)]),
                    http_headers=http, warc_headers_dict={"WARC-Date": f"{ds}T06:00:00Z"}))
                made += 1
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="raw root to write into")
    parser.add_argument("--ds", default="2024-01-01")
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--warc", action="store_true",
                        help="a crawl day: the articles as HTML pages in .warc.gz files")
    args = parser.parse_args()
    if args.warc:
        n = generate_warc(args.out, args.ds, args.articles, args.seed)
    else:
        n = generate(args.out, args.ds, args.articles, args.seed)
    size = sum(p.stat().st_size for p in (args.out / args.ds).iterdir())
    print(f"wrote {n} items for {args.ds} under {args.out} ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
