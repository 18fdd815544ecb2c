"""The product engine finds exactly what the general search finds, on product models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from dmmodel.checker import (
    Always,
    AlwaysReachable,
    Model,
    NoStuckStates,
    Product,
    Property,
    ReachabilityVerdict,
    Sometimes,
    Verdict,
    check,
)
from dmmodel.checker import product as product_engine
from dmmodel.checker.bfs import _explore
from dmmodel.checker.edges import EdgeStore
from dmmodel.checker.predicates import ArrayPredicate, local_to
from dmmodel.protocol.config import make_config
from dmmodel.protocol.rules import ActionClass
from dmmodel.search.checkable import DMModel

TOPS = (4, 3)  # each counter's last value; at the top a counter has no step left
SHIFT = 8


class Counters(Model[int, tuple[int, str]]):
    """Two independent counters, local id ``3 * value + 1``: step up, or from 2 reset to 0."""

    def _moves(self, component: int, local: int) -> list[tuple[int, int]]:
        value = (local - 1) // 3
        moves = []
        if value < TOPS[component]:
            moves.append((0, 3 * (value + 1) + 1))
        if value == 2:
            moves.append((1, 1))
        return moves

    def components(self) -> Product | None:
        return Product(initial=(1, 1), moves=self._moves, shifts=(0, SHIFT),
                       action=lambda c, a: (c, "up" if a == 0 else "reset"))

    def init_states(self) -> list[int]:
        return [1 | 1 << SHIFT]

    def successors(self, state: int) -> list[tuple[tuple[int, str], int]]:
        result = []
        for c, shift in enumerate((0, SHIFT)):
            local = (state >> shift) & 0xFF
            for a, nxt in self._moves(c, local):
                result.append(((c, "up" if a == 0 else "reset"), state + ((nxt - local) << shift)))
        return result

    def action_class(self, action: tuple[int, str]) -> str:
        return "protocol" if action[1] == "up" else "fault"

    def coverage_keys(self, action: tuple[int, str]) -> tuple[str, ...]:
        return (action[1],)


class General(Counters):
    """The same model without the declaration: the general search explores it."""

    def components(self) -> Product | None:
        return None


def values(state: int) -> tuple[int, int]:
    return ((state & 0xFF) - 1) // 3, ((state >> SHIFT) - 1) // 3


PROPERTIES = [
    Always("sum_below_6", lambda s: sum(values(s)) < 6),
    Sometimes("first_at_3", lambda s: values(s)[0] == 3),
    NoStuckStates("no_stuck"),
    AlwaysReachable("back_to_zero", [(lambda s: True, lambda s: values(s)[1] == 0)]),
]


# a goal that names no component: the product search stores its edges, in the general order
STORES_EDGES = AlwaysReachable("stores_edges", [(lambda s: True, lambda s: True)],
                               via=frozenset({ActionClass.PROTOCOL}))


def outcomes(product: Model, general: Model, max_states: int | None):
    props = tuple(PROPERTIES if isinstance(product, Counters) else [*product.properties(), STORES_EDGES])
    limit = float("inf") if max_states is None else max_states
    mine = product_engine.explore(product, product.components(), props,
                                  EdgeStore(c for p in props for c in p.edge_classes), limit,
                                  None, 0.0, True)
    theirs = _explore(general, props, EdgeStore(c for p in props for c in p.edge_classes),
                      max_states, None, 0.0, True)
    return mine, theirs


def assert_same(mine, theirs) -> None:
    assert mine.explored.states == theirs.explored.states
    assert mine.explored.parent == theirs.explored.parent
    assert list(mine.explored.position) == list(theirs.explored.position)
    assert mine.transitions == theirs.transitions
    assert mine.complete == theirs.complete
    assert mine.found == theirs.found
    assert mine.first_stuck == theirs.first_stuck
    assert (mine.edges.src, mine.edges.dst, mine.edges.cls) == \
        (theirs.edges.src, theirs.edges.dst, theirs.edges.cls)
    assert mine.coverage == theirs.coverage


@pytest.mark.parametrize("max_states", [None, 1, 2, 3, 5, 8, 13, 19, 20])
def test_counters_engines_agree(max_states: int | None) -> None:
    mine, theirs = outcomes(Counters(), General(), max_states)
    assert_same(mine, theirs)
    if max_states is None:
        assert len(mine.explored) == 20 and mine.first_stuck is not None and mine.found


def test_counters_verdicts_and_counterexamples_agree() -> None:
    mine, theirs = check(Counters(), PROPERTIES), check(General(), PROPERTIES)
    assert [v.holds for v in mine.verdicts] == [False, True, False, False]
    assert mine.verdicts == theirs.verdicts
    assert mine.states == theirs.states == 20


@pytest.mark.parametrize("variant", ["dm12", "cr"])
def test_dm_two_devices_engines_agree(variant: str) -> None:
    config = make_config("two-devices", variant)
    product, general = DMModel(config), DMModel(config)
    general.components = lambda: None  # type: ignore[method-assign]
    mine, theirs = outcomes(product, general, None)
    assert_same(mine, theirs)
    assert [product.decode(s) for s in mine.explored.states] == \
        [general.decode(s) for s in theirs.explored.states]
    a, b = check(DMModel(config)), check(general)
    assert (a.states, a.transitions) == (b.states, b.transitions)
    assert [verdict_facts(v) for v in a.verdicts] == [verdict_facts(v) for v in b.verdicts]
    assert not all(v.holds for v in a.verdicts) or variant == "cr"


def verdict_facts(verdict: Verdict) -> tuple:
    """What a verdict says, without the property object (each model makes its own)."""
    return (verdict.property.name, verdict.holds, verdict.counterexample, verdict.example,
            getattr(verdict, "can_reach", None))


@pytest.mark.parametrize(("name", "overrides", "properties"), [
    ("two-devices", {}, ["no_rollback", "no_stuck_state"]),  # both devices permuted
    ("default", {"devices": 3, "rotations": 1, "rebootstraps": 0, "notifications": False,
                 "retry_limit": 0, "capacity": 1}, None),  # the first kept, its goals local
])
def test_dm_symmetric_engines_agree(name: str, overrides: dict, properties: list | None) -> None:
    config = make_config(name, "dm12", **overrides)
    product = DMModel(config, symmetry=True, properties=properties)
    general = DMModel(config, symmetry=True, properties=properties)
    general.components = lambda: None  # type: ignore[method-assign]
    assert product.reduces() and product.components().moved
    assert_same(*outcomes(product, general, None))
    assert_same(*outcomes(product, general, 5000))
    a, b = check(product), check(general)
    assert (a.states, a.transitions) == (b.states, b.transitions)
    assert [verdict_facts(v) for v in a.verdicts] == [verdict_facts(v) for v in b.verdicts]


def test_dm_cut_inside_a_level_agrees() -> None:
    config = make_config("two-devices", "cr")
    product, general = DMModel(config), DMModel(config)
    general.components = lambda: None  # type: ignore[method-assign]
    assert_same(*outcomes(product, general, 1000))


def test_a_single_device_dm_model_is_not_a_product() -> None:
    assert DMModel(make_config("default", "cr")).components() is None
    assert DMModel(make_config("two-devices", "cr")).components() is not None
    symmetric = DMModel(make_config("two-devices", "cr"), symmetry=True, properties=["no_stuck_state"])
    assert symmetric.reduces() and symmetric.components().representatives is not None


def test_too_large_product_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(product_engine, "MAX_DENSE", 10)
    assert product_engine.explore(Counters(), Counters().components(), (), EdgeStore(()),
                                  float("inf"), None, 0.0, False) is None
    assert check(Counters(), PROPERTIES).verdicts == check(General(), PROPERTIES).verdicts


class Frozen(Counters):
    """Counters that cannot move at all: one state, stuck, no edges."""

    def _moves(self, component: int, local: int) -> list[tuple[int, int]]:
        return []


class FrozenGeneral(Frozen):
    def components(self) -> Product | None:
        return None


def test_a_product_without_moves_is_one_stuck_state() -> None:
    mine, theirs = outcomes(Frozen(), FrozenGeneral(), None)
    assert_same(mine, theirs)
    assert len(mine.explored) == 1 and mine.first_stuck == 0 and mine.transitions == 0


def second_at(value: int) -> ArrayPredicate:
    """Counter 1 at ``value``, declared to depend on component 1 alone."""
    return ArrayPredicate(lambda s: values(s)[1] == value,
                          lambda a: ((a >> np.uint64(SHIFT)) - np.uint64(1)) // np.uint64(3) == value,
                          component=1, over_locals=lambda ids: (ids - np.uint64(1)) // np.uint64(3) == value)


def decide_both_ways(model: Model, props: Sequence[Property]) -> tuple[list, list]:
    """The verdicts of ``props`` from a product search, deciding their goals on the component
    graphs, and from one where the goals name no component (so on the stored product edges)."""
    plain = [replace(p, obligations=[(applies, ArrayPredicate(goal.per_state, goal.over_states))
                                     for applies, goal in p.obligations])
             if isinstance(p, AlwaysReachable) else p for p in props]
    verdicts, stored = [], []
    for chosen in (tuple(props), tuple(plain)):
        edges = EdgeStore(c for p in chosen for c in p.edge_classes)
        outcome = product_engine.explore(model, model.components(), chosen, edges,
                                         float("inf"), None, 0.0, False)
        verdicts.append([p.decide(outcome) for p in chosen])
        stored.append(len(edges.src))
    assert stored[0] == 0 < stored[1]  # deciding on the component graphs needs no product edge
    return verdicts[0], verdicts[1]


def test_local_goals_decide_as_the_product_graph_does() -> None:
    # by "up" steps counter 1 reaches 0 from nowhere but 0 and 3 from every value up to 3
    prop = AlwaysReachable("second", [(lambda s: True, second_at(0)), (lambda s: True, second_at(3))])
    (local,), (product,) = decide_both_ways(Counters(), [prop])
    assert verdict_facts(local) == verdict_facts(product)
    assert local.holds is False and local.counterexample.obligation == 0
    assert 0 < sum(local.can_reach[0]) < len(local.can_reach[0]) == 20
    assert sum(local.can_reach[1]) == 20
    assert local == check(General(), [prop]).verdicts[0]


@pytest.mark.parametrize("variant", ["dm12", "cr"])
def test_dm_local_goals_decide_as_the_product_graph_does(variant: str) -> None:
    model = DMModel(make_config("two-devices", variant))
    goals = [goal for p in model.properties() if isinstance(p, AlwaysReachable) for _, goal in p.obligations]
    assert [local_to(goal) for goal in goals] == [0, 1] * (len(goals) // 2)  # decided locally
    local, product = decide_both_ways(model, model.properties())
    assert [verdict_facts(v) for v in local] == [verdict_facts(v) for v in product]
    reach = [v for v in local if isinstance(v, ReachabilityVerdict)]
    assert reach and all(len(v.can_reach) == 2 for v in reach)
    assert any(not all(marks) for v in reach for marks in v.can_reach)


class Twins(Counters):
    """Two alike, interchangeable components, each going from 0 to 1 or 2 and from 1 to 3: the
    representative puts the lower value first, given in bulk to the product engine too."""

    def _moves(self, component: int, local: int) -> list[tuple[int, int]]:
        value = (local - 1) // 3
        return [(0, 3 * nxt + 1) for nxt in {0: (1, 2), 1: (3,)}.get(value, ())]

    def representative(self, state: int) -> int:
        low, high = state & 0xFF, state >> SHIFT
        return state if low <= high else high | low << SHIFT

    def components(self) -> Product | None:
        def bulk(states: np.ndarray) -> np.ndarray:
            low, high = states & np.uint64(0xFF), states >> np.uint64(SHIFT)
            return np.minimum(low, high) | np.maximum(low, high) << np.uint64(SHIFT)

        return replace(super().components(), representatives=bulk, moved=frozenset({0, 1}))


class TwinsGeneral(Twins):
    def components(self) -> Product | None:
        return None


def test_a_product_with_representatives_agrees_with_the_general_search() -> None:
    mine, theirs = outcomes(Twins(), TwinsGeneral(), None)
    assert_same(mine, theirs)
    assert len(mine.explored) == 10 == (4 * 5) // 2  # the unordered pairs of values 0..3
    assert all(values(s)[0] <= values(s)[1] for s in mine.explored.states)
    for max_states in (1, 2, 5, 9):
        assert_same(*outcomes(Twins(), TwinsGeneral(), max_states))


class MovedUndeclared(Twins):
    """Twins that do not declare the components their representative moves."""

    def components(self) -> Product | None:
        return replace(super().components(), moved=frozenset())


def test_a_goal_of_a_moved_component_is_decided_on_the_product_edges() -> None:
    # the second component at 3: from (1, 2) its own graph says no (2 is stuck), but the first
    # goes on to 3 and the representative (2, 3) has the second at 3
    prop = AlwaysReachable("second", [(lambda s: True, second_at(3))])
    edges = EdgeStore(prop.edge_classes)
    outcome = product_engine.explore(Twins(), Twins().components(), (prop,), edges,
                                     float("inf"), None, 0.0, False)
    assert len(edges.src) > 0  # not decided on the second component's own graph
    mine, general = prop.decide(outcome), check(TwinsGeneral(), [prop]).verdicts[0]
    assert verdict_facts(mine) == verdict_facts(general)
    wrong = check(MovedUndeclared(), [prop]).verdicts[0]
    assert wrong.can_reach != mine.can_reach  # what deciding on the component graph would say
    state = outcome.explored.states.index(7 | 7 << SHIFT)  # values (2, 2): stuck
    assert mine.can_reach[0][state] == 0 and mine.holds is False
    model, real = Twins(), mine.counterexample.concrete
    for before, step in zip(real, real[1:], strict=False):
        assert (step.action, step.state) in model.successors(before.state)
    assert [model.representative(s.state) for s in real] == [s.state for s in mine.counterexample.steps]


def test_a_representative_outside_the_component_graphs_is_refused() -> None:
    class Escapes(Twins):
        def components(self) -> Product | None:
            return replace(super().components(), representatives=lambda s: s | np.uint64(0xFF))

    with pytest.raises(ValueError, match="never reaches"):
        check(Escapes(), PROPERTIES)
