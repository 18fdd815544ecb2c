"""DOT output: escaping, highlights, clusters, sequence layout, and real SVG."""

import re
import xml.etree.ElementTree as ET

import pytest

from dmmodel.render import palette
from dmmodel.render.dot import graph_to_dot, quote, sequence_to_dot
from dmmodel.render.graph import Divider, Edge, Graph, Message, Node, Note, SequenceChart
from dmmodel.render.svg import RendererMissing, RenderError, find_dot_renderer, render_svg

TRICKY = 'say "hi"; a\\b <tag> & {x|y}'

needs_renderer = pytest.mark.skipif(find_dot_renderer() is None, reason="no dot renderer")


def sample_graph() -> Graph:
    nodes = (
        Node("start", "", shape="point"),
        Node("a", TRICKY),
        Node("b", "two\nlines", group="trap", shape="ellipse"),
        Node("c", "added", highlight=True, shape="doublecircle"),
    )
    edges = (
        Edge("start", "a"),
        Edge("a", "b", 'x;y "q"'),
        Edge("b", "c", "new <edge>", highlight=True, style="dashed"),
    )
    return Graph('g"1', "Title: <demo>", nodes, edges, {"trap": "no way out"}, legend=("key",))


def sample_chart() -> SequenceChart:
    return SequenceChart(
        "s",
        "Chart",
        ("A", "B", "C"),
        (
            Divider("phase one"),
            Message("A", "B", TRICKY),
            Message("B", "A", "back", highlight=True),
            Note(("B", "C"), "note\ntext"),
            Message("A", "C", "far", fate="lost"),
            Message("C", "C", "self"),
        ),
    )


def svg_texts(svg: str) -> list[str]:
    """All text drawn in an SVG document (parsing it proves it is well-formed XML)."""
    root = ET.fromstring(svg)
    return [el.text or "" for el in root.iter() if el.tag.endswith("}text")]


def test_quote_escapes_quotes_backslashes_and_newlines() -> None:
    assert quote('a"b\\c\nd\r\ne') == '"a\\"b\\\\c\\nd\\ne"'
    assert quote("<x>") == '"<x>"'


def test_groups_become_clusters_holding_their_members() -> None:
    dot = graph_to_dot(sample_graph())
    cluster = re.search(r"subgraph cluster_0 \{(.*?)\n  \}", dot, re.S)
    assert cluster is not None
    assert 'label="no way out"' in cluster.group(1)
    assert 'label="two\\nlines"' in cluster.group(1)
    assert quote(TRICKY) not in cluster.group(1)


def test_highlights_are_coloured_and_explained_in_the_legend() -> None:
    dot = graph_to_dot(sample_graph())
    node_line = next(line for line in dot.splitlines() if 'label="added"' in line)
    edge_line = next(line for line in dot.splitlines() if "new <edge>" in line and "->" in line)
    for line in (node_line, edge_line):
        assert f'color="{palette.HIGHLIGHT}"' in line
        assert 'penwidth="2.5"' in line
    assert 'style="dashed"' in edge_line
    legend = next(line for line in dot.splitlines() if "legend_highlight" in line)
    assert "red, heavy lines: what the change adds\\l" in legend
    assert "legend_notes" in dot and "key\\l" in dot


def test_a_figure_drops_title_and_legend_and_a_warning_group_is_coloured() -> None:
    graph = sample_graph()
    warned = Graph(graph.name, graph.title, graph.nodes, graph.edges, graph.groups,
                   warning_groups=tuple(graph.groups))
    figure = graph_to_dot(warned, titled=False, legend=False)
    assert "legend" not in figure and f"label={quote(graph.title)}" not in figure
    assert f'fillcolor="{palette.WARNING_FILL}"' in figure
    assert f'fillcolor="{palette.WARNING_FILL}"' not in graph_to_dot(graph)


def test_no_legend_without_highlights_or_notes() -> None:
    graph = Graph("g", "G", (Node("a", "A"),), ())
    assert "legend" not in graph_to_dot(graph)


def test_sequence_messages_follow_event_rows_in_order() -> None:
    dot = sequence_to_dot(sample_chart())
    arrows = [line for line in dot.splitlines() if "constraint" in line and "->" in line]
    # Row 1 A->B, row 2 B->A, row 4 A->C split at B, row 5 self message on C.
    assert [line.split(" [")[0].strip() for line in arrows] == [
        "r1c0 -> r1c1",
        "r2c1 -> r2c0",
        "r4c0 -> r4c1",
        "r4c1 -> r4c2",
        "r5c2 -> r5c2",
    ]
    assert 'arrowhead="none"' in arrows[2] and 'label="far (lost)"' in arrows[2]
    assert 'arrowhead="tee"' in arrows[3] and 'style="dashed"' in arrows[3]
    assert f'color="{palette.HIGHLIGHT}"' in arrows[1]


def test_sequence_notes_and_dividers_are_boxes_on_their_row() -> None:
    dot = sequence_to_dot(sample_chart())
    assert re.search(r'r3c1 \[shape="note", label="note\\ntext"', dot)
    assert re.search(r'r0c1 \[shape="box", label="phase one"', dot)


@needs_renderer
def test_graph_renders_to_svg_with_escaped_labels() -> None:
    texts = svg_texts(render_svg(graph_to_dot(sample_graph())))
    assert TRICKY in texts
    assert {"two", "lines", "added", 'x;y "q"', "new <edge>", "no way out"} <= set(texts)
    assert "Title: <demo>" in texts


@needs_renderer
def test_sequence_renders_to_svg() -> None:
    texts = svg_texts(render_svg(sequence_to_dot(sample_chart())))
    assert {"A", "B", "C", TRICKY, "back", "far (lost)", "self", "phase one"} <= set(texts)


@needs_renderer
def test_render_error_carries_renderer_stderr() -> None:
    with pytest.raises(RenderError) as caught:
        render_svg('digraph { a [label="unterminated] }')
    assert caught.value.stderr


def test_missing_renderer_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("sys.executable", str(tmp_path / "python"))
    assert find_dot_renderer() is None
    with pytest.raises(RendererMissing):
        render_svg("digraph {}")
    with pytest.raises(RendererMissing):
        render_svg("digraph {}", renderer=str(tmp_path / "no-such-dot"))
