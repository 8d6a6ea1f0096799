"""The site's name at the end of a page's <title>: "Headline | CBC News", "Headline -
日本経済新聞", "Headline – DW – 30.01.2024".

A page title is the headline plus the site's name (and sometimes a date) after a
separator. The tail is cut when it names the site: it matches the page's site name or
its host ("Globalnews.ca" on globalnews.ca, "Taipei Times" on taipeitimes.com, "WELT"
for "DIE WELT"), compared without case, accents, spaces or punctuation; a date-only
tail goes with it. A tail that names nothing ("- here's how to check") stays.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

#: Separators between a headline and the site's name: a bar, a dash or a middle dot
#: with spaces around it.
_TAIL = re.compile(r"\s+[|–—·-]\s+(?P<tail>[^|–—·]+?)\s*$")
_DATE_ONLY = re.compile(r"^[\d\s./-]+$")
#: A tail longer than this is part of the headline.
MAX_TAIL_WORDS = 6
#: Host labels shorter than this ("dw", "mz") match a tail only when equal to it.
MIN_HOST_LABEL = 4
#: What must be left of the title: this many words (spaced scripts) or characters.
MIN_LEFT_WORDS = 3
MIN_LEFT_CHARS = 8
_SKIP_LABELS = frozenset(("www", "m", "amp", "edition", "news", "com", "co", "org", "net"))


def _key(text: str) -> str:
    """Case, accents, spaces and punctuation aside ("Seznam Zprávy" = "Seznam_Zpravy")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def _host_labels(url: str | None) -> list[str]:
    """The distinctive labels of the page's host ("globalnews" of globalnews.ca)."""
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:  # "http://[::1": a page's URL is the page's word, not ours
        return []
    parts = host.split(".")
    return [p for p in parts[:-1] if p not in _SKIP_LABELS] if len(parts) > 1 else []


def names_site(tail: str, site_name: str | None, url: str | None) -> bool:
    """Whether ``tail`` names the site (its name or its host).

    >>> names_site("CBC News", "CBC", None), names_site("Golem.de", None, "https://golem.de/x")
    (True, True)
    >>> names_site("here's how to check", "Mail Online", "https://www.dailymail.co.uk/a")
    False
    >>> names_site("CBC News", None, "http://[cbc.ca/broken")
    False
    """
    key = _key(tail)
    if len(key) < 2:
        return False
    site = _key(site_name or "")
    if site and len(min(site, key, key=len)) >= 3 and (site in key or key in site):
        return True
    for label in map(_key, _host_labels(url)):
        if label == key or (len(label) >= MIN_HOST_LABEL and (label in key or key in label)):
            return True
    return False


def _enough_left(title: str) -> bool:
    if " " not in title.strip():
        return len(title) >= MIN_LEFT_CHARS
    return len(title.split()) >= MIN_LEFT_WORDS


def strip_site_name(title: str, site_name: str | None, url: str | None) -> str:
    """The page title without the site's name (and a date) after its last separators.

    >>> strip_site_name("Hamas talks stall again | CBC News", "CBC", None)
    'Hamas talks stall again'
    >>> strip_site_name("Russland setzt auf Nadeschdin – DW – 30.01.2024", "Deutsche Welle",
    ...                 "https://www.dw.com/de/x")
    'Russland setzt auf Nadeschdin'
    >>> strip_site_name("Wie man Geld spart - here's how to check", "Mail Online", None)
    "Wie man Geld spart - here's how to check"
    >>> strip_site_name("CBC News", "CBC", None)
    'CBC News'
    """
    cut = title
    while (match := _TAIL.search(cut)) is not None:
        tail, head = match.group("tail"), cut[:match.start()]
        if len(tail.split()) > MAX_TAIL_WORDS or not _enough_left(head):
            break
        if not (_DATE_ONLY.match(tail) or names_site(tail, site_name, url)):
            break
        cut = head
    return cut
