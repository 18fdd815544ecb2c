"""Turn what the search found into one verdict per property, with counterexamples."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dmmodel.checker.edges import EdgeStore
from dmmodel.checker.model import Model
from dmmodel.checker.properties import Always, AlwaysReachable, NoStuckStates, Property
from dmmodel.checker.reach import reaching
from dmmodel.checker.result import Counterexample, Verdict
from dmmodel.checker.trap import summarize_trap

if TYPE_CHECKING:
    from dmmodel.checker.bfs import Outcome


def decide(
    model: Model, props: Sequence[Property], outcome: Outcome, edges: EdgeStore | None
) -> list[Verdict]:
    """Verdicts in the order of ``props``; "holds" is only claimed for a complete search."""
    explored = outcome.explored
    clean = True if outcome.complete else None  # verdict when nothing bad was found
    verdicts = []
    predecessors: dict = {}  # CSR per distinct ``via``, shared by properties
    for prop in props:
        if isinstance(prop, Always):
            bad = outcome.violations.get(prop)
            cex = None if bad is None else Counterexample(explored.path_to(bad), "invariant")
        elif isinstance(prop, NoStuckStates):
            bad = outcome.first_stuck
            cex = None if bad is None else Counterexample(explored.path_to(bad), "stuck")
        elif isinstance(prop, AlwaysReachable):
            if not outcome.complete:
                verdicts.append(Verdict(prop, None))
                continue
            if prop.via not in predecessors:
                predecessors[prop.via] = edges.predecessors(len(explored), prop.via)
            cex = _unreachable_goal(model, prop, outcome, *predecessors[prop.via])
        else:
            raise TypeError(f"unknown property type: {type(prop).__name__}")
        verdicts.append(Verdict(prop, clean if cex is None else False, cex))
    return verdicts


def _unreachable_goal(
    model: Model, prop: AlwaysReachable, outcome: Outcome, offsets, sources
) -> Counterexample | None:
    """The first obligation that fails, witnessed by the shallowest state stuck away from goal."""
    states = outcome.explored.states
    for number, (applies, goal) in enumerate(prop.obligations):
        seeds = [i for i, s in enumerate(states) if goal(s)]
        can_reach = reaching(len(states), offsets, sources, seeds)
        bad = can_reach.find(0)  # indices follow BFS order: the first hit is the shallowest
        while bad != -1 and not applies(states[bad]):
            bad = can_reach.find(0, bad + 1)
        if bad != -1:
            return Counterexample(
                outcome.explored.path_to(bad),
                "unreachable-goal",
                obligation=number,
                trap=summarize_trap(model, states[bad], prop.via),
            )
    return None
