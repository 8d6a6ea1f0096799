"""Exact duplicates of a day, found across its staged shards before anything is published.

Two articles are duplicates when their body fingerprints (``content_sha1``) are equal; the
first in sorted source order (lowest ``seq``) is kept and every other becomes a reject
row pointing at it (``duplicate_of``).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsetl import reasons, schemas
from newsetl.shardfiles import staged_files


def find_duplicates(staging: Path, n_shards: int) -> tuple[pa.Array, pa.Table]:
    """Exact duplicates of the day: the ``seq`` of every duplicate and its reject rows.

    Memory stays small whatever the day: the first pass groups ``seq`` by the
    fingerprint's first 64 bits (``content_key``, 16 bytes a row); only rows whose key
    repeats are then read in full, shard by shard, and compared on the whole
    fingerprint. Reject rows are built in Arrow, so 600,000 copies of one line never
    become Python objects.
    """
    paths = staged_files(staging, n_shards, "articles")
    empty = (pa.array([], type=pa.int64()), schemas.STAGED_REJECTS.empty_table())
    keys = pa.concat_tables([pq.read_table(p, columns=["seq", "content_key"]) for p in paths]
                            ) if paths else None
    if keys is None or keys.num_rows == 0:
        return empty
    counts = keys.group_by("content_key").aggregate([("seq", "count")])
    repeated = counts.filter(pc.greater(counts.column("seq_count"), 1)).column("content_key")
    del counts
    if len(repeated) == 0:
        return empty
    involved = keys.filter(pc.is_in(keys.column("content_key"), value_set=repeated)).column(
        "seq").combine_chunks()
    del keys
    cols = ["seq", "article_id", "content_sha1", "source_file", "source_member", "raw_sha256"]
    details = pa.concat_tables([_only_seqs(pq.read_table(p, columns=cols), involved)
                                for p in paths])
    kept_seq = details.group_by("content_sha1").aggregate([("seq", "min")])
    pairs = details.join(kept_seq, "content_sha1")
    dup_rows = pairs.filter(pc.not_equal(pairs.column("seq"), pairs.column("seq_min")))
    if dup_rows.num_rows == 0:
        return empty
    kept = details.select(["seq", "article_id", "source_file", "source_member"]).rename_columns(
        ["seq_min", "kept_id", "kept_file", "kept_member"])
    dup_rows = dup_rows.join(kept, "seq_min").sort_by("seq")
    member = dup_rows.column("kept_member")
    where = pc.if_else(
        pc.is_null(member), dup_rows.column("kept_file"),
        pc.binary_join_element_wise(dup_rows.column("kept_file"), " [",
                                    pc.fill_null(member, ""), "]", ""))
    detail = pc.binary_join_element_wise("same body as article ", dup_rows.column("kept_id"),
                                         " from ", where, "")
    n = dup_rows.num_rows
    rejects = pa.table({
        "source_file": dup_rows.column("source_file"),
        "source_member": dup_rows.column("source_member"),
        "reason": pa.array([reasons.DUPLICATE] * n, type=pa.string()),
        "detail": detail,
        "raw_sha256": dup_rows.column("raw_sha256"),
        "duplicate_of": dup_rows.column("kept_id"),
        "seq": dup_rows.column("seq"),
    }).cast(schemas.STAGED_REJECTS)
    return dup_rows.column("seq").combine_chunks(), rejects


def _only_seqs(table: pa.Table, seqs: pa.Array) -> pa.Table:
    return table.filter(pc.is_in(table.column("seq"), value_set=seqs))


def without(table: pa.Table, dup_seqs: pa.Array) -> pa.Table:
    """``table`` less the rows of the duplicates ``dup_seqs``."""
    if len(dup_seqs) == 0:
        return table
    return table.filter(pc.invert(pc.is_in(table.column("seq"), value_set=dup_seqs)))
