"""State charts of the device and server machines, read from their rule tables.

One edge per rule and source (rules sharing source and destination share an edge); a rule that
leaves three or more states starts from an "any of" node instead, which keeps the server's chart
legible. In a variant with change-request switches on, what the CR adds is highlighted: rules that
belong to a switch, and rules whose effect a switch changes (each rule's ``adds``).
"""

from __future__ import annotations

from dmmodel.protocol.config import Variant
from dmmodel.protocol.rules import FAULT, SETUP, MachineTable, Rule
from dmmodel.render import Edge, Graph, Node

SPREAD = 3  # a rule leaving this many states or more is drawn from an "any of" node


def _event(rule: Rule) -> str:
    """What makes the rule fire: the package it takes, or its trigger."""
    return f"Pkg{rule.consumes}" if rule.consumes is not None else rule.trigger


def _label(rule: Rule, variant: Variant) -> tuple[str, str, bool]:
    """The edge text of ``rule`` (head, additions) and whether the CR adds to it in ``variant``."""
    # a rule that belongs to a switch is highlighted whole; the additions inside it go unsaid
    added = [] if rule.requires else [text for switch, text in rule.adds if variant.on(switch)]
    event = _event(rule)
    head = rule.name if event == rule.name else f"{event} / {rule.name}"
    highlight = bool(added) or (rule.requires is not None and variant.on(rule.requires))
    return head, " ".join(added), highlight


def _sources(rule: Rule) -> str:
    return "any of " + " | ".join(rule.sources)


def _edge_text(lines: dict[str, list[str]]) -> str:
    """``Pkg1 / accept`` for one rule; ``Pkg1 /`` over one rule per line for several."""
    out = []
    for prefix, names in lines.items():
        out += [prefix + names[0]] if len(names) == 1 else [prefix.rstrip(), *names]
    return "\n".join(out)


def machine_chart(table: MachineTable, variant: Variant) -> Graph:
    """The state chart of ``table`` as run in ``variant``."""
    kept = table.for_variant(variant)
    nodes = [Node("start", "", shape="point")]
    nodes += [Node(state, state, shape="ellipse") for state in table.states]
    spreads = list(dict.fromkeys(_sources(r) for r in kept.rules if len(r.sources) >= SPREAD))
    nodes += [Node(s, s.replace(" | ", "\n"), shape="box") for s in spreads]
    # Rules with the same ends and look share an edge, and rules taking the same package a heading.
    merged: dict[tuple[str, str, bool, str], dict[str, list[str]]] = {
        ("start", table.initial, False, "solid"): {}}
    for rule in kept.rules:
        head, added, highlight = _label(rule, variant)
        style = "dashed" if rule.cls in (FAULT, SETUP) else "solid"
        sources = [_sources(rule)] if len(rule.sources) >= SPREAD else list(rule.sources)
        for source in sources:
            lines = merged.setdefault((source, rule.dest, highlight, style), {})
            event, _, name = head.rpartition(" / ")
            lines.setdefault(f"{event} / " if event else "", []).append(name + (f" {added}" if added else ""))
    edges = [Edge(src, dst, _edge_text(lines), highlight=hl, style=style)
             for (src, dst, hl, style), lines in merged.items()]
    cr = variant.report or variant.ack or variant.type_node
    legend = [
        "PkgN / rule: the rule fires when package N arrives",
        "dashed: bootstrap and faults from the environment",
    ]
    return Graph(
        name=f"{table.name}-{variant.name}",
        title=f"{table.name.capitalize()} machine, variant {variant.name}"
        + (" (change-request additions highlighted)" if cr else " (DM 1.2 as specified)"),
        nodes=tuple(nodes),
        edges=tuple(edges),
        direction="TB",
        legend=tuple(legend),
    )


def machine_key(table: MachineTable, variant: Variant) -> tuple[tuple[str, str], ...]:
    """What each word on the chart's edges means: the change-request terms and every rule."""
    terms = [("report", "Generic Alert 1226 BootstrapComplete"), ("ack", "Status 200 on the report"),
             ("Get type", "Get Ext/BootstrapType")]
    return (*terms, *((r.name, r.doc) for r in table.for_variant(variant).rules))
