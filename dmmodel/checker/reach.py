"""Backward reachability on the explored graph, the core of ``AlwaysReachable``."""

from __future__ import annotations

from array import array
from collections.abc import Iterable


def reaching(n: int, offsets: array, sources: array, seeds: Iterable[int]) -> bytearray:
    """Mark (with 1) every state from which some seed is reachable, seeds included.

    ``offsets``/``sources`` are the CSR predecessor lists built by ``EdgeStore.predecessors``.
    """
    mark = bytearray(n)
    queue = []
    for g in seeds:
        if not mark[g]:
            mark[g] = 1
            queue.append(g)
    for v in queue:  # the list grows while we iterate: a plain FIFO
        for u in sources[offsets[v] : offsets[v + 1]]:
            if not mark[u]:
                mark[u] = 1
                queue.append(u)
    return mark
