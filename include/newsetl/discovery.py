"""A day's input files: every regular file below ``<raw_root>/<ds>/``, sorted, and what
is skipped (hidden uploads, links, devices, unreadable folders, newsetl out roots), so
that the manifest accounts for every entry of the day folder.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from newsetl import storage
from newsetl.guards import is_out_root
from newsetl.items import MiB


@dataclass(frozen=True)
class InputFile:
    """One file of the day folder: ``path`` is relative to the day folder (posix)."""

    path: str
    size: int


def day_dir(raw_root: str | os.PathLike[str], ds: str) -> Path | str:
    """The raw folder of a day: a local Path, or a URL for object-store raw roots."""
    return storage.join(raw_root, ds)


def _hidden(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/"))


def _remote_skip(rel: str) -> str | None:
    """Why an object of a remote day is no input: hidden, or a key with an empty path
    segment ("day//b.txt"), which names no file a local copy could hold.

    >>> _remote_skip("a.txt"), _remote_skip(".part/a.txt"), _remote_skip("/b.txt")
    (None, 'hidden', 'empty_path_segment')
    """
    if "" in rel.split("/"):
        return "empty_path_segment"
    return "hidden" if _hidden(rel) else None


def discover(day: Path | str) -> list[InputFile]:
    """All regular files below ``day``, sorted by relative path (the source order).

    Hidden files and folders (``.DS_Store``, ``.partial/``) are in-flight uploads or
    OS litter and are not inputs; neither are symlinks (not followed: they could point
    outside the day or at another day), FIFOs, sockets, devices, nor folders that
    cannot be read. :func:`discover_skipped` lists all of those for the manifest.
    """
    return scan(day)[0]


def discover_skipped(day: Path | str) -> list[dict]:
    """What below ``day`` is not an input, with the reason (for the manifest):
    ``hidden``, ``symlink``, ``not_a_regular_file``, ``unreadable_folder`` or
    ``out_root`` (a newsetl out root, see :mod:`newsetl.guards`)."""
    return scan(day)[1]


def printable_name(name: str) -> str:
    r"""A file or member name as written to rows and the manifest.

    Python keeps the bytes of a name that is not valid UTF-8 as lone surrogates, which
    Parquet and JSON cannot store; those bytes become ``\xNN`` escapes, and a literal
    backslash is doubled so that the two never print alike.

    >>> printable_name("caf\udce9.txt")
    'caf\\xe9.txt'
    >>> printable_name("caf\\xe9.txt")
    'caf\\\\xe9.txt'
    >>> printable_name("café.txt")
    'café.txt'
    """
    name = name.replace("\\", "\\\\")  # a literal backslash never reads as an escape
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        try:
            raw = name.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return name.encode("utf-8", "backslashreplace").decode("utf-8")
        return raw.decode("utf-8", "backslashreplace")


def scan(day: Path | str) -> tuple[list[InputFile], list[dict]]:
    """The day's inputs and what is skipped, in one walk (see :func:`discover`)."""
    if storage.is_remote(day):
        listed = [InputFile(rel, size) for rel, size in storage.list_files(str(day))]
        return ([f for f in listed if not _remote_skip(f.path)],
                [_skipped(f.path, f.size, reason) for f in listed
                 if (reason := _remote_skip(f.path))])
    day = Path(day)
    found: list[InputFile] = []
    skipped: list[dict] = []

    def unreadable(err: OSError) -> None:
        if Path(err.filename) == day:
            raise err  # the day folder itself: fail loudly rather than publish nothing
        skipped.append(_skipped(_rel(err.filename, day), None, "unreadable_folder",
                                err.strerror))

    for root, dirs, files in os.walk(day, onerror=unreadable):
        for name in list(dirs):
            if (Path(root) / name).is_symlink():  # os.walk lists but never enters them
                dirs.remove(name)
                skipped.append(_skipped(_rel(Path(root) / name, day), None, "symlink"))
            elif is_out_root(Path(root) / name):  # newsetl output: never an input
                dirs.remove(name)
                skipped.append(_skipped(_rel(Path(root) / name, day), None, "out_root"))
        dirs.sort()
        for name in files:
            full = Path(root) / name
            rel = _rel(full, day)
            try:
                st = full.lstat()
            except OSError as exc:  # vanished between listing and stat
                skipped.append(_skipped(rel, None, "unreadable_folder", exc.strerror))
                continue
            if not stat.S_ISREG(st.st_mode):
                reason = "symlink" if stat.S_ISLNK(st.st_mode) else "not_a_regular_file"
                skipped.append(_skipped(rel, None, reason))
            elif _hidden(rel):
                skipped.append(_skipped(rel, st.st_size, "hidden"))
            else:
                found.append(InputFile(rel, st.st_size))
    found.sort(key=lambda f: f.path)
    skipped.sort(key=lambda d: d["path"])
    return found, skipped


def _rel(path: Path | str, day: Path) -> str:
    return Path(path).relative_to(day).as_posix()


def _skipped(rel: str, size: int | None, reason: str, detail: str | None = None) -> dict:
    entry = {"path": printable_name(rel), "size": size, "reason": reason}
    if detail:
        entry["detail"] = detail
    return entry


def file_sha256(path: Path, chunk: int = MiB) -> str | None:
    """The file's SHA-256, or None when it cannot be read (its items are already
    ``corrupt_file`` rejects: :func:`iter_file` met the same error)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while block := fh.read(chunk):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()
