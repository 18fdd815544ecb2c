"""What a package's symbols are on the wire for one account: node names, secrets and nonces.

The model counts secret generations and names nonces by issued values; the wire carries
texts and bytes. A :class:`Words` object translates both ways for one DM account.
:class:`ModelWords` is the model's own translation (the secrets and ``nonce-N`` texts of
:class:`RealCrypto`), which is what the kit's machines and the round-trip tests use.
"""

from __future__ import annotations

import re
from typing import Protocol

from dmmodel.protocol import vocabulary as v
from dmmodel.protocol.crypto import client_secret, device_name, server_secret
from dmmodel.protocol.messages import nonce_text
from dmmodel.wire.message import AUTH_MD5
from dmmodel.wire.tree import WireError


class Words(Protocol):
    """The translation between a package's symbols and their wire form, for one account."""

    node: str  # the DMAcc node: ./DMAcc/<node>
    client_appauth: str  # the AppAuth child that holds CLCRED
    server_appauth: str  # the AppAuth child that holds SRVCRED
    client_auth: str  # the Cred type the device uses (syncml:auth-md5 or syncml:auth-basic)

    def nonce_out(self, value: int) -> bytes:
        """The nonce bytes this side sends for the model's nonce ``value`` (an issued value,
        never reused; 0 is the provisioned AAuthData)."""

    def nonce_in(self, raw: bytes) -> int | bytes:
        """The model's value for a nonce the peer sent, or the raw bytes if not yet bound."""

    def secret_out(self, gen: int, level: v.AuthLevel) -> str:
        """The AAuthSecret text of generation ``gen`` at ``level``."""

    def secret_in(self, text: str, level: v.AuthLevel) -> int:
        """The generation of a secret text received in a Replace."""


class ModelWords:
    """The model's own wire words for device ``index`` (the secrets of ``RealCrypto``)."""

    client_appauth = v.AuthLevel.CLIENT.value
    server_appauth = v.AuthLevel.SERVER.value
    client_auth = AUTH_MD5

    def __init__(self, index: int = 0) -> None:
        self.index = index
        self.node = device_name(index)

    def nonce_out(self, value: int) -> bytes:
        return nonce_text(value).encode("ascii")

    def nonce_in(self, raw: bytes) -> int:
        found = re.fullmatch(rb"nonce-(\d+)", raw)
        if found is None:
            raise WireError(f"NextNonce {raw!r} is not a model nonce (nonce-N)")
        return int(found.group(1))

    def secret_out(self, gen: int, level: v.AuthLevel) -> str:
        make = client_secret if level is v.AuthLevel.CLIENT else server_secret
        return make(self.index, gen)

    def secret_in(self, text: str, level: v.AuthLevel) -> int:
        found = re.fullmatch(r".*-g(\d+)", text)
        if found is None or self.secret_out(int(found.group(1)), level) != text:
            raise WireError(f"Replace: {text!r} is not a model secret of {self.node}")
        return int(found.group(1))
