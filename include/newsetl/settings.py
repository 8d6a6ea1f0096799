"""Settings of the Airflow DAGs: where the data lives, how to shard, quality thresholds.

Every setting has a default, can be set with an environment variable ``NEWSETL_<NAME>``
and, inside Airflow tasks, with an Airflow Variable ``newsetl_<name>`` (which wins over
the environment; ``AIRFLOW_VAR_NEWSETL_<NAME>`` environment variables are Variables
too). Variables are looked up lazily, only by :func:`load` with ``variables=True``,
which the DAGs call inside their tasks, never at parse time.

=====================  =======================================  =====================
name                   meaning                                  default
=====================  =======================================  =====================
``raw_root``           folder with one sub-folder per day       ``include/sample_data/raw``
``out_root``           dataset root to publish into             ``data/out``
``detector``           language detector (``langdetect``,       package default
                       ``fast``)
``allow_empty``        publish an empty day when the raw        ``false``
                       folder is missing or holds no files
``shard_max_files``    max input files per shard                2000
``shard_max_mb``       max input megabytes per shard            64
``shard_min_count``    cut a day into at least this many        1
                       shards (spread small days over workers)
``max_article_mb``     reject articles larger than this         5
``max_archive_mb``     decompressed budget per archive          4096
``min_articles``       fail when a day has fewer articles       1
``max_reject_share``   fail when rejects / input items exceeds  0.5
``max_und_share``      fail when ``und`` articles / articles    0.2
                       exceeds
``min_median_ratio``   fail when articles < ratio x median of   0.2
                       the recent published days
``median_window``      how many recent published days           14
``median_min_days``    the median check needs this many days    3
``staging_max_age_h``  staging untouched this long belongs to   6
                       a dead run and is removed
``ready_marker``       a day is complete only with this file    (none)
                       in its folder (e.g. ``_SUCCESS``)
``allow_incomplete``   publish a day whose upload looks         ``false``
                       unfinished (``*.partial``, no marker)
``arrival_timeout_h``  how long ``wait_for_day`` waits for a    6
                       complete raw day before failing (0:
                       fail at once)
``alert_webhook``      URL that failure alerts are POSTed to    (none)
                       (Slack-compatible JSON ``{"text": ...}``)
``publish_deadline``   deadline alert: day D must be published  (off)
                       by this UTC time on D+1 (``HH:MM``;
                       ``off``: no deadline) [DAG]
``start_date``         first day the daily DAG schedules [DAG]  ``2024-03-01``
``end_date``           last day it schedules [DAG]              (none)
``catchup``            one run for every day since              ``true``
                       ``start_date`` (no silent gaps) [DAG]
``max_active_runs``    days processed at once (bounds the       4
                       catch-up) [DAG]
``retention_days``     ``newsetl_maintenance`` vacuums files     7
                       replaced longer ago than this (time
                       travel reaches back this far)
=====================  =======================================  =====================

Settings marked [DAG] shape the DAG itself, so they are read when the DAG file is
parsed, from the ``NEWSETL_*`` environment of the DAG processor only (:func:`load_dag`;
never Airflow Variables, which must not be queried at parse time).

Relative paths are relative to the project root (the folder holding ``include/``).

>>> s = load(env={"NEWSETL_MAX_REJECT_SHARE": "0.25", "NEWSETL_ALLOW_EMPTY": "yes"})
>>> s.max_reject_share, s.allow_empty, s.median_window
(0.25, True, 14)
>>> load(env={"NEWSETL_MAX_UND_SHARE": "1.5"})
Traceback (most recent call last):
...
ValueError: NEWSETL_MAX_UND_SHARE (environment) = '1.5': must be between 0 and 1
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from pathlib import Path
from typing import Any

#: The project checkout (``include/newsetl/settings.py`` -> two levels up from the package).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_RAW_ROOT = PROJECT_ROOT / "include" / "sample_data" / "raw"
DEFAULT_OUT_ROOT = PROJECT_ROOT / "data" / "out"

ENV_PREFIX = "NEWSETL_"
VARIABLE_PREFIX = "newsetl_"
_TRUE = {"1", "true", "yes", "on", "y", "t"}
_FALSE = {"0", "false", "no", "off", "n", "f", ""}


@dataclass(frozen=True)
class Settings:
    """Resolved settings (see the module docstring for every field)."""

    raw_root: str = str(DEFAULT_RAW_ROOT)
    out_root: str = str(DEFAULT_OUT_ROOT)
    detector: str | None = None
    allow_empty: bool = False
    shard_max_files: int = 2000
    shard_max_mb: float = 64.0
    shard_min_count: int = 1
    max_article_mb: float = 5.0
    max_archive_mb: float = 4096.0
    min_articles: int = 1
    max_reject_share: float = 0.5
    max_und_share: float = 0.2
    min_median_ratio: float = 0.2
    median_window: int = 14
    median_min_days: int = 3
    staging_max_age_h: float = 6.0
    ready_marker: str | None = None
    allow_incomplete: bool = False
    arrival_timeout_h: float = 6.0
    alert_webhook: str | None = None
    # Off by default: Airflow 3.3.2's scheduler crashed handling a missed deadline on
    # SQLite (StaleDataError in Deadline.handle_miss). Verified on PostgreSQL, where it
    # can be turned on (docs/airflow.md, tests/distributed/test_deadline_alert.py).
    publish_deadline: str | None = None
    start_date: str = "2024-03-01"
    end_date: str | None = None
    catchup: bool = True
    max_active_runs: int = 4
    retention_days: float = 7.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def shard_max_bytes(self) -> int:
        return int(self.shard_max_mb * 1024 * 1024)

    def limits(self):  # -> newsetl.inputs.Limits (imported lazily, cheap either way)
        from newsetl.inputs import Limits, MiB

        return Limits(max_article_bytes=int(self.max_article_mb * MiB),
                      max_archive_bytes=int(self.max_archive_mb * MiB))

    def deadline_after_logical_date(self) -> timedelta | None:
        """How long after a run's logical date D (00:00 UTC of the day it processes) the
        day must be published: one day (the day has to end first) plus ``HH:MM``."""
        if self.publish_deadline is None:
            return None
        hours, minutes = (int(part) for part in self.publish_deadline.split(":"))
        return timedelta(days=1, hours=hours, minutes=minutes)


def _path(value: str) -> str:
    if "://" in value:  # an fsspec URL: leave untouched
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (PROJECT_ROOT / path).resolve())


def _bool(value: str) -> bool:
    low = value.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError("must be a boolean (true/false, 1/0, yes/no)")


def _share(value: str) -> float:
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise ValueError("must be between 0 and 1")
    return number


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("must be >= 0")
    return number


def _positive_float(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise ValueError("must be > 0")
    return number


def _non_negative_float(value: str) -> float:
    number = float(value)
    if number < 0:
        raise ValueError("must be >= 0")
    return number


def _at_least_one(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("must be >= 1")
    return number


def _day(value: str) -> str:
    """A ``YYYY-MM-DD`` date, returned in that form."""
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ValueError("must be a date (YYYY-MM-DD)") from None


def _optional_day(value: str) -> str | None:
    return _day(value) if value.strip() else None


_OFF = {"", "off", "none", "false", "no", "0"}


def _utc_time(value: str) -> str | None:
    """``HH:MM`` (24 h, UTC) normalised to two digits each; ``off`` / empty: None."""
    text = value.strip().lower()
    if text in _OFF:
        return None
    hours, sep, minutes = text.partition(":")
    if not sep or not (hours.isdigit() and minutes.isdigit()):
        raise ValueError("must be a UTC time HH:MM (e.g. 08:00) or off")
    if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
        raise ValueError("must be a UTC time between 00:00 and 23:59")
    return f"{int(hours):02d}:{int(minutes):02d}"


def _detector(value: str) -> str | None:
    from newsetl.langid import DETECTORS

    value = value.strip()
    if not value:
        return None
    if value not in DETECTORS:
        raise ValueError(f"must be one of {', '.join(DETECTORS)}")
    return value


_PARSERS: dict[str, Callable[[str], Any]] = {
    "raw_root": _path,
    "out_root": _path,
    "detector": _detector,
    "allow_empty": _bool,
    "shard_max_files": _positive_int,
    "shard_max_mb": _positive_float,
    "shard_min_count": _positive_int,
    "max_article_mb": _positive_float,
    "max_archive_mb": _positive_float,
    "min_articles": _positive_int,
    "max_reject_share": _share,
    "max_und_share": _share,
    "min_median_ratio": _share,
    "median_window": _positive_int,
    "median_min_days": _positive_int,
    "staging_max_age_h": _positive_float,
    "ready_marker": lambda v: v.strip() or None,
    "allow_incomplete": _bool,
    "arrival_timeout_h": _non_negative_float,
    "alert_webhook": lambda v: v.strip() or None,
    "publish_deadline": _utc_time,
    "start_date": _day,
    "end_date": _optional_day,
    "catchup": _bool,
    "max_active_runs": _at_least_one,
    "retention_days": _non_negative_float,
}
NAMES = tuple(f.name for f in fields(Settings))
assert set(NAMES) == set(_PARSERS)
#: Settings that shape the DAG itself (schedule, deadline): read at parse time.
DAG_NAMES = ("publish_deadline", "start_date", "end_date", "catchup", "max_active_runs")


def env_name(name: str) -> str:
    return ENV_PREFIX + name.upper()


def variable_name(name: str) -> str:
    return VARIABLE_PREFIX + name


def _airflow_variable(key: str) -> str | None:
    """Look up an Airflow Variable (only called from inside Airflow tasks)."""
    try:
        from airflow.sdk import Variable
    except ImportError:  # plain CLI / library use without Airflow installed
        return None
    value = Variable.get(key, default=None)
    return None if value is None else str(value)


def load(variables: bool = False, env: Mapping[str, str] | None = None,
         lookup: Callable[[str], str | None] | None = None) -> Settings:
    """Resolve the settings: Airflow Variable > ``NEWSETL_*`` environment > default.

    ``variables=True`` consults Airflow Variables (``lookup`` replaces the Variable
    lookup, for tests); ``env`` replaces ``os.environ``.
    """
    env = os.environ if env is None else env
    if variables and lookup is None:
        lookup = _airflow_variable
    return Settings(**_resolve(NAMES, variables, env, lookup))


def load_dag(env: Mapping[str, str] | None = None) -> Settings:
    """The DAG-shaping settings (:data:`DAG_NAMES`) from the environment only, for DAG
    files at parse time: a Variable lookup there would hit the metadata DB on every parse,
    and a bad value of a task-only setting must not break parsing (the task reports it)."""
    env = os.environ if env is None else env
    return Settings(**_resolve(DAG_NAMES, False, env, None))


def _resolve(names: tuple[str, ...], variables: bool, env: Mapping[str, str],
             lookup: Callable[[str], str | None] | None) -> dict[str, Any]:
    """Parsed values of ``names`` that are set somewhere (Variable > environment)."""
    values: dict[str, Any] = {}
    for name in names:
        raw, source = None, ""
        if variables and lookup is not None:
            raw, source = lookup(variable_name(name)), f"Airflow Variable {variable_name(name)}"
        if raw is None:
            raw, source = env.get(env_name(name)), f"{env_name(name)} (environment)"
        if raw is None:
            continue
        try:
            values[name] = _PARSERS[name](raw)
        except ValueError as exc:
            raise ValueError(f"{source} = {raw!r}: {exc}") from None
    return values


def describe() -> list[tuple[str, str, str, Any]]:
    """``(name, environment variable, Airflow Variable, default)`` for every setting."""
    defaults = Settings()
    return [(n, env_name(n), variable_name(n), getattr(defaults, n)) for n in NAMES]
