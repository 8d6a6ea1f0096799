"""Host naming for Airflow (``[core] hostname_callable = newsetl.net.worker_hostname``).

Containers and test clusters often share one host name; setting ``NEWSETL_HOSTNAME``
per worker makes the UI (and the distributed test) show which worker ran a task.
"""

from __future__ import annotations

import os
import socket


def worker_hostname() -> str:
    """``$NEWSETL_HOSTNAME`` when set, else the fully qualified host name.

    >>> os.environ["NEWSETL_HOSTNAME"] = "celery-worker-1"; worker_hostname()
    'celery-worker-1'
    >>> del os.environ["NEWSETL_HOSTNAME"]; worker_hostname() == socket.getfqdn()
    True
    """
    return os.environ.get("NEWSETL_HOSTNAME") or socket.getfqdn()
