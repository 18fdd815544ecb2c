"""The model's device over HTTP: sessions with a real DM server, its answers judged by the model.

:class:`WireDevice` runs the device machine of a variant, sends each package it makes as a
SyncML message and gives it the server's replies. A shadow of the model's server (the
observer) judges every reply: what the model's server would have answered to the same package.
``dmmodel probe`` and the loopback tests use it.
"""

from __future__ import annotations

import itertools
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from dmmodel.protocol.crypto import RealCrypto
from dmmodel.protocol.messages import Package, describe
from dmmodel.protocol.nonces import FreshCounter
from dmmodel.protocol.rules import Ctx, Role
from dmmodel.protocol.state import BOOTSTRAP_GEN, AccountData, DeviceData
from dmmodel.protocol.system import CONSUMERS, TABLES
from dmmodel.runtime.machines import LiveMachine
from dmmodel.wire import codec
from dmmodel.wire.accounts import AccountSpec
from dmmodel.wire.books import BookCrypto, Books, DeviceWords
from dmmodel.wire.codec import Format
from dmmodel.wire.message import Header, Message
from dmmodel.wire.observer import Observer
from dmmodel.wire.tree import WireError
from dmmodel.wire.words import ModelWords

DEVICE_ID = "IMEI:000000000000000"
MAX_MESSAGES = 40  # per session: a session that goes on longer is reported, not followed


class ProbeError(Exception):
    """The server could not be reached, or answered with something other than a DM message."""


@dataclass
class Exchange:
    """One message of a session: what the device sent, the rule it fired, the server's answer."""

    rule: str
    sent: Package
    received: Package | None
    findings: tuple[str, ...] = ()


@dataclass
class SessionLog:
    """A session as the device saw it."""

    exchanges: list[Exchange] = field(default_factory=list)
    end: str = ""

    @property
    def findings(self) -> list[str]:
        return [f for s in self.exchanges for f in s.findings]


class WireDevice:
    """The model's device of ``spec``'s variant, talking to ``url`` in ``fmt``."""

    def __init__(self, spec: AccountSpec, url: str, fmt: Format = Format.XML, timeout: float = 10.0) -> None:
        self.spec, self.url, self.fmt, self.timeout = spec, url, fmt, timeout
        variant = spec.variant_()
        if spec.model:
            self.books = None
            self.words: Any = ModelWords(spec.model_index)
            crypto: Any = RealCrypto()
        else:
            self.books = Books.bootstrap(spec.secret, spec.server_secret, spec.client_nonce.encode(),
                                         spec.server_nonce.encode())
            self.words = DeviceWords(self.books, spec.dm_node, spec.client_appauth, spec.server_appauth,
                                     spec.auth_type)
            crypto = BookCrypto(self.books, spec.name, spec.server_id, spec.auth_type)
        index = spec.model_index if spec.model else 0
        self.ctx = Ctx(spec.bounds(), variant, crypto, index)
        self.machine = LiveMachine(TABLES[Role.DEVICE].for_variant(variant), self.ctx, DeviceData(),
                                   FreshCounter(), Role.DEVICE)
        known = self.books.server_nonces if self.books is not None else None
        self.server = Observer(Role.SERVER, TABLES[Role.SERVER].for_variant(variant), self.ctx,
                               AccountData(), "idle", spec.dm_node, FreshCounter(), known)
        self.session_ids = itertools.count(1)

    @property
    def state(self) -> str:
        return self.machine.state

    def event(self, trigger: str, arg: Any = None) -> tuple[Package, ...]:
        """Fire a spontaneous step of the device machine (bootstrap, rebootstrap, timeout ...)."""
        self.machine.sent = ()
        if not self.machine.trigger(trigger, arg=arg):
            raise ValueError(f"device: {trigger} is not enabled in {self.machine.state}")
        return self.machine.sent

    def bootstrap(self, boot_type: str = "smartcard", again: bool = False) -> None:
        """(Re-)bootstrap by ``boot_type``: the account as provisioned, with g0, the bootstrap secret."""
        self.event("rebootstrap" if again else "bootstrap", (boot_type, BOOTSTRAP_GEN))

    def post(self, data: bytes) -> tuple[int, bytes, str]:
        """POST ``data``; the HTTP status, body and content type."""
        request = urllib.request.Request(self.url, data=data, method="POST",
                                         headers={"Content-Type": self.fmt.content_type})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:
                return reply.status, reply.read(), reply.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers.get("Content-Type", "")
        except (urllib.error.URLError, OSError) as error:
            raise ProbeError(f"{self.url}: {getattr(error, 'reason', error)}") from None

    def session(self) -> SessionLog:
        """Connect and follow the session until the device machine sends nothing more."""
        log = SessionLog()
        session_id = str(next(self.session_ids))
        out = self.event("connect")
        answering: Message | None = None
        for msg_id in range(1, MAX_MESSAGES + 1):
            if not out:
                log.end = f"device {self.machine.state}"
                return log
            package = out[0]
            rule = self.machine.last_rule or ""
            header = Header(session_id, msg_id, target=self.url, source=DEVICE_ID, source_name=self.spec.name)
            sent, data = codec.encode(package, header, self.words, self.fmt, answering)
            status, body, content_type = self.post(data)
            if status != 200:
                raise ProbeError(f"HTTP {status} for {describe(package, self.spec.dm_node)}: "
                                 f"{body[:200].decode('utf-8', 'replace').strip()}")
            try:
                answering, reply = codec.decode(body, codec.format_of(content_type), self.words, False, sent)
            except WireError as error:
                raise ProbeError(f"the server's reply is not a DM message: {error}") from None
            self.server.pending = package
            if reply is None:  # the server acknowledged a session abort
                log.exchanges.append(Exchange(rule, package, None))
                out = ()
                continue
            judgement = self.server.judge(reply, continues=True)
            bound = judgement.package
            if self.books is not None and isinstance(reply.chal, bytes) and isinstance(bound.chal, int):
                self.books.server_nonces[bound.chal] = reply.chal
            log.exchanges.append(Exchange(rule, package, bound, judgement.findings))
            out = self._receive(bound)
        log.end = f"stopped after {MAX_MESSAGES} messages"
        return log

    def _receive(self, package: Package) -> tuple[Package, ...]:
        for trigger in CONSUMERS[Role.DEVICE].get(package.number, ()):
            if self.machine.may_trigger(trigger, arg=package):
                self.machine.sent = ()
                self.machine.trigger(trigger, arg=package)
                return self.machine.sent
        return ()
