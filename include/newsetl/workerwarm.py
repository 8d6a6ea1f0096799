"""Imported once by the forkserver that starts the shard workers, before it forks any
(:func:`newsetl.workers.worker_context`): the modules a shard runs, the language
model and the other per-process tables are loaded here, and every worker forked from
the server inherits them instead of loading them again.

What each worker used to spend before its first item (~1.7 CPU s): importing the
pipeline's modules (regexes compiled at import), numba and pyarrow, whose first
conversion imported pandas (~0.25 s; no longer loaded at all: :class:`_WithoutPandas`),
loading the fast detector's model and its compiled kernels from the on-disk caches
(~0.5 s), and the word tables and kernels of :mod:`newsetl.wordhash` (~0.15 s).

Everything loaded is then frozen (:func:`gc.freeze`). Nothing here starts a thread
(a process with threads must not fork): rensa's MinHash, which starts a thread pool,
is not called; numba and pyarrow are only loaded. A failed warm-up is
logged and the workers load what they need themselves.
"""

from __future__ import annotations

import gc
import importlib.abc
import logging
import sys

import pyarrow as pa

from newsetl import minhash, process, staging  # noqa: F401 - loaded for the workers
from newsetl.items import RawItem
from newsetl.langid import resolve_detector

log = logging.getLogger(__name__)


class _WithoutPandas(importlib.abc.MetaPathFinder):
    """Answers an import of pandas with ImportError, as if it were not installed.

    pyarrow imports pandas (~43 MB, ~0.25 s) on its first conversion of a Python list,
    only to ask whether the list is a DataFrame; a shard never converts one. Put on the
    import path in the forkserver (:func:`without_pandas`) before anything imports
    pandas: pyarrow's shim then takes it for absent, and every worker forked from the
    server is that much smaller. (``sys.modules["pandas"] = None`` would not do:
    pyarrow's compiled import returns the None.) Only in the server: this module is
    imported nowhere else, and a pandas that ``__main__`` (preloaded first) has
    imported stays.
    """

    def find_spec(self, name: str, path=None, target=None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"{name} is not loaded in shard workers", name=name)
        return None


def without_pandas() -> None:
    """Make pandas unimportable in this process unless it is loaded already (see
    :class:`_WithoutPandas`); nothing imported above loads it at import time."""
    if "pandas" not in sys.modules and not any(
            isinstance(f, _WithoutPandas) for f in sys.meta_path):
        sys.meta_path.insert(0, _WithoutPandas())


#: A tiny article with a title, a short and a long section: every kernel (short-text
#: and naive-Bayes scoring, the foreign-section check) runs once.
SAMPLE = ("Talks resume in Paris\n\n"
          "PARIS (Reuters) - Negotiators met again on Monday to discuss the plan, "
          "officials said, after a week of delays.\n\n"
          "« Nous sommes prêts à signer l'accord dès demain », a déclaré le ministre.")


def warm(detector: str | None = None) -> None:
    """Load what every shard needs: run one sample item through parsing and language
    detection (the ``detector`` a run would use by default) and shingling, and let
    pyarrow's pandas shim look for pandas (and not find it)."""
    parsed = process.parse_item(RawItem("warm.txt", None, 0, "", text=SAMPLE, meta={}))
    if isinstance(parsed, process.Parsed):
        process.build_rows([parsed], process.Rows(), resolve_detector(detector))
    minhash.shingle_hashes([SAMPLE])  # word tables and kernels; not rensa (threads)
    pa.array([""], pa.string())  # pyarrow's pandas shim: its (failed) import, once


without_pandas()
try:
    warm()
except Exception as exc:  # noqa: BLE001 - an import error here would kill the forkserver
    log.warning("newsetl.workerwarm: warm-up failed, workers load on demand: %s", exc)
# What is loaded now lives as long as the workers: out of the garbage collector's sight,
# a worker's collections no longer walk it (4 % of a shard's CPU: 0.21 s of 5.3 s on
# 3,000 articles, 0.05 s frozen) nor touch its pages (which stay shared with the server).
gc.freeze()
