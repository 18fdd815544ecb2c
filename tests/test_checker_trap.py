"""Trap summaries without a graph library: the iterative SCCs agree with networkx."""

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st
from test_checker_properties import Graph

from dmmodel.checker.scc import strong_components
from dmmodel.checker.trap import summarize_trap

EDGES = st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), st.sampled_from(["p", "f"])),
                 max_size=40)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 11), max_size=4), min_size=1, max_size=12))
def test_components_are_those_of_networkx_bottom_ones_first(lists):
    successors = [[w % len(lists) for w in targets] for targets in lists]
    component = strong_components(successors)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(successors)))
    graph.add_edges_from((u, w) for u, ws in enumerate(successors) for w in ws)
    ours = {frozenset(u for u, c in enumerate(component) if c == k) for k in set(component)}
    assert ours == {frozenset(c) for c in nx.strongly_connected_components(graph)}
    assert sorted(set(component)) == list(range(len(ours)))
    for u, ws in enumerate(successors):  # a component is numbered after those it reaches
        assert all(component[w] <= component[u] for w in ws)


def test_a_long_chain_needs_no_recursion():
    n = 50_000
    component = strong_components([[u + 1] for u in range(n - 1)] + [[0]])
    assert set(component) == {0}


def reference_trap(model, start, via):
    """The summary as networkx computes it (how trap.py did before it had its own SCCs)."""
    graph = nx.DiGraph()
    graph.add_node(start)
    queue = [start]
    for state in queue:
        for action, target in model.successors(state):
            if model.action_class(action) in via:
                if target not in graph:
                    graph.add_node(target)
                    queue.append(target)
                if not graph.has_edge(state, target):
                    graph.add_edge(state, target, label=model.format_action(action))
    condensed = nx.condensation(graph)
    scc_of = condensed.graph["mapping"]
    entry = next(s for s in graph if condensed.out_degree(scc_of[s]) == 0)
    members = condensed.nodes[scc_of[entry]]["members"]
    parent, cycle = {entry: None}, ()
    todo = [entry]
    for u in todo:
        for w in graph.successors(u):
            if w == entry and not cycle:
                labels = [graph.edges[u, entry]["label"]]
                while parent[u] is not None:
                    labels.append(graph.edges[parent[u], u]["label"])
                    u = parent[u]
                cycle = tuple(reversed(labels))
            if w in members and w not in parent:
                parent[w] = u
                todo.append(w)
        if cycle:
            break
    return (graph.number_of_nodes(), condensed.number_of_nodes(), len(members), cycle)


@settings(max_examples=100, deadline=None)
@given(EDGES, st.integers(0, 11))
def test_trap_summary_is_the_one_networkx_gives(edges, start):
    graph = Graph(edges)
    trap = summarize_trap(graph, start, frozenset({"p"}))
    assert (trap.states, trap.sccs, trap.bottom_states, trap.cycle) == reference_trap(
        graph, start, frozenset({"p"}))
