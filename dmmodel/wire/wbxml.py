"""The WBXML codec: a :class:`Node` tree to WBXML 1.2 bytes (SyncML and MetInf code pages) and back.

Encoding writes the public identifier as a string-table reference and every value as an inline
string, opaque data for bytes. Decoding takes inline or table strings and opaque data, switches
code pages, and refuses attributes, extension tokens, unknown tags and truncated input.
"""

from __future__ import annotations

from dmmodel.wire.tags import METINF_PAGE, PUBLIC_ID, PUBLIC_ID_TOKEN, SYNCML_PAGE, TAGS, TOKENS
from dmmodel.wire.tree import Limits, Node, WireError

CONTENT_TYPE = "application/vnd.syncml.dm+wbxml"
VERSION = 0x02  # WBXML 1.2
UTF8 = 106  # IANA MIBenum of UTF-8
SWITCH_PAGE, END, STR_I, STR_T, OPAQUE = 0x00, 0x01, 0x03, 0x83, 0xC3
HAS_CONTENT, HAS_ATTRIBUTES = 0x40, 0x80


def _uint(value: int) -> bytes:
    """A multi-byte unsigned integer (7 bits per byte, most significant first)."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def encode(root: Node) -> bytes:
    """WBXML 1.2 for ``root`` with the SyncML 1.2 public identifier in the string table."""
    table = PUBLIC_ID.encode("ascii") + b"\0"
    out = bytearray([VERSION, 0x00, *_uint(0), *_uint(UTF8), *_uint(len(table))])
    out += table
    page = SYNCML_PAGE

    def put(n: Node) -> None:
        nonlocal page
        want, token = TOKENS[n.tag]
        if want != page:
            out.extend((SWITCH_PAGE, want))
            page = want
        if not n.children and not n.value:
            out.append(token)
            return
        out.append(token | HAS_CONTENT)
        if isinstance(n.value, bytes):
            out.append(OPAQUE)
            out.extend(_uint(len(n.value)) + n.value)
        elif n.value:
            out.append(STR_I)
            out.extend(n.value.encode("utf-8") + b"\0")
        for child in n.children:
            put(child)
        out.append(END)

    put(root)
    return bytes(out)


class _Reader:
    def __init__(self, data: bytes, limits: Limits) -> None:
        self.data, self.at, self.limits = data, 0, limits

    def byte(self) -> int:
        if self.at >= len(self.data):
            raise WireError(f"WBXML: truncated at byte {self.at}")
        self.at += 1
        return self.data[self.at - 1]

    def uint(self) -> int:
        value = 0
        for _ in range(5):
            b = self.byte()
            value = (value << 7) | (b & 0x7F)
            if not b & 0x80:
                return value
        raise WireError(f"WBXML: integer longer than 5 bytes at byte {self.at}")

    def take(self, size: int) -> bytes:
        if self.at + size > len(self.data):
            raise WireError(f"WBXML: truncated: {size} bytes wanted at byte {self.at}")
        self.at += size
        return self.data[self.at - size:self.at]

    def cstring(self) -> bytes:
        end = self.data.find(b"\0", self.at)
        if end < 0:
            raise WireError(f"WBXML: unterminated string at byte {self.at}")
        found, self.at = self.data[self.at:end], end + 1
        return found


def _table_string(table: bytes, offset: int) -> bytes:
    if offset >= len(table):
        raise WireError(f"WBXML: string table reference {offset} beyond the table ({len(table)} bytes)")
    end = table.find(b"\0", offset)
    return table[offset:end if end >= 0 else len(table)]


def decode(data: bytes, limits: Limits | None = None) -> Node:
    """The tree of a SyncML 1.2 WBXML document; :class:`WireError` says why one is refused."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise WireError(f"WBXML: {len(data)} bytes, more than the limit of {limits.max_bytes}")
    r = _Reader(data, limits)
    version = r.byte()
    if version not in (0x01, 0x02, 0x03):
        raise WireError(f"WBXML: unknown version byte 0x{version:02x}")
    public = r.uint()
    index = r.uint() if public == 0 else None
    charset = r.uint()
    if charset != UTF8:
        raise WireError(f"WBXML: charset {charset} is not UTF-8 ({UTF8})")
    table = r.take(r.uint())
    if index is not None:
        named = _table_string(table, index).decode("ascii", "replace")
        if named != PUBLIC_ID:
            raise WireError(f"WBXML: public identifier {named!r}, expected {PUBLIC_ID!r}")
    elif public != PUBLIC_ID_TOKEN:
        raise WireError(f"WBXML: public identifier 0x{public:x}, expected 0x{PUBLIC_ID_TOKEN:x}")
    page = SYNCML_PAGE

    def element(depth: int) -> Node:
        nonlocal page
        if depth > limits.max_depth:
            raise WireError(f"WBXML: nested deeper than {limits.max_depth} elements")
        limits.seen += 1
        if limits.seen > limits.max_nodes:
            raise WireError(f"WBXML: more than {limits.max_nodes} elements")
        code = r.byte()
        while code == SWITCH_PAGE:
            page = r.byte()
            if page not in (SYNCML_PAGE, METINF_PAGE):
                raise WireError(f"WBXML: unknown code page {page}")
            code = r.byte()
        if code & HAS_ATTRIBUTES:
            raise WireError(f"WBXML: attributes at byte {r.at - 1}; SyncML uses none")
        tag = TAGS.get((page, code & 0x3F))
        if tag is None:
            raise WireError(f"WBXML: unknown token 0x{code & 0x3F:02x} on code page {page} "
                            f"at byte {r.at - 1}")
        if not code & HAS_CONTENT:
            return Node(tag, (), "")
        children: list[Node] = []
        value: bytes | str | None = None
        while True:
            peek = r.data[r.at] if r.at < len(r.data) else None
            if peek is None:
                raise WireError(f"WBXML: <{tag}> not closed before the end")
            if peek == END:
                r.at += 1
                break
            if peek in (STR_I, STR_T, OPAQUE):
                r.at += 1
                if peek == STR_I:
                    piece: bytes | str = r.cstring().decode("utf-8", "strict")
                elif peek == STR_T:
                    piece = _table_string(table, r.uint()).decode("utf-8", "strict")
                else:
                    piece = r.take(r.uint())
                value = piece if value is None else _join(value, piece, tag)
            elif peek in (0x02, 0x04, 0x40, 0x41, 0x42, 0x43, 0x44, 0x80, 0x81, 0x82, 0xC0, 0xC1, 0xC2):
                raise WireError(f"WBXML: token 0x{peek:02x} (entity, PI or extension) in <{tag}> not allowed")
            else:
                children.append(element(depth + 1))
        if children and value is not None:
            raise WireError(f"WBXML: <{tag}> mixes text and elements")
        return Node(tag, tuple(children)) if children else Node(tag, (), "" if value is None else value)

    try:
        root = element(0)
    except UnicodeDecodeError as error:
        raise WireError(f"WBXML: string is not UTF-8 ({error.reason})") from None
    if root.tag != "SyncML":
        raise WireError(f"WBXML: root element is {root.tag}, expected SyncML")
    if r.at != len(data):
        raise WireError(f"WBXML: {len(data) - r.at} bytes after the end of the document")
    return root


def _join(left: str | bytes, right: str | bytes, tag: str) -> str | bytes:
    if isinstance(left, bytes) != isinstance(right, bytes):
        raise WireError(f"WBXML: <{tag}> mixes opaque data and strings")
    return left + right
