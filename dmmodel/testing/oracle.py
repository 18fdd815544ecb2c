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
from dmmodel.protocol.machines import ExecutableSystem
from dmmodel.protocol.messages import Package, describe
from dmmodel.protocol.system import DEVICE_ROLE, SERVER_ROLE, Action
from dmmodel.protocol.trace import ACTING_ROLE, TraceEntry, take
from dmmodel.protocol.vocabulary import BootstrapType
from dmmodel.testing.adapter import Adapter, AdapterFactory

RECEIVER = {"deliver_up": SERVER_ROLE, "discard_up": SERVER_ROLE,
            "deliver_down": DEVICE_ROLE, "discard_down": DEVICE_ROLE}
Outcome = tuple[str, tuple[Package, ...]]  # control state reached, packages sent
PUSHED = "pushed_bootstrap"  # the server's side of a bootstrap the server pushes


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
        role = ACTING_ROLE.get(action.kind) or RECEIVER.get(action.kind)
        adapter = self.adapters.get((index, role))
        chosen = action if adapter is None else self._conforming(index, role, adapter, action, number)
        entry = take(self.system, index, chosen, number)
        self.history.append(entry)
        pushed = action.trigger in ("bootstrap", "rebootstrap") and action.arg[0] == BootstrapType.SERVER
        server = self.adapters.get((index, SERVER_ROLE))
        if pushed and server is not None:
            sent = tuple(server.event("pushed_bootstrap", None))
            expected = (self.system.slots[index].server, ())
            self._expect(index, SERVER_ROLE, "pushed_bootstrap", (server.observe(), sent),
                         [(PUSHED, expected)])
        return entry

    def _conforming(self, index: int, role: str, adapter: Adapter, action: Action, number: int) -> Action:
        slot = self.system.slots[index]
        if action.kind in RECEIVER:
            channel = slot.up if action.kind.endswith("_up") else slot.down
            head = channel[0]
            stimulus = describe(head, device_name(index))
            same = [a for i, a in self.system.actions() if i == index and RECEIVER.get(a.kind) == role]
            answer = adapter.receive(head)
        else:
            stimulus = action.trigger if action.arg is None else f"{action.trigger} {action.arg}"
            same = [action]
            answer = adapter.event(action.trigger, action.arg)
        allowed = [(a, self._model_outcome(index, role, a, number)) for a in same]
        return self._expect(index, role, stimulus, (adapter.observe(), tuple(answer)), allowed)

    def _model_outcome(self, index: int, role: str, action: Action, number: int) -> Outcome:
        self.twin.restore(self.system.state)
        entry = take(self.twin, index, action, number)
        return self.twin.runtimes[index].machines[role].state, entry.sent

    def _expect(self, index: int, role: str, stimulus: str, seen: Outcome,
                allowed: list[tuple[Any, Outcome]]) -> Any:
        """The choice whose outcome the implementation's matches, else a readable failure."""
        for choice, outcome in allowed:
            if outcome == seen:
                return choice
        account = device_name(index)
        who = account if role == DEVICE_ROLE else f"server for {account}"
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
