"""Reachability with arrays: the numpy passes, vectorised predicates and the paused collector."""

import gc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_checker_properties import Graph

from dmmodel.checker import AlwaysReachable, Model, check
from dmmodel.checker.predicates import ArrayPredicate, pack
from dmmodel.checker.reach import reaching, reverse_csr
from dmmodel.protocol.config import make_config
from dmmodel.search.checkable import DMModel

EDGES = st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.sampled_from(["p", "f"])),
                 max_size=30)
SETS = st.lists(st.tuples(st.sets(st.integers(0, 9)), st.sets(st.integers(0, 9))),
                min_size=1, max_size=3)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=40), st.sets(st.integers(0, 9)))
def test_reaching_marks_exactly_the_states_with_a_path_to_a_seed(edges, seeds):
    src = np.array([s for s, _ in edges], dtype=np.uint32)
    dst = np.array([t for _, t in edges], dtype=np.uint32)
    offsets, sources = reverse_csr(10, src, dst)
    marks = reaching(offsets, sources, np.array(sorted(seeds), dtype=np.intp))
    can = set(seeds)
    while True:  # the fixpoint, computed the slow way
        more = {s for s, t in edges if t in can} - can
        if not more:
            break
        can |= more
    assert marks == bytearray(v in can for v in range(10))


def test_reverse_csr_keeps_the_stored_order_of_the_sources():
    offsets, sources = reverse_csr(3, np.array([0, 2, 1, 0], np.uint32), np.array([1, 1, 1, 2], np.uint32))
    assert offsets.tolist() == [0, 0, 3, 4]
    assert sources.tolist() == [0, 2, 1, 0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=40), st.integers(1, 8))
def test_reverse_csr_and_reaching_in_small_chunks_are_the_same(edges, chunk):
    src = np.array([s for s, _ in edges], dtype=np.uint32)
    dst = np.array([t for _, t in edges], dtype=np.uint32)
    offsets, sources = reverse_csr(10, src, dst, chunk)
    assert offsets.tolist() == [sum(t < v for _, t in edges) for v in range(11)]
    assert sources.tolist() == [s for v in range(10) for s, t in edges if t == v]
    for seed in range(10):
        seeds = np.array([seed], dtype=np.intp)
        assert reaching(offsets, sources, seeds, chunk) == reaching(*reverse_csr(10, src, dst), seeds)


class Offset(Graph):
    """A ``Graph`` whose states are shifted by ``base``: ints, but maybe too large for uint64."""

    def __init__(self, edges, base):
        super().__init__(edges)
        self.base = base

    def init_states(self):
        return [self.base]

    def successors(self, state):
        return [(a, t + self.base) for a, t in super().successors(state - self.base)]


def as_arrays(obligations, base, per_state_allowed):
    """The obligations as ``ArrayPredicate``s; the per-state form refuses when not allowed."""

    def member(values):
        def over_states(states):
            return np.isin(states, np.array(sorted(v + base for v in values), dtype=np.uint64))

        def per_state(s):
            if not per_state_allowed:
                raise AssertionError("called state by state although the states pack into uint64")
            return s in {v + base for v in values}

        return ArrayPredicate(per_state, over_states)

    return [(member(a), member(g)) for a, g in obligations]


@settings(max_examples=60, deadline=None)
@given(EDGES, SETS, st.sampled_from([0, 2**40, 2**64]))
def test_vectorised_predicates_decide_as_per_state_ones(edges, obligations, base):
    graph = Offset(edges, base)
    plain = AlwaysReachable(
        "plain", [(lambda s, a=a: s - base in a, lambda s, g=g: s - base in g) for a, g in obligations],
        via={"p"})
    fits = base < 2**64 - 16
    arrays = AlwaysReachable("arrays", as_arrays(obligations, base, per_state_allowed=not fits), via={"p"})
    result = check(graph, [plain, arrays])
    a, b = result.verdicts
    assert a.holds is b.holds
    assert a.can_reach == b.can_reach
    assert result.violating_states("plain") == result.violating_states("arrays")
    if a.counterexample is not None:
        assert b.counterexample.obligation == a.counterexample.obligation
        assert b.counterexample.steps == a.counterexample.steps
        assert b.counterexample.trap == a.counterexample.trap


def test_packing_refuses_what_is_not_a_uint64():
    assert pack([0, 2**64 - 1]).tolist() == [0, 2**64 - 1]
    assert pack([2**64]) is None
    assert pack([-1]) is None
    assert pack([(1, 2)]) is None


@pytest.mark.parametrize("config", ["default", "all-types"])
def test_dm_obligations_over_arrays_agree_with_state_by_state(config):
    model = DMModel(make_config(config, "dm12"))
    result = check(model)
    states = result.explored.states
    packed = pack(states)
    obligations = [pair for p in model.properties() if isinstance(p, AlwaysReachable)
                   for pair in p.obligations]
    assert obligations
    for applies, goal in obligations:
        for predicate in (applies, goal):
            assert predicate.over_states(packed).tolist() == [predicate(s) for s in states]


def test_liveness_time_is_reported_apart_from_the_search():
    result = check(DMModel(make_config("default", "cr")))
    assert result.liveness_seconds > 0
    assert result.to_json()["liveness_seconds"] == result.liveness_seconds


class Watcher(Model):
    """Counts to 3, noting whether the cyclic collector ran during the search; may fail."""

    def __init__(self, fail=False):
        self.fail = fail
        self.collecting = []

    def init_states(self):
        return [0]

    def successors(self, n):
        self.collecting.append(gc.isenabled())
        if self.fail and n == 2:
            raise RuntimeError("model bug")
        return [("inc", n + 1)] if n < 3 else []


@pytest.fixture
def collector():
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_garbage_collection_is_paused_during_the_search_and_restored(collector):
    gc.enable()
    model = Watcher()
    check(model)
    assert model.collecting == [False] * 4
    assert gc.isenabled()


def test_garbage_collection_is_restored_when_the_model_fails(collector):
    gc.enable()
    with pytest.raises(RuntimeError, match="model bug"):
        check(Watcher(fail=True))
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_caller_stays_off(collector):
    gc.disable()
    check(Watcher())
    assert not gc.isenabled()
