"""The words of many bodies hashed at once, with numpy: rensa's token hash, vectorised.

Why: shingling used to find the words with ``re.findall(r"\\w+", body.casefold())`` and
hash the 2.7 million word strings of 7,000 bodies with ``RMinHash.hash_token_sets`` —
three quarters of the signing time went into building and handing over one Python
string per word (``bench/near_dups.py``: 0.8 s to find the words, 1.1 s to hash them,
0.1 s for rensa's MinHash itself). Here the bodies are case-folded and encoded once,
words are found on the UTF-8 bytes (a byte belongs to a word when its character is a
regex ``\\w`` character: one lookup table built from ``re`` itself) and each word's
bytes are hashed with rensa 0.5.0's token hash — ``rustc_hash`` 2's ``FxHasher``
(``hash_bytes``, then a multiply and a 26-bit rotation) — reimplemented on arrays. The
hashes are bit for bit what rensa gives for the same words
(``tests/newsetl/test_wordhash.py`` compares them with rensa and :data:`TOKEN` on
multilingual text).

Scripts written without spaces (Chinese, Japanese) have no words to find: ``\\w+``
makes a whole clause one "word", so one changed character changed every shingle over
the clause, and a Chinese copy with three characters edited in 700 scored an estimated
Jaccard of 0.65 (Japanese 0.50) against 0.86 for an English copy with three words
edited in 215. Each Han, hiragana and katakana character is therefore a word of its
own (:data:`UNSPACED_RANGES`), as character n-grams are the usual unit for these
languages: 5-word shingles become 5-character shingles, and the same edits score 0.9+.

>>> hashes, counts = word_hashes(["Hello, world!", "", "Straße"])
>>> counts.tolist()
[2, 0, 1]
>>> from rensa import RMinHash
>>> hashes.tolist() == RMinHash.hash_token_sets([["hello", "world", "strasse"]])[0]
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import numpy as np

_U64 = np.uint64
_M32 = _U64(0xFFFF_FFFF)
_K = _U64(0xF135_7AEA_2E62_A9C5)
_SEED1 = _U64(0x243F_6A88_85A3_08D3)
_SEED2 = _U64(0x1319_8A2E_0370_7344)
_ZERO_GUARD = _U64(0xA409_3822_299F_31D0)
#: Bytes of text handled per numpy step (small arrays stay in the CPU cache).
CHUNK_BYTES = 1 << 18
#: What ``hash_bytes`` reads first, by length (capped at 8): 8 bytes from 8 on, 4
#: from 4, else the first byte.
_LOW_BYTES = np.array([0xFF] * 4 + [0xFFFF_FFFF] * 4 + [2**64 - 1], dtype=np.uint64)
_PAD = 16  # zero bytes after the text: reads of up to 8 bytes never run off the end
#: Code points of scripts written without spaces between words whose characters each
#: carry a syllable or a morpheme: iteration marks, hiragana, katakana, CJK ideographs
#: (extension A, unified, compatibility, the supplementary planes), half-width
#: katakana. Each word character among them is a word of its own. Thai, Lao, Khmer and
#: Myanmar are alphabets (a character is a letter, not a syllable): not here.
UNSPACED_RANGES = ((0x3005, 0x3007), (0x3040, 0x30FF), (0x31F0, 0x31FF), (0x3400, 0x4DBF),
                   (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFF66, 0xFF9F), (0x20000, 0x323AF))
_UNSPACED_CLASS = "".join(f"{chr(a)}-{chr(b)}" for a, b in UNSPACED_RANGES)
#: The words, as a regex (what :func:`word_hashes` finds on bytes): one unspaced-script
#: character, or a run of other word characters.
TOKEN = re.compile(rf"(?=\w)[{_UNSPACED_CLASS}]|(?:(?![{_UNSPACED_CLASS}])\w)+")


@cache
def word_table() -> np.ndarray:
    """A bool per Unicode code point: is it a ``\\w`` character for :mod:`re`
    (alphanumeric or ``_``)? Built once per process (~0.2 s) from ``re`` itself, so
    words are exactly what ``re.findall(r"\\w+", text)`` finds."""
    chars = "".join(map(chr, range(0x110000)))
    kept = re.sub(r"\W+", "", chars).encode("utf-32-le", "surrogatepass")
    table = np.zeros(0x110000, dtype=bool)
    table[np.frombuffer(kept, dtype=np.uint32)] = True
    return table


@cache
def unspaced_table() -> np.ndarray:
    """A bool per code point: a word character of :data:`UNSPACED_RANGES` (a word by
    itself)."""
    table = np.zeros(0x110000, dtype=bool)
    for first, last in UNSPACED_RANGES:
        table[first:last + 1] = True
    return table & word_table()


@cache
def _ascii_table() -> np.ndarray:
    """Per byte value: an ASCII word character (bytes >= 128 are settled by their
    character)."""
    return np.concatenate([word_table()[:128], np.zeros(128, dtype=bool)])


def _byte_classes(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each byte of UTF-8 ``data`` (ending with 3 or more zero bytes): is its
    character a word character, and must a word start or end before it (the byte opens
    an unspaced-script character or follows one)?"""
    table = word_table()
    word = _ascii_table()[data]
    cut = np.zeros(len(data), dtype=bool)
    lead = np.flatnonzero(data >= 0xC0)
    if len(lead):
        b0 = data[lead].astype(np.uint32)
        b1, b2, b3 = (data[lead + k].astype(np.uint32) & 0x3F for k in (1, 2, 3))
        width = 2 + (b0 >= 0xE0) + (b0 >= 0xF0)
        point = np.where(width == 2, ((b0 & 0x1F) << 6) | b1,
                         np.where(width == 3, ((b0 & 0x0F) << 12) | (b1 << 6) | b2,
                                  ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3))
        point = np.minimum(point, 0x10FFFF)
        is_word = table[point]
        for k in range(4):
            at = width > k
            word[lead[at] + k] = is_word[at]
        alone = np.flatnonzero(unspaced_table()[point])
        if len(alone):
            cut[lead[alone]] = True
            cut[np.minimum(lead[alone] + width[alone], len(data) - 1)] = True
    return word, cut


def _mul_mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The 128-bit product of x and y, its two halves xor-ed (``multiply_mix``)."""
    xl, xh, yl, yh = x & _M32, x >> _U64(32), y & _M32, y >> _U64(32)
    ll, lh, hl, hh = xl * yl, xl * yh, xh * yl, xh * yh
    carry = ((ll >> _U64(32)) + (lh & _M32) + (hl & _M32)) >> _U64(32)
    high = hh + (lh >> _U64(32)) + (hl >> _U64(32)) + carry
    return (x * y) ^ high


def fx_hashes(buf: np.ndarray, start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """rensa's token hash of the byte strings ``buf[start:start + length]`` (``buf``
    followed by at least 16 zero bytes; lengths >= 1)."""
    u64 = np.ndarray((len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
    u32 = np.ndarray((len(buf) - 3,), dtype="<u4", buffer=buf, strides=(1,))
    n = length.astype(np.int64)
    short = n < 4
    with np.errstate(over="ignore"):
        a = u64[start] & _LOW_BYTES[np.minimum(n, 8)]
        b = np.where(n >= 8, u64[start + n - 8], u32[np.maximum(start + n - 4, 0)])
        if short.any():
            at, k = start[short], n[short]
            b[short] = (buf[at + k - 1].astype(_U64) << _U64(8)) | buf[at + k // 2]
        s0, s1 = _SEED1 ^ a, _SEED2 ^ b
        long = np.flatnonzero(n > 16)
        if len(long):
            s0[long], s1[long] = _long_state(u64, start[long], n[long])
        out = _mul_mix(s0, s1) ^ n.astype(_U64)
        out *= _K
        return (out << _U64(26)) | (out >> _U64(38))


def _long_state(u64: np.ndarray, start: np.ndarray, n: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """``hash_bytes``'s state after the 16-byte rounds of strings longer than 16."""
    s0 = np.full(len(n), _SEED1)
    s1 = np.full(len(n), _SEED2)
    offset = 0
    while (active := np.flatnonzero(offset < n - 16)).size:
        at = start[active] + offset
        mixed = _mul_mix(s0[active] ^ u64[at], _ZERO_GUARD ^ u64[at + 8])
        s0[active], s1[active] = s1[active], mixed
        offset += 16
    return s0 ^ u64[start + n - 16], s1 ^ u64[start + n - 8]


def word_hashes(bodies: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The 64-bit hash of every word (:data:`TOKEN` in the case-folded body) of every body,
    in order, and the words per body: ``(hashes, counts)``."""
    encoded = [body.casefold().encode("utf-8") for body in bodies]
    sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    parts, counts, first = [np.empty(0, dtype=_U64)], [np.empty(0, dtype=np.int64)], 0
    total = np.cumsum(sizes + 1)
    while first < len(encoded):  # ~CHUNK_BYTES at a time: arrays stay in the cache
        last = max(first + 1, int(np.searchsorted(total, total[first] + CHUNK_BYTES)))
        hashes, n = _chunk_word_hashes(encoded[first:last], sizes[first:last])
        parts.append(hashes)
        counts.append(n)
        first = last
    return np.concatenate(parts), np.concatenate(counts)


def _chunk_word_hashes(encoded: list[bytes], sizes: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    # A NUL before each body (never a word character): every word starts after a
    # non-word byte and ends before one (the padding).
    data = np.frombuffer(b"\x00" + b"\x00".join(encoded) + bytes(_PAD), dtype=np.uint8)
    word, cut = _byte_classes(data)
    # a word starts at a word byte after a non-word byte or at a cut, and ends likewise
    starts = np.flatnonzero(word[1:] & (~word[:-1] | cut[1:])) + 1
    ends = np.flatnonzero(word[:-1] & (~word[1:] | cut[1:])) + 1
    body_starts = np.cumsum(sizes + 1) - sizes
    owner = np.searchsorted(body_starts, starts, side="right") - 1
    counts = np.bincount(owner, minlength=len(encoded)).astype(np.int64)
    return fx_hashes(data, starts, ends - starts), counts
