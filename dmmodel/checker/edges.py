"""Compact storage of the transitions that reachability properties need.

Only actions whose class appears in some ``AlwaysReachable.via`` are kept, as three parallel
arrays (source, target, class id), so memory stays at nine bytes per kept edge.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

import numpy as np

from dmmodel.checker.reach import reverse_csr


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

    def predecessors(self, n: int, via: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
        """Reverse adjacency (CSR, see ``reach.reverse_csr``) of the ``via`` edges over ``n`` states.

        The sources of the edges into state ``v`` are ``sources[offsets[v]:offsets[v + 1]]``.
        """
        src = np.frombuffer(self.src, dtype=np.uint32)  # views: no copy of the stored edges
        dst = np.frombuffer(self.dst, dtype=np.uint32)
        wanted = [i for name, i in self.class_ids.items() if name in via]
        if len(wanted) != len(self.class_ids):
            keep = np.isin(np.frombuffer(self.cls, dtype=np.uint8), wanted)
            src, dst = src[keep], dst[keep]
        return reverse_csr(n, src, dst)
