"""Backward reachability on the explored graph with numpy, the core of ``AlwaysReachable``.

The reverse graph is a CSR (compressed sparse rows) of predecessor lists built once from the
stored edges; each reachability pass is a breadth-first search over it whose every level is a
handful of array operations (gather the predecessors of the frontier, keep the unmarked ones),
so the cost per edge is that of numpy, not of the interpreter.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

# Edges handled at a time: bounds the scratch memory of a sort or a BFS level to some 8 MB, so
# that liveness fits in what the search's state index freed and does not raise the peak.
CHUNK_EDGES = 1 << 18


def reverse_csr(n: int, src: np.ndarray, dst: np.ndarray,
                chunk: int = CHUNK_EDGES) -> tuple[np.ndarray, np.ndarray]:
    """Predecessor lists of ``n`` states from parallel edge arrays, as ``(offsets, sources)``.

    The sources of the edges into state ``v`` are ``sources[offsets[v]:offsets[v + 1]]``, in the
    order the edges were stored. The edges are placed a range of targets at a time (each range
    holding about ``chunk`` of them), so that the sort's 8-byte indices never cover all edges.
    """
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(dst, minlength=n), out=offsets[1:])
    sources = np.empty(len(dst), dtype=src.dtype)
    firsts = np.searchsorted(offsets, np.arange(0, len(dst), chunk), side="right") - 1
    cuts = sorted({0, n, *firsts.tolist()})  # target ranges of about ``chunk`` edges each
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        chosen = np.flatnonzero((dst >= lo) & (dst < hi))
        sources[offsets[lo] : offsets[hi]] = src[chosen[np.argsort(dst[chosen], kind="stable")]]
    return offsets, sources


def reaching(offsets: np.ndarray, sources: np.ndarray, seeds: np.ndarray,
             chunk: int = CHUNK_EDGES) -> bytearray:
    """Mark (with 1) every state from which some seed is reachable, seeds included.

    ``offsets``/``sources`` are a reverse CSR from ``reverse_csr``; ``seeds`` are state indices.
    Each level gathers the predecessors of the frontier about ``chunk`` at a time.
    """
    n = len(offsets) - 1
    marks = bytearray(n)
    mark = np.frombuffer(marks, dtype=np.bool_)  # a writable view: no copy at the end
    mark[seeds] = True
    frontier = np.flatnonzero(mark)
    slot = np.empty(n, dtype=np.uint32)  # scratch: which copy of a state in a piece survives
    while frontier.size:
        level = []
        for found in _predecessors(offsets, sources, frontier, chunk):
            found = found[~mark[found]]
            # keep one copy of each state: the last write to ``slot`` wins (cheaper than np.unique)
            order = np.arange(found.size, dtype=np.uint32)
            slot[found] = order
            found = found[slot[found] == order]
            mark[found] = True
            level.append(found)
        frontier = np.concatenate(level) if level else frontier[:0]
    return marks


def _predecessors(offsets: np.ndarray, sources: np.ndarray, states: np.ndarray,
                  chunk: int) -> Iterator[np.ndarray]:
    """The sources of the edges into ``states``, in pieces of about ``chunk`` (or one state's)."""
    starts = offsets[states]
    counts = offsets[states + 1] - starts
    ends = np.cumsum(counts)
    cuts = [0, *np.searchsorted(ends, np.arange(chunk, ends[-1], chunk)).tolist(), len(states)]
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = counts[a:b]
        total = int(piece.sum())
        if total:
            # positions in ``sources`` of every predecessor, run after run
            runs = np.repeat(starts[a:b] - (np.cumsum(piece) - piece), piece)
            runs += np.arange(total)
            yield sources[runs]
