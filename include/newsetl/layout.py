"""Where everything lives below a raw root and an out root, and what a valid day is.

One module owns the paths, so the CLI, the Airflow tasks, the readers, the stats and
the UI all build them the same way from the same settings::

    <raw_root>/<ds>/...                         raw dumps of a day (input)
    <out_root>/_staging/ds=<ds>/<run token>/    one run's staged shards (write, audit)
    <out_root>/articles/                        Delta table, partitioned by ds, lang
    <out_root>/sections/                        Delta table, partitioned by ds, lang
    <out_root>/rejects/                         Delta table, partitioned by ds
    <out_root>/daily_stats/                     Delta table, partitioned by ds
    <out_root>/signatures/                      Delta table, partitioned by ds: MinHash
                                                signatures of the articles' bodies
    <out_root>/near_duplicates/                 Delta table, partitioned by ds: clusters
                                                of near/exact duplicates across days
    <out_root>/near_pairs/                      Delta table, partitioned by ds: verified
                                                duplicate pairs (what clusters are made of)
    <out_root>/manifests/                       Delta table, partitioned by ds: a day is
                                                published once its row is committed
    <out_root>/_manifests/ds=<ds>.json          readable copy of the manifest row

>>> Day("2024-03-01").predicate
"ds = '2024-03-01'"
>>> Day("2024-3-1")
Traceback (most recent call last):
...
ValueError: not a day (YYYY-MM-DD): '2024-3-1'
>>> table_uri("s3://b/news/", "articles"), str(table_uri("/data/out", "rejects"))
('s3://b/news/articles', '/data/out/rejects')
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from newsetl import storage

_DS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

#: The day's data tables, committed in this order, then :data:`MANIFESTS` last.
DATA_TABLES = ("articles", "sections", "rejects")
MANIFESTS = "manifests"
DAILY_STATS = "daily_stats"
SIGNATURES = "signatures"
NEAR_DUPLICATES = "near_duplicates"
NEAR_PAIRS = "near_pairs"
#: Partition columns of every Delta table of the dataset.
PARTITIONS = {"articles": ["ds", "lang"], "sections": ["ds", "lang"], "rejects": ["ds"],
              DAILY_STATS: ["ds"], MANIFESTS: ["ds"], SIGNATURES: ["ds"],
              NEAR_DUPLICATES: ["ds"], NEAR_PAIRS: ["ds"]}
STAGING = "_staging"
MANIFEST_COPIES = "_manifests"


@dataclass(frozen=True, order=True)
class Day:
    """A validated ``YYYY-MM-DD`` day: the only thing that becomes part of a path or a
    Delta predicate, so a request parameter can never name anything else."""

    ds: str

    def __post_init__(self) -> None:
        from datetime import date

        text = str(self.ds)
        try:
            if not _DS.fullmatch(text):
                raise ValueError
            date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not a day (YYYY-MM-DD): {text!r}") from None

    def __str__(self) -> str:
        return self.ds

    @property
    def predicate(self) -> str:
        """The Delta predicate of the day's partition (``mode="overwrite"`` replaces it)."""
        return f"ds = '{self.ds}'"


def day(value: str | Day) -> Day:
    """``value`` as a :class:`Day` (validated once)."""
    return value if isinstance(value, Day) else Day(str(value))


def raw_day(raw_root: storage.Location, ds: str | Day) -> Path | str:
    """The raw folder of a day: a local Path, or a URL for object-store raw roots."""
    return storage.join(raw_root, day(ds).ds)


def table_uri(out_root: storage.Location, table: str) -> str | Path:
    """The Delta table of ``table`` (a local Path or an ``s3://`` URL)."""
    if table not in PARTITIONS:
        raise ValueError(f"unknown table {table!r}")
    return storage.join(out_root, table)


def staging_root(out_root: storage.Location, ds: str | Day) -> Path | str:
    return storage.join(out_root, STAGING, f"ds={day(ds).ds}")


def run_staging(out_root: storage.Location, ds: str | Day, run_token: str) -> Path | str:
    """The staging folder of one run (``run_token`` is e.g. an Airflow run id). Under an
    object-store out root this is a URL: shards on different machines upload there."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in run_token)
    return storage.join(staging_root(out_root, ds), safe)


def manifest_copy(out_root: storage.Location, ds: str | Day) -> Path | str:
    """The readable JSON copy of a day's manifest row (informational only)."""
    return storage.join(out_root, MANIFEST_COPIES, f"ds={day(ds).ds}.json")


def storage_options(location: storage.Location) -> dict[str, str] | None:
    """delta-rs options for ``location``: credentials and endpoint come from the AWS
    environment (``AWS_ENDPOINT_URL`` ...); a plain-http endpoint (MinIO, a test
    server) must be allowed explicitly."""
    if not storage.is_remote(location):
        return None
    options: dict[str, str] = {}
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        options["endpoint_url"] = endpoint
        if endpoint.startswith("http://"):
            options["allow_http"] = "true"
    return options
