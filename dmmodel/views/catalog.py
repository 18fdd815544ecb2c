"""The set of diagrams the project publishes, each with a stable file name and a caption.

State charts of both machines for ``dm12`` and ``cr``, the state-graph overview of both, a
sequence chart per scenario, and one per shortest counterexample the default check finds.
Order and names are fixed so that regenerating gives identical files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dmmodel.analysis import VariantResult, check_variant
from dmmodel.protocol.config import PRESETS, Config, load_bounds, make_config
from dmmodel.protocol.device import DEVICE
from dmmodel.protocol.scenarios import load_all, run_scenario
from dmmodel.protocol.server import SERVER
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


def check_presets(config_name: str = "default") -> list[VariantResult]:
    """Check every preset variant on the named configuration (what ``dmmodel check`` does)."""
    name, bounds = load_bounds(config_name)
    return [check_variant(Config(name, bounds, v)) for v in PRESETS.values()]


def _trap_note(result: VariantResult, prop: str) -> str:
    verdict = next(v for v in result.verdicts if v.property.name == prop)
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


def build_diagrams(results: Sequence[VariantResult], config_name: str = "default") -> list[Diagram]:
    """Every published diagram; ``results`` are the checks whose counterexamples are charted."""
    diagrams = []
    for table in (DEVICE, SERVER):
        for variant in CHARTED_VARIANTS:
            graph = machine_chart(table, PRESETS[variant])
            diagrams.append(Diagram(f"machine-{graph.name}", MACHINES, graph.title, graph))
    for variant in CHARTED_VARIANTS:
        graph = overview_graph(make_config(config_name, variant))
        diagrams.append(Diagram(graph.name, OVERVIEW, graph.title, graph))
    for scenario in load_all():
        run = run_scenario(scenario)
        name = f"scenario-{scenario.name}"
        chart = trace_chart(name, scenario.title, run.trace)
        caption = f"{scenario.title} (flow: {scenario.flow}; variant {scenario.variant})"
        diagrams.append(Diagram(name, SCENARIOS, caption, chart, tuple(run.trace)))
    diagrams += counterexample_diagrams(results)
    return diagrams
