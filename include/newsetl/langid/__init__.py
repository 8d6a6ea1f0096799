"""Language identification with langdetect's 55 languages.

Public API (stable, used by the pipeline):

* :func:`detect` ``(text) -> (lang, prob)``
* :func:`detect_batch` ``(texts) -> list[(lang, prob)]``

``lang`` is a langdetect code (``fr``, ``zh-cn`` ...) or ``"und"`` when the text is
too short or has no letters to judge. Every backend is deterministic: the same text
gives the same answer in every run and every process.

Backends are chosen by name (``"langdetect"``, ``"fast"``) with the ``detector``
argument or the ``NEWSETL_DETECTOR`` environment variable.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from newsetl.langid.common import MIN_LETTERS, UND, count_letters

DEFAULT_DETECTOR = "fast"
DETECTORS = ("langdetect", "fast")

__all__ = [
    "DEFAULT_DETECTOR",
    "DETECTORS",
    "MIN_LETTERS",
    "UND",
    "count_letters",
    "detect",
    "detect_batch",
    "detect_grouped",
    "detect_against",
    "resolve_detector",
]


def resolve_detector(name: str | None = None) -> str:
    """Return the backend name to use: explicit name, else ``NEWSETL_DETECTOR``, else default."""
    chosen = name or os.environ.get("NEWSETL_DETECTOR") or DEFAULT_DETECTOR
    if chosen not in DETECTORS:
        raise ValueError(f"unknown detector {chosen!r}; choose one of {', '.join(DETECTORS)}")
    return chosen


def detect_batch(
    texts: Sequence[str], detector: str | None = None, min_letters: int = MIN_LETTERS
) -> list[tuple[str, float]]:
    """Detect the language of many texts at once (one call amortises set-up costs)."""
    name = resolve_detector(detector)
    if name == "langdetect":
        from newsetl.langid import langdetect_backend as backend
    else:
        from newsetl.langid import fast as backend  # type: ignore[no-redef]
    return backend.detect_batch(texts, min_letters=min_letters)


def detect_grouped(
    texts: Sequence[str],
    groups: Sequence[Sequence[int]],
    detector: str | None = None,
    min_letters: int = MIN_LETTERS,
    group_min_letters: int = MIN_LETTERS,
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Languages of texts and of groups of them (a group = indexes of its parts).

    The pipeline's case: sections, and the body made of some of them. The fast detector
    scores each text once and adds the parts' scores for a group; langdetect judges the
    joined text of each group separately.
    """
    name = resolve_detector(detector)
    if name == "fast":
        from newsetl.langid import fast

        return fast.detect_grouped(texts, groups, min_letters, group_min_letters)
    from newsetl.langid import langdetect_backend as backend

    per_text = backend.detect_batch(texts, min_letters=min_letters)
    joined = ["\n\n".join(texts[i] for i in g) for g in groups]
    return per_text, backend.detect_batch(joined, min_letters=group_min_letters)


def detect_against(
    texts: Sequence[str], refs: Sequence[str], detector: str | None = None
) -> list[tuple[str, float, float]]:
    """Each text's best language, its probability and its *margin* over a reference
    language ``refs[k]`` (the article's, for the foreign flag): the log-odds of the best
    language against the reference -- calibrated for the fast detector, ``ln(p_best /
    p_ref)`` for langdetect; 0 when the reference is the best (Chinese scripts count as
    one language) or ``und``. No minimum length: the caller decides what to judge.
    """
    name = resolve_detector(detector)
    if name == "fast":
        from newsetl.langid import fast

        return fast.detect_against(texts, refs)
    from newsetl.langid import langdetect_backend as backend

    return backend.against(texts, refs)


def detect(
    text: str, detector: str | None = None, min_letters: int = MIN_LETTERS
) -> tuple[str, float]:
    """Detect the language of one text; ``("und", 0.0)`` when it cannot be judged."""
    return detect_batch([text], detector=detector, min_letters=min_letters)[0]
