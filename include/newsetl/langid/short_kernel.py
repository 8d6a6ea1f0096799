"""The compiled loop of the short-text model: code points -> 1- to 5-gram chains -> scores.

Lingua scores a text per language as the sum, over the orders n = 1..5 and over the
n-grams of the text, of ``ln P(last letter | the n - 1 before it)``, and when a
language does not know an n-gram it takes the value of the longest *prefix* it knows
(back-off). The n-grams starting at one position of a word form a chain
``u1 c u2 c ... c u5`` (each the prefix of the next), so for a language L the value at
order n is the value of the longest known ``u_k`` with ``k <= n``. The model
(:mod:`newsetl.langid.short`) stores, for each n-gram ``u_k`` and each language that
knows it, the *change* ``delta = ln P_L(u_k) - value_L(u_{k-1})``; the score at one
position is then ``sum_k delta_L(u_k) * (N - k + 1)`` over the known ``u_k``, where
``N = min(5, letters left in the word)`` is the number of orders that start there:
every delta counts for its own order and every higher one it stands in for. Only the
languages that know an n-gram are touched (sparse rows), and a chain stops at the
first n-gram no language knows.

Speed: the tables are far bigger than the CPU caches, so the cost is memory latency.
A word is walked order by order over all its positions (the look-ups of one order are
independent, so the CPU overlaps them), an n-gram is found with one probe whose slot
also holds where its entries are, and the result of each word is memoised per call.

Words are runs of letters; Han, Hangul, Hiragana and Katakana characters are words of
their own (as in Lingua). Scores are integers in units of ``2**-QUANT_BITS`` summed
exactly, so a text's scores do not depend on its batch.
"""

from __future__ import annotations

import numpy as np

from newsetl.langid.kernel import HASH_MULT, QUANT_BITS, _jit

SEP = 0  # not a letter: ends a word
UNK = 1  # a letter in no model: part of a word, starts no known n-gram
F_ALONE = 1  # flag: a word of its own (CJK ideographs, kana, Hangul)
SCALE = 2.0**-QUANT_BITS
#: A slot's (or a unigram's) value packs ``entry start << COUNT_BITS | entry count``;
#: an entry packs ``delta << 8 | language column``.
COUNT_BITS = 8
#: Word memo: the last result of up to 2**MEMO_BITS distinct words (of at most
#: MEMO_MAX_LEN letters) per call. A word's contribution depends on the word alone, so
#: a repeated word ("the", "de", "и") costs one dense row add instead of its n-gram
#: chains; the memo compares whole words, so results are exact whatever it holds.
MEMO_BITS = 12
MEMO_MAX_LEN = 12
#: |delta| bound (units) that keeps a memoised word's row inside int32:
#: MEMO_MAX_LEN positions x weights 5 + 4 + 3 + 2 + 1 x MAX_DELTA < 2**31.
MAX_DELTA = 2**31 // (MEMO_MAX_LEN * 15) - 1
#: Longest word walked at once (longer ones are walked in pieces: no n-gram is longer
#: than 5, so a piece overlaps the next by 4 letters).
_CHUNK = 64


@_jit
def lookup(key: int, table: np.ndarray, bits: int) -> int:
    """Slot of ``key`` (= id of the prefix * n_cid + char id) in the open-addressing
    table (``table[2 * slot]`` = key, ``table[2 * slot + 1]`` = value); -1 if absent."""
    mask = (1 << bits) - 1
    slot = np.int64((np.uint64(key) * HASH_MULT) >> np.uint64(64 - bits))
    while True:
        k = table[2 * slot]
        if k == key:
            return slot
        if k == -1:
            return -1
        slot = (slot + 1) & mask


@_jit
def _add(value: int, weight: int, entries: np.ndarray, acc: np.ndarray) -> None:
    start = value >> COUNT_BITS
    for e in range(start, start + (value & ((1 << COUNT_BITS) - 1))):
        packed = entries[e]
        acc[packed & 0xFF] += weight * (packed >> 8)


@_jit
def _add_row(row: np.ndarray, weight: int, acc: np.ndarray) -> None:
    """A unigram's deltas as a dense row (most letters are known to dozens of
    languages: a vectorised add beats a scatter of that many entries)."""
    for lang in range(len(acc)):
        acc[lang] += weight * row[lang]


@_jit
def _word(cid: np.ndarray, a: int, b: int, model: tuple, max_order: int,
          acc: np.ndarray, ids: np.ndarray, vals: np.ndarray) -> int:
    """Add the word ``cid[a:b]`` (at most ``_CHUNK`` letters) to ``acc``; return its
    number of n-gram slots. ``ids``/``vals``: scratch of ``_CHUNK`` entries."""
    uni_val, uni_rows, n_cid, table, bits, entries = model
    size = len(table) // 2
    length = b - a
    slots = 0
    for p in range(length):
        c = cid[a + p]
        ids[p] = size + c if uni_val[c] >= 0 else -1
        vals[p] = uni_val[c]
        slots += min(max_order, length - p)
    for k in range(1, max_order + 1):
        # this order's entries, at every position where the chain is still known
        for p in range(length - k + 1):
            if ids[p] >= 0:
                if k == 1:
                    _add_row(uni_rows[cid[a + p]], min(max_order, length - p), acc)
                else:
                    _add(vals[p], min(max_order, length - p) - k + 1, entries, acc)
        if k == max_order:
            break
        # the next order's look-ups (independent of each other)
        for p in range(length - k):
            if ids[p] >= 0:
                slot = lookup(ids[p] * n_cid + cid[a + p + k], table, bits)
                ids[p] = slot
                if slot >= 0:
                    vals[p] = table[2 * slot + 1]
    return slots


@_jit
def _long_word(cid: np.ndarray, a: int, b: int, model: tuple, max_order: int,
               acc: np.ndarray, ids: np.ndarray, vals: np.ndarray) -> int:
    """A word of any length, in overlapping pieces of ``_CHUNK`` letters: each
    position's chain needs the next ``max_order - 1`` letters only."""
    if b - a <= _CHUNK:
        return _word(cid, a, b, model, max_order, acc, ids, vals)
    slots = 0
    step = _CHUNK - (max_order - 1)
    tmp = np.zeros(len(acc), dtype=np.int64)
    p = a
    while p < b:
        end = min(b, p + _CHUNK)
        tmp[:] = 0
        if end == b:
            slots += _word(cid, p, end, model, max_order, tmp, ids, vals)
            for lang in range(len(acc)):
                acc[lang] += tmp[lang]
            break
        # positions p .. p + step - 1 have their whole chains inside the piece
        slots += _word_head(cid, p, end, step, model, max_order, tmp, ids, vals)
        for lang in range(len(acc)):
            acc[lang] += tmp[lang]
        p += step
    return slots


@_jit
def _word_head(cid: np.ndarray, a: int, b: int, head: int, model: tuple, max_order: int,
               acc: np.ndarray, ids: np.ndarray, vals: np.ndarray) -> int:
    """The chains of positions ``a .. a + head - 1`` of a word that goes on past ``b``
    (so every such chain has all ``max_order`` orders)."""
    uni_val, uni_rows, n_cid, table, bits, entries = model
    size = len(table) // 2
    for p in range(head):
        c = cid[a + p]
        ids[p] = size + c if uni_val[c] >= 0 else -1
        vals[p] = uni_val[c]
    for k in range(1, max_order + 1):
        for p in range(head):
            if ids[p] >= 0:
                if k == 1:
                    _add_row(uni_rows[cid[a + p]], max_order, acc)
                else:
                    _add(vals[p], max_order - k + 1, entries, acc)
        if k == max_order:
            break
        for p in range(head):
            if ids[p] >= 0:
                slot = lookup(ids[p] * n_cid + cid[a + p + k], table, bits)
                ids[p] = slot
                if slot >= 0:
                    vals[p] = table[2 * slot + 1]
    return head * max_order


@_jit
def score_texts(cps: np.ndarray, select: np.ndarray, cp_cid: np.ndarray,
                cid_flags: np.ndarray, model: tuple, max_order: int, max_len: int,
                memo_bits: int, out: np.ndarray, counts: np.ndarray) -> None:
    """Text ``k`` lies between the ``k``-th and ``k + 1``-th 0 of ``cps``; for each
    text with ``select[k]``: ``out[k]`` += its summed deltas (see the module
    docstring), ``counts[k]`` = the number of n-gram slots (positions x orders) of its
    words, at most ``max_len`` characters read. The word memo has ``2**memo_bits``
    slots (small for small batches: it is allocated per call).
    """
    n_langs = out.shape[1]
    acc = np.zeros(n_langs, dtype=np.int64)
    tmp = np.zeros(n_langs, dtype=np.int64)
    ids = np.empty(_CHUNK, dtype=np.int64)
    vals = np.empty(_CHUNK, dtype=np.int64)
    cid = np.empty(max_len + 1, dtype=np.int32)
    memo_size = 1 << memo_bits
    memo_word = np.full((memo_size, MEMO_MAX_LEN + 1), -1, dtype=np.int32)
    memo_row = np.zeros((memo_size, n_langs), dtype=np.int32)
    memo_slots = np.zeros(memo_size, dtype=np.int64)
    k = -1
    i = 0
    n_cps = len(cps)
    while i < n_cps:
        if cps[i] != 0:
            i += 1
            continue
        k += 1
        if k >= out.shape[0]:
            break
        j = i + 1
        if not select[k]:
            while j < n_cps and cps[j] != 0:
                j += 1
            i = j
            continue
        # the text's characters as ids (SEP for anything that is not a letter)
        m = 0
        while j < n_cps and cps[j] != 0:
            if m < max_len:
                cp = cps[j]
                cid[m] = cp_cid[cp] if cp <= 0xFFFF else SEP
                m += 1
            j += 1
        acc[:] = 0
        slots = 0
        a = 0
        while a < m:
            c = cid[a]
            if c == SEP:
                a += 1
                continue
            b = a + 1
            if not (cid_flags[c] & F_ALONE):
                while b < m and cid[b] != SEP and not (cid_flags[cid[b]] & F_ALONE):
                    b += 1
            length = b - a
            if length == 1 or length > MEMO_MAX_LEN:
                slots += _long_word(cid, a, b, model, max_order, acc, ids, vals)
                a = b
                continue
            h = np.uint64(length)
            for p in range(a, b):
                h = (h ^ np.uint64(cid[p])) * HASH_MULT
            slot = np.int64(h >> np.uint64(64 - memo_bits))
            hit = memo_word[slot, 0] == length
            if hit:
                for p in range(length):
                    if memo_word[slot, p + 1] != cid[a + p]:
                        hit = False
                        break
            if not hit:
                tmp[:] = 0
                memo_slots[slot] = _word(cid, a, b, model, max_order, tmp, ids, vals)
                memo_row[slot, :] = tmp
                memo_word[slot, 0] = length
                for p in range(length):
                    memo_word[slot, p + 1] = cid[a + p]
            row = memo_row[slot]
            for lang in range(n_langs):
                acc[lang] += row[lang]
            slots += memo_slots[slot]
            a = b
        for lang in range(n_langs):
            out[k, lang] += acc[lang] * SCALE
        counts[k] = slots
        i = j
