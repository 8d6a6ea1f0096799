"""Local paths and object-store URLs (``s3://bucket/prefix``) behind one small API.

Object stores are reached through fsspec (s3fs for ``s3://``; credentials and endpoint
come from the usual AWS environment: ``AWS_ACCESS_KEY_ID``, ``AWS_ENDPOINT_URL`` ...).
Published tables are written by delta-rs itself (:mod:`newsetl.publish`); this module
moves raw inputs and staging. Processing always happens on local files: a remote input
file is copied to a local temporary folder first, and staged shard results are uploaded
once complete.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

Location = str | os.PathLike[str]


def is_remote(location: Location) -> bool:
    """True for URLs of object stores or remote filesystems.

    >>> is_remote("s3://bucket/out"), is_remote("/data/out"), is_remote("file:///data")
    (True, False, False)
    """
    text = os.fspath(location)
    return "://" in text and not text.startswith("file://")


def local_path(location: Location) -> Path:
    """A local location as a Path (``file://`` prefix removed)."""
    text = os.fspath(location)
    return Path(text[len("file://"):] if text.startswith("file://") else text)


def join(location: Location, *parts: str) -> str | Path:
    """Join path parts onto a local Path or a URL.

    >>> join("s3://b/out", "articles", "ds=2024-01-01")
    's3://b/out/articles/ds=2024-01-01'
    """
    if is_remote(location):
        return "/".join([os.fspath(location).rstrip("/"), *parts])
    return local_path(location).joinpath(*parts)


def filesystem(url: str):
    """(fsspec filesystem, path inside it) for a remote URL.

    Listings are not cached: fsspec keeps one filesystem object per process and its
    listing cache never expires, so a long-running reader (the UI's api-server) would
    never see a day that another process published, and would read a reprocessed day's
    pointer with a stale ETag (a 500 until restart).
    """
    from fsspec.core import url_to_fs

    try:
        return url_to_fs(url, use_listings_cache=False)
    except TypeError:  # a filesystem without fsspec's listing cache options
        return url_to_fs(url)


def exists(location: Location) -> bool:
    if not is_remote(location):
        return local_path(location).exists()
    fs, path = filesystem(os.fspath(location))
    return fs.exists(path)


def isdir(location: Location) -> bool:
    if not is_remote(location):
        return local_path(location).is_dir()
    fs, path = filesystem(os.fspath(location))
    return fs.isdir(path)


def read_text(location: Location) -> str | None:
    """Text of a file, or None when it does not exist."""
    if not is_remote(location):
        path = local_path(location)
        return path.read_text(encoding="utf-8") if path.exists() else None
    fs, path = filesystem(os.fspath(location))
    try:
        return fs.cat_file(path).decode("utf-8")  # one plain GET, no cached size or ETag
    except FileNotFoundError:
        return None


def write_text(url: str, text: str) -> None:
    """One PUT: object stores replace an object atomically for readers."""
    fs, path = filesystem(url)
    with fs.open(path, "wb") as fh:
        fh.write(text.encode("utf-8"))


def upload_tree(local: Path, url: str, last: str | None = None) -> None:
    """Upload every file below ``local`` to ``url``; the file named ``last`` goes last
    (a completion marker: readers trust a remote folder only once it is there)."""
    fs, base = filesystem(url)
    files = sorted(p for p in local.rglob("*") if p.is_file())
    files.sort(key=lambda p: p.name == last)
    for path in files:
        fs.put_file(str(path), f"{base}/{path.relative_to(local).as_posix()}")


def download_tree(url: str, local: Path) -> None:
    """Copy every object below ``url`` into ``local``."""
    fs, base = filesystem(url)
    for path in sorted(fs.find(base)):
        rel = path[len(base):].lstrip("/")
        target = local / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        fs.get_file(path, str(target))


def remove_tree(location: Location) -> None:
    if not is_remote(location):
        import shutil

        shutil.rmtree(local_path(location), ignore_errors=True)
        return
    fs, path = filesystem(os.fspath(location))
    if fs.exists(path):
        fs.rm(path, recursive=True)


def remove_file(location: Location) -> None:
    """Delete one file or object (nothing when it is already gone)."""
    if not is_remote(location):
        local_path(location).unlink(missing_ok=True)
        return
    fs, path = filesystem(os.fspath(location))
    with contextlib.suppress(FileNotFoundError):
        fs.rm_file(path)


def list_files(url: str) -> list[tuple[str, int]]:
    """(path relative to ``url``, size) of every object below ``url``, sorted."""
    fs, base = filesystem(url)
    base = base.rstrip("/")
    found = fs.find(base, detail=True)
    return sorted((rel, int(info.get("size") or 0)) for name, info in found.items()
                  if info.get("type", "file") == "file" and (rel := _relative(name, base)))


def _relative(name: str, base: str) -> str:
    """An object's name below ``base``, or "" for what is no file: a folder marker
    (a zero-byte key ending with "/", as consoles create for folders) or the base
    itself. One separator is removed, so a key with a doubled one ("day//b.txt") keeps
    it and joins back to the same key.

    >>> _relative("b/raw/d/a.txt", "b/raw/d"), _relative("b/raw/d/", "b/raw/d")
    ('a.txt', '')
    >>> _relative("b/raw/d/x/", "b/raw/d"), _relative("b/raw/d//a.txt", "b/raw/d")
    ('', '/a.txt')
    """
    rel = name[len(base):]
    rel = rel[1:] if rel.startswith("/") else rel
    return "" if not rel or rel.endswith("/") else rel


def _modified(info: dict) -> float | None:
    """An object's last-modified time (POSIX seconds) from an fsspec listing entry; the
    key depends on the store (s3: LastModified, gcs: updated, local: mtime)."""
    for key in ("LastModified", "last_modified", "updated", "mtime", "created"):
        value = info.get(key)
        if value is None:
            continue
        if isinstance(value, int | float):
            return float(value)
        if hasattr(value, "timestamp"):
            return value.timestamp()
        try:
            from datetime import datetime

            return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
        except ValueError:
            continue
    return None


def list_modified(url: str) -> dict[str, float | None]:
    """Last-modified time of every object below ``url`` (path relative to it), from one
    recursive listing: as cheap as :func:`list_files`, no request per object."""
    fs, base = filesystem(url)
    base = base.rstrip("/")
    try:
        found = fs.find(base, detail=True)
    except FileNotFoundError:
        return {}
    return {rel: _modified(info) for name, info in found.items()
            if info.get("type", "file") == "file" and (rel := _relative(name, base))}


def fetch_file(url: str, target: Path) -> None:
    fs, path = filesystem(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    fs.get_file(path, str(target))
