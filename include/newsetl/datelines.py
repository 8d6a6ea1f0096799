"""Opening datelines: ``PARIS –``, ``SPRINGFIELD, Mo. —``, ``МОСКВА, 13 июн — РИА Новости``.

A dateline is a prefix of the first news paragraph, separated from the sentence by a
dash (or, after a place in capitals, a colon). The prefix is read as

    PLACE [, REGION | , DATE]* [(AGENCY)]   [— AGENCY.]

and accepted when the place is written in capitals (``WASHINGTON``), or when a
mixed-case place comes with a region, a date or an agency (``Dallas, TX``, ``Roma, 28
lug``, ``Berlin (dpa)``). Scripts without case (Arabic, Persian) need a comma or an
agency, since "ثانيا -" (secondly) reads like a place otherwise.
"""

from __future__ import annotations

import re

from newsetl import lexicon

#: The dash (or colon) after the prefix; a hyphen must be spaced ("Baden-Baden").
#: A hyphen glued to a place in capitals and spaced after it ("TEHRAN- Pars Oil") is one
#: too.
_SEPARATOR = re.compile(
    r"\s*(?:—|–|―|‒|\s-{1,2}\s|--|:\s|(?<=[^\W\d_])-\s|(?<=[^\W\d_]|\))\.-)\s*")
MAX_PREFIX_CHARS = 90
MAX_PLACE_WORDS = 4
_AGENCY_TAIL = re.compile(r"\s*\((?P<agency>[^()]{2,40})\)\s*$")
_MONTHS = frozenset(lexicon.MONTHS)
_PARTICLES = frozenset(("de", "del", "la", "le", "los", "las", "am", "an", "der", "upon",
                        "on", "sur", "di", "da", "do", "dos", "van", "von", "al", "el",
                        "en", "im", "bei", "of", "y"))
#: After the dash: "РИА Новости." -- an agency name closing the dateline.
_AFTER_AGENCY = re.compile(r"(?P<agency>[^\W\d_][\w-]*(?:\s[^\W\d_][\w-]*){0,2})\.\s")
_AGENCY_SET = frozenset(a.casefold() for a in lexicon.AGENCIES)
#: "(CNN) --", "(AP) —": an agency in parentheses opening the paragraph, then a dash.
_AGENCY_ONLY = re.compile(r"\((?P<agency>[^()]{2,30})\)\s*(?:—|–|--|\s-\s)")


def _cased_letters(text: str) -> list[str]:
    return [c for c in text if c.isupper() or c.islower()]


def _is_place(words: list[str]) -> bool:
    if not 1 <= len(words) <= MAX_PLACE_WORDS or any(c.isdigit() for w in words for c in w):
        return False
    for word in words:
        bare = word.strip(".'’()")
        if not bare:
            return False
        if bare.casefold() in _PARTICLES:
            continue
        if bare[0].islower():
            return False
    return True


def _is_date(part: str) -> bool:
    """"13 июн", "February 19", "2018", "28 lug", "5 يناير"."""
    words = re.findall(r"[^\W_]+", part.casefold())
    if not words or len(words) > 5:
        return False
    has_digit = any(w.isdigit() for w in words)
    has_month = any(w.rstrip(".") in _MONTHS for w in words)
    return (has_month and all(w.isdigit() or w in _MONTHS or w in ("de", "of") for w in words)
            ) or (has_digit and all(w.isdigit() for w in words) and any(len(w) == 4
                                                                       for w in words))


def _is_region(part: str) -> bool:
    """"Mo.", "TX", "Hungary", "D.C.", "Northern Ireland"."""
    words = part.split()
    return 1 <= len(words) <= 3 and all(w[0].isupper() or not _cased_letters(w[0])
                                        for w in words) and not any(c.isdigit() for c in part)


def find_dateline(paragraph: str) -> str | None:
    """The opening dateline of a paragraph, or None.

    >>> find_dateline("MOSCOW (Reuters) - Russia said on Monday")
    'MOSCOW (Reuters)'
    >>> find_dateline("PARIS – Le gouvernement a annoncé")
    'PARIS'
    >>> find_dateline("Paris – le gouvernement") is None
    True
    >>> find_dateline("WASHINGTON, Jan 5 (Reuters) - The Senate voted")
    'WASHINGTON, Jan 5 (Reuters)'
    >>> find_dateline("Berlin (dpa) - Die Regierung")
    'Berlin (dpa)'
    >>> find_dateline("SPRINGFIELD, Mo. — A man was arrested")
    'SPRINGFIELD, Mo.'
    >>> find_dateline("Dallas, TX — The city council voted")
    'Dallas, TX'
    >>> find_dateline("Roma, 28 lug — Il governo ha approvato")
    'Roma, 28 lug'
    >>> find_dateline("МОСКВА, 13 июн — РИА Новости. Президент России заявил")
    'МОСКВА, 13 июн — РИА Новости'
    >>> find_dateline("BUDAPEST, Hungary, February 19, 2018 (LifeSiteNews) – Hungary's leader")
    'BUDAPEST, Hungary, February 19, 2018 (LifeSiteNews)'
    >>> find_dateline("القاهرة، 5 يناير (رويترز) - قرر البنك المركزي")
    'القاهرة، 5 يناير (رويترز)'
    >>> find_dateline("ثانيا - قرر البنك المركزي") is None
    True
    >>> find_dateline("EU – Die Kommission hat") is None
    True
    >>> find_dateline("Ukraine, Russia and the US — what comes next") is None
    True
    >>> find_dateline("NEW DELHI: The government on Monday said")
    'NEW DELHI'
    >>> find_dateline("London, 12 March 2024: The Bank of England held rates")
    'London, 12 March 2024'
    >>> find_dateline("Update, Brussels: the summit is over") is None
    True
    >>> find_dateline("TEHRAN- Annual crude steel production in Iran")
    'TEHRAN'
    >>> find_dateline("Pro- and anti-government groups met") is None
    True
    >>> find_dateline("(CNN) -- The Pennsylvania official was just talking")
    '(CNN)'
    >>> find_dateline("(The vote was close) — and the count went on") is None
    True
    >>> find_dateline("ECONOMIC SPOTLIGHT - JAPAN SHIPBUILDERS RECOVER") is None
    True
    >>> find_dateline("TEGUCIGALPA, HONDURAS.- El Congreso aprobó"), find_dateline(
    ...     "Madrid, 3 may (EFE).-El Gobierno aprobó")
    ('TEGUCIGALPA, HONDURAS', 'Madrid, 3 may (EFE)')
    >>> find_dateline("U.S.-China talks resume on Monday") is None
    True
    """
    if paragraph.startswith("("):  # "(CNN) -- The official said": an agency alone
        only = _AGENCY_ONLY.match(paragraph)
        name = only.group("agency") if only else ""
        known = name.casefold() in _AGENCY_SET or (name.isupper() and len(name.split()) <= 2)
        return f"({name})" if known else None
    match = _SEPARATOR.search(paragraph, 0, MAX_PREFIX_CHARS + 4)
    if match is None or match.start() == 0:
        return None
    prefix = paragraph[:match.start()].strip()
    if not prefix or len(prefix) > MAX_PREFIX_CHARS or not _valid_prefix(
            prefix, colon=":" in match.group()):
        return None
    if match.group()[0] == "-" and not prefix.isupper():
        return None  # "Pro- and anti-war groups": a glued hyphen needs a place in capitals
    after = _AFTER_AGENCY.match(paragraph, match.end())
    if after and _dated(prefix) and _agency_like(after.group("agency")):
        return paragraph[:after.end() - 2].strip()
    if _shouted(paragraph[match.end():]) and prefix.isupper() and "," not in prefix:
        return None  # "ECONOMIC SPOTLIGHT - JAPAN SHIPBUILDERS": a kicker and its headline
    return prefix


def _shouted(text: str) -> bool:
    """Whether every cased letter of ``text`` (at least three) is a capital."""
    cased = _cased_letters(text)
    return len(cased) >= 3 and all(c.isupper() for c in cased)


def _dated(prefix: str) -> bool:
    return any(_is_date(p) for p in re.split(r"[,،]", prefix)[1:])


def _agency_like(name: str) -> bool:
    words = name.split()
    return name.casefold() in _AGENCY_SET or (len(words) <= 3
                                              and all(w[0].isupper() for w in words))


def _valid_prefix(prefix: str, colon: bool) -> bool:
    agency = _AGENCY_TAIL.search(prefix)
    core = prefix[:agency.start()] if agency else prefix
    parts = [p.strip() for p in re.split(r"[,،]", core)]
    if not parts[0] or len(parts) > 4 or not all(parts):
        return False
    place, extras = parts[0], parts[1:]
    words = place.split()
    if not _is_place(words) or not all(_is_date(p) or _is_region(p) for p in extras):
        return False
    cased = _cased_letters(place)
    letters = [c for c in place if c.isalpha()]
    if len(letters) < 3:
        return False
    if cased and all(c.isupper() for c in cased):
        return len(cased) == len(letters) or bool(extras or agency)  # PARIS, BADEN-BADEN
    if colon:
        # "Note: ...", "Update: ..." -- a colon needs a place in capitals or a date
        # ("New Delhi, March 12:", "London, 12 March 2024 (PTI):")
        return any(_is_date(p) for p in extras)
    if not cased:
        # Arabic, Persian: no case to tell a place from "ثانيا -" (secondly).
        return bool(agency or extras)
    return bool(agency or extras)
