"""The moves a randomized test may make: each names a family of the system's enabled actions.

A move is what one Hypothesis rule does (``connect``, ``deliver_up_rotating``, ``rebootstrap_smartcard``
...); it is possible exactly when the executable system lists a matching action, which is how the
rules' preconditions stay true to the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from dmmodel.protocol.config import Config
from dmmodel.protocol.system import DEVICE_ROLE, SERVER_ROLE, Action

ROTATING = "receive_package1_rotating"


@dataclass(frozen=True)
class Move:
    """Matches actions by kind, by trigger (None: any) and, for bootstraps, by bootstrap type."""

    name: str
    kinds: tuple[str, ...]
    triggers: tuple[str | None, ...] | None = None
    boot: str | None = None

    def matches(self, action: Action) -> bool:
        return (
            action.kind in self.kinds
            and (self.triggers is None or action.trigger in self.triggers)
            and (self.boot is None or action.arg[0] == self.boot)
        )


def moves(config: Config) -> list[Move]:
    """The moves a configuration allows: faults only where its budgets give them."""
    b = config.bounds
    found: list[Move] = []
    for kind in b.bootstrap_types:
        found.append(Move(f"bootstrap_{kind.value}", (DEVICE_ROLE,), ("bootstrap",), kind.value))
        if b.rebootstraps:
            found.append(
                Move(f"rebootstrap_{kind.value}", (DEVICE_ROLE,), ("rebootstrap",), kind.value)
            )
    if b.resets:
        found.append(Move("reset", (DEVICE_ROLE,), ("reset",)))
    found += [
        Move("connect", (DEVICE_ROLE,), ("connect",)),
        Move("device_timeout", (DEVICE_ROLE,), ("timeout",)),
        Move("server_timeout", (SERVER_ROLE,), ("timeout",)),
        Move("deliver_up", ("deliver_up", "discard_up"), ("receive_package1", "receive_package3", None)),
        Move("deliver_up_rotating", ("deliver_up",), (ROTATING,)),
        Move("deliver_down", ("deliver_down", "discard_down")),
    ]
    if b.notifications:
        found.append(Move("notify", (SERVER_ROLE,), ("notify",)))
    if b.losses:
        found += [Move("lose_up", ("lose_up",)), Move("lose_down", ("lose_down",))]
    return found
