"""The neutral diagram values reject references to things that do not exist."""

import pytest

from dmmodel.render.graph import Edge, Graph, Message, Node, Note, SequenceChart


def test_edge_to_unknown_node_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown node 'b'"):
        Graph("g", "G", (Node("a", "A"),), (Edge("a", "b"),))


def test_node_in_unknown_group_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown group"):
        Graph("g", "G", (Node("a", "A", group="x"),), ())


def test_duplicate_node_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        Graph("g", "G", (Node("a", "A"), Node("a", "B")), ())


def test_groups_cannot_be_changed_through_the_caller_dict() -> None:
    groups = {"x": "X"}
    graph = Graph("g", "G", (Node("a", "A", group="x"),), (), groups)
    groups["y"] = "Y"
    assert dict(graph.groups) == {"x": "X"}
    with pytest.raises(TypeError):
        graph.groups["z"] = "Z"  # type: ignore[index]


def test_sequence_rejects_unknown_participants() -> None:
    with pytest.raises(ValueError, match="unknown participant 'C'"):
        SequenceChart("s", "S", ("A", "B"), (Message("A", "C", "hi"),))
    with pytest.raises(ValueError, match="unknown participant 'C'"):
        SequenceChart("s", "S", ("A", "B"), (Note(("C",), "n"),))


def test_highlight_summary_lists_nodes_then_edges_on_single_lines() -> None:
    graph = Graph(
        "g",
        "G",
        (Node("a", "A\nx", highlight=True), Node("b", ""), Node("c", "C")),
        (Edge("a", "b", "go\nnow", highlight=True), Edge("b", "c"), Edge("c", "a", highlight=True)),
    )
    assert graph.highlight_summary() == ("A x", "A x -> b [go now]", "C -> A x")
