"""When a raw day is complete enough to publish.

A day folder whose upload is still running must not be published as a finished day
(it would replace a good version with part of the data, and nothing would say so). A
day is **incomplete** while:

- any file in it looks like an upload in flight: ``.partial``, ``.part``, ``.tmp``,
  ``.crdownload``, ``.filepart``, ``.download``, ``.uploading`` (hidden or not,
  :data:`IN_FLIGHT_SUFFIXES`); or
- a ready marker is required (setting ``ready_marker``, CLI ``--ready-marker``, e.g.
  ``_SUCCESS`` as Hadoop and Spark write it) and the day folder does not hold it.

A marker file is never an input (:data:`MARKER_NAMES` and the configured name are
listed in the manifest as skipped, reason ``ready_marker``). The CLI refuses an
incomplete day unless ``--allow-incomplete``; the Airflow DAG waits for it (sensor
``wait_for_day``) up to ``arrival_timeout_h`` before failing.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from newsetl.discovery import InputFile

#: Names of files that uploaders write while a transfer runs.
IN_FLIGHT_SUFFIXES = (".partial", ".part", ".tmp", ".crdownload", ".filepart", ".download",
                      ".uploading")
#: Marker names that are never inputs, whether or not a marker is required.
MARKER_NAMES = ("_SUCCESS", "_READY", "_DONE")


class IncompleteDayError(RuntimeError):
    """The day's upload is not finished (see the module docstring)."""


def in_flight(path: str) -> bool:
    """Whether a file name is an upload in progress.

    >>> in_flight(".batch-7.jsonl.partial"), in_flight("wire/feed.jsonl.gz.part")
    (True, True)
    >>> in_flight("article.txt"), in_flight("part-00001.jsonl")
    (False, False)
    """
    return posixpath.basename(path).lower().endswith(IN_FLIGHT_SUFFIXES)


def is_marker(path: str, ready_marker: str | None) -> bool:
    """A ready marker at the top of the day folder (never an input)."""
    return "/" not in path and (path in MARKER_NAMES or path == ready_marker)


@dataclass
class Completeness:
    """What makes a day incomplete (nothing when it is complete)."""

    in_flight: list[str] = field(default_factory=list)
    missing_marker: str | None = None

    @property
    def complete(self) -> bool:
        return not self.in_flight and self.missing_marker is None

    def reason(self) -> str:
        parts = []
        if self.in_flight:
            shown = ", ".join(self.in_flight[:5]) + (" …" if len(self.in_flight) > 5 else "")
            parts.append(f"{len(self.in_flight)} upload(s) still in flight ({shown})")
        if self.missing_marker:
            parts.append(f"the ready marker {self.missing_marker} is not there yet")
        return "; ".join(parts) or "complete"


def split_markers(files: list[InputFile], ready_marker: str | None
                  ) -> tuple[list[InputFile], list[dict]]:
    """The inputs without marker files, and the markers as skipped entries."""
    inputs = [f for f in files if not is_marker(f.path, ready_marker)]
    markers = [{"path": f.path, "size": f.size, "reason": "ready_marker"}
               for f in files if is_marker(f.path, ready_marker)]
    return inputs, markers


def check(files: list[InputFile], skipped: list[dict], ready_marker: str | None
          ) -> Completeness:
    """Whether a day (its inputs and skipped entries, markers included) is complete.

    >>> check([InputFile("a.txt", 3)], [{"path": ".b.jsonl.partial"}], None).reason()
    '1 upload(s) still in flight (.b.jsonl.partial)'
    >>> check([InputFile("a.txt", 3)], [], "_SUCCESS").complete
    False
    >>> check([InputFile("a.txt", 3), InputFile("_SUCCESS", 0)], [], "_SUCCESS").complete
    True
    """
    names = [f.path for f in files] + [str(s["path"]) for s in skipped]
    result = Completeness(in_flight=sorted(n for n in names if in_flight(n)))
    if ready_marker and ready_marker not in names:
        result.missing_marker = ready_marker
    return result
