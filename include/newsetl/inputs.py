"""Find a day's input files and turn them into raw items, safely.

An *input file* is a regular file under ``<raw_root>/<ds>/`` (nested folders allowed).
An *item* is what should become one article: a ``.txt`` file, one JSONL line, one
archive member. Every item comes out of :func:`iter_file` exactly once, either as a
:class:`RawItem` or as a :class:`RejectItem` with a reason code, so a day's accounting
always balances. Nothing here raises on bad input.

Safety: archive members with absolute or ``..`` paths, links and devices are refused;
reads are bounded per article (``max_article_bytes``) and per archive
(``max_archive_bytes`` of decompressed data, the zip-bomb guard).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import lzma
import os
import posixpath
import re
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from newsetl import reasons, storage
from newsetl.decode import sniff_encoding
from newsetl.guards import is_out_root
from newsetl.ranges import Span

MiB = 1024 * 1024

#: What reading a (possibly compressed) stream raises on damaged data.
_STREAM_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error, lzma.LZMAError, OSError)
#: What reading a zip member raises: damaged data, encryption (RuntimeError),
#: compression methods zipfile lacks (NotImplementedError).
_ZIP_MEMBER_ERRORS = (zipfile.BadZipFile, RuntimeError, NotImplementedError) + _STREAM_ERRORS
#: What reading a tar archive raises on damaged headers or data.
_TAR_ERRORS = (tarfile.TarError,) + _STREAM_ERRORS


@dataclass(frozen=True)
class Limits:
    """Size bounds; the defaults suit news articles (a long feature is ~100 KB)."""

    max_article_bytes: int = 5 * MiB
    max_archive_bytes: int = 4096 * MiB
    max_archive_members: int = 1_000_000
    max_nesting: int = 2
    #: A gzip stream may grow this many times its compressed size (text: 3-10 times;
    #: a compression bomb: thousands) ...
    max_ratio: int = 100
    #: ... but always at least to this size (small files of repeated lines compress far).
    min_stream_budget: int = 64 * MiB

    def stream_budget(self, compressed: int) -> int:
        """Decompressed bytes a gzip stream of ``compressed`` bytes may produce.

        >>> Limits().stream_budget(10 * MiB) // MiB, Limits().stream_budget(1) // MiB
        (1000, 64)
        """
        return min(self.max_archive_bytes, max(self.min_stream_budget,
                                               self.max_ratio * compressed))


@dataclass(frozen=True)
class InputFile:
    """One file of the day folder: ``path`` is relative to the day folder (posix)."""

    path: str
    size: int


@dataclass
class RawItem:
    """Bytes or text of one would-be article and where it came from."""

    source_file: str
    source_member: str | None
    seq: int
    raw_sha256: str
    data: bytes | None = None
    text: str | None = None
    meta: dict[str, str | None] = field(default_factory=dict)


@dataclass
class RejectItem:
    """An item that cannot become an article, with its reason code."""

    source_file: str
    source_member: str | None
    seq: int
    reason: str
    detail: str
    raw_sha256: str | None = None


Item = RawItem | RejectItem

#: Bits of ``seq`` for the member index; the file index sits above them.
MEMBER_BITS = 32


def make_seq(file_index: int, member_index: int) -> int:
    """Position of an item in sorted source order (file, then member or line)."""
    return (file_index << MEMBER_BITS) | member_index


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def day_dir(raw_root: str | os.PathLike[str], ds: str) -> Path | str:
    """The raw folder of a day: a local Path, or a URL for object-store raw roots."""
    return storage.join(raw_root, ds)


def _hidden(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/"))


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
        return ([f for f in listed if not _hidden(f.path)],
                [_skipped(f.path, f.size, "hidden") for f in listed if _hidden(f.path)])
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


# --- format detection --------------------------------------------------------------

TEXT, JSONL, ZIP, TAR = "text", "jsonl", "zip", "tar"


def classify_name(name: str) -> tuple[str | None, bool]:
    """(format, gzipped) from a file name; format None when not accepted.

    >>> classify_name("a/b/article.TXT")
    ('text', False)
    >>> classify_name("feed.jsonl.gz")
    ('jsonl', True)
    >>> classify_name("dump.tgz")
    ('tar', False)
    >>> classify_name("scan.pdf")
    (None, False)
    """
    lower = name.lower()
    if lower.endswith((".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz")):
        return TAR, False
    if lower.endswith(".zip"):
        return ZIP, False
    gz = lower.endswith(".gz")
    base = lower[:-3] if gz else lower
    if base.endswith((".txt", ".text")):
        return TEXT, gz
    if base.endswith((".jsonl", ".ndjson")):
        return JSONL, gz
    return None, gz


# --- readers -----------------------------------------------------------------------


class _Budget:
    """Decompressed-byte budget shared by all members of one archive."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self, n: int) -> bool:
        self.left -= n
        return self.left >= 0


def _read_bounded(fh: io.BufferedIOBase | gzip.GzipFile, limit: int) -> bytes | None:
    """Read at most ``limit`` bytes; None when there is more (too large)."""
    data = fh.read(limit + 1)
    return None if len(data) > limit else data


def iter_file(day: Path, entry: InputFile, file_index: int, limits: Limits,
              span: Span | None = None) -> Iterator[Item]:
    """Every item of one input file, in order, as RawItem or RejectItem; with ``span``,
    only the lines of a JSONL file that start in that byte range, or the members of a
    zip in that index range."""
    path = day / entry.path
    fmt, gz = classify_name(entry.path)
    ctx = _Ctx(printable_name(entry.path), file_index, limits, by_line=fmt == JSONL)
    if fmt is None:
        yield ctx.reject(None, reasons.UNSUPPORTED_FORMAT,
                         f"not an accepted input type: {posixpath.basename(ctx.source_file)}")
        return
    try:
        if fmt == ZIP:
            yield from _iter_zip(ctx, path, span=span)
        elif fmt == TAR:
            yield from _iter_tar(ctx, path)
        else:
            with path.open("rb") as raw:
                stream = gzip.GzipFile(fileobj=raw) if gz else raw
                if fmt == JSONL:
                    budget = limits.stream_budget(entry.size) if gz else None
                    yield from _iter_jsonl(ctx, stream, None, span, budget)
                else:
                    yield from _iter_stream(ctx, stream, fmt, None, gz)
    except OSError as exc:
        yield ctx.reject(None, reasons.CORRUPT_FILE, f"cannot read file: {exc}")


@dataclass
class _Ctx:
    source_file: str
    file_index: int
    limits: Limits
    count: int = 0
    #: Items of a top-level JSONL file are numbered by line (``seq`` = file, line
    #: index), so that a shard reading a line range numbers them as one reader would.
    by_line: bool = False

    def next_seq(self) -> int:
        seq = make_seq(self.file_index, self.count)
        self.count += 1
        return seq

    def line_seq(self, line_index: int) -> int | None:
        """``seq`` of the line with this 0-based index, or None (count items instead)."""
        return make_seq(self.file_index, line_index) if self.by_line else None

    def reject(self, member: str | None, reason: str, detail: str,
               raw_sha256: str | None = None, seq: int | None = None) -> RejectItem:
        return RejectItem(self.source_file, member, self.next_seq() if seq is None else seq,
                          reason, detail, raw_sha256)

    def item(self, member: str | None, data: bytes, meta: dict | None = None) -> RawItem:
        return RawItem(self.source_file, member, self.next_seq(), sha256_hex(data), data=data,
                       meta=meta or {})


def _iter_stream(ctx: _Ctx, stream, fmt: str, member: str | None, gz: bool) -> Iterator[Item]:
    """A text or JSONL stream (plain or gzip) from a file or an archive member."""
    if fmt == JSONL:
        yield from _iter_jsonl(ctx, stream, member)
        return
    try:
        data = _read_bounded(stream, ctx.limits.max_article_bytes)
    except _STREAM_ERRORS as exc:
        yield ctx.reject(member, reasons.CORRUPT_FILE, f"broken gzip stream: {exc}")
        return
    if data is None:
        yield ctx.reject(member, reasons.TOO_LARGE,
                         f"article over {ctx.limits.max_article_bytes} bytes")
        return
    yield ctx.item(member, data)


def _member_label(member: str | None, line_no: int) -> str:
    return f"{member}:{line_no}" if member else str(line_no)


#: The first bytes of a JSONL stream tell its encoding and line ends.
SNIFF_BYTES = 64 * 1024


@dataclass
class _JsonlPlan:
    """How to read one JSONL stream: bytes split on LF (UTF-8, the fast path) or text
    decoded with ``encoding`` and universal line ends (CR, LF, CRLF)."""

    encoding: str
    as_bytes: bool
    #: The stream to read, at its start (the same one, rewound, when it can seek).
    stream: object


def _jsonl_plan(stream) -> _JsonlPlan:
    """Sniff encoding and line ends from the first bytes, then rewind the stream."""
    try:
        sample = stream.read(SNIFF_BYTES)
    except _STREAM_ERRORS:  # damaged early: the line reader reports where
        sample = b""
    try:
        stream.seek(0)
    except (*_STREAM_ERRORS, ValueError, io.UnsupportedOperation):
        stream = io.BufferedReader(_Rewound(sample, stream))  # not seekable: replay
    if not sample:
        return _JsonlPlan("utf-8", True, stream)
    encoding = sniff_encoding(sample)
    cr_only = b"\r" in sample and b"\n" not in sample
    return _JsonlPlan(encoding, encoding in ("utf-8", "utf-8-sig") and not cr_only, stream)


def jsonl_splittable(path: Path, gz: bool) -> bool:
    """Whether a JSONL file is read as UTF-8 bytes split on LF: only those are cut into
    line ranges (:mod:`newsetl.ranges`) by byte offsets."""
    with path.open("rb") as raw:
        stream = gzip.GzipFile(fileobj=raw) if gz else raw
        return _jsonl_plan(stream).as_bytes


class _Rewound(io.RawIOBase):
    """A stream that could not seek back, with its sniffed first bytes put back."""

    def __init__(self, head: bytes, rest) -> None:
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _iter_jsonl(ctx: _Ctx, stream, member: str | None, span: Span | None = None,
                budget: int | None = None) -> Iterator[Item]:
    """One item per non-blank line; ``source_member`` is the 1-based line number.

    The encoding is sniffed (BOM, UTF-16/32, legacy code pages) and CR, LF and CRLF line
    ends are accepted. ``span`` limits the lines to a byte range (a shard of a big
    file, UTF-8 only); ``budget`` caps the decompressed bytes read: past it, one
    ``too_large`` reject ends the file.
    """
    plan = _jsonl_plan(stream)
    stream = plan.stream
    newline: str | bytes = b"\n" if plan.as_bytes else "\n"
    if not plan.as_bytes:
        if span is not None and span.start > 0:
            return  # the planner splits only UTF-8 files; nothing to do for a stray range
        stream = io.TextIOWrapper(stream, encoding=plan.encoding, errors="replace",
                                  newline=None)
    limit = ctx.limits.max_article_bytes
    line_no = span.first_line if span else 0
    offset = span.start if span else 0
    try:
        if offset:
            stream.seek(offset)
    except _STREAM_ERRORS as exc:
        yield ctx.reject(_member_label(member, line_no + 1), reasons.CORRUPT_FILE,
                         f"broken gzip stream before line {line_no + 1}: {exc}")
        return
    while span is None or span.stop is None or offset < span.stop:
        try:
            line = stream.readline(limit + 1)
        except _STREAM_ERRORS as exc:
            yield ctx.reject(_member_label(member, line_no + 1), reasons.CORRUPT_FILE,
                             f"broken gzip stream after line {line_no}: {exc}",
                             seq=ctx.line_seq(line_no))
            return
        if not line:
            return
        line_no += 1
        offset += len(line)
        label = _member_label(member, line_no)
        if budget is not None and offset > budget:
            yield ctx.reject(label, reasons.TOO_LARGE,
                             f"decompressed data over its budget of {budget} bytes "
                             "(a compression bomb?): the rest of the file is not read",
                             seq=ctx.line_seq(line_no - 1))
            return
        if len(line) > limit and not line.endswith(newline):
            yield ctx.reject(label, reasons.TOO_LARGE, f"JSONL line over {limit} bytes",
                             seq=ctx.line_seq(line_no - 1))
            try:  # skip the rest of the line, bounded by the same budget per read
                while (rest := stream.readline(limit + 1)) and not rest.endswith(newline):
                    offset += len(rest)
                offset += len(rest)
            except _STREAM_ERRORS as exc:
                yield ctx.reject(_member_label(member, line_no + 1), reasons.CORRUPT_FILE,
                                 f"broken gzip stream in line {line_no}: {exc}",
                                 seq=ctx.line_seq(line_no))
                return
            continue
        if not line.strip():
            continue
        yield _jsonl_record(ctx, line, label, ctx.line_seq(line_no - 1))


def _jsonl_record(ctx: _Ctx, line: bytes | str, label: str, seq: int | None) -> Item:
    """One JSONL line as an item; a line read as text (a legacy or UTF-16 file) is hashed
    as UTF-8 for ``raw_sha256``."""
    if isinstance(line, str):
        line = line.encode("utf-8", "surrogatepass")
    raw_sha = sha256_hex(line.rstrip(b"\r\n"))
    try:
        record = json.loads(line.lstrip(b"\xef\xbb\xbf"))
    except (ValueError, RecursionError) as exc:  # also over-long integers, deep nesting
        return ctx.reject(label, reasons.MALFORMED_RECORD, f"invalid JSON: {exc}", raw_sha,
                          seq=seq)
    if not isinstance(record, dict):
        return ctx.reject(label, reasons.MALFORMED_RECORD, "JSON value is not an object",
                          raw_sha, seq=seq)
    text = record.get("text")
    if not isinstance(text, str):
        return ctx.reject(label, reasons.MALFORMED_RECORD, "missing string field 'text'",
                          raw_sha, seq=seq)
    meta = {k: _as_str(record.get(k)) for k in ("id", "url", "title", "published")}
    return RawItem(ctx.source_file, label, ctx.next_seq() if seq is None else seq, raw_sha,
                   text=without_lone_surrogates(text), meta=meta)


_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(text: str) -> str:
    r"""JSON may escape half a surrogate pair (``"\ud800"``); such a string cannot be
    encoded as UTF-8 (hashing, Parquet), so each lone half becomes U+FFFD (which the
    cleaning rules then drop).

    >>> without_lone_surrogates("a\ud800b") == "a\ufffdb"
    True
    """
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _as_str(value: object) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return without_lone_surrogates(text)


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


def _iter_member_bytes(ctx: _Ctx, name: str, data: bytes) -> Iterator[Item]:
    """Dispatch a (small) archive member's bytes on its name: text, JSONL, gz."""
    fmt, gz = classify_name(name)
    if fmt is None:
        yield ctx.reject(name, reasons.UNSUPPORTED_FORMAT,
                         f"not an accepted input type: {posixpath.basename(name)}",
                         sha256_hex(data))
        return
    stream = gzip.GzipFile(fileobj=io.BytesIO(data)) if gz else io.BytesIO(data)
    if fmt == JSONL:
        budget = ctx.limits.stream_budget(len(data)) if gz else None
        yield from _iter_jsonl(ctx, stream, name, budget=budget)
    else:
        yield from _iter_stream(ctx, stream, fmt, name, gz)


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


def _iter_nested(ctx: _Ctx, name: str, fmt: str, member: _Spooled,
                 depth: int) -> Iterator[Item]:
    """The items of an archive inside an archive, numbered on after the outer ones."""
    with member.file:
        if depth >= ctx.limits.max_nesting:
            yield ctx.reject(name, reasons.UNSAFE_ARCHIVE_MEMBER,
                             f"archive nested deeper than {ctx.limits.max_nesting}",
                             member.sha256)
            return
        nested = _Ctx(ctx.source_file, ctx.file_index, ctx.limits, ctx.count)
        inner = _iter_zip if fmt == ZIP else _iter_tar
        yield from inner(nested, member.file, prefix=f"{name}!/", depth=depth + 1)
        ctx.count = nested.count


def zip_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """An archive's members in source order (sorted by name)."""
    return sorted(archive.infolist(), key=lambda i: i.filename)


def zip_member_items(info: zipfile.ZipInfo) -> int | None:
    """How many items a zip member yields when that is known from its header alone: 0
    for an empty folder entry, 1 for a text file (or a member that becomes one reject);
    None for a JSONL or archive member (any number). Member-range shards of a big zip
    (:mod:`newsetl.ranges`) need every member to be known."""
    if info.is_dir():
        return 1 if info.file_size else 0
    return None if classify_name(info.filename)[0] in (JSONL, ZIP, TAR) else 1


def _iter_zip(ctx: _Ctx, source, prefix: str = "", depth: int = 0,
              span: Span | None = None) -> Iterator[Item]:
    """The items of a zip archive; with ``span``, only members ``start``..``stop`` (by
    index in source order), numbered on from ``first_line`` items."""
    try:
        archive = zipfile.ZipFile(source)
        infos = zip_members(archive)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        if span is None or span.start == 0:
            yield ctx.reject(prefix.rstrip("!/") or None, reasons.CORRUPT_ARCHIVE,
                             f"cannot open zip: {exc}")
        return
    budget = _Budget(ctx.limits.max_archive_bytes)
    first, stop = 0, len(infos)
    if span is not None:
        first, stop = span.start, len(infos) if span.stop is None else span.stop
        ctx.count = span.first_line
        for index, info in enumerate(infos[:first]):  # what the members before took
            if (not info.is_dir() and index < ctx.limits.max_archive_members
                    and not _unsafe_zip_member(info)
                    and info.file_size <= _member_limit(ctx.limits, info.filename)):
                budget.take(info.file_size)
    with archive:
        for index in range(first, stop):
            info = infos[index]
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
            yield from _zip_member(ctx, archive, info, name, budget, depth)


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
    if classify_name(name)[0] in (ZIP, TAR, JSONL):
        return max(limits.max_article_bytes, limits.max_archive_bytes)
    return limits.max_article_bytes


def _size_reject(ctx: _Ctx, name: str, size: int, budget: _Budget) -> RejectItem | None:
    """``too_large`` for a member over its limit or over the archive's budget, else None.

    Declared sizes are enforced by the readers (zipfile stops at the header's size, tar
    at the member's), so they are safe to budget with before reading.
    """
    limit = _member_limit(ctx.limits, name)
    if size > limit:
        return ctx.reject(name, reasons.TOO_LARGE, f"member of {size} bytes")
    if not budget.take(size):
        return ctx.reject(name, reasons.TOO_LARGE,
                          f"archive over {ctx.limits.max_archive_bytes} decompressed bytes")
    return None


def _zip_member(ctx, archive, info, name, budget, depth) -> Iterator[Item]:
    rejected = _size_reject(ctx, name, info.file_size, budget)
    if rejected is not None:
        yield rejected
        return
    if classify_name(name)[0] == JSONL:
        # Stream JSONL members line by line instead of holding them in memory.
        try:
            with archive.open(info) as fh:
                gz = name.lower().endswith(".gz")
                budget = ctx.limits.stream_budget(info.file_size) if gz else None
                yield from _iter_jsonl(ctx, gzip.GzipFile(fileobj=fh) if gz else fh, name,
                                       budget=budget)
        except _ZIP_MEMBER_ERRORS as exc:
            yield ctx.reject(name, reasons.CORRUPT_ARCHIVE, f"cannot read member: {exc}")
        return
    fmt = classify_name(name)[0]
    try:
        with archive.open(info) as fh:
            if fmt in (ZIP, TAR):
                data = _spool(fh, info.file_size)
            else:
                data = _read_bounded(fh, info.file_size)
    except _ZIP_MEMBER_ERRORS as exc:
        yield ctx.reject(name, reasons.CORRUPT_ARCHIVE, f"cannot read member: {exc}")
        return
    if data is None:
        yield ctx.reject(name, reasons.TOO_LARGE, "member larger than its header says")
    elif isinstance(data, _Spooled):
        yield from _iter_nested(ctx, name, fmt, data, depth)
    else:
        yield from _iter_member_bytes(ctx, name, data)


def _iter_tar(ctx: _Ctx, source, prefix: str = "", depth: int = 0) -> Iterator[Item]:
    """Tar members in archive order (tar.gz has no cheap random access)."""
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
    budget = _Budget(ctx.limits.max_archive_bytes)
    seen = 0
    with archive:
        while True:
            try:
                info = archive.next()
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
            yield from _tar_member(ctx, archive, info, name, budget, depth)


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


def _tar_member(ctx, archive, info, name, budget, depth) -> Iterator[Item]:
    rejected = _size_reject(ctx, name, info.size, budget)
    if rejected is not None:
        yield rejected
        return
    if classify_name(name)[0] == JSONL:
        try:
            fh = archive.extractfile(info)
            if fh is not None:
                gz = name.lower().endswith(".gz")
                budget = ctx.limits.stream_budget(info.size) if gz else None
                yield from _iter_jsonl(ctx, gzip.GzipFile(fileobj=fh) if gz else fh, name,
                                       budget=budget)
        except _TAR_ERRORS as exc:
            yield ctx.reject(name, reasons.CORRUPT_ARCHIVE, f"cannot read member: {exc}")
        return
    fmt = classify_name(name)[0]
    try:
        fh = archive.extractfile(info) or io.BytesIO()
        data = _spool(fh, info.size) if fmt in (ZIP, TAR) else fh.read()
    except _TAR_ERRORS as exc:
        yield ctx.reject(name, reasons.CORRUPT_ARCHIVE, f"cannot read member: {exc}")
        return
    size = data.size if isinstance(data, _Spooled) else len(data or b"")
    if data is None or size != info.size:  # tar reads stop at the declared size
        if isinstance(data, _Spooled):
            data.file.close()
        yield ctx.reject(name, reasons.CORRUPT_ARCHIVE, "member truncated")
    elif isinstance(data, _Spooled):
        yield from _iter_nested(ctx, name, fmt, data, depth)
    else:
        yield from _iter_member_bytes(ctx, name, data)
