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
from typing import Any

from dmmodel.protocol.messages import Origin, Package
from dmmodel.protocol.state import AccountData, DeviceData, Intruder, Monitor, Slot

BOOTSTRAP_NONCE = 0  # the AAuthData a bootstrap provisions: a constant, never issued again
FRESH = 1 << 30  # placeholder for a value issued in this step (renamed or drawn after it)


def is_fresh(value: object) -> bool:
    """``value`` is a placeholder for a value issued in the step just taken."""
    return type(value) is int and value >= FRESH


_new = tuple.__new__  # builds a NamedTuple from its fields without the keyword-default call


def _package(p: Package, f: Callable[[int], int]) -> Package:
    cred, tag, chal = p.cred, p.tag, p.chal
    if type(cred) is tuple:
        cred = (cred[0], f(cred[1]))
    if tag is not None and tag.run:
        run = f(tag.run)
        if run != tag.run:
            tag = _new(Origin, (tag.sender, tag.epoch, run, tag.report))
    if chal is not None:
        chal = f(chal)
    if cred == p.cred and tag is p.tag and chal == p.chal:
        return p
    return _new(Package, (*p[:2], cred, *p[3:5], chal, *p[6:-1], tag))


def _packages(packages: tuple[Package, ...], f: Callable[[int], int]) -> tuple[Package, ...]:
    mapped = tuple([_package(p, f) for p in packages])
    return packages if mapped == packages else mapped  # the same object when nothing changed


def _device(d: DeviceData, f: Callable[[int], int]) -> DeviceData:
    cnonce, snonce, run = f(d.cnonce), f(d.snonce), f(d.run)
    if cnonce != d.cnonce or snonce != d.snonce or run != d.run:
        d = _new(DeviceData, (*d[:8], cnonce, snonce, run))
    return d


def _account(a: AccountData, f: Callable[[int], int]) -> AccountData:
    cnonce, snonce = f(a.cnonce), f(a.snonce)
    if cnonce != a.cnonce or snonce != a.snonce:
        a = _new(AccountData, (*a[:4], cnonce, snonce, *a[6:]))
    return a


def _attacker(attacker: Intruder | None, f: Callable[[int], int]) -> Intruder | None:
    if attacker is None:
        return None
    recorded, held = attacker.recorded, attacker.held
    recorded = _packages(recorded, f)
    if held is not None:
        package = _package(held[1], f)
        if package is not held[1]:
            held = (held[0], package)
    if recorded is not attacker.recorded or held is not attacker.held:
        attacker = attacker._replace(recorded=recorded, held=held)
    return attacker


def _monitor(monitor: Monitor, f: Callable[[int], int]) -> Monitor:
    if not monitor.opened:
        return monitor
    return _new(Monitor, (tuple(sorted([f(run) for run in monitor.opened])), *monitor[1:]))


def _package_values(p: Package, out: list[int]) -> None:
    if p.chal is not None:
        out.append(p.chal)
    if type(p.cred) is tuple:
        out.append(p.cred[1])
    if p.tag is not None and p.tag.run:
        out.append(p.tag.run)


def _packages_values(packages: tuple[Package, ...]) -> tuple[int, ...]:
    out: list[int] = []
    for p in packages:
        _package_values(p, out)
    return tuple(out)


def _attacker_values(attacker: Intruder | None) -> tuple[int, ...]:
    if attacker is None:
        return ()
    out: list[int] = []
    for p in attacker.recorded:
        _package_values(p, out)
    if attacker.held is not None:
        _package_values(attacker.held[1], out)
    return tuple(out)


# The fields of a slot that hold nonces or runs, in renaming order: per field, its values (in
# order) and its renaming by a function of values (keeping the part itself when nothing changes).
NONCE_FIELDS: dict[int, tuple[Callable[[Any], tuple[int, ...]], Callable[[Any, Callable], Any]]] = {
    Slot._fields.index("device"): (lambda d: (d.cnonce, d.snonce, d.run), _device),
    Slot._fields.index("account"): (lambda a: (a.cnonce, a.snonce), _account),
    Slot._fields.index("up"): (_packages_values, _packages),
    Slot._fields.index("down"): (_packages_values, _packages),
    Slot._fields.index("attacker"): (_attacker_values, _attacker),
    Slot._fields.index("monitor"): (lambda m: m.opened, _monitor),
}


def map_nonces(slot: Slot, f: Callable[[int], int]) -> Slot:
    """The slot with ``f`` applied to every nonce and run value, in a fixed order (the machines'
    data, then the channels, then what the attacker holds, then the monitor's runs); real
    credentials are left alone. Parts ``f`` leaves unchanged are kept as they are."""
    parts = list(slot)
    for field, (_, rename) in NONCE_FIELDS.items():
        parts[field] = rename(parts[field], f)
    return _new(Slot, parts)


def values(slot: Slot) -> list[int]:
    """Every nonce and run value of ``slot``, in :func:`map_nonces`' order."""
    out: list[int] = []
    for field, (part_values, _) in NONCE_FIELDS.items():
        out += part_values(slot[field])
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


ISSUERS = 3 * 8  # (device index, who issues): a device, its server account, its attacker


def issuer(index: int, who: str) -> int:
    """The namespace of values issued for device ``index`` by ``who`` (device, server, attacker)."""
    return index * 3 + ("device", "server", "attacker").index(who)


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
        return _package(package, lambda value: self.drawn.get(value, value))
