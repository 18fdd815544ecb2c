"""Credential makers: symbolic ones for the checker, real ones for the executable machines.

The rule tables build and check every credential through one of these, so the same rules run
with either. Symbolic credentials are ``(generation, nonce)`` pairs: equal exactly when the real
digests are equal, because every (device, generation) has its own secret. ``realize`` turns a
symbolic slot into the real one, which is how a test shows that the two agree.
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
    """Credentials as the real ``syncml:auth-md5`` digests and Package 0 digest."""

    def client(self, index: int, gen: int, nonce: int) -> str:
        return credentials.md5_digest(
            device_name(index), client_secret(index, gen), nonce_text(nonce)
        )

    def server(self, index: int, gen: int, nonce: int) -> str:
        return credentials.md5_digest(SERVER_ID, server_secret(index, gen), nonce_text(nonce))

    def notification(self, index: int, gen: int, nonce: int) -> str:
        trigger = f"pkg0:{device_name(index)}"
        return credentials.notification_digest(
            SERVER_ID, server_secret(index, gen), nonce_text(nonce), trigger
        )


_MAKER_BY_PACKAGE = {0: "notification", 1: "client", 2: "server"}


def realize_package(package: Package, index: int, crypto: Crypto) -> Package:
    """Replace a symbolic credential in ``package`` by the one ``crypto`` makes."""
    if package.cred is None:
        return package
    gen, nonce = package.cred
    make = getattr(crypto, _MAKER_BY_PACKAGE[package.number])
    return package._replace(cred=make(index, gen, nonce))


def realize(slot: Slot, index: int, crypto: Crypto | None = None) -> Slot:
    """The slot with every symbolic credential in its channels made real."""
    crypto = crypto or RealCrypto()
    return slot._replace(
        up=tuple(realize_package(p, index, crypto) for p in slot.up),
        down=tuple(realize_package(p, index, crypto) for p in slot.down),
    )
