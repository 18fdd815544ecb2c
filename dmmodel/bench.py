"""The benchmark ladder: check configurations of growing size and measure speed and memory.

Each rung runs in a fresh interpreter (``multiprocessing`` spawn), so its peak RSS is its own;
bytes per state is the growth of peak RSS over the interpreter's baseline after imports,
divided by the number of states.
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
        return Config(self.name, replace(merged), variant(self.variant))


@dataclass(frozen=True)
class RungResult:
    """What one rung measured."""

    rung: str
    variant: str
    states: int
    transitions: int
    depth: int
    search_seconds: float
    total_seconds: float
    states_per_second: float
    peak_rss_bytes: int
    bytes_per_state: float
    verdicts: dict[str, bool | None]


def _bounds_as_dict(bounds: Any) -> dict[str, Any]:
    data = asdict(bounds)
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


def measure(rung: Rung, progress: Callable[[Progress], None] | None = None) -> RungResult:
    """Check one rung in this process and measure it (``progress`` is the search's callback)."""
    from dmmodel.checker import check
    from dmmodel.protocol.checkable import DMModel

    config = rung.make_config()
    baseline = peak_rss_bytes()
    started = perf_counter()
    result = check(DMModel(config), progress=progress)
    total = perf_counter() - started
    peak = peak_rss_bytes()
    return RungResult(
        rung=rung.name,
        variant=rung.variant,
        states=result.states,
        transitions=result.transitions,
        depth=result.depth,
        search_seconds=result.seconds,
        total_seconds=total,
        states_per_second=result.states / result.seconds if result.seconds else 0.0,
        peak_rss_bytes=peak,
        bytes_per_state=(peak - baseline) / result.states,
        verdicts={v.property.name: v.holds for v in result.verdicts},
    )


def measure_in_fresh_process(rung: Rung, progress: Callable[[Progress], None] | None = None
                              ) -> RungResult:
    """Run ``measure`` in a new interpreter so that peak memory is the rung's alone.

    ``progress`` is pickled into the child, which shares this process's stderr, so a callback
    that prints (``dmmodel.cli.progress.SearchProgress``) reports from there.
    """
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(measure, (rung, progress))
