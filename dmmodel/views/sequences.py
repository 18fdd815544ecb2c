"""Sequence charts from traces: who sent which SyncML package, what the environment did.

A trace (a scenario run or a replayed counterexample) becomes a chart with the environment (which
bootstraps, re-bootstraps, resets and loses packages), the devices and the server. Packages are
drawn when sent; one that is later lost or dropped by a reset is drawn as lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dmmodel.protocol.crypto import device_name
from dmmodel.protocol.messages import Package
from dmmodel.protocol.server import SERVER
from dmmodel.protocol.system import DEVICE_ROLE, SERVER_ROLE
from dmmodel.protocol.trace import TraceEntry
from dmmodel.render import Divider, Message, Note, SequenceChart
from dmmodel.views.labels import carries_cr_addition, package_label

ENVIRONMENT = "environment"
SERVER_NAME = "server"
CR_SERVER_RULES = frozenset(r.name for r in SERVER.rules if r.requires is not None)
QUIET_NOTES = {
    (DEVICE_ROLE, "give_up"): "retry limit reached: session abandoned",
    (DEVICE_ROLE, "close"): "session closed",
    (DEVICE_ROLE, "timeout"): "timeout: session abandoned",
    (SERVER_ROLE, "timeout"): "timeout: stops waiting",
    (SERVER_ROLE, "refused_by_device"): "device refused the server's credential",
}

Event = Message | Note | Divider


class _Builder:
    """Accumulates chart events and tracks packages in flight, to mark the lost ones."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.in_flight: dict[tuple[int, str], list[int]] = {}
        self.sessions = 0

    def send(self, index: int, role: str, package: Package, entry: TraceEntry) -> None:
        device = device_name(index)
        if role == DEVICE_ROLE:
            sender, receiver, channel, secret = device, SERVER_NAME, "up", entry.slot.dev.gen
        else:
            sender, receiver, channel = SERVER_NAME, device, "down"
            session = entry.slot.acct.session
            secret = session.gen if session is not None else entry.slot.acct.gen
        label = package_label(package, secret if package.number in (0, 1, 2) else None)
        if package.number == 2 and entry.rule == "refuse":
            label += f"\n(no held secret matches; server holds g{secret})"
        highlight = carries_cr_addition(package) or (
            role == SERVER_ROLE and entry.rule in CR_SERVER_RULES)
        self.in_flight.setdefault((index, channel), []).append(len(self.events))
        self.events.append(Message(sender, receiver, label, highlight=highlight))

    def arrive(self, index: int, channel: str, lost: bool) -> None:
        queue = self.in_flight.get((index, channel), [])
        if queue:
            position = queue.pop(0)
            if lost:
                self.events[position] = replace(self.events[position], lost=True)

    def drop_all(self, index: int) -> None:
        for channel in ("up", "down"):
            while self.in_flight.get((index, channel)):
                self.arrive(index, channel, lost=True)

    def add(self, entry: TraceEntry) -> None:
        action, index, device = entry.action, entry.index, device_name(entry.index)
        kind = action.kind
        if kind.startswith(("lose_", "discard_")):
            discarded = kind.startswith("discard_")
            self.arrive(index, kind.rsplit("_", 1)[1], lost=not discarded)
            if discarded:
                who = SERVER_NAME if kind.endswith("up") else device
                self.events.append(Note((who,), f"Pkg{entry.taken.number} discarded: no rule takes it"))
            return
        if kind.startswith("deliver_"):
            self.arrive(index, kind.rsplit("_", 1)[1], lost=False)
        if action.trigger in ("bootstrap", "rebootstrap", "reset"):
            self._environment(entry, device)
        elif action.trigger in ("connect", "notify"):
            self.sessions += 1
            how = "client-initiated" if action.trigger == "connect" else "server-initiated"
            self.events.append(Divider(f"session {self.sessions} ({device}, {how})"))
        for package in entry.sent:
            self.send(index, entry.role, package, entry)
        note = QUIET_NOTES.get((entry.role, entry.rule))
        if note and not entry.sent:
            self.events.append(Note((SERVER_NAME if entry.role == SERVER_ROLE else device,), note))

    def _environment(self, entry: TraceEntry, device: str) -> None:
        """Bootstraps and resets come from the environment; they drop what was in flight."""
        trigger = entry.action.trigger
        if trigger == "reset":
            text = "device reset [fault]"
        else:
            kind = entry.action.arg[0]
            again = "re-bootstrap" if trigger == "rebootstrap" else "bootstrap"
            fault = " [fault]" if trigger == "rebootstrap" else ""
            text = f"{again} ({kind}): account with secret g{entry.slot.dev.gen}{fault}"
        if trigger != "bootstrap":
            self.drop_all(entry.index)
        self.events.append(Message(ENVIRONMENT, device, text))


def trace_chart(name: str, title: str, trace: Sequence[TraceEntry], ending: str = "") -> SequenceChart:
    """The sequence chart of ``trace``; ``ending`` is a closing note (e.g. why it is a trap)."""
    builder = _Builder()
    for entry in trace:
        builder.add(entry)
    devices = sorted({entry.index for entry in trace})
    participants = (ENVIRONMENT, *(device_name(i) for i in devices), SERVER_NAME)
    if ending:
        builder.events.append(Note(participants[1:], ending))
    return SequenceChart(name, title, participants, tuple(builder.events))
