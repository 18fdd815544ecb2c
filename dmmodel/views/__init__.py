"""Model -> neutral diagram values: state charts, sequence charts and the state-graph overview.

Everything here reads the protocol model and builds :mod:`dmmodel.render` values; the renderers
turn those into DOT, Mermaid and SVG. Nothing is drawn by hand.
"""

from dmmodel.views.catalog import Diagram, build_diagrams
from dmmodel.views.machines import machine_chart
from dmmodel.views.overview import overview_graph
from dmmodel.views.sequences import trace_chart

__all__ = ["Diagram", "build_diagrams", "machine_chart", "overview_graph", "trace_chart"]
