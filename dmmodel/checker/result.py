"""What a check returns: statistics, one verdict per property, and counterexamples."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dmmodel.checker.explored import Explored, PathStep
from dmmodel.checker.limits import Stop
from dmmodel.checker.model import Model
from dmmodel.checker.reduction import reduced_successors

if TYPE_CHECKING:
    from dmmodel.checker.properties import Property


@dataclass(frozen=True)
class Progress:
    """A snapshot of a running search, passed to the ``progress`` callback."""

    states: int
    transitions: int
    depth: int
    seconds: float


@dataclass(frozen=True)
class Trap:
    """The closed set of states reachable from a failing state by the allowed actions.

    ``cycle`` is a shortest cycle of action labels inside a bottom SCC (one the allowed actions
    cannot leave); it is empty when that SCC is a single state with no allowed self-loop.
    """

    states: int
    sccs: int
    bottom_states: int
    cycle: tuple[str, ...]


@dataclass(frozen=True)
class Counterexample:
    """A shortest path from an initial state to a state witnessing the violation.

    ``violation`` is "invariant", "stuck" or "unreachable-goal"; ``obligation`` and ``trap`` are only
    set for reachability failures. ``steps`` is the path the search recorded, through the states
    it stored; ``concrete`` is the model's own path behind it, from its real initial state, each
    step a successor of the one before (``reduction.concrete_path``): the same list as ``steps``
    unless the model reduces (``Model.representative``), when ``steps`` runs through
    representatives.
    """

    steps: list[PathStep]
    violation: str
    obligation: int | None = None
    trap: Trap | None = None
    concrete: list[PathStep] = field(default=None)  # type: ignore[assignment]  # None: ``steps``

    def __post_init__(self) -> None:
        if self.concrete is None:
            object.__setattr__(self, "concrete", self.steps)


@dataclass(frozen=True)
class Verdict:
    """The outcome for one property: ``holds`` is None when a partial search cannot decide.

    A violated property carries a ``counterexample``; a possibility that holds (``Sometimes``)
    carries an ``example``, a shortest path to a state that shows it (with a model that
    reduces, the model's own path, as ``Counterexample.concrete``).
    """

    property: Property
    holds: bool | None
    counterexample: Counterexample | None = None
    example: list[PathStep] | None = None


@dataclass(frozen=True)
class ReachabilityVerdict(Verdict):
    """The verdict on an ``AlwaysReachable``, with the reachability marks it was decided on.

    ``can_reach[k][i]`` is 1 when a goal state of obligation ``k`` is reachable from explored
    state ``i`` by the property's ``via`` actions; it is empty when the search was partial.
    """

    can_reach: tuple[bytearray, ...] = field(default=(), repr=False)


@dataclass
class CheckResult:
    """Statistics and verdicts of one search, plus access to the explored states.

    ``seconds`` is the search alone; ``liveness_seconds`` is deciding every property after it
    (mostly the reverse reachability passes of ``AlwaysReachable``). ``stopped`` says what ran
    out when a time, memory or encoding limit ended the search (then ``complete`` is False).
    """

    states: int
    transitions: int
    depth: int
    seconds: float
    liveness_seconds: float
    states_per_second: float
    peak_rss_bytes: int
    bytes_per_state: float
    complete: bool
    verdicts: list[Verdict]
    explored: Explored = field(repr=False)
    coverage: dict[str, int] | None = None  # transitions per coverage key, when asked for
    stopped: Stop | None = None

    @property
    def unknown(self) -> str | None:
        """``ran out of time (120 s) at 1,234 states`` when a limit stopped the search, else None."""
        return None if self.stopped is None else self.stopped.text(self.states)

    @property
    def model(self) -> Model:
        """The model that was checked (used to replay paths and render states)."""
        return self.explored.model

    def state(self, index: int) -> Any:
        """The explored state with the given index (indices follow BFS discovery order)."""
        return self.explored.states[index]

    def path_to(self, index: int) -> list[PathStep]:
        """A shortest path from an initial state to the state with the given index."""
        return self.explored.path_to(index)

    def verdict(self, name: str) -> Verdict:
        """The verdict on the property called ``name``; ValueError names the known ones."""
        for verdict in self.verdicts:
            if verdict.property.name == name:
                return verdict
        known = ", ".join(repr(v.property.name) for v in self.verdicts) or "none"
        raise ValueError(f"no property named {name!r} was checked; known: {known}")

    def edges(self) -> Iterator[tuple[int, Any, int]]:
        """Every explored transition as ``(source index, action, target index)``, in BFS order,
        replayed from the model (for drawing a small graph; the search does not store them); with
        a model that reduces, between the representatives the search stored."""
        states = self.explored.states
        index = {state: i for i, state in enumerate(states)}
        successors = reduced_successors(self.model)
        for i, state in enumerate(states):
            for action, target in successors(state):
                yield i, action, index[target]

    def violating_states(self, name: str) -> list[int]:
        """Indices (ascending) of every explored state at which property ``name`` fails.

        Each property defines this with the very test its verdict uses; for an
        ``AlwaysReachable`` these are the states where some obligation applies and its goal is
        unreachable. ValueError when the property does not fail at states (``Sometimes``) or
        its verdict needs the whole graph and the search was partial.
        """
        verdict = self.verdict(name)
        return verdict.property.violating_states(verdict, self)

    def to_json(self) -> dict[str, Any]:
        """A plain, JSON-serialisable dict of the statistics and verdicts (each counterexample
        as the model's own path, ``Counterexample.concrete``)."""
        return {
            "states": self.states,
            "transitions": self.transitions,
            "depth": self.depth,
            "seconds": self.seconds,
            "liveness_seconds": self.liveness_seconds,
            "states_per_second": self.states_per_second,
            "peak_rss_bytes": self.peak_rss_bytes,
            "bytes_per_state": self.bytes_per_state,
            "complete": self.complete,
            "properties": [_verdict_json(v, self.model) for v in self.verdicts],
            "coverage": self.coverage,
            "stopped": None if self.stopped is None else {**self.stopped.to_json(),
                                                          "text": self.unknown},
        }


def verdict_text(verdict: Verdict | None) -> str:
    """One cell of a verdict matrix: ``holds``, ``VIOLATED (k)`` with k the steps of the shortest
    counterexample (``VIOLATED`` when there is no path, e.g. a ``Sometimes`` never met),
    ``unknown`` for a partial search, ``-`` for a property not checked."""
    if verdict is None:
        return "-"
    if verdict.holds is None:
        return "unknown"
    if verdict.holds:
        return "holds"
    cex = verdict.counterexample
    return "VIOLATED" if cex is None else f"VIOLATED ({len(cex.steps) - 1})"


def _verdict_json(verdict: Verdict, model: Model) -> dict[str, Any]:
    """One property's verdict as a plain dict, states rendered by the model."""
    prop = verdict.property
    cex = verdict.counterexample
    out: dict[str, Any] = {
        "name": prop.name,
        "requirement": prop.requirement,
        "holds": verdict.holds,
        "violation": cex.violation if cex else None,
        "counterexample": None if cex is None else _steps_json(cex.concrete, model),
        "example": None if verdict.example is None else _steps_json(verdict.example, model),
    }
    if cex is None:
        return out
    if cex.obligation is not None:
        out["obligation"] = cex.obligation
    if cex.trap is not None:
        t = cex.trap
        out["trap"] = {
            "states": t.states,
            "sccs": t.sccs,
            "bottom_states": t.bottom_states,
            "cycle": list(t.cycle),
        }
    return out


def _steps_json(steps: list[PathStep], model: Model) -> list[dict[str, Any]]:
    """A path as plain dicts, states rendered by the model."""
    return [
        {
            "step": i,
            "action": step.label,
            "class": step.action_class,
            "state": model.format_state(step.state),
        }
        for i, step in enumerate(steps)
    ]
