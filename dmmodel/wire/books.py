"""Real secrets and nonces of one account, and the credentials made from them.

The model names a secret by its generation and a nonce by an issued value (an int, never
issued twice; 0 is the AAuthData a bootstrap provisions); a real device has texts and bytes.
:class:`Books` keeps both sides of that correspondence for one account (and is what ``dmmodel
serve`` persists), :class:`BookCrypto` makes the model's credentials from it, and
:class:`ServerWords` / :class:`DeviceWords` give the codec the wire form for each side.
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass, field
from typing import Any

from dmmodel.protocol import credentials
from dmmodel.protocol import vocabulary as v
from dmmodel.protocol.nonces import BOOTSTRAP_NONCE
from dmmodel.protocol.state import BOOTSTRAP_GEN
from dmmodel.wire.message import AUTH_BASIC
from dmmodel.wire.tree import WireError


@dataclass
class Books:
    """Secrets by generation and nonce bytes by the model's value; value 0 is the bootstrap-time
    AAuthData."""

    client_secrets: dict[int, str]
    server_secrets: dict[int, str]
    server_nonces: dict[int, bytes]  # issued by the server for the device's credential
    device_nonces: dict[int, bytes]  # issued by the device for the server's credential
    device_nonces_seen: list[bytes] = field(default_factory=list)

    @classmethod
    def bootstrap(cls, secret: str, server_secret: str, client_nonce: bytes, server_nonce: bytes) -> Books:
        """The books right after a bootstrap: generation 0 and the provisioned nonces."""
        return cls({BOOTSTRAP_GEN: secret}, {BOOTSTRAP_GEN: server_secret},
                   {BOOTSTRAP_NONCE: client_nonce}, {BOOTSTRAP_NONCE: server_nonce})

    def secrets_of(self, level: v.AuthLevel) -> dict[int, str]:
        return self.client_secrets if level is v.AuthLevel.CLIENT else self.server_secrets

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (bytes as base64)."""
        def b64(book: dict[int, bytes]) -> dict[str, str]:
            return {str(k): base64.b64encode(b).decode("ascii") for k, b in book.items()}
        return {"client_secrets": {str(k): s for k, s in self.client_secrets.items()},
                "server_secrets": {str(k): s for k, s in self.server_secrets.items()},
                "server_nonces": b64(self.server_nonces), "device_nonces": b64(self.device_nonces),
                "device_nonces_seen": [base64.b64encode(b).decode("ascii") for b in self.device_nonces_seen]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Books:
        def unb64(book: dict[str, str]) -> dict[int, bytes]:
            return {int(k): base64.b64decode(s) for k, s in book.items()}
        return cls({int(k): s for k, s in data["client_secrets"].items()},
                   {int(k): s for k, s in data["server_secrets"].items()},
                   unb64(data["server_nonces"]), unb64(data["device_nonces"]),
                   [base64.b64decode(s) for s in data["device_nonces_seen"]])


class BookCrypto:
    """The model's :class:`Crypto` over one account's books: real ``syncml:auth-md5`` (or basic)."""

    def __init__(self, books: Books, client_name: str, server_name: str, client_auth: str) -> None:
        self.books, self.client_name, self.server_name = books, client_name, server_name
        self.client_auth = client_auth

    def client(self, index: int, gen: int, nonce: int) -> str:
        secret = self.books.client_secrets.get(gen)
        if secret is None:
            return f"<no client secret of generation {gen}>"
        if self.client_auth == AUTH_BASIC:
            return credentials.basic(self.client_name, secret)
        return credentials.md5_digest(self.client_name, secret, self.books.server_nonces.get(nonce, b""))

    def server(self, index: int, gen: int, nonce: int) -> str:
        secret = self.books.server_secrets.get(gen)
        if secret is None:
            return f"<no server secret of generation {gen}>"
        return credentials.md5_digest(self.server_name, secret, self.books.device_nonces.get(nonce, b""))

    def notification(self, index: int, gen: int, nonce: int) -> str:
        raise WireError("Package 0 (notification) is not sent over HTTP")


def _issue(book: dict[int, bytes], value: int) -> bytes:
    """The bytes of the model's nonce ``value``: fresh random bytes the first time it is sent.
    The model never issues a value twice and never issues ``BOOTSTRAP_NONCE`` (the provisioned
    AAuthData, already in the book), so no bytes are ever sent for two different nonces."""
    if value not in book:
        book[value] = os.urandom(12)
    return book[value]


@dataclass
class _Words:
    """What both sides' wire words share: the books, the DMAcc node and the auth names. A nonce
    read from the wire is kept as it is: the observer (server side) or the client's shadow of
    the server (device side) binds it to the value the model's peer issues."""

    books: Books
    node: str
    client_appauth: str
    server_appauth: str
    client_auth: str

    def nonce_in(self, raw: bytes) -> bytes:
        return raw


@dataclass
class ServerWords(_Words):
    """The server side's wire words: it issues fresh random nonces and new random secrets."""

    def nonce_out(self, value: int) -> bytes:
        return _issue(self.books.server_nonces, value)

    def secret_out(self, gen: int, level: v.AuthLevel) -> str:
        return self.books.secrets_of(level).setdefault(gen, secrets.token_urlsafe(12))

    def secret_in(self, text: str, level: v.AuthLevel) -> int:
        found = [g for g, s in self.books.secrets_of(level).items() if s == text]
        if not found:
            raise WireError(f"Replace: {level.value} secret {text!r} was never issued")
        return max(found)


@dataclass
class DeviceWords(_Words):
    """The device side's wire words: it learns secrets from a Replace and issues its own nonces."""

    def nonce_out(self, value: int) -> bytes:
        return _issue(self.books.device_nonces, value)

    def secret_in(self, text: str, level: v.AuthLevel) -> int:
        book = self.books.secrets_of(level)
        known = [g for g, s in book.items() if s == text]
        if known:
            return max(known)
        gen = max(book) + 1  # CLCRED and SRVCRED books advance in step
        book[gen] = text
        return gen

    def secret_out(self, gen: int, level: v.AuthLevel) -> str:
        return self.books.secrets_of(level)[gen]
