"""The members of a multi-member gzip stream (a ``.warc.gz``: one member per record), one
at a time, with reading resumed after a damaged one.

warcio (like Python's ``gzip``) reads a multi-member stream as one: a damaged member (a
flipped bit, a wrong checksum) ended the file, and every member after it was lost
(or became one reject). Here each member is inflated on its own (:class:`Member`); after
a damaged one, reading goes back to just after its first byte and looks for the next
member header (``1f 8b 08``), so the intact members after it are read as usual. NUL and
white-space bytes between members (padding some writers add) are passed over; any other
bytes that are no member are a :class:`Gap`.

Bounded: one chunk of input and one of output in memory, plus at most
:data:`REPLAY_BYTES` of input kept behind the read position (an inflater may read past
a damaged member's end before it notices the damage). Linear: the stream is scanned
forward in chunks, never read whole; what members inflate and what is read again after
going back both count against the stream's decompression budget, so even a stream
crafted to fail again and again costs at most its size plus twice the budget.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from newsetl.items import MiB, OverBudget

#: The first bytes of a gzip member (magic, then the deflate method).
MAGIC = b"\x1f\x8b\x08"
#: Input read at a time.
CHUNK = 64 * 1024
#: A member's first read is this small, then grows 16-fold to :data:`CHUNK`: a false
#: header found while resynchronising fails within a few bytes, and should cost few.
FIRST_READ = 64
#: Input kept behind the read position, where the next member may start after a damaged
#: one (inflating stops at most one deflate block, 64 KB stored, past the damage).
REPLAY_BYTES = MiB
#: Bytes that may pad a stream between or after members.
PADDING = b"\0 \t\r\n"
_NOT_PADDING = re.compile(rb"[^\x00 \t\r\n]")


class Damaged(Exception):
    """A member whose deflate data, header or checksum is wrong."""


class Truncated(Damaged):
    """A member cut by the end of the stream."""


@dataclass(frozen=True)
class Inflater:
    """How to inflate one gzip member: a ``decompressobj`` factory (zlib's or ISA-L's,
    which is zlib-compatible and about twice as fast) and what it raises on bad data."""

    new: Callable[[], object]
    errors: tuple[type[BaseException], ...]


ZLIB = Inflater(lambda: zlib.decompressobj(16 + zlib.MAX_WBITS), (zlib.error,))


@functools.cache
def inflater() -> Inflater:
    """ISA-L's inflater when the ``isal`` package is installed (the same bytes, ~0.2 ms
    less per page of a crawl day), else zlib's."""
    try:
        from isal import isal_zlib
    except ImportError:
        return ZLIB
    return Inflater(lambda: isal_zlib.decompressobj(16 + isal_zlib.MAX_WBITS),
                    (isal_zlib.error, zlib.error))


@dataclass(frozen=True)
class Gap:
    """``size`` bytes from offset ``start`` of the compressed stream that are no gzip
    member (garbage between or after members, or a member whose header is damaged)."""

    start: int
    size: int


def writers_header(header: bytes) -> bool:
    """Whether 10 bytes are a gzip member header a writer makes: magic and deflate,
    reserved flag bits zero, XFL 0, 2 or 4, OS 0-13 or 255 (random bytes after the magic
    pass one time in about 12,000)."""
    return (len(header) == 10 and header[:3] == MAGIC and header[3] & 0xE0 == 0
            and header[8] in (0, 2, 4) and (header[9] <= 13 or header[9] == 255))


class _Source:
    """The compressed stream read forward in chunks. The bytes of the member being read
    stay in memory from its second byte on (at most :data:`REPLAY_BYTES` behind the read
    position), so that reading can go back there when the member turns out damaged."""

    def __init__(self, raw, budget: int) -> None:
        self._raw = raw
        self._buf = bytearray()
        self._base = 0  # stream offset of _buf[0]
        self._pos = 0  # read position in _buf
        self._keep = 0  # stream offset from which bytes are kept
        self._eof = False
        self._left = budget

    @property
    def offset(self) -> int:
        """Stream offset of the next byte read."""
        return self._base + self._pos

    def charge(self, n: int) -> None:
        """Count ``n`` bytes of work against the decompression budget."""
        self._left -= n
        if self._left < 0:
            raise OverBudget

    def keep_from(self, offset: int) -> None:
        """Keep the bytes from ``offset`` on (up to :data:`REPLAY_BYTES`) for a rewind."""
        self._keep = offset

    def _fill(self) -> bool:
        """Read one more chunk, dropping what no rewind can reach; False at the end."""
        if self._eof:
            return False
        drop = min(self._pos, max(self._keep - self._base, self._pos - REPLAY_BYTES, 0))
        if drop >= CHUNK:
            del self._buf[:drop]
            self._base += drop
            self._pos -= drop
        chunk = self._raw.read(CHUNK)
        if not chunk:
            self._eof = True
            return False
        self._buf += chunk
        return True

    def read(self, n: int) -> bytes:
        """At most ``n`` bytes; empty at the end of the stream."""
        if self._pos >= len(self._buf) and not self._fill():
            return b""
        data = bytes(self._buf[self._pos:self._pos + n])
        self._pos += len(data)
        return data

    def unread(self, n: int) -> None:
        """Give back the last ``n`` bytes read (what follows a member's end)."""
        self._pos -= n

    def rewind(self, offset: int) -> None:
        """Go back to ``offset`` (or as far back as is kept); what will be read again
        is charged to the budget."""
        target = max(offset, self._base)
        if target < self.offset:
            self.charge(self.offset - target)
            self._pos = target - self._base

    def skip_padding(self) -> bool:
        """Pass NUL and white-space bytes; False when the stream ends."""
        while True:
            found = _NOT_PADDING.search(self._buf, self._pos)
            if found is not None:
                self._pos = found.start()
                return True
            self._pos = len(self._buf)
            if not self._fill():
                return False

    def member_header_after(self, offset: int) -> bool:
        """Whether a writer's member header (:func:`writers_header`) lies in the bytes
        kept from ``offset`` on."""
        at = max(offset - self._base, 0)
        while (found := self._buf.find(MAGIC, at)) >= 0:
            if writers_header(bytes(self._buf[found:found + 10])):
                return True
            at = found + 1
        return False

    def at_magic(self) -> bool:
        """Whether a member header starts at the read position."""
        while len(self._buf) - self._pos < len(MAGIC) and self._fill():
            pass
        return self._buf[self._pos:self._pos + len(MAGIC)] == MAGIC

    def find_magic(self) -> int:
        """Pass the bytes up to the next member header (or the end); how many."""
        start = self.offset
        while True:
            found = self._buf.find(MAGIC, self._pos)
            if found >= 0:
                self._pos = found
                return self.offset - start
            self._pos = max(self._pos, len(self._buf) - len(MAGIC) + 1)  # a split header
            if not self._fill():
                self._pos = len(self._buf)
                return self.offset - start


class Member:
    """One member's inflated bytes as a stream (``read``, ``tell``: what warcio needs).
    Damage raises :class:`Damaged` (:class:`Truncated` when the stream ends inside the
    member), and again on every later read: whoever reads next learns of it too."""

    def __init__(self, source: _Source, inflate: Inflater, resynced: bool) -> None:
        self.start = source.offset
        #: Found by looking for a header after damage or a gap: it may be a false one.
        self.resynced = resynced
        self.failure: Exception | None = None
        self._source = source
        self._inflate = inflate
        self._decompressor = inflate.new()
        self._tail = b""
        self._read_size = FIRST_READ
        self._out = 0
        self._done = False
        self._header = b""  # the member's first 10 bytes (its gzip header)
        self._begins = b""  # its first inflated bytes, up to 5
        source.keep_from(self.start + 1)

    def tell(self) -> int:
        return self._out

    @property
    def looks_real(self) -> bool:
        """Whether this member is a writer's, not three bytes ``1f 8b 08`` met by chance
        inside damage: what it inflated begins with ``WARC/``, or its gzip header is one
        a writer makes (reserved flag bits zero, XFL 0, 2 or 4, OS 0-13 or 255; random
        bytes pass all three one time in about 12,000). Decided from the member's own
        bytes only: deterministic."""
        if self._begins == b"WARC/":
            return True
        return writers_header(self._header)

    @property
    def ended(self) -> bool:
        """Whether the member was read to its end, checksum included."""
        return self._done

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` inflated bytes (one chunk when unbounded); empty at its end."""
        if self.failure is not None:
            raise self.failure
        if self._done or size == 0:
            return b""
        try:
            return self._inflated(CHUNK if size is None or size < 0 else size)
        except Exception as exc:  # noqa: BLE001 - kept, and raised again on each read
            self.failure = exc
            raise

    def _inflated(self, size: int) -> bytes:
        while True:
            data = self._tail or self._next_input()
            try:
                out = self._decompressor.decompress(data, size)
            except self._inflate.errors as exc:
                raise Damaged(f"damaged gzip member at offset {self.start}: {exc}") from exc
            self._tail = self._decompressor.unconsumed_tail
            if self._decompressor.eof:
                self._source.unread(len(self._decompressor.unused_data) + len(self._tail))
                self._tail, self._done = b"", True
            if out:
                self._source.charge(len(out))
                if self._out < 5:
                    self._begins = (self._begins + out[:5])[:5]
                self._out += len(out)
                return out
            if self._done:
                return b""

    def _next_input(self) -> bytes:
        data = self._source.read(self._read_size)
        self._read_size = min(CHUNK, self._read_size * 16)
        if not data:
            if self._source.member_header_after(self.start + 1):
                raise Damaged(f"damaged gzip member at offset {self.start}: its deflate "
                              "data runs on over a later member's header")
            raise Truncated(f"the file ends inside the gzip member at offset {self.start}")
        if len(self._header) < 10:
            self._header += data[:10 - len(self._header)]
        return data

    def finish(self) -> None:
        """Read to the member's end (its reader may stop early); damage is kept in
        :attr:`failure`, a spent budget raised."""
        try:
            while self.read(CHUNK):
                pass
        except OverBudget:
            raise
        except Exception:  # noqa: BLE001, S110 - kept in self.failure
            pass


def members(raw, budget: int, inflate: Inflater | None = None) -> Iterator[Member | Gap]:
    """The members of a gzip stream, in order, and the gaps between them. After a damaged
    member (:attr:`Member.failure`), reading resumes at the next member header after its
    start; the bytes passed over are the damaged member's. Raises
    :class:`~newsetl.items.OverBudget` when inflating (and reading again) passes
    ``budget`` bytes.

    >>> import gzip, io
    >>> one, two = gzip.compress(b"one" * 9), gzip.compress(b"two")
    >>> bad = one[:-8] + bytes([one[-8] ^ 0xFF]) + one[-7:]  # a wrong checksum
    >>> def inflated(part):
    ...     try:
    ...         return part.read() if isinstance(part, Member) else part
    ...     except Damaged:
    ...         return "damaged"
    >>> stream = io.BytesIO(one + b"junk" + bad + two + b"\\0\\n")
    >>> [inflated(part) for part in members(stream, 1000)]
    [b'oneoneoneoneoneoneoneoneone', Gap(start=25, size=4), 'damaged', b'two']
    """
    source = _Source(raw, budget)
    inflate = inflate or inflater()
    resynced = False
    while source.skip_padding():
        if not source.at_magic():
            start = source.offset
            yield Gap(start, source.find_magic())
            resynced = True
            continue
        member = Member(source, inflate, resynced)
        yield member
        member.finish()
        resynced = member.failure is not None
        if resynced:
            source.rewind(member.start + 1)
            source.find_magic()
