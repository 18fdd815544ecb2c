"""Fresh nonces, and the renaming that keeps a search over them finite.

A machine that issues a nonce (or starts a session run) writes ``FRESH`` (``FRESH + 1`` for a
second new value in the same step). Nonces and runs are only ever copied and compared for
equality, so which number stands for a fresh value does not matter, only that it equals no
value in the state (the protocol is data-independent in them). The checker therefore renames,
after every step, the values in a slot to 1, 2, ... in order of first occurrence
(:func:`canonical`): two slots that differ only by such a renaming behave alike and satisfy the
same properties, and a slot holds a bounded number of values, so the search stays finite while a
nonce never repeats. The executable machines draw real, ever-increasing values instead
(:class:`FreshCounter`). ``BOOTSTRAP_NONCE`` is the nonce a bootstrap provisions, a constant that
is never renamed and that no side ever issues.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

from dmmodel.protocol.config import RANGES
from dmmodel.protocol.fields import Nonce
from dmmodel.protocol.messages import Package
from dmmodel.protocol.state import AccountData, DeviceData, Slot

BOOTSTRAP_NONCE = 0  # the AAuthData a bootstrap provisions: a constant, never issued again
FRESH = 1 << 30  # placeholder for a value issued in this step (renamed or drawn after it)


def is_fresh(value: object) -> bool:
    """``value`` is a placeholder for a value issued in the step just taken."""
    return type(value) is int and value >= FRESH


Collect = Callable[[Any, list[int]], None]  # appends a value's nonces to a list, in renaming order
Rename = Callable[[Any, Callable[[int], int]], Any]  # the value renamed (itself when unchanged)
_new = tuple.__new__  # builds a NamedTuple from its fields without the keyword-default call


def _value(x: int | None, out: list[int]) -> None:
    if x is not None:
        out.append(x)


def _rename_value(x: int | None, f: Callable[[int], int]) -> int | None:
    if x is None:
        return None
    new = f(x)
    return x if new == x else new


def _credential(x: Any, out: list[int]) -> None:
    if type(x) is tuple:
        out.append(x[1])


def _rename_credential(x: Any, f: Callable[[int], int]) -> Any:
    if type(x) is not tuple:
        return x
    new = f(x[1])
    return x if new == x[1] else (x[0], new)


def _set(xs: tuple[int, ...], out: list[int]) -> None:
    out += xs


def _rename_set(xs: tuple[int, ...], f: Callable[[int], int]) -> tuple[int, ...]:
    if not xs:
        return xs
    new = tuple(sorted([f(x) for x in xs]))
    return xs if new == xs else new


_SHAPES: dict[str, tuple[Collect, Rename]] = {
    "value": (_value, _rename_value),
    "credential": (_credential, _rename_credential),
    "set": (_set, _rename_set),
}


def _mark(hint: Any) -> Nonce | None:
    return next((m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Nonce)), None)


def _optional(inner: tuple[Collect, Rename]) -> tuple[Collect, Rename]:
    collect, rename = inner

    def collect_optional(x: Any, out: list[int]) -> None:
        if x is not None:
            collect(x, out)

    def rename_optional(x: Any, f: Callable[[int], int]) -> Any:
        return None if x is None else rename(x, f)

    return collect_optional, rename_optional


def _each(inner: tuple[Collect, Rename]) -> tuple[Collect, Rename]:
    collect, rename = inner

    def collect_each(xs: tuple, out: list[int]) -> None:
        for x in xs:
            collect(x, out)

    def rename_each(xs: tuple, f: Callable[[int], int]) -> tuple:
        new = tuple([rename(x, f) for x in xs])
        return xs if new == xs else new  # the same object when nothing changed

    return collect_each, rename_each


def _positions(cls: type, carriers: list[tuple[int, tuple[Collect, Rename]]]) -> tuple[Collect, Rename]:
    """The nonces of a tuple (of class ``cls``) whose items ``carriers`` name hold some."""
    collects = [(i, collect) for i, (collect, _) in carriers]
    renames = [(i, rename) for i, (_, rename) in carriers]

    def collect_items(x: tuple, out: list[int]) -> None:
        for i, collect in collects:
            collect(x[i], out)

    def rename_items(x: tuple, f: Callable[[int], int]) -> tuple:
        parts = None
        for i, rename in renames:
            new = rename(x[i], f)
            if new is not x[i]:
                if parts is None:
                    parts = list(x)
                parts[i] = new
        return x if parts is None else _new(cls, parts)

    return collect_items, rename_items


_WALKS: dict[type, tuple[Collect, Rename] | None] = {}


def _record(cls: type) -> tuple[Collect, Rename] | None:
    """The nonces of a named tuple, from the marks on its fields' type hints (memoised per class)."""
    if cls not in _WALKS:
        hints = get_type_hints(cls, include_extras=True)
        found = []
        for i, name in enumerate(cls._fields):  # type: ignore[attr-defined]
            walk = _walk(hints[name])
            if walk is not None:
                mark = _mark(hints[name])
                found.append((not (mark is not None and mark.first), i, walk))
        found.sort(key=lambda item: item[:2])
        _WALKS[cls] = _positions(cls, [(i, walk) for _, i, walk in found]) if found else None
    return _WALKS[cls]


def _walk(hint: Any) -> tuple[Collect, Rename] | None:
    """How to list and rename the nonces of a value of type ``hint``: None if it holds none.
    A marked field (:class:`Nonce`) is a leaf; optional values, tuples and named tuples are
    walked into."""
    mark = _mark(hint)
    if mark is not None:
        return _SHAPES[mark.shape]
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        return _walk(args[0])
    if origin is Union or origin is UnionType:
        walks = [walk for arg in args if arg is not type(None) and (walk := _walk(arg)) is not None]
        if len(walks) > 1:
            raise TypeError(f"{hint}: only an optional value may carry nonces, not a union")
        return _optional(walks[0]) if walks else None
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            inner = _walk(args[0])
            return None if inner is None else _each(inner)
        carriers = [(i, walk) for i, arg in enumerate(args) if (walk := _walk(arg)) is not None]
        return _positions(tuple, carriers) if carriers else None
    if isinstance(hint, type) and issubclass(hint, tuple) and hasattr(hint, "_fields"):
        return _record(hint)
    return None


def carrier(cls: type) -> tuple[Collect, Rename]:
    """How to list and rename the nonces of a ``cls`` value, derived from its fields' marks."""
    walk = _record(cls)
    if walk is None:
        raise TypeError(f"{cls.__name__} carries no nonce")
    return walk


def _values_of(collect: Collect) -> Callable[[Any], tuple[int, ...]]:
    def values_of(part: Any) -> tuple[int, ...]:
        out: list[int] = []
        collect(part, out)
        return tuple(out)

    return values_of


# The fields of a slot that hold nonces or runs, in renaming order (field order): per field,
# its values (in order) and its renaming by a function of values (keeping the part itself when
# nothing changes). Derived from the ``Nonce`` marks on the fields of the slot's values.
NONCE_FIELDS: dict[int, tuple[Callable[[Any], tuple[int, ...]], Rename]] = {
    i: (_values_of(walk[0]), walk[1])
    for i, name in enumerate(Slot._fields)
    if (walk := _walk(get_type_hints(Slot, include_extras=True)[name])) is not None
}
_collect_slot, _rename_slot = carrier(Slot)
_rename_package = carrier(Package)[1]


def map_nonces(slot: Slot, f: Callable[[int], int]) -> Slot:
    """The slot with ``f`` applied to every nonce and run value, in a fixed order (the machines'
    data, then the channels, then what the attacker holds, then the monitor's runs); real
    credentials are left alone. Parts ``f`` leaves unchanged are kept as they are."""
    return _rename_slot(slot, f)


def values(slot: Slot) -> list[int]:
    """Every nonce and run value of ``slot``, in :func:`map_nonces`' order."""
    out: list[int] = []
    _collect_slot(slot, out)
    return out


def renaming(found: Iterable[int]) -> dict[int, int] | None:
    """The canonical names of values ``found`` (in order): 1, 2, ... by first occurrence, the
    bootstrap nonce kept; None when every value already has its name."""
    names: dict[int, int] = {BOOTSTRAP_NONCE: BOOTSTRAP_NONCE}
    identity = True
    for value in found:
        if value not in names:
            names[value] = len(names)  # BOOTSTRAP_NONCE holds the first entry: names start at 1
            identity = identity and value == len(names) - 1
    return None if identity else names


def canonical(slot: Slot) -> Slot:
    """The representative of ``slot`` under renaming: values 1, 2, ... by first occurrence."""
    names = renaming(values(slot))
    return slot if names is None else map_nonces(slot, names.__getitem__)


ISSUING = ("device", "server", "attacker")  # who issues values for one device
MAX_DEVICES = RANGES["devices"][1]  # the most devices a configuration may have
ISSUERS = len(ISSUING) * MAX_DEVICES  # one namespace per (device index, who issues)


def issuer(index: int, who: str) -> int:
    """The namespace of values issued for device ``index`` by ``who`` (device, server, attacker)."""
    if not 0 <= index < MAX_DEVICES:
        raise ValueError(f"device index {index}: a configuration has at most {MAX_DEVICES} devices")
    return index * len(ISSUING) + ISSUING.index(who)


class FreshCounter:
    """Real fresh values for the executable machines: each placeholder of a step becomes the
    next value of the issuer's own sequence (``1 + ISSUERS * k + issuer``), so no value is ever
    issued twice, and a machine run on its own (a test adapter) issues the very values the
    model's machine issues in its place."""

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}  # issuer -> values issued so far
        self.drawn: dict[int, int] = {}  # the placeholders of the last step and their values

    def reserve(self, slots: Iterable[Slot]) -> None:
        """Never draw a value that ``slots`` already hold (after restoring a snapshot)."""

        def note(value: int) -> int:
            if value > 0:
                k, who = divmod(value - 1, ISSUERS)
                self.counts[who] = max(self.counts.get(who, 0), k + 1)
            return value

        for slot in slots:
            map_nonces(slot, note)

    def settle(self, slot: Slot, by: int) -> Slot:
        """``slot`` with this step's placeholders replaced by new values of issuer ``by``."""
        drawn = self.drawn = {}

        def draw(value: int) -> int:
            if not is_fresh(value):
                return value
            if value not in drawn:
                k = self.counts.get(by, 0)
                self.counts[by] = k + 1
                drawn[value] = 1 + ISSUERS * k + by
            return drawn[value]

        return map_nonces(slot, draw)

    def settle_machine(self, data: Any, sent: tuple[Package, ...], by: int
                       ) -> tuple[Any, tuple[Package, ...]]:
        """A lone machine's data and packages after a step (outside a slot), placeholders drawn."""
        if isinstance(data, DeviceData):
            slot = self.settle(Slot("", data, "", AccountData(), sent, (), ()), by)
            return slot.device, slot.up
        slot = self.settle(Slot("", DeviceData(), "", data, sent, (), ()), by)
        return slot.account, slot.up

    def settled(self, package: Package) -> Package:
        """``package`` with the placeholders of the last step replaced as in its slot."""
        return _rename_package(package, lambda value: self.drawn.get(value, value))
