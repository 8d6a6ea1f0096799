"""Plain langdetect, seeded so that its random sampling is repeatable.

langdetect draws random n-gram samples; with ``DetectorFactory.seed`` fixed, each new
``Detector`` starts from the same seed, so the answer for a text depends only on the
text (the same in every run and process).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from newsetl.langid.common import UND, count_letters

_FACTORY = None


def _factory():
    """Load langdetect's 55 profiles once per process (about 1 s)."""
    global _FACTORY
    if _FACTORY is None:
        from langdetect import DetectorFactory
        from langdetect.detector_factory import PROFILES_DIRECTORY

        factory = DetectorFactory()
        factory.load_profile(PROFILES_DIRECTORY)
        factory.seed = 0
        _FACTORY = factory
    return _FACTORY


def _detect_one(text: str, min_letters: int) -> tuple[str, float]:
    from langdetect.lang_detect_exception import LangDetectException

    if count_letters(text) < min_letters:
        return UND, 0.0
    detector = _factory().create()
    detector.append(text)
    try:
        best = detector.get_probabilities()
    except LangDetectException:
        return UND, 0.0
    if not best:
        return UND, 0.0
    return best[0].lang, round(float(best[0].prob), 4)


def detect_batch(texts: Sequence[str], min_letters: int) -> list[tuple[str, float]]:
    """Detect each text with seeded langdetect."""
    return [_detect_one(t, min_letters) for t in texts]


#: langdetect lists only languages above 0.1; a missing one counts as this probability.
_FLOOR = 1e-5


def against(texts: Sequence[str], refs: Sequence[str]) -> list[tuple[str, float, float]]:
    """(best lang, prob, margin) of each text: the margin is ``ln(p_best / p_ref)``
    (0 when the reference is the best or ``und``; Chinese scripts count as one)."""
    from langdetect.lang_detect_exception import LangDetectException

    out: list[tuple[str, float, float]] = []
    for text, ref in zip(texts, refs, strict=True):
        detector = _factory().create()
        detector.append(text)
        try:
            best = detector.get_probabilities()
        except LangDetectException:
            best = []
        if not best:
            out.append((UND, 0.0, 0.0))
            continue
        lang, prob = best[0].lang, float(best[0].prob)
        same = [x.prob for x in best if x.lang == ref or (x.lang[:2] == ref[:2] == "zh")]
        p_ref = max(same, default=_FLOOR)
        margin = 0.0 if ref == UND else max(0.0, math.log(prob / p_ref))
        out.append((lang, round(prob, 4), round(margin, 4)))
    return out
