"""Exploring the bounds: raise one bound at a time and see whether a verdict depends on it.

A configuration's verdicts are claims about its bounds only. :func:`sweep_bound` raises one bound
from the configuration's value upward (every other bound stays as configured) and checks the
variants again at each value, through :func:`dmmodel.analysis.check_presets`, until one of:

- a verdict changes from the previous value (``flip``): the bound matters, and where it does is
  what the sweep reports;
- a limit stops a check (``limit``): time or memory ran out, the check at that value is undecided;
- no variant's state count grew (``saturated``): the bound is no longer reached, so higher values
  give the same graph;
- the bound's largest allowed value, or the end asked for, is reached (``maximum``).

Only what the table needs is kept of each check (states, seconds, verdicts), so that the memory
of one value's checks is given back before the next.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from dmmodel.analysis import UNDECIDED, ProgressFactory, VariantResult, check_presets
from dmmodel.checker import verdict_text
from dmmodel.protocol.config import (
    PRESETS,
    RANGES,
    Bounds,
    ConfigError,
    load_bounds,
    named_attacker,
)
from dmmodel.search.checkable import property_names

ATTACKER_BOUNDS = ("attacker.budget", "attacker.memory")
BOUND_NAMES = (*(f.name for f in fields(Bounds) if f.name in RANGES), *ATTACKER_BOUNDS)
DEFAULT_BOUNDS = ("rotations", "rebootstraps", "losses")  # after the attacker's, when it has one
MAX_SECONDS = 120.0  # the default time limit of one check in a sweep


def bound_value(bounds: Bounds, name: str) -> int:
    """The value of bound ``name`` (a field of ``Bounds`` or ``attacker.budget``/``memory``)."""
    if name.startswith("attacker."):
        return getattr(bounds.attacker, name.removeprefix("attacker."))
    return getattr(bounds, name)


def with_bound(bounds: Bounds, name: str, value: int) -> Bounds:
    """``bounds`` with bound ``name`` set to ``value``; ConfigError when it is out of range
    (the configuration's own check: ``RANGES`` and ``Attacker``)."""
    if name.startswith("attacker."):
        return replace(bounds, attacker=replace(bounds.attacker, **{name.removeprefix("attacker."): value}))
    return replace(bounds, **{name: value})


def parse_bound(text: str) -> tuple[str, int | None]:
    """``NAME`` or ``NAME=END`` (raise up to END at most): the name and the end (None: as far
    as the bound goes). ConfigError for an unknown name or an END that is not an integer."""
    name, _, end = text.partition("=")
    name = name.strip()
    if name not in BOUND_NAMES:
        raise ConfigError(f"bound: unknown {name!r}; allowed: {', '.join(BOUND_NAMES)}")
    if not end:
        return name, None
    try:
        return name, int(end)
    except ValueError:
        raise ConfigError(f"bound {name}: expected an integer after '=', got {end!r}") from None


def default_bounds(bounds: Bounds) -> list[str]:
    """The bounds swept when none is named: the attacker's budget and memory if the
    configuration has an attacker, then rotations, re-bootstraps and losses."""
    return [*(ATTACKER_BOUNDS if bounds.attacker.active else ()), *DEFAULT_BOUNDS]


@dataclass
class VariantPoint:
    """One variant checked at one value: what the table shows of it."""

    variant: str
    states: int  # stored by the search (with symmetry, one per orbit)
    raw_states: int  # of the unreduced model (``VariantResult.raw_states``)
    seconds: float
    complete: bool
    unknown: str | None  # "ran out of time (120 s) at N states" when a limit stopped the search
    holds: dict[str, bool | None]  # property -> verdict (None: undecided)
    texts: dict[str, str]  # property -> "holds", "VIOLATED (k)" or "unknown"

    @classmethod
    def of(cls, result: VariantResult) -> VariantPoint:
        return cls(result.variant, result.result.states, result.raw_states, result.seconds,
                   result.result.complete,
                   result.result.unknown,
                   {v.property.name: v.holds for v in result.verdicts},
                   {v.property.name: verdict_text(v) for v in result.verdicts})

    def to_json(self) -> dict[str, Any]:
        return {"variant": self.variant, "states": self.states, "raw_states": self.raw_states,
                "seconds": round(self.seconds, 4),
                "complete": self.complete, "unknown": self.unknown,
                "verdicts": {name: {"holds": holds, "text": self.texts[name]}
                             for name, holds in self.holds.items()}}


@dataclass
class Point:
    """Every variant checked with the bound at ``value``."""

    value: int
    variants: list[VariantPoint]

    @property
    def states(self) -> int:
        return sum(v.states for v in self.variants)

    @property
    def seconds(self) -> float:
        return sum(v.seconds for v in self.variants)

    def text(self, variant: str, prop: str) -> str:
        found = next((v for v in self.variants if v.variant == variant), None)
        return "-" if found is None else found.texts.get(prop, "-")

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "states": self.states, "seconds": round(self.seconds, 4),
                "variants": [v.to_json() for v in self.variants]}


STOPS = ("flip", "limit", "saturated", "maximum")


@dataclass
class BoundSweep:
    """One bound raised from ``start`` towards ``end``: a point per value checked, and why the
    sweep of this bound stopped (``stop`` one of ``STOPS``, ``reason`` in words)."""

    bound: str
    start: int
    end: int
    asked: bool = False  # ``end`` was asked for (``NAME=END``), not the largest value allowed
    points: list[Point] = field(default_factory=list)
    stop: str = ""
    reason: str = ""

    @property
    def undecided(self) -> bool:
        """A limit stopped one of the checks."""
        return self.stop == "limit"

    def pairs(self) -> list[tuple[str, str]]:
        """Every (variant, property) checked, in the order of the checks."""
        seen: dict[tuple[str, str], None] = {}
        for point in self.points:
            for v in point.variants:
                for name in v.holds:
                    seen[v.variant, name] = None
        return list(seen)

    def notable(self) -> list[tuple[str, str]]:
        """The (variant, property) pairs whose verdict is not "holds" at every value."""
        return [(variant, prop) for variant, prop in self.pairs()
                if any(point.text(variant, prop) != "holds" for point in self.points)]

    def to_json(self) -> dict[str, Any]:
        return {"bound": self.bound, "from": self.start, "to": self.end, "stop": self.stop,
                "asked": self.asked, "reason": self.reason, "points": [p.to_json() for p in self.points]}


def _flips(before: Point, after: Point) -> list[str]:
    """The verdicts that changed between two values (both decided), as ``variant property``."""
    earlier = {v.variant: v for v in before.variants}
    out = []
    for v in after.variants:
        old = earlier.get(v.variant)
        if old is None:
            continue
        for name, holds in v.holds.items():
            was = old.holds.get(name)
            if holds is not None and was is not None and holds != was:
                out.append(f"{v.variant} {name}")
    return out


def _end(bounds: Bounds, bound: str, up_to: int | None) -> int:
    """The last value to try: ``up_to`` if given (ConfigError when the configuration refuses it
    or it lies below the configuration's value), else the largest value the configuration takes."""
    start = bound_value(bounds, bound)
    if up_to is not None:
        with_bound(bounds, bound, up_to)  # out of range: the configuration's own error
        if up_to < start:
            raise ConfigError(f"bound {bound}: the sweep raises it from the configuration's "
                              f"{start}, so the end must be at least {start}, got {up_to}")
        return up_to
    end = start
    while True:
        try:
            with_bound(bounds, bound, end + 1)
        except ConfigError:
            return end
        end += 1


def sweep_bound(
    config_name: str,
    bound: str,
    variants: Sequence[str] | None = None,
    properties: Sequence[str] | None = None,
    *,
    up_to: int | None = None,
    attacker: str | None = None,
    max_seconds: float | None = MAX_SECONDS,
    max_memory: int | None = None,
    symmetry: bool = True,
    progress: Callable[[str, int], ProgressFactory | None] | None = None,
    on_point: Callable[[BoundSweep], None] | None = None,
    known: dict[Bounds, list[VariantPoint]] | None = None,
) -> BoundSweep:
    """Raise ``bound`` from the configuration's value up to ``up_to`` (default: its largest
    allowed value), checking ``variants`` (default: every preset) at each value, and stop at the
    first flip, limit, saturation or the end. ``progress(bound, value)`` gives the progress
    factory of one value's checks; ``on_point`` is called after each value. ``known`` keeps the
    checks by bounds, so that the configuration's own, where every bound starts, runs once."""
    _, bounds = configured_bounds(config_name, attacker)
    start = bound_value(bounds, bound)
    swept = BoundSweep(bound, start, _end(bounds, bound, up_to), asked=up_to is not None)
    known = {} if known is None else known
    for value in range(start, swept.end + 1):
        raised = with_bound(bounds, bound, value)
        checked = known.get(raised)
        if checked is None:
            results = check_presets(config_name, variants, properties, symmetry=symmetry,
                                    attacker=attacker, progress=progress and progress(bound, value),
                                    max_seconds=max_seconds, max_memory=max_memory, bounds=raised)
            checked = known[raised] = [VariantPoint.of(r) for r in results]
            del results
            gc.collect()  # give this value's graphs back before the next value is checked
        point = Point(value, checked)
        swept.points.append(point)
        _judge(swept)
        if on_point is not None:
            on_point(swept)
        if swept.stop:
            break
    return swept


def configured_bounds(config_name: str, attacker: str | None) -> tuple[str, Bounds]:
    """The name and bounds checked for ``config_name`` with ``attacker`` (an attacker name) in place
    of its own, as ``check_presets`` names and loads them."""
    name, bounds = load_bounds(config_name)
    if attacker is not None:
        bounds = replace(bounds, attacker=named_attacker(attacker))
        name = f"{name}+{attacker}"
    return name, bounds


def _judge(swept: BoundSweep) -> None:
    """Set why the sweep of ``swept`` stops after its last point, if it does."""
    point = swept.points[-1]
    at = f"{swept.bound} = {point.value}"
    stopped = [v for v in point.variants if v.unknown is not None]
    if stopped:
        swept.stop = "limit"
        swept.reason = f"unknown at {at}: " + "; ".join(f"{v.variant} {v.unknown}" for v in stopped)
        return
    if len(swept.points) >= 2:
        before = swept.points[-2]
        flips = _flips(before, point)
        if flips:
            swept.stop = "flip"
            swept.reason = (f"a verdict changed from {swept.bound} = {before.value} to "
                            f"{point.value}: {', '.join(flips)}")
            return
        if all(v.raw_states == w.raw_states
               for v, w in zip(before.variants, point.variants, strict=True)):
            swept.stop = "saturated"
            swept.reason = (f"saturated: no variant's state count grew from {swept.bound} = "
                            f"{before.value} to {point.value}; higher values give the same graph")
            return
    if point.value >= swept.end:
        swept.stop = "maximum"
        end = "the end asked for" if swept.asked else "the largest value allowed"
        swept.reason = f"reached {at}, {end}; no verdict changed"


def sweep(
    config_name: str = "default",
    bounds: Sequence[str] | None = None,
    variants: Sequence[str] | None = None,
    properties: Sequence[str] | None = None,
    **options: Any,
) -> list[BoundSweep]:
    """Sweep each bound named in ``bounds`` (``NAME`` or ``NAME=END``; default:
    :func:`default_bounds`) in turn; ``options`` as for :func:`sweep_bound`. Every name and end is
    checked before the first check runs (ConfigError)."""
    _, loaded = configured_bounds(config_name, options.get("attacker"))
    wanted = [parse_bound(text) for text in bounds] if bounds else \
        [(name, None) for name in default_bounds(loaded)]
    for name, end in wanted:
        if name in ATTACKER_BOUNDS and not loaded.attacker.active:
            raise ConfigError(f"bound {name}: configuration {config_name!r} has no attacker "
                              "(give it one with --attacker NAME)")
        _end(loaded, name, end)
    for v in variants or ():
        if v not in PRESETS:
            raise ConfigError(f"variant: unknown {v!r}; allowed: {', '.join(PRESETS)}")
    for p in properties or ():
        if p not in property_names():
            raise ConfigError(f"property: unknown {p!r}; allowed: {', '.join(property_names())}")
    known: dict[Bounds, list[VariantPoint]] = {}
    return [sweep_bound(config_name, name, variants, properties, up_to=end, known=known, **options)
            for name, end in wanted]


def exit_status(sweeps: Sequence[BoundSweep]) -> int:
    """0 when every bound's sweep ended by itself (flip, saturation, end), 3 (``UNDECIDED``)
    when a limit stopped a check."""
    return UNDECIDED if any(s.undecided for s in sweeps) else 0
