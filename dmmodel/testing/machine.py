"""A Hypothesis ``RuleBasedStateMachine`` over the executable system: random, shrinking interleavings.

:func:`protocol_machine` builds one class per configuration. Its rules are the moves of
``moves.py`` (one set per device, suffixed ``_d2``... when there are several); a rule's
precondition is that the system lists a matching action. After every step the safety invariants
must hold and, unless switched off, every bootstrapped device must be able to recover
(``recovery.py``). With adapters, the steps of the roles under test go through the conformance
oracle (``oracle.py``) instead of the model alone.

With a network attacker in the configuration the machine also has the attacker's rules
(``record_up``, ``replay_up``, ``edit_down`` ...), one per attack move. Such a rule takes a
``pick``: the index, modulo their number, of the matching attack steps the system lists now (the
recordings, edits or forgeries on offer, in the system's order), so Hypothesis shrinks it toward
the first. The safety invariants include the security properties, which read the ghost monitor's
marks: a replay the server accepts fails the run with a :class:`SafetyError` naming the property.
Attack steps count in coverage as situations (``attack: replay``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import ClassVar

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from dmmodel.protocol.config import Config
from dmmodel.protocol.properties import INVARIANTS
from dmmodel.protocol.rules import FAULT
from dmmodel.protocol.state import Slot
from dmmodel.protocol.system import ATTACK_STEPS, Action, SystemState
from dmmodel.runtime.machines import ExecutableSystem
from dmmodel.runtime.trace import TraceEntry, take
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
    checked: ClassVar[frozenset[str]]  # the safety properties checked after every step
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

    def matching(self, index: int, move: Move) -> list[Action]:
        """The enabled actions of device ``index`` that ``move`` matches, in the system's order."""
        if self.enabled is None:
            state = self.system.state
            if state not in self.known_actions:
                self.known_actions[state] = self.system.actions()
            self.enabled = self.known_actions[state]
        return [a for i, a in self.enabled if i == index and move.matches(a)]

    def find(self, index: int, move: Move) -> Action | None:
        """The first enabled action of device ``index`` that ``move`` matches."""
        return next(iter(self.matching(index, move)), None)

    def make(self, index: int, move: Move, pick: int = 0) -> None:
        """Take ``move`` on device ``index`` (through the oracle when that role is under test);
        ``pick`` chooses among the matching actions, counting modulo their number."""
        found = self.matching(index, move)
        if not found:  # a typed-out program calling a rule its precondition would skip
            raise ValueError(f"{move.name} on device {index + 1}: the system lists no such step now")
        action = found[pick % len(found)]
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
        if entry.action.kind in ATTACK_STEPS:
            situation = f"attack: {entry.action.kind}"
            coverage.situations[situation] += 1
            seen.append(situation)
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
        broken = [inv for inv in INVARIANTS if inv.name in self.checked and not inv(state)]
        if broken:
            names = "; ".join(f"{inv.name} ({inv.requirement}): {inv.doc}" for inv in broken)
            raise SafetyError(f"after step {len(self.steps)}: {names}")

    @invariant()
    def recoverable(self) -> None:
        if self.recovery:
            self.recoverability.check(self.system.state)


def _rule_for(index: int, move: Move, name: str) -> Callable:
    enabled = precondition(lambda self: self.find(index, move) is not None)
    doc = f"Device {index + 1}: {move.name.replace('_', ' ')}."
    if move.attack:
        def attack(self: ProtocolMachine, pick: int) -> None:
            self.make(index, move, pick)

        attack.__name__ = attack.__qualname__ = name
        attack.__doc__ = doc[:-1] + ", the ``pick``-th of the matching attack steps."
        return rule(pick=st.integers(min_value=0))(enabled(attack))

    def step(self: ProtocolMachine) -> None:
        self.make(index, move)

    step.__name__ = step.__qualname__ = name
    step.__doc__ = doc
    return rule()(enabled(step))


def protocol_machine(
    config: Config,
    *,
    recovery: bool = True,
    adapters: Mapping[str, AdapterFactory] | None = None,
    invariants: Collection[str] | None = None,
) -> type[ProtocolMachine]:
    """A state machine class for ``config``; ``adapters`` maps a role to the implementation under
    test; ``invariants`` names the safety properties checked after every step (default: all)."""
    names = {inv.name for inv in INVARIANTS}
    chosen = names if invariants is None else set(invariants)
    if chosen - names:
        raise ValueError(f"unknown invariant(s) {sorted(chosen - names)}; known: {sorted(names)}")
    namespace: dict[str, object] = {
        "config": config,
        "recovery": recovery,
        "checked": frozenset(chosen),
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
