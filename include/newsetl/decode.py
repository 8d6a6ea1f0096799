"""Bytes -> text for one raw article.

Order of trust: a byte-order mark, then UTF-16/32 told by its NUL bytes (mostly-ASCII
UTF-16 without a BOM is otherwise "valid" UTF-8 full of NULs), then strict UTF-8 (most
dumps), then charset-normalizer's best guess (cp1252, latin-1, cp1251, UTF-16 ...).
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
    wide = _wide_encoding_without_bom(body)
    if wide is not None:
        try:
            return _checked(body.decode(wide), wide)
        except UnicodeDecodeError:
            pass
    try:
        strict = _checked(body.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return _guess(body)
    if strict.text is not None:
        return strict
    guessed = _guess(body)  # valid UTF-8 full of controls: maybe UTF-16 of a non-Latin script
    return guessed if guessed.text is not None else strict


def _wide_encoding_without_bom(body: bytes) -> str | None:
    """UTF-16/32 without a BOM, told by where its NUL bytes fall.

    Mostly-ASCII UTF-16 has a NUL in every other byte, which strict UTF-8 accepts (NUL
    is valid UTF-8) and would turn into garbage; real UTF-8 text has no NUL bytes.

    >>> _wide_encoding_without_bom("Hello, world".encode("utf-16-le"))
    'utf-16-le'
    >>> _wide_encoding_without_bom("Hello, world".encode("utf-32-be"))
    'utf-32-be'
    >>> _wide_encoding_without_bom(b"Hello, world") is None
    True
    """
    if len(body) < 8 or body.count(0) < len(body) // 3:
        return None
    for width, encodings in ((4, ("utf-32-le", "utf-32-be")), (2, ("utf-16-le", "utf-16-be"))):
        if len(body) % width:
            continue
        lanes = [body[i::width].count(0) / (len(body) // width) for i in range(width)]
        if width == 4 and min(lanes[1:3]) > 0.9:  # code points below U+10000
            return encodings[0] if lanes[0] < 0.5 else encodings[1] if lanes[3] < 0.5 else None
        if width == 2 and abs(lanes[0] - lanes[1]) > 0.5:  # NULs in one lane only
            return encodings[0] if lanes[1] > lanes[0] else encodings[1]
    return None


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


#: BOM encodings as Python's streaming decoders that skip the BOM themselves.
_BOM_STREAM_CODECS = {"utf-8": "utf-8-sig", "utf-16-le": "utf-16", "utf-16-be": "utf-16",
                      "utf-32-le": "utf-32", "utf-32-be": "utf-32"}


def sniff_encoding(sample: bytes) -> str:
    r"""The encoding of a stream (a JSONL file) from its first bytes: a BOM, UTF-16/32
    told by NUL bytes, UTF-8 (a character cut at the end of the sample is fine), else
    charset-normalizer's guess. Returns a codec name for a streaming decoder.

    >>> sniff_encoding(codecs.BOM_UTF16_LE + '{"text": "é"}'.encode("utf-16-le"))
    'utf-16'
    >>> sniff_encoding('{"text": "café"}'.encode("utf-8")[:-3])
    'utf-8'
    >>> line = '{"text": "Déjà vu à l école, c est la fête"}\n'
    >>> sniff_encoding(line.encode("cp1252") * 3)
    'cp1252'
    >>> sniff_encoding('{"text": "Президент России заявил в среду"}'.encode("cp1251") * 3)
    'cp1251'
    """
    body, bom = _strip_bom(sample)
    if bom is not None:
        return _BOM_STREAM_CODECS[bom]
    wide = _wide_encoding_without_bom(body[:len(body) - len(body) % 4])
    if wide is not None:
        return wide
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(body) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    return _guess_stream(body)


#: Single-byte Latin code pages that charset-normalizer confuses on Western text.
_LATIN_FAMILY = ("cp1250", "cp1252", "cp1257", "latin_1", "iso8859", "mac_", "cp85", "cp775")


def _guess_stream(body: bytes) -> str:
    """charset-normalizer's pick, except that cp1252 wins over another single-byte Latin
    code page whenever the bytes are valid cp1252: JSON keys and punctuation give its
    language model little to go on (it calls French cp1252 "cp1257", Estonian), and
    cp1252 is by far the most common legacy encoding of news dumps. The cost: Central
    European cp1250 JSONL reads as cp1252 (its letters become Western look-alikes)."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(body))
    if not matches:
        return "cp1252"
    best = matches[0]
    if best.encoding.startswith(_LATIN_FAMILY):
        try:
            body.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
    return best.encoding
