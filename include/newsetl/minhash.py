"""MinHash signatures of article bodies: the input of cross-day near-duplicate search.

A signature summarises the set of **5-word shingles** of a body (case-folded words,
punctuation dropped) with **128 MinHash values** (``rensa.RMinHash``, seed
:data:`SEED`): the share of equal values between two signatures estimates the Jaccard
similarity of their shingle sets (standard error ~0.035 at J = 0.8). The 128 values
are cut into **16 bands of 8 rows** for LSH (:mod:`newsetl.neardup`): a pair with
Jaccard J shares at least one band with probability 1 - (1 - J^8)^16 — 0.94 at
J = 0.8, 0.99 at 0.85 and 0.10 at 0.5 — so candidates are found for the pairs that
matter, while unrelated stories rarely meet.

Why these numbers (``bench/near_dups.py --bases 600 --sweep``: 3,628 real-length
bodies, 4,145 true pairs with Jaccard >= 0.8 within ±30 days): 16 x 8 bands find
precision 0.97 / recall 0.97 (the misses and false alarms are pairs with a true
Jaccard of 0.71-0.8x, within the estimate's error of the threshold); 8 x 16 bands
miss a quarter of the pairs (recall 0.76); 32 x 4 is as good on quality but its
S-curve is flat (a J = 0.5 pair is a candidate with probability 0.87, against 0.10),
so a big window would verify many more candidates. 5-word shingles make a changed word
cost only the five shingles that cross it, while one shared stock paragraph is a small
share of either body; 8-word shingles push copies with a few substitutions below 0.8
(9 % fewer true pairs, recall 0.96); 3-word shingles score better on this synthetic
set, but on real news unrelated stories on one topic share many 3-word phrases. 128
values keep the estimate's error small next to the 0.8 threshold.

Signatures depend only on the body text and these constants (rensa hashes with its
own seeded hash, not Python's ``hash``), so every process, worker count and run gives
the same values. Changing any constant changes every signature: bump
:data:`SIGNATURE_VERSION` and republish (or re-sign) the archive.

>>> shingles("The cat sat on the mat today.")
['the cat sat on the', 'cat sat on the mat', 'sat on the mat today']
>>> sig = signatures(["The cat sat on the mat today.", "The cat sat on the mat today!"])
>>> sig[0] == sig[1], len(sig[0]), estimated_jaccard(sig[0], sig[1])
(True, 128, 1.0)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

#: Words per shingle.
SHINGLE_WORDS = 5
#: MinHash values per signature = BANDS * ROWS.
NUM_PERM = 128
BANDS = 16
ROWS = 8
#: Fixed: signatures of different runs must be comparable.
SEED = 1_515
#: Recorded in the manifest; bump when a constant above or the tokenizer changes.
SIGNATURE_VERSION = f"rensa-rminhash-v2/w{SHINGLE_WORDS}/p{NUM_PERM}/s{SEED}"

_WORD = re.compile(r"\w+")


def words(body: str) -> list[str]:
    """The body's words, case-folded, without punctuation (so a changed quote mark or
    dash never changes a shingle)."""
    return _WORD.findall(body.casefold())


def shingles(body: str) -> list[str]:
    """The body's distinct ``SHINGLE_WORDS``-word shingles, in first-seen order; a body
    shorter than one shingle gives its words as one shingle (or none when empty)."""
    tokens = words(body)
    if len(tokens) < SHINGLE_WORDS:
        return [" ".join(tokens)] if tokens else []
    seen = dict.fromkeys(" ".join(tokens[i:i + SHINGLE_WORDS])
                         for i in range(len(tokens) - SHINGLE_WORDS + 1))
    return list(seen)


def signatures_of_shingles(sets: Sequence[Sequence[str]]) -> list[list[int]]:
    """One MinHash signature per shingle set, in one call into rensa (no Python object
    per document). An empty set gets the empty signature's values (all 2**32 - 1)."""
    from rensa import RMinHash

    if not sets:
        return []
    matrix = RMinHash.digest_matrix_from_token_sets(list(sets), num_perm=NUM_PERM, seed=SEED)
    return matrix.to_rows()


def signatures(bodies: Sequence[str]) -> list[list[int]]:
    """The MinHash signature of each body."""
    return signatures_of_shingles([shingles(b) for b in bodies])


def sign_rows(articles: list[dict]) -> None:
    """Add ``n_shingles`` and ``minhash`` to article row dicts (a shard's batch), from
    their ``body``: computed where the body already is, one rensa call per batch."""
    sets = [shingles(a["body"]) for a in articles]
    for row, shingle_set, sig in zip(articles, sets, signatures_of_shingles(sets),
                                     strict=True):
        row["n_shingles"] = len(shingle_set)
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


def estimated_jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    """The share of equal MinHash values: the estimated Jaccard similarity.

    >>> estimated_jaccard([1, 2, 3, 4], [1, 2, 0, 0])
    0.5
    """
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
