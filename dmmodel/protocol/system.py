"""The composed system: devices, the server's accounts, channels and the environment's steps.

The system is a tuple of slots, one per device (the device, its server account, a channel each
way, its fault budget). This module says which steps a slot can take and what each does, reading
everything it needs from the rule tables; it leaves the machines' own transitions to a
:class:`Runtime`, so that the compiled tables and the ``transitions`` machines run the very same
environment.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple, Protocol

from dmmodel.protocol import attacker, device, server
from dmmodel.protocol.config import Bounds, Config
from dmmodel.protocol.crypto import Crypto
from dmmodel.protocol.fields import setter
from dmmodel.protocol.forgetting import forget
from dmmodel.protocol.messages import Origin, Package
from dmmodel.protocol.monitor import secret_read, watch
from dmmodel.protocol.rules import ATTACK, FAULT, PROTOCOL, ActionClass, MachineTable, Role, Rule
from dmmodel.protocol.state import AccountData, Budget, DeviceData, Slot

TABLES: dict[Role, MachineTable] = {Role.DEVICE: device.DEVICE, Role.SERVER: server.SERVER}
SystemState = tuple[Slot, ...]
LOSSES = "losses"  # the environment's own budget: packages it may lose


class Channel(StrEnum):
    """A direction of a slot's connection: ``up`` to the server, ``down`` to the device."""

    UP = "up"
    DOWN = "down"

    @property
    def receiver(self) -> Role:
        return Role.SERVER if self == "up" else Role.DEVICE

    @property
    def sender(self) -> Role:
        return Role.DEVICE if self == "up" else Role.SERVER

    @staticmethod
    def outgoing(role: Role) -> Channel:
        """The channel ``role`` sends on."""
        return Channel.UP if role == "device" else Channel.DOWN


class StepKind(StrEnum):
    """The kind of a step: what a slot does (a machine fires, a package arrives or is lost, the
    attacker acts)."""

    SPONTANEOUS = "spontaneous"  # a machine fires a rule unprompted (or the environment makes it)
    DELIVER = "deliver"  # the head of a channel is taken by a rule of its receiver
    DISCARD = "discard"  # the head of a channel arrives and no rule takes it
    LOSE = "lose"  # the head of a channel is lost (a fault)
    # the attacker's steps (class ``attack``), see ``attacker.py``
    RECORD = "record"  # copies the head of a channel
    DROP = "drop"  # takes the head of a channel away
    HOLD = "hold"  # takes the head of a channel, to release it later
    RELEASE = "release"  # puts the held package at the end of its channel
    REPLAY = "replay"  # sends a recorded package again
    EDIT = "edit"  # changes what no credential covers in the head of a channel
    FORGE = "forge"  # sends a package built from what it knows


_new = tuple.__new__  # builds a NamedTuple from its fields without the keyword-default call
_with_tag, _with_monitor = setter(Package, "tag"), setter(Slot, "monitor")
ATTACK_STEPS = {StepKind(kind) for kind in ("record", "drop", "hold", "release", "replay", "edit", "forge")}

class Action(NamedTuple):
    """One step of one slot: its kind, the machine that acts, the channel, the rule, its class.

    ``role`` is the machine that fires (for a discard: the receiver); ``channel`` is set for
    steps on a channel; ``trigger``/``rule``/``arg`` name what fires, and ``chained`` the rule the
    other machine of the slot fires with it (the rule's ``chain``), if any.
    """

    kind: StepKind
    role: Role | None = None
    channel: Channel | None = None
    trigger: str | None = None
    rule: str | None = None
    arg: Any = None
    cls: ActionClass = PROTOCOL
    chained: str | None = None

    def label(self) -> str:
        """A short readable name: the rule that fires, or what happens to a package."""
        if self.rule is not None:
            return self.rule if self.arg is None else f"{self.rule} ({self.arg[0]})"
        side = "to server" if self.channel is Channel.UP else "to device"
        if self.kind is StepKind.REPLAY:
            return f"replay recording {self.arg[0] + 1} {side}"
        if self.kind in (StepKind.EDIT, StepKind.FORGE):
            return f"{self.kind} {side}: {self.arg[0]}"
        return f"{self.kind} {side}"


class Runtime(Protocol):
    """Runs one machine's transitions for one slot (compiled tables or ``transitions``)."""

    def choose(self, role: Role, trigger: str, ctl: str, data: Any, arg: Any) -> str | None:
        """The name of the rule ``trigger`` would fire now, or None if none is enabled."""

    def fire(
        self, role: Role, trigger: str, ctl: str, data: Any, arg: Any
    ) -> tuple[str, str, Any, tuple[Package, ...]]:
        """Fire ``trigger``: the rule fired, the new control state, data, and packages sent."""

    crypto: Crypto  # makes the credentials the attacker forges
    index: int  # the device the slot belongs to
    bounds: Bounds  # the configuration's bounds (the attacker's settings among them)
    forgets: bool  # the step forgets what no future step can read (``forgetting.forget``)

    def settle(self, slot: Slot, by: str) -> Slot:
        """The slot after a step, the nonces ``by`` (device, server, attacker) issued in it made
        concrete (``nonces.py``)."""


def _budgets() -> tuple[str, ...]:
    named = (r.budget for table in TABLES.values() for r in table.rules if r.budget is not None)
    return (*dict.fromkeys(named), LOSSES)


BUDGETS = _budgets()  # names of the fault budgets, fields of Bounds, in slot order
RULES: dict[tuple[Role, str], Rule] = {
    (role, rule.name): rule for role, table in TABLES.items() for rule in table.rules
}
CHAINED = {(r.chain.role, r.chain.trigger) for t in TABLES.values() for r in t.rules if r.chain}


def _consumers(table: MachineTable) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for rule in table.rules:
        if rule.consumes is not None and rule.trigger not in found.setdefault(rule.consumes, []):
            found[rule.consumes].append(rule.trigger)
    return found


CONSUMERS = {role: _consumers(table) for role, table in TABLES.items()}


def _spontaneous() -> list[tuple[Role, Rule]]:
    """(role, first rule) per trigger a machine takes unprompted, in table order."""
    found: dict[tuple[Role, str], Rule] = {}
    for role, table in TABLES.items():
        for rule in table.rules:
            if rule.consumes is None and (role, rule.trigger) not in CHAINED:
                found.setdefault((role, rule.trigger), rule)
    return [(role, rule) for (role, _), rule in found.items()]


SPONTANEOUS = _spontaneous()
# Enum members as plain module names: the search reads them millions of times.
DEVICE, SERVER, UP, DOWN = Role.DEVICE, Role.SERVER, Channel.UP, Channel.DOWN
SOURCES = {(role, rule.trigger): frozenset(s for r in TABLES[role].rules if r.trigger == rule.trigger
                                           for s in r.sources) for role, rule in SPONTANEOUS}


def _offers() -> list[tuple[Role, Rule, frozenset[str], int | None]]:
    """Per spontaneous trigger: (role, first rule, control states it fires from, index of the
    budget it spends in a slot's budget or None), the tests ``slot_actions`` makes per slot."""
    return [(role, first, SOURCES[role, first.trigger],
             None if first.budget is None else BUDGETS.index(first.budget))
            for role, first in SPONTANEOUS]


OFFERS = _offers()
SPONTANEOUS_STEP, DELIVER_STEP = StepKind.SPONTANEOUS, StepKind.DELIVER
LOSS_INDEX = BUDGETS.index(LOSSES)


def initial_budget(bounds: Bounds) -> Budget:
    """Every fault budget at its bound."""
    return tuple(getattr(bounds, name) for name in BUDGETS)


def spend(budget: Budget, name: str) -> Budget:
    """The budget with one fault of ``name`` spent."""
    i = BUDGETS.index(name)
    return budget[:i] + (budget[i] - 1,) + budget[i + 1:]


def initial_slot(config: Config) -> Slot:
    """A device fresh from the factory, a server account at generation 0, empty channels."""
    settings = config.bounds.attacker
    intruder = attacker.initial_state(settings)
    if intruder is not None and config.forget:
        intruder = forget(intruder, settings)
    return Slot(TABLES[DEVICE].initial, DeviceData(), TABLES[SERVER].initial, AccountData(), (), (),
                initial_budget(config.bounds), intruder)


def initial_state(config: Config) -> SystemState:
    """The system's single initial state."""
    return tuple(initial_slot(config) for _ in range(config.bounds.devices))


def _machine(slot: Slot, role: Role) -> tuple[str, Any]:
    """The control state and data of one machine of the slot."""
    if role is DEVICE:
        return slot.device_state, slot.device
    return slot.server_state, slot.account


def slot_actions(slot: Slot, config: Config, runtime: Runtime) -> list[Action]:
    """Every step the slot can take now, in a fixed order: spontaneous, then channel by channel."""
    b = config.bounds
    device_state, device, server_state, account, up, down, budget, intruder, _ = slot
    acts: list[Action] = []
    quiet = not up and not down
    for role, first, sources, spends in OFFERS:
        if role is DEVICE:
            ctl, data, sending = device_state, device, up
        else:
            ctl, data, sending = server_state, account, down
        if (ctl not in sources
                or (first.starts and len(sending) >= b.capacity)
                or (first.quiet and not quiet)
                or (spends is not None and budget[spends] <= 0)):
            continue
        for arg in (None,) if first.args is None else first.args(b, slot):
            name = runtime.choose(role, first.trigger, ctl, data, arg)
            if name is None:
                continue
            rule, chained = RULES[role, name], None
            if rule.chain is not None and rule.chain.when(arg):
                chained = runtime.choose(rule.chain.role, rule.chain.trigger,
                                         *_machine(slot, rule.chain.role), None)
            acts.append(_new(Action, (SPONTANEOUS_STEP, role, None, first.trigger, name, arg,
                                      rule.cls, chained)))
    losses = budget[LOSS_INDEX]
    for channel, queue in ((UP, up), (DOWN, down)):
        if not queue:
            continue
        head = queue[0]
        if channel is UP:
            role, ctl, data = SERVER, server_state, account
        else:
            role, ctl, data = DEVICE, device_state, device
        taken = False
        for trigger in CONSUMERS[role].get(head.number, ()):
            name = runtime.choose(role, trigger, ctl, data, head)
            if name is not None:
                taken = True
                acts.append(_new(Action, (DELIVER_STEP, role, channel, trigger, name, None,
                                          RULES[role, name].cls, None)))
        if not taken:
            acts.append(_new(Action, (StepKind.DISCARD, role, channel, None, None, None, PROTOCOL, None)))
        if losses > 0:
            acts.append(_new(Action, (StepKind.LOSE, None, channel, None, None, None, FAULT, None)))
    if intruder is not None:
        acts += [Action(StepKind(kind), None, Channel(channel), arg=arg, cls=ATTACK)
                 for kind, channel, arg in attacker.options(slot, b, config.variant)]
    return acts


def _tag(packages: tuple[Package, ...], role: Role, device: DeviceData, account: AccountData,
         taken: Package | None) -> tuple[Package, ...]:
    """Honest packages tagged with their origin: the device's bootstrap epoch and run (``device``
    is its data after the step), or for the server the epoch and run of the package it answers
    (and whether the server read that package's report: ``account`` is its data after the step,
    and only a server that implements the report records one as seen)."""
    if role is DEVICE:
        origin = Origin("device", device.epoch, device.run)
    elif taken is not None and taken.tag is not None and taken.tag.sender == "device":
        t = taken.tag
        origin = Origin("server", t.epoch, t.run, taken.report is not None and account.report_seen >= t.epoch)
    else:
        origin = Origin("server")
    return tuple([_with_tag(p, origin) for p in packages])


def apply_action(slot: Slot, action: Action, runtime: Runtime) -> Slot:
    """The slot after ``action`` (which must be one of ``slot_actions``)."""
    step, role, channel = action.kind, action.role, action.channel
    if step in ATTACK_STEPS:
        after = attacker.attack(slot, step, channel, action.arg, runtime.crypto, runtime.index)
        if runtime.forgets:
            after = after._replace(attacker=forget(after.attacker, runtime.bounds.attacker))
        return runtime.settle(after, "attacker")
    device_state, device, server_state, account, up, down, budget, intruder, monitor = slot
    if step is StepKind.DISCARD or step is StepKind.LOSE:
        if channel is UP:
            up = up[1:]
        else:
            down = down[1:]
        if step is StepKind.LOSE:
            budget = spend(budget, LOSSES)
        after = _new(Slot, (device_state, device, server_state, account, up, down, budget, intruder,
                            monitor))
        return runtime.settle(after, role or "attacker")
    if step is StepKind.DELIVER:
        if channel is UP:
            taken, up = up[0], up[1:]
        else:
            taken, down = down[0], down[1:]
        trigger, arg = action.trigger, taken
    elif step is StepKind.SPONTANEOUS:
        taken, trigger, arg = None, action.trigger, action.arg
    else:
        raise ValueError(f"unknown step {step!r}")
    # the machine that acts fires the action's rule, and sends what it sends on its channel
    if role is DEVICE:
        fired, device_state, device, out = runtime.fire(role, trigger, device_state, device, arg)
    else:
        fired, server_state, account, out = runtime.fire(role, trigger, server_state, account, arg)
    if fired != action.rule:
        raise RuntimeError(f"{role}: {trigger} fired {fired!r}, the action named {action.rule!r}")
    if out:
        out = _tag(out, role, device, account, taken)
        if role is DEVICE:
            up += out
        else:
            down += out
    if intruder is not None:  # the attacker reads what was sent
        settings = runtime.bounds.attacker
        if attacker.reads(settings, out):
            monitor = secret_read(monitor)
        intruder = attacker.learn(intruder, out, settings)
        if role is SERVER:
            intruder = attacker.hears_answer(intruder, settings, taken, out)
        if runtime.forgets:
            intruder = forget(intruder, settings)
    if step is StepKind.SPONTANEOUS:
        rule = RULES[role, action.rule]
        if rule.disconnects:  # the connection drops: what was in flight is gone
            up = down = ()
        if rule.budget is not None:
            budget = spend(budget, rule.budget)
        if action.chained is not None:  # the other machine fires the rule's chain (sends nothing)
            other = rule.chain.role
            if other is DEVICE:
                fired, device_state, device, _ = runtime.fire(other, rule.chain.trigger,
                                                              device_state, device, None)
            else:
                fired, server_state, account, _ = runtime.fire(other, rule.chain.trigger,
                                                               server_state, account, None)
            if fired != action.chained:
                raise RuntimeError(f"{other}: {rule.chain.trigger} fired {fired!r}, the action "
                                   f"named {action.chained!r}")
    after = _new(Slot, (device_state, device, server_state, account, up, down, budget, intruder,
                        monitor))
    monitor = watch(slot, after, role, action.rule, taken)
    if monitor is not after.monitor:
        after = _with_monitor(after, monitor)
    return runtime.settle(after, role)
