"""Tests of the short-text model (Lingua's 1-5-gram models) and of the short/long routing.

The first use builds the model from the pinned Lingua wheel (downloaded into the cache
directory, ~2 min) unless a cached table exists.
"""

from __future__ import annotations

import numpy as np
import pytest
from newsetl.langid import calibration, fast, lingua_source, short, short_kernel

# Two-word texts of the dev set that the naive Bayes on langdetect's 1-3-gram profiles
# alone got wrong (its answer second) and the routed detector gets right.
WORD_PAIRS = {
    "ca": ("manera busca", "id"),
    "cs": ("pomáhá definovat", "sk"),
    "da": ("admin arrangerer", "no"),
    "de": ("gebieten niedergegangen", "af"),
    "en": ("political party", "it"),
    "es": ("quise enemistarme", "fr"),
    "fr": ("accord gardien", "it"),
    "id": ("elektronik sudah", "et"),
    "it": ("vuole sentire", "fi"),
    "nb": ("jæren store", "da"),
    "nl": ("lichaam bezetene", "de"),
    "pt": ("quebrar centralismo", "es"),
    "sv": ("valet utfaller", "no"),
    "sw": ("kupitia meneja", "sk"),
}


@pytest.mark.parametrize("code", sorted(WORD_PAIRS))
def test_word_pairs_naive_bayes_got_wrong(code):
    text, nb_answer = WORD_PAIRS[code]
    s, n = fast.scores([text])
    assert fast.decide(s, n, min_prob=0.0)[0][0] == nb_answer  # the old path's answer
    lang, prob = fast.detect(text, min_letters=0, min_prob=0.0)
    assert lang == {"nb": "no"}.get(code, code), (text, lang, prob)


def _reference(text: str) -> tuple[np.ndarray, int]:
    """The short model's score of one text, the slow way: every position's chain of
    n-grams looked up one by one, every known n-gram's deltas added with its weight
    (see newsetl.langid.short_kernel)."""
    m = short.model(fast.languages())
    size = len(m.table) // 2
    cids = [int(m.cp_cid[ord(ch)]) if ord(ch) <= 0xFFFF else 0 for ch in text]
    words, cur = [], []
    for c in cids:
        if c == short_kernel.SEP:
            words.append(cur)
            cur = []
        elif m.cid_flags[c] & short_kernel.F_ALONE:
            words += [cur, [c]]
            cur = []
        else:
            cur.append(c)
    words.append(cur)
    acc = np.zeros(len(fast.languages()), dtype=np.int64)
    slots = 0
    for w in words:
        for p in range(len(w)):
            n = min(short.MAX_ORDER, len(w) - p)
            slots += n
            if m.uni_val[w[p]] < 0:
                continue
            node, value = size + w[p], int(m.uni_val[w[p]])
            for k in range(1, n + 1):
                start, count = value >> short_kernel.COUNT_BITS, value & 0xFF
                for e in m.entries[start:start + count].tolist():
                    acc[e & 0xFF] += (n - k + 1) * (e >> 8)
                if k == n:
                    break
                slot = short_kernel.lookup(node * m.n_cid + w[p + k], m.table, m.hash_bits)
                if slot < 0:
                    break
                node, value = slot, int(m.table[2 * slot + 1])
    return acc * short_kernel.SCALE, slots


def _short_scores(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    return short.scores(fast._code_points(texts), np.ones(len(texts), dtype=bool),
                        fast.languages())


TEXTS = [
    "Hello world",
    "Der Bundestag hat am Donnerstag das neue Gesetz beschlossen.",
    "Le gouvernement a annoncé une réforme des retraites",
    "Правительство объявило о реформе",
    "政府星期二宣布了一项新的养老金改革",
    "東京でカタカナとひらがなを混ぜた文",
    "한국어 문장입니다",
    "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherungsanstaltsgebäude"
    "verwaltungsangestellter ist ein langes Wort",  # a word longer than the kernel's piece
    "ÆØÅ STORE BOKSTAVER og små",
    "a b c de f",
    "12345 !!! ???",
    "",
]


def test_kernel_matches_the_reference_scorer():
    s, n = _short_scores(TEXTS)
    for k, text in enumerate(TEXTS):
        ref, slots = _reference(text)
        assert n[k] == slots, text
        np.testing.assert_array_equal(s[k], ref, err_msg=text)


def test_scores_do_not_depend_on_batch_or_position():
    """Exact integers and a memo that compares whole words: a text's row is the same
    bits alone, first, last, or after texts sharing its words."""
    alone = [_short_scores([t]) for t in TEXTS]
    batch = TEXTS[::-1] + TEXTS + ["Hello world world hello"] * 3 + TEXTS
    s, n = _short_scores(batch)
    for k, text in enumerate(batch):
        i = TEXTS.index(text) if text in TEXTS else None
        if i is None:
            continue
        np.testing.assert_array_equal(s[k], alone[i][0][0])
        assert n[k] == alone[i][1][0]


def test_routing_by_length():
    fast.detect("warm up")
    short_text = "x" * (fast.SHORT_MAX_CHARS - 1)
    long_text = "x" * fast.SHORT_MAX_CHARS
    assert fast.is_short([short_text, long_text]).tolist() == [True, False]
    texts = ["Le gouvernement a annoncé une réforme", "The government announced a reform " * 20]
    s, n, short_mask, s_nb, n_nb = fast.routed_scores(texts)
    assert short_mask.tolist() == [True, False]
    # long texts keep the naive-Bayes row (today's path); short ones add the short model
    np.testing.assert_array_equal(s[1], s_nb[1])
    sh, n_sh = _short_scores(texts[:1])
    np.testing.assert_allclose(s[0], sh[0] + fast.NB_WEIGHT * s_nb[0])
    assert n[0] == n_sh[0]
    # a group (an article's body) is judged by its members' naive-Bayes rows, summed
    per_text, per_group = fast.detect_grouped(texts, [[0, 1]], 0, 0, min_prob=0.0)
    nb_sum = s_nb.sum(axis=0)
    best, _ = calibration.top(nb_sum[None, :], np.array([n_nb.sum()]))
    assert per_group[0][0] == fast.languages()[best[0]]


def test_short_text_without_known_letters_keeps_the_naive_bayes_row():
    # combining marks alone are letters for no Lingua model (they split words)
    texts = ["\u0301\u0302 \u0303"]
    s, n, short_mask, s_nb, n_nb = fast.routed_scores(texts)
    assert not short_mask[0]
    np.testing.assert_array_equal(s[0], s_nb[0])


def test_wheel_with_other_bytes_is_refused(tmp_path, monkeypatch):
    fake = tmp_path / lingua_source.WHEEL
    fake.write_bytes(b"not the wheel")
    monkeypatch.setenv("NEWSETL_LINGUA_WHEEL", str(fake))
    with pytest.raises(lingua_source.LinguaModelsUnavailable):
        lingua_source.wheel_path(tmp_path)


def test_saved_model_loads_identical(tmp_path):
    m = short.model(fast.languages())
    path = tmp_path / "m.npz"
    short._save(m, path)
    loaded = short._load(path)
    assert loaded.n_cid == m.n_cid and loaded.hash_bits == m.hash_bits
    for name in ("cp_cid", "cid_flags", "uni_val", "table", "entries"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(m, name))
