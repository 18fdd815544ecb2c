"""A synthetic benchmark: measure checker throughput and memory on a torus walk.

Run ``python -m dmmodel.checker.benchmark [SIDE]``; the torus has SIDE^2 states and
4 * SIDE^2 transitions, and every property holds, so the whole space is explored.
"""

from __future__ import annotations

import sys

from dmmodel.checker.bfs import check
from dmmodel.checker.model import Model
from dmmodel.checker.properties import Always, AlwaysReachable, NoStuckStates
from dmmodel.checker.result import CheckResult


class Torus(Model[tuple[int, int], str]):
    """A point on a side x side torus moving one cell in any of four directions."""

    def __init__(self, side: int) -> None:
        self.side = side

    def init_states(self) -> list[tuple[int, int]]:
        return [(0, 0)]

    def successors(self, state: tuple[int, int]) -> list[tuple[str, tuple[int, int]]]:
        x, y = state
        side = self.side
        return [
            ("east", ((x + 1) % side, y)),
            ("west", ((x - 1) % side, y)),
            ("north", (x, (y + 1) % side)),
            ("south", (x, (y - 1) % side)),
        ]

    def properties(self) -> list:
        side = self.side
        return [
            Always("on the board", lambda s: s[0] < side and s[1] < side),
            NoStuckStates("always a move"),
            AlwaysReachable("home reachable", [(lambda s: True, lambda s: s == (0, 0))]),
        ]


def run(side: int) -> CheckResult:
    """Check the torus of the given side with all its properties."""
    return check(Torus(side))


USAGE = "usage: python -m dmmodel.checker.benchmark [SIDE] (SIDE a whole number from 1 to 100000)"


def parse_side(argv: list[str]) -> int | None:
    """The torus side the arguments name (1000 when none), or None when they are not one."""
    if not argv:
        return 1000
    if len(argv) == 1 and argv[0].isdigit() and 1 <= int(argv[0]) <= 100_000:
        return int(argv[0])
    return None


def main(argv: list[str]) -> None:
    """Print the statistics of one benchmark run (a one-line usage error, exit 2, for bad input)."""
    side = parse_side(argv)
    if side is None:
        print(f"{USAGE}; got {' '.join(argv)!r}", file=sys.stderr)
        raise SystemExit(2)
    result = run(side)
    print(
        f"{result.states} states, {result.transitions} transitions, depth {result.depth}: "
        f"{result.seconds:.2f} s search, {result.states_per_second:,.0f} states/s, "
        f"{result.bytes_per_state:.0f} bytes/state, peak RSS {result.peak_rss_bytes >> 20} MiB, "
        f"verdicts {[v.holds for v in result.verdicts]}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
