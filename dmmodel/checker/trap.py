"""Summarise the trap a reachability counterexample ends in: its size, SCCs and bottom cycle.

The trap is small (the states a failing state can still reach by allowed actions), so it is
rebuilt from the model rather than stored during the search.
"""

from __future__ import annotations

from typing import Any

from dmmodel.checker.model import Model
from dmmodel.checker.reduction import reduced_successors
from dmmodel.checker.result import Trap
from dmmodel.checker.scc import strong_components


def summarize_trap(model: Model, start: Any, via: frozenset[str]) -> Trap:
    """Size, SCC count and a shortest bottom-SCC cycle of the ``via``-closure of ``start``."""
    successors, labels = _closure(model, start, via)
    component = strong_components(successors)
    bottom = [True] * (max(component) + 1)
    for u, targets in enumerate(successors):
        for w in targets:
            if component[w] != component[u]:
                bottom[component[u]] = False
    # The first state in BFS order that lies in a bottom SCC: the trap nearest to ``start``.
    entry = next(u for u in range(len(successors)) if bottom[component[u]])
    members = {u for u, c in enumerate(component) if c == component[entry]}
    return Trap(
        states=len(successors),
        sccs=len(bottom),
        bottom_states=len(members),
        cycle=_shortest_cycle(successors, labels, entry, members),
    )


def _closure(model: Model, start: Any, via: frozenset[str]
             ) -> tuple[list[list[int]], dict[tuple[int, int], str]]:
    """States reachable from ``start`` by ``via`` actions, numbered in BFS order (``start`` is 0):
    the successor lists (each target once, in the model's order) and the label of the first
    action from each state to each target."""
    number = {start: 0}
    queue = [start]
    successors: list[list[int]] = []
    labels: dict[tuple[int, int], str] = {}
    moves = reduced_successors(model)  # with a model that reduces, over representatives
    for u, state in enumerate(queue):
        targets: list[int] = []
        successors.append(targets)
        for action, target in moves(state):
            if model.action_class(action) not in via:
                continue
            w = number.get(target)
            if w is None:
                w = number[target] = len(queue)
                queue.append(target)
            if (u, w) not in labels:
                labels[u, w] = model.format_action(action)
                targets.append(w)
    return successors, labels


def _shortest_cycle(successors: list[list[int]], labels: dict[tuple[int, int], str], entry: int,
                    members: set[int]) -> tuple[str, ...]:
    """Action labels of a shortest cycle through ``entry`` within ``members`` (BFS)."""
    parent: dict[int, int | None] = {entry: None}
    queue = [entry]
    for u in queue:
        for w in successors[u]:
            if w == entry:
                path = [labels[u, entry]]
                while (p := parent[u]) is not None:
                    path.append(labels[p, u])
                    u = p
                return tuple(reversed(path))
            if w in members and w not in parent:
                parent[w] = u
                queue.append(w)
    return ()
