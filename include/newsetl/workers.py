"""Where the shard workers of a run come from: a ``forkserver`` that preloads the
pipeline.

Standard library only, so that the CLI can start the server before it imports the
pipeline itself (:func:`start_forkserver`): the server's start and warm-up
(:mod:`newsetl.workerwarm`, ~1.3 s) then overlap with the CLI's own imports and
planning instead of delaying the first shard.
"""

from __future__ import annotations

from multiprocessing import forkserver, get_context
from multiprocessing.context import BaseContext

#: Imported by the forkserver before it forks workers: the main module (as
#: multiprocessing does by default) and :mod:`newsetl.workerwarm`, which loads the
#: shard's modules and the language model once for all the workers.
FORKSERVER_PRELOAD = ["__main__", "newsetl.workerwarm"]


def worker_context() -> BaseContext:
    """The ``forkserver`` context the shard workers start from, preloading
    :data:`FORKSERVER_PRELOAD`. Not ``fork``: the caller may have threads (Airflow, the
    publish thread pool), and a forked copy of a threaded process can deadlock."""
    context = get_context("forkserver")
    context.set_forkserver_preload(FORKSERVER_PRELOAD)
    return context


def start_forkserver() -> None:
    """Start the workers' forkserver now (a no-op while it runs). Only its start is
    waited for, not its warm-up: that goes on in its own process."""
    worker_context()
    forkserver.ensure_running()
