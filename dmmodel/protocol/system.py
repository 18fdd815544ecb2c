"""The composed system: devices, the server's accounts, channels and the environment's faults.

The system is a tuple of slots, one per device (the device, its server account, a channel each
way, its fault budget). This module says which steps a slot can take and what each does; it
leaves the machines' own transitions to a :class:`Runtime`, so that the compiled tables and the
``transitions`` machines run the very same environment.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

from dmmodel.protocol.config import Config
from dmmodel.protocol.device import DEVICE, FACTORY
from dmmodel.protocol.messages import Package
from dmmodel.protocol.rules import FAULT, PROTOCOL, SETUP, MachineTable
from dmmodel.protocol.server import SERVER
from dmmodel.protocol.state import AccountData, Budget, DeviceData, Slot
from dmmodel.protocol.vocabulary import BootstrapType

DEVICE_ROLE, SERVER_ROLE = "device", "server"
TABLES: dict[str, MachineTable] = {DEVICE_ROLE: DEVICE, SERVER_ROLE: SERVER}
SystemState = tuple[Slot, ...]


class Action(NamedTuple):
    """One step of one slot: who acts, with which trigger, on what, and its class.

    ``kind`` is ``device`` or ``server`` (a spontaneous step), ``deliver_up`` / ``deliver_down``
    (the head of a channel is taken by the server / the device), ``discard_up`` /
    ``discard_down`` (no rule takes it), or ``lose_up`` / ``lose_down`` (a fault).
    """

    kind: str
    trigger: str | None = None
    rule: str | None = None
    arg: Any = None
    cls: str = PROTOCOL

    def label(self) -> str:
        """A short readable name: the rule that fires, or what happens to a package."""
        if self.rule is not None:
            return self.rule if self.arg is None else f"{self.rule} ({self.arg[0]})"
        side = "to server" if self.kind.endswith("_up") else "to device"
        return f"{self.kind.split('_')[0]} {side}"


class Runtime(Protocol):
    """Runs one machine's transitions for one slot (compiled tables or ``transitions``)."""

    def choose(self, role: str, trigger: str, ctl: str, data: Any, arg: Any) -> str | None:
        """The name of the rule ``trigger`` would fire now, or None if none is enabled."""

    def fire(
        self, role: str, trigger: str, ctl: str, data: Any, arg: Any
    ) -> tuple[str, str, Any, tuple[Package, ...]]:
        """Fire ``trigger``: the rule fired, the new control state, data, and packages sent."""


def initial_slot(config: Config) -> Slot:
    """A device fresh from the factory, a server account at generation 0, empty channels."""
    b = config.bounds
    return Slot(FACTORY, DeviceData(), SERVER.initial, AccountData(), (), (),
                Budget(b.rebootstraps, b.resets, b.losses))


def initial_state(config: Config) -> SystemState:
    """The system's single initial state."""
    return tuple(initial_slot(config) for _ in range(config.bounds.devices))


def _consumers(table: MachineTable) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for rule in table.rules:
        if rule.consumes is not None and rule.trigger not in found.setdefault(rule.consumes, []):
            found[rule.consumes].append(rule.trigger)
    return found


CONSUMERS = {role: _consumers(table) for role, table in TABLES.items()}
BOOTSTRAP_TRIGGERS = ("bootstrap", "rebootstrap", "pushed_bootstrap")  # taken with their arguments


def _spontaneous(table: MachineTable) -> list[tuple[str, bool, bool, str, str | None]]:
    """(trigger, starts, quiet, class, budget) of the steps a machine takes unprompted."""
    found: dict[str, tuple[str, bool, bool, str, str | None]] = {}
    for rule in table.rules:
        if rule.consumes is None and rule.trigger not in BOOTSTRAP_TRIGGERS:
            found.setdefault(rule.trigger,
                             (rule.trigger, rule.starts, rule.quiet, rule.kind, rule.budget))
    return list(found.values())


SPONTANEOUS = [(role, *step) for role, table in TABLES.items() for step in _spontaneous(table)]
BUDGETS = {rule.trigger: rule.budget for rule in DEVICE.rules if rule.budget is not None}


def _bootstrap_arg(kind: str, slot: Slot) -> tuple[str, int]:
    """A server push installs the server's current secret; card and factory install generation 0."""
    return (kind, slot.acct.gen if kind == BootstrapType.SERVER.value else 0)


def slot_actions(slot: Slot, config: Config, runtime: Runtime) -> list[Action]:
    """Every step the slot can take now, in a fixed order."""
    b = config.bounds
    dev, srv, up, down, budget = slot.device, slot.server, slot.up, slot.down, slot.budget
    acts: list[Action] = []
    kinds = [t.value for t in b.bootstrap_types]
    if dev == FACTORY:
        boot, cls = "bootstrap", SETUP
    else:
        boot, cls = "rebootstrap", (FAULT if budget.rebootstraps > 0 else None)
    if cls is not None:
        acts += [Action(DEVICE_ROLE, boot, boot, _bootstrap_arg(k, slot), cls) for k in kinds]
    quiet = not up and not down
    for role, trigger, starts, needs_quiet, cls, spends in SPONTANEOUS:
        outgoing = up if role == DEVICE_ROLE else down
        if ((starts and len(outgoing) >= b.capacity) or (needs_quiet and not quiet)
                or (spends is not None and getattr(budget, spends) <= 0)):
            continue
        ctl, data = (dev, slot.dev) if role == DEVICE_ROLE else (srv, slot.acct)
        rule = runtime.choose(role, trigger, ctl, data, None)
        if rule is not None:
            acts.append(Action(role, trigger, rule, None, cls))
    for channel, role, ctl, data, name in ((up, SERVER_ROLE, srv, slot.acct, "up"),
                                           (down, DEVICE_ROLE, dev, slot.dev, "down")):
        if not channel:
            continue
        head = channel[0]
        takers = [(t, runtime.choose(role, t, ctl, data, head))
                  for t in CONSUMERS[role].get(head.number, ())]
        takers = [(t, rule) for t, rule in takers if rule is not None]
        acts += [Action(f"deliver_{name}", t, rule) for t, rule in takers]
        if not takers:
            acts.append(Action(f"discard_{name}"))
        if budget.losses > 0:
            acts.append(Action(f"lose_{name}", cls=FAULT))
    return acts


def apply_action(slot: Slot, action: Action, runtime: Runtime) -> Slot:
    """The slot after ``action`` (which must be one of ``slot_actions``)."""
    kind, trigger, arg = action.kind, action.trigger, action.arg
    device, dev, server, acct, up, down, budget = slot

    def fire(role: str, ctl: str, data: Any, arg: Any) -> tuple[str, Any, tuple[Package, ...]]:
        rule, ctl, data, out = runtime.fire(role, trigger, ctl, data, arg)
        if rule != action.rule:
            raise RuntimeError(f"{role}: {trigger} fired {rule!r}, the action named {action.rule!r}")
        return ctl, data, out

    if kind == "deliver_up":
        server, acct, out = fire(SERVER_ROLE, server, acct, up[0])
        up, down = up[1:], down + out
    elif kind == "deliver_down":
        device, dev, out = fire(DEVICE_ROLE, device, dev, down[0])
        down, up = down[1:], up + out
    elif kind == SERVER_ROLE:
        server, acct, out = fire(SERVER_ROLE, server, acct, arg)
        down = down + out
    elif kind == DEVICE_ROLE:
        device, dev, out = fire(DEVICE_ROLE, device, dev, arg)
        up = up + out
        spends = BUDGETS.get(trigger)
        if spends is not None:
            # A fault on the device drops its connection: what was in flight is gone.
            up, down = (), ()
            budget = budget._replace(**{spends: getattr(budget, spends) - 1})
        if trigger in ("bootstrap", "rebootstrap") and arg[0] == BootstrapType.SERVER.value:
            _, server, acct, _ = runtime.fire(SERVER_ROLE, "pushed_bootstrap", server, acct, None)
    elif kind in ("discard_up", "lose_up"):
        up = up[1:]
    elif kind in ("discard_down", "lose_down"):
        down = down[1:]
    else:
        raise ValueError(f"unknown action kind {kind!r}")
    if kind.startswith("lose_"):
        budget = Budget(budget.rebootstraps, budget.resets, budget.losses - 1)
    return Slot(device, dev, server, acct, up, down, budget)
