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


def parse_commit(text: str, version: int) -> dict:
    """The ``commitInfo`` of one commit file's text, with its ``version`` (a commit
    without one, written by another engine, gives just the version).

    >>> parse_commit('{"add": {"path": "a.parquet"}}\\n'
    ...              '{"commitInfo": {"operation": "WRITE", "x.id": "r1"}}', 3)
    {'operation': 'WRITE', 'x.id': 'r1', 'version': 3}
    """
    for line in text.splitlines():
        if '"commitInfo"' not in line:
            continue
        action = json.loads(line)
        if "commitInfo" in action:
            return {**action["commitInfo"], "version": version}
    return {"version": version}


def latest_version(uri: str) -> int | None:
    """The newest version of the table (None when it was never written)."""
    from newsetl.readers import open_table

    table = open_table(uri)
    return None if table is None else table.version()


def commit_info(uri: str, version: int) -> dict | None:
    """The commit ``version`` of the table (None when its log file is gone: never
    written, or cleaned up after a checkpoint)."""
    text = storage.read_text(commit_path(uri, version))
    return None if text is None else parse_commit(text, version)


def commits(uri: str, limit: int | None = None, newest: int | None = None,
            oldest: int = 0) -> Iterator[dict]:
    """The table's commits newest first, from ``newest`` (default: the latest) down to
    ``oldest``, at most ``limit``; stops where the log was cleaned up. Each log file is
    read when the iteration reaches it, so a caller looking for one recent commit reads
    one or two files."""
    newest = latest_version(uri) if newest is None else newest
    if newest is None:
        return
    versions = range(newest, oldest - 1, -1)
    for version in versions if limit is None else versions[:limit]:
        entry = commit_info(uri, version)
        if entry is None:
            return
        yield entry
