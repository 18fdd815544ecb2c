"""The compiled successor function: the rule tables as plain dictionaries, memoised per rule.

Nonces are renamed after every step (``nonces.canonical``), which keeps the search finite.
Built from the same tables as the ``transitions`` machines (``machines.py``). Rules are indexed
by (role, control state, trigger), and each rule choice and firing is memoised. A slot's steps
are not: the checker's model (``checkable.py``) keeps them once per slot id, so a second copy
here would only double the memory. Every slot it makes is interned part by part (equal device
data, accounts, channels, ... are one object), which saves memory and lets the rule caches key
machine data by identity instead of hashing it again and again.
"""

from __future__ import annotations

from typing import Any

from dmmodel.protocol.config import Config
from dmmodel.protocol.crypto import Crypto, SymbolicCrypto
from dmmodel.protocol.nonces import canonical
from dmmodel.protocol.rules import Ctx, Role, Rule
from dmmodel.protocol.state import Slot
from dmmodel.protocol.system import (
    TABLES,
    Action,
    SystemState,
    apply_action,
    initial_state,
    slot_actions,
)


class CompiledRuntime:
    """Fires rules straight from a dispatch dictionary (no ``Machine`` objects).

    Guards and effects are pure, so each (role, trigger, control state, data, argument) is
    evaluated once: a device's step does not depend on its server's state, so the same local
    step recurs in many slots. The machine's data is keyed by identity, which is cheap to hash:
    :class:`CompiledSystem` interns it, so equal data is one object (each entry keeps its data
    alive, so an identity in a key is never reused by another object).
    """

    def __init__(self, config: Config, index: int, crypto: Crypto | None = None) -> None:
        self.crypto, self.index = crypto or SymbolicCrypto(), index
        self.ctxs = {role: Ctx(config.bounds, config.variant.for_role(role), self.crypto, index)
                     for role in TABLES}
        self.dispatch: dict[tuple[Role, str, str], list[Rule]] = {}
        for role, table in TABLES.items():
            for rule in table.for_variant(config.variant.for_role(role)).rules:
                for source in rule.sources:
                    self.dispatch.setdefault((role, source, rule.trigger), []).append(rule)
        self._chosen: dict[tuple, Rule | None] = {}
        self._fired: dict[tuple, tuple] = {}

    def _rule(self, role: Role, trigger: str, ctl: str, data: Any, arg: Any) -> Rule | None:
        key = (role, trigger, ctl, id(data), arg)
        found = self._chosen.get(key)
        if found is None:
            rule = next((rule for rule in self.dispatch.get((role, ctl, trigger), ())
                         if rule.guard(self.ctxs[role], data, arg)), None)
            found = self._chosen[key] = (data, rule)
        return found[1]

    def choose(self, role: Role, trigger: str, ctl: str, data: Any, arg: Any) -> str | None:
        rule = self._rule(role, trigger, ctl, data, arg)
        return None if rule is None else rule.name

    def settle(self, slot: Slot, by: str) -> Slot:
        """New nonces become the next names of the slot's canonical renaming."""
        return canonical(slot)

    def fire(self, role: Role, trigger: str, ctl: str, data: Any, arg: Any):
        key = (role, trigger, ctl, id(data), arg)
        result = self._fired.get(key)
        if result is None:
            rule = self._rule(role, trigger, ctl, data, arg)
            if rule is None:
                raise ValueError(f"{role}: no rule of {trigger!r} is enabled in {ctl!r}")
            after, out = rule.effect(self.ctxs[role], data, arg)
            result = self._fired[key] = (rule.name, rule.dest, after, out, data)
        return result[:4]


class CompiledSystem:
    """Pure successor function over immutable system states, for the checker.

    A device's runtime is made when one of its slots is first expanded, so nothing is
    allocated per device up front (a search stopped by ``max_states`` pays for what it met).
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.runtimes: dict[int, CompiledRuntime] = {}
        self.parts: tuple[dict, ...] = tuple({} for _ in Slot._fields)  # one per field of a slot

    def initial(self) -> SystemState:
        """The initial state, its slots interned (:meth:`intern`)."""
        return tuple(self.intern(slot) for slot in initial_state(self.config))

    def runtime(self, index: int) -> CompiledRuntime:
        """The runtime of device ``index`` (made on first use)."""
        runtime = self.runtimes.get(index)
        if runtime is None:
            runtime = self.runtimes[index] = CompiledRuntime(self.config, index)
        return runtime

    def slot_successors(self, index: int, slot: Slot) -> list[tuple[Action, Slot]]:
        """The steps of one slot and where each leads (not memoised: the caller keeps them).

        The next slots are interned; ``slot`` should be too (a slot of :meth:`initial` or one of
        these), or the runtime's caches miss on its parts (same result, more work)."""
        runtime = self.runtime(index)
        return [(a, self.intern(apply_action(slot, a, runtime), slot))
                for a in slot_actions(slot, self.config, runtime)]

    def intern(self, slot: Slot, before: Slot | None = None) -> Slot:
        """``slot`` with each part (device data, account, channels, budget, attacker, monitor)
        replaced by the one object kept for its value, so equal parts are shared in memory and the
        runtime's caches, keyed by identity, hit. Parts that are objects of ``before`` (already
        interned) are kept as they are; control states are constant strings already."""
        device_state, device, server_state, account, up, down, budget, intruder, monitor = slot
        p = self.parts
        if before is None:
            before = _NOTHING
        if device is not before[1]:
            device = p[1].setdefault(device, device)
        if account is not before[3]:
            account = p[3].setdefault(account, account)
        if up is not before[4]:
            up = p[4].setdefault(up, up)
        if down is not before[5]:
            down = p[5].setdefault(down, down)
        if budget is not before[6]:
            budget = p[6].setdefault(budget, budget)
        if intruder is not before[7]:
            intruder = p[7].setdefault(intruder, intruder)
        if monitor is not before[8]:
            monitor = p[8].setdefault(monitor, monitor)
        return tuple.__new__(Slot, (device_state, device, server_state, account, up, down, budget,
                                    intruder, monitor))

    def successors(self, state: SystemState) -> list[tuple[tuple[int, Action], SystemState]]:
        """Every ``((device index, action), next state)`` of ``state``, in a fixed order."""
        out = []
        for i, slot in enumerate(state):
            for action, nxt in self.slot_successors(i, slot):
                out.append(((i, action), state[:i] + (nxt,) + state[i + 1:]))
        return out


_NOTHING = (object(),) * len(Slot._fields)  # no part is one of these: every part is interned
