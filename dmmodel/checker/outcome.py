"""What one breadth-first search found, before each property turns it into its verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from dmmodel.checker.edges import EdgeStore
from dmmodel.checker.explored import Explored
from dmmodel.checker.limits import Stop
from dmmodel.checker.predicates import pack

if TYPE_CHECKING:
    from dmmodel.checker.product import LocalGraphs
    from dmmodel.checker.properties import Property


@dataclass
class Outcome:
    """The explored graph and the notable states the search recorded for the properties.

    ``found`` maps the position in ``properties`` of each property that watches states to the
    first (so shallowest) state where its predicate took the notable value; properties read it
    with ``found_state``, so they need not be hashable. ``first_stuck`` is the first expanded
    state without successors that the model does not declare terminal (if stuck states were
    asked for); ``edges`` holds the transitions of the action classes some property tracks;
    ``coverage`` counts transitions per coverage key when asked for. ``local_graphs`` holds the
    component graphs when the product engine searched (reachability of one component's goals).
    ``stopped`` says what ran out when a limit ended the search (``limits.Stop``).
    """

    properties: tuple[Property, ...]
    explored: Explored
    transitions: int
    complete: bool
    found: dict[int, int]
    first_stuck: int | None
    edges: EdgeStore
    coverage: dict[str, int] | None
    local_graphs: LocalGraphs | None = field(default=None, repr=False)
    stopped: Stop | None = None
    _predecessors: dict[frozenset[str], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False)

    def found_state(self, prop: Property) -> int | None:
        """The first state where ``prop``'s watched predicate took its notable value, if any."""
        for k, candidate in enumerate(self.properties):
            if candidate is prop:
                return self.found.get(k)
        raise ValueError(f"{prop.name!r} was not among the properties of this search")

    def predecessors(self, via: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
        """Reverse adjacency (CSR) of the stored ``via`` edges, built once per distinct ``via``."""
        csr = self._predecessors.get(via)
        if csr is None:
            csr = self._predecessors[via] = self.edges.predecessors(len(self.explored), via)
        return csr

    @cached_property
    def packed_states(self) -> np.ndarray | None:
        """The explored states as one uint64 array (``predicates.pack``), packed once per search;
        None when they are not ints below 2**64."""
        return pack(self.explored.states)
