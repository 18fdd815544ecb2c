"""The neutral form of a SyncML document: an element tree that both codecs read and write.

A node has a tag and either children or a value. A value is text, or bytes for WBXML opaque
data. Which code page (SyncML or MetInf) a tag belongs to follows from its name (``tags.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


class WireError(ValueError):
    """A message that cannot be read: says what is wrong and where."""


@dataclass(frozen=True)
class Node:
    """One element: ``tag``, its ``children`` in order, or its ``value`` (text or opaque bytes)."""

    tag: str
    children: tuple[Node, ...] = ()
    value: str | bytes | None = None

    def all(self, tag: str) -> list[Node]:
        """The children called ``tag``, in order."""
        return [c for c in self.children if c.tag == tag]

    def first(self, tag: str) -> Node | None:
        """The first child called ``tag``, or None."""
        return next((c for c in self.children if c.tag == tag), None)

    def text(self, tag: str) -> str | None:
        """The text of the first child called ``tag`` (opaque bytes read as UTF-8), or None."""
        child = self.first(tag)
        if child is None or child.value is None:
            return None
        return child.value.decode("utf-8", "replace") if isinstance(child.value, bytes) else child.value

    def need(self, tag: str, where: str) -> str:
        """The text of the child ``tag``, which must be there."""
        found = self.text(tag)
        if found is None:
            raise WireError(f"{where}: {tag} missing")
        return found


def leaf(tag: str, value: str | bytes) -> Node:
    """An element holding a value."""
    return Node(tag, (), value)


def node(tag: str, *children: Node | None) -> Node:
    """An element holding the given children (None entries are left out)."""
    return Node(tag, tuple(c for c in children if c is not None))


@dataclass
class Limits:
    """How much a decoder accepts before it refuses the input."""

    max_bytes: int = 256 * 1024
    max_depth: int = 32
    max_nodes: int = 10_000
    seen: int = field(default=0, repr=False)
