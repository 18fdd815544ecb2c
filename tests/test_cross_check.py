"""An independent recount: a plain search over the transitions machines agrees with the checker.

The checker explores integer-encoded states through the compiled, memoised successor function.
Here the same configurations are explored again the slow, obvious way: live ``transitions``
machines with real credentials and real, never repeated nonces, restored into each state, a
networkx graph, and reachability by ``networkx.ancestors``. Two machine states count as one
when they agree up to the renaming of nonces (their real credentials turned back into symbolic
ones), which is the abstraction the checker makes (``nonces.py``).
Both must find the same number of states and edges and the same verdict for every property.
"""

import networkx as nx
import pytest

from dmmodel.checker import check
from dmmodel.protocol.config import make_config
from dmmodel.protocol.crypto import symbolize
from dmmodel.protocol.nonces import canonical
from dmmodel.protocol.properties import GOALS, INVARIANTS
from dmmodel.protocol.rules import PROTOCOL
from dmmodel.runtime.machines import ExecutableSystem
from dmmodel.search.checkable import DMModel


def naive_graph(config):
    """Every reachable state of the machines, and every edge with its action class."""
    system = ExecutableSystem(config)

    def key(state):
        return tuple(canonical(symbolize(slot, runtime.crypto))
                     for slot, runtime in zip(state, system.runtimes, strict=True))

    start = system.state
    graph = nx.MultiDiGraph()
    graph.add_node(key(start))
    frontier = [start]
    while frontier:
        state = frontier.pop()
        here = key(state)
        system.restore(state)
        for index, action in system.actions():
            system.restore(state)
            system.step(index, action)
            target = system.state
            there = key(target)
            if there not in graph:
                graph.add_node(there)
                frontier.append(target)
            graph.add_edge(here, there, cls=action.cls)
    return graph


# Under the edit attacker without server notifications (a third of the states: the machines are
# slow, and an edit never touches a notification; the default configuration has them).
QUIET = (("notifications", False),)


@pytest.mark.parametrize(("config_name", "variant", "overrides"), [
    *(("default", v, ()) for v in ["dm12", "report", "cr", "cr-keep-previous", "cr-fresh"]),
    *(pytest.param("attack-edit", v, QUIET, marks=pytest.mark.slow) for v in ["cr", "cr-hmac"]),
])
def test_plain_search_over_the_machines_agrees_with_the_checker(config_name, variant, overrides, checks):
    config = make_config(config_name, variant, **dict(overrides))
    # the default configuration's checks are the session's shared ones
    result = checks.result(config_name, variant).result if not overrides else check(DMModel(config))
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
