"""Near-duplicate clusters across days: syndicated copies and re-runs of a story.

**What a row means.** For a published day E, the ``near_duplicates`` partition
``ds=E`` is a function of the set of ``signatures`` of the published days in E's
window ``[E - window, E + window]`` and nothing else:

1. *pairs* — two articles of the window whose days are at most ``window`` apart are a
   pair when they have the same ``content_sha1``, or when both have at least
   :data:`MIN_SHINGLES` shingles, share one LSH band (16 bands x 8 MinHash values,
   :mod:`newsetl.minhash`) and their estimated Jaccard similarity is at least
   ``threshold`` — a function of the two articles alone (:mod:`newsetl.nearpairs`);
2. *clusters* — the connected components of those pairs among the window's articles;
3. *rows* — each article of day E in a cluster of two or more gets one row: the
   cluster's canonical article is its earliest ``(ds, article_id)``, ``cluster_id`` is
   ``"<canonical_ds>/<canonical_article_id>"``, ``similarity`` the estimated Jaccard
   with the canonical article (1.0 for itself and for exact repeats), ``kind``
   ``exact`` when its ``content_sha1`` is the canonical's, else ``near``.

Because nothing depends on the order days were published in, nor on how many workers
made them (signatures are deterministic), the table is the same for a forward,
backward or shuffled backfill, and recomputing is idempotent.

**What is rewritten.** Republishing day D changes only the pairs with an end on D, and
so only the clusters of the days whose window contains D, ``[D - window, D + window]``.
:func:`dedup_days` (1) finds D's pairs: D's signatures in memory against the streamed
signatures of ``[D - window, D + window]`` (bounded memory: only the rows sharing a band
key or a ``content_sha1`` with D are kept), and replaces the pairs with an end on D in
the ``near_pairs`` table (one commit of those partitions of ``[D - window, D + window]``
whose rows differ — none when D's pairs and marker are the stored ones); (2) rewrites
the ``near_duplicates`` partitions of ``[D - window, D + window]`` in one commit, from
the stored pairs of ``[D - 2 window, D + 2 window]`` (read once per dedup, markers
included: :class:`nearstore.PairsCache`; pairs only, no signatures: the similarity of
a copy of a copy to a canonical article it is not paired with is the one
``near_duplicates`` already holds, or is computed from the signatures the pair step
holds or reads). A day's cost depends on its window, never on the size of the archive
(``bench/near_dups_scale.py``: one day of 16,000 articles against a 1 M-article
window, 1.7 s, 2.4 CPU seconds and 660 MB; 2.5 s, 3.4-3.5 CPU seconds and ~800 MB in
archives of 2 M and 3 M, whose stored pairs fill all of [D - 60, D + 60]).
A range is done in one go, its days' pairs a block of up to :data:`BLOCK_ARTICLES`
articles at a time. Each computed day has a marker row in ``near_pairs`` naming the
publish, window, threshold and signature version its pairs were made with: days in
the span whose marker does not match (published with ``--no-dedup``, before
``near_pairs`` existed, deduped with another window, or removed) are recomputed too,
so the stored pairs are always those of the published signatures.

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
import time
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from newsetl import deltalog, layout, nearclusters, nearpairs, nearstore, schemas, storage
from newsetl.nearpairs import MIN_SHINGLES, Side, ordinals

log = logging.getLogger(__name__)

__all__ = ["MIN_SHINGLES", "Window", "day_rows", "dedup_days", "stale_days",
           "verified_pairs", "window_from_table"]

#: Days either side of a day searched for copies.
DEFAULT_WINDOW = 30
#: Estimated Jaccard similarity of shingle sets that makes a near duplicate.
DEFAULT_THRESHOLD = 0.8
#: Articles whose signatures are held at once while computing the pairs of a range
#: (~512 bytes each); the window around them is streamed.
BLOCK_ARTICLES = 200_000
#: Commit metadata key of a ``near_duplicates`` commit: the (re)published days it was
#: made for, ``"<first>..<last>"`` (what :func:`stale_days` looks for).
DEDUP_SPAN = "newsetl.dedup_span"
#: How many recent ``near_duplicates`` commits :func:`stale_days` reads.
HISTORY_LOOKBACK = 1000

#: The signatures of a span of days, sorted by (ds, article_id): row order is the
#: canonical order, so the smallest row index of a cluster is its canonical article.
Window = Side


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


# --- in memory: a whole window of signatures (tests, benchmarks) -------------------------

def window_from_table(table: pa.Table) -> Window:
    """A :class:`Window` from ``signatures`` rows (with ``ds``)."""
    return nearpairs.side_from_arrow(
        table.sort_by([("ds", "ascending"), ("article_id", "ascending")]))


def verified_pairs(win: Window, window: int, threshold: float) -> np.ndarray:
    """The window's duplicate pairs (row i < row j), unique and sorted."""
    li, rj, _ = nearpairs.match(win, win, window, threshold)
    pairs = np.stack([li, rj], axis=1)[li < rj]
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]


def day_rows(win: Window, pairs: np.ndarray, ds: str, window: int) -> list[dict]:
    """The ``near_duplicates`` rows of day ``ds``: clusters of the pairs among the
    articles of ``[ds - window, ds + window]``."""
    nodes, canon = nearclusters.day_members(win.day, pairs, _ordinal(ds), window)
    sims = nearpairs.similarities(win.sig, win.sig, nodes, canon)
    return _rows(win.ds, win.article_id, win.content_sha1, nodes, canon, sims, ds)


def _rows(ds: np.ndarray, article_id: np.ndarray, sha1: np.ndarray, nodes: np.ndarray,
          canon: np.ndarray, sims: np.ndarray, day: str) -> list[dict]:
    rows = []
    for row, top, sim in zip(nodes.tolist(), canon.tolist(), sims.tolist(), strict=True):
        exact = sha1[row] == sha1[top]
        rows.append({"article_id": article_id[row],
                     "cluster_id": f"{ds[top]}/{article_id[top]}",
                     "canonical_ds": ds[top], "canonical_article_id": article_id[top],
                     "similarity": 1.0 if exact else float(sim),
                     "kind": "exact" if exact else "near", "ds": day})
    return rows


# --- the step ---------------------------------------------------------------------------

def _days(first: str, last: str) -> list[str]:
    lo, hi = _ordinal(first), _ordinal(last)
    return [_ds(d) for d in range(lo, hi + 1)]


def _changed_days(out_root: storage.Location, first: str, last: str, window: int,
                  made_with: str, cache: nearstore.PairsCache | None = None
                  ) -> tuple[set[str], dict[str, tuple[str, int]]]:
    """``[first, last]`` plus every day whose stored pairs are not those of its current
    publish and parameters, within two windows of the days found so far (a fixed
    point); and the
    published days (publish id, articles) within two windows of those."""
    changed = set(_days(first, last))
    while True:
        read_lo, read_hi = span(min(changed), 2 * window)[0], span(max(changed), 2 * window)[1]
        published = nearstore.published(out_root, read_lo, read_hi)
        marks = nearstore.markers(out_root, read_lo, read_hi, cache)
        stale = {d for d, (pid, _) in published.items() if marks.get(d) != (pid, made_with)}
        stale |= {d for d in marks if d not in published}
        if stale <= changed:
            return changed, published
        changed |= stale


def _blocks(days: list[str], sizes: dict[str, int]) -> list[list[str]]:
    """Consecutive days in blocks of at most :data:`BLOCK_ARTICLES` articles (a bigger
    day alone)."""
    blocks: list[list[str]] = []
    total = 0
    for ds in days:
        if not blocks or total + sizes.get(ds, 0) > BLOCK_ARTICLES:
            blocks.append([])
            total = 0
        blocks[-1].append(ds)
        total += sizes.get(ds, 0)
    return blocks


def update_pairs(out_root: storage.Location, changed: set[str], window: int,
                 threshold: float, days: dict[str, tuple[str, int]],
                 seen: dict | None = None, cache: nearstore.PairsCache | None = None,
                 keep: nearpairs.Keep | None = None) -> dict:
    """Recompute the pairs with an end on a ``changed`` day and store them (``days``:
    the published days around, with their publish id and articles); ``seen`` gets the
    signatures held for the last block (what clustering may need again: the block's,
    its candidates' and those ``keep`` names), ``cache`` the stored pairs (read
    once)."""
    published = {d: pid for d, (pid, _) in days.items()}
    sizes = {d: n for d, (_, n) in days.items()}
    todo = sorted(d for d in changed if d in published)
    lo, hi = span(min(changed), window)[0], span(max(changed), window)[1]
    nearstore.ensure_signed(out_root, [d for d in published if lo <= d <= hi])
    rows: list[pa.Table] = []
    read = 0
    for block in _blocks(todo, sizes):
        left = nearstore.load_side(out_root, block)
        around = [d for d in published
                  if span(block[0], window)[0] <= d <= span(block[-1], window)[1]]
        if seen is not None:
            seen.clear()  # one block's worth at most: bounded memory for a backfill
        found, n = nearpairs.block_pairs(
            left, nearstore.signature_batches(out_root, around), window, threshold, seen,
            keep)
        rows.append(found)
        read += n
    version = nearstore.write_pairs(out_root, lo, hi, changed, rows, published,
                                    nearstore.params(window, threshold), cache)
    return {"signatures_read": read, "pairs_found": sum(t.num_rows for t in rows) // 2,
            "version": version}


def cluster_rows(out_root: storage.Location, days: list[str], window: int,
                 changed: set[str] = frozenset(),  # type: ignore[assignment]
                 seen: dict | None = None, cache: nearstore.PairsCache | None = None,
                 stored: pa.Table | None = None) -> pa.Table:
    """The ``near_duplicates`` rows of ``days`` from the stored pairs (columnar: the
    pairs of 4 x 30 + 1 days hold hundreds of thousands of rows at 1 M articles a
    window); ``changed``: the days whose pairs were just recomputed, ``seen``:
    signatures already in memory by ``(ds, article_id)``; ``cache``: the stored pairs
    and ``stored``: the stored ``near`` rows (:func:`nearstore.stored_near_rows` of a
    span holding ``days``), when already read."""
    schema = schemas.delta_schema(layout.NEAR_DUPLICATES)
    read_lo, read_hi = span(days[0], window)[0], span(days[-1], window)[1]
    graph = _Graph(nearstore.read_pairs(out_root, read_lo, read_hi) if cache is None
                   else cache.between(read_lo, read_hi))
    parts = nearclusters.days_members(graph.day, graph.edges, [_ordinal(d) for d in days],
                                      window)
    nodes = np.concatenate([np.empty(0, np.int64)] + [p[0] for p in parts])
    canon = np.concatenate([np.empty(0, np.int64)] + [p[1] for p in parts])
    on = np.repeat(np.arange(len(days)), [len(p[0]) for p in parts])
    exact = graph.same_content(nodes, canon)
    sims = np.where(exact, 1.0, graph.similarity(canon, nodes))
    missing = np.flatnonzero(np.isnan(sims))
    if len(missing):  # a copy of a copy, not paired with the canonical article itself
        sims[missing] = graph.previous_similarity(out_root, days, nodes[missing],
                                                  canon[missing], changed, stored)
        missing = missing[np.isnan(sims[missing])]
    if len(missing):
        sims[missing] = graph.fetched_similarity(out_root, nodes[missing], canon[missing],
                                                 seen or {})
    canonical_ds, canonical_id = graph.ds.take(canon), graph.article_id.take(canon)
    table = pa.table({
        "article_id": graph.article_id.take(nodes),
        "cluster_id": pc.binary_join_element_wise(canonical_ds, canonical_id, "/"),
        "canonical_ds": canonical_ds, "canonical_article_id": canonical_id,
        "similarity": pa.array(sims, pa.float32()),
        "kind": pa.array(np.where(exact, "exact", "near")),
        "ds": pa.array(np.asarray(days, dtype=object)[on], pa.string())})
    return table.cast(schema)


def _ranked(pairs: pa.Table, column: str, other: str
            ) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """The distinct values of two string columns of ``pairs`` (``column`` then
    ``other``, concatenated), each row's rank among them in sorted order, and the
    order that sorts the distinct values: ``(distinct, ranks, order)``."""
    both = pa.chunked_array([*pairs.column(column).chunks, *pairs.column(other).chunks],
                            pa.string()).combine_chunks()
    encoded = pc.dictionary_encode(both)
    order = pc.sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return encoded.dictionary, rank[encoded.indices.to_numpy(zero_copy_only=False)], order


class _Graph:
    """Stored pairs as a graph over integer nodes numbered in (ds, article_id) order."""

    def __init__(self, pairs: pa.Table) -> None:
        # Days and article ids are ranked apart (a few distinct days; ids hashed once,
        # not joined to their day first: half the bytes), a node is a (day rank, id
        # rank) number and the distinct numbers, sorted, are the nodes in order.
        days, day_codes, day_order = _ranked(pairs, "ds", "other_ds")
        ids, id_codes, id_order = _ranked(pairs, "article_id", "other_article_id")
        width = np.int64(max(len(id_order), 1))
        nodes, codes = np.unique(day_codes * width + id_codes, return_inverse=True)
        a, b = codes[:pairs.num_rows], codes[pairs.num_rows:]
        forward = a < b
        self.edges = np.stack([a[forward], b[forward]], axis=1).astype(np.int64)
        self.ds = days.take(pa.array(day_order[nodes // width]))
        self.article_id = ids.take(pa.array(id_order[nodes % width]))
        day_ordinals = (ordinals(days.to_numpy(zero_copy_only=False).astype(str))
                        if len(days) else np.empty(0, np.int64))
        self.day = day_ordinals[day_order[nodes // width]]
        row = np.zeros(len(nodes), dtype=np.int64)  # a row of each node's own side
        row[a] = np.arange(len(a))
        self.row_sha1 = pairs.column("content_sha1").combine_chunks()
        self.row = row
        self.n = np.int64(max(len(nodes), 1))
        keys = self.edges[:, 0] * self.n + self.edges[:, 1]
        order = np.argsort(keys)
        self.keys = keys[order]
        self.sims = pairs.column("similarity").to_numpy()[forward][order]

    def names(self, nodes: np.ndarray) -> pa.Array:
        """``"<ds>/<article_id>"`` of each node."""
        return pc.binary_join_element_wise(self.ds.take(pa.array(nodes)),
                                           self.article_id.take(pa.array(nodes)), "/")

    def same_content(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Per (a, b): the same ``content_sha1``?"""
        if not len(a):
            return np.zeros(0, dtype=bool)
        sha1 = self.row_sha1
        return pc.equal(sha1.take(pa.array(self.row[a])), sha1.take(pa.array(self.row[b]))
                        ).to_numpy(zero_copy_only=False)

    def similarity(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Per (a, b), a <= b: the stored similarity (1.0 for a == b), else NaN."""
        out = np.where(a == b, 1.0, np.nan)
        if len(self.keys) and len(a):
            want = a * self.n + b
            pos = np.minimum(np.searchsorted(self.keys, want), len(self.keys) - 1)
            hit = self.keys[pos] == want
            out[hit] = self.sims[pos[hit]]
        return out

    def previous_similarity(self, out_root: storage.Location, days: list[str],
                            a: np.ndarray, b: np.ndarray, changed: set[str],
                            stored: pa.Table | None = None) -> np.ndarray:
        """Similarity of node a to its canonical node b as ``near_duplicates`` already
        holds it (NaN where it does not). A similarity is a function of the two
        signatures, and a row still there was written after the last publish of both
        days (republishing either rewrites it), so when neither day's pairs were just
        recomputed (which is also how a change of signature version shows) the stored
        value is the one a fetch would compute — without reading signatures."""
        out = np.full(len(a), np.nan)
        recomputed = pa.array(sorted(changed), pa.string())
        keep = ~(pc.is_in(self.ds.take(a), value_set=recomputed).to_numpy(zero_copy_only=False)
                 | pc.is_in(self.ds.take(b), value_set=recomputed).to_numpy(zero_copy_only=False))
        if not keep.any():
            return out
        old = nearstore.previous_similarities(out_root, days[0], days[-1], stored)
        want = pc.binary_join_element_wise(self.names(a[keep]), self.names(b[keep]), "|")
        pos = pc.fill_null(pc.index_in(want, value_set=old.column("key")), -1).to_numpy()
        values = np.full(len(pos), np.nan)
        values[pos >= 0] = old.column("similarity").to_numpy()[pos[pos >= 0]]
        out[keep] = values
        return out

    def fetched_similarity(self, out_root: storage.Location, a: np.ndarray, b: np.ndarray,
                           seen: dict) -> np.ndarray:
        """Similarity of node pairs that were not paired directly, from their
        signatures (``seen``, else read for these articles only)."""
        nodes = np.unique(np.concatenate([a, b]))  # only these names become Python str
        names = dict(zip(nodes.tolist(), zip(self.ds.take(nodes).to_pylist(),
                                             self.article_id.take(nodes).to_pylist(),
                                             strict=True), strict=True))
        wanted: dict[str, set[str]] = {}
        sigs = {}
        for name in names.values():
            if name in seen:
                sigs[name] = seen[name]
            else:
                wanted.setdefault(name[0], set()).add(name[1])
        if wanted:
            sigs.update(nearstore.fetch_signatures(out_root, wanted))
        return np.array([np.mean(sigs[names[x]] == sigs[names[y]])
                         for x, y in zip(a.tolist(), b.tolist(), strict=True)])


def _likely_needed(stored: pa.Table, changed: set[str]) -> nearpairs.Keep:
    """The articles whose signatures clustering will likely read: the other end of
    each stored ``near`` row with an end on a ``changed`` day (a copy of a copy and its
    canonical article, not paired: the stored similarity is not reused across a
    recomputed day). Kept as the pair step streams past them, they need no second
    read of their days when the day's clusters did not change."""
    on = pa.array(sorted(changed), pa.string())
    mine = stored.filter(pc.is_in(stored.column("ds"), value_set=on))
    theirs = stored.filter(pc.is_in(stored.column("canonical_ds"), value_set=on))
    names = set(zip(mine.column("canonical_ds").to_pylist(),
                    mine.column("canonical_article_id").to_pylist(), strict=True))
    names |= set(zip(theirs.column("ds").to_pylist(), theirs.column("article_id").to_pylist(),
                     strict=True))
    return nearpairs.Keep(names)


def dedup_days(out_root: storage.Location, first: str, last: str,
               window: int = DEFAULT_WINDOW, threshold: float = DEFAULT_THRESHOLD) -> dict:
    """Recompute the pairs of ``[first, last]`` (the days republished) and the
    ``near_duplicates`` partitions of every day whose window touches them, one commit
    each; a summary. For one republished day D call it with ``first = last = D``."""
    first, last = layout.day(first).ds, layout.day(last).ds
    if window < 0 or not 0 < threshold <= 1 or last < first:
        raise ValueError("window must be >= 0, threshold in (0, 1] and first <= last")
    with nearstore.one_snapshot():  # each table's log read once
        return _dedup(out_root, first, last, window, threshold)


def _dedup(out_root: storage.Location, first: str, last: str, window: int,
           threshold: float) -> dict:
    from newsetl.publish import commit_day, new_publish_id

    clock = [(time.perf_counter(), time.process_time())]
    cache = nearstore.PairsCache(out_root)  # near_pairs of the span, read once
    changed, published = _changed_days(out_root, first, last, window,
                                       nearstore.params(window, threshold), cache)
    clock.append((time.perf_counter(), time.process_time()))
    lo, hi = span(min(changed), window)[0], span(max(changed), window)[1]
    stored = nearstore.stored_near_rows(out_root, lo, hi)
    seen: dict = {}
    pairs = update_pairs(out_root, changed, window, threshold, published, seen, cache,
                         _likely_needed(stored, changed))
    clock.append((time.perf_counter(), time.process_time()))
    days = sorted(d for d in published if lo <= d <= hi)
    empty = schemas.delta_schema(layout.NEAR_DUPLICATES).empty_table()
    rows = (cluster_rows(out_root, days, window, changed, seen, cache, stored) if days
            else empty)
    clock.append((time.perf_counter(), time.process_time()))
    version = commit_day(out_root, layout.NEAR_DUPLICATES, None, lambda: rows,
                         new_publish_id(), predicate=f"ds >= '{lo}' AND ds <= '{hi}'",
                         metadata={DEDUP_SPAN: f"{first}..{last}"})
    clock.append((time.perf_counter(), time.process_time()))
    kinds = pc.value_counts(rows.column("kind")).to_pylist() if rows.num_rows else []
    summary = {"days_rewritten": [lo, hi], "days_recomputed": sorted(changed),
               "articles_read": pairs["signatures_read"], "pairs": pairs["pairs_found"],
               "rows": rows.num_rows, "by_kind": {k["values"]: k["counts"] for k in kinds},
               "version": version,
               # wall and CPU (all threads) seconds of each phase
               "seconds": dict(zip(("changed_days", "pairs", "clusters", "commit"),
                                   np.round(np.diff(clock, axis=0), 2).tolist(), strict=True))}
    log.info("newsetl dedup %s..%s: %s", first, last,
             {k: v for k, v in summary.items() if k != "days_recomputed"})
    return summary


def stale_days(out_root: storage.Location) -> list[str]:
    """Published days whose latest publish no ``near_duplicates`` commit has covered
    since: a day is covered by a commit made for a span holding it, after the day's
    manifest ``published_at``. A catch-up for days whose asset event never got a run
    of its own (Airflow may drop events queued while a DAG is at ``max_active_runs``).
    Days published before the oldest commit read count as covered."""
    from newsetl.readers import manifest_rows

    commits = list(deltalog.commits(str(layout.table_uri(out_root, layout.NEAR_DUPLICATES)),
                                    limit=HISTORY_LOOKBACK))
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
