"""The XML codec: a :class:`Node` tree to SyncML 1.2 XML text and back, strictly and safely.

Decoding refuses a DTD or entity declaration (no entity expansion), oversized or too deeply
nested input, attributes, unknown elements and elements outside their namespace, each with an
error naming what is wrong. Opaque bytes are written as base64 text.
"""

from __future__ import annotations

import base64
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from dmmodel.wire.tags import METINF_NS, METINF_TAGS, SYNCML_NS, TOKENS
from dmmodel.wire.tree import Limits, Node, WireError

CONTENT_TYPE = "application/vnd.syncml.dm+xml"


def _namespace(tag: str) -> str:
    return METINF_NS if tag in METINF_TAGS else SYNCML_NS


def _build(parent: Element | None, n: Node, parent_ns: str) -> Element:
    ns = _namespace(n.tag)
    element = Element(n.tag) if parent is None else SubElement(parent, n.tag)
    if ns != parent_ns:
        element.set("xmlns", ns)
    if n.value is not None:
        element.text = base64.b64encode(n.value).decode("ascii") if isinstance(n.value, bytes) else n.value
    for child in n.children:
        _build(element, child, ns)
    return element


def encode(root: Node) -> bytes:
    """SyncML XML for ``root`` (UTF-8, with an XML declaration)."""
    body = tostring(_build(None, root, ""), encoding="unicode", short_empty_elements=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>' + body.encode("utf-8")


def _node(element: Element, depth: int, limits: Limits) -> Node:
    if depth > limits.max_depth:
        raise WireError(f"XML: nested deeper than {limits.max_depth} elements")
    limits.seen += 1
    if limits.seen > limits.max_nodes:
        raise WireError(f"XML: more than {limits.max_nodes} elements")
    ns, _, tag = element.tag[1:].partition("}") if element.tag.startswith("{") else ("", "", element.tag)
    if tag not in TOKENS:
        raise WireError(f"XML: unknown element <{tag}>")
    if ns != _namespace(tag):
        raise WireError(f"XML: <{tag}> in namespace {ns or 'none'!r}, expected {_namespace(tag)!r}")
    if element.attrib:
        raise WireError(f"XML: <{tag}> has attributes ({', '.join(element.attrib)}); SyncML uses none")
    children = tuple(_node(child, depth + 1, limits) for child in element)
    text = element.text if element.text is not None else None
    if children:
        stray = (text or "").strip() or any((c.tail or "").strip() for c in element)
        if stray:
            raise WireError(f"XML: <{tag}> mixes text and elements")
        return Node(tag, children)
    return Node(tag, (), text if text is not None else "")


def decode(data: bytes, limits: Limits | None = None) -> Node:
    """The tree of a SyncML 1.2 XML document; :class:`WireError` says why one is refused."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise WireError(f"XML: {len(data)} bytes, more than the limit of {limits.max_bytes}")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise WireError(f"XML: refused, {type(error).__name__} (DTDs and entities are not allowed)") from None
    except ParseError as error:
        raise WireError(f"XML: not well-formed ({error})") from None
    if root.tag != f"{{{SYNCML_NS}}}SyncML":
        raise WireError(f"XML: root element is {root.tag!r}, expected SyncML in namespace {SYNCML_NS!r}")
    return _node(root, 0, limits)
