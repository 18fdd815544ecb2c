"""Bytes to packages and back: the format (XML or WBXML) chosen by HTTP content type.

``encode``/``decode`` go through the tree of ``tree.py``, the message of ``message.py`` and the
mapping table of ``mapping.py``; the caller supplies the header and the account's words.
"""

from __future__ import annotations

from enum import StrEnum

from dmmodel.protocol.messages import Package
from dmmodel.wire import mapping, message, wbxml, xml
from dmmodel.wire.message import Header, Message
from dmmodel.wire.tree import Limits, WireError
from dmmodel.wire.words import Words


class Format(StrEnum):
    """The two encodings of SyncML DM."""

    XML = "xml"
    WBXML = "wbxml"

    @property
    def content_type(self) -> str:
        return xml.CONTENT_TYPE if self is Format.XML else wbxml.CONTENT_TYPE


# Content types a DM peer may use: the DM 1.2 ones, and the SyncML DS ones some clients send.
CONTENT_TYPES = {
    xml.CONTENT_TYPE: Format.XML,
    wbxml.CONTENT_TYPE: Format.WBXML,
    "application/vnd.syncml+xml": Format.XML,
    "application/vnd.syncml+wbxml": Format.WBXML,
}


def format_of(content_type: str | None) -> Format:
    """The format an HTTP Content-Type names (parameters ignored)."""
    bare = (content_type or "").split(";")[0].strip().lower()
    if bare not in CONTENT_TYPES:
        raise WireError(f"Content-Type {content_type!r} is not SyncML DM (want {xml.CONTENT_TYPE} "
                        f"or {wbxml.CONTENT_TYPE})")
    return CONTENT_TYPES[bare]


def encode_message(m: Message, fmt: Format) -> bytes:
    """``m`` as bytes in ``fmt``."""
    tree = message.to_node(m)
    return xml.encode(tree) if fmt is Format.XML else wbxml.encode(tree)


def decode_message(data: bytes, fmt: Format, limits: Limits | None = None) -> Message:
    """The message in ``data``; :class:`WireError` says why it is refused."""
    tree = xml.decode(data, limits) if fmt is Format.XML else wbxml.decode(data, limits)
    return message.from_node(tree)


def encode(p: Package, header: Header, words: Words, fmt: Format,
           answering: Message | None = None) -> tuple[Message, bytes]:
    """The message carrying ``p`` and its bytes."""
    m = mapping.to_message(p, header, words, answering)
    return m, encode_message(m, fmt)


def decode(data: bytes, fmt: Format, words: Words, from_device: bool,
           answering: Message | None = None) -> tuple[Message, Package | None]:
    """The message in ``data`` and the package it carries (None for a plain acknowledgement)."""
    m = decode_message(data, fmt)
    return m, mapping.from_message(m, words, from_device, answering)
