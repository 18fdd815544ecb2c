"""The benchmark ladder: check configurations of growing size and measure speed and memory.

Each run of a rung is a fresh interpreter (``multiprocessing`` spawn), so its peak memory is its
own; bytes per state is the growth of that peak over the interpreter's size after imports,
divided by the number of states. A yardstick, a plain-Python breadth-first search
(``plain_bfs``), is timed on CPU time just before the check, in a fork of the rung's process
(run in the process itself it left the allocator in a state that raised the check's peak, by
10 MB on two-devices-2reboot), and again just after the check in the process itself. The
rung's end-to-end rate per CPU second over the yardstick's is "x plain", in which the speed and
load of the machine largely cancel; the two yardstick runs' spread says how steady the machine
was meanwhile. A rung may be run several times (each a fresh process): its figures are then
the medians of the runs. The search uses symmetry reduction as ``dmmodel check`` does by default
(``SYMMETRY``): with three devices or more its states are orbits.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from statistics import median
from time import perf_counter, process_time
from typing import Any

from dmmodel.checker.memory import own_peak_rss_bytes
from dmmodel.checker.result import Progress
from dmmodel.protocol.config import (
    SPECS_DIR,
    Config,
    ConfigError,
    attacker_from_dict,
    bounds_from_dict,
    load_bounds,
    read_toml,
    variant,
)

LADDER_FILE = SPECS_DIR / "bench.toml"
RUNG_KEYS = ("name", "config", "variant", "bounds", "attacker")
# The yardstick: 8 counters modulo 5, 390,625 states and 8 transitions each (about 1.3 s here).
PLAIN_WIDTH, PLAIN_BOUND = 8, 5
# as `dmmodel check` (--symmetry is its default; tests/test_bench.py holds the two together)
SYMMETRY = True


@dataclass(frozen=True)
class Rung:
    """One configuration of the ladder: a named configuration, a variant, and overrides of its
    bounds and of its attacker's settings (``[attacker]`` keys, the name optional)."""

    name: str
    config: str
    variant: str
    bounds: dict[str, Any]
    attacker: dict[str, Any] = field(default_factory=dict)

    def make_config(self) -> Config:
        """The configuration this rung checks; a bad override raises ConfigError naming the rung."""
        try:
            _, base = load_bounds(self.config)
            merged = bounds_from_dict({**_bounds_as_dict(base), **self.bounds})
            attacker = attacker_from_dict(self.attacker, base.attacker) if self.attacker else base.attacker
            return Config(self.name, replace(merged, attacker=attacker), variant(self.variant))
        except ConfigError as error:
            raise ConfigError(f"{LADDER_FILE.name}: rung {self.name!r}: {error}") from None


@dataclass(frozen=True)
class Run:
    """What one run of a rung measured in its own process: wall-clock seconds of the search, of
    deciding the properties and of the whole check, CPU seconds of the whole check, and the
    yardstick's states per CPU second just before and just after the check."""

    states: int
    transitions: int
    depth: int
    symmetry: bool
    search_seconds: float
    liveness_seconds: float
    total_seconds: float
    cpu_seconds: float
    plain_before: float
    plain_after: float
    peak_rss_bytes: int
    baseline_rss_bytes: int
    verdicts: dict[str, bool | None]

    @property
    def cpu_plain_ratio(self) -> float:
        """End-to-end states per CPU second over the yardstick's (the mean of its two runs)."""
        return self.states / self.cpu_seconds / ((self.plain_before + self.plain_after) / 2)

    @property
    def bytes_per_state(self) -> float:
        """Growth of the peak over the interpreter's size after imports, per state stored."""
        return (self.peak_rss_bytes - self.baseline_rss_bytes) / self.states


@dataclass(frozen=True)
class RungResult:
    """A rung over its runs: times are medians; ``states_per_second`` is the search's rate
    (wall clock), ``end_to_end_states_per_cpu_second`` the whole check's per CPU second,
    ``plain_states_per_cpu_second`` the yardstick's median, ``plain_spread`` the spread of all
    its runs, ``cpu_plain_ratio`` the median of the runs' ratios ("x plain"); ``spread`` is the
    spread across the runs (``spread_of``) of each time, of x plain and of the yardstick
    (``plain``, each run's mean of its two); ``runs`` holds each run's raw figures."""

    rung: str
    variant: str
    symmetry: bool
    repeats: int
    states: int
    transitions: int
    depth: int
    search_seconds: float
    liveness_seconds: float
    total_seconds: float
    cpu_seconds: float
    states_per_second: float
    end_to_end_states_per_cpu_second: float
    plain_states_per_cpu_second: float
    plain_spread: float
    cpu_plain_ratio: float
    peak_rss_bytes: int
    bytes_per_state: float
    spread: dict[str, float]
    verdicts: dict[str, bool | None]
    runs: list[Run]


def _bounds_as_dict(bounds: Any) -> dict[str, Any]:
    data = asdict(bounds)
    del data["attacker"]  # not a bound: the rung's ``attacker`` table overrides it
    data["bootstrap_types"] = [t.value for t in bounds.bootstrap_types]
    data["profile"] = bounds.profile.value
    return data


def load_ladder() -> list[Rung]:
    """The rungs of ``LADDER_FILE`` (``specs/bench.toml``), in order, each checked to make a
    configuration; ConfigError (one line, naming the rung) for anything wrong."""
    data = read_toml(LADDER_FILE, "bench")
    where = LADDER_FILE.name
    tables = data.get("rung")
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f"{where}: expected [[rung]] tables")
    ladder: list[Rung] = []
    for number, table in enumerate(tables, 1):
        name = table.get("name")
        label = f"rung {name!r}" if isinstance(name, str) else f"rung number {number}"
        missing = [k for k in RUNG_KEYS[:3] if not isinstance(table.get(k), str)]
        unknown = [k for k in table if k not in RUNG_KEYS]
        if missing or unknown:
            problem = f"needs {missing[0]!r} (a string)" if missing else f"unknown key {unknown[0]!r}"
            raise ConfigError(f"{where}: {label}: {problem}; keys: {', '.join(RUNG_KEYS)}")
        for key in ("bounds", "attacker"):
            if not isinstance(table.get(key, {}), dict):
                raise ConfigError(f"{where}: {label}: {key}: expected a table")
        if any(r.name == name for r in ladder):
            raise ConfigError(f"{where}: {label} is listed twice")
        rung = Rung(name, table["config"], table["variant"], dict(table.get("bounds", {})),
                    dict(table.get("attacker", {})))
        rung.make_config()
        ladder.append(rung)
    return ladder


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
    """States per CPU second of ``plain_bfs`` in this process now (CPU time, so that other work
    on the machine slows it less than it would the wall clock)."""
    started = process_time()
    states = plain_bfs(width, bound)
    return states / (process_time() - started)


def plain_rate_in_fork() -> float:
    """``plain_rate`` in a fork of this process: the same interpreter at the same moment, whose
    memory, and what it leaves to the allocator, this process never sees."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report the rate and leave at once (no cleanup of the parent's)
        status = 1
        try:
            os.close(read)
            os.write(write, repr(plain_rate()).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        text = pipe.read()
    if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0:
        raise RuntimeError("the yardstick's fork failed")
    return float(text)


def measure(rung: Rung, progress: Callable[[Progress], None] | None = None) -> Run:
    """Check one rung in this process and measure it (``progress`` is the search's callback),
    timing the yardstick just before the check (in a fork) and again once the explored graph
    is freed."""
    from dmmodel.checker import check
    from dmmodel.search.checkable import DMModel

    config = rung.make_config()
    baseline = own_peak_rss_bytes()  # the interpreter and its imports
    plain_before = plain_rate_in_fork()
    started, started_cpu = perf_counter(), process_time()
    model = DMModel(config, SYMMETRY)
    result = check(model, progress=progress)
    cpu = process_time() - started_cpu
    total = perf_counter() - started
    peak = own_peak_rss_bytes()
    verdicts = {v.property.name: v.holds for v in result.verdicts}
    states, transitions, depth = result.states, result.transitions, result.depth
    search, liveness, symmetric = result.seconds, result.liveness_seconds, model.symmetric
    del result, model  # free the explored graph before the yardstick runs again
    return Run(
        states=states,
        transitions=transitions,
        depth=depth,
        symmetry=symmetric,
        search_seconds=search,
        liveness_seconds=liveness,
        total_seconds=total,
        cpu_seconds=cpu,
        plain_before=plain_before,
        plain_after=plain_rate(),
        peak_rss_bytes=peak,
        baseline_rss_bytes=baseline,
        verdicts=verdicts,
    )


def measure_in_fresh_process(rung: Rung, progress: Callable[[Progress], None] | None = None) -> Run:
    """Run ``measure`` in a new interpreter so that peak memory is the rung's alone.

    ``progress`` is pickled into the child, which shares this process's stderr, so a callback
    that prints (``dmmodel.cli.progress.SearchProgress``) reports from there.
    """
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(measure, (rung, progress))


def spread_of(values: Sequence[float]) -> float:
    """How far apart repeated measurements are: the largest distance of one from their median,
    relative to the median, so that all lie within median × (1 ± spread) (0.04 reads "±4%");
    for two it is half their difference over their mean, 0 for a single value."""
    middle = median(values)
    return max(abs(v - middle) for v in values) / middle if middle else 0.0


def summarise(rung: Rung, runs: Sequence[Run]) -> RungResult:
    """The medians of ``runs`` of ``rung`` (at least one), with each figure's spread across them."""
    first = runs[0]
    timed = ("search_seconds", "liveness_seconds", "total_seconds", "cpu_seconds")
    series = {name: [getattr(r, name) for r in runs] for name in timed}
    series["cpu_plain_ratio"] = [r.cpu_plain_ratio for r in runs]
    series["plain"] = [(r.plain_before + r.plain_after) / 2 for r in runs]
    middle = {name: median(values) for name, values in series.items()}
    yardstick = [rate for r in runs for rate in (r.plain_before, r.plain_after)]
    return RungResult(
        rung=rung.name,
        variant=rung.variant,
        symmetry=first.symmetry,
        repeats=len(runs),
        states=first.states,
        transitions=first.transitions,
        depth=first.depth,
        **{name: middle[name] for name in timed},
        states_per_second=first.states / middle["search_seconds"] if middle["search_seconds"] else 0.0,
        end_to_end_states_per_cpu_second=first.states / middle["cpu_seconds"],
        plain_states_per_cpu_second=median(yardstick),
        plain_spread=spread_of(yardstick),
        cpu_plain_ratio=middle["cpu_plain_ratio"],
        peak_rss_bytes=round(median(r.peak_rss_bytes for r in runs)),
        bytes_per_state=median(r.bytes_per_state for r in runs),
        spread={name: spread_of(values) for name, values in series.items()},
        verdicts=first.verdicts,
        runs=list(runs),
    )


def export_record(result: RungResult) -> dict[str, Any]:
    """``result`` as JSON-ready data: the medians, and under ``runs`` each run's raw figures
    with its x plain and bytes per state."""
    data = {f.name: getattr(result, f.name) for f in fields(result) if f.name != "runs"}
    data["runs"] = [{**asdict(r), "cpu_plain_ratio": r.cpu_plain_ratio, "bytes_per_state": r.bytes_per_state}
                    for r in result.runs]
    return data
