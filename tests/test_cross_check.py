"""An independent recount: a plain search over the transitions machines agrees with the checker.

The checker explores integer-encoded states through the compiled, memoised successor function.
Here the same configurations are explored again the slow, obvious way: live ``transitions``
machines with real credentials, restored into each state, a networkx graph, and reachability by
``networkx.ancestors``. Both must find the same number of states and edges and the same verdict
for every liveness property.
"""

import networkx as nx
import pytest

from dmmodel.checker import check
from dmmodel.protocol.checkable import DMModel
from dmmodel.protocol.config import make_config
from dmmodel.protocol.machines import ExecutableSystem
from dmmodel.protocol.properties import GOALS, INVARIANTS
from dmmodel.protocol.rules import PROTOCOL


def naive_graph(config):
    """Every reachable state of the machines, and every edge with its action class."""
    system = ExecutableSystem(config)
    start = system.state
    graph = nx.MultiDiGraph()
    graph.add_node(start)
    frontier = [start]
    while frontier:
        state = frontier.pop()
        system.restore(state)
        for index, action in system.actions():
            system.restore(state)
            system.step(index, action)
            target = system.state
            if target not in graph:
                graph.add_node(target)
                frontier.append(target)
            graph.add_edge(state, target, cls=action.cls)
    return graph


@pytest.mark.parametrize("variant", ["dm12", "report", "cr", "cr-keep-previous"])
def test_plain_search_over_the_machines_agrees_with_the_checker(variant):
    config = make_config("default", variant)
    result = check(DMModel(config))
    graph = naive_graph(config)
    assert graph.number_of_nodes() == result.states
    assert graph.number_of_edges() == result.transitions

    protocol = nx.DiGraph((u, v) for u, v, c in graph.edges(data="cls") if c == PROTOCOL)
    protocol.add_nodes_from(graph)
    verdicts = {v.property.name: v.holds for v in result.verdicts}
    for goal in GOALS:
        goals = {s for s in graph if goal.goal(s[0])}
        can_reach = goals.union(*(nx.ancestors(protocol, g) for g in goals))
        holds = all(s in can_reach for s in graph if goal.applies(s[0]))
        assert verdicts[goal.name] is holds, goal.name
    for invariant in INVARIANTS:
        assert verdicts[invariant.name] is all(invariant(s) for s in graph), invariant.name
