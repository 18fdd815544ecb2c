"""Running a sequence of steps on the executable machines and recording what happened.

Scenarios and counterexamples are both such sequences: this is where they are replayed on the
``transitions`` machines, with real credentials, into a trace that prints step by step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dmmodel.protocol.config import Config
from dmmodel.protocol.crypto import device_name
from dmmodel.protocol.messages import Package, describe
from dmmodel.protocol.rules import PROTOCOL, Role
from dmmodel.protocol.state import Slot
from dmmodel.protocol.system import ATTACK_STEPS, RULES, Action, Channel, StepKind
from dmmodel.runtime.machines import ExecutableSystem

INJECTS = frozenset({StepKind.REPLAY, StepKind.RELEASE, StepKind.FORGE})  # attack steps that add a package
ATTACK_VERBS = {StepKind.RECORD: "records", StepKind.DROP: "drops", StepKind.HOLD: "holds back",
                StepKind.RELEASE: "releases", StepKind.REPLAY: "replays", StepKind.EDIT: "edits",
                StepKind.FORGE: "forges"}


@dataclass(frozen=True)
class TraceEntry:
    """One step: who acted, the package it took (if any), the rule it fired, what it sent.

    ``chained`` names the rule the other machine fired with it (a server-pushed bootstrap).
    """

    number: int
    index: int
    action: Action
    role: Role | None
    rule: str | None
    taken: Package | None
    sent: tuple[Package, ...]
    slot: Slot
    chained: tuple[Role, str] | None = None

    @property
    def actor(self) -> str:
        if self.action.kind in ATTACK_STEPS:
            return "attacker"
        return "server" if self.role is Role.SERVER else device_name(self.index)

    def headline(self) -> str:
        """A short description of the step, e.g. ``server: receive_package1 -> accept``."""
        a = self.action
        name = device_name(self.index)
        where = "to server" if a.channel is Channel.UP else f"to {name}"
        if a.kind in ATTACK_STEPS:
            package = self.taken or self.sent[0]
            what = f"Pkg{package.number}"
            if a.kind is StepKind.REPLAY:
                what += f" (recording {a.arg[0] + 1})"
            elif a.kind in (StepKind.EDIT, StepKind.FORGE):
                what += f" ({a.arg[0]})"
            return f"attacker: {ATTACK_VERBS[a.kind]} {what} {where} [attack]"
        if a.kind in (StepKind.LOSE, StepKind.DISCARD):
            verb = "lost" if a.kind is StepKind.LOSE else "discarded (no rule takes it)"
            return f"{where}: Pkg{self.taken.number} {verb}"
        what = a.trigger if a.arg is None else f"{a.trigger} ({a.arg[0]})"
        tag = "" if a.cls == PROTOCOL else f" [{a.cls}]"
        who = "server" if self.role is Role.SERVER else name
        about = f" for {name}" if self.role is Role.SERVER else ""
        return f"{who}{about}: {what} -> {self.rule}{tag}"

    def lines(self) -> list[str]:
        """The step as text: the headline, then each package sent, with real credentials."""
        out = [f"{self.number:>3}. {self.headline()}"]
        account = device_name(self.index)
        for p in self.sent:
            if self.action.kind in ATTACK_STEPS:
                arrow = "->" if self.action.channel is Channel.UP else "<-"
            else:
                arrow = "->" if self.role is Role.DEVICE else "<-"
            out.append(f"       {arrow} {describe(p, account)}")
        return out


def play(config: Config, steps: Iterable[tuple[int, Action]]) -> tuple[ExecutableSystem, list[TraceEntry]]:
    """Run ``steps`` on fresh executable machines; raises ``ValueError`` at a disabled step."""
    system = ExecutableSystem(config)
    trace: list[TraceEntry] = []
    for number, (index, action) in enumerate(steps, start=1):
        trace.append(take(system, index, action, number))
    return system, trace


def take(system: ExecutableSystem, index: int, action: Action, number: int) -> TraceEntry:
    """Take one step on ``system`` and describe it."""
    slot = system.slots[index]
    taken = None
    if action.channel is not None and action.kind not in INJECTS:
        taken = (slot.up if action.channel is Channel.UP else slot.down)[0]
    role = action.role if action.kind in (StepKind.SPONTANEOUS, StepKind.DELIVER) else None
    after = system.step(index, action)
    rule, sent, chained = None, (), None
    if action.kind in INJECTS:
        sent = ((after.up if action.channel is Channel.UP else after.down)[-1],)
    elif action.kind is StepKind.EDIT:
        sent = ((after.up if action.channel is Channel.UP else after.down)[0],)
    if role is not None:
        machine = system.runtimes[index].machines[role]
        rule, sent = machine.last_rule, machine.sent
        if action.chained is not None:
            chained = (RULES[role, rule].chain.role, action.chained)
    return TraceEntry(number, index, action, role, rule, taken, sent, system.slots[index], chained)
