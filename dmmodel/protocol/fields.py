"""Declarations on the fields of the protocol's values, and replacing a field by name, fast.

A field that carries nonce or run values says so where it is declared, as ``Annotated``
metadata: ``chal: Annotated[int | None, NONCE]``. ``nonces.py`` derives from these marks alone,
by walking the type hints of :class:`~dmmodel.protocol.state.Slot` down to its leaves, how to
list and rename a value's nonces: the checker's renaming, the slot codec's per-part values
(``search/compiled.py``) and the executable machines' fresh values all read it, so a new field
carrying a nonce is one annotated line. A :class:`Ghost` field is for the properties only: the
wire leaves it out. :func:`setter` replaces one field of a named tuple by
name at the cost of building it by position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, get_type_hints

T = TypeVar("T", bound=tuple)


@dataclass(frozen=True)
class Nonce:
    """Marks a field that carries nonce or run values (``Annotated`` metadata).

    ``shape`` says where the values are: ``"value"``, the field is a value (or None);
    ``"credential"``, a symbolic credential ``(generation, nonce)`` whose nonce counts (a real
    credential, a string, holds none); ``"set"``, a tuple of values kept sorted. The renaming
    meets a type's nonce fields in field order, those marked ``first`` before the others.
    """

    shape: str = "value"
    first: bool = False

    def __post_init__(self) -> None:
        if self.shape not in ("value", "credential", "set"):
            raise ValueError(f"unknown nonce shape {self.shape!r}")


NONCE = Nonce()
CREDENTIAL = Nonce("credential")
NONCE_SET = Nonce("set")


@dataclass(frozen=True)
class Ghost:
    """Marks a field kept for the properties only (``Annotated`` metadata): it is never on the wire."""


GHOST = Ghost()


def marked(cls: type, kind: type) -> tuple[str, ...]:
    """The fields of the named tuple ``cls`` whose type hint carries a mark of class ``kind``."""
    hints = get_type_hints(cls, include_extras=True)
    return tuple(name for name in cls._fields  # type: ignore[attr-defined]
                 if any(isinstance(m, kind) for m in getattr(hints[name], "__metadata__", ())))


def setter(cls: type[T], name: str) -> Callable[[T, Any], T]:
    """A function ``(value, new)``: ``value`` (a ``cls``) with field ``name`` set to ``new``."""
    i = cls._fields.index(name)  # type: ignore[attr-defined]
    new = tuple.__new__

    def put(value: T, field: Any) -> T:
        return new(cls, (*value[:i], field, *value[i + 1:]))

    put.__name__ = f"set_{name}"
    put.__doc__ = f"The {cls.__name__} with its {name} replaced."
    return put
