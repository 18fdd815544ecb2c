"""An overview of the reachable state graph, quotiented so that a reviewer can read it.

The explored states of a small configuration are grouped by what a protocol engineer looks at:
each side's control state and secret generation, and whether an authenticated session can still
be reached by protocol steps alone. States from which it cannot are drawn as a region of their
own: in DM 1.2 that region is the authentication deadlock.
"""

from __future__ import annotations

from collections import deque

import networkx as nx

from dmmodel.protocol.compiled import CompiledSystem
from dmmodel.protocol.config import Config
from dmmodel.protocol.properties import authenticated, has_account
from dmmodel.protocol.rules import PROTOCOL
from dmmodel.protocol.state import NO_ACCOUNT
from dmmodel.protocol.system import SystemState
from dmmodel.render import Edge, Graph, Node

MAX_STATES = 5_000  # explored states; beyond this the overview is refused, not truncated
MAX_NODES = 60  # quotient classes; dot stays fast and the picture readable below this
LABELS_PER_EDGE = 3
BOOTSTRAPS = frozenset({"bootstrap", "rebootstrap"})
TRAPPED, GOAL = "trapped", "goal"
REGIONS = {
    GOAL: "authenticated session (the goal)",
    TRAPPED: "no authentication reachable by protocol steps alone (deadlock)",
}

Key = tuple


class OverviewTooLarge(ValueError):
    """The configuration is too big for a readable overview."""


def _explore(system: CompiledSystem) -> tuple[list[SystemState], list[tuple[int, int, str, str]]]:
    """Every reachable state (BFS order) and every transition as (source, rule or event, class)."""
    initial = [system.initial()]
    index = {state: i for i, state in enumerate(initial)}
    states, edges, queue = list(initial), [], deque(range(len(initial)))
    while queue:
        source = queue.popleft()
        for (_, action), target in system.successors(states[source]):
            if target not in index:
                if len(states) >= MAX_STATES:
                    raise OverviewTooLarge(f"more than {MAX_STATES} states: use a smaller configuration")
                index[target] = len(states)
                states.append(target)
                queue.append(index[target])
            edges.append((source, index[target], action.rule or action.label(), action.cls))
    return states, edges


def _trapped(states: list[SystemState], edges: list[tuple[int, int, str, str]]) -> set[int]:
    """States with an account from which no authenticated state is reachable by protocol steps."""
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(states)))
    graph.add_edges_from((s, t) for s, t, _, cls in edges if cls == PROTOCOL)
    goals = [i for i, state in enumerate(states) if all(authenticated(slot) for slot in state)]
    graph.add_edges_from((goal, "goal") for goal in goals)
    alive = nx.ancestors(graph, "goal") | set(goals) if goals else set()
    return {i for i, state in enumerate(states)
            if i not in alive and any(has_account(slot) for slot in state)}


def _generation(gen: int) -> str:
    return "no account" if gen == NO_ACCOUNT else f"g{gen}"


def _key(state: SystemState, trapped: bool) -> Key:
    parts = tuple((s.device, _generation(s.dev.gen), s.server, _generation(s.acct.gen)) for s in state)
    region = TRAPPED if trapped else GOAL if all(authenticated(s) for s in state) else ""
    return parts, region


def _node_label(key: Key, count: int) -> str:
    parts, _ = key
    lines = []
    for device, dev_gen, server, srv_gen in parts:
        lines += [f"device {device} ({dev_gen})", f"server {server} ({srv_gen})"]
    return "\n".join([*lines, f"{count} state{'s' if count != 1 else ''}"])


def _edge_label(labels: set[str]) -> str:
    names = sorted(labels)
    shown = names[:LABELS_PER_EDGE]
    if len(names) > LABELS_PER_EDGE:
        shown.append(f"+{len(names) - LABELS_PER_EDGE} more")
    return "\n".join(shown)


def overview_graph(config: Config) -> Graph:
    """The quotiented state graph of ``config``, with the no-authentication region grouped."""
    states, edges = _explore(CompiledSystem(config))
    trapped = _trapped(states, edges)
    keys = [_key(state, i in trapped) for i, state in enumerate(states)]
    order = list(dict.fromkeys(keys))
    if len(order) > MAX_NODES:
        raise OverviewTooLarge(f"{len(order)} classes (at most {MAX_NODES}): use a smaller configuration")
    ids = {key: f"c{i}" for i, key in enumerate(order)}
    counts = {key: keys.count(key) for key in order}
    nodes = [Node("start", "", shape="point")]
    nodes += [Node(ids[k], _node_label(k, counts[k]), group=k[1] or None) for k in order]
    merged: dict[tuple[str, str, bool], set[str]] = {}
    for source, target, label, cls in edges:
        a, b = ids[keys[source]], ids[keys[target]]
        if a != b:
            merged.setdefault((a, b, cls != PROTOCOL), set()).add(label)
    graph_edges = [Edge("start", ids[keys[0]])]
    # Bootstraps are what dashed edges mostly are: the legend names them, the edges need not.
    graph_edges += [Edge(a, b, _edge_label(labels - BOOTSTRAPS if env else labels),
                         style="dashed" if env else "solid")
                    for (a, b, env), labels in merged.items()]
    regions = {key[1] for key in order}
    groups = {region: text for region, text in REGIONS.items() if region in regions}
    variant = config.variant.name
    return Graph(
        name=f"overview-{variant}",
        title=f"Reachable states of configuration {config.name}, variant {variant}: "
        f"{len(states)} states in {len(order)} classes",
        nodes=tuple(nodes),
        edges=tuple(graph_edges),
        groups=groups,
        direction="TB",
        legend=(
            "a box: the states with these control states and secret generations",
            "dashed: bootstrap, re-bootstrap (unlabelled) and other faults; solid: protocol steps",
            "steps inside a box are not drawn",
        ),
    )
