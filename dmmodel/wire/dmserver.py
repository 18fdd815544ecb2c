"""The model's DM server for real devices: one account runtime per device, one exchange at a time.

For each message a device sends, :meth:`DMServer.exchange` decodes it, finds the account, checks
it against the SyncML rules (content type, a Status for each command, MsgID order, fresh
nonces) and against the model's device (``observer.py``), lets the model's server machine of the
account's variant answer, and returns the reply with a log record. Transport-free, so that
``http.py`` serves it and tests drive it directly.
"""

from __future__ import annotations

import base64
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from dmmodel.protocol.crypto import RealCrypto
from dmmodel.protocol.messages import Package, describe
from dmmodel.protocol.nonces import ISSUERS, FreshCounter
from dmmodel.protocol.rules import Ctx, Role
from dmmodel.protocol.state import BOOTSTRAP_GEN, AccountData, DeviceData, Session, Slot
from dmmodel.protocol.system import CONSUMERS, RULES, TABLES, Action, Channel, StepKind
from dmmodel.runtime.machines import LiveMachine
from dmmodel.runtime.trace import TraceEntry
from dmmodel.wire import codec, mapping
from dmmodel.wire.accounts import AccountSpec
from dmmodel.wire.books import BookCrypto, Books, ServerWords
from dmmodel.wire.codec import Format
from dmmodel.wire.message import AUTH_BASIC, Header, Message
from dmmodel.wire.observer import Fired, Observer
from dmmodel.wire.tree import WireError
from dmmodel.wire.words import ModelWords

DM_CONTENT_TYPES = (codec.xml.CONTENT_TYPE, codec.wbxml.CONTENT_TYPE)
ROTATES = frozenset(r.trigger for r in TABLES[Role.SERVER].rules if r.rotates)  # triggers of rotating rules


class Refused(Exception):
    """A request the server answers with an HTTP error: ``status`` and a one-line reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass
class Exchange:
    """One HTTP exchange: the reply, and the record the log gets."""

    status: int
    body: bytes
    content_type: str
    record: dict[str, Any]


@dataclass
class WireSession:
    """What the server remembers of the session in progress with an account's device."""

    session_id: str
    number: int
    last_received: Message | None = None
    last_sent: Message | None = None
    msg_id: int = 0
    trace: list[TraceEntry] = field(default_factory=list)
    findings: list[tuple[int, str]] = field(default_factory=list)


def _bytes_text(data: bytes, fmt: Format | None) -> str:
    if fmt is Format.XML:
        return data.decode("utf-8", "replace")
    return base64.b64encode(data).decode("ascii")


class AccountRuntime:
    """One account: the model's server machine, the shadow of the device, books, the session."""

    def __init__(self, spec: AccountSpec, state: dict[str, Any] | None = None) -> None:
        self.spec = spec
        self.variant = spec.variant_()
        bounds = spec.bounds()
        if spec.model:
            self.books = None
            self.words = ModelWords(spec.model_index)
            crypto: Any = RealCrypto()
            index = spec.model_index
        else:
            self.books = (Books.from_json(state["books"]) if state else Books.bootstrap(
                spec.secret, spec.server_secret, spec.client_nonce.encode(), spec.server_nonce.encode()))
            self.words = ServerWords(self.books, spec.dm_node, spec.client_appauth, spec.server_appauth,
                                     spec.auth_type)
            crypto = BookCrypto(self.books, spec.name, spec.server_id, spec.auth_type)
            index = 0
        self.ctx = Ctx(bounds, self.variant, crypto, index)
        # the server draws the nonces it issues from its own counter, the shadow of the device
        # from another; both persist with the account, so no value is issued twice across restarts
        server_fresh, device_fresh = FreshCounter(), FreshCounter()
        self.server = LiveMachine(TABLES[Role.SERVER].for_variant(self.variant), self.ctx, AccountData(),
                                  server_fresh, Role.SERVER)
        device_table = TABLES[Role.DEVICE].for_variant(self.variant)
        if state:
            self.server.machine.set_state(state["server_state"])
            self.server.data = _account_data(state["account"])
            device_state, device = state["device_state"], DeviceData(**state["device"])
            fresh = state.get("fresh", {})
            server_fresh.counts = {int(k): n for k, n in fresh.get("server", {}).items()}
            device_fresh.counts = {int(k): n for k, n in fresh.get("device", {}).items()}
        else:
            booted = LiveMachine(device_table, self.ctx, DeviceData(), device_fresh, Role.DEVICE)
            booted.trigger("bootstrap", arg=(spec.bootstrap, BOOTSTRAP_GEN))
            device_state, device = booted.state, booted.data
        known = self.books.device_nonces if self.books is not None else None
        self.observer = Observer(Role.DEVICE, device_table, self.ctx, device, device_state, spec.dm_node,
                                 device_fresh, known)
        # never draw a value the state already holds (also for a state written without counters)
        for counter in (server_fresh, device_fresh):
            counter.reserve([self.slot()])
            if self.books is not None:
                _reserve(counter, [*self.books.server_nonces, *self.books.device_nonces])
        self.sessions = 0
        self.session: WireSession | None = None
        self.closed: list[WireSession] = []

    def to_json(self) -> dict[str, Any]:
        """What survives a restart: both machines and the books."""
        return {"server_state": self.server.state, "account": _json(self.server.data),
                "device_state": self.observer.shadow.state, "device": _json(self.observer.shadow.data),
                "books": self.books.to_json() if self.books else None,
                "fresh": {"server": _counts(self.server.fresh), "device": _counts(self.observer.fresh)}}

    def slot(self) -> Slot:
        shadow = self.observer.shadow
        return Slot(shadow.state, shadow.data, self.server.state, self.server.data, (), (), ())

    def open_session(self, session_id: str) -> WireSession:
        if self.session is not None:
            self.closed.append(self.session)
        self.sessions += 1
        self.session = WireSession(session_id, self.sessions)
        return self.session

    def serve_package(self, package: Package) -> tuple[str | None, tuple[Package, ...]]:
        """The model's server takes ``package``: the rule it fired (None if none) and what it sent.
        It rotates the secrets whenever its rules allow (the choice that leads to the deadlock)."""
        triggers = sorted(CONSUMERS[Role.SERVER].get(package.number, ()), key=lambda t: t not in ROTATES)
        for trigger in triggers:
            if self.server.may_trigger(trigger, arg=package):
                self.server.sent = ()
                self.server.trigger(trigger, arg=package)
                return self.server.last_rule, self.server.sent
        return None, ()


def _counts(counter: FreshCounter | None) -> dict[str, int]:
    return {str(k): n for k, n in counter.counts.items()} if counter is not None else {}


def _reserve(counter: FreshCounter, values: list[int]) -> None:
    """Never draw any of ``values`` (nonces the books hold bytes for) again."""
    for value in values:
        if value > 0:
            k, who = divmod(value - 1, ISSUERS)
            counter.counts[who] = max(counter.counts.get(who, 0), k + 1)


def _json(value: Any) -> Any:
    if hasattr(value, "_asdict"):
        return {k: _json(x) for k, x in value._asdict().items()}
    if isinstance(value, tuple):
        return [_json(x) for x in value]
    return value


def _account_data(data: dict[str, Any]) -> AccountData:
    session = Session(**data["session"]) if data.get("session") else None
    known = tuple(data["known_type"]) if data.get("known_type") else None
    return AccountData(**{**data, "session": session, "known_type": known})


class DMServer:
    """The DM server of ``dmmodel serve``: accounts, sessions, findings, and a hook on each change."""

    def __init__(self, specs: list[AccountSpec], state: dict[str, Any] | None = None,
                 on_change: Callable[[DMServer], None] | None = None) -> None:
        state = state or {}
        self.specs = {s.name: s for s in specs}
        self.accounts = {s.name: AccountRuntime(s, state.get(s.name)) for s in specs}
        self.by_source: dict[str, str] = {}
        self.on_change = on_change

    def to_json(self) -> dict[str, Any]:
        return {name: account.to_json() for name, account in self.accounts.items()}

    def reset(self, name: str) -> None:
        """Put account ``name`` back as provisioned (a test hook: the kit starts each run afresh)."""
        if name not in self.accounts:
            raise Refused(404, f"no account {name!r}")
        self.accounts[name] = AccountRuntime(self.specs[name])
        self.by_source = {k: n for k, n in self.by_source.items() if n != name}

    def _account(self, m: Message) -> AccountRuntime:
        names = [m.header.source_name]
        if m.header.cred is not None and m.header.cred.type == AUTH_BASIC:
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                names.append(base64.b64decode(m.header.cred.data).decode("utf-8").partition(":")[0])
        names.append(self.by_source.get(m.header.source))
        for name in names:
            if name in self.accounts:
                self.by_source[m.header.source] = name
                return self.accounts[name]
        raise Refused(403, f"no account for device {m.header.source!r} (name {m.header.source_name!r})")

    def exchange(self, body: bytes, content_type: str | None) -> Exchange:
        """Answer one HTTP request body; bad input becomes a 4xx with the reason in the record."""
        record: dict[str, Any] = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "content_type": content_type}
        fmt = None
        try:
            fmt = codec.format_of(content_type)
            record["format"] = fmt.value
            record["request_body"] = _bytes_text(body, fmt)
            m = codec.decode_message(body, fmt)
            account = self._account(m)
            return self._answer(account, m, fmt, content_type or "", record)
        except WireError as error:
            status = 415 if fmt is None else 400
            return self._refuse(Refused(status, str(error)), record, body, fmt)
        except Refused as error:
            return self._refuse(error, record, body, fmt)

    def _refuse(self, error: Refused, record: dict[str, Any], body: bytes, fmt: Format | None) -> Exchange:
        record.update(http_status=error.status, error=error.reason)
        record.setdefault("request_body", _bytes_text(body[:4096], fmt))
        return Exchange(error.status, (error.reason + "\n").encode(), "text/plain; charset=utf-8", record)

    def _answer(self, account: AccountRuntime, m: Message, fmt: Format, content_type: str,
                record: dict[str, Any]) -> Exchange:
        spec = account.spec
        session = account.session
        findings = []
        continues = not (session is None or session.session_id != m.header.session_id or m.header.msg_id == 1)
        if not continues:
            if account.server.state == "in_session":
                findings.append("the device left the previous session without answering the server's "
                                "Package 2 (no Status for its SyncHdr and Cred); the model's device does "
                                "so only by a timeout")
            session = account.open_session(m.header.session_id)
        findings += self._syncml_findings(session, m, content_type)
        package = mapping.from_message(m, account.words, True, session.last_sent)
        number = len(session.trace) + 1
        judgement = account.observer.judge(package, continues)
        findings += list(judgement.findings)
        bound = judgement.package
        books = account.books
        if books is not None and isinstance(package.chal, bytes) and isinstance(bound.chal, int) \
                and books.device_nonces.get(bound.chal) != package.chal:  # a nonce the device issues now
            if package.chal in books.device_nonces_seen:
                findings.append(f"nonce reused: the device's NextNonce {package.chal!r} was issued before")
            books.device_nonces_seen.append(package.chal)
            books.device_nonces[bound.chal] = package.chal
        for i, fired in enumerate(judgement.fired, 1):
            if i == len(judgement.fired):  # the chart shows what the device really sent
                fired = replace(fired, sent=(bound,))
            session.trace.append(_entry(len(session.trace) + 1, account, fired, Role.DEVICE))
        rule, sent = account.serve_package(bound)
        if rule is None:
            findings.append(f"the model's server ({account.server.state}) has no rule that takes "
                            f"{describe(bound, spec.dm_node)}")
        else:
            trigger = next(t for t in CONSUMERS[Role.SERVER][bound.number]
                           if any(r.name == rule for r in TABLES[Role.SERVER].rules if r.trigger == t))
            session.trace.append(_entry(len(session.trace) + 1, account,
                                        Fired(trigger, rule, bound, sent), Role.SERVER))
        reply = sent[0] if sent else Package(4)
        account.observer.pending = sent[0] if sent else None
        session.msg_id += 1
        header = Header(m.header.session_id, session.msg_id, target=m.header.source, source=m.header.target)
        out, data = codec.encode(reply, header, account.words, fmt, answering=m)
        session.last_received, session.last_sent = m, out
        session.findings += [(number, f) for f in findings]
        record.update(
            http_status=200, account=spec.name, session=m.header.session_id, msg_id=m.header.msg_id,
            received=describe(bound, spec.dm_node), device_rules=[f.rule for f in judgement.fired],
            faults=list(judgement.faults), server_rule=rule,
            sent=describe(reply, spec.dm_node) if sent else "acknowledgement (Statuses, Final)",
            findings=findings, response_body=_bytes_text(data, fmt),
        )
        if self.on_change is not None:
            self.on_change(self)
        return Exchange(200, data, fmt.content_type, record)

    def _syncml_findings(self, session: WireSession, m: Message, content_type: str) -> list[str]:
        """What the SyncML and DM specifications forbid, whatever the model says."""
        found = []
        bare = content_type.split(";")[0].strip().lower()
        if bare not in DM_CONTENT_TYPES:
            found.append(f"Content-Type {bare!r}: the DM 1.2 HTTP binding requires "
                         f"{' or '.join(DM_CONTENT_TYPES)}")
        if session.last_received is not None and m.header.msg_id <= session.last_received.header.msg_id:
            found.append(f"MsgID {m.header.msg_id} does not follow {session.last_received.header.msg_id} "
                         "in the same session")
        if session.last_sent is not None:
            answered = {c.cmd_ref for c in m.commands if c.name == "Status"
                        and c.msg_ref == session.last_sent.header.msg_id}
            if not any(c.name == "Status" and c.cmd == mapping.SYNCHDR for c in m.commands):
                found.append("no Status for the server's SyncHdr")
            for c in session.last_sent.commands:
                if c.name not in ("Status", "Results") and c.cmd_id not in answered:
                    found.append(f"no Status for the server's {c.name} (CmdID {c.cmd_id})")
        return found


def _entry(number: int, account: AccountRuntime, fired: Fired, role: Role) -> TraceEntry:
    rule = RULES[role, fired.rule]
    taken = fired.arg if isinstance(fired.arg, Package) else None
    if taken is not None:
        channel = Channel.DOWN if role is Role.DEVICE else Channel.UP
        action = Action(StepKind.DELIVER, role, channel, fired.trigger, fired.rule, None, rule.cls)
    else:
        action = Action(StepKind.SPONTANEOUS, role, None, fired.trigger, fired.rule, fired.arg, rule.cls)
    return TraceEntry(number, 0, action, role, fired.rule, taken, fired.sent, account.slot())

