"""The one mapping between a model ``Package`` and a SyncML DM message, field by field.

:data:`FIELDS` has one row per ``Package`` field: the packages it occurs in, how it is written
into a message and how it is read back. A new optional field of ``Package`` is one more row.
Writing answers the message being replied to (``answering``): every command of it that no row
answers gets a Status (200, or the refusal code when the package refuses authentication), and
its SyncHdr gets one too, as SyncML requires.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dmmodel.protocol import vocabulary as v
from dmmodel.protocol.messages import Package
from dmmodel.wire.message import AUTH_MD5, B64, Command, Cred, Header, Item, Message, Meta
from dmmodel.wire.numbers import ascii_number
from dmmodel.wire.tree import WireError
from dmmodel.wire.words import Words

SESSION_ALERTS = (v.ALERT_SERVER_INITIATED, v.ALERT_CLIENT_INITIATED)
REFUSALS = (v.STATUS_UNAUTHORIZED, v.STATUS_MISSING_CREDENTIALS)
SYNCHDR = "SyncHdr"
TYPE_SEPARATOR = ","  # BootstrapType Data: "<type>,<profile>", e.g. "smartcard,dm" (model choice)


@dataclass
class Draft:
    """A message being written: the header's Cred and the SyncBody's commands so far."""

    words: Words
    answering: Message | None
    cred: Cred | None = None
    commands: list[Command] = field(default_factory=list)

    def add(self, command_name: str, **fields: Any) -> Command:
        command = Command(command_name, len(self.commands) + 1, **fields)
        self.commands.append(command)
        return command

    def status(self, code: int, cmd_ref: int, cmd: str, **fields: Any) -> Command:
        msg_ref = self.answering.header.msg_id if self.answering else 1
        return self.add("Status", data=str(code), msg_ref=msg_ref, cmd_ref=cmd_ref, cmd=cmd, **fields)

    def answered(self, name: str, test: Callable[[Command], bool] = lambda c: True) -> Command | None:
        """The first command called ``name`` of the message answered that passes ``test``."""
        if self.answering is None:
            return None
        return next((c for c in self.answering.commands if c.name == name and test(c)), None)


def _paths(words: Words, level: v.AuthLevel) -> str:
    child = words.client_appauth if level is v.AuthLevel.CLIENT else words.server_appauth
    return f"{v.account_path(words.node)}/AppAuth/{child}/AAuthSecret"


def _is_report(c: Command) -> bool:
    return c.data == str(v.ALERT_GENERIC) and any(
        i.meta is not None and i.meta.type == v.BOOTSTRAP_REPORT_URN for i in c.items)


def _code(c: Command | None) -> int | None:
    return None if c is None else ascii_number(c.data)


def _header_status(m: Message) -> Command | None:
    return next((c for c in m.commands if c.name == "Status" and c.cmd == SYNCHDR), None)


# --- writers: (package value, package, draft) ----------------------------------------------------

def _write_alert(value: int, p: Package, d: Draft) -> None:
    d.add("Alert", data=str(value))


def _write_cred(value: str, p: Package, d: Draft) -> None:
    d.cred = Cred(d.words.client_auth if p.number == 1 else AUTH_MD5, value)


def _write_report(value: int, p: Package, d: Draft) -> None:
    meta = Meta(type=v.BOOTSTRAP_REPORT_URN, format="int")
    d.add("Alert", data=str(v.ALERT_GENERIC),
          items=(Item(source=v.account_path(d.words.node), meta=meta, data=str(value)),))


def _write_status(value: int, p: Package, d: Draft) -> None:
    d.status(value, 0, SYNCHDR)


def _write_chal(value: int, p: Package, d: Draft) -> None:
    if p.number == 1:  # the device's own nonce (device_nonce variants): a NextNonce in its Cred's Meta
        if d.cred is None:
            raise WireError("Package 1: a device nonce (Chal) needs a Cred to carry it")
        d.cred = Cred(d.cred.type, d.cred.data, d.words.nonce_out(value))
        return
    i, status = next((i, c) for i, c in enumerate(d.commands) if c.name == "Status" and c.cmd == SYNCHDR)
    kind = d.words.client_auth if p.number == 2 else AUTH_MD5  # what the challenged side must use
    chal = Meta(type=kind, format=B64, next_nonce=d.words.nonce_out(value))
    d.commands[i] = Command(**{**status.__dict__, "chal": chal})


def _write_replace(value: int, p: Package, d: Draft) -> None:
    items = tuple(Item(target=_paths(d.words, level), meta=Meta(format="chr"),
                       data=d.words.secret_out(value, level)) for level in v.AuthLevel)
    d.add("Replace", items=items)


def _write_get_type(value: bool, p: Package, d: Draft) -> None:
    if value:
        d.add("Get", items=(Item(target=v.bootstrap_type_path(d.words.node)),))


def _write_report_status(value: int, p: Package, d: Draft) -> None:
    report = d.answered("Alert", _is_report)
    if report is None:
        raise WireError("report_status: the message answered has no bootstrap report")
    d.status(value, report.cmd_id, "Alert")


def _write_ack(value: int, p: Package, d: Draft) -> None:
    """The bootstrap an acknowledgement names: an Item of the report's Status echoing the
    report's Data (model choice for ``bound_ack``; a legacy server's Status carries none)."""
    i, status = next(((i, c) for i, c in enumerate(d.commands) if c.name == "Status" and c.cmd == "Alert"),
                     (None, None))
    if status is None:
        raise WireError("ack: a named acknowledgement needs the Status on the bootstrap report")
    d.commands[i] = Command(**{**status.__dict__, "items": (Item(data=str(value)),)})


def _write_replace_status(value: int, p: Package, d: Draft) -> None:
    replace = d.answered("Replace")
    d.status(value, replace.cmd_id if replace else 0, "Replace",
             target_refs=tuple(i.target or "" for i in replace.items) if replace else ())


def _write_type_result(value: tuple[str, str], p: Package, d: Draft) -> None:
    get = d.answered("Get")
    path = v.bootstrap_type_path(d.words.node)
    d.add("Results", msg_ref=d.answering.header.msg_id if d.answering else None,
          cmd_ref=get.cmd_id if get else 0,
          items=(Item(source=path, meta=Meta(format="chr"), data=TYPE_SEPARATOR.join(value)),))


# --- readers: (message, words, answering) -> value, None when absent ----------------------------

def _read_alert(m: Message, words: Words, answering: Message | None) -> int | None:
    codes = [_code(c) for c in m.commands if c.name == "Alert"]
    return next((c for c in codes if c in (*SESSION_ALERTS, v.ALERT_SESSION_ABORT)), None)


def _read_cred(m: Message, words: Words, answering: Message | None) -> str | None:
    return m.header.cred.data if m.header.cred is not None else None


def _read_report(m: Message, words: Words, answering: Message | None) -> int | None:
    report = next((c for c in m.commands if c.name == "Alert" and _is_report(c)), None)
    if report is None:
        return None
    data = report.items[0].data if report.items else None
    number = ascii_number(data)
    if number is None:
        raise WireError(f"bootstrap report: Data {data!r} is not a bootstrap number")
    return number


def _read_status(m: Message, words: Words, answering: Message | None) -> int | None:
    return _code(_header_status(m))


def _read_chal(m: Message, words: Words, answering: Message | None) -> int | bytes | None:
    if m.header.cred is not None and m.header.cred.next_nonce is not None:  # Package 1's own nonce
        return words.nonce_in(m.header.cred.next_nonce)
    status = _header_status(m)
    if status is None or status.chal is None or status.chal.next_nonce is None:
        return None
    return words.nonce_in(status.chal.next_nonce)


def _read_replace(m: Message, words: Words, answering: Message | None) -> int | None:
    found = {}
    for c in m.commands:
        for item in c.items if c.name == "Replace" else ():
            for level in v.AuthLevel:
                if item.target == _paths(words, level):
                    found[level] = words.secret_in(item.data or "", level)
    if not found:
        return None
    if len(found) != len(v.AuthLevel) or len(set(found.values())) != 1:
        raise WireError("Replace: CLCRED and SRVCRED AAuthSecret must be replaced together, same generation")
    return found[v.AuthLevel.CLIENT]


def _read_get_type(m: Message, words: Words, answering: Message | None) -> bool:
    path = v.bootstrap_type_path(words.node)
    return any(i.target == path for c in m.commands if c.name == "Get" for i in c.items)


def _report_status(m: Message, answering: Message | None) -> Command | None:
    """The Status ``m`` puts on the bootstrap report of the message it answers."""
    if answering is None:
        return None
    reports = {c.cmd_id for c in answering.commands if c.name == "Alert" and _is_report(c)}
    return next((c for c in m.commands if c.name == "Status" and c.cmd == "Alert" and c.cmd_ref in reports),
                None)


def _read_report_status(m: Message, words: Words, answering: Message | None) -> int | None:
    if _code(_header_status(m)) in REFUSALS:  # a refusal's Status on every command answers nothing
        return None
    return _code(_report_status(m, answering))


def _read_ack(m: Message, words: Words, answering: Message | None) -> int | None:
    status = _report_status(m, answering)
    data = status.items[0].data if status is not None and status.items else None
    if data is None:
        return None
    number = ascii_number(data)
    if number is None or data != data.strip():
        raise WireError(f"acknowledgement: Data {data!r} is not a bootstrap number")
    return number


def _read_replace_status(m: Message, words: Words, answering: Message | None) -> int | None:
    codes = [_code(c) for c in m.commands if c.name == "Status" and c.cmd == "Replace"]
    codes = [c for c in codes if c is not None]
    if not codes:
        return None
    return next((c for c in codes if c != v.STATUS_OK), v.STATUS_OK)


def _read_type_result(m: Message, words: Words, answering: Message | None) -> tuple[str, str] | None:
    path = v.bootstrap_type_path(words.node)
    for c in m.commands:
        for item in c.items if c.name == "Results" else ():
            if item.source == path:
                boot, sep, profile = (item.data or "").partition(TYPE_SEPARATOR)
                if not sep:
                    raise WireError(f"Results {path}: Data {item.data!r} is not '<type>,<profile>'")
                return boot, profile
    return None


@dataclass(frozen=True)
class Field:
    """One row: a ``Package`` field, the packages it occurs in, its writer and reader."""

    name: str
    packages: frozenset[int]
    write: Callable[[Any, Package, Draft], None]
    read: Callable[[Message, Words, Message | None], Any]


FIELDS: tuple[Field, ...] = (
    Field("alert", frozenset({1}), _write_alert, _read_alert),
    Field("cred", frozenset({1, 2}), _write_cred, _read_cred),
    Field("report", frozenset({1}), _write_report, _read_report),
    Field("status", frozenset({2, 3}), _write_status, _read_status),
    Field("chal", frozenset({1, 2, 3}), _write_chal, _read_chal),
    Field("replace", frozenset({2}), _write_replace, _read_replace),
    Field("get_type", frozenset({2}), _write_get_type, _read_get_type),
    Field("report_status", frozenset({2}), _write_report_status, _read_report_status),
    Field("ack", frozenset({2}), _write_ack, _read_ack),
    Field("replace_status", frozenset({3}), _write_replace_status, _read_replace_status),
    Field("type_result", frozenset({3}), _write_type_result, _read_type_result),
)
WIRE_PACKAGES = (1, 2, 3, 4)  # Package 0 is a Notification (WAP push or SMS), not an HTTP message


def _answer_the_rest(p: Package, d: Draft) -> None:
    """A Status for the answered SyncHdr and for every command no row answered."""
    if d.answering is None:
        return
    refusing = p.status in REFUSALS and p.number == 2
    code = p.status if refusing else v.STATUS_OK
    answered = {(c.cmd, c.cmd_ref) for c in d.commands if c.name == "Status"}
    if (SYNCHDR, 0) not in answered:
        d.status(code, 0, SYNCHDR)
    for c in d.answering.commands:
        if c.name != "Status" and (c.name, c.cmd_id) not in answered:
            d.status(code, c.cmd_id, c.name,
                     target_refs=tuple(i.target for i in c.items if i.target) if c.name != "Alert" else ())


def to_message(p: Package, header: Header, words: Words, answering: Message | None = None) -> Message:
    """The message that carries ``p`` (``header`` gives session, ids and addresses)."""
    if p.number not in WIRE_PACKAGES:
        raise WireError(f"Package {p.number} is not sent over HTTP")
    d = Draft(words, answering)
    for f in FIELDS:
        value = getattr(p, f.name)
        if value is not None and value is not False and p.number in f.packages:
            f.write(value, p, d)
    _answer_the_rest(p, d)
    return Message(Header(**{**header.__dict__, "cred": d.cred}), tuple(d.commands), final=True)


def package_number(m: Message, from_device: bool, answering: Message | None = None) -> int | None:
    """Which model package ``m`` is: 1 or 3 from a device; 2 or 4 from a server (None for the
    server's plain acknowledgement of a session abort)."""
    if from_device:
        return 1 if _read_alert(m, None, None) is not None else 3  # type: ignore[arg-type]
    if answering is not None and _read_alert(answering, None, None) == v.ALERT_SESSION_ABORT:  # type: ignore[arg-type]
        return None
    return 2 if _read_status(m, None, None) in (v.STATUS_AUTHENTICATED, *REFUSALS) else 4  # type: ignore[arg-type]


def from_message(m: Message, words: Words, from_device: bool,
                 answering: Message | None = None) -> Package | None:
    """The package ``m`` carries (None for a plain acknowledgement), read through :data:`FIELDS`."""
    number = package_number(m, from_device, answering)
    if number is None:
        return None
    values = {f.name: f.read(m, words, answering) for f in FIELDS if number in f.packages}
    values = {k: val for k, val in values.items() if val is not None}
    if number == 1 and "alert" not in values:
        raise WireError("Package 1: no Alert 1200, 1201 or 1223")
    if number in (2, 3) and "status" not in values:
        raise WireError(f"Package {number}: no Status on the SyncHdr")
    return Package(number, **values)
