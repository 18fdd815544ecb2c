"""A model with dense int states is searched with an array index, and finds what a dict finds.

With ``Model.dense_states`` the search indexes states with ``index.DenseIndex`` and evaluates
vectorised watch predicates once over all states after the search; both must leave every
state, parent, position, first notable state and verdict as the dictionary search has them.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from dmmodel.checker import Always, AlwaysReachable, Model, NoStuckStates, Sometimes, check
from dmmodel.checker.bfs import _explore
from dmmodel.checker.edges import EdgeStore
from dmmodel.checker.index import DenseIndex
from dmmodel.checker.predicates import ArrayPredicate

SIZE = 60


class Walk(Model[int, str]):
    """A walk on 0..SIZE-1 (step +1 or +7 modulo SIZE, stuck at 59), its states numbered by a
    shuffled table, so that the ids are dense but not in the order the search meets them."""

    def __init__(self, dense: bool) -> None:
        self.dense = dense
        self.name = list(range(SIZE))
        random.Random(7).shuffle(self.name)
        self.value = {n: v for v, n in enumerate(self.name)}

    def dense_states(self) -> bool:
        return self.dense

    def init_states(self) -> list[int]:
        return [self.name[0]]

    def successors(self, state: int) -> list[tuple[str, int]]:
        v = self.value[state]
        if v == SIZE - 1:
            return []
        return [("one", self.name[(v + 1) % SIZE]), ("seven", self.name[(v + 7) % SIZE])]


def below(limit: int, walk: Walk) -> ArrayPredicate:
    """``value < limit`` state by state and over an array of states."""
    table = np.array([walk.value[n] < limit for n in range(SIZE)], dtype=np.bool_)
    return ArrayPredicate(lambda s: walk.value[s] < limit, lambda states: table[states])


def properties(walk: Walk) -> list:
    return [
        Always("vectorised_below_40", below(40, walk)),
        Always("plain_below_30", lambda s: walk.value[s] < 30),
        Sometimes("reaches_50", lambda s: walk.value[s] == 50),
        NoStuckStates("no_stuck"),
        AlwaysReachable("home", [(lambda s: True, lambda s: walk.value[s] == 0)]),
    ]


@pytest.mark.parametrize("max_states", [None, 1, 2, 7, 30, 59])
def test_dense_search_finds_what_the_dict_search_finds(max_states: int | None) -> None:
    outcomes = []
    for dense in (True, False):
        walk = Walk(dense)
        props = tuple(properties(walk))
        outcomes.append(_explore(walk, props, EdgeStore(c for p in props for c in p.edge_classes),
                                 max_states, None, 0.0, False))
    mine, theirs = outcomes
    assert mine.explored.states == theirs.explored.states
    assert mine.explored.parent == theirs.explored.parent
    assert list(mine.explored.position) == list(theirs.explored.position)
    assert (mine.transitions, mine.complete, mine.first_stuck) == \
        (theirs.transitions, theirs.complete, theirs.first_stuck)
    assert mine.found == theirs.found
    if max_states is None:
        assert len(mine.found) == 3  # both invariants fail and 50 is reached: the test bites


def test_dense_verdicts_and_counterexamples_match() -> None:
    mine = check(Walk(True), properties(Walk(True)))
    theirs = check(Walk(False), properties(Walk(False)))
    assert [v.holds for v in mine.verdicts] == [v.holds for v in theirs.verdicts] == \
        [False, False, True, False, False]
    for a, b in zip(mine.verdicts, theirs.verdicts, strict=True):
        assert (a.counterexample is None) == (b.counterexample is None)
        if a.counterexample is not None:
            assert [s.state for s in a.counterexample.steps] == [s.state for s in b.counterexample.steps]


def test_dense_index_records_and_forgets() -> None:
    index = DenseIndex()
    assert index.setdefault(5, 0) == 0
    assert index.setdefault(5, 1) == 0  # known: its first index
    assert index.setdefault(1000, 1) == 1  # far beyond the array: it grows
    assert index.setdefault(3, 2) == 2
    del index[3]
    assert index.setdefault(3, 7) == 7
    with pytest.raises(ValueError, match="non-negative"):
        index.setdefault(-1, 3)
