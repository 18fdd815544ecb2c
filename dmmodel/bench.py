"""The benchmark ladder: check configurations of growing size and measure speed and memory.

Each rung runs in a fresh interpreter (``multiprocessing`` spawn), so its peak RSS is its own;
bytes per state is the growth of peak RSS over the interpreter's baseline after imports,
divided by the number of states. Right after the rung, the same process times a plain-Python
breadth-first search (``plain_bfs``), the yardstick: the rung's end-to-end rate is also given
as a ratio to it, so that the load of the machine at that moment largely cancels.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from time import perf_counter
from typing import Any

from dmmodel.checker.memory import peak_rss_bytes
from dmmodel.checker.result import Progress
from dmmodel.protocol.config import (
    SPECS_DIR,
    Config,
    ConfigError,
    bounds_from_dict,
    load_bounds,
    read_toml,
    variant,
)

LADDER_FILE = SPECS_DIR / "bench.toml"
# The yardstick: 8 counters modulo 5, 390,625 states and 8 transitions each (about 1.3 s here).
PLAIN_WIDTH, PLAIN_BOUND = 8, 5


@dataclass(frozen=True)
class Rung:
    """One configuration of the ladder."""

    name: str
    config: str
    variant: str
    bounds: dict[str, Any]

    def make_config(self) -> Config:
        _, base = load_bounds(self.config)
        merged = bounds_from_dict({**_bounds_as_dict(base), **self.bounds})
        return Config(self.name, replace(merged, attacker=base.attacker), variant(self.variant))


@dataclass(frozen=True)
class RungResult:
    """What one rung measured: ``states_per_second`` is the search's rate,
    ``end_to_end_states_per_second`` counts the whole check (liveness included), and
    ``plain_ratio`` is the latter over ``plain_states_per_second``, the yardstick's rate."""

    rung: str
    variant: str
    states: int
    transitions: int
    depth: int
    search_seconds: float
    liveness_seconds: float
    total_seconds: float
    states_per_second: float
    end_to_end_states_per_second: float
    plain_states_per_second: float
    plain_ratio: float
    peak_rss_bytes: int
    bytes_per_state: float
    verdicts: dict[str, bool | None]


def _bounds_as_dict(bounds: Any) -> dict[str, Any]:
    data = asdict(bounds)
    del data["attacker"]  # not a bound: kept from the configuration as it is
    data["bootstrap_types"] = [t.value for t in bounds.bootstrap_types]
    data["profile"] = bounds.profile.value
    return data


def load_ladder() -> list[Rung]:
    """The rungs of ``specs/bench.toml``, in order."""
    data = read_toml(LADDER_FILE, "bench")
    try:
        return [Rung(r["name"], r["config"], r["variant"], dict(r.get("bounds", {})))
                for r in data["rung"]]
    except KeyError as missing:
        raise ConfigError(f"bench.toml: a rung lacks {missing}") from None


def plain_bfs(width: int, bound: int) -> int:
    """Breadth-first search over tuples of ``width`` counters modulo ``bound`` (each step advances
    one counter), with a dict of parents and a list as the queue, as one would write it by hand;
    the number of states found (``bound ** width``)."""
    start = (0,) * width
    parent: dict[tuple[int, ...], tuple[int, ...] | None] = {start: None}
    queue = [start]
    for state in queue:
        for i in range(width):
            nxt = state[:i] + ((state[i] + 1) % bound,) + state[i + 1 :]
            if nxt not in parent:
                parent[nxt] = state
                queue.append(nxt)
    return len(queue)


def plain_rate(width: int = PLAIN_WIDTH, bound: int = PLAIN_BOUND) -> float:
    """States per second of ``plain_bfs`` on this machine now."""
    started = perf_counter()
    states = plain_bfs(width, bound)
    return states / (perf_counter() - started)


def measure(rung: Rung, progress: Callable[[Progress], None] | None = None) -> RungResult:
    """Check one rung in this process and measure it (``progress`` is the search's callback),
    then time the yardstick (after the rung, so that its memory does not count)."""
    from dmmodel.checker import check
    from dmmodel.search.checkable import DMModel

    config = rung.make_config()
    baseline = peak_rss_bytes()
    started = perf_counter()
    result = check(DMModel(config), progress=progress)
    total = perf_counter() - started
    peak = peak_rss_bytes()
    verdicts = {v.property.name: v.holds for v in result.verdicts}
    states, transitions, depth = result.states, result.transitions, result.depth
    search, liveness = result.seconds, result.liveness_seconds
    del result  # free the explored graph before the yardstick runs
    end_to_end = states / total
    plain = plain_rate()
    return RungResult(
        rung=rung.name,
        variant=rung.variant,
        states=states,
        transitions=transitions,
        depth=depth,
        search_seconds=search,
        liveness_seconds=liveness,
        total_seconds=total,
        states_per_second=states / search if search else 0.0,
        end_to_end_states_per_second=end_to_end,
        plain_states_per_second=plain,
        plain_ratio=end_to_end / plain,
        peak_rss_bytes=peak,
        bytes_per_state=(peak - baseline) / states,
        verdicts=verdicts,
    )


def measure_in_fresh_process(rung: Rung, progress: Callable[[Progress], None] | None = None
                              ) -> RungResult:
    """Run ``measure`` in a new interpreter so that peak memory is the rung's alone.

    ``progress`` is pickled into the child, which shares this process's stderr, so a callback
    that prints (``dmmodel.cli.progress.SearchProgress``) reports from there.
    """
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(measure, (rung, progress))
