"""Every Parquet schema of the dataset, in one place.

The types never depend on the data of a day: a day without captions or without URLs
writes the same columns with the same types, so readers can union any range of days.
``SCHEMA_VERSION`` is written into every manifest; bump it on any change below.
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = 3

#: Section kinds, in the order a typical article shows them.
SECTION_KINDS = (
    "section_label",
    "title",
    "deck",
    "byline",
    "subheading",
    "caption",
    "quote",
    "paragraph",
    "boilerplate",
    "source",
)

ARTICLES = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("source_member", pa.string()),
        pa.field("section_label", pa.string()),
        pa.field("title", pa.string()),
        # Where the title comes from: "text", "record" (a JSONL title field),
        # "filename" (a file-name or URL slug of 4+ words), or null (no headline).
        pa.field("title_source", pa.string()),
        # Author names from the byline lines, in order; empty when there is none.
        pa.field("author", pa.list_(pa.string()), nullable=False),
        pa.field("source_name", pa.string()),
        pa.field("dateline", pa.string()),
        pa.field("body", pa.string(), nullable=False),
        pa.field("lang", pa.string(), nullable=False),
        pa.field("lang_prob", pa.float32(), nullable=False),
        pa.field("n_paragraphs", pa.int32(), nullable=False),
        pa.field("n_quotes", pa.int32(), nullable=False),
        pa.field("n_captions", pa.int32(), nullable=False),
        pa.field("n_chars", pa.int32(), nullable=False),
        pa.field("n_words", pa.int32(), nullable=False),
        pa.field("credits", pa.list_(pa.string()), nullable=False),
        pa.field("foreign_sections", pa.int32(), nullable=False),
        pa.field("cleaning_rules", pa.list_(pa.string()), nullable=False),
        pa.field("content_sha1", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("published", pa.string()),
        pa.field("pipeline_version", pa.string(), nullable=False),
    ]
)

SECTIONS = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("position", pa.int32(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("section_lang", pa.string(), nullable=False),
        pa.field("section_lang_prob", pa.float32(), nullable=False),
        # Calibrated log-odds of the best language of the section's evidence (its text
        # without names, handles, URLs, numbers: process.evidence_text) against the
        # article's language; 0 when the section's language is the article's or ``und``,
        # when the article is ``und``, or when the evidence has under 30 letters.
        # ``is_foreign`` needs >= 2.2 (nine to one); choose your own threshold. Null on
        # days published before schema 3 (the column is new there; republish to fill it).
        pa.field("section_lang_margin", pa.float32()),
        pa.field("is_foreign", pa.bool_(), nullable=False),
        pa.field("n_chars", pa.int32(), nullable=False),
        pa.field("credit", pa.string()),
        # The segmentation rule that typed this section (segment.UNIT_RULES, head rules).
        pa.field("rule", pa.string(), nullable=False),
        # The article's language: the partition key ``lang=`` of the sections table.
        pa.field("lang", pa.string(), nullable=False),
    ]
)

REJECTS = pa.schema(
    [
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("source_member", pa.string()),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("detail", pa.string(), nullable=False),
        pa.field("raw_sha256", pa.string()),
        pa.field("duplicate_of", pa.string()),
    ]
)

#: Per-day aggregates read by dashboards (one row per day and metric key).
DAILY_STATS = pa.schema(
    [
        pa.field("metric", pa.string(), nullable=False),
        pa.field("key", pa.string(), nullable=False),
        pa.field("value", pa.float64(), nullable=False),
    ]
)

#: One row per published day (the ``manifests`` Delta table): the Delta version of each
#: table that holds the day, the headline counts, and the whole manifest as JSON. A day
#: is published once its row is committed; readers pin these versions.
MANIFESTS = pa.schema(
    [
        pa.field("publish_id", pa.string(), nullable=False),
        pa.field("published_at", pa.string(), nullable=False),
        pa.field("articles_version", pa.int64(), nullable=False),
        pa.field("sections_version", pa.int64(), nullable=False),
        pa.field("rejects_version", pa.int64(), nullable=False),
        pa.field("input_items", pa.int64(), nullable=False),
        pa.field("articles", pa.int64(), nullable=False),
        pa.field("sections", pa.int64(), nullable=False),
        pa.field("rejects", pa.int64(), nullable=False),
        pa.field("manifest", pa.string(), nullable=False),
    ]
)

#: One row per published article (the ``signatures`` Delta table, partitioned by ds):
#: the MinHash signature of its body (:mod:`newsetl.minhash`: 5-word shingles, 128
#: values, seed fixed), what cross-day near-duplicate search (:mod:`newsetl.neardup`)
#: reads instead of the bodies.
SIGNATURES = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("content_sha1", pa.string(), nullable=False),
        # Distinct shingles of the body: bodies with too few are never clustered as
        # near duplicates (only exact repeats), so boilerplate-sized leftovers don't meet.
        pa.field("n_shingles", pa.int32(), nullable=False),
        # The NUM_PERM (128) MinHash values as little-endian uint32, 512 bytes (Delta has
        # no unsigned integers): numpy.frombuffer(minhash, "<u4"); minhash.decode().
        pa.field("minhash", pa.binary(), nullable=False),
    ]
)

#: One row per article of the day that has a near or exact duplicate within the window
#: (``near_duplicates`` Delta table, partitioned by ds; see :mod:`newsetl.neardup`).
#: An article with no duplicate has no row.
NEAR_DUPLICATES = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        # "<canonical_ds>/<canonical_article_id>": the same for every article of the
        # cluster as seen from this day's window.
        pa.field("cluster_id", pa.string(), nullable=False),
        # The earliest (ds, article_id) of the cluster: keep it, drop the others.
        pa.field("canonical_ds", pa.string(), nullable=False),
        pa.field("canonical_article_id", pa.string(), nullable=False),
        # Estimated Jaccard similarity of the shingles with the canonical article's
        # (1.0 for exact repeats and for the canonical article itself).
        pa.field("similarity", pa.float32(), nullable=False),
        # "exact" (same content_sha1 as the canonical article) or "near".
        pa.field("kind", pa.string(), nullable=False),
    ]
)

#: The verified duplicate pairs of the day's articles with articles at most the window
#: away (``near_pairs`` Delta table, partitioned by ds; see :mod:`newsetl.nearpairs`):
#: each pair is stored twice, once under each article's day, so republishing a day
#: rewrites only the partitions within one window of it. One marker row per computed
#: day (``article_id`` empty) records the publish its pairs were computed from and, in
#: ``content_sha1``, the window, threshold and signature version they were made with.
NEAR_PAIRS = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("content_sha1", pa.string(), nullable=False),
        pa.field("other_ds", pa.string(), nullable=False),
        pa.field("other_article_id", pa.string(), nullable=False),
        # Estimated Jaccard similarity (1.0 for the same content_sha1).
        pa.field("similarity", pa.float32(), nullable=False),
        # The publish of ``ds`` whose signatures the row was computed from.
        pa.field("publish_id", pa.string(), nullable=False),
    ]
)

#: Columns stored in the shard files before publishing. ``seq`` is the item's place in
#: sorted source order, used to keep the first of a set of duplicates.
STAGED_ARTICLES = ARTICLES.append(pa.field("seq", pa.int64(), nullable=False))
STAGED_REJECTS = REJECTS.append(pa.field("seq", pa.int64(), nullable=False))

#: The data tables of a day and the column each is partitioned by below ``ds=``.
TABLES = {
    "articles": ("lang",),
    "sections": ("lang",),
    "rejects": (),
}

TABLE_SCHEMAS = {"articles": ARTICLES, "sections": SECTIONS, "rejects": REJECTS,
                 "daily_stats": DAILY_STATS, "manifests": MANIFESTS,
                 "signatures": SIGNATURES, "near_duplicates": NEAR_DUPLICATES,
                 "near_pairs": NEAR_PAIRS}


def delta_schema(table: str) -> pa.Schema:
    """A table's schema as stored in Delta: its columns plus the ``ds`` partition."""
    return TABLE_SCHEMAS[table].append(pa.field("ds", pa.string(), nullable=False))

PARQUET_COMPRESSION = "zstd"
