"""A second judge of the security properties: decides them from a path alone.

The ghost monitor (``dmmodel/protocol/monitor.py``) keeps a few marks in every slot and updates
them step by step. This judge is written independently from the properties' definitions
(``properties.SECURITY``, ``specs/security.md``) and sees only what a path shows: the sequence
of (slot before, action, slot after), the packages on the channels, their origin tags, and the
machines' visible data (control states, the device's epoch, run and acknowledged bootstrap, the
account's generation and the reports it has seen). It never reads ``Slot.monitor``. Tests run
both judges on the same paths and require the same verdicts after every step
(``tests/test_trace_judge.py``).

Who sent a package is decided by provenance, not by its tag alone: a package counts as sent by
a machine, unchanged, only if it is equal, tag included, to one that machine put on its channel
earlier in the path (a replay or a released package is such a copy; an edit or a forgery is
not). The judge also remembers, for each package the server sent, which package of the device
it answered. Paths must carry real, never repeated nonces and runs (the executable machines, or
the compiled rules with a fresh counter): the checker's renamed slots give the same number to
different runs along a path.

The properties, as judged here:

- ``injective_agreement_server``: whenever the server opens a session (it takes a Package 1 and
  is in session after it), that package is one the device sent, unchanged, and no session was
  opened before on the device's run that sent it.
- ``injective_agreement_device``: whenever the device accepts a 212 (it takes a Package 2 with
  Status 212 and has authenticated the server after it), that package is one the server sent,
  unchanged, answering a package the device sent in its current run and bootstrap, and the
  server opened a session on that run.
- ``rollback_only_by_bootstrap``: whenever the account's generation returns to the
  bootstrap-time generation from another one, the step is the server taking a package the device
  sent, unchanged, of the device's latest bootstrap, and the server had not answered that
  bootstrap before (answering = opening a session on a package the device sent with that
  bootstrap's report, or returning to the bootstrap secret on one of its packages).
- ``authentic_ack``: whenever the device's acknowledged bootstrap changes, it took a package the
  server sent, unchanged, answering a package of the device's current run and bootstrap, and in
  that answer the server processed the report (the package it answered carried the report of
  that bootstrap, and the server's record of reports seen reached it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dmmodel.protocol import vocabulary as v
from dmmodel.protocol.config import Attacker
from dmmodel.protocol.messages import Package
from dmmodel.protocol.state import BOOTSTRAP_GEN, Slot

SERVER_AGREEMENT = "injective_agreement_server"
DEVICE_AGREEMENT = "injective_agreement_device"
ROLLBACK = "rollback_only_by_bootstrap"
AUTHENTIC_ACK = "authentic_ack"
SECRECY = "secrets_stay_secret"
PROPERTIES = (SERVER_AGREEMENT, DEVICE_AGREEMENT, ROLLBACK, AUTHENTIC_ACK, SECRECY)

IN_SESSION = "in_session"  # the server's control state once it has opened a session
AUTHENTICATED = "awaiting_close"  # the device's control state once it has accepted the server


@dataclass(frozen=True)
class DeviceSent:
    """A package the device put on its channel: its bootstrap and run at the time."""

    epoch: int
    run: int


@dataclass(frozen=True)
class ServerSent:
    """A package the server put on its channel: the device's package it answered (None when it
    answered nothing the device sent), and whether the server processed that package's report."""

    answered: DeviceSent | None
    processed_report: bool


@dataclass
class TraceJudge:
    """Feed it the steps of one path in order (:meth:`step`); :attr:`violated` holds the
    properties broken so far. ``attacker`` is the configuration's attacker settings
    (``config.bounds.attacker``): whether one listens decides secrecy."""

    attacker: Attacker
    device_sent: dict[Package, DeviceSent] = field(default_factory=dict)
    server_sent: dict[Package, ServerSent] = field(default_factory=dict)
    opened_runs: set[int] = field(default_factory=set)  # runs the server opened a session on
    answered_reports: set[int] = field(default_factory=set)  # bootstraps the server answered
    violated: set[str] = field(default_factory=set)
    why: dict[str, str] = field(default_factory=dict)  # the first reason per property broken

    def _break(self, name: str, reason: str) -> None:
        if name not in self.violated:
            self.violated.add(name)
            self.why[name] = reason

    def step(self, before: Slot, action: Any, after: Slot) -> frozenset[str]:
        """Judge one step of the path: ``action`` (a ``system.Action``) leads from ``before`` to
        ``after``. Returns the properties violated so far."""
        taken = _taken(before, action)
        acting = action.role if action.kind in ("spontaneous", "deliver") else None

        if acting == "server" and taken is not None and taken.number == 1 \
                and after.server_state == IN_SESSION:
            self._server_opens(before, after, taken)
        if acting == "device" and taken is not None and taken.number == 2 \
                and taken.status == v.STATUS_AUTHENTICATED and after.device_state == AUTHENTICATED:
            self._device_accepts(before, taken)
        returned = before.account.gen != BOOTSTRAP_GEN and after.account.gen == BOOTSTRAP_GEN
        if returned:
            self._returns_to_card(after, acting, taken)
        if after.device.acked != before.device.acked:
            self._takes_ack(before, acting, taken)
        # the answers are recorded after judging: a step is judged on what happened before it
        if acting == "server" and taken is not None and taken.number == 1 \
                and after.server_state == IN_SESSION:
            sent = self.device_sent.get(taken)
            if sent is not None:
                self.opened_runs.add(sent.run)
                if taken.report is not None or returned:
                    self.answered_reports.add(sent.epoch)
        self._note_sent(before, acting, taken, after)
        return frozenset(self.violated)

    # -- the four properties ----------------------------------------------------------------
    def _server_opens(self, before: Slot, after: Slot, taken: Package) -> None:
        sent = self.device_sent.get(taken)
        if sent is None:
            self._break(SERVER_AGREEMENT, "the server opened a session on a Package 1 the device "
                                          "did not send as it is")
        elif sent.run in self.opened_runs:
            self._break(SERVER_AGREEMENT, f"the server opened a second session on run {sent.run}")

    def _device_accepts(self, before: Slot, taken: Package) -> None:
        sent = self.server_sent.get(taken)
        d = before.device
        if sent is None:
            self._break(DEVICE_AGREEMENT, "the device accepted a 212 the server did not send as it is")
        elif sent.answered is None or (sent.answered.epoch, sent.answered.run) != (d.epoch, d.run):
            self._break(DEVICE_AGREEMENT, "the device accepted a 212 answering another run than its "
                                          f"current one (run {d.run} of bootstrap {d.epoch})")
        elif d.run not in self.opened_runs:
            self._break(DEVICE_AGREEMENT, f"the server opened no session on run {d.run}")

    def _returns_to_card(self, after: Slot, acting: Any, taken: Package | None) -> None:
        sent = None if acting != "server" or taken is None else self.device_sent.get(taken)
        if sent is None:
            self._break(ROLLBACK, "the account returned to the bootstrap secret on a package "
                                  "the device did not send as it is")
        elif sent.epoch != after.device.epoch:
            self._break(ROLLBACK, f"the account returned to the bootstrap secret on a package "
                                  f"of bootstrap {sent.epoch}, not the latest ({after.device.epoch})")
        elif sent.epoch in self.answered_reports:
            self._break(ROLLBACK, f"the account returned to the bootstrap secret on a package "
                                  f"of bootstrap {sent.epoch}, answered before")

    def _takes_ack(self, before: Slot, acting: Any, taken: Package | None) -> None:
        sent = None if acting != "device" or taken is None else self.server_sent.get(taken)
        d = before.device
        if sent is None:
            self._break(AUTHENTIC_ACK, "the device took an acknowledgement the server did not send "
                                       "as it is")
        elif sent.answered is None or (sent.answered.epoch, sent.answered.run) != (d.epoch, d.run):
            self._break(AUTHENTIC_ACK, "the device took an acknowledgement answering another run than "
                                       "its current one")
        elif not sent.processed_report:
            self._break(AUTHENTIC_ACK, "the device took an acknowledgement of a report the server "
                                       "did not process")

    # -- provenance ---------------------------------------------------------------------------
    def _note_sent(self, before: Slot, acting: Any, taken: Package | None, after: Slot) -> None:
        """Remember the packages a machine put on its channel in this step."""
        if acting == "device":
            for p in _appended(before.up, after.up, taken if _from(before.up, taken) else None):
                self.device_sent.setdefault(p, DeviceSent(after.device.epoch, after.device.run))
        elif acting == "server":
            answered = None if taken is None else self.device_sent.get(taken)
            processed = (answered is not None and taken.report is not None
                         and taken.report == answered.epoch
                         and after.account.report_seen >= answered.epoch)
            for p in _appended(before.down, after.down, taken if _from(before.down, taken) else None):
                self.server_sent.setdefault(p, ServerSent(answered, processed))
        if acting is not None:
            self._secrecy(before, taken, after)

    def _secrecy(self, before: Slot, taken: Package | None, after: Slot) -> None:
        if not self.attacker.active or self.attacker.tls:
            return
        for old, new in ((before.up, after.up), (before.down, after.down)):
            sent = _appended(old, new, taken if _from(old, taken) else None)
            if any(p.replace is not None for p in sent):
                self._break(SECRECY, "a machine sent a Replace (a new secret in clear) where the "
                                     "attacker reads it")


def _taken(before: Slot, action: Any) -> Package | None:
    """The package a machine takes in a delivery step (the head of the channel it reads)."""
    if action.kind != "deliver":
        return None
    queue = before.up if action.channel == "up" else before.down
    return queue[0]


def _from(queue: tuple[Package, ...], taken: Package | None) -> bool:
    return taken is not None and bool(queue) and queue[0] is taken


def _appended(before: tuple[Package, ...], after: tuple[Package, ...], taken: Package | None
              ) -> tuple[Package, ...]:
    """The packages ``after`` adds at the end of channel ``before`` (whose head ``taken``, if
    given, was taken in the step); none when the channel was emptied (a disconnection)."""
    kept = before[1:] if taken is not None else before
    if after[:len(kept)] != kept:
        return ()
    return after[len(kept):]


def judge_path(steps: Iterable[tuple[Slot, Any, Slot]], attacker: Attacker) -> list[frozenset[str]]:
    """The properties violated after each step of a path of (slot before, action, slot after),
    under the configuration's attacker settings ``attacker``."""
    judge = TraceJudge(attacker)
    return [judge.step(before, action, after) for before, action, after in steps]

