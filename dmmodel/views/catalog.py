"""The set of diagrams the project publishes, each with a stable file name and a caption.

State charts of both machines for ``dm12`` and ``cr``, the state-graph overview of both, a
sequence chart per scenario, and one per shortest counterexample the check finds. Everything is
drawn from an :class:`~dmmodel.analysis.Analysis` (the checks and scenario runs, computed once);
nothing here runs the model. Order and names are fixed so that regenerating gives identical files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dmmodel.protocol.config import PRESETS
from dmmodel.protocol.system import TABLES
from dmmodel.protocol.trace import TraceEntry
from dmmodel.render import (
    Graph,
    SequenceChart,
    graph_to_dot,
    graph_to_mermaid,
    sequence_to_dot,
    sequence_to_mermaid,
)
from dmmodel.views.machines import machine_chart
from dmmodel.views.overview import overview_graph
from dmmodel.views.sequences import trace_chart

if TYPE_CHECKING:
    from dmmodel.analysis import Analysis, VariantResult

CHARTED_VARIANTS = ("dm12", "cr")
MACHINES, OVERVIEW, SCENARIOS, COUNTEREXAMPLES = "machines", "overview", "scenarios", "counterexamples"


@dataclass(frozen=True)
class Diagram:
    """One published diagram: file stem, section, caption, the drawing, and its trace if any."""

    name: str
    section: str
    caption: str
    value: Graph | SequenceChart
    trace: tuple[TraceEntry, ...] = ()

    def dot(self) -> str:
        """Graphviz DOT source."""
        if isinstance(self.value, Graph):
            return graph_to_dot(self.value)
        return sequence_to_dot(self.value)

    def mermaid(self) -> str:
        """Mermaid source (flowchart or sequenceDiagram)."""
        if isinstance(self.value, Graph):
            return graph_to_mermaid(self.value)
        return sequence_to_mermaid(self.value)


def _trap_note(result: VariantResult, prop: str) -> str:
    verdict = result.verdict(prop)
    trap = verdict.counterexample.trap
    if trap is None:
        return f"here {prop} is violated"
    rules = list(dict.fromkeys(step.split(": ", 1)[-1] for step in trap.cycle))
    loop = f"\nthey cycle through {', '.join(rules)}" if rules else ""
    return (f"from here protocol steps alone reach {trap.states} states,\n"
            f"none meets the goal of {prop} ({verdict.property.requirement}){loop}")


def counterexample_diagrams(results: Sequence[VariantResult]) -> list[Diagram]:
    """One sequence chart per violated property of each variant, with its numbered trace."""
    diagrams = []
    for result in results:
        for verdict in result.failed():
            prop = verdict.property
            trace = result.traces[prop.name]
            name = f"cex-{result.variant}-{prop.name}"
            title = (f"{result.variant}: {prop.name} ({prop.requirement}) violated, "
                     f"shortest counterexample ({len(trace)} steps)")
            chart = trace_chart(name, title, trace, _trap_note(result, prop.name))
            diagrams.append(Diagram(name, COUNTEREXAMPLES, f"{title}. {prop.doc}", chart, tuple(trace)))
    return diagrams


def build_diagrams(analysis: Analysis) -> list[Diagram]:
    """Every published diagram of one analysis: charts, overviews, scenarios, counterexamples."""
    diagrams = []
    for table in TABLES.values():
        for variant in CHARTED_VARIANTS:
            graph = machine_chart(table, PRESETS[variant])
            diagrams.append(Diagram(f"machine-{graph.name}", MACHINES, graph.title, graph))
    for variant in CHARTED_VARIANTS:
        graph = overview_graph(analysis.result(variant))
        diagrams.append(Diagram(graph.name, OVERVIEW, graph.title, graph))
    for run in analysis.scenarios:
        scenario = run.scenario
        name = f"scenario-{scenario.name}"
        chart = trace_chart(name, scenario.title, run.trace)
        caption = f"{scenario.title} (flow: {scenario.flow}; variant {scenario.variant})"
        diagrams.append(Diagram(name, SCENARIOS, caption, chart, tuple(run.trace)))
    diagrams += counterexample_diagrams(analysis.results)
    return diagrams
