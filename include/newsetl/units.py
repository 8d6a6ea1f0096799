"""Cut a cleaned article into units: the pieces that section typing gives a kind.

A unit is a line of the cleaned text, except that

- hard-wrapped lines are joined back (:func:`split_units`);
- a very long line (a one-line article, a glued dump) is cut into sentence groups
  (:func:`split_long_unit`), so the article keeps a body instead of becoming a title;
- a footer glued to the end of a news line (licence, reprint notice, form widget,
  editor initials) is cut off into a unit of its own (:func:`split_glued_tail`), so the
  news part stays in the body and the footer can be typed boilerplate.

Each step that changed the units is named in ``steps`` (an audit trail that ends up in
the article's ``cleaning_rules``).
"""

from __future__ import annotations

import re

from newsetl import lexicon
from newsetl.citations import citation_tail

TERMINAL = ".!?…:;»\"”’)]。！？"
#: Sentence ends of scripts written without spaces.
_CJK_STOPS = "。！？"

# --- sentences -----------------------------------------------------------------------

_BOUNDARY = re.compile(r"[.!?…]+[\"”»’)\]]*\s+|[。！？]+[”」』]*\s*")
_ABBREVIATIONS = frozenset((
    "mr", "mrs", "ms", "dr", "prof", "st", "gen", "col", "lt", "sgt", "gov", "sen", "rep",
    "jr", "sr", "inc", "ltd", "co", "corp", "vs", "etc", "no", "nr", "art", "fig", "vol",
    "mt", "ft", "capt", "cmdr", "adm", "maj", "pres", "rev", "hon", "sra", "sr", "dra",
    "mme", "mlle", "hr", "fr", "dipl", "ing", "bzw", "ca", "z.b", "u.a", "d.h", "т.е",
    "г", "гг", "ул", "им", "т", "д", "jan", "feb", "aug", "sept", "oct", "nov", "dec",
))
_OPENERS = "\"“«„‘(['「『"
_QUOTE_OPENERS = ("“", "«", "„", '"', "「")


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph: after . ! ? … (and 。！？) before a capital or a quote.

    Abbreviations ("Mr.", "U.S.", "Dr.") and initials do not end a sentence.

    >>> split_sentences("Mr. Smith went to Washington. He met the U.S. president. “Yes,” he said.")
    ['Mr. Smith went to Washington.', 'He met the U.S. president.', '“Yes,” he said.']
    >>> split_sentences("会议指出。经济运行面临挑战。")
    ['会议指出。', '经济运行面临挑战。']
    """
    out: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if end >= len(text):
            break
        if match.group()[0] not in _CJK_STOPS and not _sentence_starts(text, end):
            continue
        if match.group()[0] == "." and _is_abbreviation(text, match.start()):
            continue
        out.append(text[start:end].strip())
        start = end
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def _sentence_starts(text: str, pos: int) -> bool:
    char = text[pos]
    return char in _OPENERS or char.isdigit() or (char.isalpha() and not char.islower())


#: Abbreviations are short: the word before a period is looked for this far back only
#: (a bounded look keeps a megabyte-long line linear).
_MAX_WORD_CHARS = 40


def _is_abbreviation(text: str, dot: int) -> bool:
    low = max(0, dot - _MAX_WORD_CHARS)
    word_start = max(text.rfind(" ", low, dot), text.rfind("\n", low, dot), low - 1) + 1
    word = text[word_start:dot].lstrip(_OPENERS)
    if "." in word or (len(word) == 1 and word.isalpha()):
        return True  # "U.S.", "J. Smith"
    return word.casefold() in _ABBREVIATIONS


# --- long lines ----------------------------------------------------------------------

#: A line longer than this is a glued or one-line article, not a paragraph.
LONG_UNIT_CHARS = 1200
#: Sentence groups cut from a long line aim at this many characters.
GROUP_CHARS = 400


def split_long_unit(unit: str) -> list[str]:
    """A very long line cut into groups of whole sentences (about ``GROUP_CHARS`` each).

    >>> parts = split_long_unit(" ".join(["This is one sentence of a glued article."] * 60))
    >>> len(parts) > 4 and all(p.endswith(".") for p in parts)
    True
    >>> split_long_unit("Short line.")
    ['Short line.']
    """
    if len(unit) <= LONG_UNIT_CHARS:
        return [unit]
    sentences = split_sentences(unit)
    if len(sentences) < 2:
        return [unit]
    groups: list[str] = []
    current = ""
    for sentence in sentences:
        if current and sentence.startswith(_QUOTE_OPENERS):
            groups.append(current)  # a quotation opens a paragraph of its own
            current = ""
        current = f"{current} {sentence}" if current else sentence
        if len(current) >= GROUP_CHARS:
            groups.append(current)
            current = ""
    if current:
        if groups and len(current) < GROUP_CHARS // 4:
            groups[-1] = f"{groups[-1]} {current}"
        else:
            groups.append(current)
    return groups


# --- glued footers ---------------------------------------------------------------------

_FOOTER = re.compile("|".join(f"(?:{p})" for p in lexicon.FOOTER_OPENERS), re.IGNORECASE)
#: "... he said. EF/MA", "... a déclaré. (JM/AFP)": editor or desk initials at the end.
_GLUED_INITIALS = re.compile(
    r"(?<=[.!?”\"»])\s+(?P<tail>\(?[A-ZÀ-ÞА-Я]{1,4}(?:\s?/\s?(?:[A-ZÀ-ÞА-Я][A-Za-zÀ-ÿА-я]{0,4})?)"
    r"{0,3}\)?(?:\s+[A-Z]{2,5}){0,2}\.?)$")
_YEAR_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:19|20)\d\d", re.IGNORECASE)
_ANY_FOOTER = re.compile(f"{_FOOTER.pattern}|{_YEAR_COPYRIGHT.pattern}", re.IGNORECASE)


#: Where a glued footer may start: the line start, after a sentence end, or after desk
#: initials or an end mark ("... countries. MA/MG All Content by ...", "... END All ...").
#: One search each, the footer as a look-ahead: the first regex starts with a character
#: class, which the engine scans for fast; the second (with a look-behind) only runs on
#: the rare lines it can match.
_GLUED_AFTER_SENTENCE = re.compile(
    r"[.!?…”\"»)]\s*(?=(?i:" + _ANY_FOOTER.pattern + "))")
# case-sensitive: desk initials are capitals ("MA/MG", "END"), the footer is any case
_GLUED_AFTER_DESK = re.compile(
    r"(?<![\w/])[A-Z]{1,5}(?:/[A-Z]{0,5})*\s+(?=(?i:" + _ANY_FOOTER.pattern + "))")


def footer_here(line: str, pos: int = 0) -> bool:
    """Whether a licence/reprint/widget/follow footer or a dated rights line starts at
    ``pos`` (:data:`lexicon.FOOTER_OPENERS`).

    >>> footer_here("Follow him on Twitter here."), footer_here("He will follow them on")
    (True, False)
    """
    return _ANY_FOOTER.match(line, pos) is not None


def footer_at(line: str) -> int:
    """Where a glued footer starts in ``line`` (at its start or after a sentence end or
    desk initials), or -1. Only those few places are tried, not every position.

    >>> line = "The talks end on Friday. All Content by Example News is licensed under a CC BY"
    >>> line[footer_at(line):]
    'All Content by Example News is licensed under a CC BY'
    >>> footer_at("He was licensed under a Creative Commons scheme, he said.")
    -1
    >>> line = "Ties will grow. MA/MG All Content by Mehr News is licensed under a CC BY"
    >>> line[footer_at(line):][:11]
    'All Content'
    >>> footer_at("The deal grew / he said all content is licensed under a CC BY")
    -1
    """
    if footer_here(line):
        return 0
    after_sentence = _GLUED_AFTER_SENTENCE.search(line)
    cut = after_sentence.end() if after_sentence else -1
    if "/" in line or "END" in line:  # rare: desk initials or an end mark before a footer
        after_desk = _GLUED_AFTER_DESK.search(line)
        if after_desk and (cut < 0 or after_desk.end() < cut):
            cut = after_desk.end()
    return cut


def split_glued_tail(unit: str) -> list[str]:
    """A news line with a footer glued to its end, cut in two.

    >>> split_glued_tail("The minister resigned on Tuesday, he said. EF/MA")
    ['The minister resigned on Tuesday, he said.', 'EF/MA']
    >>> split_glued_tail("Others will attend, the ministry said. AK/")
    ['Others will attend, the ministry said.', 'AK/']
    >>> split_glued_tail("It is financed on the buy-back scheme. FK/ML END MNA")
    ['It is financed on the buy-back scheme.', 'FK/ML END MNA']
    >>> split_glued_tail("Votes are counted. This field is for validation purposes and should "
    ...                  "be left unchanged.")
    ['Votes are counted.', 'This field is for validation purposes and should be left unchanged.']
    >>> split_glued_tail("A plain news line.")
    ['A plain news line.']
    """
    if len(unit) < 20:
        return [unit]
    cut = footer_at(unit)
    if cut > 0:
        return [*split_glued_tail(unit[:cut].rstrip()), *split_glued_tail(unit[cut:].strip())]
    match = (_GLUED_INITIALS.search(unit)
             if "/" in unit[-14:] or unit.endswith(("END", "ENDS")) else None)
    if match:
        return [unit[:match.start()].rstrip(), match.group("tail")]
    return [unit]


def split_citation_tail(unit: str) -> list[str]:
    """A paragraph with a source list glued to its end, cut in two
    (:mod:`newsetl.citations`).

    >>> split_citation_tail("He died on Thursday. “Governor dies”. Example Daily, 3 May 2007. "
    ...                     "“Knock dead”. Example Times, 3 May 2007.")[1][:16]
    '“Governor dies”.'
    >>> split_citation_tail("He died. “Governor dies”. Example Daily, 3 May 2007.")
    ['He died. “Governor dies”. Example Daily, 3 May 2007.']
    """
    cut = citation_tail(unit)
    if cut <= 0:
        return [unit]
    return [unit[:cut].rstrip(), unit[cut:].strip()]


#: A quotation that ends with one of these is a quoted sentence, question or clause.
QUOTED_SENTENCE_ENDS = frozenset(TERMINAL + ",?!؟…،")
#: A quoted crosshead glued to the paragraph under it ("‘U.S. lost golden opportunity to
#: build trust with Iran’ The Iranian foreign minister also said ..."): a quotation of
#: three or more words without a sentence end, closed and followed by a capital.
_GLUED_QUOTED_HEADING = re.compile(
    r"^(?:‘[^‘’\n]{8,100}’|“[^“”\n]{8,100}”|«[^«»\n]{8,100}»)(?= [A-ZÀ-ÞА-Я])")
#: The paragraph after a glued crosshead is at least this long.
MIN_AFTER_HEADING_CHARS = 80


def split_glued_heading(unit: str) -> list[str]:
    """A quoted crosshead that a scraper glued to the start of the next paragraph, cut
    off. Prose never runs a closing quotation mark into a capitalised word without a
    punctuation mark between them; a quotation that ends a sentence, or of one or two
    words ("“Hamlet” Director ..."), stays.

    >>> split_glued_heading("‘U.S. lost golden opportunity to build trust with Iran’ The "
    ...                     "Iranian foreign minister also said the United States lost it "
    ...                     "in 2015, weeks after the deal.")[0]
    '‘U.S. lost golden opportunity to build trust with Iran’'
    >>> len(split_glued_heading("«Какие требования выдвигаются? » Когда отца принимали в члены "
    ...                         "ложи, ему завязали глаза и отвернули вверх рукава пиджака."))
    1
    >>> len(split_glued_heading("“We will fight on.” The minister then left the room, "
    ...                         "followed by his aides and a crowd of reporters."))
    1
    """
    match = _GLUED_QUOTED_HEADING.match(unit)
    if match is None:
        return [unit]
    head, rest = match.group(0), unit[match.end():].strip()
    if (head[1:-1].rstrip()[-1:] in QUOTED_SENTENCE_ENDS or len(head.split()) < 3
            or len(rest) < MIN_AFTER_HEADING_CHARS):
        return [unit]
    return [head, rest]


# --- blocks and hard wraps -------------------------------------------------------------

#: Hard-wrapped lines are at least this wide and this close to the block's widest line.
MIN_WRAP_WIDTH = 50
WRAP_FILL = 0.8
#: A block whose lines are not all full is still hard-wrapped when at least this share
#: of its lines (and :data:`MIN_FULL_LINES`) are full and it is no wider than
#: :data:`MAX_WRAP_WIDTH` (typewriter and terminal columns): wire copy wraps every
#: paragraph, whose last line is short, and keeps the headline in the same block.
WRAP_SHARE = 0.5
MIN_FULL_LINES = 3
MAX_WRAP_WIDTH = 160


def _ends_sentence(line: str) -> bool:
    return line.rstrip()[-1:] in TERMINAL


def _is_full(line: str, width: int) -> bool:
    return len(line) >= WRAP_FILL * width and " " in line


def wrap_width(lines: list[str]) -> int:
    """The column a block of lines was cut at, or 0 when it was not hard-wrapped: every
    line but the last fills the block's width, or (paragraphs wrapped one after
    another, their last lines short) most lines do.

    >>> wrap_width(["The central bank intervened in the foreign exchange",
    ...             "market this morning for the third successive day.",
    ...             "It bought dollars, dealers said."])
    51
    >>> para = ["A paragraph wrapped at a fixed column goes on and on here",
    ...         "over several full lines before it ends with a short line."]
    >>> wrap_width(["HEADLINE OF THE STORY", *para, "The end.", *para, "The end."])
    57
    >>> wrap_width(["A line.", "Another, shorter line that stands alone as a paragraph."])
    0
    """
    if len(lines) < 2:
        return 0
    width = max(map(len, lines))
    if width < MIN_WRAP_WIDTH:
        return 0
    full = sum(_is_full(line, width) for line in lines[:-1])
    if full == len(lines) - 1:
        return width
    wrapped = (width <= MAX_WRAP_WIDTH and full >= MIN_FULL_LINES
               and full >= WRAP_SHARE * (len(lines) - 1))
    return width if wrapped else 0


#: A line that opens with one of these continues the previous line.
_CONTINUATION = ",.;:)]!?»”%"
_NO_SPACE_BEFORE = ",.;:)]!?%"
#: Text-node dumps (one line per HTML text node) cut sentences at links and emphasis.
MIN_NODE_HEAD_CHARS = 25
MAX_NODE_WORDS = 6


def _text_node_split(head: str, head_chars: int, line: str, after: str | None) -> bool:
    """Whether ``line`` is a short fragment (a link or emphasis text) inside a sentence
    that the unit so far (``head_chars`` long, ending with ``head``) left open and
    ``after`` goes on with ("... against the" + "Digital Crimes Bill" + ", organised by
    ..."). Menu items are not followed by a continuation.

    >>> _text_node_split("the", 31, "Digital Crimes Bill", ", organised by bloggers.")
    True
    >>> _text_node_split("Vote", 36, "Search", "Authors")
    False
    """
    last = head[-1]
    return (after is not None and (after[0].islower() or after[0] in _CONTINUATION)
            and head_chars >= MIN_NODE_HEAD_CHARS and (last.islower() or last == ",")
            and len(line.split()) <= MAX_NODE_WORDS)


def join_wrapped(lines: list[str], first_block: bool, stands_alone) -> list[str]:
    """Lines of one block, hard wraps joined back.

    A line is joined to the previous one when the previous does not end a sentence and
    this one starts with a lower-case letter (a wrapped paragraph), or when the block is
    hard-wrapped at a fixed column (:func:`wrap_width`), the previous line fills it and
    neither line stands alone (``stands_alone``: boilerplate or source lines). The head
    block's first two lines are never joined on a capital: a headline and its deck
    often have similar lengths.
    """
    width = wrap_width(lines)
    fill = WRAP_FILL * width if width and not (first_block and len(lines) == 2) else 0
    # a block wrapped paragraph by paragraph may open with its headline, as wide as a
    # full line: in the head block, the second line joins the first only on a small
    # letter, unless every line of the block is full
    head_fill = fill if fill and first_block and all(
        _is_full(line, width) for line in lines[:-1]) else 0
    units: list[str] = []
    parts: list[str] = []  # the lines of the unit being built (joined once: no O(n^2))
    length = 0
    for number, line in enumerate(lines):
        after = lines[number + 1] if number + 1 < len(lines) else None
        line_fill = head_fill if first_block and number == 1 else fill
        if parts and _joins(parts, length, line, after, line_fill, stands_alone):
            piece = line if line[0] in _NO_SPACE_BEFORE else f" {line}"
            parts.append(piece)
            length += len(piece)
        else:
            if parts:
                units.append("".join(parts))
            parts, length = [line], len(line)
    if parts:
        units.append("".join(parts))
    return units


#: Longer than this, a joined unit is no boilerplate line (see boilerplate.py limits).
_MAX_ALONE_CHARS = 600


#: Besides letters, a wrapped line may open with these and go on with the sentence.
_WRAPPED_OPENERS = "\"“‘«('"


def _joins(parts: list[str], length: int, line: str, after: str | None, fill: float,
           stands_alone) -> bool:
    """Whether ``line`` continues the unit made of ``parts`` (see :func:`join_wrapped`;
    ``fill``: how long a full line of a hard-wrapped block is, 0 when it is not one)."""
    last = parts[-1]
    if _ends_sentence(last):
        return False
    if (line[0].islower() or line[0] in _CONTINUATION
            or _text_node_split(last, length, line, after)):
        return True
    if not fill or len(last.lstrip()) < fill or stands_alone(line):
        return False  # a short line ends its paragraph (or is a headline)
    if not (line[0].isalnum() or line[0] in _WRAPPED_OPENERS):
        return False
    # a joined unit this long is no boilerplate line (see boilerplate.py's limits)
    return length > _MAX_ALONE_CHARS or not stands_alone("".join(parts))


def split_units(text: str, stands_alone, steps: list[str] | None = None,
                cut: set[int] | None = None) -> list[str]:
    """Blocks on blank lines; lines within a block are units, hard wraps joined back;
    long lines cut into sentence groups; glued footers cut off. The indexes of the
    sentence groups go to ``cut``: their bounds are guesses, not the author's.

    >>> split_units("Title\\n\\nFirst line of a para\\nwrapped here.\\nNew para.", lambda s: False)
    ['Title', 'First line of a para wrapped here.', 'New para.']
    """
    units: list[str] = []
    for number, block in enumerate(text.split("\n\n")):
        lines = [line for line in block.split("\n") if line]
        if lines:
            units.extend(join_wrapped(lines, number == 0, stands_alone))
    out: list[str] = []
    for unit in units:
        parts = split_glued_tail(unit)
        parts[-1:] = split_citation_tail(parts[-1])
        if len(parts) > 1 and steps is not None:
            steps.append("split_glued_footer")
        if unit[0] in "‘“«":
            heading = split_glued_heading(parts[0])
            if len(heading) > 1 and steps is not None:
                steps.append("split_glued_heading")
            parts[:1] = heading
        for part in parts:
            pieces = split_long_unit(part)
            if len(pieces) > 1:
                if steps is not None:
                    steps.append("split_long_line")
                if cut is not None:
                    cut.update(range(len(out), len(out) + len(pieces)))
            out.extend(pieces)
    if steps:
        steps[:] = sorted(set(steps))
    return out
