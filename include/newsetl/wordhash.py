"""The words of many bodies hashed at once: rensa's token hash, compiled.

Why: shingling used to find the words with ``re.findall(r"\\w+", body.casefold())`` and
hash the 2.7 million word strings of 7,000 bodies with ``RMinHash.hash_token_sets`` —
three quarters of the signing time went into building and handing over one Python
string per word (``bench/near_dups.py``: 0.8 s to find the words, 1.1 s to hash them,
0.1 s for rensa's MinHash itself). Here the bodies are case-folded and encoded once,
words are found on the UTF-8 bytes (a byte belongs to a word when its character is a
regex ``\\w`` character: one lookup table built from ``re`` itself) and each word's
bytes are hashed with rensa 0.5.0's token hash — ``rustc_hash`` 2's ``FxHasher``
(``hash_bytes``, then a multiply and a 26-bit rotation) — reimplemented in the
compiled loop of :mod:`newsetl.wordkernel` (a numpy version of the same steps spent
~0.12 ms per 3.4 KB body in whole-batch temporaries). The
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

#: Bytes of text handled per kernel call (the buffer stays in the CPU cache).
CHUNK_BYTES = 1 << 18
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


def word_hashes(bodies: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The 64-bit hash of every word (:data:`TOKEN` in the case-folded body) of every body,
    in order, and the words per body: ``(hashes, counts)``."""
    encoded = [body.casefold().encode("utf-8") for body in bodies]
    sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    parts, counts, first = [np.empty(0, dtype=np.uint64)], [np.empty(0, dtype=np.int64)], 0
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
    from newsetl import wordkernel

    # A NUL before each body (never a word character) and zero bytes after the last.
    data = np.frombuffer(b"\x00" + b"\x00".join(encoded) + bytes(_PAD), dtype=np.uint8)
    ends = np.cumsum(sizes + 1)
    return wordkernel.word_hashes(data, ends - sizes, ends, word_table(), unspaced_table())
