"""Plain langdetect, seeded so that its random sampling is repeatable.

langdetect draws random n-gram samples; with ``DetectorFactory.seed`` fixed, each new
``Detector`` starts from the same seed, so the answer for a text depends only on the
text (the same in every run and process).
"""

from __future__ import annotations

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
