"""The model as oracle: every step of an implementation under test must be one the model allows.

For a step of a role under test, the oracle asks the model for each outcome it allows from the
same state and input (the control state reached and the packages sent), asks the adapter what
it does, and accepts the step only if the two agree; the model then follows the implementation's
choice. Otherwise it raises :class:`ConformanceError` saying what came in, what went out, and
what the model would have allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dmmodel.protocol.crypto import device_name
from dmmodel.protocol.messages import Package, describe
from dmmodel.protocol.rules import Role
from dmmodel.protocol.system import RULES, Action, Channel, StepKind
from dmmodel.runtime.machines import ExecutableSystem
from dmmodel.runtime.trace import TraceEntry, take
from dmmodel.testing.adapter import Adapter, AdapterFactory

ARRIVALS = (StepKind.DELIVER, StepKind.DISCARD)
Outcome = tuple[str, tuple[Package, ...]]  # control state reached, packages sent


class ConformanceError(AssertionError):
    """The implementation under test did something the model does not allow."""


def _outcome_text(outcome: Outcome, account: str) -> str:
    state, sent = outcome
    shown = "; ".join(describe(p, account) for p in sent) or "nothing"
    return f"sends {shown}, goes to {state!r}"


def _name(choice: Action | str) -> str:
    return choice if isinstance(choice, str) else choice.rule or choice.label()


class Conformance:
    """Runs the steps of one system, routing those of the roles under test through their adapters."""

    def __init__(self, system: ExecutableSystem, adapters: Mapping[str, AdapterFactory]) -> None:
        self.system = system
        self.twin = system.copy()
        self.adapters: dict[tuple[int, str], Adapter] = {
            (index, role): make(system.config, index)
            for index in range(system.config.bounds.devices)
            for role, make in adapters.items()
        }
        self.history: list[TraceEntry] = []

    def take(self, index: int, action: Action, number: int) -> TraceEntry:
        """Take ``action`` on device ``index``'s slot, checking each implementation that acts."""
        adapter = self.adapters.get((index, action.role))
        chosen = action if adapter is None else self._conforming(index, action.role, adapter, action)
        entry = take(self.system, index, chosen, number)
        self.history.append(entry)
        other = None if entry.chained is None else self.adapters.get((index, entry.chained[0]))
        if other is not None:
            role, rule = entry.chained
            trigger = RULES[entry.role, entry.rule].chain.trigger
            slot = self.system.slots[index]
            reached = slot.device_state if role is Role.DEVICE else slot.server_state
            sent = tuple(other.event(trigger, None))
            self._expect(index, role, trigger, (other.observe(), sent), [(rule, (reached, ()))])
        return entry

    def _conforming(self, index: int, role: Role, adapter: Adapter, action: Action) -> Action:
        slot = self.system.slots[index]
        if action.kind in ARRIVALS:
            head = (slot.up if action.channel is Channel.UP else slot.down)[0]
            stimulus = describe(head, device_name(index))
            same = [a for i, a in self.system.actions()
                    if i == index and a.kind in ARRIVALS and a.channel == action.channel]
            answer = adapter.receive(head)
        else:
            stimulus = action.trigger if action.arg is None else f"{action.trigger} {action.arg}"
            same = [action]
            answer = adapter.event(action.trigger, action.arg)
        allowed = [(a, self._model_outcome(index, role, a)) for a in same]
        return self._expect(index, role, stimulus, (adapter.observe(), tuple(answer)), allowed)

    def _model_outcome(self, index: int, role: Role, action: Action) -> Outcome:
        self.twin.restore(self.system.state, self.system.fresh)
        entry = take(self.twin, index, action, 0)
        return self.twin.runtimes[index].machines[role].state, entry.sent

    def _expect(self, index: int, role: Role, stimulus: str, seen: Outcome,
                allowed: list[tuple[Any, Outcome]]) -> Any:
        """The choice whose outcome the implementation's matches, else a readable failure."""
        for choice, outcome in allowed:
            if outcome == seen:
                return choice
        account = device_name(index)
        who = account if role is Role.DEVICE else f"server for {account}"
        options = [f"  {_name(a)}: {_outcome_text(o, account)}" for a, o in allowed]
        recent = [e.headline() for e in self.history[-10:]]
        raise ConformanceError("\n".join([
            f"step {len(self.history) + 1}: {who} does what the model does not allow.",
            f"It was given: {stimulus}",
            f"It {_outcome_text(seen, account)}",
            "The model allows:",
            *options,
            "Steps before (latest last):",
            *[f"  {line}" for line in recent],
        ]))
