"""Near-duplicate clusters across days: syndicated copies and re-runs of a story.

**What a row means.** For a published day E, the ``near_duplicates`` partition
``ds=E`` is a function of the set of ``signatures`` of the published days in E's
window ``[E - window, E + window]`` and nothing else:

1. *pairs* — two articles of the window whose days are at most ``window`` apart are a
   pair when they have the same ``content_sha1`` (kind ``exact``), or when both have at
   least :data:`MIN_SHINGLES` shingles, share one LSH band (16 bands x 8 MinHash
   values, :mod:`newsetl.minhash`) and their estimated Jaccard similarity is at least
   ``threshold`` (kind ``near``);
2. *clusters* — the connected components of those pairs among the window's articles;
3. *rows* — each article of day E in a cluster of two or more gets one row: the
   cluster's canonical article is its earliest ``(ds, article_id)``, ``cluster_id`` is
   ``"<canonical_ds>/<canonical_article_id>"``, ``similarity`` the estimated Jaccard
   with the canonical article (1.0 for itself and for exact repeats), ``kind``
   ``exact`` when its ``content_sha1`` is the canonical's, else ``near``.

Because nothing depends on the order days were published in, nor on how many workers
made them (signatures are deterministic), the table is the same for a forward,
backward or shuffled backfill, and recomputing is idempotent.

**What is rewritten.** Republishing day D can only change the partitions of the days
whose window contains D, ``[D - window, D + window]``; :func:`dedup_days` rewrites
exactly those, in **one** Delta commit (a predicate overwrite of the span), reading the
signatures of ``[D - 2 window, D + 2 window]``. A day's cost therefore depends on the
window (4 x 30 + 1 days of signatures by default, ~600 bytes an article), never on the
size of the archive. A backfill of a range runs it once for the whole range.

**Why components are per window.** A story re-run every day for months would chain
into one ever-growing cluster whose canonical changes whenever an old day is
republished; limiting the graph to the window bounds both the cost and what a
republish can change. A consequence: the canonical of an article is the earliest copy
*within its window*, and an article that is canonical for a later day can itself
point to an even earlier copy in its own row. Selecting the rows with
``article_id = canonical_article_id`` plus the articles without a row never keeps two
articles of a verified pair less than ``window`` days apart.

**Boilerplate.** Bodies are already boilerplate-free; on top of that near pairs need
:data:`MIN_SHINGLES` shingles on both sides, so two stories that share only a stock
paragraph are never clustered (its shingles are a small share of either body, far
below the threshold), and short leftovers never meet by chance.

**Concurrency.** Two dedup runs writing overlapping spans each commit a complete,
correct result for the signatures they read; run them one at a time (the Airflow DAG
has ``max_active_runs=1``) so the last commit saw the latest signatures.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from newsetl import layout, minhash, schemas, storage

log = logging.getLogger(__name__)

#: Days either side of a day searched for copies.
DEFAULT_WINDOW = 30
#: Estimated Jaccard similarity of shingle sets that makes a near duplicate.
DEFAULT_THRESHOLD = 0.8
#: Fewer shingles than this (about 34 words) and a body is only matched exactly:
#: short leftovers ("Photo: AFP. Share this article.") must not meet by chance.
MIN_SHINGLES = 30
#: In an LSH bucket (members in (ds, article_id) order) each member is paired with the
#: next this-many members only: all pairs for buckets up to 65 members, linear work for
#: one story syndicated hundreds of times (copies still chain into one cluster). The rule
#: keeps results order-independent: the members between two articles of a window lie in
#: that window, so a pair is a candidate whatever else was loaded.
BUCKET_REACH = 64
#: Candidate pairs verified per numpy step (bounds the comparison matrix).
VERIFY_CHUNK = 65_536
#: Commit metadata key of a ``near_duplicates`` commit: the (re)published days it was
#: made for, ``"<first>..<last>"`` (what :func:`stale_days` looks for).
DEDUP_SPAN = "newsetl.dedup_span"
#: How many recent ``near_duplicates`` commits :func:`stale_days` reads.
HISTORY_LOOKBACK = 1000


@dataclass
class Window:
    """The signatures of a span of days, sorted by (ds, article_id): row order is the
    canonical order, so the smallest row index of a cluster is its canonical article."""

    ds: np.ndarray  # str, per row
    day: np.ndarray  # int, days since the epoch, per row
    article_id: np.ndarray  # str
    content_sha1: np.ndarray  # str
    n_shingles: np.ndarray  # int
    sig: np.ndarray  # uint32, (rows, NUM_PERM)

    def __len__(self) -> int:
        return len(self.ds)


def _ordinal(ds: str) -> int:
    return date.fromisoformat(ds).toordinal()


def _ds(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


def span(ds: str, days: int) -> tuple[str, str]:
    """The first and last day of ``[ds - days, ds + days]``.

    >>> span("2024-03-01", 30)
    ('2024-01-31', '2024-03-31')
    """
    day = date.fromisoformat(layout.day(ds).ds)
    return (day - timedelta(days=days)).isoformat(), (day + timedelta(days=days)).isoformat()


def window_from_table(table: pa.Table) -> Window:
    """A :class:`Window` from ``signatures`` rows (with ``ds``)."""
    table = table.sort_by([("ds", "ascending"), ("article_id", "ascending")])
    ds = np.asarray(table.column("ds").to_pylist(), dtype=object)
    sig = minhash.decode_column(table.column("minhash"))
    return Window(
        ds=ds,
        day=np.fromiter((_ordinal(d) for d in ds), dtype=np.int64, count=len(ds)),
        article_id=np.asarray(table.column("article_id").to_pylist(), dtype=object),
        content_sha1=np.asarray(table.column("content_sha1").to_pylist(), dtype=object),
        n_shingles=table.column("n_shingles").to_numpy(),
        sig=sig)


def load_signatures(out_root: storage.Location, first: str, last: str) -> pa.Table:
    """The ``signatures`` rows of the **published** days in ``[first, last]`` (a day
    whose publish crashed after its signatures commit has no manifest row: skipped).
    Published days without signatures (published before the table existed) are signed
    from their articles first (:func:`sign_published_day`)."""
    from newsetl.readers import open_table, published_days

    days = [d for d in published_days(out_root) if first <= d <= last]
    schema = schemas.delta_schema(layout.SIGNATURES)
    if not days:
        return schema.empty_table()
    uri = str(layout.table_uri(out_root, layout.SIGNATURES))
    table = open_table(uri)
    signed = set() if table is None else set(
        table.to_pyarrow_table(filters=[("ds", "in", days)], columns=["ds"])
        .column("ds").to_pylist())
    for ds in sorted(set(days) - signed):
        if sign_published_day(out_root, ds):
            signed.add(ds)
    table = open_table(uri)
    if table is None or not signed:
        return schema.empty_table()
    data = table.to_pyarrow_table(filters=[("ds", "in", sorted(signed))], columns=schema.names)
    return data.select(schema.names).cast(schema)


def _articles_signature_batches(out_root: storage.Location, ds: str
                                ) -> Iterator[pa.RecordBatch]:
    """The day's published articles as ``signatures`` rows, a batch at a time."""
    from newsetl.readers import snapshot

    schema = schemas.delta_schema(layout.SIGNATURES)
    snap = snapshot(out_root, [ds])
    if ds not in snap.versions:
        return
    from newsetl.readers import open_table

    articles = open_table(str(layout.table_uri(out_root, "articles")),
                          snap.versions[ds]["articles"])
    dataset = articles.to_pyarrow_dataset()
    for batch in dataset.to_batches(columns=["article_id", "content_sha1", "body"],
                                    filter=pc.field("ds") == ds, batch_size=1024):
        rows = batch.to_pylist()
        minhash.sign_rows(rows)
        yield from pa.Table.from_pylist(
            [{**r, "ds": ds} for r in rows], schema=schema).to_batches()


def sign_published_day(out_root: storage.Location, ds: str) -> bool:
    """Compute and commit the ``signatures`` of a day published before the table
    existed, from its articles (streamed, bounded memory); False when it has none."""
    from newsetl.publish import commit_day, new_publish_id

    day = layout.day(ds)
    schema = schemas.delta_schema(layout.SIGNATURES)
    first = next(_articles_signature_batches(out_root, day.ds), None)
    if first is None:
        return False
    commit_day(out_root, layout.SIGNATURES, day,
               lambda: pa.RecordBatchReader.from_batches(
                   schema, _articles_signature_batches(out_root, day.ds)),
               new_publish_id(), streamed=True)
    log.info("newsetl dedup: signed %s from its published articles", day.ds)
    return True


# --- pairs ------------------------------------------------------------------------------

def _bucket_pairs(members: np.ndarray) -> Iterator[tuple[int, int]]:
    """Pairs of one LSH bucket (``members`` sorted): each member with the next
    :data:`BUCKET_REACH` members.

    >>> list(_bucket_pairs(np.array([1, 4, 7])))
    [(1, 4), (1, 7), (4, 7)]
    """
    for k, i in enumerate(members[:-1]):
        for j in members[k + 1:k + 1 + BUCKET_REACH]:
            yield int(i), int(j)


def _groups(keys: np.ndarray) -> Iterator[np.ndarray]:
    """Row indices of each repeated key (rows of a group in ascending order)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    for start, end in zip(starts, ends, strict=True):
        if end - start > 1:
            yield np.sort(order[start:end])


def _band_keys(sig: np.ndarray, band: int) -> np.ndarray:
    """One 64-bit key per row for the band's ``ROWS`` values (a stable mix, so equal
    values give equal keys; a rare collision only adds a candidate that verification
    drops)."""
    rows = sig[:, band * minhash.ROWS:(band + 1) * minhash.ROWS].astype(np.uint64)
    key = np.zeros(len(sig), dtype=np.uint64)
    mult = np.uint64(0x100000001B3)
    with np.errstate(over="ignore"):
        for col in range(rows.shape[1]):
            key = (key ^ rows[:, col]) * mult
    return key


def candidate_pairs(win: Window, window: int) -> np.ndarray:
    """(i, j) row pairs, i < j, sharing an LSH band, both with enough shingles and at
    most ``window`` days apart; unique, sorted."""
    eligible = np.flatnonzero(win.n_shingles >= MIN_SHINGLES)
    found: set[tuple[int, int]] = set()
    for band in range(minhash.BANDS):
        keys = _band_keys(win.sig[eligible], band)
        for group in _groups(keys):
            found.update(_bucket_pairs(eligible[group]))
    return _within(win, _as_pairs(found), window)


def exact_pairs(win: Window, window: int) -> np.ndarray:
    """Pairs with the same ``content_sha1``: consecutive copies in day order (in one
    dimension, copies are connected through gaps of at most ``window`` days exactly
    when consecutive ones are)."""
    found: set[tuple[int, int]] = set()
    for group in _groups(win.content_sha1.astype(str)):
        found.update((int(a), int(b)) for a, b in zip(group[:-1], group[1:], strict=True))
    return _within(win, _as_pairs(found), window)


def _as_pairs(found: Iterable[tuple[int, int]]) -> np.ndarray:
    pairs = np.array(sorted(found), dtype=np.int64).reshape(-1, 2)
    return pairs


def _within(win: Window, pairs: np.ndarray, window: int) -> np.ndarray:
    if not len(pairs):
        return pairs
    gap = np.abs(win.day[pairs[:, 0]] - win.day[pairs[:, 1]])
    return pairs[gap <= window]


def similarities(win: Window, pairs: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of each pair (share of equal MinHash values)."""
    out = np.empty(len(pairs), dtype=np.float64)
    for start in range(0, len(pairs), VERIFY_CHUNK):
        chunk = pairs[start:start + VERIFY_CHUNK]
        out[start:start + len(chunk)] = (win.sig[chunk[:, 0]] == win.sig[chunk[:, 1]]).mean(1)
    return out


def verified_pairs(win: Window, window: int, threshold: float) -> np.ndarray:
    """The window's duplicate pairs: exact repeats plus verified LSH candidates."""
    near = candidate_pairs(win, window)
    near = near[similarities(win, near) >= threshold] if len(near) else near
    both = np.concatenate([exact_pairs(win, window), near])
    return np.unique(both, axis=0) if len(both) else both


# --- clusters ---------------------------------------------------------------------------

def _components(pairs: np.ndarray) -> dict[int, int]:
    """Row -> smallest row of its connected component (union-find, smallest root)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for a, b in pairs.tolist():
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in list(parent) + [int(v) for v in pairs.ravel()]}


def day_rows(win: Window, pairs: np.ndarray, ds: str, window: int) -> list[dict]:
    """The ``near_duplicates`` rows of day ``ds``: clusters of the pairs among the
    articles of ``[ds - window, ds + window]``."""
    lo, hi = _ordinal(ds) - window, _ordinal(ds) + window
    if not len(pairs):
        return []
    inside = ((win.day[pairs[:, 0]] >= lo) & (win.day[pairs[:, 0]] <= hi)
              & (win.day[pairs[:, 1]] >= lo) & (win.day[pairs[:, 1]] <= hi))
    root = _components(pairs[inside])
    rows = []
    for row in sorted(r for r in root if win.ds[r] == ds):
        canon = root[row]
        exact = win.content_sha1[row] == win.content_sha1[canon]
        similarity = 1.0 if exact else float((win.sig[row] == win.sig[canon]).mean())
        rows.append({"article_id": win.article_id[row],
                     "cluster_id": f"{win.ds[canon]}/{win.article_id[canon]}",
                     "canonical_ds": win.ds[canon],
                     "canonical_article_id": win.article_id[canon],
                     "similarity": similarity,
                     "kind": "exact" if exact else "near",
                     "ds": ds})
    return rows


def near_duplicate_rows(signatures: pa.Table, days: Iterable[str], window: int,
                        threshold: float) -> pa.Table:
    """The ``near_duplicates`` rows of ``days`` from ``signatures`` (which must hold
    every published day of each day's window), sorted by (ds, article_id)."""
    win = window_from_table(signatures)
    pairs = verified_pairs(win, window, threshold) if len(win) else np.empty((0, 2), int)
    rows = [r for ds in sorted(set(days)) for r in day_rows(win, pairs, ds, window)]
    return pa.Table.from_pylist(rows, schema=schemas.delta_schema(layout.NEAR_DUPLICATES))


# --- the step ---------------------------------------------------------------------------

def dedup_days(out_root: storage.Location, first: str, last: str,
               window: int = DEFAULT_WINDOW, threshold: float = DEFAULT_THRESHOLD) -> dict:
    """Recompute the ``near_duplicates`` partitions of every day whose window touches
    ``[first, last]`` (the days republished), in one commit; a summary.

    For one republished day D call it with ``first = last = D``.
    """
    from newsetl.publish import commit_day, new_publish_id

    first, last = layout.day(first).ds, layout.day(last).ds
    if window < 0 or not 0 < threshold <= 1:
        raise ValueError("window must be >= 0 and threshold in (0, 1]")
    lo, hi = span(first, window)[0], span(last, window)[1]
    read_lo, read_hi = span(lo, window)[0], span(hi, window)[1]
    signatures = load_signatures(out_root, read_lo, read_hi)
    days = sorted({d for d in signatures.column("ds").to_pylist() if lo <= d <= hi})
    rows = near_duplicate_rows(signatures, days, window, threshold)
    version = commit_day(out_root, layout.NEAR_DUPLICATES, None, lambda: rows,
                         new_publish_id(), predicate=f"ds >= '{lo}' AND ds <= '{hi}'",
                         metadata={DEDUP_SPAN: f"{first}..{last}"})
    kinds = pc.value_counts(rows.column("kind")).to_pylist() if rows.num_rows else []
    summary = {"days_rewritten": [lo, hi], "days_read": [read_lo, read_hi],
               "articles_read": signatures.num_rows, "rows": rows.num_rows,
               "by_kind": {k["values"]: k["counts"] for k in kinds},
               "version": version}
    log.info("newsetl dedup %s..%s: %s", first, last, summary)
    return summary


def stale_days(out_root: storage.Location) -> list[str]:
    """Published days whose latest publish no ``near_duplicates`` commit has covered
    since: a day is covered by a commit made for a span holding it, after the day's
    manifest ``published_at``. A catch-up for days whose asset event never got a run
    of its own (Airflow may drop events queued while a DAG is at ``max_active_runs``).
    Days published before the oldest commit read count as covered."""
    from newsetl.readers import manifest_rows, open_table

    table = open_table(str(layout.table_uri(out_root, layout.NEAR_DUPLICATES)))
    commits = [] if table is None else table.history(HISTORY_LOOKBACK)
    spans = [(h[DEDUP_SPAN].split(".."), int(h["timestamp"])) for h in commits
             if h.get(DEDUP_SPAN)]
    oldest = min((int(h["timestamp"]) for h in commits), default=None)
    stale = []
    for row in manifest_rows(out_root):
        published = _publish_time_ms(row["publish_id"], row["published_at"])
        if oldest is not None and published < oldest and len(commits) >= HISTORY_LOOKBACK:
            continue
        if not any(a <= row["ds"] <= b and at >= published for (a, b), at in spans):
            stale.append(row["ds"])
    return stale


def _publish_time_ms(publish_id: str, published_at: str) -> int:
    """When a day was published, in epoch milliseconds: from the publish id's
    microsecond timestamp (``publish.new_publish_id``), else ``published_at`` (seconds).

    >>> _publish_time_ms("v20240301T120000500000Z-abcdef", "2024-03-01T12:00:00+00:00")
    1709294400500
    >>> _publish_time_ms("v-old", "2024-03-01T12:00:00+00:00")
    1709294400000
    """
    from datetime import UTC, datetime

    try:
        when = datetime.strptime(publish_id[1:22], "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
    except ValueError:
        when = datetime.fromisoformat(published_at).astimezone(UTC)
    return int(when.timestamp() * 1000)
