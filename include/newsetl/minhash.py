"""MinHash signatures of article bodies: the input of cross-day near-duplicate search.

A signature summarises the set of **5-word shingles** of a body (case-folded words,
punctuation dropped, each Chinese or Japanese character a word of its own —
:mod:`newsetl.wordhash`; each shingle hashed to 64 bits from its words' hashes) with
**128 MinHash values** (``rensa.RMinHash``, seed
:data:`SEED`): the share of equal values between two signatures estimates the Jaccard
similarity of their shingle sets (standard error ~0.035 at J = 0.8). The 128 values
are cut into **16 bands of 8 rows** for LSH (:mod:`newsetl.neardup`): a pair with
Jaccard J shares at least one band with probability 1 - (1 - J^8)^16 — 0.94 at
J = 0.8, 0.99 at 0.85 and 0.10 at 0.5 — so candidates are found for the pairs that
matter, while unrelated stories rarely meet.

Why these numbers (``bench/near_dups.py --bases 600 --sweep``: ~3,600 real-length
bodies, ~4,150 true pairs with Jaccard >= 0.8 within ±30 days; seeds 0-2): 16 x 8
bands give precision 0.958-0.963 and recall 0.975-0.982; every false alarm and every
miss is a pair with a true Jaccard between 0.71 and 0.87, within the estimate's error
of the threshold, and no article sharing only the long newsletter paragraph is ever
paired. 8 x 16 bands miss a fifth of the pairs (recall 0.80); 32 x 4 scores the same
but its S-curve is flat (a J = 0.5 pair is a candidate with probability 0.87 against
0.10), so a big window verifies far more candidates (clustering 23,000 against 43,000
articles/s here). 5-word shingles make a changed word cost only the five shingles that
cross it, while a shared stock paragraph stays a small share of either body; 8-word
shingles push copies with a few substitutions below 0.8 (9 % fewer true pairs, recall
0.95); 3-word shingles score alike on this synthetic set, but on real news unrelated
stories on one topic share many 3-word phrases. 128 values keep the estimate's error
(~0.035 at 0.8) small next to the threshold. Speed (``bench/near_dups_scale.py``,
2026-12-02, side by side on the shared 2-core machine): 8,200 real-length multilingual
bodies/s on one core and 11,800 on two against 4,200 and 4,700 for the ``re`` +
``hash_token_sets`` version (6,500 against 2,000 in a busier run;
its own profile: 0.8 s finding words and 1.1 s hashing them per 7,000 bodies, against
0.1 s in rensa's MinHash): words are found and hashed without a string per word
(:mod:`newsetl.wordhash`, rensa's token hash reimplemented), and shingles are
deduplicated per body instead of one ``lexsort`` of the batch. Both steps are
compiled loops (:mod:`newsetl.wordkernel`): 0.055 ms of CPU per real-length body for
the whole signature, against 0.09 ms with the numpy version of the same steps
(measured side by side, 3,000 bodies).

Signatures depend only on the body text and these constants (rensa hashes with its
own seeded hash, not Python's ``hash``), so every process, worker count and run gives
the same values. Changing any constant or the words changes signatures: bump
:data:`SIGNATURE_VERSION`; days published with another version are re-signed from
their articles before they are compared (:func:`newsetl.nearstore.ensure_signed`).

>>> shingles("The cat sat on the mat today.")
['the cat sat on the', 'cat sat on the mat', 'sat on the mat today']
>>> sig = signatures(["The cat sat on the mat today.", "The cat sat on the mat today!"])
>>> sig.shape, estimated_jaccard(sig[0], sig[1])
((2, 128), 1.0)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from newsetl import wordhash

#: Words per shingle.
SHINGLE_WORDS = 5
#: MinHash values per signature = BANDS * ROWS.
NUM_PERM = 128
BANDS = 16
ROWS = 8
#: Fixed: signatures of different runs must be comparable.
SEED = 1_515
#: Recorded in the manifest; bump when a constant above or the tokenizer changes.
#: v3: each Chinese/Japanese character is a word (v2 took a clause for one).
SIGNATURE_VERSION = f"rensa-rminhash-v3/w{SHINGLE_WORDS}-cjk1-mix1/p{NUM_PERM}/s{SEED}"

#: Odd 64-bit multiplier that mixes a shingle's word hashes in order (so "a b" and
#: "b a" differ).
_MIX = np.uint64(0x9E3779B97F4A7C15)


def words(body: str) -> list[str]:
    """The body's words, case-folded, without punctuation (so a changed quote mark or
    dash never changes a shingle); each Chinese or Japanese character is a word.

    >>> words("Xi Jinping 会见了 «the» PM")
    ['xi', 'jinping', '会', '见', '了', 'the', 'pm']
    """
    return wordhash.TOKEN.findall(body.casefold())


def shingles(body: str) -> list[str]:
    """The body's distinct ``SHINGLE_WORDS``-word shingles as text, in first-seen order
    (what :func:`shingle_hashes` hashes; for reading and tests); a body shorter than
    one shingle gives its words as one shingle (or none when empty)."""
    tokens = words(body)
    if len(tokens) < SHINGLE_WORDS:
        return [" ".join(tokens)] if tokens else []
    seen = dict.fromkeys(" ".join(tokens[i:i + SHINGLE_WORDS])
                         for i in range(len(tokens) - SHINGLE_WORDS + 1))
    return list(seen)


def shingle_hashes(bodies: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct shingles of each body as 64-bit hashes: (values, row offsets: body
    i is ``values[offsets[i]:offsets[i + 1]]``, sorted).

    No string per word or shingle (:mod:`newsetl.wordhash`, compiled loops of
    :mod:`newsetl.wordkernel`): a shingle's hash mixes its words' hashes in order; a
    body shorter than one shingle mixes all its words.

    >>> values, offsets = shingle_hashes(["a b c d e f", "A b, c d e!", "x"])
    >>> offsets.tolist(), len(set(values[:2]) & set(values[2:3]))
    ([0, 2, 3, 4], 1)
    """
    from newsetl import wordkernel

    hashes, counts = wordhash.word_hashes(bodies)
    return wordkernel.distinct_shingles(hashes, counts, SHINGLE_WORDS, _MIX)


def signatures_of_hashes(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """One MinHash signature per row of shingle hashes, in one call into rensa: a
    ``(rows, NUM_PERM)`` uint32 array. An empty row gets all values 2**32 - 1."""
    from rensa import RMinHash

    if len(offsets) <= 1:
        return np.empty((0, NUM_PERM), dtype=np.uint32)
    matrix = RMinHash.digest_matrix_from_flat_token_hashes(
        np.ascontiguousarray(values, dtype=np.uint64), offsets.astype(np.uint64),
        num_perm=NUM_PERM, seed=SEED)
    return np.asarray(matrix.to_rows(), dtype=np.uint32).reshape(-1, NUM_PERM)


def signatures(bodies: Sequence[str]) -> np.ndarray:
    """The MinHash signature of each body: a ``(len(bodies), NUM_PERM)`` uint32 array."""
    return signatures_of_hashes(*shingle_hashes(bodies))


def sign_rows(articles: list[dict]) -> None:
    """Add ``n_shingles`` and ``minhash`` to article row dicts (a shard's batch), from
    their ``body``: computed where the body already is, one rensa call per batch."""
    if not articles:
        return
    values, offsets = shingle_hashes([a["body"] for a in articles])
    sigs = signatures_of_hashes(values, offsets)
    for row, n, sig in zip(articles, np.diff(offsets).tolist(), sigs, strict=True):
        row["n_shingles"] = n
        row["minhash"] = encode(sig)


def encode(sig: Sequence[int]) -> bytes:
    """A signature as stored in the ``signatures`` table: little-endian uint32 values
    (Delta Lake has no unsigned integer type).

    >>> decode(encode([1, 2**32 - 1]))[0].tolist()
    [1, 4294967295]
    """
    return np.asarray(sig, dtype="<u4").tobytes()


def decode(blobs: bytes | Sequence[bytes]) -> np.ndarray:
    """Stored signature(s) back as uint32 values: one row per blob."""
    if isinstance(blobs, bytes):
        blobs = [blobs]
    return np.frombuffer(b"".join(blobs), dtype="<u4").reshape(len(blobs), -1)


def decode_column(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A ``minhash`` column (pyarrow binary, chunked or not) as a ``(rows, NUM_PERM)``
    uint32 array, straight from the Arrow buffers (no Python object per row).

    >>> decode_column(pa.array([encode(range(128)), encode([7] * 128)])).shape
    (2, 128)
    >>> decode_column(pa.array([encode([7] * 128)], pa.large_binary()))[0, :2].tolist()
    [7, 7]
    """
    chunks = getattr(column, "chunks", [column])
    parts = [np.empty((0, NUM_PERM), dtype=np.uint32)]
    for chunk in chunks:
        if len(chunk) == 0:
            continue
        if chunk.null_count:
            raise ValueError("minhash column has nulls")
        width = np.int64 if pa.types.is_large_binary(chunk.type) else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], dtype=width)[
            chunk.offset:chunk.offset + len(chunk) + 1]
        if not np.all(np.diff(offsets) == 4 * NUM_PERM):
            raise ValueError(f"minhash values are not all {4 * NUM_PERM} bytes")
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
        parts.append(data.view("<u4").reshape(len(chunk), NUM_PERM))
    # one chunk: a read-only view of the Arrow buffer (a window's 512 MB are not copied)
    return parts[1] if len(parts) == 2 else np.concatenate(parts)


def estimated_jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    """The share of equal MinHash values: the estimated Jaccard similarity.

    >>> estimated_jaccard([1, 2, 3, 4], [1, 2, 0, 0])
    0.5
    """
    return float(np.mean(np.asarray(a) == np.asarray(b)))
