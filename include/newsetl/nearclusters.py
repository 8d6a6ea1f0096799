"""Clusters of a day from verified pairs: connected components among the articles of
``[day - window, day + window]``, canonical = the smallest node (nodes are numbered in
``(ds, article_id)`` order, so that is the earliest article).

Pure numpy over integer node numbers (no Python object per pair): a republished day
rewrites the clusters of the 2 x window + 1 days around it, each from the pairs of its
own window (61 days per dedup by default): :func:`days_members` labels the graph once
and splits again only the components longer than a window.
"""

from __future__ import annotations

import numpy as np


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
    """:func:`day_members` of each day, from one labelling of the whole graph (nodes
    numbered in day order: ``day`` never decreases).

    A component of the pairs whose nodes all lie within a day's window is also a
    component of the pairs among that window's nodes (its edges are all inside), with
    the same smallest node: its members on the day take that label. Only the
    components that stretch beyond the window (a story re-run for longer than a
    window) are split again, with :func:`day_members` on their own edges — instead of
    labelling the whole window once a day (61 times a dedup).

    >>> day = np.array([1, 2, 3, 9])
    >>> [[a.tolist() for a in m] for m in days_members(day, np.array([[0, 1], [1, 2]]), [2, 9], 1)]
    [[[1], [0]], [[], []]]
    """
    empty = np.empty(0, dtype=np.int64)
    if not len(pairs):
        return [(empty, empty) for _ in days]
    pairs = np.asarray(pairs, dtype=np.int64)
    label = components(len(day), pairs)
    edge_label = label[pairs[:, 0]]
    first_day = np.full(len(day), np.iinfo(np.int64).max)
    last_day = np.full(len(day), np.iinfo(np.int64).min)
    np.minimum.at(first_day, edge_label, np.minimum(day[pairs[:, 0]], day[pairs[:, 1]]))
    np.maximum.at(last_day, edge_label, np.maximum(day[pairs[:, 0]], day[pairs[:, 1]]))
    paired = np.flatnonzero(np.bincount(pairs.ravel(), minlength=len(day)))  # day order
    order = np.argsort(edge_label, kind="stable")
    by_label = (edge_label[order], pairs[order])
    return [_members_on(day, paired, label, (first_day, last_day), by_label, on, window)
            for on in days]


def _members_on(day: np.ndarray, paired: np.ndarray, label: np.ndarray,
                spans: tuple[np.ndarray, np.ndarray],
                by_label: tuple[np.ndarray, np.ndarray], on: int, window: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Day ``on``'s members and canonicals (as :func:`day_members`): from the global
    ``label`` where the component lies within the window, else from its own edges
    (``by_label``: the edges sorted by component) cut to the window."""
    mine = paired[np.searchsorted(day[paired], on, "left"):
                  np.searchsorted(day[paired], on, "right")]
    top = label[mine]
    inside = (spans[0][top] >= on - window) & (spans[1][top] <= on + window)
    nodes, canon = [mine[inside]], [top[inside]]
    stretched = _distinct(top[~inside])
    if len(stretched):
        labels, edges = by_label
        lo = np.searchsorted(labels, stretched, "left")
        hi = np.searchsorted(labels, stretched, "right")
        own = edges[_ranges(lo, hi)]
        split = day_members(day, own, on, window)
        nodes.append(split[0])
        canon.append(split[1])
    nodes_all, canon_all = np.concatenate(nodes), np.concatenate(canon)
    order = np.argsort(nodes_all, kind="stable")
    return nodes_all[order], canon_all[order]


def _ranges(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The integers of the ranges ``[lo[k], hi[k])``, concatenated.

    >>> _ranges(np.array([2, 7, 9]), np.array([4, 7, 12])).tolist()
    [2, 3, 9, 10, 11]
    """
    counts = hi - lo
    starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
    return starts + np.arange(int(counts.sum()))


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort: ``np.unique``'s hash table costs ~3 ms a call
    even for a few values).

    >>> _distinct(np.array([5, 1, 5, 3])).tolist()
    [1, 3, 5]
    """
    values = np.sort(values)
    return values[np.concatenate([[True], values[1:] != values[:-1]])] if len(values) else values
