"""Bytes -> text for one raw article.

Order of trust: a byte-order mark, then strict UTF-8 (most dumps), then
charset-normalizer's best guess (cp1252, latin-1, cp1251, UTF-16 without BOM ...).
Text that still looks binary is refused: it would only produce garbage rows.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: Share of control / replacement characters above which decoded text counts as binary.
MAX_GARBAGE_SHARE = 0.02


@dataclass(frozen=True)
class Decoded:
    """Result of :func:`decode_bytes`: ``text`` is None when the bytes are not text."""

    text: str | None
    encoding: str
    detail: str = ""


_GARBAGE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


def garbage_share(text: str) -> float:
    """Share of characters that never occur in real text (C0/C1 controls, U+FFFD, NUL).

    >>> garbage_share("plain text")
    0.0
    >>> garbage_share("a\\x00b\\x00") > 0.4
    True
    """
    if not text:
        return 0.0
    return len(_GARBAGE.findall(text)) / len(text)


def _strip_bom(data: bytes) -> tuple[bytes, str | None]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :], encoding
    return data, None


def decode_bytes(data: bytes) -> Decoded:
    """Decode one article's bytes.

    >>> decode_bytes("café".encode("utf-8")).text
    'café'
    >>> decode_bytes(codecs.BOM_UTF8 + b"abc").encoding
    'utf-8-sig'
    >>> decode_bytes("Élysée à Paris".encode("utf-16")).text
    'Élysée à Paris'
    >>> decode_bytes("Déjà vu, c'est la fête à l'école.".encode("cp1252")).text
    "Déjà vu, c'est la fête à l'école."
    >>> decode_bytes("Привет, как дела? Это тестовая статья о погоде.".encode("cp1251")).text
    'Привет, как дела? Это тестовая статья о погоде.'
    >>> decode_bytes(bytes(range(256)) * 4).text is None
    True
    """
    body, bom_encoding = _strip_bom(data)
    if bom_encoding is not None:
        try:
            text = body.decode(bom_encoding)
        except UnicodeDecodeError as exc:
            return Decoded(None, bom_encoding, f"invalid {bom_encoding} after BOM: {exc.reason}")
        name = "utf-8-sig" if bom_encoding == "utf-8" else bom_encoding
        return _checked(text, name)
    try:
        return _checked(body.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    return _guess(body)


def _guess(body: bytes) -> Decoded:
    """Ask charset-normalizer; it weighs coherence of the decoded text per language.

    On short Western text it cannot tell cp1250/cp1252/cp1257 apart (no language
    coherence, equal chaos) and picks the first; cp1252 is by far the most common
    legacy encoding of news dumps, so it wins such ties.
    """
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is None or best.coherence == 0.0:
        try:
            return _checked(body.decode("cp1252"), "cp1252")
        except UnicodeDecodeError:
            pass
    if best is None:
        return Decoded(None, "unknown", "no encoding gives plausible text")
    return _checked(str(best), best.encoding)


def _checked(text: str, encoding: str) -> Decoded:
    share = garbage_share(text)
    if share > MAX_GARBAGE_SHARE:
        return Decoded(None, encoding, f"{share:.0%} control characters: binary data?")
    return Decoded(text, encoding)
