"""Summarise the trap a reachability counterexample ends in, using networkx for the SCCs.

The trap is small (the states a failing state can still reach by allowed actions), so it is
rebuilt from the model rather than stored during the search.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from dmmodel.checker.model import Model
from dmmodel.checker.result import Trap


def summarize_trap(model: Model, start: Any, via: frozenset[str]) -> Trap:
    """Size, SCC count and a shortest bottom-SCC cycle of the ``via``-closure of ``start``."""
    graph = _closure(model, start, via)
    condensed = nx.condensation(graph)
    scc_of = condensed.graph["mapping"]
    # The first state in BFS order that lies in a bottom SCC: the trap nearest to ``start``.
    entry = next(s for s in graph if condensed.out_degree(scc_of[s]) == 0)
    members = condensed.nodes[scc_of[entry]]["members"]
    return Trap(
        states=graph.number_of_nodes(),
        sccs=condensed.number_of_nodes(),
        bottom_states=len(members),
        cycle=_shortest_cycle(graph, entry, members),
    )


def _closure(model: Model, start: Any, via: frozenset[str]) -> nx.DiGraph:
    """States reachable from ``start`` by ``via`` actions; nodes are added in BFS order."""
    graph = nx.DiGraph()
    graph.add_node(start)
    queue = [start]
    for state in queue:
        for action, target in model.successors(state):
            if model.action_class(action) not in via:
                continue
            if target not in graph:
                graph.add_node(target)
                queue.append(target)
            if not graph.has_edge(state, target):
                graph.add_edge(state, target, label=model.format_action(action))
    return graph


def _shortest_cycle(graph: nx.DiGraph, entry: Any, members: set) -> tuple[str, ...]:
    """Action labels of a shortest cycle through ``entry`` within ``members`` (BFS)."""
    parent: dict[Any, Any] = {entry: None}
    queue = [entry]
    for u in queue:
        for w in graph.successors(u):
            if w == entry:
                labels = [graph.edges[u, entry]["label"]]
                while parent[u] is not None:
                    labels.append(graph.edges[parent[u], u]["label"])
                    u = parent[u]
                return tuple(reversed(labels))
            if w in members and w not in parent:
                parent[w] = u
                queue.append(w)
    return ()
