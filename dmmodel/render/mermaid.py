"""Mermaid text for neutral graphs (``flowchart``) and sequence charts (``sequenceDiagram``).

Graphs use ``flowchart`` rather than ``stateDiagram-v2``: it supports labelled edges into and out
of clusters, per-edge styling (``linkStyle``) and node classes. Output is deterministic.
"""

from __future__ import annotations

from dmmodel.render import palette
from dmmodel.render.graph import Divider, Edge, Graph, Message, Node, Note, SequenceChart

# Characters that end a statement, open syntax or break a quoted label in Mermaid, written as
# its ``#code;`` entities (which Mermaid decodes in every diagram type).
_ENTITIES = {
    "#": "#35;",
    ";": "#59;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "|": "#124;",
    "`": "#96;",
    "%": "#37;",  # "%%" starts a comment anywhere on a line
}

_SHAPES = {
    "box": ('("', '")'),
    "ellipse": ('(["', '"])'),
    "doublecircle": ('((("', '")))'),
}


def escape(text: str) -> str:
    """Make ``text`` safe inside any Mermaid label; newlines become ``<br/>``."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br/>".join("".join(_ENTITIES.get(char, char) for char in line) for line in lines)


def _yaml_string(text: str) -> str:
    """A one-line YAML double-quoted string, for the front-matter title."""
    flat = " ".join(text.split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _node_line(mermaid_id: str, node: Node) -> str:
    """One node declaration with its shape; points are tiny filled circles."""
    if node.shape == "point":
        return f'{mermaid_id}((" "))'
    opening, closing = _SHAPES[node.shape]
    return f"{mermaid_id}{opening}{escape(node.label)}{closing}"


def _edge_line(ids: dict[str, str], edge: Edge) -> str:
    """One link; dashed edges use the dotted arrow."""
    arrow = "-.->" if edge.style == "dashed" else "-->"
    label = f'|"{escape(edge.label)}"|' if edge.label else ""
    return f"{ids[edge.source]} {arrow}{label} {ids[edge.target]}"


def _legend_lines(graph: Graph) -> list[str]:
    """A legend cluster with the caller's notes and the highlighted elements, if any."""
    highlighted = graph.highlight_summary()
    if not graph.legend and not highlighted:
        return []
    lines = ['    subgraph legend["Legend"]']
    if graph.legend:
        lines.append(f'        legend_notes["{"<br/>".join(escape(x) for x in graph.legend)}"]')
    if highlighted:
        body = "<br/>".join(escape(x) for x in ["Highlighted:", *highlighted])
        lines.append(f'        legend_highlight["{body}"]:::highlight')
    lines.append("    end")
    return lines


def graph_to_mermaid(graph: Graph) -> str:
    """Render a neutral graph as a Mermaid flowchart with clusters, highlights and a legend."""
    ids = {node.id: f"n{index}" for index, node in enumerate(graph.nodes)}
    lines = ["---", f"title: {_yaml_string(graph.title)}", "---", f"flowchart {graph.direction}"]
    for index, (group, label) in enumerate(graph.groups.items()):
        lines.append(f'    subgraph g{index}["{escape(label)}"]')
        lines.extend(
            f"        {_node_line(ids[node.id], node)}"
            for node in graph.nodes
            if node.group == group
        )
        lines.append("    end")
    lines.extend(
        f"    {_node_line(ids[node.id], node)}" for node in graph.nodes if node.group is None
    )
    lines.extend(f"    {_edge_line(ids, edge)}" for edge in graph.edges)
    lines.extend(_legend_lines(graph))
    lines.append(
        f"    classDef highlight fill:{palette.HIGHLIGHT_FILL},stroke:{palette.HIGHLIGHT},"
        f"stroke-width:3px,color:{palette.HIGHLIGHT},font-weight:bold"
    )
    lines.append("    classDef point fill:#000,stroke:#000")
    for name, members in (
        ("point", [n for n in graph.nodes if n.shape == "point" and not n.highlight]),
        ("highlight", [n for n in graph.nodes if n.highlight]),
    ):
        if members:
            lines.append(f"    class {','.join(ids[n.id] for n in members)} {name}")
    for index, group in enumerate(graph.groups):
        if group in graph.warning_groups:
            lines.append(f"    style g{index} fill:{palette.WARNING_FILL},stroke:{palette.WARNING},"
                         f"stroke-width:2px,color:{palette.WARNING}")
    for index, edge in enumerate(graph.edges):
        if edge.highlight:
            lines.append(
                f"    linkStyle {index} stroke:{palette.HIGHLIGHT},stroke-width:3px,"
                f"color:{palette.HIGHLIGHT}"
            )
    return "\n".join(lines) + "\n"


def _text(text: str) -> str:
    """Escaped statement text after a colon, with no trailing space when empty."""
    return f" {escape(text)}" if text else ""


def _event_line(ids: dict[str, str], chart: SequenceChart, event: Message | Note | Divider) -> str:
    """One sequence statement: an arrow, a note, or a full-width note acting as divider."""
    if isinstance(event, Message):
        arrow = "-x" if event.fate else "->>"
        label = f"{event.label} ({event.fate})" if event.fate else event.label
        return f"{ids[event.sender]}{arrow}{ids[event.receiver]}:{_text(label)}"
    if isinstance(event, Note):
        # Mermaid notes span at most two participants: the leftmost and rightmost covered.
        columns = sorted(chart.participants.index(name) for name in event.over)
        span = sorted({columns[0], columns[-1]})
        over = ",".join(ids[chart.participants[c]] for c in span)
        return f"Note over {over}:{_text(event.text)}"
    ends = dict.fromkeys([ids[chart.participants[0]], ids[chart.participants[-1]]])
    return f"Note over {','.join(ends)}: == {escape(event.text)} =="


def sequence_to_mermaid(chart: SequenceChart) -> str:
    """Render a sequence chart as a Mermaid sequenceDiagram; highlighted runs sit in a rect."""
    ids = {name: f"p{index}" for index, name in enumerate(chart.participants)}
    lines = ["sequenceDiagram", f"    title {escape(' '.join(chart.title.split()))}"]
    lines.extend(f"    participant {ids[name]} as {escape(name)}" for name in chart.participants)
    inside = False
    red, green, blue = palette.HIGHLIGHT_FILL_RGB
    for event in chart.events:
        highlighted = isinstance(event, Message) and event.highlight
        if highlighted and not inside:
            lines.append(f"    rect rgb({red}, {green}, {blue})")
        elif inside and not highlighted:
            lines.append("    end")
        inside = highlighted
        indent = "        " if inside else "    "
        lines.append(indent + _event_line(ids, chart, event))
    if inside:
        lines.append("    end")
    return "\n".join(lines) + "\n"
