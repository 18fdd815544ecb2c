"""Graphviz DOT text for neutral graphs and sequence charts.

Output is deterministic: it depends only on the input values and their order, so the same
diagram always yields byte-identical text (diff-friendly, cacheable).
"""

from __future__ import annotations

from collections.abc import Iterable

from dmmodel.render import palette
from dmmodel.render.graph import Divider, Edge, Graph, Message, Node, Note, SequenceChart

# DejaVu Sans is the font Linux viewers actually draw with, and the renderers carry its metrics,
# so boxes fit their text. Bold variants lack metrics (text would overflow), hence no bold font:
# emphasis is colour plus heavy strokes.
FONT = "DejaVu Sans"


def quote(text: str) -> str:
    """Return ``text`` as a DOT double-quoted string; newlines become centred line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def _attrs(**values: str | float) -> str:
    """Format a DOT attribute list; values are quoted, keys kept in the given order."""
    parts = [f"{key}={quote(str(value))}" for key, value in values.items()]
    return "[" + ", ".join(parts) + "]"


def _header(kind: str, title: str, rankdir: str, extra: dict[str, str | float]) -> list[str]:
    """Opening lines shared by every diagram: title on top (if any), common fonts and spacing."""
    titled = {"label": title, "labelloc": "t"} if title else {}
    graph_attrs = {
        **titled,
        "fontname": FONT,
        "fontsize": 16,
        "rankdir": rankdir,
        **extra,
    }
    return [
        f"{kind} {{",
        "  graph " + _attrs(**graph_attrs) + ";",
        "  node " + _attrs(fontname=FONT, fontsize=11) + ";",
        "  edge " + _attrs(fontname=FONT, fontsize=10) + ";",
    ]


def _node_line(dot_id: str, node: Node) -> str:
    """One node statement; shape and highlight decide its look."""
    attrs: dict[str, str | float] = {"label": node.label, "tooltip": node.label}
    if node.shape == "point":
        attrs.update(shape="point", width=0.18, label="")
    elif node.shape == "box":
        attrs.update(shape="box", style="rounded")
    else:
        attrs.update(shape=node.shape)
    if node.highlight:
        attrs.update(color=palette.HIGHLIGHT, fontcolor=palette.HIGHLIGHT, penwidth=2.5)
        attrs["style"] = ",".join(filter(None, [str(attrs.get("style", "")), "filled"]))
        attrs["fillcolor"] = palette.HIGHLIGHT if node.shape == "point" else palette.HIGHLIGHT_FILL
    return f"  {dot_id} {_attrs(**attrs)};"


def _edge_line(ids: dict[str, str], edge: Edge, beside: bool = False) -> str:
    """One edge statement between already-declared nodes; ``beside`` makes the label an xlabel."""
    attrs: dict[str, str | float] = {}
    if edge.label:
        attrs["xlabel" if beside else "label"] = edge.label
    if edge.style == "dashed":
        attrs["style"] = "dashed"
    if edge.highlight:
        attrs.update(color=palette.HIGHLIGHT, fontcolor=palette.HIGHLIGHT, penwidth=2.5)
    suffix = f" {_attrs(**attrs)}" if attrs else ""
    return f"  {ids[edge.source]} -> {ids[edge.target]}{suffix};"


def _left_lines(lines: Iterable[str]) -> str:
    """Join lines into one left-justified DOT label (``\\l`` ends each line)."""
    return "".join(quote(line)[1:-1] + "\\l" for line in lines)


def _legend(graph: Graph) -> list[str]:
    """A cluster holding the caller's legend lines and, if anything is highlighted, what the
    highlight means (the coloured elements speak for themselves; listing them would double the
    drawing's width)."""
    highlighted = any(n.highlight for n in graph.nodes) or any(e.highlight for e in graph.edges)
    if not graph.legend and not highlighted:
        return []
    lines = [
        "  subgraph cluster_legend {",
        "    graph " + _attrs(label="Legend", style="dashed", fontsize=12, labeljust="l") + ";",
    ]
    # Labels here are pre-escaped (they contain \l), so they are written without quote().
    if graph.legend:
        lines.append(
            f'    legend_notes [shape=note, fontsize=10, label="{_left_lines(graph.legend)}"];'
        )
    if highlighted:
        text = _left_lines(["red, heavy lines: what the change adds"])
        lines.append(
            f'    legend_highlight [shape=note, fontsize=10, color="{palette.HIGHLIGHT}", '
            f'fontcolor="{palette.HIGHLIGHT}", label="{text}"];'
        )
    lines.append("  }")
    return lines


def graph_to_dot(graph: Graph, titled: bool = True, legend: bool = True) -> str:
    """Render a neutral graph as DOT; groups become clusters, highlights get colour.

    ``titled`` and ``legend`` draw the title and legend; a page that shows them as HTML turns
    them off. Warning groups get the warning colours instead of the neutral cluster fill.
    """
    ids = {node.id: f"n{index}" for index, node in enumerate(graph.nodes)}
    lines = _header(
        "digraph " + quote(graph.name),
        graph.title if titled else "",
        graph.direction,
        {"nodesep": 0.4, "ranksep": 0.6, "newrank": "true", "compound": "true",
         **({"forcelabels": "true"} if graph.labels_beside else {})},
    )
    for index, (group, label) in enumerate(graph.groups.items()):
        members = [node for node in graph.nodes if node.group == group]
        warn = group in graph.warning_groups
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(
            "    graph "
            + _attrs(
                label=label,
                style="rounded,filled",
                fillcolor=palette.WARNING_FILL if warn else palette.GROUP_FILL,
                color=palette.WARNING if warn else "#999999",
                fontcolor=palette.WARNING if warn else "#000000",
                penwidth=2 if warn else 1,
                fontsize=12,
            )
            + ";"
        )
        lines.extend("  " + _node_line(ids[node.id], node) for node in members)
        lines.append("  }")
    lines.extend(_node_line(ids[node.id], node) for node in graph.nodes if node.group is None)
    lines.extend(_edge_line(ids, edge, graph.labels_beside) for edge in graph.edges)
    if legend:
        lines.extend(_legend(graph))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _event_cell(row: int, column: int) -> str:
    """DOT id of the invisible anchor where lifeline ``column`` crosses event ``row``."""
    return f"r{row}c{column}"


def _message_attrs(message: Message) -> dict[str, str | float]:
    """Look of one message arrow: lost ones are dashed, grey and end in a bar."""
    attrs: dict[str, str | float] = {"constraint": "false"}
    if message.fate:
        attrs.update(style="dashed", color=palette.LOST, fontcolor=palette.LOST, arrowhead="tee")
    if message.highlight:
        attrs.update(color=palette.HIGHLIGHT, fontcolor=palette.HIGHLIGHT, penwidth=2.5)
    return attrs


def _message_lines(row: int, source: int, target: int, message: Message) -> list[str]:
    """The arrow of one message, split at every lifeline it crosses so it stays straight.

    The label sits on the first segment; only the last segment carries the arrowhead.
    """
    label = f"{message.label} ({message.fate})" if message.fate else message.label
    attrs = _message_attrs(message)
    if source == target:
        return [
            f"  {_event_cell(row, source)} -> {_event_cell(row, source)} "
            f"{_attrs(**attrs, label=label)};"
        ]
    step = 1 if target > source else -1
    columns = list(range(source, target + step, step))
    lines = []
    for index, (start, end) in enumerate(zip(columns, columns[1:], strict=False)):
        segment = dict(attrs)
        if index == 0:
            segment["label"] = label
        if end != target:
            segment["arrowhead"] = "none"
        lines.append(f"  {_event_cell(row, start)} -> {_event_cell(row, end)} {_attrs(**segment)};")
    return lines


def _event_box(chart: SequenceChart, event: Note | Divider) -> tuple[int, str]:
    """Column and attributes of the box a note or divider draws on its row."""
    if isinstance(event, Note):
        column = min(chart.participants.index(name) for name in event.over)
        return column, _attrs(
            shape="note",
            label=event.text,
            fontsize=10,
            style="filled",
            fillcolor="#fffbe6",
            color="#c9b458",
        )
    # A divider sits on the middle lifeline so it reads as a separator across the chart.
    return len(chart.participants) // 2, _attrs(
        shape="box",
        label=event.text,
        fontsize=10,
        style="filled",
        fillcolor="#e8e8e8",
        color="#e8e8e8",
    )


def _event_row(chart: SequenceChart, row: int, event: Message | Note | Divider) -> list[str]:
    """Anchors for one event row, plus the arrow or box the event draws."""
    boxed, box = (None, "") if isinstance(event, Message) else _event_box(chart, event)
    anchor = f'[shape=point, width=0.01, height=0.01, color="{palette.LIFELINE}"]'
    lines = [
        f"  {_event_cell(row, column)} {box if column == boxed else anchor};"
        for column in range(len(chart.participants))
    ]
    cells = " ".join(_event_cell(row, column) for column in range(len(chart.participants)))
    lines.append(f"  {{ rank=same; {cells} }}")
    if isinstance(event, Message):
        source = chart.participants.index(event.sender)
        target = chart.participants.index(event.receiver)
        lines.extend(_message_lines(row, source, target, event))
    return lines


def sequence_to_dot(chart: SequenceChart, titled: bool = True) -> str:
    """Render a sequence chart as DOT: one column per participant, one rank per event."""
    lines = _header(
        "digraph " + quote(chart.name),
        chart.title if titled else "",
        "TB",
        {"nodesep": 1.2, "ranksep": 0.35, "splines": "false", "newrank": "true"},
    )
    width = len(chart.participants)
    for column, name in enumerate(chart.participants):
        lines.append(
            f"  p{column} "
            + _attrs(label=name, shape="box", style="filled", fillcolor="#dde8f5")
            + ";"
        )
    lines.append("  { rank=same; " + " ".join(f"p{c}" for c in range(width)) + " }")
    for row, event in enumerate(chart.events):
        lines.extend(_event_row(chart, row, event))
    # Lifelines: heavy vertical chains keep each column straight. A message label sits above
    # its arrow, so the segment above a row with a multi-line label spans one rank per line.
    lifeline = f'arrowhead=none, style=dashed, color="{palette.LIFELINE}", weight=100'
    spans = [event.label.count("\n") + 1 if isinstance(event, Message) else 1
             for event in chart.events]
    for column in range(width):
        run = [f"p{column}"]
        for row, span in enumerate(spans):
            cell = _event_cell(row, column)
            if span > 1:
                if len(run) > 1:
                    lines.append(f"  {' -> '.join(run)} [{lifeline}];")
                lines.append(f"  {run[-1]} -> {cell} [{lifeline}, minlen={span}];")
                run = [cell]
            else:
                run.append(cell)
        if len(run) > 1:
            lines.append(f"  {' -> '.join(run)} [{lifeline}];")
    # Invisible links keep columns in participant order on every rank.
    for row in range(-1, len(chart.events)):
        cells = [f"p{c}" if row < 0 else _event_cell(row, c) for c in range(width)]
        if len(cells) > 1:
            lines.append(f"  {' -> '.join(cells)} [style=invis];")
    lines.append("}")
    return "\n".join(lines) + "\n"
