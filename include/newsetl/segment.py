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

3. **Passes over the typed sections**, in this order: a last unit that is only a wire
   service's name ("Reuter") or a short label ending with a colon is boilerplate
   (:func:`agency_sign_off`); then the caption passes, where a caption is told by its
   neighbours: a short paragraph above a credit-only line, slide captions under the
   head's date/place block (also one that names the headline), a line the next
   paragraph repeats, gallery captions that open alike or with slide counters ("1/50"),
   and the numbered parts under a caption ending with a colon; last, the given title
   repeated among the first body units is boilerplate (:func:`title_repeats`).
   :func:`segment` lists them in order.

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
from newsetl.bylines import MAX_BYLINE_CHARS, byline_authors, outlet_byline
from newsetl.credits import MAX_CAPTION_CHARS, caption_credit, find_credit, strip_credit
from newsetl.datelines import find_dateline
from newsetl.lexicon import AGENCIES, DANGLING_WORDS, MONTHS
from newsetl.units import QUOTED_SENTENCE_ENDS, TERMINAL, split_sentences, split_units

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
MAX_SUBHEADING_WORDS = 16
MAX_QUESTION_WORDS = 10
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
    >>> is_headline("香港行政长官梁振英就其大宅的违章建筑问题到立法会接受质询，并向香港民众道歉。")
    False
    >>> is_headline("香港行政长官梁振英就违章建筑问题道歉")
    True
    >>> is_headline("公開日："), is_headline("Sie befinden sich hier:")
    (False, False)
    >>> is_headline("Breaking! Minister quits over expenses row")
    True
    >>> is_headline("旧式Macで禁断のパワーアップ！最新PCやソフトを一挙にチェック")
    True
    >>> is_headline("Stop! Read the terms before you click.")
    False
    """
    limit = MAX_CJK_TITLE if _UNSPACED.search(line) else MAX_TITLE_CHARS
    if len(line) > limit or is_boilerplate(line) or byline_authors(line):
        return False
    if line.endswith((":", "：")):
        return False  # "公開日：", "Sie befinden sich hier:": a label for what follows
    if line.endswith(_PERIODS) and (len(line.split()) > MAX_PERIOD_TITLE_WORDS
                                    or (_unspaced(line) and len(line) > MAX_UNSPACED_LABEL)):
        return False  # Chinese and Japanese headlines never close with a full stop
    if find_dateline(line) is not None:
        return False
    sentences = split_sentences(line)
    return len(sentences) == 1 or _exclaimed(line, sentences)


#: What may close a sentence inside a headline ("Breaking! Minister quits"), and in
#: scripts written without spaces also the full stop ("正論。でもしんどい…！孫社長…").
_HEADLINE_INNER_ENDS = "!?！？"
_QUOTES_AFTER = " \"'”’»」』）)"


def _exclaimed(line: str, sentences: list[str]) -> bool:
    """Whether a headline of several "sentences" breaks only at exclamation and question
    marks (or at 。 in unspaced scripts) and does not end with a full stop."""
    if line.endswith(_PERIODS):
        return False
    inner = _HEADLINE_INNER_ENDS + ("。" if _unspaced(line) else "")
    return all(s.rstrip(_QUOTES_AFTER)[-1:] in inner for s in sentences[:-1])


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
    if _UNSPACED.search(line) and len(line.replace(" ", "")) > MAX_UNSPACED_LABEL:
        return False  # a CJK headline, not a label (and "C型" would pass isupper())
    if line[-1] in TERMINAL or line.startswith(QUOTE_OPENERS):
        return False
    if not (line.isupper() or len(words) <= 2):
        return False
    if next_line.startswith(QUOTE_OPENERS) or find_credit(next_line) or is_boilerplate(next_line):
        return False
    return len(next_line) <= 250 and not next_line.endswith(_PERIODS)


#: A kicker ending with a colon before the headline has at most this many words.
MAX_KICKER_WORDS = 5


def _chrome_before_headline(line: str, next_line: str) -> bool:
    """A line that is no headline although it comes first: one word ("Politik",
    "Publiziert", "Článek") or a kicker ending with a colon ("Sie befinden sich hier:",
    "MENINGSMÅLING:"), followed by a headline of three words or more. News headlines
    of one word are rare; section names and page chrome of one word are common.

    >>> _chrome_before_headline("Politik", "Streeck lobt Doku und warnt vor Kokain im Rap")
    True
    >>> _chrome_before_headline("Brexit", "The prime minister said on Tuesday that the "
    ...                         "deal was done, and parliament would vote.")
    False
    >>> _chrome_before_headline("Kyiv calls for talks", "Ministers meet in Geneva today")
    False
    """
    words = line.split()
    if _unspaced(line) or not (
            (len(words) == 1 and line[-1] not in TERMINAL.replace(":", ""))
            or (line.endswith(":") and len(words) <= MAX_KICKER_WORDS)):
        return False
    return (len(next_line.split()) >= 3 and is_headline(next_line)
            and not next_line.startswith(QUOTE_OPENERS))


def _same_title(a: str, b: str) -> bool:
    """Whether a line repeats a given title (case, spacing, punctuation and quote
    styles aside).

    >>> _same_title("Khalifa Haftar à bord.", "KHALIFA HAFTAR à  bord")
    True
    >>> _same_title('Pills "burned her up"', "Pills “Burned Her Up”")
    True
    """
    return _loose_title_key(a) == _loose_title_key(b)


def _title_key(text: str) -> str:
    """What two copies of one title share: case, spacing and a final period aside."""
    return " ".join(text.casefold().split()).rstrip(" .。!?！？:")


_SLUG_SPLIT = re.compile(r"[-_+\s]+")
MIN_SLUG_WORDS = 4


def title_from_filename(name: str | None) -> str | None:
    """A title read from a file-name slug of at least four words, or None.

    The slug is the longest run of word tokens (short numbers allowed inside), so
    path prefixes and ids around it ("_news_100025_") are left out.

    >>> title_from_filename("2019/minister-resigns-after-expenses-row.txt")
    'Minister resigns after expenses row'
    >>> title_from_filename("_news_100025_Chinese-Ship-Sinks-After-Collision-Off-Denmark.txt")
    'Chinese Ship Sinks After Collision Off Denmark'
    >>> title_from_filename("000_f14259f59aa8b858.txt") is None
    True
    >>> title_from_filename("_news_403818_Doubts-grow-over-Airbus-A380-sale-in-2016.txt")
    'Doubts grow over Airbus A380 sale in 2016'
    """
    if not name:
        return None
    stem = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = re.sub(r"(?:\.[A-Za-z0-9]{1,5}){1,2}$", "", stem)
    best: list[str] = []
    run: list[str] = []
    for token in [*_SLUG_SPLIT.split(stem), ""]:
        if (token.isalpha() and len(token) <= 20) or (run and _slug_number(token)):
            run.append(token)
            continue
        while run and run[-1].isdigit() and len(run[-1]) <= 2:
            run.pop()  # "-2", "-15": a version or page suffix, not part of the headline
        if sum(t.isalpha() for t in run) > sum(t.isalpha() for t in best):
            best = run
        run = []
    if sum(len(t) >= 2 for t in best if t.isalpha()) < MIN_SLUG_WORDS:
        return None
    text = " ".join(best)
    return text[0].upper() + text[1:]


def _slug_number(token: str) -> bool:
    """A number or a short code inside a slug ("2016", "A380", "8mb"); longer digit runs
    are ids."""
    if token.isdigit():
        return len(token) <= 4
    return token.isalnum() and len(token) <= 8 and any(c.isdigit() for c in token)


#: A deck is at most this long.
MAX_DECK_CHARS = 400


def _is_deck(unit: str, next_unit: str | None) -> bool:
    """A standfirst right under the title. It is one when a byline or a date line
    follows it (title, deck, byline/date, body), or when it has no sentence end and the
    text after it is longer prose (a sub-headline, not the lead).

    >>> _is_deck("Putin signed an Executive Order on interethnic unity.", "May 7, 2012")
    True
    >>> _is_deck("Vice President attends the opening of the hepatitis conference",
    ...          "The Vice President travelled to Kaohsiung on Friday afternoon to open the "
    ...          "conference, where he spoke about the fight against hepatitis C.")
    True
    >>> _is_deck("副總統出席亞太肝臟研究學會開幕典禮",
    ...          "陳建仁副總統今日下午專程前往高雄市，出席亞太肝臟研究學會開幕典禮，"
    ...          "代表政府誠摯歡迎專家學者來臺與會。")
    True
    >>> _is_deck("The minister resigned on Tuesday.", "He had been in office for a year.")
    False
    """
    if next_unit is None or len(unit) > MAX_DECK_CHARS or unit.startswith(QUOTE_OPENERS):
        return False
    if (is_boilerplate(unit) or caption_credit(unit) or byline_authors(unit)
            or find_dateline(unit)):
        return False
    if byline_authors(next_unit) or boilerplate_rule(next_unit) == "timestamp":
        return True
    words = len(unit) // 2 if _unspaced(unit) else len(unit.split())
    return (unit[-1] not in ".!?…。！？:;" and words >= 4
            and len(next_unit) > 1.5 * len(unit) and next_unit[-1:] in ".!?…。！？”»\"")


_PAGE_TITLE_SEPARATORS = re.compile(r"\s+[»|–—-]\s+|\s*[|»]\s*")
#: The headline that a page title ("Site » Headline") repeats is looked for this far.
PAGE_TITLE_UNITS = 120


def page_title_headline(units: list[str]) -> int:
    """Where the headline is when the text opens with the page's <title> ("Global Voices
    » Brazil: ...", "Headline | Site") and the headline line follows after the page
    chrome: the index of that line, or -1.

    >>> page_title_headline(["News » Minister quits after row", "Home", "Minister quits "
    ...                      "after row", "Body."])
    2
    """
    first = units[0] if units else ""
    parts = [p.strip() for p in _PAGE_TITLE_SEPARATORS.split(first) if len(p.split()) >= 3]
    if len(parts) == 0 or parts == [first]:
        return -1
    keys = {_title_key(part) for part in parts}
    for index in range(1, min(len(units), PAGE_TITLE_UNITS)):
        if _title_key(units[index]) in keys:
            return index
    return -1


#: A line of prose at least this long after a short line makes that line a headline.
MIN_LEAD_CHARS = 100


def _opens_article(units: list[str], index: int) -> bool:
    """Whether a short line ends the page chrome: it can be a headline and a byline, a
    date line or a lead paragraph follows it ("Home / World / Headline / By X")."""
    if index + 1 >= len(units) or not is_headline(units[index]):
        return False
    after = units[index + 1]
    return bool(byline_authors(after) or boilerplate_rule(after) == "timestamp"
                or (len(after) >= MIN_LEAD_CHARS and after[-1] in ".!?…。！？”»\""))


def type_head(units: list[str], title_hint: str | None, filename: str | None,
              result: Segmented, in_menu: list[bool]) -> int:
    """The positional head rule: chrome, label, title, deck. Returns the first body unit.

    ``title_hint`` is a title given beside the text (a JSONL ``title`` field); when the
    text does not start with it, it becomes the title section. Page chrome before the
    headline (boilerplate lines, menus, a page <title> line) is typed boilerplate.
    """
    out = result.sections
    start = 0
    headline = page_title_headline(units)
    if headline > 0:
        out.extend(Section("boilerplate", unit, rule=boilerplate_rule(unit) or "page_chrome")
                   for unit in units[:headline])
        start = headline
    while start < len(units) - 1:  # page chrome before the headline
        rule = boilerplate_rule(units[start])
        if rule is None and in_menu[start] and not _opens_article(units, start):
            rule = "menu"
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
    while (not title_hint and start + 1 < len(units)
           and _chrome_before_headline(units[start], units[start + 1])):
        kind = "boilerplate" if result.of_kind("section_label") else "section_label"
        out.append(Section(kind, units[start], rule="head_chrome"))
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
    in_menu: list[bool]
    #: Whether a paragraph or quote was typed before this unit.
    seen_body: bool = False
    #: Indexes of units cut from one long line (sentence groups, not paragraphs).
    cut: frozenset[int] = frozenset()

    @property
    def near_head(self) -> bool:
        return self.index - self.body_start < BYLINE_HEAD_UNITS

    @property
    def near_end(self) -> bool:
        return len(self.units) - self.index <= TAIL_UNITS


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


def rule_place_line(unit: str, ctx: Context) -> Section | None:
    """A place standing alone under a date line in the head ("May 7, 2012" / "17:10" /
    "The Kremlin, Moscow"): page metadata, not news."""
    previous = ctx.result.sections[-1] if ctx.result.sections else None
    if (ctx.seen_body or previous is None or previous.rule != "timestamp"
            or len(unit) > 40 or unit[-1] in ".!?…:"):
        return None
    words = [w for w in re.split(r"[\s,]+", unit) if w]
    if 1 <= len(words) <= 5 and all(w[0].isupper() or w in ("de", "of", "am") for w in words):
        return Section("boilerplate", unit, rule="place_line")
    return None


def rule_author_bio(unit: str, ctx: Context) -> Section | None:
    """"Jane Doe is a reporter for ..." among the last units."""
    if ctx.near_end and ctx.seen_body and is_author_bio(unit):
        return Section("boilerplate", unit, rule="author_bio")
    return None


def rule_byline(unit: str, ctx: Context) -> Section | None:
    """"By Jane Doe", "Por María Pérez | EFE" near the head or at the end; also an
    outlet-only byline ("Da Agência Brasil"), which names no author."""
    if not (ctx.near_head or ctx.near_end):
        return None
    authors = byline_authors(unit)
    if not authors:
        if outlet_byline(unit):
            return Section("byline", unit, rule="outlet_byline")
        return None
    for name in authors:
        if name not in ctx.result.authors:
            ctx.result.authors.append(name)
    return Section("byline", unit, rule="byline")


def rule_menu(unit: str, ctx: Context) -> Section | None:
    """Menus, tag lists and metadata blocks: runs of short lines (:func:`menu_runs`)."""
    return Section("boilerplate", unit, rule="menu") if ctx.in_menu[ctx.index] else None


def rule_caption(unit: str, ctx: Context) -> Section | None:
    """Photo captions: a credit (``©Reuters``, ``REUTERS/…``), a picture marker."""
    found = caption_credit(unit)
    if found is None:
        return None
    rule, credit = found
    return Section("caption", unit, credit=credit, rule=f"caption_{rule}")


def rule_quote(unit: str, ctx: Context) -> Section | None:
    """A paragraph that is a quotation: it opens with a quotation mark and the quoted
    words make most of it, or end in speech punctuation (“…,” she said). A sentence
    group cut from a one-line article is not a paragraph of its own, so not a quote."""
    if (unit.startswith(QUOTE_OPENERS) and ctx.index not in ctx.cut
            and not is_quoted_heading(unit) and is_quotation(unit)):
        return Section("quote", unit, rule="quote")
    return None


def rule_subheading(unit: str, ctx: Context) -> Section | None:
    """Crossheads and related-headline lines: short, no sentence end, after the body
    started, not a row of a table or schedule."""
    if (ctx.seen_body and is_subheading(unit) and _leads_prose(ctx)
            and not in_table(ctx.units, ctx.index)):
        return Section("subheading", unit, rule="subheading")
    return None


#: A table or schedule is at least this many rows in a row.
MIN_TABLE_ROWS = 3
_PRICE = re.compile(r"[$€£¥₩]\s?\d|\d\s?[$€£¥₩]")
_MONTH_WORDS = frozenset(MONTHS)
_NUMBER = re.compile(r"^[-+(]?\d[\d.,:%]*\)?$")


def is_table_row(line: str) -> bool:
    """A line of a table, a schedule or a price list: it names a price, opens with a
    month and a day, or at least two of its words, and more than two in five, are
    numbers. A dated teaser ("11.02.2020 Was ist Handysucht?") and a link are none.

    >>> is_table_row("14 Aric Almirola 2234 0 1 3 12"), is_table_row("Get the game for $58")
    (True, True)
    >>> is_table_row("June 19 – Charlotte, NC @ PNC Music Pavilion")
    True
    >>> [is_table_row(x) for x in ("Reactions abroad", "The G20 summit in 2019", "Part 1",
    ...  "11.02.2020 Was ist Handysucht?", "region/?replytocom=1569722#respond)")]
    [False, False, False, False, False]
    """
    words = line.split()
    if len(words) < 2 or "/" in line:
        return False
    if _PRICE.search(line):
        return True
    if words[0].casefold() in _MONTH_WORDS and words[1].rstrip(",.").isdigit():
        return True
    numbers = sum(bool(_NUMBER.match(w)) for w in words)
    return numbers >= 2 and 5 * numbers > 2 * len(words)


def in_table(units: list[str], index: int) -> bool:
    """Whether ``units[index]`` is one of :data:`MIN_TABLE_ROWS` or more table rows in a
    row (:func:`is_table_row`): rows of a results table or dates of a tour are short
    lines without a sentence end, like crossheads, but crossheads do not come in runs
    of numbers.

    >>> rows = ["14 Aric Almirola 2234", "15 Ryan Newman 2219", "16 Erik Jones 2194"]
    >>> in_table(["Standings", *rows, "He won."], 2), in_table(["Standings", *rows], 0)
    (True, False)
    """
    if not is_table_row(units[index]):
        return False
    start = index
    while start > 0 and index - start < MIN_TABLE_ROWS - 1 and is_table_row(units[start - 1]):
        start -= 1
    end = index + 1
    while end < len(units) and end - start < MIN_TABLE_ROWS and is_table_row(units[end]):
        end += 1
    return end - start >= MIN_TABLE_ROWS


def _leads_prose(ctx: Context) -> bool:
    """A crosshead or a related-headline line has text after it: a short line after
    which only boilerplate follows is a sign-off ("Glory to Ukraine"), and a bulleted
    line is a list item. Short lines after a short line that ends with a colon are what it
    introduces (posts, comments, a list). The last line of a list of related headlines is
    one of them."""
    unit = ctx.units[ctx.index]
    if unit.startswith(_BULLETS):
        return False
    previous = ctx.result.sections[-1] if ctx.result.sections else None
    if previous is not None and previous.kind == "paragraph" and (
            (previous.text.endswith(":") and len(previous.text) <= MAX_INTRO_CHARS)
            or is_subheading(previous.text)):
        return False  # "..., then commented:" opens quoted lines, headline-shaped or not
    if previous is not None and previous.kind == "subheading":
        return True
    return any(not is_boilerplate(later) for later in ctx.units[ctx.index + 1:])


_BULLETS = ("* ", "- ", "• ", "· ")
#: "X wrote on his blog:" -- a short line ending with a colon introduces quoted lines.
MAX_INTRO_CHARS = 200


def rule_paragraph(unit: str, ctx: Context) -> Section:
    """Everything else is news prose."""
    return Section("paragraph", unit, rule="paragraph")


#: The body rules, in the order they are tried; the first match types the unit.
UNIT_RULES: tuple[tuple[str, UnitRule], ...] = (
    ("source_trailer", rule_source_trailer),
    ("boilerplate", rule_boilerplate),
    ("byline", rule_byline),
    ("place_line", rule_place_line),
    ("author_bio", rule_author_bio),
    ("menu", rule_menu),
    ("caption", rule_caption),
    ("quote", rule_quote),
    ("subheading", rule_subheading),
    ("paragraph", rule_paragraph),
)


def is_quoted_heading(unit: str) -> bool:
    """A crosshead that quotes a speaker: the whole line in quotation marks, three or
    more words and no sentence end inside (a quoted sentence ends with its mark).

    >>> is_quoted_heading("‘U.S. lost golden opportunity to build trust with Iran’")
    True
    >>> is_quoted_heading("“We lost the chance to build trust with Iran.”")
    False
    >>> is_quoted_heading("“We lost,” he said, “and Iran’s trust with it”")
    False
    >>> is_quoted_heading("« Ce chiffre passe à 20 % pour les 15/19 ans. »")
    False
    """
    closers = _CLOSERS.get(unit[0], "")
    if len(unit) > MAX_SUBHEADING_CHARS or unit[-1] not in closers or len(unit.split()) < 3:
        return False
    inner = unit[1:-1].strip()
    if not inner or inner[-1] in QUOTED_SENTENCE_ENDS:
        return False
    for closer in closers:  # a closer inside ends the quotation early (not "Iran’s")
        at = inner.find(closer)
        while at >= 0:
            if not inner[at + 1:at + 2].isalpha():
                return False
            at = inner.find(closer, at + 1)
    return True


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
    if len(rest) <= len(unit) / 2 or rest[:1] in (",", "—", "–", "-", "،"):
        return True  # “…”, disse ele / « … » — a-t-il dit
    return quoted[-1:] in (",", ".", "!", "?", "،")


#: Hashtags and handles (social posts) and "3)" / "3." list numbers are never headings.
_NOT_A_HEADING = re.compile(r"(?:^|\s)[#@]\w|^\d{1,2}[.)]\s")


def is_subheading(unit: str) -> bool:
    """A short line without a sentence end.

    >>> is_subheading("Reactions abroad"), is_subheading("He was 72.")
    (True, False)
    >>> is_subheading("What happens next?"), is_subheading("Glory to Ukraine!")
    (True, False)
    >>> is_subheading("Hundreds starve. Why does a plane crash matter?")
    False
    >>> is_subheading("Nobody asks who shot the police #bagua"), is_subheading("3) He left?")
    (False, False)
    >>> is_subheading("‘U.S. lost golden opportunity to build trust with Iran’")
    True
    >>> is_subheading("Masa oyunları, beceri oyunları, havuz ve bahçe oyunları.”")
    False
    >>> is_subheading("The principle of minimal relocation to protect livelihoods; and")
    False
    """
    if unit.startswith(QUOTE_OPENERS) and is_quoted_heading(unit):
        unit = unit[1:-1]
    # a closing quotation mark after the sentence end ("... he said “no.”") ends it too
    if unit.rstrip("”\"»’")[-1:] in ".,;:…!。，；：！" or unit.startswith(QUOTE_OPENERS):
        return False
    if _UNSPACED.search(unit) and " " not in unit:
        short = len(unit) <= 40
    else:
        n_words = len(unit.split())
        if unit[-1] in "?？؟" and n_words > MAX_QUESTION_WORDS:
            return False  # a long question is a rhetorical sentence, not a crosshead
        short = (len(unit) <= MAX_SUBHEADING_CHARS and n_words <= MAX_SUBHEADING_WORDS
                 and any(c.isalpha() for c in unit))
    if short and unit.rsplit(None, 1)[-1].casefold() in DANGLING_WORDS:
        return False  # "... to protect livelihoods; and": a list item or a cut sentence
    # the sentence split is the costly test: only for lines short enough to be headings
    return short and not _NOT_A_HEADING.search(unit) and len(split_sentences(unit)) == 1


#: Rules that can match a unit longer than a byline (160) / a caption (500): the
#: others have tighter length limits, so long news lines (most units) skip them.
#: tests/newsetl/test_segment_rules.py checks that the skipped rules never match.
_SHORT_UNIT_RULES = frozenset(("place_line", "byline", "menu", "subheading"))
_RULES_OVER_BYLINE = tuple((n, r) for n, r in UNIT_RULES if n not in _SHORT_UNIT_RULES)
_RULES_OVER_CAPTION = tuple((n, r) for n, r in _RULES_OVER_BYLINE
                            if n not in ("author_bio", "caption"))


def classify_unit(unit: str, ctx: Context) -> Section:
    """Type one body unit (after the head) by the first matching rule."""
    if len(unit) > MAX_CAPTION_CHARS:
        rules = _RULES_OVER_CAPTION
    elif len(unit) > MAX_BYLINE_CHARS:
        rules = _RULES_OVER_BYLINE
    else:
        rules = UNIT_RULES
    for _name, rule in rules:
        section = rule(unit, ctx)
        if section is not None:
            return section
    raise AssertionError("rule_paragraph always matches")  # pragma: no cover


#: A menu is a run of at least this many short lines (:func:`is_short_line`).
MIN_MENU_RUN = 4
MAX_MENU_WORDS = 6
MAX_MENU_CHARS = 60


def is_short_line(unit: str) -> bool:
    """A menu-item-sized line: a few words, no sentence end.

    >>> is_short_line("Foreign policy"), is_short_line("He resigned.")
    (True, False)
    """
    return (len(unit) <= MAX_MENU_CHARS and len(unit.split()) <= MAX_MENU_WORDS
            and unit[-1] not in ".!?…。！？" and not byline_authors(unit))


def menu_runs(units: list[str]) -> list[bool]:
    """Which units sit in a run of :data:`MIN_MENU_RUN` or more short lines: navigation
    menus, tag and topic lists, metadata blocks. A crosshead stands alone between
    paragraphs, so it is never in such a run.

    >>> menu_runs(["Home", "World", "Sport", "Video", "A paragraph of news text.", "Topics"])
    [True, True, True, True, False, False]
    """
    flags = [False] * len(units)
    start = 0
    while start < len(units):
        end = start
        while end < len(units) and is_short_line(units[end]):
            end += 1
        if end - start >= MIN_MENU_RUN:
            flags[start:end] = [True] * (end - start)
        start = max(end, start + 1)
    return flags


#: The dateline is read from the first news paragraph within this many body units.
DATELINE_UNITS = 6


#: Paragraphs shorter than this before the lead are page leftovers (a timestamp glued
#: to "Updated", a photo caption without a credit): the dateline may follow them.
MAX_PRE_DATELINE_CHARS = 200


def _find_dateline(result: Segmented, body_start: int) -> None:
    """The dateline of the first news paragraph. Short paragraphs before it (page
    leftovers the rules did not type) are passed over, a longer one is the lead; after
    such leftovers only a dateline that names an agency or a date counts
    ("INDIANAPOLIS (AP)", "BEIRUT, March 7 (Reuters)"), as a bare capitalised word
    there is as often a kicker ("WARNING GRAPHIC DETAIL")."""
    first = True
    for section in result.sections[body_start:body_start + DATELINE_UNITS]:
        if section.kind == "quote":
            return
        if section.kind != "paragraph":
            continue
        found = find_dateline(section.text)
        if found and (first or "(" in found or any(c.isdigit() for c in found)):
            result.dateline = found
            return
        if len(section.text) >= MAX_PRE_DATELINE_CHARS:
            return
        first = False


def segment(text: str, title_hint: str | None = None, filename: str | None = None
            ) -> Segmented:
    """Type every unit of a cleaned article (see the module docstring for the rules)."""
    result = Segmented()
    cut: set[int] = set()
    units = split_units(text, _stands_alone, result.steps, cut)
    in_menu = menu_runs(units)
    start = type_head(units, title_hint, filename, result, in_menu)
    body_start = len(result.sections)
    ctx = Context(units, start, start, result, in_menu, cut=frozenset(cut))
    for index in range(start, len(units)):
        ctx.index = index
        section = classify_unit(units[index], ctx)
        result.sections.append(section)
        ctx.seen_body = ctx.seen_body or section.kind in ("paragraph", "quote")
    agency_sign_off(result.sections, body_start)
    captions_above_credits(result.sections)
    caption_run_under_head(result.sections, body_start)
    caption_echoes(result.sections)
    gallery_captions(result.sections)
    caption_lists(result.sections)
    gallery_counters(result.sections)
    title_repeats(result.sections, body_start)
    _find_dateline(result, body_start)
    return result


#: A slide's counter opening its caption: "1/50 United going down…".
_SLIDE_COUNTER = re.compile(r"^(\d{1,3})\s?/\s?(\d{1,3})(?!\d)\s?(?=\S)")
MIN_GALLERY_SLIDES = 3


def gallery_counters(sections: list[Section]) -> None:
    """A run of at least :data:`MIN_GALLERY_SLIDES` units opening with slide counters
    of one gallery ("1/50 …", "2/50 …": the same total, each one more than the last) are
    the gallery's captions, not the article's text (rule ``gallery_counter``).

    >>> secs = [Section("paragraph", f"{k}/50 Slide {k} shows a street.") for k in (1, 2, 3)]
    >>> secs.append(Section("paragraph", "9/11 changed the city."))
    >>> gallery_counters(secs); [s.kind for s in secs]
    ['caption', 'caption', 'caption', 'paragraph']
    """
    run: list[Section] = []
    last: tuple[int, int] | None = None
    for section in [*sections, None]:
        found = (_SLIDE_COUNTER.match(section.text) if section is not None
                 and section.kind in ("paragraph", "subheading", "quote") else None)
        counter = (int(found[1]), int(found[2])) if found else None
        if counter and counter[0] > counter[1]:
            counter = None  # "24/7", "9/11": no slide of a gallery
        if counter and last and counter == (last[0] + 1, last[1]):
            run.append(section)
        else:
            if len(run) >= MIN_GALLERY_SLIDES:
                for slide in run:
                    slide.kind, slide.rule = "caption", "gallery_counter"
            run = [section] if counter else []
        last = counter


#: A page's headline repeated in the body shows up among its first units.
MAX_TITLE_REPEAT_POSITION = 6


def _loose_title_key(text: str) -> str:
    """A title less case, punctuation, quotes and dashes ("“Burned Her Up”" and
    '"Burned Her Up"' alike)."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def title_repeats(sections: list[Section], body_start: int) -> None:
    """A body unit among the first few, before the article's first long paragraph,
    that repeats the title given beside the text (a page or record title repeated
    after a date or chrome line) is boilerplate (rule ``title_repeat``): the article
    keeps it once, as its title.

    >>> secs = [Section("title", "Student Dies After Pills “Burned Her Up”", rule="record_title"),
    ...         Section("paragraph", "May 5, 2015"),
    ...         Section("paragraph", 'Student dies after pills "burned her up"'),
    ...         Section("paragraph", "A student died.")]
    >>> title_repeats(secs, 1); [s.kind for s in secs]
    ['title', 'paragraph', 'boilerplate', 'paragraph']
    """
    titles = [s.text for s in sections[:body_start]
              if s.kind == "title" and s.rule == "record_title"]
    key = _loose_title_key(titles[0]) if titles else ""
    if len(key) < MIN_TITLE_REPEAT_CHARS:
        return
    for section in sections[body_start:body_start + MAX_TITLE_REPEAT_POSITION]:
        if (section.kind in ("paragraph", "subheading", "quote")
                and _loose_title_key(section.text) == key):
            section.kind, section.rule = "boilerplate", "title_repeat"
        elif section.kind == "paragraph" and len(section.text) > MAX_TITLE_CHARS // 2:
            return  # the article has begun: a later copy is the text quoting itself


#: Shorter titles ("Update", "News") are repeated by chance, not by the page.
MIN_TITLE_REPEAT_CHARS = 20


#: Wire services that sign their copy off with their name alone on the last line
#: ("Reuter", the agency's sign-off in its 1980s copy).
_SIGN_OFFS = frozenset(a.casefold() for a in (*AGENCIES, "Reuter", "AP-NY", "UPI"))


def agency_sign_off(sections: list[Section], body_start: int) -> None:
    """The body's last unit when it is only a wire service's name ("Reuter", "(AFP)",
    "dpa.") is its sign-off, not a paragraph (rule ``agency_sign_off``); the same name
    elsewhere, or with words around it, stays what it was typed. A last unit of a few
    words ending with a colon is a dangling label (rule ``dangling_label``).

    >>> secs = [Section("paragraph", "The talks end today."), Section("paragraph", " Reuter")]
    >>> agency_sign_off(secs, 0); [(s.kind, s.rule) for s in secs]
    [('paragraph', ''), ('boilerplate', 'agency_sign_off')]
    """
    if len(sections) <= body_start + 1:
        return
    last = sections[-1]
    if (last.kind in ("paragraph", "subheading", "source")
            and last.text.strip(" .()-–—/").casefold() in _SIGN_OFFS):
        last.kind, last.rule = "boilerplate", "agency_sign_off"
    elif (last.kind in ("paragraph", "subheading") and last.text.endswith((":", "："))
          and len(last.text.split()) <= MAX_DANGLING_LABEL_WORDS):
        last.kind, last.rule = "boilerplate", "dangling_label"  # "Ein Beitrag von:"


#: A short line ending with a colon as the body's last unit labels what the page had
#: after the article (links, an author box): nothing follows it here.
MAX_DANGLING_LABEL_WORDS = 6


#: A paragraph this short right above a credit-only line is that picture's caption.
MAX_CAPTION_ABOVE_CREDIT = 300
#: ... and of at most this many sentences (a news paragraph above a chart's credit is
#: no caption).
MAX_CAPTION_ABOVE_CREDIT_SENTENCES = 2


def captions_above_credits(sections: list[Section]) -> None:
    """A credit-only caption line ("Divulgação/ Cleberson Silva/ Chapecoense") makes the
    short paragraph right above it a caption too (rule ``caption_above_credit``)."""
    for above, below in zip(sections, sections[1:], strict=False):
        if (below.kind == "caption" and below.credit and above.kind == "paragraph"
                and len(above.text) <= MAX_CAPTION_ABOVE_CREDIT
                and not strip_credit(below.text, below.credit).strip(" .()")
                and len(split_sentences(above.text)) <= MAX_CAPTION_ABOVE_CREDIT_SENTENCES):
            above.kind, above.rule = "caption", "caption_above_credit"


#: A caption echo is at least this long (shorter prefixes are ordinary repetition).
MIN_ECHO_CHARS = 40


#: What follows a caption echo in the paragraph it repeats: a clause ends there.
_CLAUSE_MARKS = tuple(",;:—–(،")


def caption_echoes(sections: list[Section]) -> None:
    """A line without a sentence end that the next paragraph opens with, word for word,
    up to a clause mark, is the picture's caption repeating the lead (page text keeps the
    image's caption above the paragraph it quotes) (rule ``caption_echo``). A line cut
    mid-clause is a scraper's echo, not a caption.

    >>> lead = "The new centre, opened on Friday (9) by the institute (Fiocruz)"
    >>> secs = [Section("paragraph", lead), Section("paragraph", lead + ", will serve many.")]
    >>> caption_echoes(secs); [s.kind for s in secs]
    ['caption', 'paragraph']
    """
    for above, below in zip(sections, sections[1:], strict=False):
        text = above.text
        if (above.kind == "paragraph" and below.kind == "paragraph"
                and len(text) >= MIN_ECHO_CHARS and text[-1] not in ".!?…。！？"
                and below.text[len(text):len(text) + 1] in _CLAUSE_MARKS
                and below.text.startswith(text)):
            above.kind, above.rule = "caption", "caption_echo"


#: A photo gallery's captions open alike ("Dmitry Medvedev receives a letter of credence
#: from Ambassador of A." / "... of B."): at least this many paragraphs in a row, each at
#: most this long, each sharing at least this many leading characters with the next.
MIN_GALLERY_CAPTIONS = 3
MAX_GALLERY_CAPTION_CHARS = 400
MIN_GALLERY_PREFIX = 40


def gallery_captions(sections: list[Section]) -> None:
    """Runs of short paragraphs that each open with the same long words as the next are
    a gallery's captions: news paragraphs do not repeat their opening (rule
    ``caption_gallery``).

    >>> texts = [f"The President receives a letter of credence from the Ambassador of {c}."
    ...          for c in ("Chile", "Peru", "Mali")]
    >>> secs = [Section("paragraph", t) for t in [*texts, "He thanked them."]]
    >>> gallery_captions(secs); [s.kind for s in secs]
    ['caption', 'caption', 'caption', 'paragraph']
    """
    index = 0
    while index < len(sections):
        run = index + 1
        while (run < len(sections) and _gallery_item(sections[run - 1])
               and _gallery_item(sections[run])
               and _open_alike(sections[run - 1].text, sections[run].text)):
            run += 1
        if run - index >= MIN_GALLERY_CAPTIONS:
            for section in sections[index:run]:
                section.kind, section.rule = "caption", "caption_gallery"
        index = run


#: A list item: "1) ...", "2. ...", "a) ...", or a bullet.
_LIST_ITEM = re.compile(r"^(?:\d{1,2}|[a-z])[).]\s|^[•·*–-]\s")


def caption_lists(sections: list[Section]) -> None:
    """The numbered or bulleted lines right under a caption that ends with a colon are
    that caption's parts ("(Upper left hand corner and clockwise):" / "1) ..." /
    "2) ...": a comic's or a gallery's panels) (rule ``caption_list``).

    >>> secs = [Section("caption", "The panels (clockwise from left):"),
    ...         Section("paragraph", "1) The tree goes back."),
    ...         Section("paragraph", "2) The guests left."), Section("paragraph", "Next.")]
    >>> caption_lists(secs); [s.kind for s in secs]
    ['caption', 'caption', 'caption', 'paragraph']
    """
    for index, section in enumerate(sections):
        if section.kind != "caption" or not section.text.rstrip().endswith((":", "：")):
            continue
        for item in sections[index + 1:]:
            if item.kind != "paragraph" or not _LIST_ITEM.match(item.text):
                break
            item.kind, item.rule = "caption", "caption_list"


def _gallery_item(section: Section) -> bool:
    return section.kind == "paragraph" and len(section.text) <= MAX_GALLERY_CAPTION_CHARS


def _open_alike(a: str, b: str) -> bool:
    """Whether two texts share their first :data:`MIN_GALLERY_PREFIX` characters."""
    return len(a) >= MIN_GALLERY_PREFIX and a[:MIN_GALLERY_PREFIX] == b[:MIN_GALLERY_PREFIX]


#: Slide captions between the head's date/place lines and the body: each at most this
#: long and two sentences, at least this many in a row.
MAX_SLIDE_CAPTION_CHARS = 130
#: ... and at most this long in a run that ends with a line naming the headline.
MAX_NAMING_CAPTION_CHARS = 250
MIN_SLIDE_CAPTIONS = 2


def caption_run_under_head(sections: list[Section], body_start: int) -> None:
    """A photo gallery's captions, as page text leaves them: a run of short lines
    ("With President of Brazil Dilma Rousseff.", "Signing joint documents.") after the
    head's date, time or place lines and before the first news paragraph.

    The run is captions when it has two untyped lines or more and the paragraph after
    it is longer than any of them (rule ``caption_under_head``): a lead paragraph comes right
    after the head (or opens with a dateline), so it never sits in such a run. Otherwise
    its lines up to the last one that names the headline's event are captions (rule
    ``caption_names_headline``, :func:`names_headline`): a picture under the head shows
    what the headline says ("Meeting with President of China Hu Jintao." under "Dmitry
    Medvedev met with President of China Hu Jintao"), where a lead adds the news.

    >>> secs = [Section("title", "Dmitry Medvedev met with President of China Hu Jintao"),
    ...         Section("boilerplate", "May 9, 2010", rule="timestamp"),
    ...         Section("paragraph", "Meeting with President of China Hu Jintao."),
    ...         Section("paragraph", "Mr Medvedev thanked the Chinese President.")]
    >>> caption_run_under_head(secs, 1); [s.kind for s in secs[2:]]
    ['caption', 'paragraph']
    """
    index = body_start
    while index < len(sections) and sections[index].kind in ("boilerplate", "byline"):
        index += 1
    if index == body_start or sections[body_start].rule not in _HEAD_META_RULES:
        return
    run = _slide_run(sections, index, MAX_SLIDE_CAPTION_CHARS)
    after = sections[run] if run < len(sections) else None
    lines = [s for s in sections[index:run] if s.kind == "paragraph"]
    if (len(lines) >= MIN_SLIDE_CAPTIONS and after is not None and after.kind == "paragraph"
            and len(after.text) > max(len(s.text) for s in lines)):
        _mark_captions(sections[index:run], "caption_under_head")
        return
    headline = " ".join(s.text for s in sections[:body_start] if s.kind in ("title", "deck"))
    run = _slide_run(sections, index, MAX_NAMING_CAPTION_CHARS)
    named = [k for k in range(index, run) if names_headline(sections[k].text, headline)]
    if named:
        _mark_captions(sections[index:named[-1] + 1], "caption_names_headline")


def _mark_captions(sections: list[Section], rule: str) -> None:
    for section in sections:
        if section.kind == "paragraph":
            section.kind, section.rule = "caption", rule


_HEAD_META_RULES = frozenset(("timestamp", "place_line"))
#: Words this long carry a line's content in space-separated scripts ("with", "china");
#: shorter ones are mostly function words.
_CONTENT_WORD = re.compile(r"[^\W\d_]{4,}")
#: A line names the headline when at least this share of its content words (and at
#: least :data:`MIN_HEADLINE_WORDS` of them) are in the title or deck.
MIN_HEADLINE_SHARE = 0.6
MIN_HEADLINE_WORDS = 3


def names_headline(line: str, headline: str) -> bool:
    """Whether the first sentence of ``line`` is mostly the headline's own words (a
    caption names the event first, then may say who is in the picture).

    >>> names_headline("With President of Uganda Yoweri Museveni.",
    ...                "Meeting with President of Uganda Yoweri Museveni")
    True
    >>> names_headline("Meeting with Ugandan officials. Yoweri Museveni and his ministers.",
    ...                "Meeting with Ugandan officials")
    True
    >>> names_headline("Two Presidents also exchanged views on Africa.",
    ...                "Meeting with President of Uganda Yoweri Museveni")
    False
    """
    words = set(_CONTENT_WORD.findall(split_sentences(line)[0].casefold()))
    shared = words & set(_CONTENT_WORD.findall(headline.casefold()))
    return len(shared) >= MIN_HEADLINE_WORDS and len(shared) >= MIN_HEADLINE_SHARE * len(words)


def _slide_run(sections: list[Section], start: int, max_chars: int) -> int:
    """The end of the run of slide-caption-shaped sections from ``start``."""
    end = start
    while end < len(sections) and _slide_caption(sections[end], max_chars):
        end += 1
    return end


def _slide_caption(section: Section, max_chars: int) -> bool:
    """A slide caption's shape: a short line of at most two sentences, no dateline (a
    line a caption rule already typed counts)."""
    text = section.text
    if section.kind == "caption":
        return True
    return (section.kind == "paragraph" and len(text) <= max_chars
            and text[-1] in ".!?…。" and len(split_sentences(text)) <= 2
            and find_dateline(text) is None)


def _stands_alone(line: str) -> bool:
    """A line never joined to a wrapped neighbour: boilerplate and source trailers."""
    return is_boilerplate(line) or source_trailer(line) is not None
