"""Recoverability: the executable form of *no authentication deadlock*.

From a given state, a fair, deterministic scheduler runs protocol steps alone (deliver every
package, time out when nothing is in flight, connect when idle; no re-bootstrap, reset or loss)
and must bring every bootstrapped device to a mutually authenticated session within a bound.

Under a network attacker it is the executable form of *recovery after an attack*
(``recovers_after_attack``): the state may hold what the attacker did (a replayed or edited
package in flight, a rollback it caused), but the scheduler takes only actions of class
``protocol``, never an attack step, so the attacker can never help a device recover; and the
session reached must be one of the device's current run, as that property asks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from dmmodel.protocol.config import Config
from dmmodel.protocol.crypto import device_name
from dmmodel.protocol.properties import GOALS, SlotGoal, has_account
from dmmodel.protocol.rules import PROTOCOL, Role
from dmmodel.protocol.state import Slot
from dmmodel.protocol.system import SPONTANEOUS, TABLES, Action, Channel, StepKind, SystemState
from dmmodel.runtime.machines import ExecutableSystem
from dmmodel.runtime.trace import TraceEntry, take

RECOVERY_STEPS = 60  # per device; a healthy exchange needs 3 steps, a full 401 retry cycle 7


def _preference() -> list[tuple[StepKind, Role | None, str | None]]:
    """What the scheduler prefers, first to last, read from the rule tables: drain the device's
    channel, then the server's (each with its plain answer, never an alternative such as a
    rotation: recovery must not need one), clean up with quiet steps (timeouts), then start a
    session (the device's own start first)."""
    order: list[tuple[StepKind, Role | None, str | None]] = []
    for channel in (Channel.DOWN, Channel.UP):
        role = channel.receiver
        plain = [r.trigger for r in TABLES[role].rules if r.consumes is not None and r.choice is None]
        order += [(StepKind.DELIVER, role, trigger) for trigger in dict.fromkeys(plain)]
        order.append((StepKind.DISCARD, role, None))
    spontaneous = [(role, rule) for role, rule in SPONTANEOUS if rule.cls == PROTOCOL]
    order += [(StepKind.SPONTANEOUS, role, rule.trigger) for role, rule in spontaneous if rule.quiet]
    order += [(StepKind.SPONTANEOUS, role, rule.trigger) for role, rule in spontaneous if rule.starts]
    return order


PREFERENCE = _preference()

# How a failed recovery reads, per goal: what it is called and what the device never reached.
WORDING = {
    "no_auth_deadlock": ("authentication deadlock", "a mutually authenticated session"),
    "recovers_after_attack": ("no recovery after attack",
                              "a mutually authenticated session of its current run"),
}


def goal_for(config: Config) -> SlotGoal:
    """What recovery must reach: on a benign network mutual authentication (``no_auth_deadlock``);
    with an attacker a session of the device's current run (``recovers_after_attack``)."""
    name = "recovers_after_attack" if config.bounds.attacker.active else "no_auth_deadlock"
    return next(goal for goal in GOALS if goal.name == name)


class RecoverabilityError(AssertionError):
    """A bootstrapped device cannot reach an authenticated session by protocol steps alone."""

    def __init__(self, index: int, trace: list[TraceEntry], goal: SlotGoal) -> None:
        self.index = index
        self.trace = trace
        self.goal = goal
        super().__init__(self._message())

    def _message(self) -> str:
        fired = Counter(f"{e.actor}:{e.rule}" for e in self.trace if e.rule is not None)
        refusals = sum(1 for e in self.trace for p in e.sent if p.number == 2 and p.status == 401)
        counts = ", ".join(f"{name} x{n}" for name, n in fired.most_common())
        shown = [line for e in self.trace[:8] for line in e.lines()]
        more = len(self.trace) - 8
        failure, goal = WORDING[self.goal.name]
        return "\n".join(
            [
                f"{failure}: {device_name(self.index)} never reached {goal} in {len(self.trace)} "
                "protocol steps of a fair scheduler (every package delivered, no faults, no attack "
                f"steps); {self.goal.name} ({self.goal.requirement}).",
                f"The server answered 401 (credentials refused) {refusals} times; rules fired: {counts}.",
                "The scheduler's first steps:",
                *shown,
                *([f"  ... {more} more steps"] if more > 0 else []),
            ]
        )


@dataclass(frozen=True)
class Recovery:
    """How one device recovered: the protocol steps the scheduler took to reach the goal."""

    index: int
    trace: tuple[TraceEntry, ...]


def next_step(system: ExecutableSystem, index: int) -> Action | None:
    """The scheduler's choice for device ``index``: its most preferred enabled protocol step."""
    mine = [a for i, a in system.actions() if i == index and a.cls == PROTOCOL]
    for step, role, trigger in PREFERENCE:
        for action in mine:
            if action.kind is step and action.role is role and action.trigger == trigger:
                return action
    return None


def recover(system: ExecutableSystem, index: int, limit: int = RECOVERY_STEPS) -> Recovery:
    """Run the scheduler on ``system`` (which it changes) until device ``index`` reaches the
    configuration's recovery goal (:func:`goal_for`)."""
    goal = goal_for(system.config)
    trace: list[TraceEntry] = []
    while not goal.goal(system.slots[index]):
        action = next_step(system, index)
        if action is None or len(trace) >= limit:
            raise RecoverabilityError(index, trace, goal)
        trace.append(take(system, index, action, len(trace) + 1))
    return Recovery(index, tuple(trace))


class Recoverability:
    """Checks that every bootstrapped device of a state recovers, remembering each slot's verdict.

    A slot's verdict depends on the slot alone (slots never interact and the scheduler is
    deterministic), so a randomized run, which meets the same slots again and again, asks once.
    """

    def __init__(self, system: ExecutableSystem, limit: int = RECOVERY_STEPS) -> None:
        self.twin = system.copy()
        self.limit = limit
        self.verdicts: dict[tuple[int, Slot], RecoverabilityError | None] = {}

    def check(self, state: SystemState) -> None:
        """Raise :class:`RecoverabilityError` for the first device of ``state`` that cannot recover."""
        for index, slot in enumerate(state):
            if not has_account(slot):
                continue
            key = (index, slot)
            if key not in self.verdicts:
                self.twin.restore(state)
                try:
                    recover(self.twin, index, self.limit)
                    self.verdicts[key] = None
                except RecoverabilityError as error:
                    self.verdicts[key] = error
            error = self.verdicts[key]
            if error is not None:
                raise RecoverabilityError(error.index, error.trace, error.goal)
