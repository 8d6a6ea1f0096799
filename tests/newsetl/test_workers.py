"""The shard workers' processes (newsetl.workers, newsetl.workerwarm)."""

from __future__ import annotations

import importlib
from concurrent.futures import ProcessPoolExecutor

import pyarrow as pa
from newsetl.workers import worker_context


def test_shard_workers_never_load_pandas_and_pyarrow_still_converts() -> None:
    """pyarrow imported pandas (~43 MB a process) on its first conversion of a list; the
    forkserver makes it unimportable, so no worker loads it, and conversions work."""
    with ProcessPoolExecutor(1, mp_context=worker_context()) as pool:
        missing = pool.submit(importlib.import_module, "pandas").exception()
        converted = pool.submit(pa.array, ["a", None, "c"]).result()
    assert isinstance(missing, ModuleNotFoundError)
    assert converted.to_pylist() == ["a", None, "c"]
    assert importlib.import_module("pandas").DataFrame  # this process is left alone
