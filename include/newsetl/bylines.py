"""Bylines and the author names they carry.

A byline opens with a byline word ("By", "Por", "Von", "Автор", "بقلم" -- see
:data:`lexicon.BYLINE_WORDS`) followed by names only: one to five capitalised words
each (particles such as "de", "van", "bin" allowed), joined by commas or "and"-words,
optionally followed by an outlet or a date after ``|``, `` - `` or a comma. Anything
that reads as a sentence ("By Monday the talks had failed") is not a byline.
"""

from __future__ import annotations

import html
import re

from newsetl import lexicon

MAX_BYLINE_CHARS = 160
MAX_NAME_WORDS = 5
_BYLINE = re.compile(
    r"^(?:" + "|".join(re.escape(w) for w in sorted(lexicon.BYLINE_WORDS, key=len,
                                                     reverse=True))
    + r")(?:\s*[:：/]\s*|\s+)(?P<names>\S.*)$", re.IGNORECASE)
#: Where the names end: an outlet, a date or a role after a bar, a dash or a bullet.
_NAMES_END = re.compile(r"\s+[|•·–—-]\s+|\s*\|\s*|\s{2,}")
_JOINERS = re.compile(r"\s*,\s*|\s+(?:and|&|y|et|und|e|en|i|и|та|و|og|och|ve)\s+|\s*،\s*|、")
_PARTICLES = frozenset(("de", "da", "do", "dos", "das", "del", "della", "di", "van", "von",
                        "der", "den", "la", "le", "bin", "bint", "ibn", "al", "el", "ter",
                        "y", "st.", "mc", "mac"))
_NOT_NAMES = frozenset(w.casefold() for w in lexicon.BYLINE_NON_NAMES)
#: Single words that make a comma-separated part of a byline a role, not a name
#: ("Von Robin Amberg, Volontär (Sport)", "Jane Doe, News Reporter").
_ROLE_WORDS = frozenset(w for role in (*lexicon.BYLINE_ROLES, *lexicon.BIO_ROLES)
                        for w in role.casefold().split() if len(w) > 3) | frozenset((
    "volontär", "volontärin", "volontaire", "trainee", "stagiaire", "praktikant",
    "praktikantin", "autor", "autorin", "chefredakteur", "chefredakteurin"))


def _is_role(part: str) -> bool:
    """A part of a byline that names a role (or holds a parenthesis): not an author.

    >>> _is_role("Volontär (Sport)"), _is_role("News Reporter"), _is_role("Jane Doe")
    (True, True, False)
    """
    return "(" in part or any(w.strip(".,()").casefold() in _ROLE_WORDS
                              for w in part.split())


def _is_name(name: str) -> bool:
    words = name.split()
    if not 1 <= len(words) <= MAX_NAME_WORDS:
        return False
    if words[0].casefold().strip(",.") in lexicon.WEEKDAYS or words[0].casefold() in (
            "the", "a", "an"):
        return False
    capitalised = 0
    for word in words:
        bare = word.strip(".,'’()")
        if not bare or any(c.isdigit() for c in bare):
            return False
        if bare.casefold() in _PARTICLES or bare.casefold().startswith(("al-", "el-")):
            continue
        first = bare[0]
        if first.islower():
            return False
        capitalised += first.isupper() or not (first.isupper() or first.islower())
    return capitalised >= 1


_ROLE_AFTER_NAME = re.compile(
    r"^(?P<names>[^\W\d_][^,|•·–—\-]{2,80}?)\s*(?:[,|•·–—]|\s-)\s*\(?(?:"
    + "|".join(re.escape(r) for r in sorted(lexicon.BYLINE_ROLES, key=len, reverse=True))
    + r")\b", re.IGNORECASE)


def _names_with_role(line: str) -> list[str] | None:
    """"Débora Brito - Repórter da Agência Brasil" -> ["Débora Brito"]."""
    match = _ROLE_AFTER_NAME.match(line)
    if match is None:
        return None
    names = [n.strip(" .") for n in _JOINERS.split(match.group("names")) if n.strip(" .")]
    return names if names and all(_is_name(n) for n in names) else None


def byline_authors(line: str) -> list[str] | None:
    """The author names of a byline line, or None when the line is not a byline.

    >>> byline_authors("By Jane Doe and John Roe")
    ['Jane Doe', 'John Roe']
    >>> byline_authors("By JANE DOE, Associated Press")
    ['JANE DOE']
    >>> byline_authors("Por María Pérez | EFE")
    ['María Pérez']
    >>> byline_authors("Von Anna Schmidt und Jan de Vries")
    ['Anna Schmidt', 'Jan de Vries']
    >>> byline_authors("Von Robin Amberg, Volontär (Sport)")
    ['Robin Amberg']
    >>> byline_authors("By Monday the talks had failed.") is None
    True
    >>> byline_authors("By the end of the year, prices rose.") is None
    True
    >>> byline_authors("Автор: Иван Петров")
    ['Иван Петров']
    >>> byline_authors("Débora Brito - Repórter da Agência Brasil*")
    ['Débora Brito']
    >>> byline_authors("The minister - a former reporter - said no.") is None
    True
    """
    if len(line) > MAX_BYLINE_CHARS:
        return None
    match = _BYLINE.match(line)
    if match is None:
        return _names_with_role(line)
    names_part = _NAMES_END.split(match.group("names"), maxsplit=1)[0].strip(" .,")
    names = [n.strip(" .") for n in _JOINERS.split(names_part) if n and n.strip(" .")]
    authors: list[str] = []
    for i, name in enumerate(names):
        if name.casefold() in _NOT_NAMES or name.casefold().startswith("updated"):
            continue
        if i > 0 and _is_role(name):
            break  # "Robin Amberg, Volontär (Sport)": a role after the names
        if not _is_name(name):
            if i == 0:
                return None
            break  # "By Jane Doe, Reuters staff reporter in Paris": the rest is a role
        authors.append(name)
    return authors or None


_OUTLET_BYLINE = re.compile(
    r"^\*?(?:(?:" + "|".join(lexicon.OUTLET_BYLINE_WORDS) + r")\s+)?"
    r"(?P<outlet>[^\W\d_][^.!?:;|/]{1,48}?)\*?$", re.IGNORECASE)
_AGENCY_WORD = re.compile(r"\b(?:" + "|".join(lexicon.AGENCY_WORDS) + r")\b", re.IGNORECASE)
_KNOWN_OUTLETS = frozenset(n.casefold() for n in (*lexicon.BYLINE_NON_NAMES, *lexicon.AGENCIES))
MAX_OUTLET_WORDS = 5


def outlet_byline(line: str) -> str | None:
    """The outlet of a byline that names only a news agency, or None.

    >>> outlet_byline("Da Agência Brasil"), outlet_byline("From Reuters")
    ('Agência Brasil', 'Reuters')
    >>> outlet_byline("Agência Lusa"), outlet_byline("Mehr News Agency")
    ('Agência Lusa', 'Mehr News Agency')
    >>> outlet_byline("The agency said no.") is None, outlet_byline("Press") is None
    (True, True)
    >>> outlet_byline("From the agency of fear") is None
    True
    >>> outlet_byline("Arquivo/Agência Brasil") is None  # a picture credit
    True
    """
    match = _OUTLET_BYLINE.match(line.strip())
    if match is None:
        return None
    outlet = match.group("outlet").strip()
    words = outlet.split()
    if outlet.casefold() in _KNOWN_OUTLETS and len(line) <= 40:
        return outlet
    if (len(words) < 2 or len(words) > MAX_OUTLET_WORDS or not _AGENCY_WORD.search(outlet)
            or not all(w[0].isupper() or w.casefold() in _PARTICLES for w in words)):
        return None
    return outlet


_NOT_META_AUTHORS = frozenset((*_NOT_NAMES, *(a.casefold() for a in lexicon.AGENCIES),
                               *lexicon.MONTHS, *lexicon.WEEKDAYS))


def metadata_authors(value: str | None, site_name: str | None = None,
                     url: str | None = None) -> list[str]:
    """The authors a page's metadata names: split at ``;`` (trafilatura joins several
    so), without agencies, months, the site itself ("Elmundo Es" on elmundo.es, "The
    Washington Times https") and what is no name ("Account You're logged").

    >>> metadata_authors("Birgit Baumann; Anna Giulia Fink; Birgit Baumann; AP")
    ['Birgit Baumann', 'Anna Giulia Fink']
    >>> metadata_authors("Elmundo Es; July; Account You're logged; Ana Pérez", "El Mundo",
    ...                  "https://www.elmundo.es/x")
    ['Ana Pérez']
    >>> metadata_authors("Par LILIAN ALEMAGNA; Trine Jørgensen og Tôrtia Reimer-Johansen")
    ['LILIAN ALEMAGNA', 'Trine Jørgensen', 'Tôrtia Reimer-Johansen']
    >>> metadata_authors("Redacci&oacute;n; Joshua Sokol May; Username; NICK KRISTOF; "
    ...                  "Nick Kristof; Wegewerk Gmbh")
    ['Joshua Sokol', 'NICK KRISTOF']
    """
    from newsetl.sitenames import names_site

    kept: dict[str, str] = {}  # by casefold: "NICHOLAS KRISTOF" and "Nicholas Kristof"
    for part in html.unescape(value or "").split(";"):
        part = part.strip()
        names = byline_authors(part) if _BYLINE.match(part) else None
        for name in names or [n.strip(" .") for n in _JOINERS.split(part)]:
            name = _without_date_words(name)
            if (name and name.casefold() not in _NOT_META_AUTHORS and _is_name(name)
                    and not _placeholder_or_organisation(name)
                    and not names_site(name, site_name, url)):
                kept.setdefault(name.casefold(), name)
    return list(kept.values())


def _without_date_words(name: str) -> str:
    """A metadata name less the month or weekday a page glued to it ("Joshua Sokol
    May", "Joe Wee Monday"), when a name of two words or more is left."""
    words = name.split()
    while len(words) > 2 and words[-1].casefold().strip(",.") in _DATE_WORDS:
        words.pop()
    return " ".join(words)


_DATE_WORDS = frozenset((*lexicon.MONTHS, *lexicon.WEEKDAYS))
_PLACEHOLDERS = frozenset(w.casefold() for w in lexicon.META_AUTHOR_PLACEHOLDERS)


def _placeholder_or_organisation(name: str) -> bool:
    """A placeholder ("Username", "作者"), a lone capital or degree ("I", "MA"), or an
    organisation ("Wegewerk GmbH", "Facebook Com").

    >>> [_placeholder_or_organisation(n) for n in ("Username", "MA", "Wegewerk Gmbh",
    ...                                              "Mia Ma", "Ana Pérez")]
    [True, True, True, False, False]
    """
    words = name.split()
    if name.casefold() in _PLACEHOLDERS:
        return True
    if len(words) == 1 and len(name) <= 3 and (name.isupper() or len(name) == 1):
        return True
    return len(words) >= 2 and words[-1].casefold().strip(".") in lexicon.ORGANISATION_SUFFIXES
