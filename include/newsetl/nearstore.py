"""Reading and writing for :mod:`newsetl.neardup`: streamed ``signatures``, the
``near_pairs`` table and its per-day markers.

Everything here reads a bounded span of days (partition filters on ``ds``), a record
batch at a time where the data is big (signatures: 512 bytes an article), so a day's
cost never depends on how many days the archive holds.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import unquote

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pds
import pyarrow.fs as pafs

from newsetl import layout, minhash, nearpairs, schemas, storage

log = logging.getLogger(__name__)

SIGNATURE_COLUMNS = ["ds", "article_id", "content_sha1", "n_shingles", "minhash"]


#: The Delta tables opened within :func:`one_snapshot`, by URI (None: no table).
_OPENED: ContextVar[dict | None] = ContextVar("newsetl_nearstore_opened", default=None)


@contextmanager
def one_snapshot() -> Iterator[None]:
    """Within it, each table is opened once (a dedup opened them 11 times, each open
    reading the table's log: ~0.3 s) and every read sees that version; the commits of
    this module reopen the table they changed (:func:`_forget`)."""
    token = _OPENED.set({})
    try:
        yield
    finally:
        _OPENED.reset(token)


def _table(out_root: storage.Location, name: str):
    from newsetl.readers import open_table

    uri = str(layout.table_uri(out_root, name))
    opened = _OPENED.get()
    if opened is None:
        return open_table(uri)
    if uri not in opened:
        opened[uri] = open_table(uri)
    return opened[uri]


def _forget(out_root: storage.Location, name: str) -> None:
    """``name`` was committed to: open it again when next read."""
    opened = _OPENED.get()
    if opened is not None:
        opened.pop(str(layout.table_uri(out_root, name)), None)


def _dataset(table, pruning: list[tuple]) -> pds.Dataset:
    """The Arrow dataset of the files of ``table`` that ``pruning`` keeps (partition
    filters). delta-rs's own dataset reads every byte through a Python filesystem
    handler that holds the GIL (a 1 M-article window of signatures: 1.8 s and 2.9 CPU
    seconds); for a local table whose protocol needs no reader features (no deletion
    vectors, no column mapping: its data files are the plain rows) the same fragments,
    with the same partition values, are read by Arrow's native filesystem (0.5 s,
    0.8 CPU seconds)."""
    dataset = table.to_pyarrow_dataset(file_pruning_predicate=pruning)
    if storage.is_remote(table.table_uri) or table.protocol().min_reader_version > 1:
        return dataset
    root = unquote(str(storage.local_path(table.table_uri)))
    native = pafs.SubTreeFileSystem(root, pafs.LocalFileSystem())
    parquet = pds.ParquetFileFormat()
    fragments = [parquet.make_fragment(f.path, filesystem=native,
                                       partition_expression=f.partition_expression)
                 for f in dataset.get_fragments()]
    return pds.FileSystemDataset(fragments, schema=dataset.schema, format=parquet,
                                 filesystem=native)


def published(out_root: storage.Location, first: str, last: str) -> dict[str, tuple[str, int]]:
    """Published days of ``[first, last]`` -> (publish id, articles): the manifests of
    those days only (one small file a day; never the whole archive's)."""
    table = _table(out_root, layout.MANIFESTS)
    if table is None:
        return {}
    dataset = _dataset(table, [("ds", ">=", first), ("ds", "<=", last)])
    rows = dataset.to_table(columns=["ds", "publish_id", "articles"],
                            filter=(pc.field("ds") >= first) & (pc.field("ds") <= last))
    return {r["ds"]: (r["publish_id"], int(r["articles"])) for r in rows.to_pylist()}


# --- signatures -------------------------------------------------------------------------

def ensure_signed(out_root: storage.Location, days: list[str]) -> None:
    """Sign the published ``days`` that have articles but no ``signatures`` rows
    (published before the table existed), and re-sign those whose manifest records
    another :data:`newsetl.minhash.SIGNATURE_VERSION`, or none, from their articles:
    pairs are only found between signatures made alike. Once per day after an upgrade
    (a day with no articles only gets the version recorded)."""
    manifests = signed_with_current_version(out_root, days)
    table = _table(out_root, layout.SIGNATURES)
    signed = set() if table is None or not manifests else {
        p["ds"] for p in table.partitions(
            file_pruning_predicate=[("ds", "in", sorted(manifests))])}
    for ds, (current, articles) in sorted(manifests.items()):
        if not current or (articles and ds not in signed):
            sign_published_day(out_root, ds)


def signed_with_current_version(out_root: storage.Location, days: list[str]
                                ) -> dict[str, tuple[bool, int]]:
    """Published day -> (whether its manifest records the current signature version;
    its articles), for ``days`` only (their manifests' files). The manifests are not
    parsed: a day's JSON lists every input file (megabytes on big days), and the
    version is one exact substring of what :func:`newsetl.publish.manifest_row` wrote."""
    table = _table(out_root, layout.MANIFESTS)
    if table is None or not days:
        return {}
    # the manifests' files of these days only (exact pruning on the partition values)
    rows = _dataset(table, [("ds", "in", sorted(days))]).to_table(
        columns=["ds", "articles", "manifest"])
    needle = json.dumps({"signature_version": minhash.SIGNATURE_VERSION},
                        ensure_ascii=False)[1:-1]
    current = pc.match_substring(rows.column("manifest"), needle).to_pylist()
    return {ds: (ok, int(n)) for ds, ok, n in zip(
        rows.column("ds").to_pylist(), current, rows.column("articles").to_pylist(),
        strict=True)}


def signature_batches(out_root: storage.Location, days: list[str],
                      articles: pc.Expression | None = None) -> Iterator[pa.RecordBatch]:
    """The ``signatures`` rows of ``days`` (and ``articles``), a bounded batch at a time."""
    table = _table(out_root, layout.SIGNATURES)
    if table is None or not days:
        return
    # The files of these days only: listing every file of the table would make a day's
    # cost grow with the archive. The pruning is on the partition values, so it is
    # exact: no row filter on ds (it cost ~0.1 CPU s a 1 M-article window).
    dataset = _dataset(table, [("ds", "in", sorted(days))])
    yield from dataset.to_batches(columns=SIGNATURE_COLUMNS, filter=articles,
                                  batch_size=nearpairs.SCAN_BATCH, batch_readahead=2,
                                  fragment_readahead=2)


def load_side(out_root: storage.Location, days: list[str]) -> nearpairs.Side:
    """The signatures of ``days`` in memory (a block being computed)."""
    batches = list(signature_batches(out_root, days))
    if not batches:
        return nearpairs.empty_side()
    return nearpairs.side_from_arrow(pa.Table.from_batches(batches))


def _pinned_articles(out_root: storage.Location, ds: str):
    """The ``articles`` table at the version the day's manifest row pins (None when the
    day is not published or the table is gone)."""
    from newsetl.readers import pinned_table, snapshot

    snap = snapshot(out_root, [ds])
    if ds not in snap.versions:
        return None
    return pinned_table(out_root, "articles", snap.versions[ds]["articles"], [ds])


def _articles_signature_batches(articles, ds: str) -> Iterator[pa.RecordBatch]:
    """The day's articles (of the pinned ``articles`` table) as ``signatures`` rows, a
    batch at a time; only the day's files are listed."""
    schema = schemas.delta_schema(layout.SIGNATURES)
    dataset = articles.to_pyarrow_dataset(file_pruning_predicate=[("ds", "=", ds)])
    for batch in dataset.to_batches(columns=["article_id", "content_sha1", "body"],
                                    filter=pc.field("ds") == ds, batch_size=1024):
        rows = batch.to_pylist()
        minhash.sign_rows(rows)
        yield from pa.Table.from_pylist(
            [{**r, "ds": ds} for r in rows], schema=schema).to_batches()


def sign_published_day(out_root: storage.Location, ds: str) -> bool:
    """Compute and commit the ``signatures`` of a published day from its articles
    (streamed, bounded memory), then record the signature version in the day's manifest
    row; False when the day is not published.

    The manifest row is rewritten only if the day was not republished meanwhile (same
    publish id); otherwise the new publish is signed again, so the latest signatures
    are always those of the latest articles. The publish id and every pinned version
    stay: readers see the same day. A crash between the two commits leaves the old
    version recorded, and the day is simply signed again."""
    from newsetl.publish import commit_day, new_publish_id, update_manifests
    from newsetl.readers import PinnedVersionGone, manifest_rows, read_manifest

    day = layout.day(ds)
    schema = schemas.delta_schema(layout.SIGNATURES)
    for _attempt in range(RESIGN_ATTEMPTS):
        manifest = read_manifest(out_root, day.ds)
        if manifest is None:
            return False
        try:
            articles = _pinned_articles(out_root, day.ds)
        except PinnedVersionGone as exc:
            log.warning("newsetl dedup: %s cannot be signed: %s", day.ds, exc)
            return False
        if articles is None and manifest.get("counts", {}).get("articles", 1):
            # never replace signatures by nothing: the articles are unreadable or gone
            log.warning("newsetl dedup: %s has no readable articles to sign from", day.ds)
            return False
        version = commit_day(out_root, layout.SIGNATURES, day,
                             lambda a=articles: pa.RecordBatchReader.from_batches(
                                 schema, _articles_signature_batches(a, day.ds)
                                 if a is not None else iter(())),
                             new_publish_id(), streamed=True)
        _forget(out_root, layout.SIGNATURES)

        def plan(table, signed: dict = manifest, version: int = version):
            rows = (manifest_rows(out_root, [day.ds], as_of=table.version())
                    if table is not None else [])
            if not rows or rows[0]["publish_id"] != signed["version"]:
                return None  # republished while we signed
            # the row as it stands (its pins may have moved since: maintain), with
            # only the signatures recorded in its manifest
            row = rows[0]
            latest = json.loads(row["manifest"])
            latest["signature_version"] = minhash.SIGNATURE_VERSION
            latest.setdefault("tables", {})[layout.SIGNATURES] = {
                "uri": str(layout.table_uri(out_root, layout.SIGNATURES)),
                "version": version}
            row["manifest"] = json.dumps(latest, ensure_ascii=False)
            # the row of this publish only; and no "ds = 'D'" predicate alone, which
            # readers.day_versions counts as a publish of the day
            return (pa.Table.from_pylist([row], schema=schemas.delta_schema(layout.MANIFESTS)),
                    f"{day.predicate} AND publish_id = '{row['publish_id']}'")

        # compare-and-swap: a publish of the day that lands meanwhile is never undone
        if update_manifests(out_root, plan) is None:
            continue  # sign the new publish
        _forget(out_root, layout.MANIFESTS)
        log.info("newsetl dedup: signed %s from its published articles (%s)", day.ds,
                 minhash.SIGNATURE_VERSION)
        return True
    raise RuntimeError(f"{day.ds} was republished {RESIGN_ATTEMPTS} times while it was "
                       "being signed; run the dedup again")


#: Republishes of a day tolerated while it is being signed (:func:`sign_published_day`).
RESIGN_ATTEMPTS = 3


# --- near_pairs -------------------------------------------------------------------------

def _pairs_between(first: str, last: str, where: pc.Expression | None, columns: list[str],
                   out_root: storage.Location, name: str = layout.NEAR_PAIRS
                   ) -> pa.Table | None:
    """``near_pairs`` (or ``name``) rows of the files of ``[first, last]`` only (pruned
    listing: exact, on the partition values) that match ``where``."""
    table = _table(out_root, name)
    if table is None:
        return None
    dataset = _dataset(table, [("ds", ">=", first), ("ds", "<=", last)])
    return dataset.to_table(columns=columns, filter=where)


def params(window: int, threshold: float) -> str:
    """What a day's stored pairs depend on besides its signatures (kept in its marker's
    ``content_sha1``): pairs made with another window, threshold or signature version
    are recomputed.

    >>> params(30, 0.8).split("/")[:2]
    ['w30', 't0.8']
    """
    return f"w{window}/t{threshold}/{minhash.SIGNATURE_VERSION}"


def markers(out_root: storage.Location, first: str, last: str,
            cache: PairsCache | None = None) -> dict[str, tuple[str, str]]:
    """Day -> (the publish its stored pairs were computed from, :func:`params`), for
    ``[first, last]`` (from ``cache`` when given)."""
    if cache is not None:
        rows = cache.between(first, last, with_markers=True)
        rows = rows.filter(pc.field("article_id") == "")
    else:
        rows = _pairs_between(first, last, pc.field("article_id") == "",
                              ["ds", "publish_id", "content_sha1"], out_root)
    if rows is None:
        return {}
    return {r["ds"]: (r["publish_id"], r["content_sha1"])
            for r in rows.select(["ds", "publish_id", "content_sha1"]).to_pylist()}


def read_pairs(out_root: storage.Location, first: str, last: str,
               with_markers: bool = False) -> pa.Table:
    """The ``near_pairs`` rows of ``[first, last]`` (both directions of every pair)."""
    schema = schemas.delta_schema(layout.NEAR_PAIRS)
    rows = _pairs_between(first, last, None if with_markers else pc.field("article_id") != "",
                          schema.names, out_root)
    return schema.empty_table() if rows is None else rows.select(schema.names).cast(schema)


class PairsCache:
    """The ``near_pairs`` rows (markers included) of a span of days, read once for one
    dedup run: the markers, the rows a write keeps and the clusters' graph are cut from
    it (three reads of up to 4 windows of pairs before), and a write puts the rows it
    committed in place of its days'. A request outside the span reads the wider span."""

    def __init__(self, out_root: storage.Location) -> None:
        self.out_root = out_root
        self.span: tuple[str, str] | None = None
        self.rows = schemas.delta_schema(layout.NEAR_PAIRS).empty_table()

    def between(self, first: str, last: str, with_markers: bool = False) -> pa.Table:
        """The stored rows of ``[first, last]`` (as :func:`read_pairs`)."""
        if self.span is None or first < self.span[0] or last > self.span[1]:
            if self.span is not None:
                first, last = min(first, self.span[0]), max(last, self.span[1])
            self.rows = read_pairs(self.out_root, first, last, with_markers=True)
            self.span = (first, last)
        where = (pc.field("ds") >= first) & (pc.field("ds") <= last)
        if not with_markers:
            where &= pc.field("article_id") != ""
        return self.rows.filter(where)

    def replace(self, first: str, last: str, rows: pa.Table) -> None:
        """``rows`` are now the stored rows of ``[first, last]``."""
        if self.span is None or first < self.span[0] or last > self.span[1]:
            self.span = None  # not covered: read again when asked
            return
        outside = (pc.field("ds") < first) | (pc.field("ds") > last)
        self.rows = pa.concat_tables([self.rows.filter(outside), rows])


def write_pairs(out_root: storage.Location, first: str, last: str, changed: set[str],
                new_pairs: list[pa.Table], published: dict[str, str], made_with: str,
                cache: PairsCache | None = None) -> int:
    """Replace the pairs with an end on a ``changed`` day by ``new_pairs`` (both
    directions, without ``publish_id``) and mark the changed published days, in one
    commit of the partitions of ``[first, last]`` whose rows differ (none when the
    republished days' pairs and markers are the ones stored: no commit); the Delta
    version. ``cache``: the stored rows, read once (and updated with the new ones)."""
    from newsetl.publish import commit_day, new_publish_id

    schema = schemas.delta_schema(layout.NEAR_PAIRS)
    old = (read_pairs(out_root, first, last, with_markers=True) if cache is None
           else cache.between(first, last, with_markers=True))
    touched = pc.field("ds").isin(sorted(changed)) | pc.field("other_ds").isin(sorted(changed))
    kept = old.filter(~touched) if old.num_rows else old
    marked = sorted(d for d in changed if d in published)
    marks = pa.table({"ds": pa.array(marked, pa.string()),
                      "content_sha1": pa.array([made_with] * len(marked), pa.string()),
                      **{c: pa.array([""] * len(marked), pa.string())
                         for c in ("article_id", "other_ds", "other_article_id")},
                      "similarity": pa.array([0.0] * len(marked), pa.float32())})
    fresh = pa.concat_tables([*new_pairs, marks], promote_options="permissive")
    if fresh.num_rows:  # a pair of two changed days was found from both ends
        fresh = fresh.group_by(fresh.column_names, use_threads=False).aggregate([])
    days = sorted(published)
    ids = pa.array([published[d] for d in days], pa.string())
    fresh = fresh.append_column("publish_id", ids.take(
        pc.index_in(fresh.column("ds"), value_set=pa.array(days, pa.string())))
                                ).select(schema.names).cast(schema)
    rows = pa.concat_tables([kept, fresh])
    if cache is not None:
        cache.replace(first, last, rows)
    rewrite = differing_days(old.filter(touched) if old.num_rows else old, fresh)
    table = _table(out_root, layout.NEAR_PAIRS)
    if table is not None and not rewrite:
        return table.version()
    listed = ", ".join(f"'{layout.day(d).ds}'" for d in rewrite)  # validated: no quotes
    _forget(out_root, layout.NEAR_PAIRS)
    return commit_day(out_root, layout.NEAR_PAIRS, None,
                      lambda: rows.filter(pc.field("ds").isin(rewrite)), new_publish_id(),
                      predicate=f"ds IN ({listed})" if rewrite else "ds = ''",
                      metadata={"newsetl.pairs_for": f"{min(changed)}..{max(changed)}"})


def _row_keys(rows: pa.Table) -> pa.ChunkedArray:
    """Each row's values joined into one string (similarity as written)."""
    values = [pc.cast(rows.column(c), pa.string()) for c in rows.column_names]
    return pc.binary_join_element_wise(*values, "\x1f")


def differing_days(old: pa.Table, new: pa.Table) -> list[str]:
    """The ``ds`` values of the rows in one table and not the other (rows are
    distinct in each): the partitions a write has to replace.

    >>> t = lambda rows: pa.table({"ds": [r[0] for r in rows], "v": [r[1] for r in rows]})
    >>> differing_days(t([("a", 1), ("b", 2), ("c", 3)]), t([("b", 2), ("a", 5), ("d", 1)]))
    ['a', 'c', 'd']
    """
    new = new.select(old.column_names)
    old_keys, new_keys = _row_keys(old), _row_keys(new)
    gone = pc.invert(pc.is_in(old_keys, value_set=pc.unique(new_keys)))
    added = pc.invert(pc.is_in(new_keys, value_set=pc.unique(old_keys)))
    changed = pa.concat_arrays([*old.column("ds").filter(gone).chunks,
                                *new.column("ds").filter(added).chunks,
                                pa.array([], pa.string())])
    return sorted(pc.unique(changed).to_pylist())


NEAR_COLUMNS = ["ds", "article_id", "canonical_ds", "canonical_article_id", "similarity"]


def stored_near_rows(out_root: storage.Location, first: str, last: str) -> pa.Table:
    """The ``near`` rows ``near_duplicates`` holds for ``[first, last]``
    (:data:`NEAR_COLUMNS`)."""
    rows = _pairs_between(first, last, pc.field("kind") == "near", NEAR_COLUMNS, out_root,
                          layout.NEAR_DUPLICATES)
    schema = schemas.delta_schema(layout.NEAR_DUPLICATES)
    columns = pa.schema([schema.field(c) for c in NEAR_COLUMNS])
    return columns.empty_table() if rows is None else rows.select(NEAR_COLUMNS).cast(columns)


def previous_similarities(out_root: storage.Location, first: str, last: str,
                          stored: pa.Table | None = None) -> pa.Table:
    """The ``near`` rows ``near_duplicates`` holds for ``[first, last]`` (cut from
    ``stored``, :func:`stored_near_rows` of a span holding it, when given): key
    ``"<ds>/<article_id>|<canonical_ds>/<canonical_article_id>"`` and ``similarity``."""
    if stored is None:
        rows = stored_near_rows(out_root, first, last)
    else:
        rows = stored.filter((pc.field("ds") >= first) & (pc.field("ds") <= last))
    join = pc.binary_join_element_wise
    key = join(join(rows.column("ds"), rows.column("article_id"), "/"),
               join(rows.column("canonical_ds"), rows.column("canonical_article_id"), "/"), "|")
    return pa.table({"key": key, "similarity": rows.column("similarity")})


def fetch_signatures(out_root: storage.Location, wanted: dict[str, set[str]]
                     ) -> dict[tuple[str, str], np.ndarray]:
    """The signatures of a few articles: ``{ds: {article_id}}`` -> ``{(ds, id): sig}``
    (one pruned scan of their days)."""
    ids = pa.array(sorted(set().union(*wanted.values())), pa.string())
    found: dict[tuple[str, str], np.ndarray] = {}
    for batch in signature_batches(out_root, sorted(wanted), pc.field("article_id").isin(ids)):
        sig = minhash.decode_column(batch.column("minhash"))
        for ds, aid, row in zip(batch.column("ds").to_pylist(),
                                batch.column("article_id").to_pylist(), sig, strict=True):
            if aid in wanted.get(ds, ()):
                found[(ds, aid)] = row.copy()  # not a view: frees the batch
    return found
