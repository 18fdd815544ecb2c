"""The properties of DESIGN.md section 4 as predicates over system states.

Invariants are checked on every reachable state. Each liveness property is a goal per device
("from every reachable state where it applies, a goal state is reachable by protocol steps
alone"); the checker turns these into reachability questions on the explored graph.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dmmodel.protocol.device import AWAITING_CLOSE, FACTORY
from dmmodel.protocol.server import IN_SESSION
from dmmodel.protocol.state import Slot
from dmmodel.protocol.system import SystemState

SlotPredicate = Callable[[Slot], bool]


def secrets_agree(slot: Slot) -> bool:
    """In a session both sides agree on the secrets: a device that has authenticated the server
    holds the generation the server holds for it (or the one it is rotating to)."""
    if slot.device != AWAITING_CLOSE:
        return True
    return slot.dev.gen in (slot.acct.gen, slot.acct.pending)


def sound_authentication(slot: Slot) -> bool:
    """The server is in a session only on a credential of a secret it holds as current, and only
    through the bootstrap-time secret after it has seen a bootstrap report."""
    session = slot.acct.session
    if session is None:
        return slot.server != IN_SESSION
    if session.how == "bootstrap" and slot.acct.report_seen == 0:
        return False
    return session.gen == slot.acct.gen


def no_rollback(slot: Slot) -> bool:
    """A secret superseded by a completed rotation is never accepted again, except the
    bootstrap-time secret together with a bootstrap report."""
    session = slot.acct.session
    return session is None or session.gen >= session.floor or session.how == "bootstrap"


def ack_for_real_bootstrap(slot: Slot) -> bool:
    """An acknowledgement is only given, and only taken, for a bootstrap that happened and was
    reported: acks in flight name a past bootstrap; the device's ack was seen by the server."""
    in_flight = all(1 <= p.ack <= slot.dev.epoch for p in slot.down if p.ack is not None)
    return in_flight and slot.dev.acked <= min(slot.dev.epoch, slot.acct.report_seen)


def has_account(slot: Slot) -> bool:
    """The device has been bootstrapped (liveness questions start from here)."""
    return slot.device != FACTORY


def authenticated(slot: Slot) -> bool:
    """The device has authenticated the server, which authenticated it (DM-HLR-1's goal)."""
    return slot.device == AWAITING_CLOSE


def bootstrap_acknowledged(slot: Slot) -> bool:
    """The device knows the server acknowledged its latest bootstrap (DM-HLR-2's goal)."""
    return slot.dev.acked == slot.dev.epoch


def type_known(slot: Slot) -> bool:
    """The server knows how the device was actually bootstrapped (DM-HLR-3's goal)."""
    return slot.acct.known_type == slot.dev.boot


@dataclass(frozen=True)
class SlotInvariant:
    """An invariant that must hold of every slot of every reachable state."""

    name: str
    requirement: str
    check: SlotPredicate

    @property
    def doc(self) -> str:
        return " ".join((self.check.__doc__ or "").split())

    def __call__(self, state: SystemState) -> bool:
        return all(self.check(slot) for slot in state)


@dataclass(frozen=True)
class SlotGoal:
    """A liveness property: per device, from every state where ``applies``, ``goal`` is reachable."""

    name: str
    requirement: str
    applies: SlotPredicate
    goal: SlotPredicate

    @property
    def doc(self) -> str:
        goal = " ".join((self.goal.__doc__ or "").split()).split(" (")[0]
        return ("From every reachable state with a bootstrapped device, protocol steps alone "
                "(no bootstrap, reset or loss) can reach one where: " + goal[0].lower() + goal[1:])

    def obligations(self, devices: int) -> list[tuple[Callable, Callable]]:
        """One (applies, goal) pair of state predicates per device."""
        return [
            (lambda s, i=i: self.applies(s[i]), lambda s, i=i: self.goal(s[i]))
            for i in range(devices)
        ]


INVARIANTS = (
    SlotInvariant("sound_authentication", "DM-HLR-1", sound_authentication),
    SlotInvariant("no_rollback", "DM-HLR-1", no_rollback),
    SlotInvariant("ack_for_real_bootstrap", "DM-HLR-2", ack_for_real_bootstrap),
    SlotInvariant("secrets_agree", "DM-HLR-1", secrets_agree),
)

GOALS = (
    SlotGoal("no_auth_deadlock", "DM-HLR-1", has_account, authenticated),
    SlotGoal("bootstrap_acknowledged", "DM-HLR-2", has_account, bootstrap_acknowledged),
    SlotGoal("bootstrap_type_known", "DM-HLR-3", has_account, type_known),
)
