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
    arg: Any = None
    cls: str = PROTOCOL


class Runtime(Protocol):
    """Runs one machine's transitions for one slot (compiled tables or ``transitions``)."""

    def enabled(self, role: str, trigger: str, ctl: str, data: Any, arg: Any) -> bool: ...

    def fire(
        self, role: str, trigger: str, ctl: str, data: Any, arg: Any
    ) -> tuple[str, Any, tuple[Package, ...]]: ...


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
        acts += [Action(DEVICE_ROLE, "bootstrap", _bootstrap_arg(k, slot), SETUP) for k in kinds]
    elif budget.rebootstraps > 0:
        acts += [Action(DEVICE_ROLE, "rebootstrap", _bootstrap_arg(k, slot), FAULT) for k in kinds]
    if budget.resets > 0 and runtime.enabled(DEVICE_ROLE, "reset", dev, slot.dev, None):
        acts.append(Action(DEVICE_ROLE, "reset", None, FAULT))
    quiet = not up and not down
    if len(up) < b.capacity and runtime.enabled(DEVICE_ROLE, "connect", dev, slot.dev, None):
        acts.append(Action(DEVICE_ROLE, "connect"))
    if quiet and runtime.enabled(DEVICE_ROLE, "timeout", dev, slot.dev, None):
        acts.append(Action(DEVICE_ROLE, "timeout"))
    if len(down) < b.capacity and runtime.enabled(SERVER_ROLE, "notify", srv, slot.acct, None):
        acts.append(Action(SERVER_ROLE, "notify"))
    if quiet and runtime.enabled(SERVER_ROLE, "timeout", srv, slot.acct, None):
        acts.append(Action(SERVER_ROLE, "timeout"))
    for channel, role, ctl, data, name in ((up, SERVER_ROLE, srv, slot.acct, "up"),
                                           (down, DEVICE_ROLE, dev, slot.dev, "down")):
        if not channel:
            continue
        head = channel[0]
        takers = [t for t in CONSUMERS[role].get(head.number, ())
                  if runtime.enabled(role, t, ctl, data, head)]
        acts += [Action(f"deliver_{name}", t) for t in takers]
        if not takers:
            acts.append(Action(f"discard_{name}"))
        if budget.losses > 0:
            acts.append(Action(f"lose_{name}", cls=FAULT))
    return acts


def apply_action(slot: Slot, action: Action, runtime: Runtime) -> Slot:
    """The slot after ``action`` (which must be one of ``slot_actions``)."""
    kind, trigger, arg = action.kind, action.trigger, action.arg
    if kind == DEVICE_ROLE:
        ctl, data, out = runtime.fire(DEVICE_ROLE, trigger, slot.device, slot.dev, arg)
        slot = slot._replace(device=ctl, dev=data, up=slot.up + out)
        if trigger in ("rebootstrap", "reset"):
            # The device drops its connection: what was in flight in its session is gone.
            budget = slot.budget
            budget = (budget._replace(rebootstraps=budget.rebootstraps - 1)
                      if trigger == "rebootstrap" else budget._replace(resets=budget.resets - 1))
            slot = slot._replace(up=(), down=(), budget=budget)
        if trigger in ("bootstrap", "rebootstrap") and arg[0] == BootstrapType.SERVER.value:
            ctl, acct, _ = runtime.fire(SERVER_ROLE, "pushed_bootstrap", slot.server, slot.acct, None)
            slot = slot._replace(server=ctl, acct=acct)
        return slot
    if kind == SERVER_ROLE:
        ctl, acct, out = runtime.fire(SERVER_ROLE, trigger, slot.server, slot.acct, arg)
        return slot._replace(server=ctl, acct=acct, down=slot.down + out)
    if kind == "deliver_up":
        ctl, acct, out = runtime.fire(SERVER_ROLE, trigger, slot.server, slot.acct, slot.up[0])
        return slot._replace(server=ctl, acct=acct, up=slot.up[1:], down=slot.down + out)
    if kind == "deliver_down":
        ctl, data, out = runtime.fire(DEVICE_ROLE, trigger, slot.device, slot.dev, slot.down[0])
        return slot._replace(device=ctl, dev=data, down=slot.down[1:], up=slot.up + out)
    if kind in ("discard_up", "lose_up"):
        slot = slot._replace(up=slot.up[1:])
    elif kind in ("discard_down", "lose_down"):
        slot = slot._replace(down=slot.down[1:])
    else:
        raise ValueError(f"unknown action kind {kind!r}")
    if kind.startswith("lose_"):
        slot = slot._replace(budget=slot.budget._replace(losses=slot.budget.losses - 1))
    return slot
