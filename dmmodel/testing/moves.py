"""The moves a randomized test may make: each names a family of the system's enabled actions.

A move is what one Hypothesis rule does (``connect``, ``deliver_up_rotating``,
``rebootstrap_smartcard`` ...); it is possible exactly when the executable system lists a
matching action, which is how the rules' preconditions stay true to the model. The moves are
read from the rule tables: one per trigger a machine takes unprompted (one per argument name for
a rule that takes arguments), one delivery per channel and per alternative answer a rule
declares, and one loss per channel when the configuration allows losses.

With a network attacker (``config.bounds.attacker.active``) there is one attack move per attack
step the system declares (``ATTACK_STEPS``: record, replay, drop, hold, release, edit, forge) and
per channel, skipping a step named after a capability the attacker lacks. One attack move may
match several actions at once (which recording to replay, which edit, which forgery): the
machine's rule then takes a ``pick`` among them (``machine.py``). Attack moves are of class
``attack``; the recovery oracle never takes them (``recovery.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from dmmodel.protocol.config import CAPABILITIES, Config
from dmmodel.protocol.rules import Role
from dmmodel.protocol.system import (
    ATTACK_STEPS,
    LOSSES,
    RULES,
    SPONTANEOUS,
    TABLES,
    Action,
    Channel,
    StepKind,
    initial_slot,
)


@dataclass(frozen=True)
class Move:
    """Matches actions by step, role, channel, trigger, argument name and declared choice."""

    name: str
    steps: tuple[StepKind, ...]
    role: Role | None = None
    channel: Channel | None = None
    trigger: str | None = None
    arg: str | None = None
    choice: str | None = None

    @property
    def attack(self) -> bool:
        """The move is the attacker's: it may match several actions, told apart by a pick."""
        return any(step in ATTACK_STEPS for step in self.steps)

    def matches(self, action: Action) -> bool:
        if action.kind not in self.steps:
            return False
        if self.channel is not None and action.channel is not self.channel:
            return False
        if action.kind is StepKind.SPONTANEOUS:
            return (action.role is self.role and action.trigger == self.trigger
                    and (self.arg is None or action.arg[0] == self.arg))
        declared = None if action.rule is None else RULES[action.role, action.rule].choice
        return declared == self.choice


def moves(config: Config) -> list[Move]:
    """The moves a configuration allows: faults only where its budgets give them."""
    b = config.bounds
    found: list[Move] = []
    for role, rule in SPONTANEOUS:
        if rule.budget is not None and getattr(b, rule.budget) <= 0:
            continue
        shared = sum(1 for _, other in SPONTANEOUS if other.trigger == rule.trigger) > 1
        name = f"{role}_{rule.trigger}" if shared else rule.trigger
        if rule.args is None:
            found.append(Move(name, (StepKind.SPONTANEOUS,), role, None, rule.trigger))
            continue
        for arg in rule.args(b, initial_slot(config)):
            found.append(Move(f"{name}_{arg[0]}", (StepKind.SPONTANEOUS,), role, None, rule.trigger, arg[0]))
    for channel in Channel:
        found.append(Move(f"deliver_{channel}", (StepKind.DELIVER, StepKind.DISCARD), channel=channel))
        alternatives = dict.fromkeys(r.choice for r in TABLES[channel.receiver].rules if r.choice)
        found += [Move(f"deliver_{channel}_{choice}", (StepKind.DELIVER,), channel=channel, choice=choice)
                  for choice in alternatives]
    if getattr(b, LOSSES):
        found += [Move(f"lose_{channel}", (StepKind.LOSE,), channel=channel) for channel in Channel]
    return found + attack_moves(config)


def attack_moves(config: Config) -> list[Move]:
    """One move per attack step and channel the configuration's attacker may take, in the order
    ``StepKind`` declares them; none on a benign network."""
    attacker = config.bounds.attacker
    if not attacker.active:
        return []
    kinds = [s for s in StepKind if s in ATTACK_STEPS and (s not in CAPABILITIES or attacker.can(s))]
    return [Move(f"{kind}_{channel}", (kind,), channel=channel) for kind in kinds for channel in Channel]
