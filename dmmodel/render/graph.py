"""Neutral diagram values: what to draw, with no knowledge of any protocol or output format.

Producers (e.g. a model extractor) build these values; renderers in this package turn them
into DOT or Mermaid text. Construction validates references so renderers can trust them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

NodeShape = Literal["box", "ellipse", "doublecircle", "point"]
EdgeStyle = Literal["solid", "dashed"]
Direction = Literal["LR", "TB"]


@dataclass(frozen=True)
class Node:
    """A vertex; ``highlight`` marks something a change adds, ``group`` names its cluster."""

    id: str
    label: str
    group: str | None = None
    highlight: bool = False
    shape: NodeShape = "box"


@dataclass(frozen=True)
class Edge:
    """A directed, optionally labelled connection between two node ids."""

    source: str
    target: str
    label: str = ""
    highlight: bool = False
    style: EdgeStyle = "solid"


@dataclass(frozen=True)
class Graph:
    """A directed graph with optional clusters (``groups``: group id -> label) and a legend;
    ``warning_groups`` names clusters to draw in the warning colour (e.g. a deadlock region);
    ``labels_beside`` places edge labels beside their edges after layout, for dense graphs."""

    name: str
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    groups: Mapping[str, str] = field(default_factory=dict)
    direction: Direction = "LR"
    legend: tuple[str, ...] = ()
    warning_groups: tuple[str, ...] = ()
    labels_beside: bool = False

    def __post_init__(self) -> None:
        # A read-only copy keeps the frozen value from changing under a renderer.
        object.__setattr__(self, "groups", MappingProxyType(dict(self.groups)))
        ids = [node.id for node in self.nodes]
        if len(set(ids)) != len(ids):
            raise ValueError(f"graph {self.name!r}: duplicate node ids")
        known = set(ids)
        for edge in self.edges:
            for end in (edge.source, edge.target):
                if end not in known:
                    raise ValueError(f"graph {self.name!r}: edge refers to unknown node {end!r}")
        for node in self.nodes:
            if node.group is not None and node.group not in self.groups:
                raise ValueError(f"graph {self.name!r}: node {node.id!r} in unknown group")
        for group in self.warning_groups:
            if group not in self.groups:
                raise ValueError(f"graph {self.name!r}: warning group {group!r} is not a group")

    def highlight_summary(self) -> tuple[str, ...]:
        """One line per highlighted node and edge, in input order, for a legend."""
        names = {node.id: " ".join((node.label or node.id).split()) for node in self.nodes}
        lines = [names[node.id] for node in self.nodes if node.highlight]
        for edge in self.edges:
            if edge.highlight:
                via = f" [{' '.join(edge.label.split())}]" if edge.label else ""
                lines.append(f"{names[edge.source]} -> {names[edge.target]}{via}")
        return tuple(lines)


@dataclass(frozen=True)
class Message:
    """One arrow in a sequence chart; ``fate`` says why a sent message never arrived
    (e.g. "lost", "dropped (connection reset)"), empty when it did."""

    sender: str
    receiver: str
    label: str
    highlight: bool = False
    fate: str = ""


@dataclass(frozen=True)
class Note:
    """A remark placed over one or more participants' lifelines."""

    over: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Divider:
    """A horizontal separator naming the phase that follows."""

    text: str


Event = Message | Note | Divider


@dataclass(frozen=True)
class SequenceChart:
    """Participants (left to right) exchanging messages, in the order of ``events``."""

    name: str
    title: str
    participants: tuple[str, ...]
    events: tuple[Event, ...]

    def __post_init__(self) -> None:
        if len(set(self.participants)) != len(self.participants):
            raise ValueError(f"chart {self.name!r}: duplicate participants")
        known = set(self.participants)
        for event in self.events:
            if isinstance(event, Message):
                ends: tuple[str, ...] = (event.sender, event.receiver)
            elif isinstance(event, Note):
                if not event.over:
                    raise ValueError(f"chart {self.name!r}: note over no participant")
                ends = event.over
            else:
                ends = ()
            for end in ends:
                if end not in known:
                    raise ValueError(f"chart {self.name!r}: unknown participant {end!r}")
