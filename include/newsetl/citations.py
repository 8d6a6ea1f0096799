"""Source lists at the end of an article: "Outlet “Title”. Publisher, 3 May 2007."

Wikinews and many blogs close an article with the reports it was based on. Dumps often
glue that list to the last paragraph. A list is two or more citations in a row at the
very end of a unit, each a quoted title (in 『』, 「」, “” or "") with at most a short
outlet name before it, optionally followed by a "Publisher, date" part, the whole list
ending with a date. The list is cut off (:func:`citation_tail`) and typed boilerplate
(``boilerplate.is_citation_list``), so it never stays in ``body``.

Sentence splitting is no help here: titles hold "…", "!" and "7.1". So the list is one
regular expression anchored at the end of the unit and at a sentence start.
"""

from __future__ import annotations

import re

from newsetl import lexicon

_YEAR = r"(?:19|20)\d\d"
#: A citation list ends with a year and at most a day, a month and a time after it.
_ENDS_DATED = re.compile(_YEAR + r"[^.。!?]{0,40}[.。]?\s*$")
_MONTH = "|".join(sorted((m for m in lexicon.MONTHS if len(m) > 2), key=len, reverse=True))
_DATE = rf"(?:{_YEAR}|(?:\d{{1,2}}\s+)?(?:{_MONTH})\.?\s+\d{{0,2}},?\s*{_YEAR})"
_TITLE = r"(?:『[^』]{1,300}』|「[^」]{1,300}」|“[^”]{1,300}”|\"[^\"\n]{1,300}\")"
_NOT_TITLE = "『「“\"\n"
#: A character of an outlet name: no sentence end ("asahi.com" and the tokenised
#: "SANSPO . COM" keep their dots, "Thursday. “Title”" does not).
_NAME_CHAR = rf"(?:[^{_NOT_TITLE}。!?.]|(?<=\s)\.|\.(?=\S))"
#: "Publisher, 2007 年 5 月 3 日 朝刊。", "— Reuters, May 3, 2007."
_DATED = (rf"(?:(?![,、，]){_NAME_CHAR}){{1,60}}[,、，]\s*{_DATE}"
          rf"[^{_NOT_TITLE}。!?]{{0,40}}[.。]?")
_CITATION = rf"{_NAME_CHAR}{{0,60}}?{_TITLE}\s*[.。]?\s*(?:{_DATED}\s*)?"
#: Two or more citations up to the end, starting where a sentence starts. Each citation
#: is an atomic group: once one has matched, the engine does not go back into it to try
#: other splits of its name, title and date. Without that, a line with many straight
#: quotes (HTML attributes, JSON, code given as text) took minutes of backtracking for
#: one 1,000-character unit; with it, a search is linear in the window.
_LIST = re.compile(rf"(?:^|(?<=[.!?]\s)|(?<=[。！？]))\s*(?:(?>{_CITATION})){{2,}}$",
                   re.IGNORECASE)
#: A list is looked for in this many characters at the end of a unit.
LIST_WINDOW = 4000


def might_end_with_citations(unit: str) -> bool:
    """The cheap gate: a source list ends with a date (a year in its last characters)."""
    tail = unit[-60:]
    return ("19" in tail or "20" in tail) and _ENDS_DATED.search(tail) is not None


def citation_tail(unit: str) -> int:
    """Where a glued source list starts in ``unit``, or -1.

    >>> text = ("The ministry confirmed the death on Thursday. "
    ...         "“Former governor dies at 75”. Example Daily, 3 May 2007. "
    ...         "“Governor Knock dead”. Example Times, May 3, 2007.")
    >>> text[citation_tail(text):][:30]
    '“Former governor dies at 75”. '
    >>> ja = ("死去 し た。  asahi . com 『 元 知事 死去 、 75 歳 』。"
    ...       "  朝日新聞 、 2007 年 5 月 3 日。"
    ...       "  読売 『 宮城 沖 震源 …』。  読売新聞 、 2011 年 4 月 8 日。")
    >>> ja[citation_tail(ja):][:10]
    'asahi . co'
    >>> plain = "He said it was over. “We will rebuild,” she said on May 3, 2007."
    >>> citation_tail(plain)
    -1
    """
    if not might_end_with_citations(unit):
        return -1
    offset = max(0, len(unit) - LIST_WINDOW)
    match = _LIST.search(unit, offset)
    if match is None:
        return -1
    start = match.start()
    return start + len(unit[start:]) - len(unit[start:].lstrip())


def is_citation_list(line: str) -> bool:
    """A line made only of citations (the tail cut by :func:`citation_tail`).

    >>> is_citation_list("asahi.com 『Former governor dies』。 Asahi Shimbun、2007年5月3日。"
    ...                  "『Governor dead』。 Yomiuri、2007年5月3日。")
    True
    >>> is_citation_list("The talks ended on 3 May 2007.")
    False
    """
    return citation_tail(line) == 0
