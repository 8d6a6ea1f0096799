"""langid.calibration: probabilities that mean what they say (issue 14)."""

from __future__ import annotations

import numpy as np
from newsetl.langid import calibration, detect, fast

LONG_FRENCH = (
    "Le ministère russe de la Défense a confirmé, dans un communiqué, la visite du "
    "maréchal Khalifa Haftar à bord du porte-avions russe Amiral Kouznetsov, le 11 "
    "janvier 2017. Dans la foulée, le président du Parlement libyen a invité des "
    "responsables du ministère à se rendre en Libye pour discuter de la lutte "
    "antiterroriste et du mécanisme de coopération entre les deux pays.")


def test_ambiguous_short_text_is_not_certain() -> None:
    # "radio" is a word in a dozen languages: the raw softmax said ~1.0
    for text in ("radio", "Hotel Central", "Roma"):
        lang, prob = fast.detect(text, min_letters=0, min_prob=0.0)
        assert lang != "und"
        assert prob < 0.99, (text, lang, prob)


def test_long_clear_text_is_certain() -> None:
    assert fast.detect(LONG_FRENCH) == ("fr", 1.0)
    lang, prob = detect(LONG_FRENCH[:120], detector="fast")
    assert lang == "fr" and prob > 0.99


def test_und_below_min_prob() -> None:
    lang, prob = fast.detect("Roma", min_letters=0, min_prob=0.0)
    assert prob < calibration.MIN_PROB
    assert fast.detect("Roma", min_letters=0) == ("und", 0.0)


def test_probability_grows_with_evidence() -> None:
    texts = [LONG_FRENCH[:n] for n in (12, 25, 50, 100, 200)]
    probs = [p for _, p in fast.detect_batch(texts, min_letters=0, min_prob=0.0)]
    assert probs == sorted(probs) and probs[0] < 0.99 < probs[-1]


def test_probabilities_are_a_tempered_softmax() -> None:
    s = np.array([[0.0, -3.0, -9.0], [-5.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    n = np.array([1, 10_000, 5])
    p = calibration.probabilities(s, n)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert np.argmax(p, axis=1).tolist() == [0, 1, 0]
    assert np.allclose(p[2], 1 / 3)
    # the same score gap means less when it comes from more n-grams
    one = calibration.probabilities(s[:1], np.array([1]))[0, 0]
    many = calibration.probabilities(s[:1], np.array([1000]))[0, 0]
    assert one > many > 1 / 3
    best, top = calibration.top(s, n)
    assert best.tolist() == [0, 1, 0] and np.allclose(top, p.max(axis=1))


def test_fit_recovers_a_known_temperature() -> None:
    # texts whose right answer is drawn from softmax(s / T(n)) with known constants:
    # the fit should come back close to them
    rng = np.random.default_rng(14)
    n = rng.integers(1, 400, size=4000)
    s = rng.normal(0.0, 1.0, size=(4000, 5)) * (3.0 * n[:, None] ** 0.4)
    p = calibration.probabilities(s, n, 3.0, 0.4)
    right = (rng.random(4000)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    ok = np.zeros_like(s, dtype=bool)
    ok[np.arange(4000), np.minimum(right, 4)] = True
    t0, a = calibration.fit(s, n, ok)
    assert abs(a - 0.4) < 0.1 and abs(np.log(t0 / 3.0)) < 0.4


def test_reliability_and_ece() -> None:
    p = np.array([0.95, 0.95, 0.55, 0.55, 0.55, 0.55])
    correct = np.array([1, 1, 1, 1, 0, 0])
    table, ece = calibration.reliability(p, correct)
    filled = [(count, round(mean, 2), acc) for _, _, count, mean, acc in table if count]
    assert filled == [(4, 0.55, 0.5), (2, 0.95, 1.0)]
    assert abs(ece - (4 * 0.05 + 2 * 0.05) / 6) < 1e-9
