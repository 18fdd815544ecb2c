"""Backward reachability on the explored graph with numpy, the core of ``AlwaysReachable``.

The reverse graph is a CSR (compressed sparse rows) of predecessor lists built once from the
stored edges; each reachability pass is a breadth-first search over it whose every level is a
handful of array operations (gather the predecessors of the frontier, keep the unmarked ones),
so the cost per edge is that of numpy, not of the interpreter.
"""

from __future__ import annotations

import numpy as np


def reverse_csr(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Predecessor lists of ``n`` states from parallel edge arrays, as ``(offsets, sources)``.

    The sources of the edges into state ``v`` are ``sources[offsets[v]:offsets[v + 1]]``, in the
    order the edges were stored (the sort is stable).
    """
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(dst, minlength=n), out=offsets[1:])
    sources = src[np.argsort(dst, kind="stable")]
    return offsets, sources


def reaching(offsets: np.ndarray, sources: np.ndarray, seeds: np.ndarray) -> bytearray:
    """Mark (with 1) every state from which some seed is reachable, seeds included.

    ``offsets``/``sources`` are a reverse CSR from ``reverse_csr``; ``seeds`` are state indices.
    """
    n = len(offsets) - 1
    marks = bytearray(n)
    mark = np.frombuffer(marks, dtype=np.bool_)  # a writable view: no copy at the end
    mark[seeds] = True
    frontier = np.flatnonzero(mark)
    slot = np.empty(n, dtype=np.int64)  # scratch: which copy of a state in ``found`` survives
    while frontier.size:
        starts = offsets[frontier]
        counts = offsets[frontier + 1] - starts
        ends = np.cumsum(counts)
        if not ends[-1]:
            break
        # positions in ``sources`` of every predecessor of the frontier, run after run
        runs = np.repeat(starts - (ends - counts), counts) + np.arange(ends[-1])
        found = sources[runs]
        found = found[~mark[found]]
        # keep one copy of each state: the last write to ``slot`` wins (cheaper than np.unique)
        order = np.arange(found.size)
        slot[found] = order
        frontier = found[slot[found] == order]
        mark[frontier] = True
    return marks
