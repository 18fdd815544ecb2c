"""Textbook models through the same engine: figures from TLC, re-derived here independently."""

from itertools import product

import pytest

from dmmodel.checker import (
    Always,
    assert_counterexample,
    assert_discovery,
    assert_properties,
    check,
)
from dmmodel.examples.die_hard import BIG, SMALL, DieHard
from dmmodel.examples.two_phase_commit import TwoPhase

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


# -- Two-phase commit ------------------------------------------------------------------------


def two_phase_states(n):
    return 4**n + 2**n + 6**n


def two_phase_transitions(n):
    return (n + 1) * 4**n + 1 + n * 2**n + n * 6**n + 2 * n * 6 ** (n - 1)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_two_phase_counts_follow_the_derived_formulas(n):
    result = check(TwoPhase(n), [])
    assert result.complete
    assert result.states == two_phase_states(n)
    assert result.transitions == two_phase_transitions(n)
    assert result.depth == 3 * n + 1


def test_two_phase_matches_tlc_for_three_and_six_rms():
    three = check(TwoPhase(3), [])
    # TLC: 288 distinct, 1146 generated (the initial state and one per transition), depth 11
    # (TLC counts the initial state as depth 1).
    assert (three.states, three.transitions + 1, three.depth + 1) == (288, 1146, 11)
    assert two_phase_states(3) == 288 and two_phase_transitions(3) + 1 == 1146
    assert check(TwoPhase(6), []).states == two_phase_states(6) == 50816


def test_two_phase_properties_hold_and_commit_takes_every_phase():
    result = check(TwoPhase(3))
    assert_properties(result)
    assert_discovery(
        result,
        "all committed",
        [
            "RMPrepare(r1)",
            "TMRcvPrepared(r1)",
            "RMPrepare(r2)",
            "TMRcvPrepared(r2)",
            "RMPrepare(r3)",
            "TMRcvPrepared(r3)",
            "TMCommit",
            "RMRcvCommitMsg(r1)",
            "RMRcvCommitMsg(r2)",
            "RMRcvCommitMsg(r3)",
        ],
    )
    # Aborting needs no TM: each RM may choose to, so three steps suffice.
    assert_discovery(result, "all aborted", [f"RMChooseToAbort(r{i})" for i in (1, 2, 3)])


def test_two_phase_coverage_per_spec_action():
    n = 3
    coverage = check(TwoPhase(n), [], coverage=True).coverage
    # Counted from the state classes of the module docstring: e.g. TMAbort is enabled in every
    # "init" state (4^n), TMCommit in one; RMPrepare in a working RM's "init" and "aborted" states.
    assert coverage == {
        "RMChooseToAbort": n * 4 ** (n - 1) + n * 6 ** (n - 1),
        "RMPrepare": n * 4 ** (n - 1) + n * 6 ** (n - 1),
        "RMRcvAbortMsg": n * 6**n,
        "RMRcvCommitMsg": n * 2**n,
        "TMAbort": 4**n,
        "TMCommit": 1,
        "TMRcvPrepared": n * 2 * 4 ** (n - 1),
    }
    assert sum(coverage.values()) == two_phase_transitions(n)


def test_breaking_commit_is_caught_with_a_shortest_counterexample():
    class Hasty(TwoPhase):
        """The TM commits as soon as one RM has prepared."""

        def successors(self, state):
            out = super().successors(state)
            if state.tm == "init" and state.tm_prepared and len(state.tm_prepared) < self.n:
                done = state._replace(tm="committed", msgs=state.msgs | {("Commit",)})
                out.append((("TMCommit", None), done))
            return out

    # Five steps are needed: one RM committed takes prepare, receive, commit and receiving the
    # commit; another aborted takes one more. BFS order decides which five.
    assert_counterexample(
        check(Hasty(2)),
        "TCConsistent",
        ["RMPrepare(r1)", "TMRcvPrepared(r1)", "RMChooseToAbort(r2)", "TMCommit", "RMRcvCommitMsg(r1)"],
    )
