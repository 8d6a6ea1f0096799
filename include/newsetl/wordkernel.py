"""The compiled loops of :mod:`newsetl.wordhash` and :mod:`newsetl.minhash`: UTF-8 bytes
-> words -> rensa's token hashes -> each body's distinct shingle hashes.

Why compiled: the numpy version spent its time in whole-batch temporaries (a class
per byte, word starts and ends, owners, every step of the hash as its own array; then
the shingles' mixing, a ``repeat`` and a sort per body): ~0.15 ms of CPU per ~3.4 KB
article. Here each body's bytes are walked once, in numba-compiled code (cached on
disk like :mod:`newsetl.langid.kernel`), with the same rules:

* a byte belongs to a word when its character is a word character (``word`` table:
  regex ``\\w``); a character of an unspaced script (``unspaced`` table) is a word of
  its own;
* a word's hash is ``rustc_hash`` 2's ``FxHasher`` as rensa 0.5.0 uses it
  (``hash_bytes``, then a multiply and a 26-bit rotation);
* a shingle's hash mixes its words' hashes in order (``h = h * mix ^ next``).

Imported on first use only: the main process (which publishes) never loads numba.
"""

from __future__ import annotations

import numpy as np

from newsetl.langid.kernel import _jit

_U64 = np.uint64
_M32 = _U64(0xFFFF_FFFF)
_K = _U64(0xF135_7AEA_2E62_A9C5)
_SEED1 = _U64(0x243F_6A88_85A3_08D3)
_SEED2 = _U64(0x1319_8A2E_0370_7344)
_ZERO_GUARD = _U64(0xA409_3822_299F_31D0)
_S32 = _U64(32)
_S26 = _U64(26)
_S38 = _U64(38)
_S8 = _U64(8)


@_jit
def _read(buf: np.ndarray, at: int, n: int) -> np.uint64:
    """``n`` bytes of ``buf`` from ``at`` as a little-endian integer."""
    value = _U64(0)
    for k in range(n - 1, -1, -1):
        value = (value << _S8) | _U64(buf[at + k])
    return value


@_jit
def _mul_mix(x: np.uint64, y: np.uint64) -> np.uint64:
    """The 128-bit product of x and y, its two halves xor-ed (``multiply_mix``)."""
    xl, xh, yl, yh = x & _M32, x >> _S32, y & _M32, y >> _S32
    ll, lh, hl, hh = xl * yl, xl * yh, xh * yl, xh * yh
    carry = ((ll >> _S32) + (lh & _M32) + (hl & _M32)) >> _S32
    high = hh + (lh >> _S32) + (hl >> _S32) + carry
    return (x * y) ^ high


@_jit
def fx_hash(buf: np.ndarray, start: int, n: int) -> np.uint64:
    """rensa's token hash of the bytes ``buf[start:start + n]`` (n >= 1)."""
    if n < 4:
        s0 = _SEED1 ^ _U64(buf[start])
        s1 = _SEED2 ^ ((_U64(buf[start + n - 1]) << _S8) | _U64(buf[start + n // 2]))
    elif n < 8:
        s0 = _SEED1 ^ _read(buf, start, 4)
        s1 = _SEED2 ^ _read(buf, start + n - 4, 4)
    elif n <= 16:
        s0 = _SEED1 ^ _read(buf, start, 8)
        s1 = _SEED2 ^ _read(buf, start + n - 8, 8)
    else:
        s0, s1 = _SEED1, _SEED2
        offset = 0
        while offset < n - 16:
            at = start + offset
            mixed = _mul_mix(s0 ^ _read(buf, at, 8), _ZERO_GUARD ^ _read(buf, at + 8, 8))
            s0, s1 = s1, mixed
            offset += 16
        s0 = s0 ^ _read(buf, start + n - 16, 8)
        s1 = s1 ^ _read(buf, start + n - 8, 8)
    out = (_mul_mix(s0, s1) ^ _U64(n)) * _K
    return (out << _S26) | (out >> _S38)


@_jit
def _char_at(buf: np.ndarray, i: int) -> tuple[int, int]:
    """(code point, byte width) of the UTF-8 character starting at ``buf[i]``."""
    b0 = np.int64(buf[i])
    if b0 < 0x80:
        return b0, 1
    if b0 < 0xE0:
        return ((b0 & 0x1F) << 6) | (np.int64(buf[i + 1]) & 0x3F), 2
    if b0 < 0xF0:
        return (((b0 & 0x0F) << 12) | ((np.int64(buf[i + 1]) & 0x3F) << 6)
                | (np.int64(buf[i + 2]) & 0x3F)), 3
    point = (((b0 & 0x07) << 18) | ((np.int64(buf[i + 1]) & 0x3F) << 12)
             | ((np.int64(buf[i + 2]) & 0x3F) << 6) | (np.int64(buf[i + 3]) & 0x3F))
    return min(point, 0x10FFFF), 4


@_jit
def word_hashes(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, word: np.ndarray,
                unspaced: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The hash of every word of every body ``buf[starts[b]:ends[b]]`` (UTF-8, ``buf``
    followed by at least 16 zero bytes), in order, and the words per body."""
    hashes = np.empty(len(buf) // 2 + 1, dtype=np.uint64)  # a word and a separator
    counts = np.zeros(len(starts), dtype=np.int64)
    n = 0
    for b in range(len(starts)):
        before = n
        run = -1  # where the current word started, -1 outside a word
        i = starts[b]
        end = ends[b]
        while i < end:
            point, width = _char_at(buf, i)
            if word[point] and not unspaced[point]:
                if run < 0:
                    run = i
            else:
                if run >= 0:
                    hashes[n] = fx_hash(buf, run, i - run)
                    n += 1
                    run = -1
                if word[point]:  # an unspaced-script character: a word by itself
                    hashes[n] = fx_hash(buf, i, width)
                    n += 1
            i += width
        if run >= 0:
            hashes[n] = fx_hash(buf, run, end - run)
            n += 1
        counts[b] = n - before
    return hashes[:n], counts


@_jit
def distinct_shingles(hashes: np.ndarray, counts: np.ndarray, width: int,
                      mix: np.uint64) -> tuple[np.ndarray, np.ndarray]:
    """Each body's distinct shingle hashes, sorted: (values, row offsets). A shingle
    mixes the hashes of ``width`` consecutive words in order; a body with fewer words
    (but one at least) has one shingle of all of them."""
    total = 0
    for b in range(len(counts)):
        total += max(counts[b] - width + 1, min(counts[b], 1))
    values = np.empty(total, dtype=np.uint64)
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    first = 0  # the body's first word
    n = 0
    for b in range(len(counts)):
        count = counts[b]
        shingles = max(count - width + 1, min(count, 1))
        row = n
        for s in range(shingles):
            h = hashes[first + s]
            for k in range(1, min(width, count)):
                h = (h * mix) ^ hashes[first + s + k]
            values[n] = h
            n += 1
        values[row:n].sort()
        kept = row
        for j in range(row, n):  # sorted: a repeat follows its first copy
            if j == row or values[j] != values[kept - 1]:
                values[kept] = values[j]
                kept += 1
        n = kept
        offsets[b + 1] = n
        first += count
    return values[:n], offsets
