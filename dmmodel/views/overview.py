"""An overview of the reachable state graph, quotiented so that a reviewer can read it.

The explored states of a small configuration are grouped by what a protocol engineer looks at:
each side's control state and secret generation, and whether an authenticated session can still
be reached by protocol steps alone. States from which it cannot are drawn as a region of their
own: in DM 1.2 that region is the authentication deadlock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dmmodel.protocol.properties import authenticated
from dmmodel.protocol.rules import PROTOCOL
from dmmodel.protocol.state import NO_ACCOUNT
from dmmodel.protocol.system import SystemState
from dmmodel.render import Edge, Graph, Node

if TYPE_CHECKING:
    from dmmodel.analysis import VariantResult

MAX_STATES = 5_000  # explored states; beyond this the overview is refused, not truncated
MAX_NODES = 60  # quotient classes; dot stays fast and the picture readable below this
LABELS_PER_EDGE = 2
DEADLOCK = "no_auth_deadlock"  # the property whose failing states form the deadlock region
TRAPPED, GOAL = "trapped", "goal"
REGIONS = {
    GOAL: "authenticated session (the goal)",
    TRAPPED: "no authentication reachable by protocol steps alone (deadlock)",
}

Key = tuple


class OverviewTooLarge(ValueError):
    """The configuration is too big for a readable overview."""


def _generation(gen: int) -> str:
    return "no account" if gen == NO_ACCOUNT else f"g{gen}"


def _key(state: SystemState, trapped: bool) -> Key:
    parts = tuple((s.device_state, _generation(s.device.gen), s.server_state, _generation(s.account.gen))
                  for s in state)
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


def overview_graph(variant_result: VariantResult) -> Graph:
    """The quotiented state graph of a complete check, with the states where the checker found
    ``no_auth_deadlock`` violated drawn as the deadlock region."""
    checked, model, config = variant_result.result, variant_result.model, variant_result.config
    if not checked.complete:
        raise OverviewTooLarge("the check was partial (a --max-states bound)")
    if checked.states > MAX_STATES:
        raise OverviewTooLarge(f"{checked.states:,} states, more than the {MAX_STATES:,} "
                               "an overview draws")
    states = [model.decode(s) for s in checked.explored.states]
    trapped = set(checked.violating_states(DEADLOCK))
    edges = []
    for source, action, target in checked.edges():
        act = model.step_action(action)[1]
        edges.append((source, target, act.rule or act.label(), act.cls))
    keys = [_key(state, i in trapped) for i, state in enumerate(states)]
    order = list(dict.fromkeys(keys))
    if len(order) > MAX_NODES:
        raise OverviewTooLarge(f"{len(order)} classes, more than the {MAX_NODES} an overview draws")
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
    # Environment steps (bootstraps, faults) are dashed and unlabelled: the legend names them,
    # and labels on every long dashed edge crowd the protocol labels off their edges.
    graph_edges += [Edge(a, b, "" if env else _edge_label(labels), style="dashed" if env else "solid")
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
            "solid: protocol steps (at most two rule names shown per edge)",
            "dashed: bootstrap, re-bootstrap, reset or loss (unlabelled)",
            "steps inside a box are not drawn",
        ),
        warning_groups=(TRAPPED,) if TRAPPED in groups else (),
        labels_beside=True,
    )
