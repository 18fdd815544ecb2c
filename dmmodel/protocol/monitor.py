"""The ghost observer of the security properties: judges each step by origin tags and machine data.

After a package is delivered, :func:`watch` compares who really sent it (its ``Origin`` tag,
which replays copy and forgeries cannot set) with what the machines believe, and marks a
property violated for good (a history variable, as in TLA+). The properties then read the
marks as plain invariants. Nothing here looks at a field the attacker can edit.
"""

from __future__ import annotations

from dmmodel.protocol import device, server
from dmmodel.protocol.messages import FORGED, Package
from dmmodel.protocol.state import BOOTSTRAP_GEN, Monitor, Slot

SERVER_AGREEMENT = "injective_agreement_server"
DEVICE_AGREEMENT = "injective_agreement_device"
ROLLBACK = "rollback_only_by_bootstrap"
AUTHENTIC_ACK = "authentic_ack"
SECRECY = "secrets_stay_secret"
WATCHED = (SERVER_AGREEMENT, DEVICE_AGREEMENT, ROLLBACK, AUTHENTIC_ACK, SECRECY)  # bit i of ``violated``

OPENS = frozenset(r.name for r in server.SERVER.rules if r.opens)  # the server opens a session
JOINS = frozenset(r.name for r in device.DEVICE.rules if r.joins)  # the device takes the session
JUDGED = OPENS | JOINS  # the rules whose delivery the monitor judges


def _bit(name: str) -> int:
    return 1 << WATCHED.index(name)


def violated(monitor: Monitor, name: str) -> bool:
    """The step that broke property ``name`` has happened."""
    return bool(monitor.violated & _bit(name))


def secret_read(m: Monitor) -> Monitor:
    """The monitor after a rotated secret travelled where the attacker reads it."""
    bit = _bit(SECRECY)
    return m if m.violated & bit else m._replace(violated=m.violated | bit)


def watch(before: Slot, after: Slot, role: str | None, rule: str | None, taken: Package | None) -> Monitor:
    """The monitor after a step from ``before`` to ``after`` in which ``role`` fired ``rule`` on
    the package ``taken`` (None for a step that took no package)."""
    m = after.monitor
    if not m.opened and (taken is None or rule not in JUDGED):  # nothing to judge or forget
        return m
    opened, answered, bad = m.opened, m.answered, m.violated
    device = after.device
    if taken is not None and role == "server" and rule in OPENS:
        origin = taken.tag or FORGED
        genuine = origin.sender == "device"
        if not genuine or origin.run in opened:
            bad |= _bit(SERVER_AGREEMENT)
        # a return to g0 must answer a genuine package of the device's latest bootstrap, of a
        # bootstrap the server has not answered before: one return per real bootstrap, whichever
        # rule returns (recognising the report, or keep-previous accepting g0 as the previous
        # secret, which a re-bootstrapped device whose report was lost may present)
        fresh = genuine and origin.epoch == device.epoch and device.epoch > answered
        returns = before.account.gen != BOOTSTRAP_GEN and after.account.gen == BOOTSTRAP_GEN
        if returns and not fresh:
            bad |= _bit(ROLLBACK)
        if genuine:
            opened = (*opened, origin.run)
            if taken.report is not None or returns:
                answered = max(answered, origin.epoch)
    if taken is not None and role == "device" and rule in JOINS:
        origin = taken.tag or FORGED
        d = before.device
        answers_run = origin.sender == "server" and origin.run == d.run and origin.epoch == d.epoch
        if not (answers_run and d.run in opened):
            bad |= _bit(DEVICE_AGREEMENT)
        took_ack = device.acked != d.acked
        if took_ack and not (answers_run and origin.report):
            bad |= _bit(AUTHENTIC_ACK)
    if opened:
        opened = _still_relevant(opened, after)
    if (opened, answered, bad) == m:
        return m
    return Monitor(opened, answered, bad)


def _still_relevant(opened: tuple[int, ...], slot: Slot) -> tuple[int, ...]:
    """The runs of ``opened`` that can still matter: the device's current run, and runs of
    packages in the channels or with the attacker (any other run can never be opened again)."""
    if len(opened) == 1 and opened[0] == slot.device.run:  # the common case: only the current run
        return opened
    live = {slot.device.run}
    packages = [*slot.up, *slot.down]
    if slot.attacker is not None:
        packages += slot.attacker.recorded
        if slot.attacker.held is not None:
            packages.append(slot.attacker.held[1])
    live.update(p.tag.run for p in packages if p.tag is not None)
    return tuple(sorted({run for run in opened if run in live}))
