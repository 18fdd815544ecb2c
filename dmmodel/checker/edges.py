"""Compact storage of the transitions that reachability properties need.

Only actions whose class appears in some ``AlwaysReachable.via`` are kept, as three parallel
arrays (source, target, class id), so memory stays at nine bytes per kept edge.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from itertools import accumulate


class EdgeStore:
    """Edges of the tracked action classes, appended by the search in discovery order."""

    def __init__(self, classes: Iterable[str]) -> None:
        self.class_ids = {name: i for i, name in enumerate(sorted(set(classes)))}
        if len(self.class_ids) > 255:
            raise ValueError("at most 255 distinct action classes can be tracked")
        self.src = array("I")
        self.dst = array("I")
        self.cls = array("B")

    def class_id(self, name: str) -> int:
        """The id stored for an action class, or -1 if edges of that class are not kept."""
        return self.class_ids.get(name, -1)

    def predecessors(self, n: int, via: frozenset[str]) -> tuple[array, array]:
        """Reverse adjacency (CSR) of the ``via`` edges over ``n`` states.

        The sources of the edges into state ``v`` are ``sources[offsets[v]:offsets[v + 1]]``.
        """
        wanted = {i for name, i in self.class_ids.items() if name in via}
        counts = array("I", bytes(4 * (n + 1)))
        for _, d in self._pairs(wanted):
            counts[d + 1] += 1
        offsets = array("I", accumulate(counts))
        fill = array("I", offsets[:-1])
        sources = array("I", bytes(4 * offsets[-1]))
        for s, d in self._pairs(wanted):
            sources[fill[d]] = s
            fill[d] += 1
        return offsets, sources

    def _pairs(self, wanted: set[int]) -> Iterator[tuple[int, int]]:
        """(source, target) of the kept edges whose class id is in ``wanted``."""
        if len(wanted) == len(self.class_ids):
            return zip(self.src, self.dst, strict=True)
        return ((s, d) for s, d, c in zip(self.src, self.dst, self.cls, strict=True) if c in wanted)
