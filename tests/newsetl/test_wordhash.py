"""The vectorised word hashes are exactly ``re``'s words hashed by rensa: stored
signatures stay valid."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
from newsetl import minhash, wordhash
from rensa import RMinHash

ALPHABET = ("abcXYZ _-.,!?\x00\n\t0123éÉ漢字ßẞİıσςΣ😀𝔘\u0301\u200b٣ﬁ'’ѣЖ\u0e01\u0e34"
            "\ufeff\u00a0")


def _reference(bodies: list[str]) -> tuple[list[int], list[int]]:
    """What signing did before: ``re`` on the case-folded body, rensa's token hash."""
    words = [re.findall(r"\w+", b.casefold()) for b in bodies]
    flat = [w for ws in words for w in ws]
    return (RMinHash.hash_token_sets([flat])[0] if flat else []), [len(w) for w in words]


def _bodies(seed: int, n: int = 400) -> list[str]:
    rng = random.Random(seed)
    out = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 300))) for _ in range(n)]
    out += ["漢" * k for k in range(1, 60)]  # one word, 3 to 177 bytes: every hash branch
    out += ["a" * k + " " + "é" * k for k in range(0, 40)]
    out += ["", " ", "!!", "\x00word\x00", "_", "x"]
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_word_hashes_equal_re_words_hashed_by_rensa(seed: int) -> None:
    bodies = _bodies(seed)
    hashes, counts = wordhash.word_hashes(bodies)
    expected_hashes, expected_counts = _reference(bodies)
    assert counts.tolist() == expected_counts
    assert hashes.tolist() == expected_hashes


def test_word_hashes_do_not_depend_on_the_batch(monkeypatch) -> None:
    """Bodies are hashed in chunks of text: chunk edges change nothing."""
    bodies = _bodies(2, 120)
    whole = wordhash.word_hashes(bodies)
    monkeypatch.setattr(wordhash, "CHUNK_BYTES", 7)
    tiny = wordhash.word_hashes(bodies)
    assert np.array_equal(whole[0], tiny[0]) and np.array_equal(whole[1], tiny[1])
    assert wordhash.word_hashes([])[0].size == 0


def test_word_table_is_re_word_class() -> None:
    table = wordhash.word_table()
    rng = random.Random(3)
    points = [*range(0, 0x3000), *(rng.randrange(0x110000) for _ in range(20_000))]
    for cp in points:
        if 0xD800 <= cp < 0xE000:
            continue  # surrogates never reach the table (UTF-8 encoding refuses them)
        assert table[cp] == bool(re.match(r"\w", chr(cp))), hex(cp)


def test_shingle_hashes_of_short_and_repeated_bodies() -> None:
    """Bodies shorter than a shingle give one shingle of all their words; repeated
    shingles count once; values of one body come sorted."""
    values, offsets = minhash.shingle_hashes(
        ["", "one", "one two", "a b c d e", "a b c d e a b c d e", "A  b; c d e"])
    sizes = np.diff(offsets).tolist()
    assert sizes == [0, 1, 1, 1, 5, 1]
    rows = [values[a:b].tolist() for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
    assert rows[3] == rows[5]  # case and punctuation do not matter
    assert rows[1] != rows[2] and rows[3][0] in rows[4]
    assert all(r == sorted(r) for r in rows)


def test_signature_values_are_those_already_stored() -> None:
    """Pinned: the values signed before the vectorised hashing (rensa 0.5.0, seed 1515);
    a change here means every stored signature must be re-signed (bump
    ``minhash.SIGNATURE_VERSION``)."""
    import hashlib

    bodies = ["The cat sat on the mat today, said Straße officials in Zürich.",
              "漢字漢字 テスト of a much longer text that goes on and on for a while", "x"]
    digest = hashlib.sha1(minhash.signatures(bodies).astype("<u4").tobytes()).hexdigest()
    assert digest == "ea6409e4d6acf74077c4b7eb1625e344a6846a74"
