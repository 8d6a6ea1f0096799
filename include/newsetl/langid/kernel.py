"""The compiled inner loop of the fast detector: code points -> n-grams -> scores.

Why compiled: profiling ``fast.scores`` on a batch of 2 KB articles (numpy + scipy
version) put ~90 % of the time in whole-batch numpy temporaries (one array per step:
normalised characters, n-gram keys, hash probes, gathered rows) and in scipy's sparse
product. Here each text is walked once, in numba-compiled code (LLVM; compiled on first
use and cached on disk: ``NUMBA_CACHE_DIR`` when set, else next to this file), with small
per-text buffers that stay in the CPU cache.

Per text, three steps, each langdetect's own rule:

1. :func:`text_char_ids` -- ``Detector.append`` / ``cleaning_text``: Vietnamese tone
   marks composed, the ``max_len`` cap, the code point -> normalised character id
   table (``NGram.normalize``), ASCII letters dropped from mostly non-Latin text;
2. :func:`text_grams` -- ``NGram.add_char`` + ``Detector._extract_ngrams``: the 1- to
   3-grams found in some profile, in langdetect's order (:func:`word_grams`);
3. :func:`score_texts` -- the sum of the n-grams' log-probability rows.

Determinism: log-probabilities are integers (units of ``2**-QUANT_BITS``), so every sum
is an exact integer whatever the order or grouping; no threads, no random numbers.
"""

from __future__ import annotations

import logging

import numpy as np
from numba import njit

log = logging.getLogger(__name__)


def _jit(fn):
    """``numba.njit`` with the compiled code cached on disk (``NUMBA_CACHE_DIR`` when set,
    else next to this file, else the user's cache directory). Where none is writable (a
    read-only container without a home), numba refuses to cache: compile in memory
    instead, once per process (a few seconds), rather than fail."""
    try:
        return njit(cache=True, nogil=True)(fn)
    except RuntimeError as exc:  # "cannot cache function ...: no locator available"
        log.warning("newsetl.langid: %s; compiling in memory", exc)
        return njit(nogil=True)(fn)


#: Character ids shared with :mod:`newsetl.langid.fast`.
SPACE = 1  # anything langdetect normalises to ' '
UNK_LOWER = 3  # a character in no profile (not upper case)
UNK_UPPER = 4  # a character in no profile, upper case (matters for the capital rule)
#: Code point classes of langdetect's ``cleaning_text``.
CLS_LATIN = 1  # 'A' <= ch <= 'z'
CLS_NON_LATIN = 2  # ch >= U+0300 outside Latin Extended Additional
#: Code point standing for an upper-case astral character (set by the caller, which
#: asks Python's ``str.isupper``); other astral characters keep their code point.
ASTRAL_UPPER = 0xFFFFFFFF
#: Per character id flag: upper case (langdetect's capital-word rule).
F_UPPER = 1
#: Hash table entries pack ``key << VAL_BITS | gram id``.
VAL_BITS = 17
HASH_MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing, fixed constant
#: Log-probabilities are integers in units of SCALE.
QUANT_BITS = 16
SCALE = 2.0**-QUANT_BITS

_VAL_MASK = (1 << VAL_BITS) - 1


@_jit
def _lookup(key: int, table: np.ndarray, bits: int) -> int:
    """Open-addressing lookup of a bigram/trigram key; -1 when in no profile."""
    mask = (1 << bits) - 1
    slot = np.int64((np.uint64(key) * HASH_MULT) >> np.uint64(64 - bits))
    while True:
        entry = table[slot]
        if entry == -1:
            return -1
        if (entry >> VAL_BITS) == key:
            return entry & _VAL_MASK
        slot = (slot + 1) & mask


@_jit
def _push(out: np.ndarray, n: int, gram: int) -> int:
    """Append ``gram`` unless it is -1 (in no profile); branch-free (``out`` always has
    a spare slot)."""
    out[n] = gram
    return n + (gram >= 0)


@_jit
def word_grams(cid: np.ndarray, start: int, end: int, trailing: bool,
               cid_flags: np.ndarray, cid_uni: np.ndarray, n_cid: int, table: np.ndarray,
               bits: int, out: np.ndarray, n: int) -> int:
    """Append the profile n-gram ids of one word ``cid[start:end]`` to ``out[n:]``;
    return the new count. ``trailing``: a space follows the word in its text.

    langdetect's window restarts at ' ' after every space and its capital-word state
    resets there, so a word's n-grams depend on the word alone: ' ' + word (+ ' ' when
    one follows). Inside, no n-gram ends within a run of two or more capitals
    (``NGram.capitalword``); the trailing space is never a capital.
    """
    prev2 = 0  # 0 = nothing yet (the window holds only ' ' + first char)
    prev = SPACE
    cap = False
    for i in range(start, end):
        c = cid[i]
        if cid_flags[c] & F_UPPER:
            if cid_flags[prev] & F_UPPER:
                cap = True
        else:
            cap = False
        if not cap:
            n = _push(out, n, cid_uni[c])
            n = _push(out, n, _lookup(prev * n_cid + c, table, bits))
            if prev2 != 0:
                n = _push(out, n, _lookup((prev2 * n_cid + prev) * n_cid + c, table, bits))
        prev2 = prev
        prev = c
    if trailing:
        n = _push(out, n, _lookup(prev * n_cid + SPACE, table, bits))
        n = _push(out, n, _lookup((prev2 * n_cid + prev) * n_cid + SPACE, table, bits))
    return n


@_jit
def text_char_ids(cps: np.ndarray, start: int, end: int, norm: tuple, max_len: int,
                  latin_factor: float, out: np.ndarray, cls: np.ndarray) -> int:
    """Normalised character ids of the text ``cps[start:end]`` into ``out``; returns
    how many (at most ``max_len``). ``cls`` is scratch space of the same size.

    ``norm`` = (cp_to_cid, cp_class, vi_mark, vi_base, vi_composed): BMP tables
    (uint16 char id, uint8 class, uint8 1 + index of a Vietnamese tone mark / base
    letter) and the composed code point of (mark, base). As ``NGram.normalize_vi``'s
    regex, a base letter followed by a mark becomes one letter; the cap applies to the
    composed text.
    """
    cp_to_cid, cp_class, vi_mark, vi_base, vi_composed = norm
    n = 0
    n_latin = 0
    n_non_latin = 0
    prev_base = 0  # vi_base of the previous code point, if it may still compose
    for i in range(start, end):
        cp = cps[i]
        if cp > 0xFFFF:
            if n >= max_len:
                break
            out[n] = UNK_UPPER if cp == ASTRAL_UPPER else UNK_LOWER
            cls[n] = CLS_NON_LATIN
            n_non_latin += 1
            n += 1
            prev_base = 0
            continue
        mark = vi_mark[cp]
        if mark and prev_base:
            c = vi_composed[mark - 1, prev_base - 1]
            old = cls[n - 1]
            n_latin -= old == CLS_LATIN
            n_non_latin -= old == CLS_NON_LATIN
            out[n - 1] = cp_to_cid[c]
            cls[n - 1] = cp_class[c]
            n_latin += cls[n - 1] == CLS_LATIN
            n_non_latin += cls[n - 1] == CLS_NON_LATIN
            prev_base = 0
            continue
        if n >= max_len:
            break
        out[n] = cp_to_cid[cp]
        k = cp_class[cp]
        cls[n] = k
        n_latin += k == CLS_LATIN
        n_non_latin += k == CLS_NON_LATIN
        n += 1
        prev_base = vi_base[cp]
    if n_latin * latin_factor < n_non_latin:
        kept = 0
        for j in range(n):
            if cls[j] != CLS_LATIN:
                out[kept] = out[j]
                kept += 1
        n = kept
    return n


@_jit
def _word_end(cid: np.ndarray, i: int, end: int) -> int:
    while i < end and cid[i] != SPACE:
        i += 1
    return i


@_jit
def text_grams(cid: np.ndarray, n_chars: int, grams: tuple, n_cid: int, bits: int,
               out: np.ndarray, n: int) -> int:
    """Append the profile n-gram ids of the text ``cid[:n_chars]`` to ``out[n:]``, in
    langdetect's order; return the new count (needs room for ``3 * n_chars + 2``).

    ``grams`` = (cid_flags, cid_uni, table).
    """
    cid_flags, cid_uni, table = grams
    i = 0
    while i < n_chars:
        if cid[i] == SPACE:
            i += 1
            continue
        j = _word_end(cid, i, n_chars)
        n = word_grams(cid, i, j, j < n_chars, cid_flags, cid_uni, n_cid, table, bits, out,
                       n)
        i = j
    return n


@_jit
def _text_ends(cps: np.ndarray) -> np.ndarray:
    """Positions of the 0 code points that separate (and enclose) the texts."""
    n = 0
    for i in range(len(cps)):
        n += cps[i] == 0
    ends = np.empty(n, dtype=np.int64)
    n = 0
    for i in range(len(cps)):
        if cps[i] == 0:
            ends[n] = i
            n += 1
    return ends


@_jit
def score_texts(cps: np.ndarray, norm: tuple, max_len: int, latin_factor: float,
                grams: tuple, n_cid: int, bits: int, logq: np.ndarray, out: np.ndarray,
                counts: np.ndarray) -> None:
    """Text ``k`` lies between the ``k``-th and ``k + 1``-th 0 of ``cps``:
    ``out[k]`` += the summed log-probabilities of its n-grams, ``counts[k]`` = how
    many there were.

    A 2 KB article has ~5 000 n-gram occurrences but only ~1 100 distinct n-grams
    (measured on the dev-set articles), and reading the 55-language row of the
    log-probability table is the costly step; so each distinct n-gram's row is read
    once per text and added ``count`` times at once (exact: integers).
    """
    n_langs = logq.shape[1]
    ends = _text_ends(cps)
    longest = 0
    for k in range(len(ends) - 1):
        longest = max(longest, ends[k + 1] - ends[k])
    longest = min(longest, max_len + 1)
    cid = np.empty(longest, dtype=np.uint16)
    cls = np.empty(longest, dtype=np.uint8)
    buf = np.empty(3 * longest + 3, dtype=np.int32)
    distinct = np.empty(3 * longest + 3, dtype=np.int32)
    seen = np.zeros(logq.shape[0], dtype=np.int32)  # occurrences in the current text
    acc = np.zeros(n_langs, dtype=np.int64)
    for k in range(len(ends) - 1):
        n_chars = text_char_ids(cps, ends[k] + 1, ends[k + 1], norm, max_len,
                                latin_factor, cid, cls)
        m = text_grams(cid, n_chars, grams, n_cid, bits, buf, 0)
        n_distinct = 0
        for j in range(m):  # branch-free: the test mispredicts on every new n-gram
            g = buf[j]
            distinct[n_distinct] = g
            n_distinct += seen[g] == 0
            seen[g] += 1
        acc[:] = 0
        for j in range(n_distinct):
            g = distinct[j]
            times = np.int64(seen[g])
            seen[g] = 0
            row = logq[g]
            for lang in range(n_langs):
                acc[lang] += times * row[lang]
        for lang in range(n_langs):
            out[k, lang] += acc[lang] * SCALE
        counts[k] = m


@_jit
def gram_ids(cps: np.ndarray, norm: tuple, max_len: int, latin_factor: float,
             grams: tuple, n_cid: int, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """All texts' n-gram ids (concatenated) and per-text offsets; for tests and tools."""
    ends = _text_ends(cps)
    n_texts = len(ends) - 1
    cid = np.empty(len(cps), dtype=np.uint16)
    cls = np.empty(len(cps), dtype=np.uint8)
    ids = np.empty(3 * len(cps) + 3, dtype=np.int32)
    offsets = np.zeros(n_texts + 1, dtype=np.int64)
    n = 0
    for k in range(n_texts):
        n_chars = text_char_ids(cps, ends[k] + 1, ends[k + 1], norm, max_len, latin_factor,
                                cid, cls)
        n = text_grams(cid, n_chars, grams, n_cid, bits, ids, n)
        offsets[k + 1] = n
    return ids[:n], offsets
