"""The properties of the model as predicates over slots: safety invariants and per-device goals.

Invariants are checked on every reachable state. Each liveness property is a goal per device
("from every reachable state where it applies, a goal state is reachable by protocol steps
alone"); the checker turns these into reachability questions on the explored graph.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from dmmodel.protocol import monitor
from dmmodel.protocol.device import AWAITING_CLOSE, FACTORY
from dmmodel.protocol.server import IN_SESSION
from dmmodel.protocol.state import Slot
from dmmodel.protocol.system import SystemState

SlotPredicate = Callable[[Slot], bool]
P = TypeVar("P", bound=SlotPredicate)


def fields_read(predicate: SlotPredicate) -> tuple[str, ...]:
    """The fields of a slot ``predicate`` reads, from its code: each ``slot.<field>`` in it,
    whichever branch it is on, so none can be missed. Raises ``ValueError`` where the code alone
    cannot tell: the slot used in any other way (handed on, unpacked, indexed), or a name that is
    not a field of a slot."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(predicate)))
    function = tree.body[0]
    if not isinstance(function, ast.FunctionDef) or not function.args.args:
        raise ValueError(f"{predicate.__name__}: not a function of a slot")
    slot = function.args.args[0].arg
    uses = [node for node in ast.walk(function) if isinstance(node, ast.Name) and node.id == slot]
    read = [node for node in ast.walk(function)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == slot]
    if len(read) != len(uses):
        raise ValueError(f"{predicate.__name__}: uses {slot!r} other than by reading its fields")
    fields = {node.attr for node in read}
    unknown = fields - set(Slot._fields)
    if unknown:
        raise ValueError(f"{predicate.__name__}: not fields of a slot: {sorted(unknown)}")
    return tuple(field for field in Slot._fields if field in fields)


def reads(predicate: P) -> P:
    """Sets ``predicate.reads``, the fields of a slot it reads (:func:`fields_read`): its verdict
    is the same on slots that agree on them, so the checker evaluates it once per distinct value
    of those fields."""
    predicate.reads = fields_read(predicate)  # type: ignore[attr-defined]
    return predicate


@reads
def secrets_agree(slot: Slot) -> bool:
    """In a session both sides agree on the secrets: a device that has authenticated the server
    holds the generation the server holds for it (or the one it is rotating to)."""
    if slot.device_state != AWAITING_CLOSE:
        return True
    return slot.device.gen in (slot.account.gen, slot.account.pending)


@reads
def sound_authentication(slot: Slot) -> bool:
    """The server is in a session only on a credential of a secret it holds as current, and only
    through the bootstrap secret after it has seen a bootstrap report."""
    session = slot.account.session
    if session is None:
        return slot.server_state != IN_SESSION
    if session.how == "bootstrap" and slot.account.report_seen == 0:
        return False
    return session.gen == slot.account.gen


@reads
def no_rollback(slot: Slot) -> bool:
    """A secret superseded by a completed rotation is never accepted again, except the
    bootstrap secret together with a bootstrap report."""
    session = slot.account.session
    return session is None or session.gen >= session.floor or session.how == "bootstrap"


@reads
def ack_for_real_bootstrap(slot: Slot) -> bool:
    """An acknowledgement is only given, and only taken, for a bootstrap that happened and was
    reported: acks in flight name a past bootstrap; the device's ack was read by the server."""
    in_flight = all(1 <= p.ack <= slot.device.epoch for p in slot.down if p.ack is not None)
    return in_flight and slot.device.acked <= min(slot.device.epoch, slot.account.report_seen)


def _kept(name: str) -> SlotPredicate:
    @reads
    def kept(slot: Slot) -> bool:
        return not monitor.violated(slot.monitor, name)

    kept.__name__ = name
    kept.__doc__ = f"The monitor has not seen a step that breaks {name}."
    return kept


@reads
def has_account(slot: Slot) -> bool:
    """The device has been bootstrapped (liveness questions start from here)."""
    return slot.device_state != FACTORY


@reads
def authenticated(slot: Slot) -> bool:
    """The device has authenticated the server, which authenticated it (DM-HLR-1's goal)."""
    return slot.device_state == AWAITING_CLOSE


@reads
def same_run_session(slot: Slot) -> bool:
    """Device and server are in a session opened on the device's current run, each having
    authenticated the other (the goal of recovery after an attack)."""
    return (slot.device_state == AWAITING_CLOSE and slot.server_state == IN_SESSION
            and slot.device.run in slot.monitor.opened)


@reads
def bootstrap_acknowledged(slot: Slot) -> bool:
    """The device knows the server acknowledged its latest bootstrap (DM-HLR-2's goal)."""
    return slot.device.acked == slot.device.epoch


@reads
def type_known(slot: Slot) -> bool:
    """The server knows how the device was actually bootstrapped: type and profile (DM-HLR-3's goal)."""
    return slot.account.known_type == (slot.device.boot, slot.device.profile)


@dataclass(frozen=True)
class SlotInvariant:
    """An invariant that must hold of every slot of every reachable state; ``doc`` states it."""

    name: str
    requirement: str
    check: SlotPredicate
    doc: str

    def __call__(self, state: SystemState) -> bool:
        return all(self.check(slot) for slot in state)


@dataclass(frozen=True)
class SlotGoal:
    """A liveness property: per device, from every state where ``applies``, ``goal`` is reachable
    by protocol steps alone; ``doc`` states the claim."""

    name: str
    requirement: str
    applies: SlotPredicate
    goal: SlotPredicate
    doc: str


REACHABLE = ("From every reachable state with a bootstrapped device, protocol steps alone "
             "(no bootstrap, reset or loss) can reach one where: ")

PROTOCOL_INVARIANTS = (
    SlotInvariant("sound_authentication", "DM-HLR-1", sound_authentication,
                  "The server is in a session only on a credential of a secret it holds as current, "
                  "and only through the bootstrap secret after it has seen a bootstrap report."),
    SlotInvariant("no_rollback", "DM-HLR-1", no_rollback,
                  "A secret superseded by a completed rotation is never accepted again, except the "
                  "bootstrap secret together with a bootstrap report."),
    SlotInvariant("ack_for_real_bootstrap", "DM-HLR-2", ack_for_real_bootstrap,
                  "An acknowledgement is only given, and only taken, for a bootstrap that happened "
                  "and was reported: acks in flight name a past bootstrap; the device's ack was seen "
                  "by the server."),
    SlotInvariant("secrets_agree", "DM-HLR-1", secrets_agree,
                  "In a session both sides agree on the secrets: a device that has authenticated the "
                  "server holds the generation the server holds for it (or the one it is rotating to)."),
)

SECURITY = (
    SlotInvariant(monitor.SERVER_AGREEMENT, "DM-SEC-1", _kept(monitor.SERVER_AGREEMENT),
                  "The server opens a session on a Package 1 only if the device sent it, unchanged, "
                  "and opens at most one session on each run of the device (injective agreement, "
                  "Lowe)."),
    SlotInvariant(monitor.DEVICE_AGREEMENT, "DM-SEC-1", _kept(monitor.DEVICE_AGREEMENT),
                  "The device accepts a 212 only if the server sent it, unchanged, as the answer to "
                  "the device's current run, on which the server opened a session."),
    SlotInvariant(monitor.ROLLBACK, "DM-SEC-2", _kept(monitor.ROLLBACK),
                  "Every return of an account to the bootstrap secret from another secret "
                  "answers a genuine package of the device's latest bootstrap, a bootstrap the "
                  "server had not answered before: one return per real bootstrap."),
    SlotInvariant(monitor.AUTHENTIC_ACK, "DM-SEC-3", _kept(monitor.AUTHENTIC_ACK),
                  "The device believes its bootstrap acknowledged only if the server processed that "
                  "bootstrap's report and answered the device's current run."),
    SlotInvariant(monitor.SECRECY, "DM-SEC-5", _kept(monitor.SECRECY),
                  "No secret a rotation made reaches the attacker: the Replace that carries a new "
                  "AAuthSecret is read by nobody but the device (the card's secret may have leaked)."),
)

INVARIANTS = PROTOCOL_INVARIANTS + SECURITY

GOALS = (
    SlotGoal("no_auth_deadlock", "DM-HLR-1", has_account, authenticated,
             REACHABLE + "the device has authenticated the server, which authenticated it"),
    SlotGoal("bootstrap_acknowledged", "DM-HLR-2", has_account, bootstrap_acknowledged,
             REACHABLE + "the device knows the server acknowledged its latest bootstrap"),
    SlotGoal("bootstrap_type_known", "DM-HLR-3", has_account, type_known,
             REACHABLE + "the server knows how the device was actually bootstrapped"),
    SlotGoal("recovers_after_attack", "DM-SEC-4", has_account, same_run_session,
             "From every reachable state with a bootstrapped device, attack steps included, "
             "protocol steps alone can reach a session of the device's current run in which "
             "device and server have authenticated each other"),
)
