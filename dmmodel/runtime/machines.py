"""The executable model: ``transitions`` machines built from the rule tables, with real credentials.

Each device and each server account is a live object whose control state is managed by a
``transitions.Machine``; guards become the machine's conditions and effects its callbacks.
:class:`ExecutableSystem` drives them through the same environment as the compiled function
(``system.py``), which is what lets a test compare the two step for step.
"""

from __future__ import annotations

from typing import Any

from transitions import Machine

from dmmodel.protocol.config import Config
from dmmodel.protocol.crypto import Crypto, RealCrypto
from dmmodel.protocol.messages import Package
from dmmodel.protocol.nonces import FreshCounter, issuer
from dmmodel.protocol.rules import Ctx, MachineTable, Role, Rule
from dmmodel.protocol.state import Slot
from dmmodel.protocol.system import (
    TABLES,
    Action,
    SystemState,
    apply_action,
    initial_slot,
    slot_actions,
)


class LiveMachine:
    """One machine instance: ``state`` (the control state), ``data``, and what it last sent.

    Inside a system the slot draws the nonces a step issues (``MachineRuntime.settle``); a
    machine used on its own (a test adapter, the wire server) is given a ``fresh`` counter and
    draws them itself, so its data never holds a placeholder.
    """

    state: str

    def __init__(self, table: MachineTable, ctx: Ctx, data: Any, fresh: FreshCounter | None = None,
                 role: Role | None = None) -> None:
        self.table = table
        self.ctx = ctx
        self.fresh = fresh
        self.issuer = issuer(ctx.index, role or table.name) if fresh is not None else 0
        self.data = data
        self.sent: tuple[Package, ...] = ()
        self.last_rule: str | None = None
        self.machine = Machine(
            model=self,
            states=list(table.states),
            initial=table.initial,
            transitions=[self._transition(rule) for rule in table.rules],
            send_event=True,
            auto_transitions=False,
            ignore_invalid_triggers=True,
        )

    def _transition(self, rule: Rule) -> dict[str, Any]:
        def condition(event: Any) -> bool:
            return rule.guard(self.ctx, self.data, event.kwargs.get("arg"))

        def effect(event: Any) -> None:
            self.data, self.sent = rule.effect(self.ctx, self.data, event.kwargs.get("arg"))
            if self.fresh is not None:
                self.data, self.sent = self.fresh.settle_machine(self.data, self.sent, self.issuer)
            self.last_rule = rule.name

        return {
            "trigger": rule.trigger,
            "source": list(rule.sources),
            "dest": rule.dest,
            "conditions": [condition],
            "after": [effect],
        }


class MachineRuntime:
    """Runs a slot's steps on its live device and account machines."""

    def __init__(self, config: Config, index: int, crypto: Crypto | None = None,
                 fresh: FreshCounter | None = None) -> None:
        self.crypto, self.index, self.bounds = crypto or RealCrypto(), index, config.bounds
        self.forgets = config.forget
        self.fresh = fresh or FreshCounter()
        slot = initial_slot(config)
        self.machines = {
            role: LiveMachine(TABLES[role].for_variant(config.variant.for_role(role)),
                              Ctx(config.bounds, config.variant.for_role(role), self.crypto, index), data)
            for role, data in ((Role.DEVICE, slot.device), (Role.SERVER, slot.account))
        }

    def _machine(self, role: Role, ctl: str, data: Any) -> LiveMachine:
        machine = self.machines[role]
        if machine.state != ctl or machine.data != data:
            raise RuntimeError(f"{role} machine is out of step with the system state")
        return machine

    def choose(self, role: Role, trigger: str, ctl: str, data: Any, arg: Any) -> str | None:
        """The machine says whether it may fire; the table says which rule comes first."""
        machine = self._machine(role, ctl, data)
        if not machine.may_trigger(trigger, arg=arg):
            return None
        for rule in machine.table.rules_for(ctl, trigger):
            if rule.guard(machine.ctx, data, arg):
                return rule.name
        raise RuntimeError(f"{role}: transitions may fire {trigger!r} but no rule's guard holds")

    def settle(self, slot: Slot, by: str) -> Slot:
        """New nonces are drawn from the system's counter, and the machines take them too."""
        slot = self.fresh.settle(slot, issuer(self.index, by))
        for role, data in ((Role.DEVICE, slot.device), (Role.SERVER, slot.account)):
            machine = self.machines[role]
            machine.data = data
            machine.sent = tuple(map(self.fresh.settled, machine.sent))
        return slot

    def fire(self, role: Role, trigger: str, ctl: str, data: Any, arg: Any):
        machine = self._machine(role, ctl, data)
        machine.sent = ()
        if not machine.trigger(trigger, arg=arg):
            raise ValueError(f"{role}: no rule of {trigger!r} is enabled in {ctl!r}")
        return machine.last_rule, machine.state, machine.data, machine.sent


class ExecutableSystem:
    """The whole system as live machines: list its steps, take one, look at its state."""

    def __init__(self, config: Config, crypto: Crypto | None = None) -> None:
        self.config = config
        self.fresh = FreshCounter()  # one counter for the whole system: no nonce is issued twice
        self.runtimes = [MachineRuntime(config, i, crypto, self.fresh) for i in range(config.bounds.devices)]
        self.slots: list[Slot] = [initial_slot(config) for _ in range(config.bounds.devices)]

    @property
    def state(self) -> SystemState:
        """An immutable snapshot (credentials in channels are the real strings)."""
        return tuple(self.slots)

    def actions(self) -> list[tuple[int, Action]]:
        """Every enabled ``(device index, action)``, in the same order as the compiled function."""
        return [(i, a) for i, slot in enumerate(self.slots)
                for a in slot_actions(slot, self.config, self.runtimes[i])]

    def step(self, index: int, action: Action) -> Slot:
        """Take one step; returns the slot it leads to."""
        if action not in slot_actions(self.slots[index], self.config, self.runtimes[index]):
            raise ValueError(f"device {index + 1}: {action} is not enabled")
        self.slots[index] = apply_action(self.slots[index], action, self.runtimes[index])
        return self.slots[index]

    def restore(self, state: SystemState, counter: FreshCounter | None = None) -> None:
        """Put every machine into the given snapshot (e.g. one taken by ``state``); new nonces
        continue ``counter``'s sequences if given (a twin of a running system), else they
        avoid every value in the snapshot."""
        for runtime, slot in zip(self.runtimes, state, strict=True):
            for role, ctl, data in ((Role.DEVICE, slot.device_state, slot.device),
                                    (Role.SERVER, slot.server_state, slot.account)):
                machine = runtime.machines[role]
                machine.machine.set_state(ctl)
                machine.data = data
        self.slots = list(state)
        if counter is not None:
            self.fresh.counts = dict(counter.counts)
        self.fresh.reserve(self.slots)

    def copy(self) -> ExecutableSystem:
        """An independent system with fresh machines in the same state."""
        twin = ExecutableSystem(self.config, self.runtimes[0].machines[Role.DEVICE].ctx.crypto)
        twin.restore(self.state, self.fresh)
        return twin

    def last_rule(self, index: int, role: Role) -> str | None:
        """The name of the rule the given machine of slot ``index`` took last."""
        return self.runtimes[index].machines[role].last_rule
