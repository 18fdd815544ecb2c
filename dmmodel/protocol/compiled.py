"""The compiled successor function: the rule tables as plain dictionaries, memoised per rule.

Nonces are renamed after every step (``nonces.canonical``), which keeps the search finite.
Built from the same tables as the ``transitions`` machines (``machines.py``). Rules are indexed
by (role, control state, trigger), and each rule choice and firing is memoised. A slot's steps
are not: the checker's model (``checkable.py``) keeps them once per slot id, so a second copy
here would only double the memory.
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
    step recurs in many slots.
    """

    def __init__(self, config: Config, index: int, crypto: Crypto | None = None) -> None:
        self.ctx = Ctx(config.bounds, config.variant, crypto or SymbolicCrypto(), index)
        self.crypto, self.index = self.ctx.crypto, index
        self.dispatch: dict[tuple[Role, str, str], list[Rule]] = {}
        for role, table in TABLES.items():
            for rule in table.for_variant(config.variant).rules:
                for source in rule.sources:
                    self.dispatch.setdefault((role, source, rule.trigger), []).append(rule)
        self._chosen: dict[tuple, Rule | None] = {}
        self._fired: dict[tuple, tuple] = {}

    def _rule(self, key: tuple) -> Rule | None:
        found = self._chosen.get(key, self)
        if found is self:
            role, trigger, ctl, data, arg = key
            found = next((rule for rule in self.dispatch.get((role, ctl, trigger), ())
                          if rule.guard(self.ctx, data, arg)), None)
            self._chosen[key] = found
        return found

    def choose(self, role: Role, trigger: str, ctl: str, data: Any, arg: Any) -> str | None:
        rule = self._rule((role, trigger, ctl, data, arg))
        return None if rule is None else rule.name

    def settle(self, slot: Slot, by: str) -> Slot:
        """New nonces become the next names of the slot's canonical renaming."""
        return canonical(slot)

    def fire(self, role: Role, trigger: str, ctl: str, data: Any, arg: Any):
        key = (role, trigger, ctl, data, arg)
        result = self._fired.get(key)
        if result is None:
            rule = self._rule(key)
            if rule is None:
                raise ValueError(f"{role}: no rule of {trigger!r} is enabled in {ctl!r}")
            data, out = rule.effect(self.ctx, data, arg)
            result = self._fired[key] = (rule.name, rule.dest, data, out)
        return result


class CompiledSystem:
    """Pure successor function over immutable system states, for the checker.

    A device's runtime is made when one of its slots is first expanded, so nothing is
    allocated per device up front (a search stopped by ``max_states`` pays for what it met).
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.runtimes: dict[int, CompiledRuntime] = {}

    def initial(self) -> SystemState:
        return initial_state(self.config)

    def runtime(self, index: int) -> CompiledRuntime:
        """The runtime of device ``index`` (made on first use)."""
        runtime = self.runtimes.get(index)
        if runtime is None:
            runtime = self.runtimes[index] = CompiledRuntime(self.config, index)
        return runtime

    def slot_successors(self, index: int, slot: Slot) -> list[tuple[Action, Slot]]:
        """The steps of one slot and where each leads (not memoised: the caller keeps them)."""
        runtime = self.runtime(index)
        return [(a, apply_action(slot, a, runtime)) for a in slot_actions(slot, self.config, runtime)]

    def successors(self, state: SystemState) -> list[tuple[tuple[int, Action], SystemState]]:
        """Every ``((device index, action), next state)`` of ``state``, in a fixed order."""
        out = []
        for i, slot in enumerate(state):
            for action, nxt in self.slot_successors(i, slot):
                out.append(((i, action), state[:i] + (nxt,) + state[i + 1:]))
        return out
