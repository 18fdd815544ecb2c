"""The declarative form of a machine: a table of rules (trigger, sources, destination, guard, effect).

One table per machine is the single source of truth. ``machines.py`` turns it into
``transitions`` machines; ``compiled.py`` into a plain dispatch dictionary for the checker;
``system.py`` reads from the same rules which steps the environment offers, and the views, the
Hypothesis kit and the scenario language read their names, notes and additions from here too.
Guards and effects are pure functions of ``(ctx, data, arg)``; an effect returns the new data
and the packages the machine sends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, NamedTuple

from dmmodel.protocol.config import Bounds, Variant
from dmmodel.protocol.crypto import Crypto
from dmmodel.protocol.messages import Package


class ActionClass(StrEnum):
    """Who or what makes a step happen; liveness properties count on ``PROTOCOL`` steps only."""

    PROTOCOL = "protocol"  # deliveries, timeouts, retries, new sessions
    FAULT = "fault"  # the environment: loss, re-bootstrap, reset
    SETUP = "setup"  # the first bootstrap out of the factory
    ATTACK = "attack"  # the network attacker: record, replay, drop, hold, edit, forge


PROTOCOL, FAULT, SETUP, ATTACK = (ActionClass.PROTOCOL, ActionClass.FAULT, ActionClass.SETUP,
                                  ActionClass.ATTACK)


class Role(StrEnum):
    """The two machines of a slot: a device, and the server's account for it."""

    DEVICE = "device"
    SERVER = "server"


# the variant's behaviour switches: the change request's, then the mitigations'
SWITCHES = ("report", "ack", "type_node", "rotation", "challenge", "device_nonce", "bound_ack", "integrity")


class Ctx(NamedTuple):
    """What a guard or effect may read besides the machine's own data."""

    bounds: Bounds
    variant: Variant
    crypto: Crypto
    index: int  # which device (0-based): selects its secrets


Guard = Callable[[Ctx, Any, Any], bool]
Effect = Callable[[Ctx, Any, Any], tuple[Any, tuple[Package, ...]]]
ArgChoices = Callable[[Bounds, Any], tuple[tuple, ...]]


def always(ctx: Ctx, data: Any, arg: Any) -> bool:
    """The guard of an unconditional rule."""
    return True


def unchanged(ctx: Ctx, data: Any, arg: Any) -> tuple[Any, tuple[Package, ...]]:
    """The effect of a rule that only moves the control state."""
    return data, ()


@dataclass(frozen=True)
class Chain:
    """Another machine of the same slot fires ``trigger`` right after this rule, when ``when(arg)``."""

    role: Role
    trigger: str
    when: Callable[[Any], bool]


@dataclass(frozen=True)
class Alternative:
    """An answer a rule may give instead of its plain one (e.g. rotating the secrets).

    The table derives the rule's twin from it (:meth:`Rule.twin`): named ``<rule>_<name>``, on
    trigger ``<trigger>_<name>`` (so the environment offers either answer as a step of its own),
    enabled when ``allowed(ctx, data)`` and the rule's guard hold, its effect the rule's own
    effect called with ``choice=name``; ``rotates`` says the twin sends new secrets, and its
    doc is the rule's name followed by ``doc``.
    """

    name: str
    allowed: Callable[[Ctx, Any], bool]
    doc: str
    rotates: bool = False


@dataclass(frozen=True)
class Rule:
    """One row of a machine table.

    Firing: ``consumes`` is the package number the rule takes off the incoming channel (None for
    a spontaneous step); ``quiet`` rules (timeouts) fire only when nothing is in flight;
    ``starts`` rules send unprompted and need room in the outgoing channel; ``cls`` says whether
    the protocol, a fault or the setup makes it happen; a fault names the ``budget`` (a field of
    :class:`Bounds`) it spends; ``disconnects`` drops whatever the slot has in flight; ``args``
    lists the arguments the environment offers it in a slot (each a tuple whose first item names
    it); ``chain`` fires a rule of the other machine of the slot; ``alternative`` declares another
    answer the machine may choose instead (e.g. rotating the secrets), whose rule the table
    derives, and on that derived twin ``choice`` names the alternative it answers with.

    Flags, for the monitor, the wire and the charts: ``opens`` (the server opens a session on the
    package it takes), ``joins`` (the device takes the session the server opened), ``resyncs``
    (the server returns to the bootstrap secret), ``rotates`` (the server sends new
    secrets), ``refuses`` (the server answers a credential no held secret matches).

    Meaning: ``requires`` names the variant switch the rule belongs to (what the change request
    adds), if any; ``adds`` lists what a switch adds inside the effect of a rule that exists
    without it, as ``(switch, short text)``; ``doc`` says what the rule does, ``title`` names the
    event for a reader (environment steps), and ``note`` is shown when it fires sending nothing.
    """

    name: str
    trigger: str
    sources: tuple[str, ...]
    dest: str
    guard: Guard = always
    effect: Effect = unchanged
    cls: ActionClass = PROTOCOL
    consumes: int | None = None
    quiet: bool = False
    starts: bool = False
    budget: str | None = None
    disconnects: bool = False
    args: ArgChoices | None = None
    chain: Chain | None = None
    alternative: Alternative | None = None
    choice: str | None = None
    opens: bool = False
    joins: bool = False
    resyncs: bool = False
    rotates: bool = False
    refuses: bool = False
    requires: str | None = None
    adds: tuple[tuple[str, str], ...] = ()
    doc: str = ""
    title: str = ""
    note: str = ""

    def switches(self) -> tuple[str, ...]:
        """The variant switches this rule's presence or effect depends on."""
        own = () if self.requires is None else (self.requires,)
        return tuple(dict.fromkeys(own + tuple(switch for switch, _ in self.adds)))

    def twin(self) -> Rule:
        """The rule that gives this rule's :class:`Alternative` answer."""
        alt = self.alternative
        if alt is None:
            raise ValueError(f"{self.name} declares no alternative")
        guard, effect, allowed, choice = self.guard, self.effect, alt.allowed, alt.name

        def twin_guard(ctx: Ctx, data: Any, arg: Any) -> bool:
            return allowed(ctx, data) and guard(ctx, data, arg)

        def twin_effect(ctx: Ctx, data: Any, arg: Any) -> tuple[Any, tuple[Package, ...]]:
            return effect(ctx, data, arg, choice)  # type: ignore[call-arg]

        twin_guard.__name__ = f"{guard.__name__}_{choice}"
        twin_effect.__name__ = f"{effect.__name__}_{choice}"
        return replace(self, name=f"{self.name}_{choice}", trigger=f"{self.trigger}_{choice}",
                       guard=twin_guard, effect=twin_effect, alternative=None, choice=choice,
                       rotates=self.rotates or alt.rotates, doc=f"as {self.name}, {alt.doc}")


def with_twins(rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
    """``rules`` with the twin of each rule that declares an alternative (unless there already):
    the twins of a trigger's rules follow its last rule, in the order of their rules."""
    names = {r.name for r in rules}
    twins: dict[str, list[Rule]] = {}
    for rule in rules:
        if rule.alternative is not None and f"{rule.name}_{rule.alternative.name}" not in names:
            twins.setdefault(rule.trigger, []).append(rule.twin())
    if not twins:
        return rules
    last = {rule.trigger: i for i, rule in enumerate(rules)}
    out: list[Rule] = []
    for i, rule in enumerate(rules):
        out.append(rule)
        if last[rule.trigger] == i:
            out += twins.get(rule.trigger, [])
    return tuple(out)


@dataclass(frozen=True)
class MachineTable:
    """A machine: its control states, initial state and ordered rules (names unique), the twins
    of rules that declare an alternative among them (:func:`with_twins`)."""

    name: str
    states: tuple[str, ...]
    initial: str
    rules: tuple[Rule, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", with_twins(self.rules))
        names = [r.name for r in self.rules]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: rule names must be unique")
        for rule in self.rules:
            unknown = {*rule.sources, rule.dest} - set(self.states)
            if unknown:
                raise ValueError(f"{self.name}.{rule.name}: unknown state(s) {sorted(unknown)}")
            bad = {s for s in rule.switches() if s not in SWITCHES}
            if bad:
                raise ValueError(f"{self.name}.{rule.name}: unknown switch(es) {sorted(bad)}")

    def for_variant(self, variant: Variant) -> MachineTable:
        """The table without the rules of switches that ``variant`` leaves off."""
        kept = tuple(r for r in self.rules if r.requires is None or getattr(variant, r.requires))
        return MachineTable(self.name, self.states, self.initial, kept)

    def rule(self, name: str) -> Rule:
        """The rule called ``name``."""
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(f"{self.name}: no rule {name!r}")

    def rules_for(self, state: str, trigger: str) -> Sequence[Rule]:
        """The rules of ``trigger`` that leave ``state``, in priority order."""
        return [r for r in self.rules if r.trigger == trigger and state in r.sources]
