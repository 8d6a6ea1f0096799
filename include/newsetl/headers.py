"""Metadata headers at the start of a text file: front matter, header lines, a URL line.

Scrapers and export tools often write what they know about an article above its text:
YAML front matter (``---`` … ``---``), mail-style header lines (``Title:``, ``URL:``,
``Date:``, ``Source:``, ``Author:``), a bare URL line or a bare timestamp line. Left
in the text, they would become the title or a paragraph; read here, they become the
item's metadata (``url``, ``published``, ``title`` when it is given explicitly, plus
``author`` and ``site_name``), exactly like the fields of a JSONL record.

Only the head of a text is looked at (:data:`MAX_HEADER_LINES`), and only lines that
are unmistakably metadata: a ``Date:`` line must hold a date, a URL line nothing but
the URL. The first line that is not metadata ends the header.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime

#: How many lines at the start of a text may be metadata.
MAX_HEADER_LINES = 40
MAX_VALUE_CHARS = 500

_URL = re.compile(r"(?:https?://|www\.)\S+\Z", re.IGNORECASE)
_HEADER = re.compile(r"(?P<key>[A-Za-z][A-Za-z _-]{0,30}?)\s*:\s*(?P<value>\S.*)\Z")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_FENCE = re.compile(r"---\s*\Z")
_FENCE_END = re.compile(r"(?:---|\.\.\.)\s*\Z")

#: Header and front-matter keys (case-folded, ``-``/space as ``_``) -> meta field.
KEYS = {
    "title": "title", "headline": "title",
    "url": "url", "link": "url", "source_url": "url", "canonical": "url",
    "canonical_url": "url", "permalink": "url",
    "date": "published", "published": "published", "pubdate": "published",
    "published_at": "published", "publication_date": "published", "datetime": "published",
    "date_published": "published",
    "author": "author", "authors": "author", "byline": "author",
    "source": "source", "site": "site_name", "site_name": "site_name",
    "publisher": "site_name",
}


def is_timestamp(value: str) -> bool:
    """An ISO-8601 date or date-time, or an RFC 2822 date (a mail or RSS date).

    >>> [is_timestamp(v) for v in ("2024-03-01", "2024-03-01T10:00:00Z",
    ...  "Fri, 01 Mar 2024 10:00:00 +0000", "Friday", "2024 was a year")]
    [True, True, True, False, False]
    """
    value = value.strip()
    if len(value) < 8 or len(value) > 40:
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value) is not None
    except (TypeError, ValueError, IndexError, OverflowError):  # "3000000000:00"
        return False


def split_headers(text: str) -> tuple[str, dict[str, str]]:
    """The text without its leading metadata, and that metadata (possibly empty).

    >>> body, meta = split_headers("Title: Bridge closes\\nURL: https://x.org/b\\n"
    ...                            "Date: 2024-03-01\\n\\nThe bridge closed.")
    >>> body, meta["title"], meta["url"], meta["published"]
    ('The bridge closed.', 'Bridge closes', 'https://x.org/b', '2024-03-01')
    >>> split_headers("Breaking: the bridge closed on Monday.\\n")[1]
    {}
    """
    lines = text.splitlines(keepends=True)
    meta: dict[str, str] = {}
    index = _skip_blank(lines, 0)
    if index < len(lines) and _FENCE.match(lines[index].strip().lstrip("\ufeff")):
        end = _front_matter(lines, index + 1, meta)
        if end is None:
            meta.clear()  # not closed: not front matter, the text is left as it is
        else:
            index = end
    while index < min(len(lines), MAX_HEADER_LINES):
        line = lines[index].strip().lstrip("\ufeff")
        if line and not _header_line(line, meta):
            break
        index += 1
    if not meta:
        return text, {}
    if "title" in meta:
        meta["title_source"] = "header"
    return "".join(lines[index:]), meta


def _skip_blank(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip().lstrip("\ufeff"):
        index += 1
    return index


def _front_matter(lines: list[str], index: int, meta: dict[str, str]) -> int | None:
    """Read ``key: value`` lines up to the closing fence; the index after it, or None
    when there is no closing fence within :data:`MAX_HEADER_LINES`."""
    for at in range(index, min(len(lines), index + MAX_HEADER_LINES)):
        line = lines[at].strip()
        if _FENCE_END.match(line):
            return at + 1
        found = _HEADER.match(line)
        if found:
            _keep(meta, found.group("key"), _unquote(found.group("value")))
    return None


def _header_line(line: str, meta: dict[str, str]) -> bool:
    """Whether one head line is metadata (then kept in ``meta``)."""
    if _URL.match(line):
        return _keep(meta, "url", line)
    if is_timestamp(line):
        return _keep(meta, "published", line, explicit=False)
    found = _HEADER.match(line)
    if found is None or _field(found.group("key")) is None:
        return False
    return _keep(meta, found.group("key"), found.group("value").strip())


def _field(key: str) -> str | None:
    return KEYS.get(re.sub(r"[\s-]+", "_", key.strip().casefold()))


def _keep(meta: dict[str, str], key: str, value: str, explicit: bool = True) -> bool:
    """Keep one value under its meta field when it fits the field; False when not. A
    date named as such (``Date: 1 March 2024``) needs only a year; a bare line must be
    an ISO-8601 or RFC 2822 timestamp."""
    field = _field(key)
    value = value.strip()
    if field is None or not value or len(value) > MAX_VALUE_CHARS:
        return False
    if field == "source":  # a URL, or the outlet's name
        field = "url" if _URL.match(value) else "site_name"
    if field == "url" and not _URL.match(value):
        return False
    if field == "published" and not (is_timestamp(value) or (
            explicit and len(value) <= 40 and _YEAR.search(value))):
        return False
    meta.setdefault(field, value)
    return True


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
