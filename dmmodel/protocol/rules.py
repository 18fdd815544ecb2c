"""The declarative form of a machine: a table of rules (trigger, sources, destination, guard, effect).

One table per machine is the single source of truth. ``machines.py`` turns it into
``transitions`` machines; ``compiled.py`` into a plain dispatch dictionary for the checker.
Guards and effects are pure functions of ``(ctx, data, arg)``; an effect returns the new data
and the packages the machine sends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from dmmodel.protocol.config import Bounds, Variant
from dmmodel.protocol.crypto import Crypto
from dmmodel.protocol.messages import Package

PROTOCOL = "protocol"  # steps of the protocol: deliveries, timeouts, retries, new sessions
FAULT = "fault"  # the environment: loss, re-bootstrap, reset
SETUP = "setup"  # the first bootstrap out of the factory


class Ctx(NamedTuple):
    """What a guard or effect may read besides the machine's own data."""

    bounds: Bounds
    variant: Variant
    crypto: Crypto
    index: int  # which device (0-based): selects its secrets


Guard = Callable[[Ctx, Any, Any], bool]
Effect = Callable[[Ctx, Any, Any], tuple[Any, tuple[Package, ...]]]


def always(ctx: Ctx, data: Any, arg: Any) -> bool:
    """The guard of an unconditional rule."""
    return True


def unchanged(ctx: Ctx, data: Any, arg: Any) -> tuple[Any, tuple[Package, ...]]:
    """The effect of a rule that only moves the control state."""
    return data, ()


@dataclass(frozen=True)
class Rule:
    """One row of a machine table.

    ``consumes`` is the package number the rule takes off the incoming channel (None for a
    spontaneous step); ``quiet`` rules (timeouts) fire only when nothing is in flight;
    ``starts`` rules send unprompted and need room in the outgoing channel; a fault names the
    ``budget`` field it spends; ``requires`` names the variant switch the rule belongs to (what
    the change request adds), if any.
    """

    name: str
    trigger: str
    sources: tuple[str, ...]
    dest: str
    guard: Guard = always
    effect: Effect = unchanged
    kind: str = PROTOCOL
    consumes: int | None = None
    quiet: bool = False
    starts: bool = False
    budget: str | None = None
    requires: str | None = None
    doc: str = ""


@dataclass(frozen=True)
class MachineTable:
    """A machine: its control states, initial state and ordered rules."""

    name: str
    states: tuple[str, ...]
    initial: str
    rules: tuple[Rule, ...]

    def for_variant(self, variant: Variant) -> MachineTable:
        """The table without the rules of switches that ``variant`` leaves off."""
        kept = tuple(r for r in self.rules if r.requires is None or getattr(variant, r.requires))
        return MachineTable(self.name, self.states, self.initial, kept)

    def triggers(self) -> list[str]:
        """Every trigger name, in table order."""
        return list(dict.fromkeys(r.trigger for r in self.rules))

    def rules_for(self, state: str, trigger: str) -> Sequence[Rule]:
        """The rules of ``trigger`` that leave ``state``, in priority order."""
        return [r for r in self.rules if r.trigger == trigger and state in r.sources]
