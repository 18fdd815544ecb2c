"""Properties the checker decides: named, traceable values that decide themselves.

Each kind of claim is a subclass of ``Property``. It tells the search what to record (a
predicate to watch on every stored state, the action classes whose edges to keep, whether stuck
states matter) and turns what the search found into its own ``Verdict``. The search itself knows
no property kinds, so a new kind needs no change to the search loop.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from dmmodel.checker.predicates import evaluate, local_to, pack, vectorised
from dmmodel.checker.reach import reaching
from dmmodel.checker.reduction import concrete_path
from dmmodel.checker.result import Counterexample, ReachabilityVerdict, Trap, Verdict
from dmmodel.checker.trap import summarize_trap

if TYPE_CHECKING:
    from dmmodel.checker.explored import Explored
    from dmmodel.checker.model import Model
    from dmmodel.checker.outcome import Outcome
    from dmmodel.checker.result import CheckResult

Predicate = Callable[[Any], bool]


class Property(ABC):
    """A named claim about every behaviour of a model, decided by one breadth-first search.

    What a subclass asks of the search, as class attributes or properties:

    - ``watch``: a predicate evaluated on every newly stored state, and ``notable``: the value
      of it the search records (only the first, so shallowest, such state is kept);
    - ``edge_classes``: the action classes whose edges the search must store;
    - ``needs_stuck``: whether the search looks for expanded states without successors.

    ``decide`` turns the search's ``Outcome`` into the property's ``Verdict``. A verdict only
    says "holds" after a complete search; a partial search decides what it saw and leaves the
    rest None. ``violating_states`` lists the explored states at which the property fails, by
    the same test as the verdict, for the kinds of property that fail at states.
    """

    name: str
    requirement: str
    doc: str

    watch: Predicate | None = None
    notable: ClassVar[bool] = False
    edge_classes: frozenset[str] = frozenset()
    needs_stuck: ClassVar[bool] = False

    @abstractmethod
    def decide(self, outcome: Outcome) -> Verdict:
        """The verdict on this property, given what the search found."""

    def product_edge_classes(self, local: Container[int]) -> frozenset[str]:
        """The action classes whose edges a product search must store for this property (one
        that decides on the graphs of the components in ``local`` needs none)."""
        return self.edge_classes

    def violating_states(self, verdict: Verdict, result: CheckResult) -> list[int]:
        """Indices of the explored states at which this property fails, in ascending order."""
        raise ValueError(f"{type(self).__name__} {self.name!r} does not fail at particular states")


@dataclass(frozen=True)
class Always(Property):
    """Invariant: ``predicate`` holds in every reachable state.

    Exactly: every state the search stores satisfies ``predicate``. A violation found by any
    search, complete or partial, comes with a shortest path to the shallowest violating state;
    without one, a complete search gives holds True and a partial one None. It judges states,
    not steps: a claim about a transition needs what it depends on recorded in the state.
    """

    name: str
    predicate: Predicate
    requirement: str = ""
    doc: str = ""

    @property
    def watch(self) -> Predicate:
        return self.predicate

    def decide(self, outcome: Outcome) -> Verdict:
        bad = outcome.found_state(self)
        if bad is None:
            return Verdict(self, True if outcome.complete else None)
        return Verdict(self, False, counterexample(outcome.explored, bad, "invariant"))

    def violating_states(self, verdict: Verdict, result: CheckResult) -> list[int]:
        predicate = self.predicate
        return [i for i, s in enumerate(result.explored.states) if not predicate(s)]


@dataclass(frozen=True)
class Sometimes(Property):
    """Possibility: some reachable state satisfies ``predicate`` (in CTL, EF predicate).

    Holds as soon as the search stores such a state, complete or not; the verdict's
    ``example`` is then a shortest path to the shallowest one (with a model that reduces, the
    model's own path to a state it stands for, ``reduction.concrete_path``). A complete search that meets
    none gives holds False (and no path, as none witnesses an absence); a partial one gives
    None. It says nothing about whether the state must be reached, only that it can be.
    """

    name: str
    predicate: Predicate
    requirement: str = ""
    doc: str = ""

    notable: ClassVar[bool] = True

    @property
    def watch(self) -> Predicate:
        return self.predicate

    def decide(self, outcome: Outcome) -> Verdict:
        good = outcome.found_state(self)
        if good is None:
            return Verdict(self, False if outcome.complete else None)
        explored = outcome.explored
        example = explored.path_to(good)
        if explored.model.reduces():  # show a behaviour of the model itself
            example = concrete_path(explored.model, [s.state for s in example])
        return Verdict(self, True, example=example)


@dataclass(frozen=True)
class NoStuckStates(Property):
    """Deadlock freedom in the narrow sense: every reachable state has a successor, unless the
    model's ``is_terminal`` declares it a deliberate end state.

    Only expanded states are examined, so a partial search reports a stuck state it expanded
    (with a shortest path to the shallowest) and otherwise gives None. A state with successors
    may still be a livelock, cycling without progress: ``AlwaysReachable`` speaks to progress.
    """

    name: str
    requirement: str = ""
    doc: str = ""

    needs_stuck: ClassVar[bool] = True

    def decide(self, outcome: Outcome) -> Verdict:
        bad = outcome.first_stuck
        if bad is None:
            return Verdict(self, True if outcome.complete else None)
        return Verdict(self, False, counterexample(outcome.explored, bad, "stuck"))

    def violating_states(self, verdict: Verdict, result: CheckResult) -> list[int]:
        _need_complete(self, result)
        model = result.model
        return [i for i, s in enumerate(result.explored.states) if _stuck(model, s)]


@dataclass(frozen=True)
class AlwaysReachable(Property):
    """No deadlock: from every reachable state where ``applies`` holds, a ``goal`` state is
    reachable (the state itself counts) using only actions whose class is in ``via``.

    ``obligations`` is a sequence of ``(applies, goal)`` predicate pairs, each decided on its
    own: in CTL, AG(applies -> EF goal) over the explored graph restricted to ``via`` edges.
    It is a reachability claim, not liveness under fairness: the goal must stay reachable, not
    be reached on every path, so a cycle that avoids the goal while it remains reachable is
    fine. It needs the whole graph, so a partial search gives None. The counterexample is a
    shortest path to the shallowest state where the first failing obligation applies and its
    goal is unreachable, with a summary of the trap that state is in. The verdict keeps every
    obligation's marks (``ReachabilityVerdict.can_reach``), so the states where the property
    fails (``CheckResult.violating_states``) come from the same computation.

    Deciding it is a few numpy passes over the reverse graph. A predicate that also offers a
    vectorised form (an ``over_states`` attribute, e.g. ``predicates.ArrayPredicate``) is
    evaluated over all explored states in one call when the states are ints below 2**64; any
    other is called once per state (goals) or per state that cannot reach the goal (applies).
    """

    name: str
    obligations: Sequence[tuple[Predicate, Predicate]]
    via: frozenset[str] = field(default=frozenset({"protocol"}))
    requirement: str = ""
    doc: str = ""

    def __post_init__(self) -> None:
        # Normalise to immutable containers so the property stays hashable.
        object.__setattr__(self, "obligations", tuple(tuple(pair) for pair in self.obligations))
        object.__setattr__(self, "via", frozenset(_as_iterable(self.via)))

    @property
    def edge_classes(self) -> frozenset[str]:
        return self.via

    def decide(self, outcome: Outcome) -> Verdict:
        if not outcome.complete:
            return ReachabilityVerdict(self, None)
        explored = outcome.explored
        states = explored.states
        packed = outcome.packed_states if self.vectorised else None
        marks = tuple(self._can_reach(outcome, goal, packed) for _, goal in self.obligations)
        for number, ((applies, _), can_reach) in enumerate(zip(self.obligations, marks, strict=True)):
            failing = _failing(states, packed, applies, can_reach)
            if failing.size:  # ascending, so BFS order: the first is the shallowest
                bad = int(failing[0])
                trap = summarize_trap(explored.model, states[bad], self.via)
                cex = counterexample(explored, bad, "unreachable-goal", number, trap)
                return ReachabilityVerdict(self, False, cex, can_reach=marks)
        return ReachabilityVerdict(self, True, can_reach=marks)

    def product_edge_classes(self, local: Container[int]) -> frozenset[str]:
        decided = all(local_to(goal) in local for _, goal in self.obligations)
        return frozenset() if decided else self.via

    def _can_reach(self, outcome: Outcome, goal: Predicate, packed: np.ndarray | None) -> bytearray:
        """Per explored state, 1 where a ``goal`` state is reachable by ``via`` actions: on the
        goal's component graph when the search was a product and the goal names its component
        (``predicates.local_to``), one a representative keeps in place (``Product.moved``), else
        on the stored product edges."""
        component = local_to(goal)
        graphs = outcome.local_graphs
        if graphs is not None and component is not None and component in graphs.local:
            packed = outcome.packed_states
            if packed is not None:
                return graphs.can_reach(component, goal.over_locals, self.via, packed)
        offsets, sources = outcome.predecessors(self.via)
        return reaching(offsets, sources, np.flatnonzero(evaluate(goal, outcome.explored.states, packed)))

    @property
    def vectorised(self) -> bool:
        """Whether some predicate of the obligations has a vectorised form (``predicates``)."""
        return any(vectorised(p) for pair in self.obligations for p in pair)

    def violating_states(self, verdict: Verdict, result: CheckResult) -> list[int]:
        _need_complete(self, result)
        if not isinstance(verdict, ReachabilityVerdict):
            raise TypeError(f"{self.name!r}: expected its ReachabilityVerdict, got {verdict!r}")
        states = result.explored.states
        packed = pack(states) if self.vectorised else None
        failing = np.zeros(len(states), dtype=np.bool_)
        for (applies, _), can_reach in zip(self.obligations, verdict.can_reach, strict=True):
            failing[_failing(states, packed, applies, can_reach)] = True
        return np.flatnonzero(failing).tolist()


def _failing(states: list, packed: np.ndarray | None, applies: Predicate,
             can_reach: bytearray) -> np.ndarray:
    """Indices, ascending, of the states where ``applies`` holds but the goal is unreachable."""
    unreached = np.flatnonzero(np.frombuffer(can_reach, dtype=np.uint8) == 0)
    return unreached[evaluate(applies, states, packed, unreached)]


def counterexample(explored: Explored, index: int, violation: str, obligation: int | None = None,
                   trap: Trap | None = None) -> Counterexample:
    """The counterexample ending at explored state ``index``: the shortest path the search
    recorded, and, when the model reduces, the model's own path behind it."""
    steps = explored.path_to(index)
    model = explored.model
    concrete = concrete_path(model, [s.state for s in steps]) if model.reduces() else None
    return Counterexample(steps, violation, obligation, trap, concrete)


def _need_complete(prop: Property, result: CheckResult) -> None:
    """Refuse to list failing states when the verdict rests on states a partial search missed."""
    if not result.complete:
        raise ValueError(f"{prop.name!r} fails at states only a complete search can list")


def _stuck(model: Model, state: Any) -> bool:
    """Whether ``state`` has no successor and is not declared terminal, as the search tests."""
    for _ in model.successors(state):
        return False
    return not model.is_terminal(state)


def _as_iterable(via: str | Iterable[str]) -> Iterable[str]:
    """Accept a single class name as well as a collection of them."""
    return (via,) if isinstance(via, str) else via
