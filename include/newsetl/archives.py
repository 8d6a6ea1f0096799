"""Zip and tar archives (nested up to ``max_nesting``) into items, safely.

Members with absolute or ``..`` paths, links and devices are refused; reads are bounded
per member (``max_article_bytes``, or the archive's budget for containers) and per
archive (``max_archive_bytes`` of decompressed data, the zip-bomb guard, shared with the
archives nested in it). Zip and tar
members go through one reader (:func:`read_member`) behind a small adapter
(:class:`Member`): only opening a member differs between the two formats.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import logging
import stat
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from newsetl import reasons, zipdir
from newsetl.discovery import printable_name
from newsetl.items import (
    JSONL,
    MULTI_ITEM,
    TAR,
    WARC,
    ZIP,
    Item,
    ItemContext,
    Limits,
    MiB,
    RejectItem,
    classify_name,
)
from newsetl.ranges import Span
from newsetl.streams import STREAM_ERRORS, iter_jsonl, iter_member_bytes, iter_stream

log = logging.getLogger(__name__)

#: What reading a zip member raises: damaged data, encryption (RuntimeError),
#: compression methods zipfile lacks (NotImplementedError).
#: ValueError: a name flagged UTF-8 that is not, a directory offset before the start.
_ZIP_MEMBER_ERRORS = (zipfile.BadZipFile, RuntimeError, NotImplementedError,
                      ValueError) + STREAM_ERRORS


#: What reading a tar archive raises on damaged headers or data.
_TAR_ERRORS = (tarfile.TarError,) + STREAM_ERRORS


class _Budget:
    """Decompressed-byte budget shared by all members of one archive."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self, n: int) -> bool:
        self.left -= n
        return self.left >= 0


def _unsafe_member_name(name: str) -> str | None:
    """Why a member name is unsafe, or None.

    >>> _unsafe_member_name("../../etc/passwd")
    "path escapes the archive: '../../etc/passwd'"
    >>> _unsafe_member_name("/abs/path.txt")
    "absolute path: '/abs/path.txt'"
    >>> _unsafe_member_name("day/a.txt") is None
    True
    """
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return f"absolute path: {name!r}"
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        return f"path escapes the archive: {name!r}"
    return None


#: A nested archive bigger than this is buffered in a temporary file, not in memory
#: (it may be as large as ``max_archive_bytes``).
SPOOL_BYTES = 32 * MiB


@dataclass
class _Spooled:
    file: tempfile.SpooledTemporaryFile
    sha256: str
    size: int


def _spool(fh, declared: int) -> _Spooled | None:
    """Copy a nested archive member into a seekable buffer that spills to disk (zip and
    tar need to seek); None when it holds more than its ``declared`` size."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned
    digest = hashlib.sha256()
    size = 0
    try:
        while block := fh.read(min(MiB, declared + 1 - size)):
            spool.write(block)
            digest.update(block)
            size += len(block)
            if size > declared:
                spool.close()
                return None
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return _Spooled(spool, digest.hexdigest(), size)


def _iter_nested(ctx: ItemContext, name: str, fmt: str, member: _Spooled,
                 depth: int, budget: _Budget) -> Iterator[Item]:
    """The items of an archive inside an archive, numbered on after the outer ones; its
    members draw on the outer archive's ``budget`` (a budget of their own would let each
    nested archive inflate ``max_archive_bytes`` again: a zip of a thousand small zips,
    a thousand times the guard)."""
    with member.file:
        if depth >= ctx.limits.max_nesting:
            yield ctx.reject(name, reasons.UNSAFE_ARCHIVE_MEMBER,
                             f"archive nested deeper than {ctx.limits.max_nesting}",
                             member.sha256)
            return
        nested = ItemContext(ctx.source_file, ctx.file_index, ctx.limits, ctx.count,
                             skipped=ctx.skipped)
        inner = iter_zip if fmt == ZIP else iter_tar
        yield from inner(nested, member.file, prefix=f"{name}!/", depth=depth + 1,
                         budget=budget)
        ctx.count = nested.count


def zip_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """An archive's members in source order (sorted by name)."""
    return sorted(archive.infolist(), key=lambda i: i.filename)


def zip_member_items(info: zipfile.ZipInfo) -> int | None:
    """How many items a zip member yields when that is known from its header alone: 0
    for an empty folder entry, 1 for a text file (or a member that becomes one reject);
    None for a JSONL, WARC, SGML or archive member (any number). Member-range shards of
    a big zip (:mod:`newsetl.ranges`) need every member to be known, which is why a
    zip's text member is one item even when it holds SGML documents
    (:attr:`newsetl.items.ItemContext.text_is_one_item`)."""
    if info.is_dir():
        return 1 if info.file_size else 0
    return None if classify_name(info.filename)[0] in (*MULTI_ITEM, ZIP, TAR) else 1


def iter_zip(ctx: ItemContext, source, prefix: str = "", depth: int = 0,
              span: Span | None = None, budget: _Budget | None = None) -> Iterator[Item]:
    """The items of a zip archive; with ``span``, only members ``start``..``stop`` (by
    index in source order), numbered on from ``first_line`` items. ``budget``: the
    outer archive's, for a nested one."""
    try:
        opened = _open_zip(ctx, source, span, budget)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        if span is None or span.start == 0:
            yield ctx.reject(prefix.rstrip("!/") or None, reasons.CORRUPT_ARCHIVE,
                             f"cannot open zip: {exc}")
        return
    if span is not None:
        ctx.count = span.first_line
    ctx.text_is_one_item = True
    with opened.archive as archive:
        # index: in the whole archive
        for index, info in enumerate(opened.infos, start=opened.first):
            name = prefix + printable_name(info.filename)
            if info.is_dir():
                if info.file_size:  # a folder entry holding data: never silently dropped
                    yield ctx.reject(name, reasons.UNSUPPORTED_FORMAT,
                                     f"folder entry with {info.file_size} bytes of data")
                continue
            if index >= ctx.limits.max_archive_members:
                yield ctx.reject(name, reasons.TOO_LARGE, "archive has too many members")
                continue
            unsafe = _unsafe_zip_member(info)
            if unsafe:
                yield ctx.reject(name, reasons.UNSAFE_ARCHIVE_MEMBER, unsafe)
                continue
            yield from read_member(ctx, _zip_adapter(archive, info, name), opened.budget,
                                   depth)


@dataclass
class _OpenZip:
    """An open zip and the members to read: ``infos`` in source order, the first of them
    member number ``first`` of the whole archive; ``budget`` already charged with what
    the members before it take."""

    archive: zipfile.ZipFile
    infos: list[zipfile.ZipInfo]
    first: int
    budget: _Budget


def _open_zip(ctx: ItemContext, source, span: Span | None,
              budget: _Budget | None = None) -> _OpenZip:
    """Open a zip for the members of ``span`` (all when None).

    A range whose planner found the central directory in source order reads the headers
    of its own members alone (:func:`newsetl.zipdir.read_range`); anything that reader
    declines is opened the normal way (every header parsed, then trimmed to the range),
    so both give the same members, numbers and budget."""
    if span is not None and span.zip_entries is not None and zipdir.available():
        try:
            return _open_zip_range(ctx, source, span, span.zip_entries)
        except zipdir.DIRECTORY_ERRORS as exc:
            log.info("reading every header of %s: %s", ctx.source_file, exc)
    archive = zipfile.ZipFile(source)
    infos = zip_members(archive)
    budget = budget if budget is not None else _Budget(ctx.limits.max_archive_bytes)
    if span is None:
        return _OpenZip(archive, infos, 0, budget)
    first, stop = span.start, len(infos) if span.stop is None else span.stop
    for index, info in enumerate(infos[:first]):
        _charge_skipped(ctx, budget, index, info)
    return _OpenZip(archive, _keep_only(archive, infos, first, stop), first, budget)


def _open_zip_range(ctx: ItemContext, source, span: Span, entries: int) -> _OpenZip:
    """The range's members from its own central-directory records; the records before it
    are parsed one at a time, only to charge the budget."""
    budget = _Budget(ctx.limits.max_archive_bytes)
    archive, infos = zipdir.read_range(
        source, span.start, span.stop, entries,
        lambda index, info: _charge_skipped(ctx, budget, index, info))
    return _OpenZip(archive, infos, span.start, budget)


def _charge_skipped(ctx: ItemContext, budget: _Budget, index: int,
                    info: zipfile.ZipInfo) -> None:
    """Charge the archive's budget with what a member before the range takes when the
    whole archive is read (:func:`read_member` on a member :func:`iter_zip` reads): the
    range's members then meet the budget where they would in one reader."""
    if (not info.is_dir() and index < ctx.limits.max_archive_members
            and not _unsafe_zip_member(info)
            and info.file_size <= _member_limit(ctx.limits, info.filename)):
        budget.take(info.file_size)


def _keep_only(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], first: int,
               stop: int) -> list[zipfile.ZipInfo]:
    """A member-range shard keeps only its members' headers: ``zipfile`` holds one
    ``ZipInfo`` per member (about 600 bytes each, 60 MB for 100,000 members) for as long
    as the archive is open, in every worker. Members are opened by their ``ZipInfo``,
    so the archive's own lists may shrink to the range. (Used when the range's headers
    could not be read alone, see :func:`_open_zip`.)"""
    kept = infos[first:stop]
    archive.filelist = kept
    archive.NameToInfo = {info.filename: info for info in kept}
    return kept


def _unsafe_zip_member(info: zipfile.ZipInfo) -> str | None:
    """Why a zip member may not be read (an unsafe path, a link, a device), or None."""
    unsafe = _unsafe_member_name(info.filename)
    mode = info.external_attr >> 16
    if unsafe is None and (stat.S_ISLNK(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                           or stat.S_ISFIFO(mode)):
        unsafe = "link or device member"
    return unsafe


def _member_limit(limits: Limits, name: str) -> int:
    """The largest a member may be: an article, or an archive's budget for containers."""
    if classify_name(name)[0] in (ZIP, TAR, *MULTI_ITEM):
        return max(limits.max_article_bytes, limits.max_archive_bytes)
    return limits.max_article_bytes


def _size_reject(ctx: ItemContext, name: str, size: int, budget: _Budget) -> RejectItem | None:
    """``too_large`` for a member over its limit or over the archive's budget, else None.

    Declared sizes are enforced by the readers (zipfile stops at the header's size, tar
    at the member's), so they are safe to budget with before reading.
    """
    if size < 0:  # a damaged tar header (pax "size=-1024", a signed base-256 field)
        return ctx.reject(name, reasons.CORRUPT_ARCHIVE, f"member of {size} bytes")
    limit = _member_limit(ctx.limits, name)
    if size > limit:
        return ctx.reject(name, reasons.TOO_LARGE, f"member of {size} bytes")
    if not budget.take(size):
        return ctx.reject(name, reasons.TOO_LARGE,
                          f"archive over {ctx.limits.max_archive_bytes} decompressed bytes "
                          "(with the archives nested in it)")
    return None


def iter_tar(ctx: ItemContext, source, prefix: str = "", depth: int = 0,
             budget: _Budget | None = None) -> Iterator[Item]:
    """Tar members in archive order (tar.gz has no cheap random access). ``budget``: the
    outer archive's, for a nested one."""
    try:
        if isinstance(source, Path):
            archive = tarfile.open(source, mode="r:*",  # noqa: SIM115 - closed by `with`
                                   tarinfo=_TarInfo)
        else:
            archive = tarfile.open(fileobj=source, mode="r:*", tarinfo=_TarInfo)  # noqa: SIM115
    except _TAR_ERRORS as exc:
        yield ctx.reject(prefix.rstrip("!/") or None, reasons.CORRUPT_ARCHIVE,
                         f"cannot open tar: {exc}")
        return
    budget = budget if budget is not None else _Budget(ctx.limits.max_archive_bytes)
    seen = 0
    with archive:
        while True:
            try:
                info = archive.next()
                archive.members = []  # tarfile keeps every header: ~500 bytes a member
            except _TAR_ERRORS as exc:
                yield ctx.reject(f"{prefix}<after {seen} members>", reasons.CORRUPT_ARCHIVE,
                                 f"archive truncated or corrupt: {exc}")
                return
            if info is None:
                if not _tar_ended_cleanly(archive):
                    yield ctx.reject(f"{prefix}<after {seen} members>",
                                     reasons.CORRUPT_ARCHIVE,
                                     "archive truncated or corrupt: no end-of-archive marker "
                                     "where the next header should be")
                return
            if info.isdir():
                continue
            seen += 1
            name = prefix + printable_name(info.name)
            if seen > ctx.limits.max_archive_members:
                yield ctx.reject(name, reasons.TOO_LARGE, "archive has too many members")
                continue
            unsafe = _unsafe_member_name(info.name)
            if unsafe is None and not info.isreg():
                unsafe = "link or device member" if (info.issym() or info.islnk() or
                                                     info.isdev()) else "not a regular file"
            if unsafe:
                yield ctx.reject(name, reasons.UNSAFE_ARCHIVE_MEMBER, unsafe)
                continue
            yield from read_member(ctx, _tar_adapter(archive, info, name), budget, depth)


def _iter_multi(ctx: ItemContext, fh, fmt: str, gz: bool, name: str,
                size: int) -> Iterator[Item]:
    """A JSONL, WARC or SGML member, read as a stream (a WARC reads its own gzip)."""
    if fmt == JSONL:
        budget = ctx.limits.stream_budget(size) if gz else None
        yield from iter_jsonl(ctx, gzip.GzipFile(fileobj=fh) if gz else fh, name,
                              budget=budget)
    else:
        stream = gzip.GzipFile(fileobj=fh) if gz and fmt != WARC else fh
        yield from iter_stream(ctx, stream, fmt, name, gz, ctx.limits.stream_budget(size))


class _TarInfo(tarfile.TarInfo):
    """Remembers on the archive why the last header read stopped (see
    :func:`_tar_ended_cleanly`); costs nothing, unlike seeking back in a .tar.gz."""

    @classmethod
    def fromtarfile(cls, tarfile_: tarfile.TarFile) -> tarfile.TarInfo:
        try:
            return super().fromtarfile(tarfile_)
        except tarfile.HeaderError as exc:
            tarfile_.newsetl_stop = exc  # type: ignore[attr-defined]
            raise


def _tar_ended_cleanly(archive: tarfile.TarFile) -> bool:
    """Whether the archive ended on its end-of-archive marker (a zero block).

    ``tarfile`` also ends quietly when a header after the first member is damaged or
    missing (a cut or corrupted file): every member after it would vanish unreported.
    """
    return isinstance(getattr(archive, "newsetl_stop", None), tarfile.EOFHeaderError)


@dataclass(frozen=True)
class Member:
    """One archive member, whatever the archive format: the adapter that lets zip and
    tar share :func:`read_member`."""

    name: str  # printable, with the outer archive's prefix
    size: int  # declared in the member's header
    open: Callable[[], IO[bytes]]
    #: What reading it raises on damaged data.
    errors: tuple[type[BaseException], ...]


def _zip_adapter(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> Member:
    return Member(name, info.file_size, lambda: archive.open(info), _ZIP_MEMBER_ERRORS)


def _tar_adapter(archive: tarfile.TarFile, info: tarfile.TarInfo, name: str) -> Member:
    return Member(name, info.size, lambda: archive.extractfile(info) or io.BytesIO(),
                  _TAR_ERRORS)


def read_member(ctx: ItemContext, member: Member, budget: _Budget,
                depth: int) -> Iterator[Item]:
    """The items of one member: a JSONL, WARC or SGML member streamed item by item, a
    nested archive spooled (to disk when big), anything else read whole, never past its
    declared size (more is ``too_large``, less is a truncated member)."""
    name = member.name
    rejected = _size_reject(ctx, name, member.size, budget)
    if rejected is not None:
        yield rejected
        return
    fmt, gz = classify_name(name)
    try:
        with member.open() as fh:
            if fmt in MULTI_ITEM:  # streamed: it may be as big as the archive budget
                yield from _iter_multi(ctx, fh, fmt, gz, name, member.size)
                return
            data = (_spool(fh, member.size) if fmt in (ZIP, TAR)
                    else fh.read(member.size + 1))
    except member.errors as exc:
        yield ctx.reject(name, reasons.CORRUPT_ARCHIVE, f"cannot read member: {exc}")
        return
    if data is None:
        yield ctx.reject(name, reasons.TOO_LARGE, "member larger than its header says")
    elif isinstance(data, _Spooled):
        if data.size != member.size:
            data.file.close()
            yield ctx.reject(name, reasons.CORRUPT_ARCHIVE, "member truncated")
        else:
            yield from _iter_nested(ctx, name, fmt, data, depth, budget)
    elif len(data) > member.size:
        yield ctx.reject(name, reasons.TOO_LARGE, "member larger than its header says")
    elif len(data) < member.size:
        yield ctx.reject(name, reasons.CORRUPT_ARCHIVE, "member truncated")
    else:
        yield from iter_member_bytes(ctx, name, data)
