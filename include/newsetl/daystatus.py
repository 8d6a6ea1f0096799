"""What happened to each day: published, failed (where and why) or missing.

A published day has a manifest. A failed run leaves no data, and would otherwise be
invisible outside Airflow's run list. So a failure records itself under the out root,
``_status/ds=<D>.json`` (the Airflow failure callback and the CLI both write it), and
publishing the day removes the record. The News ETL page reads these records with the
manifests, on local disks and object stores alike, and calls every other day of the
range *missing*.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from newsetl import storage

STATUS_DIR = "_status"
PUBLISHED, FAILED, MISSING = "published", "failed", "missing"
#: A pipeline with a day this recent is running: days up to yesterday are expected.
ACTIVE_DAYS = 90


def _location(out_root: str | os.PathLike[str], ds: str) -> Path | str:
    return storage.join(out_root, STATUS_DIR, f"ds={ds}.json")


def record_failure(out_root: str | os.PathLike[str], ds: str, *, where: str,
                   error: str, run: str | None = None, link: str | None = None) -> None:
    """Record that the day's latest run failed (``where``: the task or step)."""
    doc = {"ds": ds, "state": FAILED, "where": where, "error": error[:1000], "run": run,
           "link": link, "at": datetime.now(UTC).isoformat(timespec="seconds")}
    text = json.dumps(doc, ensure_ascii=False)
    location = _location(out_root, ds)
    if storage.is_remote(location):
        storage.write_text(str(location), text)
        return
    path = Path(location)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def clear(out_root: str | os.PathLike[str], ds: str) -> None:
    """The day was published: drop its failure record, if any."""
    location = _location(out_root, ds)
    if storage.is_remote(location):
        if storage.exists(location):
            storage.remove_tree(location)
        return
    Path(location).unlink(missing_ok=True)


def failures(out_root: str | os.PathLike[str]) -> dict[str, dict]:
    """Every recorded failure, by day."""
    base = storage.join(out_root, STATUS_DIR)
    found: dict[str, dict] = {}
    if storage.is_remote(base):
        names = [name for name, _size in storage.list_files(str(base))]
        texts = {n: storage.read_text(f"{base}/{n}") for n in names}
    else:
        folder = Path(base)
        names = sorted(p.name for p in folder.glob("ds=*.json")) if folder.is_dir() else []
        texts = {n: (folder / n).read_text() for n in names}
    for name, text in texts.items():
        if not (name.startswith("ds=") and name.endswith(".json")) or text is None:
            continue
        try:
            doc = json.loads(text)
        except ValueError:
            continue
        found[name[3:-5]] = doc
    return found


def calendar(published: list[str], failed: dict[str, dict], lo: str | None = None,
             hi: str | None = None, today: date | None = None) -> list[dict]:
    """Every day from ``lo`` (default: the first known day) to ``hi`` with its state,
    oldest first. ``hi`` defaults to yesterday (UTC) for a pipeline that ran in the last
    :data:`ACTIVE_DAYS` days — so days a stopped scheduler never ran show as missing —
    else to the last known day (an old archive is not followed by years of "missing").

    >>> [d["state"] for d in calendar(["2024-03-01", "2024-03-03"],
    ...                               {"2024-03-02": {"where": "publish"}},
    ...                               hi="2024-03-04")]
    ['published', 'failed', 'published', 'missing']
    >>> len(calendar(["2024-03-01"], {}, today=date(2026, 12, 2)))  # old: no trailing days
    1
    >>> [d["state"] for d in calendar(["2026-11-29"], {}, today=date(2026, 12, 2))]
    ['published', 'missing', 'missing']
    """
    known = sorted(set(published) | set(failed))
    if not known and not lo:
        return []
    first = date.fromisoformat(lo or known[0])
    yesterday = (today or datetime.now(UTC).date()) - timedelta(days=1)
    if hi:
        last = date.fromisoformat(hi)
    else:
        latest = date.fromisoformat(known[-1]) if known else first
        last = yesterday if timedelta(0) <= yesterday - latest <= timedelta(
            days=ACTIVE_DAYS) else latest
    days, seen = [], set(published)
    day = first
    while day <= last:
        ds = day.isoformat()
        if ds in seen:
            days.append({"ds": ds, "state": PUBLISHED})
        elif ds in failed:
            days.append({"ds": ds, "state": FAILED, **{k: failed[ds].get(k) for k in
                                                        ("where", "error", "run", "link",
                                                         "at")}})
        else:
            days.append({"ds": ds, "state": MISSING})
        day += timedelta(days=1)
    return days
