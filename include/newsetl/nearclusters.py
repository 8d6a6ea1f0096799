"""Clusters of a day from verified pairs: connected components among the articles of
``[day - window, day + window]``, canonical = the smallest node (nodes are numbered in
``(ds, article_id)`` order, so that is the earliest article).

Pure numpy over integer node numbers (no Python object per pair): a republished day
rewrites the clusters of the 2 x window + 1 days around it, each from the pairs of its
own window, so this runs 61 times per dedup by default.
"""

from __future__ import annotations

import numpy as np

#: Threads computing the clusters of the rewritten days (the issue's 2 cores).
THREADS = 2


def components(n: int, pairs: np.ndarray) -> np.ndarray:
    """For each of ``n`` nodes, the smallest node of its connected component (pairs:
    ``(k, 2)`` node numbers). Hooking plus pointer jumping: a node's label is always a
    node of its component no larger than itself, so the fixed point is the minimum.

    >>> components(6, np.array([[4, 1], [1, 3], [5, 2]])).tolist()
    [0, 1, 2, 1, 1, 2]
    """
    label = np.arange(n)
    if not len(pairs):
        return label
    a, b = pairs[:, 0], pairs[:, 1]
    while True:
        la, lb = label[a], label[b]
        if np.array_equal(la, lb):
            return label
        low = np.minimum(la, lb)
        np.minimum.at(label, la, low)
        np.minimum.at(label, lb, low)
        while not np.array_equal(jumped := label[label], label):
            label = jumped


def day_members(day: np.ndarray, pairs: np.ndarray, on: int, window: int,
                ends: tuple[np.ndarray, np.ndarray] | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
    """The nodes of day ``on`` in a cluster of the pairs among the nodes of
    ``[on - window, on + window]`` (``day``: each node's day number; ``ends``: the
    days of each pair's two nodes, when already known), and each one's canonical node:
    ``(nodes, canonicals)``, in node order.

    >>> day = np.array([1, 2, 3, 9])
    >>> [a.tolist() for a in day_members(day, np.array([[0, 1], [1, 2], [2, 3]]), 3, 2)]
    [[2], [0]]
    """
    empty = np.empty(0, dtype=np.int64)
    if not len(pairs):
        return empty, empty
    lo, hi = on - window, on + window
    da, db = ends if ends is not None else (day[pairs[:, 0]], day[pairs[:, 1]])
    inside = pairs[(np.minimum(da, db) >= lo) & (np.maximum(da, db) <= hi)]
    if not len(inside):
        return empty, empty
    # nodes are numbered in day order: the window's nodes are one contiguous range
    first, last = int(inside.min()), int(inside.max()) + 1
    label = components(last - first, inside - first) + first
    involved = np.zeros(last - first, dtype=bool)
    involved[(inside - first).ravel()] = True
    mine = np.flatnonzero(involved & (day[first:last] == on))
    return mine + first, label[mine]


def days_members(day: np.ndarray, pairs: np.ndarray, days: list[int], window: int
                 ) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`day_members` of each day, on :data:`THREADS` threads (numpy releases the
    GIL in the array work)."""
    from concurrent.futures import ThreadPoolExecutor

    ends = (day[pairs[:, 0]], day[pairs[:, 1]]) if len(pairs) else None
    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(lambda on: day_members(day, pairs, on, window, ends), days))
