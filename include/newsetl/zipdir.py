"""A zip's central directory read record by record, so a worker keeps only its range.

``zipfile.ZipFile(path)`` parses the whole central directory at open into one
``ZipInfo`` per member (about 600 bytes each: 60 MB for 100,000 members), in every
worker that opens the archive, however few members it reads. A member-range shard
(:func:`newsetl.ranges.split_zip`) needs only the headers of its own range. So:

* :func:`find_directory` reads only the end-of-central-directory record(s);
* :func:`iter_infos` streams the directory in fixed chunks and yields one ``ZipInfo``
  at a time, built exactly as ``zipfile`` builds it (same fields, ZIP64 sizes and
  offsets, UTF-8 or cp437 names, offset of data prepended to the archive);
* :class:`LazyZipFile` is a ``ZipFile`` that reads nothing but that end record at open,
  so the caller decides which ``ZipInfo`` objects it holds (:func:`read_range`).

Anything this reader does not handle exactly as ``zipfile`` does raises
:class:`UnusualZip`: encrypted members or directory, spanned (multi-disk) archives,
Info-ZIP Unicode path fields (Python 3.12+ renames members after them, 3.11 does not),
a record that crosses the end of the directory. That and any damage (every error in
:data:`DIRECTORY_ERRORS`) tell the caller to open the archive the normal way, so what a
shard reads never depends on which path read its headers.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

#: A central-directory file header, without its variable-length fields (APPNOTE 4.3.12):
#: signature, create version, create system, extract version, reserved, flags,
#: compression, time, date, CRC-32, compressed size, size, name length, extra length,
#: comment length, disk number start, internal attributes, external attributes,
#: local header offset.
_RECORD = struct.Struct("<4s4B4HL2L5H2L")
_SIGNATURE = b"PK\x01\x02"
#: Flag bits: 0 encrypted, 6 strong encryption, 13 masked (encrypted) directory.
_ENCRYPTED_FLAGS = 1 | 1 << 6 | 1 << 13
_UTF8_FLAG = 1 << 11
_ZIP64_EXTRA = 0x0001
#: Info-ZIP Unicode Path: Python 3.12+ renames a member after it, 3.11 does not.
_UNICODE_PATH_EXTRA = 0x7075
_MAX_EXTRACT_VERSION = getattr(zipfile, "MAX_EXTRACT_VERSION", 63)
#: The directory is read this many bytes at a time.
CHUNK = 1024 * 1024

#: ``zipfile``'s own reader of the end records (comment search, ZIP64 end record): the
#: directory starts exactly where ``ZipFile`` would look for it. None on a Python that
#: lacks it: then nothing here is used (:func:`available`).
_end_record: Callable[[IO[bytes]], list | None] | None = getattr(zipfile, "_EndRecData", None)


class UnusualZip(Exception):
    """The archive needs ``zipfile``'s full reader (see the module docstring)."""


#: What reading a directory here may raise: every one means "open it the normal way".
DIRECTORY_ERRORS = (UnusualZip, zipfile.BadZipFile, OSError, ValueError, EOFError,
                    struct.error)


def available() -> bool:
    """Whether this Python's ``zipfile`` offers what this module reuses (its end-record
    reader and the ``_RealGetContents`` step of ``ZipFile.__init__``)."""
    return _end_record is not None and hasattr(zipfile.ZipFile, "_RealGetContents")


@dataclass(frozen=True)
class Directory:
    """Where the central directory is: ``start`` (file offset) and ``size`` in bytes,
    ``concat`` the bytes prepended to the archive (added to every header offset, as
    ``zipfile`` does), ``comment`` the archive comment."""

    start: int
    size: int
    concat: int
    comment: bytes


def find_directory(fp: IO[bytes]) -> Directory:
    """The central directory's place, from the end record(s) alone.

    Same arithmetic as ``ZipFile._RealGetContents``; spanned archives are unusual.
    """
    if _end_record is None:
        raise UnusualZip("zipfile has no _EndRecData")
    endrec = _end_record(fp)
    if not endrec:
        raise zipfile.BadZipFile("File is not a zip file")
    (signature, disk, disk_start, here, total, size, offset, _comment_size, comment,
     location) = endrec
    if disk != 0 or disk_start != 0 or here != total:
        raise UnusualZip("archive spans several disks")
    concat = location - size - offset
    if signature == zipfile.stringEndArchive64:
        concat -= zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator
    if offset + concat < 0:
        raise zipfile.BadZipFile("Bad offset for central directory")
    return Directory(offset + concat, size, concat, comment)


def _raw_records(fp: IO[bytes], directory: Directory, chunk: int = CHUNK
                 ) -> Iterator[tuple[tuple, bytes, bytes, bytes]]:
    """``(fixed fields, name, extra, comment)`` of each record, reading ``chunk`` bytes at
    a time: memory stays one chunk whatever the number of members."""
    fp.seek(directory.start)
    left = directory.size  # directory bytes not read yet
    buf, pos = b"", 0
    while True:
        if not left and pos == len(buf):
            return
        while len(buf) - pos < _RECORD.size and left:
            buf, pos, left = _refill(fp, buf, pos, left, chunk)
        if len(buf) - pos < _RECORD.size:
            raise UnusualZip("central directory ends inside a record")
        fixed = _RECORD.unpack_from(buf, pos)
        if fixed[0] != _SIGNATURE:
            raise zipfile.BadZipFile("Bad magic number for central directory")
        name_len, extra_len, comment_len = fixed[12:15]
        length = _RECORD.size + name_len + extra_len + comment_len
        while len(buf) - pos < length and left:
            buf, pos, left = _refill(fp, buf, pos, left, chunk)
        if len(buf) - pos < length:
            raise UnusualZip("central directory ends inside a record")
        name_at = pos + _RECORD.size
        extra_at = name_at + name_len
        comment_at = extra_at + extra_len
        yield (fixed, buf[name_at:extra_at], buf[extra_at:comment_at],
               buf[comment_at:pos + length])
        pos += length


def _refill(fp: IO[bytes], buf: bytes, pos: int, left: int, chunk: int
            ) -> tuple[bytes, int, int]:
    """The unread rest of ``buf`` and the next ``chunk`` bytes of the directory."""
    data = fp.read(min(chunk, left))
    if not data:
        raise zipfile.BadZipFile("Truncated central directory")
    return buf[pos:] + data, 0, left - len(data)


def iter_infos(fp: IO[bytes], directory: Directory, chunk: int = CHUNK
               ) -> Iterator[zipfile.ZipInfo]:
    """One ``ZipInfo`` per central-directory record, in directory order, each built as
    ``zipfile`` builds it; nothing is kept here, so the caller holds only what it keeps."""
    for record in _raw_records(fp, directory, chunk):
        yield _make_info(*record, concat=directory.concat)


def _make_info(fixed: tuple, raw_name: bytes, extra: bytes, comment: bytes, concat: int
               ) -> zipfile.ZipInfo:
    """The ``ZipInfo`` of one record: the fields ``ZipFile._RealGetContents`` (3.11) sets,
    in the same way (the constructor drops a name's tail after a NUL byte)."""
    flags = fixed[5]
    if flags & _ENCRYPTED_FLAGS:
        raise UnusualZip("encrypted member or directory")
    if fixed[3] > _MAX_EXTRACT_VERSION:
        raise UnusualZip(f"zip file version {fixed[3] / 10:.1f}")
    if fixed[15] != 0:
        raise UnusualZip("member on another disk")
    info = zipfile.ZipInfo(raw_name.decode("utf-8" if flags & _UTF8_FLAG else "cp437"))
    info.extra, info.comment = extra, comment
    (info.create_version, info.create_system, info.extract_version, info.reserved,
     info.flag_bits, info.compress_type, time, date, info.CRC, info.compress_size,
     info.file_size) = fixed[1:12]
    info.volume, info.internal_attr, info.external_attr = fixed[15:18]
    info.header_offset = fixed[18]
    info._raw_time = time
    info.date_time = ((date >> 9) + 1980, (date >> 5) & 0xF, date & 0x1F,
                      time >> 11, (time >> 5) & 0x3F, (time & 0x1F) * 2)
    _read_extra(info, extra)
    info.header_offset += concat
    return info


def _read_extra(info: zipfile.ZipInfo, extra: bytes) -> None:
    """Apply the record's ZIP64 extra fields (sizes and offset too big for 32 bits);
    refuse a Unicode path field (its meaning depends on the Python version)."""
    while len(extra) >= 4:
        kind, length = struct.unpack_from("<HH", extra)
        if length + 4 > len(extra):
            raise zipfile.BadZipFile(f"Corrupt extra field {kind:04x} (size={length})")
        if kind == _UNICODE_PATH_EXTRA:
            raise UnusualZip("Info-ZIP Unicode path field")
        if kind == _ZIP64_EXTRA:
            _apply_zip64(info, extra[4:length + 4])
        extra = extra[length + 4:]


def _apply_zip64(info: zipfile.ZipInfo, data: bytes) -> None:
    """A ZIP64 extra field holds, in this order, the 64-bit value of each 32-bit field
    that is saturated: size, compressed size, local header offset."""
    if info.file_size in (0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF):
        info.file_size, data = _u64(data, "File size")
    if info.compress_size == 0xFFFF_FFFF:
        info.compress_size, data = _u64(data, "Compress size")
    if info.header_offset == 0xFFFF_FFFF:
        info.header_offset, data = _u64(data, "Header offset")


def _u64(data: bytes, field: str) -> tuple[int, bytes]:
    if len(data) < 8:
        raise zipfile.BadZipFile(f"Corrupt zip64 extra field. {field} not found.")
    return struct.unpack_from("<Q", data)[0], data[8:]


class LazyZipFile(zipfile.ZipFile):
    """A ``ZipFile`` whose open reads only the end record(s): ``ZipFile.__init__`` calls
    ``_RealGetContents`` to parse every header, this one only finds the directory
    (:attr:`directory`) and leaves ``filelist`` empty for the caller to fill. Members are
    opened by ``ZipInfo`` as usual."""

    directory: Directory

    def _RealGetContents(self) -> None:  # noqa: N802 - zipfile's name
        self.directory = find_directory(self.fp)
        self.start_dir = self.directory.start
        self._comment = self.directory.comment


def read_range(source: object, start: int, stop: int | None, entries: int,
               skipped: Callable[[int, zipfile.ZipInfo], None]
               ) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """Open ``source`` holding the headers of members ``start``..``stop`` (to the end
    when None) alone, in directory order.

    The planner found the directory listing exactly ``entries`` records in name order
    (source order, ``archives.zip_members``): this is checked again on the way, and any
    difference raises :class:`UnusualZip`. Each record before ``start`` goes to
    ``skipped`` (the caller charges its size to the archive's budget) and is dropped.
    Raises one of :data:`DIRECTORY_ERRORS`, the archive closed, when the caller must open
    it the normal way.
    """
    archive = LazyZipFile(source)  # type: ignore[arg-type]
    try:
        kept = _collect(archive, start, stop, entries, skipped)
    except BaseException:
        archive.close()
        raise
    archive.filelist = kept
    archive.NameToInfo = {info.filename: info for info in kept}
    return archive, kept


def _collect(archive: LazyZipFile, start: int, stop: int | None, entries: int,
             skipped: Callable[[int, zipfile.ZipInfo], None]) -> list[zipfile.ZipInfo]:
    """The ``ZipInfo`` of records ``start``..``stop``: reading ends there, or at the end
    of the directory for the last range (which must then hold ``entries`` records)."""
    end = entries if stop is None else stop
    kept: list[zipfile.ZipInfo] = []
    previous = ""
    for index, info in enumerate(iter_infos(archive.fp, archive.directory)):
        if index >= end:
            raise UnusualZip(f"directory lists more than {end} members")
        if info.filename < previous:
            raise UnusualZip("directory not in name order")
        previous = info.filename
        if index < start:
            skipped(index, info)
            continue
        kept.append(info)
        if index + 1 == stop:
            break
    if start + len(kept) != end:
        raise UnusualZip(f"directory lists {start + len(kept)} members, not {end}")
    return kept
