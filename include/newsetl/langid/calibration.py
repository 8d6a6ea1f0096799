"""Calibrated confidence for the fast detector: a length-dependent temperature.

The fast detector's scores are sums of per-n-gram log-likelihoods. Their softmax is
wildly over-confident, because neighbouring n-grams are far from independent (the
trigram "the" and the bigrams "th", "he" carry the same evidence): on 1,725 real
articles it was 1.0 every time. Here the summed log-likelihoods are divided by a
temperature that grows with the number of n-grams ``n`` before the softmax::

    T(n) = TEMPERATURE * max(n, 1) ** LENGTH_EXPONENT
    p(lang) = softmax((s - max(s)) / T(n))

so a 3-letter word keeps a little of its score difference and a long article still
ends up certain. The two constants are fitted by :func:`fit` (minimum negative
log-likelihood of the right language, a coarse then a fine grid, deterministic) on
the language-ID development set (``/work/shared/langid-dev``: sentences, word pairs and
single words of 51 languages), every line except every third one of each file (those
are held out to report the reliability table and the expected calibration error in
``docs/langid_accuracy.md``). Refit with ``python bench/langid_accuracy.py --refit``.

Everything here is vectorised numpy on the (texts x languages) score matrix.
"""

from __future__ import annotations

import numpy as np

#: Fitted by ``python bench/langid_accuracy.py --refit`` (see the module docstring):
#: hold-out ECE 0.007 (raw softmax: 0.125), docs/langid_accuracy.md.
TEMPERATURE = 1.682
LENGTH_EXPONENT = 0.255
#: The same for texts scored by the short-text model (:mod:`newsetl.langid.short`;
#: n = its n-gram slots), fitted on the short dev lines by the same command.
SHORT_TEMPERATURE = 1.246
SHORT_LENGTH_EXPONENT = 0.395

#: Below this calibrated probability a text's language is ``und``: the best guess is
#: more likely wrong than right.
MIN_PROB = 0.5

#: Scores more than this many nats (after the temperature) below the best cannot
#: change a 4-decimal probability.
_CUTOFF = 40.0


def temperature(n_grams: np.ndarray, t0: float | np.ndarray = TEMPERATURE,
                exponent: float | np.ndarray = LENGTH_EXPONENT) -> np.ndarray:
    """The temperature of each text from its number of n-grams (``t0`` and
    ``exponent`` may be per-text arrays, see :func:`constants`).

    >>> temperature(np.array([0, 1, 16]), 2.0, 0.25).tolist()
    [2.0, 2.0, 4.0]
    """
    return t0 * np.maximum(np.asarray(n_grams, dtype=np.float64), 1.0) ** exponent


def constants(short: np.ndarray | None) -> tuple[float | np.ndarray, float | np.ndarray]:
    """(t0, exponent) of each row: the short-text model's where ``short`` is True.

    >>> t0, a = constants(np.array([True, False]))
    >>> t0.tolist() == [SHORT_TEMPERATURE, TEMPERATURE]
    True
    """
    if short is None:
        return TEMPERATURE, LENGTH_EXPONENT
    short = np.asarray(short, dtype=bool)
    return (np.where(short, SHORT_TEMPERATURE, TEMPERATURE),
            np.where(short, SHORT_LENGTH_EXPONENT, LENGTH_EXPONENT))


def logits(s: np.ndarray, n_grams: np.ndarray, t0: float | np.ndarray = TEMPERATURE,
           exponent: float | np.ndarray = LENGTH_EXPONENT) -> np.ndarray:
    """Calibrated log-odds-like scores: ``(s - max(s)) / T(n)`` (0 for the best)."""
    s = np.asarray(s, dtype=np.float64)
    if s.size == 0:
        return s.copy()
    return (s - s.max(axis=1, keepdims=True)) / temperature(n_grams, t0, exponent)[:, None]


def probabilities(s: np.ndarray, n_grams: np.ndarray, t0: float | np.ndarray = TEMPERATURE,
                  exponent: float | np.ndarray = LENGTH_EXPONENT) -> np.ndarray:
    """Calibrated probability of every language (rows sum to 1).

    >>> p = probabilities(np.array([[0.0, -2.0], [0.0, -200.0]]), np.array([1, 100]))
    >>> bool(0.5 < p[0, 0] < 0.99), bool(p[1, 0] > 0.999)
    (True, True)
    """
    z = logits(s, n_grams, t0, exponent)
    e = np.exp(np.where(z > -_CUTOFF, z, -np.inf))
    return e / e.sum(axis=1, keepdims=True)


def top(s: np.ndarray, n_grams: np.ndarray, short: np.ndarray | None = None
        ) -> tuple[np.ndarray, np.ndarray]:
    """(index of the best language, its calibrated probability) of each row
    (``short``: rows scored by the short-text model)."""
    s = np.asarray(s, dtype=np.float64)
    if len(s) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    z = logits(s, n_grams, *constants(short))
    best = np.argmax(z, axis=1)
    e = np.exp(np.where(z > -_CUTOFF, z, -np.inf))
    return best, 1.0 / e.sum(axis=1)


#: Bins of the reliability table: tenths, then the crowded top split finer.
RELIABILITY_EDGES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)


# ---------------------------------------------------------------------------------
# Fitting and measuring (used by bench/langid_accuracy.py)
# ---------------------------------------------------------------------------------
def _top_k(s: np.ndarray, ok: np.ndarray, k: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best scores of each row (relative to the best) and whether each is a
    right answer; the rest cannot matter at any sensible temperature."""
    diff = s - s.max(axis=1, keepdims=True)
    order = np.argsort(-diff, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(diff, order, 1), np.take_along_axis(ok, order, 1)


def _nll(diff: np.ndarray, ok: np.ndarray, n_grams: np.ndarray, t0: float,
         exponent: float) -> float:
    z = diff / temperature(n_grams, t0, exponent)[:, None]
    e = np.exp(z)
    p_right = (e * ok).sum(axis=1) / e.sum(axis=1)
    return float(-np.log(np.maximum(p_right, 1e-12)).mean())


def fit(s: np.ndarray, n_grams: np.ndarray, ok: np.ndarray) -> tuple[float, float]:
    """(TEMPERATURE, LENGTH_EXPONENT) minimising the mean negative log-likelihood of
    the right languages (``ok``: texts x languages, True where an answer is right).

    A coarse grid (exponent 0..1 by 0.05, log temperature by 0.1), then a fine one
    around its best (0.005 and 0.01); deterministic. Rows without n-grams are skipped.
    """
    keep = np.asarray(n_grams) > 0
    diff, okk = _top_k(np.asarray(s, dtype=np.float64)[keep], np.asarray(ok)[keep])
    n = np.asarray(n_grams)[keep]

    def search(exps, logts):
        best = None
        for a in exps:
            for lt in logts:
                v = _nll(diff, okk, n, float(np.exp(lt)), float(a))
                if best is None or v < best[0]:
                    best = (v, float(np.exp(lt)), float(a))
        return best

    _, t0, a = search(np.arange(0.0, 1.0001, 0.05), np.arange(-2.0, 4.0001, 0.1))
    _, t0, a = search(np.arange(a - 0.05, a + 0.0501, 0.005),
                      np.arange(np.log(t0) - 0.1, np.log(t0) + 0.1001, 0.01))
    return round(t0, 3), round(a, 3)


def reliability(p: np.ndarray, correct: np.ndarray,
                edges: tuple[float, ...] = RELIABILITY_EDGES
                ) -> tuple[list[tuple[float, float, int, float, float]], float]:
    """Reliability table ``[(lo, hi, count, mean p, accuracy)]`` over bins of the
    predicted probability, and the expected calibration error (count-weighted mean of
    ``|mean p - accuracy|`` over the bins).

    >>> table, ece = reliability(np.array([0.9, 0.9, 0.6, 0.6]), np.array([1, 1, 1, 0]))
    >>> [(c, round(m, 2), a) for _, _, c, m, a in table if c], round(ece, 3)
    ([(2, 0.6, 0.5), (2, 0.9, 1.0)], 0.1)
    """
    p = np.asarray(p, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    rows, err = [], 0.0
    for k, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        last = k == len(edges) - 2
        m = (p >= lo) & ((p <= hi) if last else (p < hi))
        c = int(m.sum())
        mean_p = float(p[m].mean()) if c else 0.0
        acc = float(correct[m].mean()) if c else 0.0
        rows.append((lo, hi, c, mean_p, acc))
        err += c * abs(mean_p - acc)
    return rows, err / max(1, len(p))
