"""A Hypothesis ``RuleBasedStateMachine`` over the executable system: random, shrinking interleavings.

:func:`protocol_machine` builds one class per configuration. Its rules are the moves of
``moves.py`` (one set per device, suffixed ``_d2``... when there are several); a rule's
precondition is that the system lists a matching action. After every step the safety invariants
must hold and, unless switched off, every bootstrapped device must be able to recover
(``recovery.py``). With adapters, the steps of the roles under test go through the conformance
oracle (``oracle.py``) instead of the model alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

from hypothesis import event
from hypothesis.control import currently_in_test_context
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from dmmodel.protocol.config import Config
from dmmodel.protocol.machines import ExecutableSystem
from dmmodel.protocol.properties import INVARIANTS
from dmmodel.protocol.rules import FAULT
from dmmodel.protocol.state import Slot
from dmmodel.protocol.system import Action, SystemState
from dmmodel.protocol.trace import TraceEntry, take
from dmmodel.testing.adapter import AdapterFactory
from dmmodel.testing.coverage import Coverage
from dmmodel.testing.moves import Move, moves
from dmmodel.testing.oracle import Conformance
from dmmodel.testing.recovery import Recoverability


class SafetyError(AssertionError):
    """A safety invariant of the model does not hold after a step."""


class ProtocolMachine(RuleBasedStateMachine):
    """Base class; :func:`protocol_machine` fills in the configuration and the rules."""

    config: ClassVar[Config]
    recovery: ClassVar[bool]
    adapters: ClassVar[Mapping[str, AdapterFactory]]
    coverage: ClassVar[Coverage]
    recoverability: ClassVar[Recoverability]
    known_actions: ClassVar[dict[SystemState, list[tuple[int, Action]]]]

    def __init__(self) -> None:
        super().__init__()
        self.system = ExecutableSystem(self.config)
        self.conformance = Conformance(self.system, self.adapters) if self.adapters else None
        self.enabled: list[tuple[int, Action]] | None = None
        self.steps: list[TraceEntry] = []
        self.coverage.examples += 1
        self._count_states()

    def find(self, index: int, move: Move) -> Action | None:
        """The first enabled action of device ``index`` that ``move`` matches."""
        if self.enabled is None:
            state = self.system.state
            if state not in self.known_actions:
                self.known_actions[state] = self.system.actions()
            self.enabled = self.known_actions[state]
        return next((a for i, a in self.enabled if i == index and move.matches(a)), None)

    def make(self, index: int, move: Move) -> None:
        """Take ``move`` on device ``index`` (through the oracle when that role is under test)."""
        action = self.find(index, move)
        before = self.system.slots[index]
        if self.conformance is not None:
            entry = self.conformance.take(index, action, len(self.steps) + 1)
        else:
            entry = take(self.system, index, action, len(self.steps) + 1)
        self.enabled = None
        self.steps.append(entry)
        self._count(entry, before)

    def _count(self, entry: TraceEntry, before: Slot) -> None:
        coverage = self.coverage
        coverage.steps += 1
        seen = []
        if entry.rule is not None:
            seen.append(f"{entry.role}:{entry.rule}")
        if entry.chained is not None:
            seen.append("{}:{}".format(*entry.chained))
        coverage.rules.update(seen)
        if entry.action.cls == FAULT and entry.rule is not None and before.account.issued > 0:
            situation = f"{entry.rule} after a rotation"
            coverage.situations[situation] += 1
            seen.append(situation)
        if currently_in_test_context():  # a printed program also runs outside Hypothesis
            for name in seen:
                event(name)
        self._count_states()

    def _count_states(self) -> None:
        for slot in self.system.slots:
            self.coverage.states[f"device:{slot.device_state}"] += 1
            self.coverage.states[f"server:{slot.server_state}"] += 1

    @invariant()
    def safety(self) -> None:
        state = self.system.state
        broken = [inv for inv in INVARIANTS if not inv(state)]
        if broken:
            names = "; ".join(f"{inv.name} ({inv.requirement}): {inv.doc}" for inv in broken)
            raise SafetyError(f"after step {len(self.steps)}: {names}")

    @invariant()
    def recoverable(self) -> None:
        if self.recovery:
            self.recoverability.check(self.system.state)


def _rule_for(index: int, move: Move, name: str) -> Callable:
    def step(self: ProtocolMachine) -> None:
        self.make(index, move)

    step.__name__ = step.__qualname__ = name
    step.__doc__ = f"Device {index + 1}: {move.name.replace('_', ' ')}."
    return rule()(precondition(lambda self: self.find(index, move) is not None)(step))


def protocol_machine(
    config: Config,
    *,
    recovery: bool = True,
    adapters: Mapping[str, AdapterFactory] | None = None,
) -> type[ProtocolMachine]:
    """A state machine class for ``config``; ``adapters`` maps a role to the implementation under test."""
    namespace: dict[str, object] = {
        "config": config,
        "recovery": recovery,
        "adapters": dict(adapters or {}),
        "coverage": Coverage(config),
        "recoverability": Recoverability(ExecutableSystem(config)),
        "known_actions": {},
    }
    for index in range(config.bounds.devices):
        for move in moves(config):
            name = move.name if config.bounds.devices == 1 else f"{move.name}_d{index + 1}"
            namespace[name] = _rule_for(index, move, name)
    title = "".join(part.title() for part in config.variant.name.split("-"))
    return type(f"{title}Machine", (ProtocolMachine,), namespace)
