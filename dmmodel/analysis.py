"""Compute once, draw many: checking variants side by side and replaying their counterexamples.

This is the one place where the DM model is checked for the command line, the manifest, the
report and the diagrams: :func:`check_presets` runs the generic checker on the DM model for
each variant of a configuration and turns every counterexample into a trace of the executable
``transitions`` machines (with real credentials), verifying on the way that the replay reaches
the very states the checker found; :func:`analyse` adds the scenario runs, and
:func:`analyse_security` checks the security properties under the attacker configurations. Views
only draw what these return.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from time import perf_counter
from typing import Any

from dmmodel.checker import (
    CheckResult,
    Counterexample,
    Progress,
    Verdict,
    check,
    concrete_path,
    reduced_successors,
)
from dmmodel.protocol.config import (
    MITIGATIONS,
    PRESETS,
    Bounds,
    Config,
    ConfigError,
    load_bounds,
    named_attacker,
    named_configs,
    variant,
)
from dmmodel.protocol.crypto import symbolize
from dmmodel.protocol.nonces import canonical
from dmmodel.protocol.system import SystemState
from dmmodel.runtime.scenarios import ScenarioRun, load_all, run_scenario
from dmmodel.runtime.trace import TraceEntry, play
from dmmodel.search.checkable import DMModel, property_names, security_names

ProgressFactory = Callable[[Config], Callable[[Progress], None] | None]


@dataclass(frozen=True)
class Lasso:
    """What follows a reachability counterexample, replayed: the steps into the trap's nearest
    endless loop and the loop itself, numbered on from the counterexample (TLC's "back to state")."""

    steps: list[TraceEntry]
    loop_start: int  # the number of the loop's first step; the loop's last step leads back to it


@dataclass
class VariantResult:
    """One variant's check: statistics, verdicts, each counterexample's replayed trace, and for a
    reachability counterexample the lasso that follows it."""

    config: Config
    result: CheckResult
    seconds: float
    raw_states: int  # states of the unreduced model: ``result.states`` unless symmetry reduced it
    traces: dict[str, list[TraceEntry]] = field(default_factory=dict)

    @cached_property
    def lassos(self) -> dict[str, Lasso]:
        """The lasso after each reachability counterexample, computed when first asked for (by
        diagrams and the report), so that a plain check does not load networkx."""
        loops = {}
        for verdict in self.failed():
            if verdict.counterexample.trap is not None:
                loop = lasso(self.model, verdict.counterexample, verdict.property.via)
                if loop is not None:
                    loops[verdict.property.name] = loop
        return loops

    @property
    def variant(self) -> str:
        return self.config.variant.name

    @property
    def model(self) -> DMModel:
        return self.result.model

    @property
    def symmetry(self) -> bool:
        """Whether the search stored one state per orbit of interchangeable devices."""
        return self.model.symmetric

    @property
    def verdicts(self) -> list[Verdict]:
        return self.result.verdicts

    def verdict(self, name: str) -> Verdict | None:
        """The verdict of property ``name``, or None if it was not checked."""
        return next((v for v in self.verdicts if v.property.name == name), None)

    def failed(self) -> list[Verdict]:
        """The verdicts that are violations."""
        return [v for v in self.verdicts if v.holds is False]

    def to_json(self) -> dict[str, Any]:
        """What ``dmmodel check --json`` prints per variant: the checker's result, with each
        counterexample step extended by the replay (actor, rule, packages with real credentials)."""
        data = {"variant": self.variant, "config": self.config.name,
                "attacker": self.config.bounds.attacker.describe(),
                "claims_cr": self.config.variant.claims_cr, **self.result.to_json()}
        data["seconds"] = round(self.seconds, 4)
        data["symmetry"], data["raw_states"] = self.symmetry, self.raw_states
        for prop in data["properties"]:  # each step of the model's own path (``concrete``)
            trace = self.traces.get(prop["name"])
            for step, entry in zip((prop["counterexample"] or [])[1:], trace or (), strict=False):
                step.update(actor=entry.actor, rule=entry.rule,
                            packages=[line.strip()[3:] for line in entry.lines()[1:]])
        return data


def replay(model: DMModel, counterexample: Counterexample) -> list[TraceEntry]:
    """Replay a counterexample on fresh machines; raises if a state differs from the checker's.

    What is replayed is the model's own path (``Counterexample.concrete``: with symmetry the
    checker's path runs through representatives, and it maps that back to the real device at
    each step). Each slot the machines reach, its nonces renamed (``nonces.canonical``), must be
    the path's, and the path's states must have the representatives the checker stored.
    """
    path = counterexample.concrete[1:]
    system, trace = play(model.config, [model.step_action(step.action) for step in path])
    for step, real, entry in zip(counterexample.steps[1:], path, trace, strict=True):
        expected: SystemState = model.decode(real.state)
        index = entry.index
        live = canonical(symbolize(entry.slot, system.runtimes[index].crypto))
        stored = model.representative(real.state) if model.reduces() else real.state
        if live != expected[index] or stored != step.state:
            raise RuntimeError(f"replay diverged from the checker at step {entry.number}")
    return trace


def _loop_states(model: DMModel, start: Any, via: frozenset[str]) -> tuple[list[Any], int]:
    """The states after ``start`` on a path to the nearest state of a bottom SCC of its
    ``via``-closure, then round a shortest cycle back to that state (with symmetry, through
    representatives, as the checker searched); and how many steps lead in before the cycle."""
    import networkx as nx  # only diagrams and the report draw lassos: keep it off `check`'s path

    graph = nx.DiGraph()
    graph.add_node(start)
    queue = [start]
    successors = reduced_successors(model)
    for state in queue:
        for action, target in successors(state):
            if model.action_class(action) in via and not graph.has_edge(state, target):
                if target not in graph:
                    queue.append(target)
                graph.add_edge(state, target, action=action)
    condensed = nx.condensation(graph)
    scc_of = condensed.graph["mapping"]
    entry = next(s for s in queue if condensed.out_degree(scc_of[s]) == 0)
    members = condensed.nodes[scc_of[entry]]["members"]
    lead = nx.shortest_path(graph, start, entry)
    cycle: list[Any] = []
    successors = [w for w in graph.successors(entry) if w in members]
    if successors:
        inside = graph.subgraph(members)
        back = min((nx.shortest_path(inside, w, entry) for w in successors), key=len)
        cycle = [entry, *back]
    path = lead + cycle[1:]
    return path[1:], len(lead) - 1


def lasso(model: DMModel, counterexample: Counterexample, via: frozenset[str]) -> Lasso | None:
    """Replay a reachability counterexample on, into its trap's loop; None when the trap has no
    loop (its bottom is a single state without an allowed step). With symmetry the loop is found
    among representatives and the whole path mapped back to the real devices by the checker
    (``concrete_path``)."""
    recorded = [s.state for s in counterexample.steps]
    after, lead = _loop_states(model, recorded[-1], via)
    if len(after) == lead:
        return None
    path = concrete_path(model, recorded + after)[1:]
    _, trace = play(model.config, [model.step_action(step.action) for step in path])
    return Lasso(trace[len(recorded) - 1:], len(recorded) + lead)


def check_variant(
    config: Config,
    properties: Sequence[str] | None = None,
    max_states: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    coverage: bool = False,
    symmetry: bool = False,
    *,
    max_seconds: float | None = None,
    max_memory: int | None = None,
) -> VariantResult:
    """Check one configuration and replay each counterexample; with ``symmetry`` one state is
    stored per orbit of interchangeable devices (``raw_states`` still counts them all).
    ``max_seconds`` and ``max_memory`` (bytes resident) stop the search cleanly: the result is
    then partial and ``result.unknown`` says what ran out."""
    if properties:
        unknown = [p for p in properties if p not in property_names()]
        if unknown:
            raise ConfigError(
                f"property: unknown {unknown[0]!r}; allowed: {', '.join(property_names())}"
            )
    model = DMModel(config, symmetry, properties or None)
    started = perf_counter()
    result = check(model, model.properties(), max_states=max_states, progress=progress,
                   coverage=coverage, max_seconds=max_seconds, max_memory=max_memory)
    raw = model.raw_states(result.explored.states) if model.symmetric else result.states
    outcome = VariantResult(config, result, perf_counter() - started, raw)
    for verdict in outcome.failed():
        outcome.traces[verdict.property.name] = replay(model, verdict.counterexample)
    return outcome


def check_presets(
    config_name: str = "default",
    variants: Sequence[str] | None = None,
    properties: Sequence[str] | None = None,
    max_states: int | None = None,
    progress: ProgressFactory | None = None,
    coverage: bool = False,
    symmetry: bool = False,
    attacker: str | None = None,
    *,
    max_seconds: float | None = None,
    max_memory: int | None = None,
    bounds: Bounds | None = None,
) -> list[VariantResult]:
    """Check the named variants (default: every preset) on one configuration; ``attacker``
    names an attacker that replaces the configuration's own. ``bounds``, when given, are checked
    in place of the configuration's (the attacker's included; the name stays): ``sweep`` raises
    one bound of them. ``max_seconds`` and ``max_memory`` limit each search (``check_variant``)."""
    name, loaded = load_bounds(config_name)
    if attacker is not None:
        loaded = replace(loaded, attacker=named_attacker(attacker))
        name = f"{name}+{attacker}"
    if bounds is None:
        bounds = loaded
    configs = [Config(name, bounds, variant(v)) for v in (variants or PRESETS)]
    return [check_variant(c, properties, max_states, progress and progress(c), coverage, symmetry,
                          max_seconds=max_seconds, max_memory=max_memory)
            for c in configs]


@dataclass
class Analysis:
    """Everything the diagrams and the report draw: the checks of every preset on one
    configuration and the runs of every scenario."""

    config_name: str
    bounds: Bounds
    results: list[VariantResult]
    scenarios: list[ScenarioRun]

    def result(self, variant_name: str) -> VariantResult:
        """The check of one variant."""
        return next(r for r in self.results if r.variant == variant_name)


def analyse(config_name: str = "default", progress: ProgressFactory | None = None) -> Analysis:
    """Check every preset on ``config_name`` and run every scenario."""
    results = check_presets(config_name, progress=progress)
    runs = [run_scenario(scenario) for scenario in load_all()]
    return Analysis(results[0].config.name, results[0].config.bounds, results, runs)


ATTACK_PREFIX = "attack-"  # the attacker configurations in specs/configs
# The variants the security section compares: DM 1.2 as the baseline, the change request with
# both rotation policies, and every mitigation (the intermediate steps report and report-ack
# would add about a fifth to the time and nothing a reader of the attacks needs).
SECURITY_VARIANTS = ("dm12", "cr", "cr-keep-previous", *(m.name for m in MITIGATIONS))


@dataclass
class SecurityAnalysis:
    """The security properties checked under each attacker configuration (config name -> the
    checks of the compared variants)."""

    checks: dict[str, list[VariantResult]]


def attack_configs() -> list[str]:
    """The attacker configurations of ``specs/configs`` (names starting with ``attack-``)."""
    return [name for name in named_configs() if name.startswith(ATTACK_PREFIX)]


def analyse_security(configs: Sequence[str] | None = None,
                     variants: Sequence[str] = SECURITY_VARIANTS,
                     progress: ProgressFactory | None = None) -> SecurityAnalysis:
    """Check the security properties only (DM-SEC-n) of ``variants`` under each attacker
    configuration (default: every one in ``specs/configs``)."""
    names = attack_configs() if configs is None else list(configs)
    return SecurityAnalysis({name: check_presets(name, variants, security_names(), progress=progress)
                             for name in names})


UNDECIDED = 3  # the exit status of a run that a time, memory or encoding limit left undecided


def exit_status(results: Sequence[VariantResult], narrowed: bool = False) -> int:
    """The exit status of a check: 1 when a property that decides fails (a counterexample is a
    finding even in a search stopped early) or a search stopped at ``max_states``; else 3
    (``UNDECIDED``) when a limit (time, memory, the state encoding) stopped a search; else 0.

    The properties that decide are those of the variants that claim the change request, or
    with ``narrowed`` (variants named by the user) every property checked.
    """
    deciding = [r for r in results if narrowed or r.config.variant.claims_cr]
    if any(v.holds is False for r in deciding for v in r.verdicts):
        return 1
    if any(not r.result.complete and r.result.stopped is None for r in results):
        return 1
    if any(r.result.stopped is not None for r in results):
        return UNDECIDED
    return 0 if all(v.holds for r in deciding for v in r.verdicts) else 1
