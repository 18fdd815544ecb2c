"""Protocol-agnostic diagram rendering: neutral graph values in, DOT / Mermaid / SVG text out."""

from dmmodel.render.dot import graph_to_dot, sequence_to_dot
from dmmodel.render.graph import Divider, Edge, Graph, Message, Node, Note, SequenceChart
from dmmodel.render.mermaid import graph_to_mermaid, sequence_to_mermaid
from dmmodel.render.svg import RendererMissing, RenderError, find_dot_renderer, render_svg

__all__ = [
    "Divider",
    "Edge",
    "Graph",
    "Message",
    "Node",
    "Note",
    "RenderError",
    "RendererMissing",
    "SequenceChart",
    "find_dot_renderer",
    "graph_to_dot",
    "graph_to_mermaid",
    "render_svg",
    "sequence_to_dot",
    "sequence_to_mermaid",
]
