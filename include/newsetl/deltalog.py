"""The commits of a Delta table, read from its log by version.

delta-rs 1.6's ``DeltaTable.history()`` numbers its entries by counting down from the
version the table object was loaded at, but it lists the commit files the log holds when
it is called. A commit that lands in between shifts every number by one (measured with
delta-rs 1.6.6: a table loaded at version 1 whose log then got version 2 labels commit 2
as 1 and commit 1 as 0). Two publishers of one day hit it: one looked for its own commit
in the history right after the other committed, found it labelled ``0`` (the table's
creation) and pinned that version in its manifest, so the day read back empty.

Here every commit is read from its own file, ``_delta_log/<version:020>.json``, so its
version is the file's name, whatever lands meanwhile. The newest version comes from a
freshly loaded table (a commit made before the call is at or below it). The entries have
the shape of ``DeltaTable.history()``'s: the ``commitInfo`` fields (``timestamp``,
``operation``, ``operationParameters``, custom commit metadata at the top level) and
``version``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from newsetl import storage


def commit_path(uri: str, version: int) -> str | Path:
    """The log file of commit ``version`` of the table at ``uri``.

    >>> str(commit_path("/data/out/articles", 7))
    '/data/out/articles/_delta_log/00000000000000000007.json'
    >>> commit_path("s3://bucket/out/articles", 12)
    's3://bucket/out/articles/_delta_log/00000000000000000012.json'
    """
    return storage.join(uri, "_delta_log", f"{version:020d}.json")


#: Key added to a parsed commit by ``commits(..., days=True)``: the ``ds`` partitions
#: whose rows the commit changed (sorted), or None when that cannot be told (an action
#: without partition values).
DAYS_CHANGED = "newsetl.days_changed"


def parse_commit(text: str, version: int, days: bool = False) -> dict:
    """The ``commitInfo`` of one commit file's text, with its ``version`` (a commit
    without one, written by another engine, gives just the version); with ``days``,
    also :data:`DAYS_CHANGED` from its ``add`` and ``remove`` actions (those with
    ``dataChange: false``, as compaction writes, change no rows).

    >>> parse_commit('{"add": {"path": "a.parquet"}}\\n'
    ...              '{"commitInfo": {"operation": "WRITE", "x.id": "r1"}}', 3)
    {'operation': 'WRITE', 'x.id': 'r1', 'version': 3}
    >>> parse_commit('{"commitInfo": {"operation": "WRITE"}}\\n'
    ...              '{"add": {"partitionValues": {"ds": "2024-03-02"}, "dataChange": true}}\\n'
    ...              '{"remove": {"partitionValues": {"ds": "2024-03-01"}, "dataChange": false}}',
    ...              4, days=True)[DAYS_CHANGED]
    ['2024-03-02']
    """
    info: dict = {}
    changed: set[str] | None = set()
    for line in text.splitlines():
        if '"commitInfo"' in line:
            action = json.loads(line)
            info = action.get("commitInfo", info)
        elif days and ('"add"' in line or '"remove"' in line):
            action = json.loads(line)
            change = action.get("add") or action.get("remove")
            if change is None or change.get("dataChange") is False or changed is None:
                continue
            ds = (change.get("partitionValues") or {}).get("ds")
            if ds is None:
                changed = None
            else:
                changed.add(ds)
    entry = {**info, "version": version}
    if days:
        entry[DAYS_CHANGED] = None if changed is None else sorted(changed)
    return entry


def latest_version(uri: str) -> int | None:
    """The newest version of the table (None when it was never written)."""
    from newsetl.readers import open_table

    table = open_table(uri)
    return None if table is None else table.version()


def commit_info(uri: str, version: int, days: bool = False) -> dict | None:
    """The commit ``version`` of the table (None when its log file is gone: never
    written, or cleaned up after a checkpoint); ``days``: see :func:`parse_commit`."""
    text = storage.read_text(commit_path(uri, version))
    return None if text is None else parse_commit(text, version, days)


def commits(uri: str, limit: int | None = None, newest: int | None = None,
            oldest: int = 0, days: bool = False) -> Iterator[dict]:
    """The table's commits newest first, from ``newest`` (default: the latest) down to
    ``oldest``, at most ``limit``; stops where the log was cleaned up. Each log file is
    read when the iteration reaches it, so a caller looking for one recent commit reads
    one or two files."""
    newest = latest_version(uri) if newest is None else newest
    if newest is None:
        return
    versions = range(newest, oldest - 1, -1)
    for version in versions if limit is None else versions[:limit]:
        entry = commit_info(uri, version, days)
        if entry is None:
            return
        yield entry


#: A log file of one version: its commit, its checksum, or a (multi-part) checkpoint.
_LOG_FILE = re.compile(r"^(\d{20})\.(?:json|crc|checkpoint(?:\.\d+\.\d+)?\.parquet)$")


def _log_listing(uri: str) -> dict[str, float | None]:
    """Name and last-modified time of every file in the table's ``_delta_log``."""
    log_dir = storage.join(uri, "_delta_log")
    if storage.is_remote(log_dir):
        return {name: when for name, when in storage.list_modified(str(log_dir)).items()
                if "/" not in name}
    try:
        return {entry.name: entry.stat().st_mtime for entry in os.scandir(log_dir)
                if entry.is_file()}
    except FileNotFoundError:
        return {}


def log_files(uri: str) -> list[str]:
    """The names of the files in the table's ``_delta_log``, sorted."""
    return sorted(_log_listing(uri))


def remove_log_before(uri: str, keep_from: int, older_than: float) -> list[str]:
    """Remove the log files no version from ``keep_from`` on needs, written before
    ``older_than`` (POSIX seconds); the names removed.

    A version is loaded from the newest checkpoint at or below it and the commits
    after that checkpoint, so everything before the newest checkpoint at or below
    ``keep_from`` can go, and nothing else. (delta-rs's ``cleanup_metadata`` removes the
    expired log before the *latest* checkpoint, which took the versions that old
    manifest rows pin with it: those days then read back empty.)
    """
    listing = _log_listing(uri)
    versions = {name: int(found[1]) for name in listing
                if (found := _LOG_FILE.match(name))}
    base = max((v for name, v in versions.items() if ".checkpoint" in name and v <= keep_from),
               default=None)
    if base is None:
        return []
    removed = []
    for name, version in sorted(versions.items()):
        when = listing[name]
        if version < base and when is not None and when < older_than:
            storage.remove_file(storage.join(uri, "_delta_log", name))
            removed.append(name)
    return removed
