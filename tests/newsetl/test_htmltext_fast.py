"""The cheap paths of HTML extraction give what trafilatura's own full paths give.

:mod:`newsetl.htmltext` parses pages itself, reads the metadata without trafilatura's
categories/tags/licence, prunes never-content subtrees and teaser grids, and runs
trafilatura in fast mode first: each shortcut is checked here against the slow path it
replaces.
"""

from __future__ import annotations

import copy
import gzip

import pytest
import trafilatura
from lxml import etree
from newsetl import htmltext
from newsetl.htmltext import Failure, extract_page, page_metadata, parse_html
from trafilatura.metadata import extract_metadata
from trafilatura.utils import load_html

ARTICLE = """<article><h1>Minister quits after budget row</h1>
<p>The finance minister resigned on Friday after a week of bitter arguments about the
budget, officials in the capital said.</p>
<p>Talks had collapsed on Tuesday when the coalition partners could not agree on spending
for schools, hospitals and roads in the poorer regions.</p>
<ul><li>Schools</li><li>Hospitals</li><li>Roads</li><li>Bridges</li><li>Ports</li>
<li>Rail</li><li>Water</li><li>Power</li><li>Housing</li></ul>
<p>The prime minister is expected to name a successor early next week, according to
two people familiar with the matter.</p></article>"""

CARDS = "".join(f'<div class="card c{i}"><a href="/s/{i}"><img src="/i/{i}.jpg"></a>'
                f'<span class="teaser">Teaser headline number {i} of the day</span>'
                f"<time>08:{i:02d}</time></div>" for i in range(30))


def page(head: str = "", body: str = ARTICLE, tail: str = "") -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>"
            f"<header><nav><a href='/'>Home</a><a href='/w'>World</a></nav></header>"
            f"{body}{tail}<footer><p>Copyright 2024 Daily Planet</p></footer>"
            f"</body></html>").encode()


HEADS = {
    "meta tags": ('<title>Minister quits | Daily Planet</title>'
                  '<meta name="author" content="Jane Doe">'
                  '<meta property="og:site_name" content="Daily Planet">'
                  '<meta property="article:published_time" content="2024-03-01T10:00:00Z">'
                  '<link rel="canonical" href="https://planet.example/news/minister">'),
    "JSON-LD": ('<script type="application/ld+json">{"@context": "https://schema.org", '
                '"@type": "NewsArticle", "headline": "Minister quits after budget row", '
                '"author": {"@type": "Person", "name": "John Roe"}, '
                '"datePublished": "2024-02-03"}</script>'),
    "title only": "<title>Minister quits after budget row</title>",
}


@pytest.mark.parametrize("head", list(HEADS.values()), ids=list(HEADS))
@pytest.mark.parametrize("byline", ["", '<p class="byline">By Ann Smith</p>',
                                    '<div class="article-author">Ann Smith</div>'])
def test_metadata_is_trafilaturas_for_the_fields_kept(head: str, byline: str) -> None:
    data = page(head, ARTICLE.replace("<h1>", byline + "<h1>"), CARDS)
    url = "https://crawl.example/2024/03/05/minister"
    mine = page_metadata(load_html(data), url)
    theirs = extract_metadata(load_html(data), url, dict(htmltext._DATE_PARAMS))
    for field in ("title", "author", "url", "date", "sitename"):
        assert getattr(mine, field) == getattr(theirs, field), field
    if byline and "author" not in head:
        assert mine.author == "Ann Smith"  # found by the byline search, not skipped


def test_the_byline_search_is_skipped_only_when_nothing_can_match() -> None:
    assert not htmltext._may_name_author(load_html(page(tail=CARDS)))
    for hint in ('<span class="Byline">x</span>', '<a rel="author">x</a>',
                 '<div id="zuozhe">x</div>', '<span itemprop="author">x</span>',
                 '<div data-component="ArticleByline">x</div>', "<author>x</author>",
                 '<div class="post-WRITER">x</div>'):
        assert htmltext._may_name_author(load_html(page(tail=hint))), hint


@pytest.mark.parametrize("data", [
    page(), b"\xef\xbb\xbf" + page(), b"\n\n  " + page(), gzip.compress(page()),
    page().replace(b"Minister", "Ministre \xe9lu".encode("latin-1")),
    page().replace(b"Friday", b"Fri\x0bday"), page().replace(b"Friday", "Fri\ufffeday".encode()),
    b'<?xml version="1.0" encoding="iso-8859-1"?>' + page(),
    b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/'
    b'xhtml1/DTD/xhtml1-strict.dtd">\n<html><body><p>a</p><p>b</p></body></html>',
    b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://x/y"><body><p>a</p>'
    b"</body>",  # no "html" left at the start once the DOCTYPE goes: still not dubious
    b'<html lang="en"><meta charset="utf-8"/>\n<body><p>x</p></body></html>',
    ("<!-- " + "\xe9" * 30 + " --><html><p>x</p>").encode(),  # "html" in 50 chars, not bytes
    b"<html/>\n<body><p>a</p></body>", b"<p>a fragment</p>", b"<div>a</div><div>b</div>",
    b"", b"\x00\x01\x02\xff\xfe" * 10,
], ids=lambda d: repr(d[:20]))
def test_parse_html_gives_load_htmls_tree(data: bytes) -> None:
    mine, theirs = parse_html(data), load_html(data)
    assert (mine is None) == (theirs is None)
    if mine is not None:
        assert etree.tostring(mine) == etree.tostring(theirs)


def test_pruning_keeps_the_article_lists_and_json_ld_and_drops_grids() -> None:
    tree = load_html(page(HEADS["JSON-LD"], ARTICLE, '<section class="more"><h2>More news'
                                                      f"</h2>{CARDS}</section>"))
    htmltext.prune_non_content(tree)
    text = " ".join(tree.itertext())
    assert "Teaser headline" not in text and "More news" not in text and "Home" not in text
    assert "Copyright" not in text and "Hospitals" in text and "Housing" in text
    assert tree.find(".//script[@type='application/ld+json']") is not None
    assert tree.find(".//img") is None and tree.find(".//time") is None


def test_article_paragraphs_in_same_class_divs_are_no_grid() -> None:
    paragraphs = "".join(f'<div class="para">Paragraph {i} of the story, short.</div>'
                         for i in range(12))
    body = f"<article><h1>Story</h1>{paragraphs}<div class='para'>{'Long text. ' * 15}</div>" \
           "</article>"
    tree = load_html(page(body=body))
    htmltext.prune_non_content(tree)
    assert "Paragraph 11 of the story" in " ".join(tree.itertext())


def test_a_page_as_costly_as_a_crawled_one_keeps_its_body_and_loses_the_grid() -> None:
    result = extract_page(page(HEADS["meta tags"], ARTICLE,
                               f'<section class="more"><h2>More news</h2>{CARDS}</section>'))
    assert not isinstance(result, Failure)
    assert "The finance minister resigned on Friday" in result.text
    assert "Hospitals" in result.text and "successor early next week" in result.text
    assert "Teaser" not in result.text and "Copyright" not in result.text
    assert result.meta["author"] == "Jane Doe" and result.meta["published"] == "2024-03-01"


def fast_flags(monkeypatch) -> list[bool]:
    """Which passes run: True for fast mode (:func:`htmltext.fast_body`), False for
    ``bare_extraction``'s full cascade."""
    calls: list[bool] = []
    real, real_fast = trafilatura.bare_extraction, htmltext.fast_body

    def spy(tree, **kwargs):
        calls.append(kwargs["options"].fast)
        return real(tree, **kwargs)

    def spy_fast(tree, options):
        calls.append(options.fast)
        return real_fast(tree, options)

    monkeypatch.setattr(trafilatura, "bare_extraction", spy)
    monkeypatch.setattr(htmltext, "fast_body", spy_fast)
    return calls


def test_fast_mode_alone_for_a_full_article(monkeypatch) -> None:
    calls = fast_flags(monkeypatch)
    assert not isinstance(extract_page(page()), Failure)
    assert calls == [True]


def test_the_full_cascade_when_fast_mode_finds_little(monkeypatch) -> None:
    calls = fast_flags(monkeypatch)
    short = extract_page(page(body="<article><p>Two words.</p></article>"))
    menu = extract_page(b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
    assert calls == [True, False, True, False]
    assert isinstance(menu, Failure)
    assert isinstance(short, Failure) or len(short.text) < htmltext.FAST_MIN_CHARS


SHORT_ARTICLE = ("<article><h1>Short</h1><p>The council met on Monday and voted for the new "
                 "bridge, which opens next spring after two years of work.</p></article>")
LINK_FARM = "<div class='links'>" + "".join(
    f"<p>Another long paragraph of page text number {i} that is not the article at all, "
    f"but the page holds much of it.</p>" for i in range(40)) + "</div>"


COMMENTS = ('<div id="comments"><div class="comment"><p>I disagree with the minister on '
            "every point he made this week.</p></div></div>"
            '<ul class="commentlist"><li>First!</li></ul>')
SCROLL = ('<div class="infinite-scroll"><article><h2>Next story</h2><p>Another article '
          "appended below the first one, as endless pages do.</p></article></div>")


@pytest.mark.parametrize("body", [ARTICLE, ARTICLE + LINK_FARM, SHORT_ARTICLE,
                                  SHORT_ARTICLE + LINK_FARM, f"<div>{CARDS}</div>",
                                  "<div><p>Two words.</p></div>", ARTICLE + COMMENTS,
                                  ARTICLE + SCROLL],
                         ids=["article", "article+text", "short", "short+text (escalation)",
                              "cards", "tiny", "comments", "infinite scroll"])
def test_fast_body_is_bare_extractions_fast_mode(body: str) -> None:
    data = page(body=body)
    options = htmltext._options(True, None)
    doc = trafilatura.bare_extraction(parse_html(data), options=options)
    expected = htmltext.block_text(doc.body) if doc is not None else None
    body_element = htmltext.fast_body(parse_html(data), options)
    assert (htmltext.block_text(body_element) if body_element is not None else None) == expected


def test_page_text_bound_is_an_upper_bound() -> None:
    from trafilatura.baseline import html2txt

    for body in (ARTICLE, ARTICLE + LINK_FARM, f"<div>{CARDS}</div>",
                 "<div>a<p>b</p>c<span>d</span><li>e</li>f</div>"):
        tree = parse_html(page(body=body))
        assert len(html2txt(tree)) <= htmltext._page_text_bound(tree)


BYLINES = {
    "byline class": '<div class="byline">By Ann Smith</div>',
    "rel author": '<p>By <a rel="author" href="/a">Ann Smith</a></p>',
    "time inside the byline": '<div class="byline">By Ann Smith <time>9:00</time></div>',
    "discarded parts inside, tails kept": '<div class="byline">By<span class="comments">'
                                          '<a>12</a> comments</span>Ann <figure>x</figure>'
                                          'Smith<time>9:00</time></div>',
    "shorter without its parts, then a later byline": '<span class="author"><span class='
                                                      '"sidebar">Menu</span>A</span><span '
                                                      'class="byline">By Ann Smith</span>',
    "long text, shorter without its time": '<span class="author">Ann Smith ' + "x" * 100
                                           + '<time>' + "9" * 30 + "</time></span>",
    "byline in comments": '<div class="comments"><span class="author">Reader</span></div>'
                          '<span class="author-name">Ann Smith</span>',
    "in a figure only": '<figure><span class="author">Photo Agency</span></figure>',
    "itemprop": '<span itemprop="author">Ann Smith</span>',
    "later expression": '<h4 class="post-writer">Ann Smith</h4>',
    "too long": '<div class="author">' + "word " * 40 + "</div>",
    "author element": "<author>Ann Smith</author>",
    "data-component": '<div data-component="Byline">Ann Smith</div>',
    "id": '<p id="Author-box">Ann Smith</p>',
}


@pytest.mark.parametrize("byline", list(BYLINES.values()), ids=list(BYLINES))
def test_page_author_is_extract_author(byline: str) -> None:
    from trafilatura.metadata import extract_author

    data = page(body=byline + ARTICLE)
    assert htmltext.page_author(parse_html(data)) == extract_author(parse_html(data))


def test_json_minify_and_normalize_are_trafilaturas() -> None:
    import random

    from trafilatura.json_metadata import normalize_json
    from trafilatura.metadata import JSON_MINIFY

    rng = random.Random(16)
    alphabet = ['"', "\\", " ", "\n", "\t", "\u00a0", "\u2003", "a", "{", "}", ":", ",", "<",
                ">", "\\u00e9", "\\n", "&amp;", "\ud800", "x y"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(40)))
        assert htmltext.minify_json(text) == JSON_MINIFY.sub(r"\1", text), repr(text)
        assert htmltext._normalize_json(text) == normalize_json(text), repr(text)


def test_raw_prune_hints_match_the_installed_trafilatura() -> None:
    assert None not in htmltext._raw_prune_hints()


def test_hinted_values_are_those_with_a_byline_word() -> None:
    values = ["nav", "the-Author x", "", "author", "BYLINE", "wri\nter", "x-writer"]
    assert htmltext._hinted(values) == ["the-Author x", "author", "BYLINE", "x-writer"]
    assert htmltext._hinted([]) == [] and htmltext._hinted(["menu", "a"]) == []
    assert htmltext._hinted(["İ", "x", "byline"]) == ["byline"]  # lower() lengthens "İ"


@pytest.mark.parametrize("body", [
    ARTICLE,
    "<aside><aside>in</aside></aside><p>Text between.</p><aside>later</aside>",
    "<form><p>" + "Most of the page is this form's text. " * 20 + "</p></form>",
    "<form><input></form><p>Text.</p><table><tr><td>cell</td></tr></table>",
    "<figure><img src='x'><figcaption>Caption</figcaption></figure><p>a<small>b</small></p>",
    "<math><semantics><annotation encoding='application/x-tex'>x^2</annotation>"
    "</semantics></math><p>after</p>",
], ids=["article", "nested aside", "page form", "widget form and table", "figure", "math"])
def test_tree_cleaning_is_trafilaturas(body: str) -> None:
    from lxml import html
    from trafilatura.htmlprocessing import tree_cleaning

    data = f"<html><body><div>{body}</div><p>tail</p></body></html>".encode()
    options = htmltext._options(True, None)
    mine = htmltext._tree_cleaning(parse_html(data), options)
    theirs = tree_cleaning(parse_html(data), options)
    assert html.tostring(mine) == html.tostring(theirs)


@pytest.mark.parametrize("value", [
    "comments", "Comment-list", "comment", "commentary", "comol7", "disqus_thread",
    "dsq-comments", "x article-comments", "post-comments", "no-comments", "x comments",
    "comments\nx", "\ncomments", "nav", "",
])
def test_the_comment_prune_runs_whenever_it_can_select(value: str) -> None:
    from trafilatura import core

    _, comments = htmltext._raw_prune_hints()
    for tag in ("div", "section", "ul", "details"):
        for attribute in ("id", "class"):
            tree = parse_html(page(body=f"<{tag} {attribute}='{value}'><p>Reader</p></{tag}>"
                                   + ARTICLE))
            values = " ".join(htmltext._class_id_values()(tree))
            selected = any(x(tree) for x in core.REMOVE_COMMENTS_AND_LISTS_XPATH)
            assert not selected or comments.search(values), (tag, attribute)


META_TAGS = {
    **HEADS,
    "opengraph": ('<meta property="og:title" content="OG title"><meta property="og:site_name" '
                  'content="OG site"><meta property="og:url" content="https://planet.example/a">'
                  '<meta property="og:author" content="Ann Smith"><meta property="og:type" '
                  'content="article"><meta property="og:description" content=" ">'),
    "names and properties": ('<meta name="Author" content="<b>Jane</b> Doe"><meta name="title" '
                             'content="Named"><meta property="article:author" content="Ann '
                             'Smith"><meta property="article:publisher" content="Pub">'
                             '<meta name="twitter:site" content="@planet"><meta name='
                             '"twitter:url" content="https://planet.example/t"><meta itemprop='
                             '"headline" content="Head line"><meta itemprop="author" '
                             'content="Bo Li"><meta name="keywords" content="a, b">'
                             '<meta property="article:tag" content="tag"><meta charset="x">'
                             '<meta name="description"><meta name="image" content="/i.jpg">'),
}


@pytest.mark.parametrize("head", list(META_TAGS.values()), ids=list(META_TAGS))
@pytest.mark.parametrize("where", ["head", "two heads", "body"])
def test_examine_meta_is_trafilaturas(head: str, where: str) -> None:
    from trafilatura.metadata import examine_meta

    def tree():
        if where == "body":
            return parse_html(page(body=head + ARTICLE))
        parsed = parse_html(page(head))
        if where == "two heads":  # lxml's parser drops a second one: built by hand
            second = etree.SubElement(parsed.find(".//body"), "head")
            second.extend(copy.deepcopy(list(parsed.find("head"))))
            second.append(etree.Element("meta", name="author", content="Second Head"))
        return parsed

    mine, theirs = htmltext.examine_meta(tree()), examine_meta(tree())
    fields = [name for name in dir(theirs) if not name.startswith("_") and name != "tags"
              and isinstance(getattr(theirs, name), str | None)]
    assert {"title", "author", "url", "sitename", "description"} <= set(fields)
    assert [getattr(mine, f) for f in fields] == [getattr(theirs, f) for f in fields]
