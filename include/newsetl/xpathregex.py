"""trafilatura's XPath expressions without most of their EXSLT regular expressions.

trafilatura (2.3.1) tests class and id attributes with EXSLT's ``re:test(@class,
'a|b-?c')``. lxml answers each such test by calling back into Python -- for every
element the step visits, so an expression over a whole page costs ~1 ms on a real
news page, and a page meets a dozen of them (profiled on the ScrapingHub benchmark's
181 pages: 4.7 of 12 ms of extraction in XPath, most of it in these callbacks).

Most of those patterns are finite sets of literal strings (alternations, optional
characters, character classes of a few letters, a ``^`` anchor), which XPath's own
``contains()`` and ``starts-with()`` test inside libxml2. :func:`rewrite` turns each
such ``re:test`` into that test, which is the same test: ``re:test`` reads the string
value of the first node of its argument (lxml's ``_ExsltRegExp``), as ``contains``
and ``starts-with`` do, and Python's ``re.search`` finds a literal set's pattern in a
string exactly when one of the literals occurs in it (anchored ones at its start). A
pattern with a negative lookahead (``comment(?!ary)``) keeps its ``re:test`` behind a
``contains`` guard of the literals it needs, so that the callback runs only on the
few elements that may match; a set of more literals than a chain of ``contains`` pays
for stays a ``re:test``, with the trie of its literals as its pattern
(:func:`trie_pattern`: the same matches, found faster by Python's engine); a pattern
with anything else (``\\s``, ``.``, ``*``, ``$``, flags) is left as it is.

:func:`rewritten` puts the rewritten expressions into trafilatura's lists in place (the
lists its extraction and metadata functions iterate) for the time of a ``with`` block,
:mod:`newsetl.htmltext`'s extraction of one page: the same results, faster. Two more
rewrites of the same kind: :func:`by_tag` (name tests as unions) and
:func:`attribute_guard` (a cheap attribute test first).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import re
from collections.abc import Iterator

log = logging.getLogger(__name__)

REGEXP_NS = "http://exslt.org/regular-expressions"
#: A pattern whose literal set is larger than this stays a regular expression (a chain
#: of ``contains`` calls is no faster than one callback past about a dozen), rewritten
#: as the trie of its literals (:func:`trie_pattern`).
MAX_LITERALS = 12

#: A literal: (anchored at the start of the string, text).
Literal = tuple[bool, str]


class _Unsupported(ValueError):
    """A pattern outside the subset :func:`literals` reads."""


def literals(pattern: str, limit: int | None = MAX_LITERALS
             ) -> tuple[list[Literal], bool] | None:
    """The strings a pattern's ``re.search`` looks for, as ``(anchored, text)``, and
    whether finding one of them is exactly a match (``False``: only a necessary
    condition, the pattern has a lookahead); ``None`` when the pattern is not a finite
    set of literals, or one of more than ``limit`` literals.

    >>> literals("^shar|bread-?crumb")
    ([(True, 'shar'), (False, 'bread-crumb'), (False, 'breadcrumb')], True)
    >>> literals("[Cc]omment(?!ary)|comol")
    ([(False, 'Comment'), (False, 'comment'), (False, 'comol')], False)
    >>> literals(r"(^|\\s)x") is None, literals("a.b") is None, literals("ab$") is None
    (True, True, True)
    """
    try:
        parser = _Parser(pattern)
        found, exact = parser.alternation()
        if parser.pos != len(pattern):
            raise _Unsupported(pattern)
    except _Unsupported:
        return None
    found = _minimal(found)
    if limit is not None and len(found) > limit:
        return None
    return found, exact


def trie_pattern(found: list[Literal]) -> str:
    """A regular expression that ``re.search`` finds in a string exactly when one of the
    literals occurs in it (an anchored one at its start): the literals as a trie, so that
    at each position the engine follows one branch per character instead of trying
    every literal in turn (a class value searched for trafilatura's 67 boilerplate words
    in 0.8 instead of 1.7 µs). Once one literal is found the search is over, so a
    literal that another one starts ends its branch.

    >>> pattern = trie_pattern([(True, "ad-"), (False, "nav"), (False, "navbar"),
    ...                         (False, "news")])
    >>> print(pattern)
    (?:^ad\\-|n(?:av|ews))
    >>> [bool(re.search(pattern, s)) for s in ("x ad-", "ad-x", "unavailable", "new")]
    [False, True, True, False]
    """
    branches = []
    for anchored in (True, False):
        words = [text for flag, text in found if flag == anchored]
        if words:
            branches.append(("^" if anchored else "") + _trie(words))
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


def _trie(words: list[str]) -> str:
    """The alternation of ``words`` (none empty) factored by their first characters."""
    if "" in words:
        return ""  # a word ends here: found, whatever follows
    by_first: dict[str, list[str]] = {}
    for word in sorted(words):
        by_first.setdefault(word[0], []).append(word[1:])
    branches = [re.escape(first) + _trie(rests) for first, rests in by_first.items()]
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


class _Parser:
    """A recursive-descent reader of the literal subset of Python's regular expressions:
    literal characters and escaped punctuation, ``|``, groups ``(...)`` and ``(?:...)``,
    character classes of literal characters and small ranges, ``?`` after an atom, ``^``
    and negative or positive lookaheads (read as matching the empty string, which makes
    the result a necessary condition only)."""

    _SPECIAL = set(".*+{}$\\[]()|?^")

    def __init__(self, pattern: str) -> None:
        self.pattern, self.pos, self.exact = pattern, 0, True

    def peek(self) -> str:
        return self.pattern[self.pos] if self.pos < len(self.pattern) else ""

    def alternation(self) -> tuple[list[Literal], bool]:
        branches = self.sequence()
        while self.peek() == "|":
            self.pos += 1
            branches = branches + self.sequence()
        return branches, self.exact

    def sequence(self) -> list[Literal]:
        result: list[Literal] = [(False, "")]
        while self.peek() not in ("", "|", ")"):
            atom = self.atom()
            if self.peek() == "?":
                self.pos += 1
                atom = [*atom, (False, "")]
            if self.peek() in ("*", "+", "{"):
                raise _Unsupported(self.pattern)
            result = _concat(result, atom)
            if len(result) > MAX_LITERALS * 4:
                raise _Unsupported(self.pattern)
        return result

    def atom(self) -> list[Literal]:
        char = self.peek()
        if char == "^":
            self.pos += 1
            return [(True, "")]
        if char == "(":
            return self.group()
        if char == "[":
            return [(False, c) for c in self.char_class()]
        if char == "\\":
            escaped = self.pattern[self.pos + 1:self.pos + 2]
            if not escaped or escaped.isalnum():  # \s, \d, \b, \1...: not literal
                raise _Unsupported(self.pattern)
            self.pos += 2
            return [(False, escaped)]
        if char in self._SPECIAL:
            raise _Unsupported(self.pattern)
        self.pos += 1
        return [(False, char)]

    def group(self) -> list[Literal]:
        self.pos += 1
        lookahead = False
        if self.pattern.startswith("?:", self.pos):
            self.pos += 2
        elif self.pattern.startswith(("?!", "?="), self.pos):
            self.pos += 2
            lookahead = True
        elif self.peek() == "?":  # named groups, lookbehinds, inline flags
            raise _Unsupported(self.pattern)
        inner, _ = self.alternation()
        if self.peek() != ")":
            raise _Unsupported(self.pattern)
        self.pos += 1
        if lookahead:
            self.exact = False
            return [(False, "")]
        return inner

    def char_class(self) -> list[str]:
        self.pos += 1
        chars: list[str] = []
        if self.peek() == "^":
            raise _Unsupported(self.pattern)
        first = True
        while True:
            char = self.peek()
            if not char:
                raise _Unsupported(self.pattern)
            if char == "]" and not first:
                self.pos += 1
                return chars
            if char in "\\[":
                raise _Unsupported(self.pattern)
            first = False
            self.pos += 1
            if self.peek() == "-" and self.pattern[self.pos + 1:self.pos + 2] not in ("]", ""):
                end = self.pattern[self.pos + 1]
                if end in "\\[" or ord(end) - ord(char) > 26 or ord(end) < ord(char):
                    raise _Unsupported(self.pattern)
                chars += [chr(c) for c in range(ord(char), ord(end) + 1)]
                self.pos += 2
            else:
                chars.append(char)


def _concat(left: list[Literal], right: list[Literal]) -> list[Literal]:
    """Every literal of ``left`` followed by one of ``right``; an anchor after text can
    never match (Python's ``^`` without MULTILINE is the start of the string)."""
    return [(la or ra, lt + rt) for (la, lt), (ra, rt) in itertools.product(left, right)
            if not (ra and lt)]


def _minimal(found: list[Literal]) -> list[Literal]:
    """The literals without those another one already finds (``author`` finds every
    ``author-name``), in their first order."""
    unique = list(dict.fromkeys(found))
    return [(anchored, text) for anchored, text in unique
            if not any((other_text != text or other_anchored != anchored)
                       and (text.startswith(other_text) if other_anchored
                            else other_text in text)
                       and (other_anchored <= anchored)
                       for other_anchored, other_text in unique)]


def _xpath_literal(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    raise _Unsupported(text)


def _test(argument: str, found: list[Literal]) -> str:
    """The XPath boolean that one of the literals occurs in the argument's string."""
    terms = [f"{'starts-with' if anchored else 'contains'}({argument}, {_xpath_literal(text)})"
             for anchored, text in found]
    return f"({' or '.join(terms)})" if terms else "false()"


_RE_TEST = re.compile(r"re:test\(")


def rewrite(path: str) -> str:
    """An XPath expression with each ``re:test(ARG, 'PATTERN')`` whose pattern is a
    literal set replaced by ``contains``/``starts-with`` tests (guarding the ``re:test``
    when the set is only a necessary condition); the others stay.

    >>> print(rewrite("//p[re:test(@class, 'a-?b|^c') or @id='x']"))
    //p[(contains(@class, 'a-b') or contains(@class, 'ab') or starts-with(@class, 'c')) or @id='x']
    >>> print(rewrite("//*[re:test(@id, 'c(?!ary)')]"))
    //*[((contains(@id, 'c')) and re:test(@id, 'c(?!ary)'))]
    >>> rewrite("//p[re:test(@class, 'x', 'i')]")
    "//p[re:test(@class, 'x', 'i')]"
    """
    out: list[str] = []
    pos = 0
    for match in _RE_TEST.finditer(path):
        if match.start() < pos:
            continue
        call = _read_call(path, match.end())
        if call is None:
            continue
        end, argument, pattern = call
        found = literals(pattern)
        original = path[match.start():end]
        try:
            if found is not None:
                test = _test(argument, found[0])
                test = test if found[1] else f"({test} and {original})"
            else:
                test = _factored(argument, pattern)
        except _Unsupported:
            continue
        out.append(path[pos:match.start()])
        out.append(test)
        pos = end
    out.append(path[pos:])
    return "".join(out)


_ATTRIBUTE = re.compile(r"@[\w-]+")


def _factored(argument: str, pattern: str) -> str:
    """``re:test`` of a literal set too large for ``contains`` tests, with the trie of
    its literals for pattern (:func:`trie_pattern`), behind a test that the attribute it
    reads is there (the callback would search an empty string, where no non-empty
    literal is found); other patterns raise :class:`_Unsupported`.

    >>> _factored("@id", "|".join(f"{c}x" for c in "abcdefghijklm") + "|ay")
    "(@id and re:test(@id, '(?:a(?:x|y)|bx|cx|dx|ex|fx|gx|hx|ix|jx|kx|lx|mx)'))"
    """
    found = literals(pattern, limit=None)
    if found is None or not found[1] or not found[0] or any(not t for _, t in found[0]):
        raise _Unsupported(pattern)
    test = f"re:test({argument}, {_xpath_literal(trie_pattern(found[0]))})"
    return f"({argument} and {test})" if _ATTRIBUTE.fullmatch(argument) else test


def _read_call(path: str, start: int) -> tuple[int, str, str] | None:
    """After ``re:test(``: the end of the call, its first argument and its pattern, for
    a call with two arguments whose pattern is a plain string literal; else ``None``."""
    depth, pos = 0, start
    while pos < len(path):
        char = path[pos]
        if char in "'\"":
            pos = path.find(char, pos + 1)
            if pos < 0:
                return None
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
            if depth < 0:
                return None
        elif char == "," and depth == 0:
            break
        pos += 1
    else:
        return None
    argument = path[start:pos].strip()
    match = re.compile(r"\s*(['\"])").match(path, pos + 1)
    if match is None:
        return None
    close = path.find(match[1], match.end())
    if close < 0:
        return None
    pattern = path[match.end():close]
    after = re.compile(r"\s*\)").match(path, close + 1)
    if after is None:  # a third argument (flags): left alone
        return None
    return after.end(), argument, pattern


_TAG_STEP = re.compile(r"(\.?//)\*\[\s*(self::[\w-]+(?:\s+or\s+self::[\w-]+)*)\s*\]")
_POSITIONAL = re.compile(r"position\(|last\(|^\s*\d")


def by_tag(path: str, first_only: bool = False) -> str:
    """An expression opening with ``.//*[self::a or self::b][P]...`` (the shape of most
    of trafilatura's) as ``(.//a|.//b)[P]...``: libxml2 then tests ``P`` only on the
    elements of those names, instead of on every element after testing each name as a
    location path of its own (~2x less time on a news page). The same elements in the
    same (document) order, as long as no predicate after it is positional -- else the
    expression is left as it is.

    >>> by_tag(".//*[self::div or self::p][@id='x']|//author")
    "(.//div|.//p)[@id='x']|//author"
    >>> by_tag("(.//*[self::div][@id='x'])[1]"), by_tag(".//*[self::div][@id='x'][1]")
    ("((.//div)[@id='x'])[1]", ".//*[self::div][@id='x'][1]")

    With ``first_only`` (a reader that takes the first element only), a last ``[1]``
    -- the first match among each parent's children, of which the first in document
    order is the page's first match -- becomes that first match alone:

    >>> by_tag(".//*[self::div or self::p][@id='x'][1]", first_only=True)
    "((.//div|.//p)[@id='x'])[1]"
    """
    stripped = path.strip()
    opening = stripped.startswith("(")
    match = _TAG_STEP.match(stripped, int(opening))
    if match is None:
        return path
    pos = match.end()
    first = None
    while pos < len(stripped) and stripped[pos] in " \n\t[":
        if stripped[pos] != "[":
            pos += 1
            continue
        end = closing_bracket(stripped, pos)
        if end is None:
            return path
        if _POSITIONAL.search(stripped[pos + 1:end]):
            if not (first_only and not opening and stripped[pos:end + 1] == "[1]"
                    and not stripped[end + 1:].strip()):
                return path
            first = pos
        pos = end + 1
    rest = stripped[pos:].lstrip()
    if rest and not rest.startswith(("|", ")")):
        return path
    axis, tags = match[1], [t.strip()[len("self::"):] for t in match[2].split(" or ")]
    union = "|".join(f"{axis}{tag}" for tag in tags)
    if first is not None:
        return f"(({union}){stripped[match.end():first]})[1]"
    return f"{stripped[:match.start()]}({union}){stripped[match.end():]}"


def closing_bracket(path: str, start: int) -> int | None:
    """The index of the bracket closing the one at ``start`` (quotes skipped)."""
    return _closing(path, start, "[", "]")


def _closing(text: str, start: int, opener: str, closer: str) -> int | None:
    """The index of the ``closer`` matching the ``opener`` at ``start``, skipping quoted
    literals; None when it is not closed.

    >>> _closing("a[b[']']c]d", 1, "[", "]"), _closing("(x", 0, "(", ")")
    (9, None)
    """
    depth, pos = 0, start
    while pos < len(text):
        char = text[pos]
        if char in "'\"":
            pos = text.find(char, pos + 1)
            if pos < 0:
                return None
        elif char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth == 0:
                return pos
        pos += 1
    return None


_ATTRIBUTES = r"@[\w:-]+(?:\s*\|\s*@[\w:-]+)*"
_LITERAL = r"(?:'[^']*'|\"[^\"]*\")"
_ARGUMENT = rf"(?:{_ATTRIBUTES}|translate\(\s*{_ATTRIBUTES}\s*,\s*{_LITERAL}\s*,\s*{_LITERAL}\s*\))"
#: Tests that are false on an element without the attributes they name.
_ATTRIBUTE_TESTS = (
    re.compile(rf"{_ATTRIBUTES}\s*(?:=\s*{_LITERAL})?"),
    re.compile(rf"(?:contains|starts-with)\(\s*{_ARGUMENT}\s*,\s*('[^']+'|\"[^\"]+\")\s*\)"),
    re.compile(rf"re:test\(\s*{_ARGUMENT}\s*,\s*({_LITERAL})\s*(?:,\s*({_LITERAL})\s*)?\)"),
)


def _split_top(text: str, word: str) -> list[str]:
    """``text`` split at ``word`` (``or``/``and`` between white space) outside brackets
    and quotes."""
    separator = re.compile(rf"\s+{word.strip()}\s+")
    parts, depth, start, pos = [], 0, 0, 0
    while pos < len(text):
        char = text[pos]
        if char in "'\"":
            end = text.find(char, pos + 1)
            pos = len(text) if end < 0 else end + 1
            continue
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth == 0 and (match := separator.match(text, pos)):
            parts.append(text[start:pos])
            start = pos = match.end()
            continue
        pos += 1
    parts.append(text[start:])
    return [part.strip() for part in parts]


def _needed_attributes(term: str) -> set[str] | None:
    """The attributes of which an element needs one for ``term`` to be true, or ``None``
    when the term can be true without any (or is not understood)."""
    term = term.strip()
    while term.startswith("(") and closing_paren(term, 0) == len(term) - 1:
        term = term[1:-1].strip()
    alternatives = _split_top(term, " or ")
    if len(alternatives) > 1:
        needed: set[str] = set()
        for alternative in alternatives:
            names = _needed_attributes(alternative)
            if names is None:
                return None
            needed |= names
        return needed
    conjuncts = _split_top(term, " and ")
    if len(conjuncts) > 1:
        return next((names for c in conjuncts if (names := _needed_attributes(c))), None)
    for test in _ATTRIBUTE_TESTS:
        match = test.fullmatch(term)
        if match is None:
            continue
        if test.pattern.startswith("re:test"):
            flags = re.IGNORECASE if match[2] and "i" in match[2] else 0
            if re.search(match[1][1:-1], "", flags) is not None:
                return None  # true on an empty string
        return set(re.findall(r"@([\w:-]+)", term))
    return None


def attribute_guard(path: str) -> str:
    """``.//*[P]`` as ``.//*[@a or @b][P]`` when every way ``P`` can be true needs one
    of the attributes ``a``, ``b``: libxml2 then skips the many elements without any of
    them after one cheap test each, instead of evaluating each term of ``P`` on them.
    The same for a union of steps (``(.//div|.//p)[P]``). The added test is true
    wherever ``P`` is, so the elements ``P`` keeps, and their positions for any
    predicate after it, stay the same.

    >>> attribute_guard(".//*[@class='x' or contains(@id|@style, 'hid') or @aria-hidden]")
    ".//*[@class or @id or @style or @aria-hidden][@class='x' or contains(@id|@style, 'hid') \
or @aria-hidden]"
    >>> attribute_guard(".//*[@class='x' or not(@id)]")
    ".//*[@class='x' or not(@id)]"
    """
    match = _GUARDED_STEP.search(path)
    if match is None:
        return path
    start = match.end() - 1
    end = closing_bracket(path, start)
    if end is None:
        return path
    names = _needed_attributes(path[start + 1:end])
    if not names:
        return path
    order = list(dict.fromkeys(re.findall(r"@([\w:-]+)", path[start:end])))
    guard = " or ".join(f"@{name}" for name in order if name in names)
    return f"{path[:start]}[{guard}]{path[start:]}"


#: The first step of an expression, a descendant step or a union of them (as
#: :func:`by_tag` writes it), and the opening of its first predicate.
_GUARDED_STEP = re.compile(r"^\s*\(*(?:\.//\*|\((?:\.?//[\w-]+\|)*\.?//[\w-]+\))\s*\[")


def closing_paren(text: str, start: int) -> int | None:
    """The index of the parenthesis closing the one at ``start`` (quotes skipped)."""
    return _closing(text, start, "(", ")")


def fast_xpath(original, first_only: bool = False):
    """The rewritten twin of a compiled XPath (the original itself when nothing
    changes); ``first_only``: for a reader that takes its first element only."""
    from lxml import etree

    path = original.path
    new = attribute_guard(by_tag(rewrite(path), first_only))
    if new == path:
        return original
    return etree.XPath(new, namespaces={"re": REGEXP_NS})


def originals() -> dict[str, list]:
    """trafilatura's XPath lists by name, as trafilatura defines them (copies: the
    lists themselves hold the rewrites inside :func:`rewritten`)."""
    from trafilatura import xpaths

    if not _ORIGINALS:
        for name in dir(xpaths):
            value = getattr(xpaths, name)
            if name.isupper() and isinstance(value, list):
                _ORIGINALS[name] = list(value)
    return _ORIGINALS


_ORIGINALS: dict[str, list] = {}
#: trafilatura's lists whose only reader takes the first element an expression finds
#: (2.3.1: ``main_extractor._extract`` with ``BODY_XPATH``).
FIRST_ONLY = frozenset({"BODY_XPATH"})


@functools.cache
def _swaps() -> tuple[tuple[list, int, object, object], ...]:
    """(trafilatura's list, index, original expression, rewritten one) for each
    expression the rewrites change; built once per process."""
    from lxml import etree
    from trafilatura import xpaths

    swaps = []
    for name, expressions in originals().items():
        value = getattr(xpaths, name)
        for index, expression in enumerate(expressions):
            if isinstance(expression, etree.XPath):
                new = fast_xpath(expression, name in FIRST_ONLY)
                if new is not expression:
                    swaps.append((value, index, expression, new))
    log.debug("%d trafilatura XPath expressions rewritten", len(swaps))
    return tuple(swaps)


@contextlib.contextmanager
def rewritten() -> Iterator[int]:
    """trafilatura's lists hold the rewritten expressions inside the block, its own
    ones again after it (so that trafilatura called anywhere else -- a benchmark's
    comparison column -- runs as trafilatura ships); yields how many are swapped. The
    swap is ~20 list assignments each way."""
    swaps = _swaps()
    for value, index, _, new in swaps:
        value[index] = new
    try:
        yield len(swaps)
    finally:
        for value, index, original, _ in swaps:
            value[index] = original
