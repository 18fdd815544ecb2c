"""SyncML DM messages as values: header, commands, items and meta information.

:func:`to_node` and :func:`from_node` convert between a :class:`Message` and the codecs' tree,
in the element order of the SyncML 1.2 DTD. Reading is strict: a missing MsgID, SessionID,
CmdID, a Status without MsgRef, CmdRef or Cmd, a wrong VerDTD or VerProto, a non-base64 nonce
are refused with an error naming the element.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from dmmodel.wire.numbers import ascii_number
from dmmodel.wire.tags import VER_DTD, VER_PROTO
from dmmodel.wire.tree import Node, WireError, leaf, node

AUTH_MD5, AUTH_BASIC = "syncml:auth-md5", "syncml:auth-basic"
B64 = "b64"


@dataclass(frozen=True)
class Meta:
    """Meta information (the MetInf code page) that the model's packages use."""

    type: str | None = None
    format: str | None = None
    next_nonce: bytes | None = None
    max_msg_size: int | None = None


@dataclass(frozen=True)
class Item:
    """An Item: a node path (Target or Source LocURI), its Meta and Data."""

    target: str | None = None
    source: str | None = None
    meta: Meta | None = None
    data: str | None = None


@dataclass(frozen=True)
class Command:
    """One command of a SyncBody (Alert, Replace, Get, Results, Status, ... by ``name``).

    ``data`` is an Alert's or a Status's code (or a Status's Data); ``chal`` a Status's Chal.
    """

    name: str
    cmd_id: int
    data: str | None = None
    items: tuple[Item, ...] = ()
    msg_ref: int | None = None
    cmd_ref: int | None = None
    cmd: str | None = None
    chal: Meta | None = None
    meta: Meta | None = None
    target_refs: tuple[str, ...] = ()
    source_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cred:
    """A credential: its Meta (Type, Format; ``next_nonce``: a NextNonce the sender issues for
    the peer's credential, which only the model's ``device_nonce`` variants send) and its Data."""

    type: str
    data: str
    next_nonce: bytes | None = None


@dataclass(frozen=True)
class Header:
    """The SyncHdr of a DM message (VerDTD 1.2 and VerProto DM/1.2 are implied)."""

    session_id: str
    msg_id: int
    target: str
    source: str
    source_name: str | None = None
    cred: Cred | None = None
    max_msg_size: int | None = None
    resp_uri: str | None = None


@dataclass(frozen=True)
class Message:
    """A whole SyncML message."""

    header: Header
    commands: tuple[Command, ...] = ()
    final: bool = True

    def command(self, cmd_id: int) -> Command | None:
        """The command with ``cmd_id`` (for a Status's CmdRef)."""
        return next((c for c in self.commands if c.cmd_id == cmd_id), None)


def _meta(meta: Meta | None) -> Node | None:
    if meta is None:
        return None
    return node(
        "Meta",
        leaf("Format", meta.format) if meta.format else None,
        leaf("Type", meta.type) if meta.type else None,
        leaf("NextNonce", base64.b64encode(meta.next_nonce).decode("ascii"))
        if meta.next_nonce is not None else None,
        leaf("MaxMsgSize", str(meta.max_msg_size)) if meta.max_msg_size is not None else None,
    )


def _loc(tag: str, uri: str | None, name: str | None = None) -> Node | None:
    if uri is None:
        return None
    return node(tag, leaf("LocURI", uri), leaf("LocName", name) if name else None)


def _item(item: Item) -> Node:
    return node("Item", _loc("Target", item.target), _loc("Source", item.source), _meta(item.meta),
                leaf("Data", item.data) if item.data is not None else None)


def _command(c: Command) -> Node:
    parts: list[Node | None] = [leaf("CmdID", str(c.cmd_id))]
    if c.name == "Status":
        parts += [leaf("MsgRef", str(c.msg_ref)), leaf("CmdRef", str(c.cmd_ref)), leaf("Cmd", c.cmd or "")]
        parts += [leaf("TargetRef", t) for t in c.target_refs]
        parts += [leaf("SourceRef", s) for s in c.source_refs]
        parts.append(node("Chal", _meta(c.chal)) if c.chal is not None else None)
        parts.append(leaf("Data", c.data or ""))
    elif c.name == "Results":
        parts += [leaf("MsgRef", str(c.msg_ref)) if c.msg_ref is not None else None,
                  leaf("CmdRef", str(c.cmd_ref)), _meta(c.meta)]
    elif c.name == "Alert":
        parts.append(leaf("Data", c.data) if c.data is not None else None)
    else:
        parts.append(_meta(c.meta))
    parts += [_item(i) for i in c.items]
    return node(c.name, *parts)


def to_node(message: Message) -> Node:
    """The tree of ``message``, elements in DTD order."""
    h = message.header
    cred = None
    if h.cred is not None:
        cred = node("Cred", _meta(Meta(type=h.cred.type, format=B64, next_nonce=h.cred.next_nonce)),
                    leaf("Data", h.cred.data))
    header = node(
        "SyncHdr", leaf("VerDTD", VER_DTD), leaf("VerProto", VER_PROTO), leaf("SessionID", h.session_id),
        leaf("MsgID", str(h.msg_id)), _loc("Target", h.target), _loc("Source", h.source, h.source_name),
        leaf("RespURI", h.resp_uri) if h.resp_uri else None, cred,
        _meta(Meta(max_msg_size=h.max_msg_size)) if h.max_msg_size is not None else None,
    )
    body = node("SyncBody", *[_command(c) for c in message.commands],
                node("Final") if message.final else None)
    return node("SyncML", header, body)


def _int(n: Node, tag: str, where: str) -> int:
    text = n.need(tag, where).strip()
    number = ascii_number(text)
    if number is None:
        raise WireError(f"{where}: {tag} is {text[:40]!r}, not a number")
    return number


def _read_meta(n: Node | None, where: str) -> Meta | None:
    if n is None:
        return None
    nonce = None
    raw = n.first("NextNonce")
    if raw is not None:
        if isinstance(raw.value, bytes):
            nonce = raw.value
        else:
            try:
                nonce = base64.b64decode((raw.value or "").strip(), validate=True)
            except binascii.Error:
                raise WireError(f"{where}: NextNonce is not base64 ({raw.value!r})") from None
    size = n.text("MaxMsgSize")
    max_msg_size = ascii_number(size)
    if size is not None and max_msg_size is None:
        raise WireError(f"{where}: MaxMsgSize is {size[:40]!r}, not a number")
    return Meta(type=n.text("Type"), format=n.text("Format"), next_nonce=nonce,
                max_msg_size=max_msg_size)


def _read_loc(n: Node | None, where: str) -> tuple[str | None, str | None]:
    if n is None:
        return None, None
    return n.need("LocURI", where), n.text("LocName")


def _read_item(n: Node, where: str) -> Item:
    target, _ = _read_loc(n.first("Target"), f"{where} Target")
    source, _ = _read_loc(n.first("Source"), f"{where} Source")
    return Item(target=target, source=source, meta=_read_meta(n.first("Meta"), where), data=n.text("Data"))


def _read_command(n: Node, position: int) -> Command:
    where = f"SyncBody command {position} ({n.tag})"
    cmd_id = _int(n, "CmdID", where)
    items = tuple(_read_item(i, f"{where} Item") for i in n.all("Item"))
    if n.tag == "Status":
        chal = n.first("Chal")
        return Command("Status", cmd_id, data=n.need("Data", where), items=items,
                       msg_ref=_int(n, "MsgRef", where), cmd_ref=_int(n, "CmdRef", where),
                       cmd=n.need("Cmd", where),
                       chal=_read_meta(chal.first("Meta"), f"{where} Chal") if chal is not None else None,
                       target_refs=tuple(r.value or "" for r in n.all("TargetRef")),
                       source_refs=tuple(r.value or "" for r in n.all("SourceRef")))
    if n.tag == "Results":
        msg_ref = _int(n, "MsgRef", where) if n.first("MsgRef") is not None else None
        return Command("Results", cmd_id, items=items, msg_ref=msg_ref, cmd_ref=_int(n, "CmdRef", where),
                       meta=_read_meta(n.first("Meta"), where))
    return Command(n.tag, cmd_id, data=n.text("Data") if n.tag == "Alert" else None, items=items,
                   meta=_read_meta(n.first("Meta"), where))


def from_node(root: Node) -> Message:
    """The message a tree holds; :class:`WireError` names a missing or wrong element."""
    h = root.first("SyncHdr")
    body = root.first("SyncBody")
    if h is None or body is None:
        raise WireError("SyncML: SyncHdr and SyncBody are both required")
    for tag, want in (("VerDTD", VER_DTD), ("VerProto", VER_PROTO)):
        got = h.need(tag, "SyncHdr")
        if got.strip() != want:
            raise WireError(f"SyncHdr: {tag} is {got!r}, expected {want!r}")
    target, _ = _read_loc(h.first("Target"), "SyncHdr Target")
    source, name = _read_loc(h.first("Source"), "SyncHdr Source")
    if target is None or source is None:
        raise WireError("SyncHdr: Target and Source are required")
    cred = None
    if (c := h.first("Cred")) is not None:
        meta = _read_meta(c.first("Meta"), "SyncHdr Cred") or Meta()
        cred = Cred(meta.type or AUTH_BASIC, c.need("Data", "SyncHdr Cred"), meta.next_nonce)
    meta = _read_meta(h.first("Meta"), "SyncHdr")
    header = Header(session_id=h.need("SessionID", "SyncHdr"), msg_id=_int(h, "MsgID", "SyncHdr"),
                    target=target, source=source, source_name=name, cred=cred,
                    max_msg_size=meta.max_msg_size if meta else None, resp_uri=h.text("RespURI"))
    commands = tuple(_read_command(c, i) for i, c in enumerate(body.children, 1) if c.tag != "Final")
    return Message(header, commands, final=body.first("Final") is not None)
