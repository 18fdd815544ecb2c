"""Checking variants side by side, and replaying their counterexamples on the machines.

This is the layer the command line, the manifest, the report and the diagrams share: it runs
the generic checker on the DM model for each variant and turns every counterexample into a
trace of the executable ``transitions`` machines (with real credentials), verifying on the way
that the replay reaches the very states the checker found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from dmmodel.checker import CheckResult, Counterexample, Progress, Verdict, check
from dmmodel.protocol.checkable import DMModel, property_names
from dmmodel.protocol.config import Config, ConfigError
from dmmodel.protocol.crypto import realize
from dmmodel.protocol.system import SystemState
from dmmodel.protocol.trace import TraceEntry, play


@dataclass
class VariantResult:
    """One variant's check: statistics, verdicts, and each counterexample's replayed trace."""

    config: Config
    result: CheckResult
    verdicts: list[Verdict]
    seconds: float
    traces: dict[str, list[TraceEntry]] = field(default_factory=dict)

    @property
    def variant(self) -> str:
        return self.config.variant.name

    def failed(self) -> list[Verdict]:
        """The verdicts that are violations."""
        return [v for v in self.verdicts if v.holds is False]

    def to_json(self) -> dict[str, Any]:
        """Plain data: what ``dmmodel check --json`` prints per variant."""
        r = self.result
        return {
            "variant": self.variant,
            "config": self.config.name,
            "claims_cr": self.config.variant.claims_cr,
            "states": r.states,
            "transitions": r.transitions,
            "depth": r.depth,
            "seconds": round(self.seconds, 4),
            "complete": r.complete,
            "properties": [self._verdict_json(v) for v in self.verdicts],
        }

    def _verdict_json(self, verdict: Verdict) -> dict[str, Any]:
        prop = verdict.property
        out: dict[str, Any] = {
            "name": prop.name,
            "requirement": prop.requirement,
            "holds": verdict.holds,
            "counterexample": None,
        }
        trace = self.traces.get(prop.name)
        if trace is not None:
            out["counterexample"] = [
                {
                    "step": e.number,
                    "actor": e.actor,
                    "action": e.headline(),
                    "class": e.action.cls,
                    "rule": e.rule,
                    "packages": [line.strip()[3:] for line in e.lines()[1:]],
                }
                for e in trace
            ]
            trap = verdict.counterexample.trap
            if trap is not None:
                out["trap"] = {"states": trap.states, "cycle": list(trap.cycle)}
        return out


def replay(model: DMModel, counterexample: Counterexample) -> list[TraceEntry]:
    """Replay a counterexample on fresh machines; raises if a state differs from the checker's."""
    steps = counterexample.steps[1:]
    _, trace = play(model.config, [model.step_action(s.action) for s in steps])
    for step, entry in zip(steps, trace, strict=True):
        expected: SystemState = model.decode(step.state)
        index = entry.index
        if realize(expected[index], index) != entry.slot:
            raise RuntimeError(f"replay diverged from the checker at step {entry.number}")
    return trace


def check_variant(
    config: Config,
    properties: Sequence[str] | None = None,
    max_states: int | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> VariantResult:
    """Check one configuration and replay each counterexample."""
    model = DMModel(config)
    wanted = model.properties()
    if properties:
        unknown = [p for p in properties if p not in property_names()]
        if unknown:
            raise ConfigError(
                f"property: unknown {unknown[0]!r}; allowed: {', '.join(property_names())}"
            )
        wanted = [p for p in wanted if p.name in properties]
    started = perf_counter()
    result = check(model, wanted, max_states=max_states, progress=progress)
    seconds = perf_counter() - started
    outcome = VariantResult(config, result, result.verdicts, seconds)
    for verdict in outcome.failed():
        outcome.traces[verdict.property.name] = replay(model, verdict.counterexample)
    return outcome


def exit_status(results: Sequence[VariantResult]) -> int:
    """0 when every run completed and every property of the CR-claiming variants holds, else 1."""
    for r in results:
        if not r.result.complete:
            return 1
        if r.config.variant.claims_cr and any(v.holds is not True for v in r.verdicts):
            return 1
    return 0
