"""Verified duplicate pairs: found between the days being (re)computed and their window,
kept in the ``near_pairs`` table so that clustering never re-reads a window's signatures.

**A pair is a function of its two articles only.** Articles x and y, at most ``window``
days apart, are a pair when they have the same ``content_sha1`` (similarity 1.0), or
when both have at least ``MIN_SHINGLES`` shingles, share one of the 16 LSH band keys
and their estimated Jaccard similarity is at least the threshold. Nothing else that is
loaded matters (no bucket is truncated, no representative picked), so the pairs of a
day computed today stay right when any *other* day is republished later: republishing
day D changes exactly the pairs with an end on D. That is what makes the store
incremental and the result independent of publishing order.

**Finding a day's pairs without loading its window.** The day's (or a block of days')
signatures are held in memory with their band keys; the window's signatures are
streamed from the ``signatures`` table a record batch at a time, their band keys
computed and compared with the block's, and only the rows that share a key or a
``content_sha1`` with the block are kept. Peak memory is the block plus one batch plus
those candidates — not the window's 512 bytes an article (a 1 M-article window alone
was ~0.5 GB of signatures, ~1.1 GB peak with the old all-in-memory search).

**The cost**: a body repeated k times within the window gives k(k - 1)/2 pairs (each
stored twice): 1,000 identical copies within ±30 days would give ~1 M rows. A flood of
near-identical stories (templated reports) costs O(k^2) comparisons; its candidates are
verified in chunks (:data:`MAX_CANDIDATES`), so memory stays bounded (6,000 templated
articles on two days: 0.6 GB instead of 1.4 GB; the truncated buckets before this store
took 0.45 GB and 5 s, against 20 s now, and missed 46 % of the near-duplicate rows).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from newsetl import minhash

#: Fewer shingles than this (about 34 words) and a body is only matched exactly:
#: short leftovers ("Photo: AFP. Share this article.") must not meet by chance.
MIN_SHINGLES = 30
#: Candidate pairs verified per numpy step (bounds the comparison matrix).
VERIFY_CHUNK = 65_536
#: Rows of the ``signatures`` table decoded at a time while streaming a window.
SCAN_BATCH = 32_768
#: Threads testing streamed batches against the block (the issue's 2 cores).
SCAN_THREADS = 2
#: Bits of the slots of the in-cache prefilter of :class:`KeyIndex` (:func:`filter_slots`).
FILTER_BITS = 20
_FILTER_SHIFT = np.uint64(64 - FILTER_BITS)
_SLOT_MULT = np.uint64(0x9E3779B97F4A7C15)
_BAND_MULT = np.uint64(0x100000001B3)


@dataclass
class Side:
    """Signatures of a set of articles (the block being computed, or the candidates of
    its window), one array per column."""

    ds: np.ndarray  # str, per row
    day: np.ndarray  # int, days since the epoch (proleptic ordinal)
    article_id: np.ndarray  # str
    content_sha1: np.ndarray  # str
    n_shingles: np.ndarray  # int
    sig: np.ndarray  # uint32, (rows, NUM_PERM)

    def __len__(self) -> int:
        return len(self.ds)

    def take(self, rows: np.ndarray) -> Side:
        return Side(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})

    @classmethod
    def concat(cls, parts: list[Side]) -> Side:
        return cls(**{f.name: np.concatenate([getattr(p, f.name) for p in parts])
                      for f in fields(cls)})


def ordinals(ds: np.ndarray | list[str]) -> np.ndarray:
    """Days as integers (``date.toordinal``), vectorised.

    >>> ordinals(["2024-03-01", "1970-01-01"]).tolist()
    [738946, 719163]
    """
    days = np.asarray(ds, dtype="datetime64[D]").astype(np.int64)
    return days + 719_163


def side_from_arrow(table: pa.Table | pa.RecordBatch) -> Side:
    """A :class:`Side` from ``signatures`` rows (with ``ds``), in the given row order."""
    ds = np.asarray(table.column("ds").to_pylist(), dtype=object)
    return Side(ds=ds, day=ordinals(ds.astype(str)) if len(ds) else np.empty(0, np.int64),
                article_id=np.asarray(table.column("article_id").to_pylist(), dtype=object),
                content_sha1=np.asarray(table.column("content_sha1").to_pylist(),
                                        dtype=object),
                n_shingles=np.asarray(table.column("n_shingles").to_numpy(), dtype=np.int64),
                sig=minhash.decode_column(table.column("minhash")))


def band_keys(sig: np.ndarray) -> np.ndarray:
    """One 64-bit key per band and row for the band's ``ROWS`` values: ``(BANDS, rows)``,
    a band's keys contiguous (what the lookups scan). The values are read as pairs of
    uint32 (a free view) and mixed, so equal bands give equal keys; a rare collision
    only adds a candidate that verification drops. Keys are never stored.
    """
    wide = np.ascontiguousarray(sig, dtype="<u4").view("<u8").reshape(
        len(sig), minhash.BANDS, minhash.ROWS // 2)
    with np.errstate(over="ignore"):
        key = wide[:, :, 0] * _BAND_MULT
        for col in range(1, minhash.ROWS // 2):
            key = (key ^ wide[:, :, col]) * _BAND_MULT
        key ^= key >> np.uint64(29)
    return np.ascontiguousarray(key.T)


def _eligible(side: Side) -> np.ndarray:
    return side.n_shingles >= MIN_SHINGLES


class _Join:
    """Equal-key joins of many left rows against one sorted right key array: the ranges
    are found for all rows at once, the pairs expanded for a chunk of rows at a time."""

    def __init__(self, left: np.ndarray, right: np.ndarray,
                 left_rows: np.ndarray, right_rows: np.ndarray) -> None:
        self.order = right_rows[np.argsort(right, kind="stable")]
        ordered = np.sort(right, kind="stable")
        self.lo = np.searchsorted(ordered, left, side="left")
        self.counts = np.searchsorted(ordered, left, side="right") - self.lo
        self.left_rows = left_rows

    def pairs(self, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
        """(left row, right row) of every equal key, for the left entries whose row
        number is in ``[first, last)``."""
        lo_i = np.searchsorted(self.left_rows, first)
        hi_i = np.searchsorted(self.left_rows, last)
        counts = self.counts[lo_i:hi_i]
        li = np.repeat(self.left_rows[lo_i:hi_i], counts)
        starts = np.repeat(self.lo[lo_i:hi_i] - (np.cumsum(counts) - counts), counts)
        return li, self.order[starts + np.arange(len(li))]


def _codes(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Strings as integer codes shared by both arrays."""
    _, inverse = np.unique(np.concatenate([left, right]).astype(str), return_inverse=True)
    return inverse[:len(left)], inverse[len(left):]


#: Candidate pairs (before de-duplication) held at a time: a flood of near-identical
#: articles (templated stories, hundreds a day) puts thousands in the same LSH buckets,
#: and all their candidates at once took 1.4 GB for 6,000 articles; in chunks of left
#: rows whose candidates stay under this, memory is bounded (the time is not: such a
#: flood costs O(k^2) comparisons, k the flood's size).
MAX_CANDIDATES = 4_000_000


def match(left: Side, right: Side, window: int, threshold: float,
          left_keys: np.ndarray | None = None, right_keys: np.ndarray | None = None
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs (left row, right row, similarity) of two sets of signatures, each once
    (a row is never paired with itself: same ``ds`` and ``article_id``)."""
    if not len(left) or not len(right):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0, dtype=np.float32)
    left_keys = band_keys(left.sig) if left_keys is None else left_keys
    right_keys = band_keys(right.sig) if right_keys is None else right_keys
    ok_left, ok_right = np.flatnonzero(_eligible(left)), np.flatnonzero(_eligible(right))
    joins = [_Join(left_keys[band, ok_left], right_keys[band, ok_right], ok_left, ok_right)
             for band in range(minhash.BANDS)]
    code_l, code_r = _codes(left.content_sha1, right.content_sha1)
    joins.append(_Join(code_l, code_r, np.arange(len(left)), np.arange(len(right))))
    per_row = np.zeros(len(left), dtype=np.int64)
    for join in joins:
        np.add.at(per_row, join.left_rows, join.counts)
    found = ([], [], [])
    for first, last in _chunks(per_row, MAX_CANDIDATES):
        li, rj, sims = _verify(left, right, [j.pairs(first, last) for j in joins], window,
                               threshold)
        for part, values in zip(found, (li, rj, sims), strict=True):
            part.append(values)
    return tuple(np.concatenate(part) for part in found)


def _chunks(per_row: np.ndarray, limit: int) -> list[tuple[int, int]]:
    """Consecutive row ranges, each with at most ``limit`` candidates (or one row)."""
    bounds, first, total = [], 0, 0
    for row, count in enumerate(per_row.tolist()):
        if total and total + count > limit:
            bounds.append((first, row))
            first, total = row, 0
        total += count
    bounds.append((first, len(per_row)))
    return bounds


def _verify(left: Side, right: Side, found: list[tuple[np.ndarray, np.ndarray]],
            window: int, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidates' verified pairs: within the window, not an article with itself,
    each once, exact (same ``content_sha1``) or similar enough."""
    li = np.concatenate([f[0] for f in found])
    rj = np.concatenate([f[1] for f in found])
    keep = ((np.abs(left.day[li] - right.day[rj]) <= window)
            & ((left.day[li] != right.day[rj]) | (left.article_id[li] != right.article_id[rj])))
    flat = np.unique(li[keep] * np.int64(len(right)) + rj[keep])
    li, rj = flat // len(right), flat % len(right)
    sims = similarities(left.sig, right.sig, li, rj)
    exact = left.content_sha1[li] == right.content_sha1[rj]
    keep = exact | (sims >= threshold)
    sims[exact] = 1.0
    return li[keep], rj[keep], sims[keep]


def similarities(left: np.ndarray, right: np.ndarray, li: np.ndarray, rj: np.ndarray
                 ) -> np.ndarray:
    """Estimated Jaccard similarity (share of equal MinHash values) of each row pair."""
    out = np.empty(len(li), dtype=np.float32)
    for start in range(0, len(li), VERIFY_CHUNK):
        a, b = li[start:start + VERIFY_CHUNK], rj[start:start + VERIFY_CHUNK]
        out[start:start + len(a)] = (left[a] == right[b]).mean(1)
    return out


def filter_slots(sig: np.ndarray) -> np.ndarray:
    """Per band and row, a :data:`FILTER_BITS`-bit slot of the prefilter of
    :class:`KeyIndex`: the top bits of the band's first two values (read as one
    uint64) times an odd constant (Fibonacci hashing) — ``(BANDS, rows)``. Equal bands
    give equal slots; unlike :func:`band_keys` it reads a quarter of each band.

    >>> sig = np.arange(2 * 128, dtype=np.uint32).reshape(2, 128)
    >>> slots = filter_slots(sig)
    >>> slots.shape, bool((slots < 2 ** FILTER_BITS).all())
    ((16, 2), True)
    """
    words = np.ascontiguousarray(sig, dtype="<u4").view("<u8")[:, ::minhash.ROWS // 2]
    with np.errstate(over="ignore"):
        slots = (words * _SLOT_MULT) >> _FILTER_SHIFT
    return np.ascontiguousarray(slots.T, dtype=np.uint32)


class KeyIndex:
    """The block's band keys and content hashes, to test streamed rows against.

    A window of 1 M articles means 16 M band lookups: each band first answers from a
    128 KB bitset of the block's :func:`filter_slots` (in the CPU cache, ~1.5 ns a
    lookup against ~12 for a byte table; ~1.6 % false hits a band for a 16,000-article
    day), and only the rows with a hit get their :func:`band_keys` computed and looked
    up exactly (binary search in the block's sorted keys of that band): the keys of the
    other ~75 % of a window are never computed."""

    def __init__(self, block: Side, keys: np.ndarray) -> None:
        ok = _eligible(block)
        self.bands = [np.unique(keys[band, ok]) for band in range(minhash.BANDS)]
        filters = np.zeros((minhash.BANDS, 1 << FILTER_BITS), dtype=bool)
        for band, slots in enumerate(filter_slots(block.sig[ok])):
            filters[band, slots] = True
        self.bits = np.packbits(filters, axis=1, bitorder="little")
        self.sha1 = pa.array(np.unique(block.content_sha1.astype(str)), pa.string())

    def hits(self, batch: pa.RecordBatch, sig: np.ndarray, eligible: np.ndarray
             ) -> np.ndarray:
        """Rows of ``batch`` (signatures ``sig``) that share a band key or a
        ``content_sha1`` with the block."""
        slots = filter_slots(sig)
        maybe = np.zeros((minhash.BANDS, batch.num_rows), dtype=np.uint8)
        for band, known in enumerate(self.bands):
            if len(known):
                byte = np.take(self.bits[band], slots[band] >> 3, mode="clip")
                maybe[band] = (byte >> (slots[band] & 7).astype(np.uint8)) & 1
        maybe = maybe.view(bool)
        rows = np.flatnonzero(maybe.any(axis=0) & eligible)
        hit = np.zeros(batch.num_rows, dtype=bool)
        if len(rows):
            keys = band_keys(sig[rows])
            for band, known in enumerate(self.bands):
                test = np.flatnonzero(maybe[band, rows])
                pos = np.minimum(np.searchsorted(known, keys[band, test]), len(known) - 1)
                hit[rows[test[known[pos] == keys[band, test]]]] = True
        # Same content_sha1 means the same body, so the same signature: eligible rows
        # already matched every band. Only short bodies need the hash lookup.
        short = np.flatnonzero(~eligible)
        if len(short):
            sha1 = batch.column("content_sha1").take(pa.array(short))
            hit[short] = pc.is_in(sha1, value_set=self.sha1).to_numpy(zero_copy_only=False)
        return hit


def scan(batches: Iterable[pa.RecordBatch], index: KeyIndex, keep: Keep | None = None,
         kept: dict | None = None) -> tuple[Side, np.ndarray, int]:
    """The rows of streamed ``signatures`` batches that may pair with the block (their
    :class:`Side`, band keys) and how many rows were read; ``kept`` gets the
    signatures of the rows ``keep`` names, by ``(ds, article_id)``. Batches are tested
    on :data:`SCAN_THREADS` threads (numpy releases the GIL), at most two batches
    ahead per thread, so memory stays bounded."""
    from concurrent.futures import ThreadPoolExecutor

    parts, keys_kept, read = [], [], 0
    kept = {} if kept is None else kept
    with ThreadPoolExecutor(SCAN_THREADS) as pool:
        pending = []
        for batch in batches:
            read += batch.num_rows
            pending.append(pool.submit(_scan_batch, batch, index, keep))
            if len(pending) > 2 * SCAN_THREADS:
                _collect(pending.pop(0).result(), parts, keys_kept, kept)
        for future in pending:
            _collect(future.result(), parts, keys_kept, kept)
    if not parts:
        return empty_side(), np.empty((minhash.BANDS, 0), np.uint64), read
    return Side.concat(parts), np.concatenate(keys_kept, axis=1), read


@dataclass
class Keep:
    """Articles whose signatures a scan keeps as it streams past them (a clustering
    will likely need them: no second read of their days)."""

    names: set[tuple[str, str]]  # (ds, article_id)

    def __post_init__(self) -> None:
        self.ids = pa.array(sorted({aid for _, aid in self.names}), pa.string())

    def rows(self, batch: pa.RecordBatch, sig: np.ndarray) -> dict:
        """The kept rows of ``batch``: ``{(ds, article_id): signature}``."""
        if not self.names or not batch.num_rows:
            return {}
        maybe = np.flatnonzero(pc.is_in(batch.column("article_id"), value_set=self.ids)
                               .to_numpy(zero_copy_only=False))
        found = {}
        if len(maybe):
            taken = batch.take(pa.array(maybe))
            for row, ds, aid in zip(maybe.tolist(), taken.column("ds").to_pylist(),
                                    taken.column("article_id").to_pylist(), strict=True):
                if (ds, aid) in self.names:
                    found[(ds, aid)] = sig[row].copy()  # not a view: frees the batch
        return found


def _scan_batch(batch: pa.RecordBatch, index: KeyIndex, keep: Keep | None = None
                ) -> tuple[Side | None, np.ndarray | None, dict]:
    if not batch.num_rows:
        return None, None, {}
    sig = minhash.decode_column(batch.column("minhash"))
    kept = keep.rows(batch, sig) if keep is not None else {}
    eligible = batch.column("n_shingles").to_numpy() >= MIN_SHINGLES
    rows = np.flatnonzero(index.hits(batch, sig, eligible))
    if not len(rows):
        return None, None, kept
    return side_from_arrow(batch.take(pa.array(rows))), band_keys(sig[rows]), kept


def _collect(found: tuple[Side | None, np.ndarray | None, dict], parts: list,
             keys_kept: list, kept: dict) -> None:
    side, keys, rows = found
    if side is not None:
        parts.append(side)
        keys_kept.append(keys)
    kept.update(rows)


def empty_side() -> Side:
    empty = np.empty(0, dtype=object)
    return Side(ds=empty, day=np.empty(0, np.int64), article_id=empty, content_sha1=empty,
                n_shingles=np.empty(0, np.int64),
                sig=np.empty((0, minhash.NUM_PERM), np.uint32))


def block_pairs(block: Side, batches: Iterable[pa.RecordBatch], window: int,
                threshold: float, seen: dict | None = None, keep: Keep | None = None
                ) -> tuple[pa.Table, int]:
    """The pairs of a block of days with the streamed signatures of its window (which
    include the block's own days), as ``near_pairs`` columns in both directions
    (without ``publish_id``), and the rows read. ``seen`` collects the signatures held
    (the block's, the window's candidates and the rows ``keep`` names) by
    ``(ds, article_id)``."""
    keys = band_keys(block.sig)
    right, right_keys, read = scan(batches, KeyIndex(block, keys), keep, seen)
    if seen is not None:
        for side in (block, right):
            names = zip(side.ds.tolist(), side.article_id.tolist(), strict=True)
            seen.update(zip(names, side.sig, strict=True))
    li, rj, sims = match(block, right, window, threshold, keys, right_keys)
    a = (block.ds[li], block.article_id[li], block.content_sha1[li])
    b = (right.ds[rj], right.article_id[rj], right.content_sha1[rj])
    both = [np.concatenate([x, y]) for x, y in zip(a, b, strict=True)]
    other = [np.concatenate([y, x]) for x, y in zip(a[:2], b[:2], strict=True)]
    return pa.table({"ds": pa.array(both[0], pa.string()),
                     "article_id": pa.array(both[1], pa.string()),
                     "content_sha1": pa.array(both[2], pa.string()),
                     "other_ds": pa.array(other[0], pa.string()),
                     "other_article_id": pa.array(other[1], pa.string()),
                     "similarity": pa.array(np.concatenate([sims, sims]), pa.float32())}), read
