"""The immutable state of one device, its server account and the channels between them.

Everything is a ``NamedTuple`` of small values, so states hash and compare by value: the
checker stores them, the executable machines snapshot into them, and the two are compared.
"""

from __future__ import annotations

from typing import Annotated, NamedTuple

from dmmodel.protocol.fields import NONCE, NONCE_SET
from dmmodel.protocol.messages import Package

NO_ACCOUNT = -1
BOOTSTRAP_GEN = 0  # g0, the bootstrap secret: the generation the card and the factory provision


class DeviceData(NamedTuple):
    """What a device holds besides its control state.

    ``gen`` is the secret generation in its DMAcc (CLCRED and SRVCRED rotate together);
    ``boot`` and ``profile`` record how it was bootstrapped (type, and CP or DM profile);
    ``cnonce`` the nonce for its own credential (issued by the server), ``snonce`` the nonce it
    expects in the server's credential (issued by itself). ``epoch`` counts bootstraps and
    ``acked`` is the epoch whose acknowledgement the device has taken, ``run`` names its current
    session run, a fresh value per session it opens (ghosts for properties).
    """

    gen: int = NO_ACCOUNT
    boot: str | None = None
    profile: str | None = None
    epoch: int = 0
    report_pending: bool = False
    acked: int = 0
    retries: int = 0
    server_initiated: bool = False
    cnonce: Annotated[int, NONCE] = 0
    snonce: Annotated[int, NONCE] = 0
    run: Annotated[int, NONCE] = 0


class Session(NamedTuple):
    """The server's record of the credential it accepted for the current session (a ghost)."""

    gen: int  # the secret generation the device's credential was made from
    how: str  # "current", "pending", "previous" or "bootstrap"
    floor: int  # the account's floor when it was accepted


class AccountData(NamedTuple):
    """The server's record of one device.

    ``gen`` is the current secret generation, ``pending`` a rotation sent but not committed,
    ``previous`` a superseded secret still accepted (keep-previous policy), ``issued`` the
    highest generation ever issued. ``floor`` is the oldest generation a completed rotation has
    not superseded, and ``session`` records the credential accepted in the current session
    (ghosts for the no-rollback property).
    """

    gen: int = 0
    pending: int | None = None
    previous: int | None = None
    issued: int = 0
    cnonce: Annotated[int, NONCE] = 0
    snonce: Annotated[int, NONCE] = 0
    known_type: tuple[str, str] | None = None  # (bootstrap type, profile) read from the device
    report_seen: int = 0
    floor: int = 0
    session: Session | None = None


class AttackerState(NamedTuple):
    """The network attacker of one slot: the packages it recorded, one it holds back (with the
    channel it came from), how many active attack steps it may still take, the secret
    generations it knows (the card's if it leaked, and every one a Replace carried in clear),
    and, under TLS, whether the server's last answer came back on its own connection."""

    recorded: tuple[Package, ...] = ()
    held: tuple[str, Package] | None = None
    left: int = 0
    secrets: tuple[int, ...] = ()
    own_answer: bool = False  # the server's last Package 2 answered its package (under TLS)


class Monitor(NamedTuple):
    """Ghost observer of one slot for the security properties, kept by the system, never by a
    machine or the attacker: the device's runs on which the server opened a session (only those
    that can still matter: the current run and runs of packages still in the slot), the latest
    bootstrap whose genuine report the server has answered, and the properties violated so far
    (bit ``i`` for ``monitor.WATCHED[i]``)."""

    opened: Annotated[tuple[int, ...], NONCE_SET] = ()
    answered: int = 0
    violated: int = 0


Budget = tuple[int, ...]  # faults still allowed for one device, one count per budget name


class Slot(NamedTuple):
    """One device with its server account and its two channels: the unit of composition.

    ``device_state`` and ``server_state`` are the machines' control states; ``device`` and
    ``account`` their data; ``up`` carries packages to the server, ``down`` to the device;
    ``budget`` counts the faults the device may still suffer (names in ``system.BUDGETS``);
    ``attacker`` is the network attacker's state (None on a benign network) and ``monitor`` the
    ghost observer of the security properties.
    """

    device_state: str
    device: DeviceData
    server_state: str
    account: AccountData
    up: tuple[Package, ...]
    down: tuple[Package, ...]
    budget: Budget
    attacker: AttackerState | None = None
    monitor: Monitor = Monitor()
