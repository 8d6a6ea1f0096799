"""Checks on how a run is set up, before any work: the worker count and where the out
root lies.

- ``--workers`` above the machine's cores only adds processes (and their memory: 100
  workers took 13.4 GB on 2 cores); it is capped with a clear message.
- An out root inside the raw root (or inside a day folder) makes the next run read its
  own Parquet and lock files as inputs. It is refused; and every out root carries a
  marker file (:data:`OUT_ROOT_MARKER`) so that the raw scan never enters one, wherever
  it lies.
"""

from __future__ import annotations

import os
from pathlib import Path

from newsetl import storage

#: Written at the top of every local out root; the raw scan skips folders holding it.
OUT_ROOT_MARKER = "_newsetl_out_root"


class LayoutError(ValueError):
    """The out root lies where the raw scan would read it."""


def usable_cores() -> int:
    """Cores this process may run on (the affinity mask, else the CPU count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def cap_workers(requested: int) -> tuple[int, str | None]:
    """The worker count to use and, when it was lowered, why.

    >>> cap_workers(1)
    (1, None)
    >>> workers, why = cap_workers(10_000)
    >>> workers == usable_cores() and "core" in why
    True
    """
    cores = usable_cores()
    if requested <= cores:
        return max(1, requested), None
    return cores, (f"--workers {requested} is more than the {cores} core(s) of this machine; "
                   f"using {cores} (more processes only add memory)")


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def check_layout(raw_root: str | os.PathLike[str], out_root: str | os.PathLike[str]) -> None:
    """Refuse an out root inside the raw root (the raw scan would read it as input).

    >>> check_layout("/data/raw", "/data/out")
    >>> check_layout("/data/raw", "/data/raw/out")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    newsetl.guards.LayoutError: the out root /data/raw/out lies inside the raw root
    """
    if storage.is_remote(raw_root) or storage.is_remote(out_root):
        raw, out = str(raw_root).rstrip("/") + "/", str(out_root).rstrip("/") + "/"
        inside = out.startswith(raw)
    else:
        inside = _inside(storage.local_path(out_root).resolve(),
                         storage.local_path(raw_root).resolve())
    if inside:
        raise LayoutError(f"the out root {out_root} lies inside the raw root {raw_root}: the "
                          "next run would read its own output as input; choose an out root "
                          "outside it")


def mark_out_root(out_root: str | os.PathLike[str]) -> None:
    """Leave the marker file at the top of a local out root (idempotent)."""
    if storage.is_remote(out_root):
        return
    root = storage.local_path(out_root)  # a file:// URL is a local folder too
    root.mkdir(parents=True, exist_ok=True)
    marker = root / OUT_ROOT_MARKER
    if not marker.exists():
        marker.write_text("newsetl output: the raw scan never reads this folder\n")


def is_out_root(folder: str | os.PathLike[str]) -> bool:
    """Whether a local folder is a newsetl out root (holds the marker)."""
    return (Path(folder) / OUT_ROOT_MARKER).exists()
