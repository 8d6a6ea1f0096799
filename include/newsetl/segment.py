"""Split a cleaned article into typed sections, by named rules.

The text arrives cleaned (see :mod:`newsetl.cleaning`): ``\\n`` line breaks, single
blank lines between blocks, no empty or decorative lines. :mod:`newsetl.units` cuts it
into units (lines, with hard wraps joined, long one-line articles cut into sentence
groups and glued footers cut off). Then:

1. **The head** (one positional rule, :func:`type_head`): page chrome before the
   headline (boilerplate lines), a short section label ("TV", "POLITICS"), the title,
   and a deck right under it. The title is a headline or nothing: a first line that is
   a paragraph (over :data:`MAX_TITLE_CHARS`, several sentences, a long sentence ending
   with a period, a dateline) stays in the body, and the title comes from the record's
   ``title`` field or a file-name slug of at least four words, else it is null.
2. **Every other unit** goes through :data:`UNIT_RULES` in order; the first rule that
   matches gives the kind, and its name is kept in the section's ``rule`` (the audit
   trail, like ``cleaning_rules`` for cleaning).

The opening dateline is read from the first news paragraph, and author names from the
byline lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from newsetl.boilerplate import (
    boilerplate_rule,
    is_author_bio,
    is_boilerplate,
    source_trailer,
)
from newsetl.bylines import byline_authors
from newsetl.credits import caption_credit, find_credit, strip_credit
from newsetl.datelines import find_dateline
from newsetl.units import TERMINAL, split_sentences, split_units

__all__ = ["Section", "Segmented", "UNIT_RULES", "find_credit", "find_dateline",
           "is_boilerplate", "segment", "source_trailer", "strip_credit"]

# Not "»": at a line start it is more often a quote closed across a line break (Russian
# dumps) than a German »opening« mark.
QUOTE_OPENERS = ("«", "“", "„", '"', "‹", "「", "『", "‚", "”", "‘")
_CLOSERS = {"«": "»", "“": "”", "„": "“”", '"': '"”', "‹": "›", "「": "」", "『": "』",
            "‚": "‘’", "”": "”", "‘": "’"}
#: Sentence ends a headline does not have (a headline may end with ? or !).
_PERIODS = (".", "。", "．")

#: A title is a headline: at most this long, one sentence (CJK: :data:`MAX_CJK_TITLE`).
MAX_TITLE_CHARS = 200
MAX_CJK_TITLE = 80
#: A first line that ends with a period and has more words than this is a sentence.
MAX_PERIOD_TITLE_WORDS = 12
#: Body units this short and without a sentence end are sub-headings.
MAX_SUBHEADING_CHARS = 100
MAX_SUBHEADING_WORDS = 14
#: Bylines are looked for among the first units of the body and the last ones.
BYLINE_HEAD_UNITS = 6
TAIL_UNITS = 4

# --- section model -------------------------------------------------------------------


@dataclass
class Section:
    """One typed unit of an article, in reading order; ``rule`` names what typed it."""

    kind: str
    text: str
    credit: str | None = None
    rule: str = ""


@dataclass
class Segmented:
    """All sections of one article plus the facts found while typing them."""

    sections: list[Section] = field(default_factory=list)
    source_name: str | None = None
    dateline: str | None = None
    authors: list[str] = field(default_factory=list)
    title_source: str | None = None
    #: Unit-splitting steps that changed the text's units (audit trail).
    steps: list[str] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> list[Section]:
        return [s for s in self.sections if s.kind in kinds]


# --- head: label, title, deck -------------------------------------------------------

#: Scripts written without spaces count words badly: a label there is a few characters.
MAX_UNSPACED_LABEL = 8
_UNSPACED = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")


def _unspaced(line: str) -> bool:
    """A line in a script written without spaces between words (CJK, Thai).

    >>> _unspaced("国务院召开常务会议"), _unspaced("TV")
    (True, False)
    """
    return " " not in line and _UNSPACED.search(line) is not None


def is_headline(line: str) -> bool:
    """Whether a first line can be a title: a headline, not a paragraph.

    >>> is_headline("Khalifa Haftar à bord du porte-avions russe Amiral Kouznetsov")
    True
    >>> is_headline("The transport minister resigned on Tuesday after a row over expenses "
    ...             "claims, the prime minister's office said in a short statement.")
    False
    >>> is_headline("WASHINGTON — The Senate voted on Tuesday")
    False
    >>> is_headline("Minister quits. Party in turmoil after the vote")
    False
    """
    limit = MAX_CJK_TITLE if _UNSPACED.search(line) else MAX_TITLE_CHARS
    if len(line) > limit or is_boilerplate(line) or byline_authors(line):
        return False
    if line.endswith(_PERIODS) and len(line.split()) > MAX_PERIOD_TITLE_WORDS:
        return False
    if find_dateline(line) is not None:
        return False
    return len(split_sentences(line)) == 1


def _looks_like_label(line: str, next_line: str | None) -> bool:
    """A short first line followed by a headline-like line.

    Short means at most 30 characters and 3 words, without sentence punctuation; and
    either written in capitals ("POLITICS", "ОБЩЕСТВО") or of at most two words ("TV",
    "اقتصاد"). The next line must look like a headline: not a caption, quote or
    boilerplate, at most 250 characters, not ending with a period.

    >>> _looks_like_label("TV", "Khalifa Haftar à bord du porte-avions russe")
    True
    >>> _looks_like_label("Brexit vote", "Parliament votes today on the deal.")
    False
    >>> _looks_like_label("Streik bei der Bahn", "Reisende am Bahnsteig. Foto: dpa")
    False
    """
    words = line.split()
    if next_line is None or len(line) > 30 or len(words) > 3:
        return False
    if _unspaced(line) and len(line) > MAX_UNSPACED_LABEL:  # a CJK headline, not a label
        return False
    if line[-1] in TERMINAL or line.startswith(QUOTE_OPENERS):
        return False
    if not (line.isupper() or len(words) <= 2):
        return False
    if next_line.startswith(QUOTE_OPENERS) or find_credit(next_line) or is_boilerplate(next_line):
        return False
    return len(next_line) <= 250 and not next_line.endswith(_PERIODS)


def _same_title(a: str, b: str) -> bool:
    """Whether a line repeats a given title (case, spacing and a final period aside).

    >>> _same_title("Khalifa Haftar à bord.", "KHALIFA HAFTAR à  bord")
    True
    """
    def norm(t: str) -> str:
        return " ".join(t.casefold().split()).rstrip(" .。!?！？:")
    return norm(a) == norm(b)


_SLUG_SPLIT = re.compile(r"[-_+\s]+")
MIN_SLUG_WORDS = 4


def title_from_filename(name: str | None) -> str | None:
    """A title read from a file-name slug of at least four words, or None.

    >>> title_from_filename("2019/minister-resigns-after-expenses-row.txt")
    'Minister resigns after expenses row'
    >>> title_from_filename("000_f14259f59aa8b858.txt") is None
    True
    """
    if not name:
        return None
    stem = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = re.sub(r"(?:\.[A-Za-z0-9]{1,5}){1,2}$", "", stem)
    tokens = [t for t in _SLUG_SPLIT.split(stem) if t]
    words = [t for t in tokens if t.isalpha() and len(t) >= 2]
    if len(words) < MIN_SLUG_WORDS or len(words) < 0.7 * len(tokens):
        return None
    if any(len(t) > 20 for t in tokens):  # hashes and ids, not words
        return None
    text = " ".join(tokens)
    return text[0].upper() + text[1:]


def _is_deck(unit: str, next_unit: str | None) -> bool:
    """A standfirst right under the title: a line that is neither a paragraph nor a
    headline list, followed by a byline, or one without a sentence end that is longer
    than a label and followed by more text."""
    if next_unit is None or is_boilerplate(unit) or unit.startswith(QUOTE_OPENERS):
        return False
    if caption_credit(unit) or byline_authors(unit) or find_dateline(unit):
        return False
    if len(unit) > 400:
        return False
    if byline_authors(next_unit):
        return True
    return False


def type_head(units: list[str], title_hint: str | None, filename: str | None,
              result: Segmented) -> int:
    """The positional head rule: chrome, label, title, deck. Returns the first body unit.

    ``title_hint`` is a title given beside the text (a JSONL ``title`` field); when the
    text does not start with it, it becomes the title section.
    """
    out = result.sections
    start = 0
    while start < len(units) - 1:  # page chrome before the headline
        rule = boilerplate_rule(units[start])
        if rule is None or (title_hint and _same_title(units[start], title_hint)):
            break
        out.append(Section("boilerplate", units[start], rule=rule))
        start += 1
    following = units[start + 1] if len(units) > start + 1 else None
    if title_hint and start < len(units) and _same_title(units[start], title_hint):
        following = None  # the text opens with the title itself: no label before it
    if (start < len(units) and _looks_like_label(units[start], following)
            and not is_boilerplate(units[start]) and not source_trailer(units[start])
            and (not title_hint or _same_title(following or "", title_hint))
            and (title_hint or is_headline(following or ""))):
        out.append(Section("section_label", units[start], rule="head_label"))
        start += 1
    if title_hint:
        if start < len(units) and _same_title(units[start], title_hint):
            start += 1  # the text repeats the record's title: keep it once
        out.append(Section("title", title_hint, rule="record_title"))
        result.title_source = "record"
    elif start < len(units) and is_headline(units[start]) and start + 1 < len(units):
        out.append(Section("title", units[start], rule="head_title"))
        result.title_source = "text"
        start += 1
    else:
        slug = title_from_filename(filename)
        if slug:
            out.append(Section("title", slug, rule="filename_title"))
            result.title_source = "filename"
    if result.title_source in ("text", "record") and start < len(units) and _is_deck(
            units[start], units[start + 1] if start + 1 < len(units) else None):
        out.append(Section("deck", units[start], rule="head_deck"))
        start += 1
    return start


# --- body unit rules -----------------------------------------------------------------


@dataclass
class Context:
    """What a unit rule may look at besides the unit: its place and its neighbours."""

    units: list[str]
    index: int
    body_start: int
    result: Segmented

    @property
    def near_head(self) -> bool:
        return self.index - self.body_start < BYLINE_HEAD_UNITS

    @property
    def near_end(self) -> bool:
        return len(self.units) - self.index <= TAIL_UNITS

    @property
    def seen_body(self) -> bool:
        return any(s.kind in ("paragraph", "quote") for s in self.result.sections)


UnitRule = Callable[[str, Context], Section | None]


def rule_source_trailer(unit: str, ctx: Context) -> Section | None:
    """``SOURCE: NAME`` trailers; the name becomes the article's ``source_name``."""
    match = source_trailer(unit)
    if match is None:
        return None
    ctx.result.source_name = match.group("name").strip(" .")
    return Section("source", unit, rule="source_trailer")


def rule_boilerplate(unit: str, ctx: Context) -> Section | None:
    """Share bars, button phrases, rights lines, footers, initials, urls, timestamps;
    ``rule`` is the name of the boilerplate predicate (``boilerplate.BOILERPLATE_RULES``)."""
    name = boilerplate_rule(unit)
    return Section("boilerplate", unit, rule=name) if name else None


def rule_author_bio(unit: str, ctx: Context) -> Section | None:
    """"Jane Doe is a reporter for ..." among the last units."""
    if ctx.near_end and ctx.seen_body and is_author_bio(unit):
        return Section("boilerplate", unit, rule="author_bio")
    return None


def rule_byline(unit: str, ctx: Context) -> Section | None:
    """"By Jane Doe", "Por María Pérez | EFE" near the head or at the end."""
    if not (ctx.near_head or ctx.near_end):
        return None
    authors = byline_authors(unit)
    if not authors:
        return None
    for name in authors:
        if name not in ctx.result.authors:
            ctx.result.authors.append(name)
    return Section("byline", unit, rule="byline")


def rule_caption(unit: str, ctx: Context) -> Section | None:
    """Photo captions: a credit (``©Reuters``, ``REUTERS/…``), a picture marker."""
    found = caption_credit(unit)
    if found is None:
        return None
    rule, credit = found
    return Section("caption", unit, credit=credit, rule=f"caption_{rule}")


def rule_quote(unit: str, ctx: Context) -> Section | None:
    """A paragraph that is a quotation: it opens with a quotation mark and the quoted
    words make most of it, or end in speech punctuation (“…,” she said)."""
    if unit.startswith(QUOTE_OPENERS) and is_quotation(unit):
        return Section("quote", unit, rule="quote")
    return None


def rule_subheading(unit: str, ctx: Context) -> Section | None:
    """Crossheads and related-headline lines: short, no sentence end, after the body
    started."""
    if ctx.seen_body and is_subheading(unit):
        return Section("subheading", unit, rule="subheading")
    return None


def rule_paragraph(unit: str, ctx: Context) -> Section:
    """Everything else is news prose."""
    return Section("paragraph", unit, rule="paragraph")


#: The body rules, in the order they are tried; the first match types the unit.
UNIT_RULES: tuple[tuple[str, UnitRule], ...] = (
    ("source_trailer", rule_source_trailer),
    ("boilerplate", rule_boilerplate),
    ("author_bio", rule_author_bio),
    ("byline", rule_byline),
    ("caption", rule_caption),
    ("quote", rule_quote),
    ("subheading", rule_subheading),
    ("paragraph", rule_paragraph),
)


def is_quotation(unit: str) -> bool:
    """Whether a unit that opens with a quotation mark is quoted speech.

    >>> is_quotation("“I have made mistakes,” she said in a letter.")
    True
    >>> is_quotation("« Le ministre a discuté de la lutte antiterroriste », a annoncé "
    ...              "le ministère.")
    True
    >>> is_quotation("“Motive a mystery” was the Post's front-page headline on Sunday, "
    ...              "above a photograph of the scene.")
    False
    """
    closers = _CLOSERS.get(unit[0], "")
    close = min((p for p in (unit.find(c, 1) for c in closers) if p > 0), default=-1)
    if close < 0:
        return True  # a quotation that goes on past this line
    quoted = unit[1:close].rstrip()
    rest = unit[close + 1:].strip()
    if len(rest) <= len(unit) / 2:
        return True
    return quoted[-1:] in (",", ".", "!", "?", "،")


def is_subheading(unit: str) -> bool:
    """A short line without a sentence end.

    >>> is_subheading("Reactions abroad"), is_subheading("He was 72.")
    (True, False)
    """
    if unit[-1] in ".,;:…。，；：" or unit.startswith(QUOTE_OPENERS):
        return False
    if _UNSPACED.search(unit) and " " not in unit:
        return len(unit) <= 40
    return (len(unit) <= MAX_SUBHEADING_CHARS and len(unit.split()) <= MAX_SUBHEADING_WORDS
            and any(c.isalpha() for c in unit))


def classify_unit(unit: str, ctx: Context) -> Section:
    """Type one body unit (after the head) by the first matching rule."""
    for _name, rule in UNIT_RULES:
        section = rule(unit, ctx)
        if section is not None:
            return section
    raise AssertionError("rule_paragraph always matches")  # pragma: no cover


#: The dateline is read from the first news paragraph within this many body units.
DATELINE_UNITS = 6


def _find_dateline(result: Segmented, body_start: int) -> None:
    for section in result.sections[body_start:body_start + DATELINE_UNITS]:
        if section.kind == "paragraph":
            result.dateline = find_dateline(section.text)
            return
        if section.kind == "quote":
            return


def segment(text: str, title_hint: str | None = None, filename: str | None = None
            ) -> Segmented:
    """Type every unit of a cleaned article (see the module docstring for the rules)."""
    result = Segmented()
    units = split_units(text, _stands_alone, result.steps)
    start = type_head(units, title_hint, filename, result)
    body_start = len(result.sections)
    for index in range(start, len(units)):
        ctx = Context(units, index, start, result)
        result.sections.append(classify_unit(units[index], ctx))
    _find_dateline(result, body_start)
    return result


def _stands_alone(line: str) -> bool:
    """A line never joined to a wrapped neighbour: boilerplate and source trailers."""
    return is_boilerplate(line) or source_trailer(line) is not None
