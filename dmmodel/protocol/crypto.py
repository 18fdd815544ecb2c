"""Credential makers: symbolic ones for the checker, real ones for the executable machines.

The rule tables build and check every credential through one of these, so the same rules run
with either. Symbolic credentials are ``(generation, nonce)`` pairs: equal exactly when the real
digests are equal, because every (device, generation) has its own secret. ``symbolize`` turns a
slot of the executable machines back into the symbolic one, which is how a test shows that the
two agree.
"""

from __future__ import annotations

from typing import Any, Protocol

from dmmodel.protocol import credentials
from dmmodel.protocol.messages import Package, nonce_text
from dmmodel.protocol.state import Slot

SERVER_ID = "dmserver"


def device_name(index: int) -> str:
    """The ``AAuthName`` of device ``index`` (0-based) and of its DMAcc account."""
    return f"device{index + 1}"


def client_secret(index: int, gen: int) -> str:
    """The CLCRED ``AAuthSecret`` of generation ``gen`` (0 = provisioned at bootstrap)."""
    return f"{device_name(index)}-client-g{gen}"


def server_secret(index: int, gen: int) -> str:
    """The SRVCRED ``AAuthSecret`` of generation ``gen`` for device ``index``."""
    return f"{device_name(index)}-server-g{gen}"


class Crypto(Protocol):
    """What the rules need: make the three credentials of DM 1.2.1 (client, server, Package 0)."""

    def client(self, index: int, gen: int, nonce: int) -> Any: ...
    def server(self, index: int, gen: int, nonce: int) -> Any: ...
    def notification(self, index: int, gen: int, nonce: int) -> Any: ...


class SymbolicCrypto:
    """Credentials as ``(generation, nonce)``: cheap to make, hash and compare."""

    def client(self, index: int, gen: int, nonce: int) -> tuple[int, int]:
        return (gen, nonce)

    server = client
    notification = client


class RealCrypto:
    """Credentials as the real ``syncml:auth-md5`` digests and Package 0 digest.

    It remembers the ``(generation, nonce)`` behind every credential it made (``made``), so
    that a slot of the executable machines can be turned back into the checker's form.
    """

    def __init__(self) -> None:
        self.made: dict[str, tuple[int, int]] = {}

    def _note(self, cred: str, gen: int, nonce: int) -> str:
        self.made[cred] = (gen, nonce)
        return cred

    def client(self, index: int, gen: int, nonce: int) -> str:
        cred = credentials.md5_digest(device_name(index), client_secret(index, gen), nonce_text(nonce))
        return self._note(cred, gen, nonce)

    def server(self, index: int, gen: int, nonce: int) -> str:
        cred = credentials.md5_digest(SERVER_ID, server_secret(index, gen), nonce_text(nonce))
        return self._note(cred, gen, nonce)

    def notification(self, index: int, gen: int, nonce: int) -> str:
        trigger = f"pkg0:{device_name(index)}"
        cred = credentials.notification_digest(
            SERVER_ID, server_secret(index, gen), nonce_text(nonce), trigger
        )
        return self._note(cred, gen, nonce)


def symbolize(slot: Slot, crypto: RealCrypto) -> Slot:
    """The slot with every real credential ``crypto`` made replaced by its ``(generation,
    nonce)``: the executable machines' slot in the checker's form."""

    def package(p: Package) -> Package:
        return p if not isinstance(p.cred, str) else p._replace(cred=crypto.made.get(p.cred, p.cred))

    attacker = slot.attacker
    if attacker is not None:
        held = attacker.held and (attacker.held[0], package(attacker.held[1]))
        attacker = attacker._replace(recorded=tuple(map(package, attacker.recorded)), held=held)
    return slot._replace(up=tuple(map(package, slot.up)), down=tuple(map(package, slot.down)),
                         attacker=attacker)
