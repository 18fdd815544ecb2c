"""Mermaid output: escaping, highlights, clusters, and sequence message order."""

import re

from dmmodel.render import palette
from dmmodel.render.graph import Divider, Edge, Graph, Message, Node, Note, SequenceChart
from dmmodel.render.mermaid import escape, graph_to_mermaid, sequence_to_mermaid

TRICKY = 'say "hi"; #1 <b> & a|b `c` 50%% done'


def sample_graph() -> Graph:
    nodes = (
        Node("start", "", shape="point"),
        Node("a", TRICKY),
        Node("b", "two\nlines", group="trap", shape="ellipse"),
        Node("c", "added", highlight=True, shape="doublecircle"),
    )
    edges = (
        Edge("start", "a"),
        Edge("a", "b", TRICKY, style="dashed"),
        Edge("b", "c", "new", highlight=True),
    )
    return Graph("g", 'Title "x"', nodes, edges, {"trap": "no way out"}, legend=("key",))


def sample_chart() -> SequenceChart:
    return SequenceChart(
        "s",
        "Chart; one",
        ("Client", "Server", "Store"),
        (
            Divider("phase"),
            Message("Client", "Server", TRICKY),
            Message("Server", "Store", "lookup", highlight=True),
            Message("Store", "Server", "found", highlight=True),
            Note(("Client", "Store", "Server"), "wide\nnote"),
            Message("Client", "Server", "retry", fate="lost"),
            Message("Server", "Client", "ok"),
        ),
    )


def test_escape_removes_every_character_that_breaks_the_parser() -> None:
    escaped = escape(TRICKY + "\nnext")
    bare = re.sub(r"#\w+;", "", escaped.replace("<br/>", " "))
    for char in ';#"<>|`%':
        assert char not in bare
    assert escaped.endswith("<br/>next")
    assert "#quot;" in escaped and "#59;" in escaped and "#35;1" in escaped


def test_graph_is_a_flowchart_with_shapes_and_escaped_labels() -> None:
    text = graph_to_mermaid(sample_graph())
    lines = text.splitlines()
    assert lines[:4] == ["---", 'title: "Title \\"x\\""', "---", "flowchart LR"]
    assert f'    n1("{escape(TRICKY)}")' in lines
    assert "    n0 --> n1" in lines
    assert f'    n1 -.->|"{escape(TRICKY)}"| n2' in lines
    assert '        n3((("added")))' not in lines  # ungrouped nodes are not indented twice
    assert '    n3((("added")))' in lines


def test_groups_become_subgraphs_holding_their_members() -> None:
    text = graph_to_mermaid(sample_graph())
    block = re.search(r'subgraph g0\["no way out"\]\n(.*?)\n    end', text, re.S)
    assert block is not None
    assert block.group(1).strip() == 'n2(["two<br/>lines"])'


def test_highlights_get_a_class_a_link_style_and_a_legend_entry() -> None:
    text = graph_to_mermaid(sample_graph())
    assert f"classDef highlight fill:{palette.HIGHLIGHT_FILL},stroke:{palette.HIGHLIGHT}" in text
    assert "    class n3 highlight" in text.splitlines()
    # The highlighted edge is the third link statement, so Mermaid numbers it 2.
    assert re.search(rf"linkStyle 2 stroke:{palette.HIGHLIGHT}", text)
    assert len(re.findall("linkStyle", text)) == 1
    legend = re.search(r'subgraph legend\["Legend"\]\n(.*?)\n    end', text, re.S)
    assert legend is not None
    assert 'legend_notes["key"]' in legend.group(1)
    assert 'legend_highlight["Highlighted:<br/>added<br/>two lines -#gt; added [new]"]' in (
        legend.group(1)
    )


def test_sequence_has_one_arrow_line_per_message_in_order() -> None:
    text = sequence_to_mermaid(sample_chart())
    arrows = [line.strip() for line in text.splitlines() if re.match(r"\s*p\d(->>|-x)p\d:", line)]
    assert arrows == [
        f"p0->>p1: {escape(TRICKY)}",
        "p1->>p2: lookup",
        "p2->>p1: found",
        "p0-xp1: retry (lost)",
        "p1->>p0: ok",
    ]


def test_sequence_participants_notes_dividers_and_highlight_blocks() -> None:
    lines = sequence_to_mermaid(sample_chart()).splitlines()
    assert lines[:5] == [
        "sequenceDiagram",
        "    title Chart#59; one",
        "    participant p0 as Client",
        "    participant p1 as Server",
        "    participant p2 as Store",
    ]
    assert "    Note over p0,p2: == phase ==" in lines
    assert "    Note over p0,p2: wide<br/>note" in lines
    start = lines.index("    rect rgb(253, 236, 234)")
    assert lines[start + 1 : start + 4] == [
        "        p1->>p2: lookup",
        "        p2->>p1: found",
        "    end",
    ]
    assert sum(line.strip().startswith("rect ") for line in lines) == 1


def test_note_over_one_participant_and_empty_message() -> None:
    chart = SequenceChart("s", "S", ("A", "B"), (Note(("B",), "n"), Message("A", "B", "")))
    lines = sequence_to_mermaid(chart).splitlines()
    assert lines[-2:] == ["    Note over p1: n", "    p0->>p1:"]
