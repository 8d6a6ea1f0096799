"""Staging left by runs that died: found and removed, locally and on object stores.

Each run stages under ``<out_root>/_staging/ds=<D>/<run token>/``. A run that fails
removes its own staging; one that is killed (SIGKILL, a lost machine) cannot. Its
folder is removed later by:

- the next successful run of that day (:func:`remove_dead_staging` after the switch);
- ``newsetl gc`` (every day of an out root).

Whose staging is dead: a CLI run's token names its host and pid
(``cli-<host>-<pid>-<random>``), so on the same host a folder whose process is gone
is dead at once. Any other folder (an Airflow try, a CLI run on another host) counts as
dead only when nothing was written to it for ``max_age`` seconds, since a try may still
be running (default :data:`DEFAULT_MAX_AGE`, setting ``staging_max_age_hours``).
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from newsetl import storage

#: Staging untouched for this long belongs to a run that died (6 h: longer than any
#: Airflow try of a day; a live try writes shard results as it goes).
DEFAULT_MAX_AGE = 6 * 3600
STAGING = "_staging"


def cli_run_token(pid: int | None = None) -> str:
    """The staging token of a CLI run: host and pid, so a dead one is recognised."""
    host = "".join(c if c.isalnum() or c in "-." else "_" for c in socket.gethostname())
    return f"cli-{host}-{pid or os.getpid()}-{os.urandom(4).hex()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def dead_cli_run(token: str) -> bool:
    """Whether a staging token belongs to a CLI run of this host that is no longer running.

    >>> dead_cli_run(cli_run_token())
    False
    >>> dead_cli_run("manual__2024-01-01T00:00:00")
    False
    """
    parts = token.split("-")
    if len(parts) < 4 or parts[0] != "cli" or not parts[-2].isdigit():
        return False
    host = "-".join(parts[1:-2])
    this_host = "".join(c if c.isalnum() or c in "-." else "_" for c in socket.gethostname())
    return host == this_host and not _pid_alive(int(parts[-2]))


@dataclass(frozen=True)
class StagingRun:
    """One run's staging folder."""

    ds: str
    token: str
    location: Path | str
    #: Seconds since anything in it was last written (None: unknown).
    idle: float | None


def staging_runs(out_root: str | os.PathLike[str], ds: str | None = None) -> list[StagingRun]:
    """Every run's staging folder below ``out_root`` (of one day, or of all days)."""
    root = storage.join(out_root, STAGING)
    now = time.time()
    found: list[StagingRun] = []
    if storage.is_remote(root):
        modified = storage.list_modified(str(root))
        latest: dict[tuple[str, str], float | None] = {}
        for rel, when in modified.items():
            parts = rel.split("/")
            if len(parts) < 3 or not parts[0].startswith("ds="):
                continue
            key = (parts[0][3:], parts[1])
            if when is not None:
                latest[key] = max(latest.get(key) or 0.0, when)
            else:
                latest.setdefault(key, None)
        for (day, token), when in sorted(latest.items()):
            if ds is None or day == ds:
                found.append(StagingRun(day, token, storage.join(root, f"ds={day}", token),
                                        None if when is None else now - when))
        return found
    base = Path(root)
    days = [base / f"ds={ds}"] if ds else sorted(base.glob("ds=*"))
    for day_dir in days:
        try:
            runs = sorted(p for p in day_dir.iterdir() if p.is_dir())
        except (FileNotFoundError, NotADirectoryError):
            continue
        for run_dir in runs:
            try:
                idle = now - _newest_mtime(run_dir)
            except FileNotFoundError:  # a run that finished meanwhile removed its staging
                continue
            found.append(StagingRun(day_dir.name[3:], run_dir.name, run_dir, idle))
    return found


def _newest_mtime(folder: Path) -> float:
    newest = folder.stat().st_mtime
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            try:
                newest = max(newest, (Path(dirpath) / name).stat().st_mtime)
            except OSError:
                continue
        newest = max(newest, Path(dirpath).stat().st_mtime)
    return newest


def remove_dead_staging(out_root: str | os.PathLike[str], ds: str | None = None,
                        max_age: float = DEFAULT_MAX_AGE, keep: str | None = None
                        ) -> list[StagingRun]:
    """Remove the staging of dead runs (see the module docstring); ``keep`` is a token
    never removed (the caller's own run). Returns what was removed."""
    removed = []
    for run in staging_runs(out_root, ds):
        if run.token == keep:
            continue
        if dead_cli_run(run.token) or (run.idle is not None and run.idle >= max_age):
            storage.remove_tree(run.location)
            removed.append(run)
    if not storage.is_remote(out_root):
        _prune_empty(storage.local_path(out_root) / STAGING)
    return removed


def remove_run_staging(staging: Path | str) -> None:
    """Remove one run's staging, and its day and staging folders when left empty."""
    storage.remove_tree(staging)
    if not storage.is_remote(staging):
        _prune_empty(Path(staging).parent.parent)


def _prune_empty(root: Path) -> None:
    """Remove empty ``ds=`` folders (and the staging root) left behind."""
    if not root.is_dir():
        return
    for day_dir in root.glob("ds=*"):
        with contextlib.suppress(OSError):  # another run may be using or removing it
            if day_dir.is_dir() and not any(day_dir.iterdir()):
                day_dir.rmdir()
    with contextlib.suppress(OSError):  # not empty: a run started staging meanwhile
        root.rmdir()
