"""Textbook models through the same engine: figures from TLC, re-derived here independently."""

from itertools import product

from dmmodel.checker import (
    Always,
    assert_counterexample,
    assert_discovery,
    assert_properties,
    check,
)
from dmmodel.examples.die_hard import BIG, SMALL, DieHard

# -- Die Hard --------------------------------------------------------------------------------

DIE_HARD_ACTIONS = [
    "FillSmallJug",
    "FillBigJug",
    "EmptySmallJug",
    "EmptyBigJug",
    "SmallToBig",
    "BigToSmall",
]
PAIRS = list(product(range(BIG + 1), range(SMALL + 1)))  # every (big, small) TypeOK allows


def next_relation(s, t):
    """Which of the spec's six actions relate state ``s`` to ``t``, written as predicates on the
    pair (not as functions, unlike the model)."""
    (big, small), (big2, small2) = s, t
    return [
        small2 == SMALL and big2 == big,
        big2 == BIG and small2 == small,
        small2 == 0 and big2 == big,
        big2 == 0 and small2 == small,
        big2 == min(big + small, BIG) and small2 == small - (big2 - big),
        small2 == min(big + small, SMALL) and big2 == big - (small2 - small),
    ]


def distances():
    """BFS distance of every reachable pair, layer by layer over the relation."""
    dist = {(0, 0): 0}
    layer = [(0, 0)]
    while layer:
        new = []
        for s in layer:
            for t in PAIRS:
                if t not in dist and any(next_relation(s, t)):
                    dist[t] = dist[s] + 1
                    new.append(t)
        layer = new
    return dist


def shortest_solutions(dist):
    """Every action sequence of a shortest path from (0, 0) to big == 4."""
    target = min(d for (big, _), d in dist.items() if big == 4)

    def extend(s):
        if dist[s] == target:
            return [[]] if s[0] == 4 else []
        return [
            [DIE_HARD_ACTIONS[k], *rest]
            for t in PAIRS
            if dist.get(t) == dist[s] + 1
            for k, holds in enumerate(next_relation(s, t))
            if holds
            for rest in extend(t)
        ]

    return extend((0, 0))


SOLUTION = ["FillBigJug", "BigToSmall", "EmptySmallJug", "BigToSmall", "FillBigJug", "BigToSmall"]


def test_die_hard_counts_agree_with_a_relational_enumeration_and_the_argument():
    result = check(DieHard())
    dist = distances()
    assert result.complete
    assert result.states == len(dist) == 16
    assert {(s.big, s.small) for s in map(result.state, range(result.states))} == set(dist)
    # Reachable exactly when some jug is empty or full (the module docstring's argument).
    assert set(dist) == {(b, s) for b, s in PAIRS if b in (0, BIG) or s in (0, SMALL)}
    assert result.transitions == sum(sum(next_relation(s, t)) for s in dist for t in PAIRS) == 96
    assert result.depth == max(dist.values())
    # TLC counts the initial state among states generated and as depth 1.
    assert (result.states, result.transitions + 1, result.depth + 1) == (16, 97, 8)


def test_die_hard_shortest_solution_is_unique_and_six_steps():
    assert shortest_solutions(distances()) == [SOLUTION]


def test_die_hard_discovery_and_counterexample_are_the_solution():
    model = DieHard()
    result = check(model, [*model.properties(), Always("big != 4", lambda s: s.big != 4)])
    assert_discovery(result, "big jug holds 4", SOLUTION)
    assert_counterexample(result, "big != 4", SOLUTION)


def test_die_hard_properties_hold():
    assert_properties(check(DieHard()))
