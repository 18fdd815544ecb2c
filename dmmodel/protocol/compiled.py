"""The compiled successor function: the rule tables as plain dictionaries, memoised per slot.

Built from the same tables as the ``transitions`` machines (``machines.py``). Rules are indexed
by (role, control state, trigger); a slot's successors depend on nothing but the slot, so they
are computed once per distinct slot and reused (a 2-device system revisits the same slots in
many combinations).
"""

from __future__ import annotations

from typing import Any

from dmmodel.protocol.config import Config
from dmmodel.protocol.crypto import Crypto, SymbolicCrypto
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

    A device's runtime and memo are made when one of its slots is first expanded, so nothing
    is allocated per device up front (a search stopped by ``max_states`` pays for what it met).
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.runtimes: dict[int, CompiledRuntime] = {}
        self._memo: dict[int, dict[Slot, list[tuple[Action, Slot]]]] = {}

    def initial(self) -> SystemState:
        return initial_state(self.config)

    def slot_successors(self, index: int, slot: Slot) -> list[tuple[Action, Slot]]:
        """The steps of one slot and where each leads (memoised)."""
        memo = self._memo.get(index)
        if memo is None:
            memo = self._memo[index] = {}
            self.runtimes[index] = CompiledRuntime(self.config, index)
        found = memo.get(slot)
        if found is None:
            runtime = self.runtimes[index]
            found = [(a, apply_action(slot, a, runtime))
                     for a in slot_actions(slot, self.config, runtime)]
            memo[slot] = found
        return found

    def successors(self, state: SystemState) -> list[tuple[tuple[int, Action], SystemState]]:
        """Every ``((device index, action), next state)`` of ``state``, in a fixed order."""
        out = []
        for i, slot in enumerate(state):
            for action, nxt in self.slot_successors(i, slot):
                out.append(((i, action), state[:i] + (nxt,) + state[i + 1:]))
        return out
