"""The set of diagrams the project publishes, each with a stable file name and a caption.

State charts of both machines for ``dm12`` and ``cr``, the state-graph overview of both, a
sequence chart per scenario, and one per shortest counterexample the check finds. Everything is
drawn from an :class:`~dmmodel.analysis.Analysis` (the checks and scenario runs, computed once);
nothing here runs the model. The report's Security section adds the shortest attack on the change
request, drawn from a :class:`~dmmodel.analysis.SecurityAnalysis`. Order and names are fixed so
that regenerating gives identical files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dmmodel.protocol.config import PRESETS
from dmmodel.protocol.system import TABLES
from dmmodel.render import (
    Graph,
    SequenceChart,
    graph_to_dot,
    graph_to_mermaid,
    sequence_to_dot,
    sequence_to_mermaid,
)
from dmmodel.runtime.trace import TraceEntry
from dmmodel.views.machines import machine_chart, machine_key
from dmmodel.views.overview import OverviewTooLarge, overview_graph
from dmmodel.views.sequences import trace_chart

if TYPE_CHECKING:
    from dmmodel.analysis import Analysis, SecurityAnalysis, VariantResult

CHARTED_VARIANTS = ("dm12", "cr")
MACHINES, OVERVIEW, SCENARIOS, COUNTEREXAMPLES = "machines", "overview", "scenarios", "counterexamples"
SECURITY = "security"
# The attack the Security section draws: the change request under replay, the recorded Package 1
# that the server takes a second time (shorter runs only read the rotated secret in clear).
SHOWN_ATTACK = ("attack-replay", "cr", "injective_agreement_server")


@dataclass(frozen=True)
class Diagram:
    """One published diagram: file stem, section, caption, the drawing, and its trace if any.

    ``key`` explains terms (term, meaning) in the report's legend rather than inside the drawing;
    ``loop_start`` is the trace step where a counterexample's endless loop begins.
    """

    name: str
    section: str
    caption: str
    value: Graph | SequenceChart
    trace: tuple[TraceEntry, ...] = ()
    key: tuple[tuple[str, str], ...] = ()
    loop_start: int | None = None

    def dot(self) -> str:
        """Graphviz DOT source, titled and with its legend, as published in ``diagrams/``."""
        if isinstance(self.value, Graph):
            return graph_to_dot(self.value)
        return sequence_to_dot(self.value)

    def figure_dot(self) -> str:
        """DOT for a figure whose caption and legend the page shows: no title, no legend."""
        if isinstance(self.value, Graph):
            return graph_to_dot(self.value, titled=False, legend=False)
        return sequence_to_dot(self.value, titled=False)

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


def counterexample_diagram(result: VariantResult, prop: str, name: str, section: str,
                           under: str = "") -> Diagram:
    """The sequence chart of the shortest counterexample of ``prop`` in ``result``, with its
    numbered trace; ``under`` names the attacker configuration in the title, if any."""
    verdict = result.verdict(prop)
    trace = result.traces[prop]
    doc, requirement = verdict.property.doc, verdict.property.requirement
    title = (f"{result.variant}{under}: {prop} ({requirement}) violated, "
             f"shortest counterexample ({len(trace)} step{'' if len(trace) == 1 else 's'})")
    loop = result.lassos.get(prop)
    if loop is not None:
        title += f", then a loop back to step {loop.loop_start}"
        trace = trace + loop.steps
    start = loop.loop_start if loop else None
    chart = trace_chart(name, title, trace, _trap_note(result, prop), start)
    return Diagram(name, section, f"{title}. {doc}", chart, tuple(trace), loop_start=start)


def counterexample_diagrams(results: Sequence[VariantResult]) -> list[Diagram]:
    """One sequence chart per violated property of each variant, with its numbered trace."""
    return [counterexample_diagram(result, verdict.property.name,
                                   f"cex-{result.variant}-{verdict.property.name}", COUNTEREXAMPLES)
            for result in results for verdict in result.failed()]


def attack_diagram(result: VariantResult, prop: str) -> Diagram | None:
    """The chart of the shortest counterexample of ``prop`` in ``result``, for the report's
    Security section; None if it holds. Named after the configuration, so it never clashes with
    the counterexamples section."""
    if result.verdict(prop).holds is not False:
        return None
    config = result.config.name
    return counterexample_diagram(result, prop, attack_diagram_name(config, result.variant, prop),
                                  SECURITY, f" under {config}")


def attack_diagram_name(config: str, variant: str, prop: str) -> str:
    """The name of the Security section's chart of ``variant`` violating ``prop`` under ``config``."""
    return f"{SECURITY}-{config}-{variant}-{prop}"


def security_diagrams(security: SecurityAnalysis) -> list[Diagram]:
    """The Security section's chart: the attack of :data:`SHOWN_ATTACK`, if that configuration
    and variant were checked and the property was violated."""
    config, variant, prop = SHOWN_ATTACK
    result = next((r for r in security.checks.get(config, ()) if r.variant == variant), None)
    diagram = attack_diagram(result, prop) if result is not None else None
    return [diagram] if diagram is not None else []


@dataclass(frozen=True)
class Catalog:
    """The diagrams of one analysis, and the overviews left out with the reason (name -> why)."""

    diagrams: list[Diagram]
    omitted: dict[str, str]


def build_diagrams(analysis: Analysis) -> Catalog:
    """Every published diagram of one analysis: charts, overviews, scenarios, counterexamples.

    An overview too large to read is left out and named in ``omitted``; the rest is always drawn.
    """
    diagrams, omitted = [], {}
    for table in TABLES.values():
        for variant in CHARTED_VARIANTS:
            graph = machine_chart(table, PRESETS[variant])
            diagrams.append(Diagram(f"machine-{graph.name}", MACHINES, graph.title, graph,
                                    key=machine_key(table, PRESETS[variant])))
    for variant in CHARTED_VARIANTS:
        try:
            graph = overview_graph(analysis.result(variant))
        except OverviewTooLarge as error:
            omitted[f"overview-{variant}"] = f"overview of variant {variant} not drawn: {error}"
            continue
        diagrams.append(Diagram(graph.name, OVERVIEW, graph.title, graph))
    for run in analysis.scenarios:
        scenario = run.scenario
        name = f"scenario-{scenario.name}"
        chart = trace_chart(name, scenario.title, run.trace)
        caption = f"{scenario.title} (flow: {scenario.flow}; variant {scenario.variant})"
        diagrams.append(Diagram(name, SCENARIOS, caption, chart, tuple(run.trace)))
    diagrams += counterexample_diagrams(analysis.results)
    return Catalog(diagrams, omitted)
