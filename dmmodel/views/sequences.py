"""Sequence charts from traces: who sent which SyncML package, what the environment did.

A trace (a scenario run or a replayed counterexample) becomes a chart with the environment (which
bootstraps, re-bootstraps, resets and loses packages), the devices and the server. Each arrow
starts with the number of its trace step, so the chart reads beside the numbered trace. Packages
are drawn when sent; one later lost to a loss fault is marked "lost", one dropped with the
connection by a reset or re-bootstrap "dropped (connection reset)".

A trace with attack steps gets an attacker lifeline between the devices and the server, where
the channel runs. What the attacker only looks at or takes away (records, drops, holds back) is a
note on its lifeline, and a package it took is marked with what became of it; what it puts on a
channel (a replay, a release, an edit, a forgery) is an arrow from the attacker to the receiver,
labelled with where it came from ("replays Pkg1 recorded at step 3"). A trace without attack
steps has no attacker lifeline, and its chart is what it was before the attacker existed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dmmodel.protocol.crypto import device_name
from dmmodel.protocol.messages import Package
from dmmodel.protocol.rules import FAULT, PROTOCOL, Role
from dmmodel.protocol.state import BOOTSTRAP_GEN
from dmmodel.protocol.system import ATTACK_STEPS, RULES, Channel, StepKind
from dmmodel.render import Divider, Message, Note, SequenceChart
from dmmodel.runtime.trace import ATTACK_VERBS, TraceEntry
from dmmodel.views.labels import carries_cr_addition, package_label

ENVIRONMENT = "environment"
SERVER_NAME = "server"
ATTACKER = "attacker"
LOST, DROPPED = "lost", "dropped (connection reset)"
# what becomes of a package the attacker takes off its channel, by attack step
TAKEN_FATES = {StepKind.DROP: "dropped by the attacker", StepKind.HOLD: "held back by the attacker",
               StepKind.EDIT: "edited by the attacker"}

Event = Message | Note | Divider
Drawn = tuple[int, int | None]  # a package on the chart: its event position, its credential's secret


def _label_secret(package: Package, secret: int | None) -> int | None:
    """The secret an arrow label shows: only Packages 0 to 2 carry a credential worth naming."""
    return secret if package.number in (0, 1, 2) else None


class _Builder:
    """Accumulates chart events and tracks packages in flight, to mark the lost ones."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.in_flight: dict[tuple[int, Channel], list[Drawn]] = {}
        self.sessions = 0
        # per device: (step, secret) of each package the attacker recorded, and of the one it holds
        self.recordings: dict[int, list[tuple[int, int | None]]] = {}
        self.held: dict[int, tuple[int, int | None]] = {}

    def send(self, index: int, role: Role, package: Package, entry: TraceEntry) -> None:
        device = device_name(index)
        if role is Role.DEVICE:
            sender, receiver, channel, secret = device, SERVER_NAME, Channel.UP, entry.slot.device.gen
        else:
            sender, receiver, channel = SERVER_NAME, device, Channel.DOWN
            session = entry.slot.account.session
            secret = session.gen if session is not None else entry.slot.account.gen
        label = f"{entry.number}. " + package_label(package, _label_secret(package, secret))
        if package.number == 2 and RULES[role, entry.rule].refuses:
            label += f"\n(no held secret matches; server holds g{secret})"
        highlight = carries_cr_addition(package) or RULES[role, entry.rule].requires is not None
        self.in_flight.setdefault((index, channel), []).append((len(self.events), secret))
        self.events.append(Message(sender, receiver, label, highlight=highlight))

    def arrive(self, index: int, channel: Channel, fate: str = "") -> int | None:
        """The oldest package in flight on ``channel`` left it: delivered, or gone (``fate``).
        Returns the secret its arrow's credential was drawn with."""
        queue = self.in_flight.get((index, channel), [])
        if not queue:
            return None
        position, secret = queue.pop(0)
        if fate:
            self.events[position] = replace(self.events[position], fate=fate)
        return secret

    def drop_all(self, index: int) -> None:
        for channel in Channel:
            while self.in_flight.get((index, channel)):
                self.arrive(index, channel, DROPPED)

    def add(self, entry: TraceEntry) -> None:
        action, index, device = entry.action, entry.index, device_name(entry.index)
        if action.kind in ATTACK_STEPS:
            self._attack(entry)
            return
        if action.kind in (StepKind.LOSE, StepKind.DISCARD):
            discarded = action.kind is StepKind.DISCARD
            self.arrive(index, action.channel, "" if discarded else LOST)
            if discarded:
                who = SERVER_NAME if action.channel is Channel.UP else device
                self.events.append(Note((who,), f"{entry.number}. Pkg{entry.taken.number} discarded: "
                                                "no rule takes it"))
            return
        if action.kind is StepKind.DELIVER:
            self.arrive(index, action.channel)
        rule = RULES[entry.role, entry.rule]
        if rule.cls != PROTOCOL:
            self._environment(entry, device)
        elif rule.starts:
            self.sessions += 1
            how = "client-initiated" if entry.role is Role.DEVICE else "server-initiated"
            self.events.append(Divider(f"session {self.sessions} ({device}, {how})"))
        for package in entry.sent:
            self.send(index, entry.role, package, entry)
        if rule.cls == PROTOCOL and not entry.sent:  # every step shows: the numbers run on
            what = rule.note or rule.title or rule.name.replace("_", " ")
            self.events.append(Note((SERVER_NAME if entry.role is Role.SERVER else device,),
                                    f"{entry.number}. {what}"))

    def _environment(self, entry: TraceEntry, device: str) -> None:
        """Bootstraps and faults come from the environment; a disconnecting one drops what was in
        flight. A rule taking an argument (a bootstrap) installs an account: its secret is shown."""
        rule = RULES[entry.role, entry.rule]
        text = f"{entry.number}. {rule.title or rule.name}"
        if entry.action.arg is not None:
            text += f" ({entry.action.arg[0]}): account with secret g{entry.slot.device.gen}"
        if rule.cls == FAULT:
            text += " [fault]"
        if rule.disconnects:
            self.drop_all(entry.index)
        self.events.append(Message(ENVIRONMENT, device, text))

    def _attack(self, entry: TraceEntry) -> None:
        """An attack step on the attacker's lifeline. Recording, dropping and holding back are
        notes (a package taken off its channel is marked with its fate); what the attacker puts
        on a channel is an arrow to the receiver saying where the package came from."""
        step, channel, index, n = entry.action.kind, entry.action.channel, entry.index, entry.number
        where = "to server" if channel is Channel.UP else f"to {device_name(index)}"
        secret = None
        if step is StepKind.RECORD:
            queue = self.in_flight.get((index, channel))
            self.recordings.setdefault(index, []).append((n, queue[0][1] if queue else None))
        elif step in TAKEN_FATES:
            secret = self.arrive(index, channel, f"{TAKEN_FATES[step]}, step {n}")
            if step is StepKind.HOLD:
                self.held[index] = (n, secret)
        if not entry.sent:
            self.events.append(Note((ATTACKER,), f"{n}. {ATTACK_VERBS[step]} Pkg{entry.taken.number} "
                                                 f"{where}"))
            return
        package = entry.sent[0]
        if step is StepKind.REPLAY:
            recorded_at, secret = self.recordings[index][entry.action.arg[0]]
            how = f"replays Pkg{package.number} recorded at step {recorded_at}"
        elif step is StepKind.RELEASE:
            held_at, secret = self.held.pop(index)
            how = f"releases Pkg{package.number} held back at step {held_at}"
        elif step is StepKind.EDIT:
            how = f"edits Pkg{package.number}: {entry.action.arg[0]}"
        else:
            secret = BOOTSTRAP_GEN if package.cred is not None else None
            how = f"forges {entry.action.arg[0]}"
        drawn = (len(self.events), secret)
        queue = self.in_flight.setdefault((index, channel), [])
        if step is StepKind.EDIT:  # the edited package takes the place of the one it was made from
            queue.insert(0, drawn)
        else:
            queue.append(drawn)
        receiver = SERVER_NAME if channel is Channel.UP else device_name(index)
        label = f"{n}. {how}\n" + package_label(package, _label_secret(package, secret))
        self.events.append(Message(ATTACKER, receiver, label, highlight=carries_cr_addition(package)))


def trace_chart(name: str, title: str, trace: Sequence[TraceEntry], ending: str = "",
                loop_start: int | None = None) -> SequenceChart:
    """The sequence chart of ``trace``; ``ending`` is a closing note (e.g. why it is a trap).

    With ``loop_start``, the steps from that number on are an endless loop: a divider opens it
    and the closing note says the run goes back to that step, as TLC and SPIN print a lasso.
    """
    builder = _Builder()
    for entry in trace:
        if entry.number == loop_start:
            builder.events.append(Divider(f"loop: steps {loop_start}-{len(trace)} repeat forever"))
        builder.add(entry)
    if loop_start is not None:
        back = f"back to step {loop_start}"
        ending = f"{back}\n{ending}" if ending else back
    devices = sorted({entry.index for entry in trace})
    attacked = any(entry.action.kind in ATTACK_STEPS for entry in trace)
    participants = (ENVIRONMENT, *(device_name(i) for i in devices), *((ATTACKER,) if attacked else ()),
                    SERVER_NAME)
    if ending:
        builder.events.append(Note(participants[1:], ending))
    return SequenceChart(name, title, participants, tuple(builder.events))
