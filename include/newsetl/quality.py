"""Data-quality checks of a published day (used by the ``newsetl_daily`` DAG).

Checks, each with its numbers, on the day's manifest counts:

* ``min_articles`` — at least ``min_articles`` articles (default 1: "not zero");
* ``reject_share`` — rejects / input items at most ``max_reject_share`` (0.5);
* ``und_share`` — articles with language ``und`` / articles at most ``max_und_share`` (0.2);
* ``median_drop`` — articles at least ``min_median_ratio`` (0.2) x the median article
  count of the last ``median_window`` (14) published days *before* this day, skipped
  while fewer than ``median_min_days`` (3) such days exist. Days published empty (no
  articles) are left out of the median.

A day published empty on purpose (``allow_empty`` and no inputs) skips ``min_articles``
and ``median_drop``.

>>> t = Thresholds()
>>> counts = {"input_items": 10, "articles": 8, "rejects": 2, "articles_by_lang": {"en": 8}}
>>> [(c.name, c.ok) for c in evaluate(counts, [], t)]
[('min_articles', True), ('reject_share', True), ('und_share', True), ('median_drop', True)]
>>> bad = {"input_items": 10, "articles": 1, "rejects": 9, "articles_by_lang": {"und": 1}}
>>> print(format_checks(failed(evaluate(bad, [50, 60, 40], t))))
reject_share: 9 rejects / 10 items = 0.900 > max 0.500
und_share: 1 und / 1 articles = 1.000 > max 0.200
median_drop: 1 articles < 0.20 x median 50 of 3 previous days = 10.0
"""

from __future__ import annotations

import os
import statistics
from dataclasses import asdict, dataclass

from newsetl.settings import Settings

_DEFAULTS = Settings()  # one source of truth for the default thresholds


@dataclass(frozen=True)
class Thresholds:
    """The quality settings; defaults are those of :class:`newsetl.settings.Settings`."""

    min_articles: int = _DEFAULTS.min_articles
    max_reject_share: float = _DEFAULTS.max_reject_share
    max_und_share: float = _DEFAULTS.max_und_share
    min_median_ratio: float = _DEFAULTS.min_median_ratio
    median_window: int = _DEFAULTS.median_window
    median_min_days: int = _DEFAULTS.median_min_days

    @classmethod
    def from_settings(cls, settings) -> Thresholds:
        return cls(**{k: getattr(settings, k) for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Check:
    """The outcome of one check: ``value`` compared with ``threshold``."""

    name: str
    ok: bool
    value: float | None
    threshold: float | None
    detail: str
    skipped: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


class QualityError(RuntimeError):
    """A published day failed one or more checks (the message lists them with numbers)."""

    def __init__(self, ds: str, checks: list[Check]) -> None:
        self.ds, self.checks = ds, checks
        super().__init__(f"data quality checks failed for {ds}:\n" + format_checks(checks))


def evaluate(counts: dict, history: list[int], thresholds: Thresholds,
             empty_allowed: bool = False) -> list[Check]:
    """Run every check on a manifest's ``counts``; ``history`` = previous days' articles."""
    t = thresholds
    articles = int(counts.get("articles", 0))
    rejects = int(counts.get("rejects", 0))
    items = int(counts.get("input_items", articles + rejects))
    und = int(counts.get("articles_by_lang", {}).get("und", 0))
    checks = []
    if empty_allowed:
        checks.append(Check("min_articles", True, articles, t.min_articles,
                            "skipped: empty day allowed (allow_empty, no inputs)", True))
    else:
        checks.append(Check("min_articles", articles >= t.min_articles, articles,
                            t.min_articles, f"{articles} articles, need >= {t.min_articles}"))
    share = rejects / items if items else 0.0
    checks.append(Check("reject_share", share <= t.max_reject_share, round(share, 4),
                        t.max_reject_share, f"{rejects} rejects / {items} items = {share:.3f}"
                        f" {'<=' if share <= t.max_reject_share else '>'} max "
                        f"{t.max_reject_share:.3f}"))
    share = und / articles if articles else 0.0
    checks.append(Check("und_share", share <= t.max_und_share, round(share, 4),
                        t.max_und_share, f"{und} und / {articles} articles = {share:.3f}"
                        f" {'<=' if share <= t.max_und_share else '>'} max "
                        f"{t.max_und_share:.3f}"))
    prior = [n for n in history[-t.median_window:] if n > 0] if t.median_window else []
    if empty_allowed:
        checks.append(Check("median_drop", True, articles, None,
                            "skipped: empty day allowed (allow_empty, no inputs)", True))
    elif len(prior) < max(t.median_min_days, 1):
        checks.append(Check("median_drop", True, articles, None,
                            f"skipped: {len(prior)} previous published day(s), need "
                            f"{t.median_min_days}", True))
    else:
        median = statistics.median(prior)
        floor = t.min_median_ratio * median
        ok = articles >= floor
        checks.append(Check("median_drop", ok, articles, round(floor, 3),
                            f"{articles} articles {'>=' if ok else '<'} "
                            f"{t.min_median_ratio:.2f} x median {median:g} of {len(prior)} "
                            f"previous days = {floor:.1f}"))
    return checks


def failed(checks: list[Check]) -> list[Check]:
    return [c for c in checks if not c.ok]


def format_checks(checks: list[Check]) -> str:
    return "\n".join(f"{c.name}: {c.detail}" for c in checks)


def history(out_root: str | os.PathLike[str], ds: str, window: int) -> list[tuple[str, int]]:
    """``(day, articles)`` of the last ``window`` published days before ``ds``, oldest first."""
    from newsetl.readers import manifest_rows

    if not window:
        return []
    rows = [r for r in manifest_rows(out_root) if r["ds"] < ds][-window:]
    return [(r["ds"], int(r["articles"])) for r in rows]
