"""The Die Hard jugs puzzle, after Lamport's DieHard.tla (github.com/tlaplus/Examples,
specifications/DieHard): get exactly 4 gallons with a 3-gallon and a 5-gallon jug.

Known figures: TLC, run to completion (without the ``NotSolved`` invariant), reports "97 states
generated, 16 distinct states found" and a search depth of 8. Each is re-derived here and in
tests/test_examples.py by a relation-based enumeration:

- 16 distinct states: every action leaves some jug empty or full (fill and empty do so
  directly, a pour empties its source or fills its target), the initial state has both empty,
  and every such state is reachable: 2 * 6 + 2 * 2 = 16 of the 4 * 6 pairs;
- 96 transitions, so 97 states generated with the initial one: each of the six actions is
  enabled in every state (as in the spec, filling a full jug is a step that changes nothing);
- depth 7 transitions (TLC counts the initial state, hence 8);
- the shortest way to 4 gallons in the big jug is 6 steps, the error trace TLC prints for the
  invariant ``big # 4``: fill big, big to small, empty small, big to small, fill big, big to
  small. It is the only one of that length.
"""

from __future__ import annotations

from typing import NamedTuple

from dmmodel.checker import Always, AlwaysReachable, Model, NoStuckStates, Property, Sometimes

SMALL, BIG = 3, 5  # jug capacities in gallons


class Jugs(NamedTuple):
    """Gallons in each jug (the spec's variables ``big`` and ``small``)."""

    big: int
    small: int


class DieHard(Model[Jugs, str]):
    """Both jugs start empty; the actions are the six disjuncts of the spec's ``Next``, in order."""

    def init_states(self) -> list[Jugs]:
        return [Jugs(0, 0)]

    def successors(self, state: Jugs) -> list[tuple[str, Jugs]]:
        big, small = state
        to_big = min(big + small, BIG)  # pouring small into big leaves big with this much
        to_small = min(big + small, SMALL)
        return [
            ("FillSmallJug", Jugs(big, SMALL)),
            ("FillBigJug", Jugs(BIG, small)),
            ("EmptySmallJug", Jugs(big, 0)),
            ("EmptyBigJug", Jugs(0, small)),
            ("SmallToBig", Jugs(to_big, small - (to_big - big))),
            ("BigToSmall", Jugs(big - (to_small - small), to_small)),
        ]

    def format_state(self, state: Jugs) -> str:
        return f"big={state.big} small={state.small}"

    def properties(self) -> list[Property]:
        return [
            Always("TypeOK", lambda s: 0 <= s.small <= SMALL and 0 <= s.big <= BIG),
            NoStuckStates("always a move"),
            Sometimes("big jug holds 4", lambda s: s.big == 4),
            AlwaysReachable("4 gallons from anywhere", [(lambda s: True, lambda s: s.big == 4)]),
        ]
