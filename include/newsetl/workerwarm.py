"""Imported once by the forkserver that starts the shard workers, before it forks any
(:func:`newsetl.pipeline.worker_context`): the modules a shard runs, the language
model and the other per-process tables are loaded here, and every worker forked from
the server inherits them instead of loading them again.

What a worker used to spend before its first item (measured: ~1 CPU s each): importing
the pipeline's modules (~0.3 s, regexes compiled at import), pyarrow's first
conversion, which imports pandas (~0.3 s), the fast detector's model and its compiled
kernels loaded from the on-disk caches (~0.5 s), the word tables of
:mod:`newsetl.wordhash` (~0.15 s).

Nothing here starts a thread (a process with threads must not fork): rensa's MinHash,
which starts a thread pool, is imported but never called; numba and pyarrow are only
loaded. A failed warm-up is logged and the workers load what they need themselves.
"""

from __future__ import annotations

import logging

import pyarrow as pa

from newsetl import process, staging, wordhash  # noqa: F401 - loaded for the workers
from newsetl.items import RawItem
from newsetl.langid import resolve_detector

log = logging.getLogger(__name__)

#: A tiny article with a title, a short and a long section: every kernel (short-text
#: and naive-Bayes scoring, the foreign-section check) runs once.
SAMPLE = ("Talks resume in Paris\n\n"
          "PARIS (Reuters) - Negotiators met again on Monday to discuss the plan, "
          "officials said, after a week of delays.\n\n"
          "« Nous sommes prêts à signer l'accord dès demain », a déclaré le ministre.")


def warm(detector: str | None = None) -> None:
    """Load what every shard needs: run one sample item through parsing and language
    detection (the ``detector`` a run would use by default), build the word tables and
    let pyarrow import pandas."""
    parsed = process.parse_item(RawItem("warm.txt", None, 0, "", text=SAMPLE, meta={}))
    if isinstance(parsed, process.Parsed):
        process.build_rows([parsed], process.Rows(), resolve_detector(detector))
    wordhash.word_hashes([SAMPLE])  # its code point tables (numpy only, not rensa)
    pa.array([""], pa.string())  # pyarrow's pandas shim imports pandas on first use


try:
    warm()
except Exception as exc:  # noqa: BLE001 - an import error here would kill the forkserver
    log.warning("newsetl.workerwarm: warm-up failed, workers load on demand: %s", exc)
