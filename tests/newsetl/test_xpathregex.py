"""trafilatura's XPath expressions rewritten without EXSLT regexes select the same
elements as the originals (:mod:`newsetl.xpathregex`)."""

from __future__ import annotations

import re

import pytest
from lxml import etree, html
from newsetl.xpathregex import (
    FIRST_ONLY,
    REGEXP_NS,
    fast_xpath,
    literals,
    originals,
    rewrite,
    rewritten,
    trie_pattern,
)
from trafilatura import xpaths


def _expressions() -> list[tuple[str, etree.XPath]]:
    """trafilatura's own expressions, as it defines them."""
    found = []
    for name, value in originals().items():
        found += [(f"{name}[{i}]", e) for i, e in enumerate(value) if isinstance(e, etree.XPath)]
    return found


def test_the_rewrites_are_in_trafilaturas_lists_inside_the_block_only() -> None:
    with rewritten() as swapped:
        assert swapped > 15
        for name, value in originals().items():
            for original, installed in zip(value, getattr(xpaths, name), strict=True):
                if isinstance(original, etree.XPath):
                    assert installed.path == fast_xpath(original, name in FIRST_ONLY).path
    for name, value in originals().items():
        assert getattr(xpaths, name) == value


@pytest.mark.parametrize(("name", "expression"),
                         [(n, e) for n, e in _expressions() if n.split("[")[0] in FIRST_ONLY],
                         ids=lambda v: str(v)[:40])
def test_first_only_expressions_find_the_same_first_element(name: str, expression) -> None:
    tree = _page()
    found = fast_xpath(expression, first_only=True)(tree)
    original = expression(tree)
    assert found[:1] == original[:1]


#: Class and id values built from every literal of every rewritten pattern, with and
#: without a prefix (anchors), in both attribute orders, plus near misses.
def _page() -> html.HtmlElement:
    values = {"comment", "commentary", "Comments", "x-comment", "ad-", "x ad-slot", ""}
    for _, expression in _expressions():
        for match in re.finditer(r"re:test\([^,]*,\s*'([^']*)'\)", expression.path):
            found = literals(match[1], limit=None)
            for _, text in (found[0] if found else []):
                values |= {text, f"pre{text}", f"{text}-post", text[:-1], text.upper()}
    tags = ("div", "section", "aside", "span", "p", "a", "ul", "ol", "li", "article",
            "main", "h3", "h4", "strong", "address", "link", "figure", "list", "footer")
    body = []
    for i, value in enumerate(sorted(values)):
        tag = tags[i % len(tags)]
        other = sorted(values)[(i * 7) % len(values)]
        body.append(f'<{tag} class="{value}" id="{other}"><p>text {i} here</p></{tag}>'
                    f'<{tag} id="{value}" class="{other}">more {i}</{tag}>')
    return html.fromstring(f"<html><body><div>{''.join(body)}</div></body></html>")


@pytest.mark.parametrize(("name", "expression"), _expressions(), ids=lambda v: str(v)[:40])
def test_rewritten_expression_selects_the_same_elements(name: str, expression) -> None:
    tree = _page()
    assert fast_xpath(expression)(tree) == expression(tree)


def test_most_regex_tests_are_gone() -> None:
    before = sum(e.path.count("re:test") for _, e in _expressions())
    after = sum(fast_xpath(e).path.count("re:test") for _, e in _expressions())
    assert before > 30 and after < before / 2


@pytest.mark.parametrize("pattern", ["^shar|bread-?crumb", "[Cc]omment(?!ary)|comol",
                                     "article(?:-|__)?body", "^(?:a|b)-x|y^z", "[a-c]d?",
                                     "x|"])
def test_literal_sets_find_what_the_pattern_finds(pattern: str) -> None:
    found, exact = literals(pattern)
    samples = ["", "shar", "xshar", "breadcrumb", "bread-crumb", "comment", "commentary",
               "Comments", "comol", "articlebody", "article__body", "a-x", "b-x", "xa-x",
               "y^z", "ad", "bd", "c", "zz", "x"]
    for sample in samples:
        hit = any(sample.startswith(t) if anchored else t in sample for anchored, t in found)
        assert hit >= bool(re.search(pattern, sample))
        if exact:
            assert hit == bool(re.search(pattern, sample)), (pattern, sample)


@pytest.mark.parametrize("pattern", [r"(^|\s)x", "a.b", "ab$", "a+", "[^a]", "(?i)a", "a{2}"])
def test_other_patterns_are_left_alone(pattern: str) -> None:
    assert literals(pattern) is None
    path = f"//div[re:test(@class, '{pattern}')]"
    assert rewrite(path) == path


def test_attribute_order_is_kept_for_unions() -> None:
    tree = html.fromstring('<div><p class="comment-a" id="b">1</p>'
                           '<p id="b" class="comment-a">2</p></div>')
    original = etree.XPath("//p[re:test(@id|@class, '^comment')]", namespaces={"re": REGEXP_NS})
    assert [p.text for p in fast_xpath(original)(tree)] == [p.text for p in original(tree)] == ["1"]


@pytest.mark.parametrize("path", [".//*[self::div or self::p][contains(@class, 'x')]",
                                  "(.//*[self::div or self::span][@id])[1]",
                                  "//*[self::a or self::span][@class='a']|//author"])
def test_name_steps_as_unions_select_the_same_elements(path: str) -> None:
    tree = html.fromstring('<div><div class="x" id="1"><p class="x">a</p><span id="2" '
                           'class="a">b</span></div><a class="a">c</a><p>d</p></div>')
    original = etree.XPath(path)
    assert fast_xpath(original).path != path
    assert fast_xpath(original)(tree) == original(tree)


@pytest.mark.parametrize(("path", "guarded"), [
    (".//*[@class='a' or contains(@id|@style, 'x')]", True),
    ("(.//div|.//p)[@id][1]", True),
    (".//*[@class='a' or not(@id)]", False),
    (".//*[re:test(@class, 'x?')]", False),  # true on an element without a class
    (".//*[contains(@class, '')]", False),
    (".//*[@class='a' or self::p]", False),
])
def test_attribute_guards_only_where_every_match_has_the_attributes(path: str,
                                                                      guarded: bool) -> None:
    from newsetl.xpathregex import attribute_guard

    assert (attribute_guard(path) != path) == guarded
    tree = html.fromstring('<div><p>a</p><p class="a" id="x1">b</p><span style="x">c</span>'
                           '<div id="y">d</div></div>')
    ns = {"re": REGEXP_NS}
    assert etree.XPath(attribute_guard(path), namespaces=ns)(tree) == \
        etree.XPath(path, namespaces=ns)(tree)


def test_large_literal_sets_become_tries_that_find_what_the_pattern_finds() -> None:
    import random

    patterns = [m[1] for _, e in _expressions()
                for m in re.finditer(r"re:test\([^,]*,\s*'([^']*)'\)", e.path)]
    large = [p for p in patterns if literals(p) is None and literals(p, limit=None)]
    assert len(large) >= 4
    rng = random.Random(16)
    for pattern in large:
        found, exact = literals(pattern, limit=None)
        assert exact and f"re:test(@class, '{pattern}')" not in rewrite(
            f"//div[re:test(@class, '{pattern}')]")
        trie = re.compile(trie_pattern(found))
        words = [text for _, text in found]
        for _ in range(2000):
            parts = rng.choices([*words, " ", "-", "x", "a", "-ad", "nav"], k=rng.randrange(4))
            sample = "".join(part[:rng.randrange(len(part) + 1)] if rng.random() < 0.3
                             else part for part in parts)
            assert bool(trie.search(sample)) == bool(re.search(pattern, sample)), sample
