"""The compiled successor function: the rule tables as plain dictionaries, memoised per rule.

Built from the same tables as the ``transitions`` machines (``machines.py``). Rules are indexed
by (role, control state, trigger), and each rule choice and firing is memoised. A slot's steps
are not: the checker's model (``checkable.py``) keeps them once per slot id, so a second copy
here would only double the memory. A slot is kept as one int, its key, packing one small id per
part (control states, device data, account, channels, budget, attacker, monitor): equal parts
are one object, which saves memory and lets the rule caches key machine data by identity.
Nonces are renamed after every step exactly as ``nonces.canonical`` does, which keeps the
search finite, but on part ids, with the renaming of each part memoised: that is the slot level
of the search's representative (:meth:`CompiledSystem.representative`; ``DMModel.representative``
adds the device level), applied to every next slot before it gets an id, on the part ids the
step leaves (a separate pass that takes them from the key again costs 1.3 us a step, 7-11%).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import compress
from operator import is_not
from typing import Any

from dmmodel.checker.limits import LimitReached
from dmmodel.protocol.config import Config
from dmmodel.protocol.crypto import Crypto, SymbolicCrypto
from dmmodel.protocol.nonces import NONCE_FIELDS, renaming
from dmmodel.protocol.rules import Ctx, Role, Rule
from dmmodel.protocol.state import Slot
from dmmodel.protocol.system import (
    TABLES,
    Action,
    SystemState,
    apply_action,
    initial_state,
    slot_actions,
)


class CompiledRuntime:
    """Fires rules straight from a dispatch dictionary (no ``Machine`` objects).

    Guards and effects are pure, so each (role, trigger, control state, data, argument) is
    evaluated once: a device's step does not depend on its server's state, so the same local
    step recurs in many slots. One cache entry holds the rule chosen and, once fired, what it
    did. The machine's data is keyed by identity, which is cheap to hash: :class:`CompiledSystem`
    interns it, so equal data is one object (each entry keeps its data alive, so an identity in
    a key is never reused by another object). ``keep`` interns the data a rule leaves, so that
    the cache holds no second copy of a value the system keeps.
    """

    def __init__(self, config: Config, index: int, crypto: Crypto | None = None,
                 keep: Callable[[Role, Any], Any] | None = None) -> None:
        self.crypto, self.index, self.bounds = crypto or SymbolicCrypto(), index, config.bounds
        self.forgets = config.forget
        self.keep = keep or (lambda _role, data: data)
        self.ctxs = {role: Ctx(config.bounds, config.variant.for_role(role), self.crypto, index)
                     for role in TABLES}
        self.dispatch: dict[tuple[Role, str, str], list[Rule]] = {}
        for role, table in TABLES.items():
            for rule in table.for_variant(config.variant.for_role(role)).rules:
                for source in rule.sources:
                    self.dispatch.setdefault((role, source, rule.trigger), []).append(rule)
        self._cache: dict[tuple, list] = {}  # key -> [data, rule or None, what it fired or None]

    def _entry(self, role: Role, trigger: str, ctl: str, data: Any, arg: Any) -> list:
        key = (role, trigger, ctl, id(data), arg)
        entry = self._cache.get(key)
        if entry is None:
            rule = next((rule for rule in self.dispatch.get((role, ctl, trigger), ())
                         if rule.guard(self.ctxs[role], data, arg)), None)
            entry = self._cache[key] = [data, rule, None]
        return entry

    def choose(self, role: Role, trigger: str, ctl: str, data: Any, arg: Any) -> str | None:
        rule = self._entry(role, trigger, ctl, data, arg)[1]
        return None if rule is None else rule.name

    def settle(self, slot: Slot, by: str) -> Slot:
        """The slot as it is: :class:`CompiledSystem` renames its nonces (``nonces.canonical``)
        on part ids, after the step."""
        return slot

    def fire(self, role: Role, trigger: str, ctl: str, data: Any, arg: Any):
        entry = self._entry(role, trigger, ctl, data, arg)
        fired = entry[2]
        if fired is None:
            rule = entry[1]
            if rule is None:
                raise ValueError(f"{role}: no rule of {trigger!r} is enabled in {ctl!r}")
            after, out = rule.effect(self.ctxs[role], data, arg)
            fired = entry[2] = (rule.name, rule.dest, self.keep(role, after), out)
        return fired


class CompiledSystem:
    """Pure successor function over immutable system states, for the checker.

    A device's runtime is made when one of its slots is first expanded, so nothing is
    allocated per device up front (a search stopped by ``max_states`` pays for what it met).

    Each part of a slot (control states, device data, account, channels, budget, attacker,
    monitor) gets a small id when its value is first met, and a slot is stored as one int, its
    *key*, packing one part id per field (:meth:`encode`, :meth:`decode`). A key is a single
    small object to hash and keep, and equal parts are one object in memory, so the runtime's
    caches, keyed by identity, hit.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.runtimes: dict[int, CompiledRuntime] = {}
        self.ids: tuple[dict, ...] = tuple({} for _ in Slot._fields)  # per field: part -> id
        self.parts: tuple[list, ...] = tuple([] for _ in Slot._fields)  # per field: id -> part
        # per field: id -> the part's nonce values in renaming order (() for other fields)
        self.values: tuple[list, ...] = tuple([] for _ in Slot._fields)
        self.renamings: dict[tuple[int, ...], dict[int, int] | None] = {}  # values -> names
        self.renamed: tuple[dict, ...] = tuple({} for _ in Slot._fields)  # (id, new values) -> id

    def initial(self) -> SystemState:
        """The initial state, its slots interned (:meth:`intern`)."""
        return tuple(self.intern(slot) for slot in initial_state(self.config))

    def runtime(self, index: int) -> CompiledRuntime:
        """The runtime of device ``index`` (made on first use)."""
        runtime = self.runtimes.get(index)
        if runtime is None:
            runtime = self.runtimes[index] = CompiledRuntime(self.config, index, keep=self._keep)
        return runtime

    def _keep(self, role: Role, data: Any) -> Any:
        """The one object kept for machine data ``data`` of ``role``."""
        field = DEVICE_FIELD if role is Role.DEVICE else ACCOUNT_FIELD
        return self.parts[field][self.part_id(field, data)]

    def part_id(self, field: int, part: Any) -> int:
        """The id of ``part`` as field ``field`` of a slot, assigning the next one if it is new."""
        ids = self.ids[field]
        n = len(ids)
        pid = ids.setdefault(part, n)
        if pid == n:
            if n > PART_MASK:
                del ids[part]
                raise LimitReached(f"ids of a slot's {Slot._fields[field]}",
                                   f"{PART_MASK + 1:,}, {PART_BITS} bits")
            self.parts[field].append(part)
            self.values[field].append(NONCE_FIELDS[field][0](part) if field in NONCE_FIELDS else ())
        return pid

    def encode(self, slot: Slot) -> int:
        """The key of ``slot``: its part ids, packed."""
        return sum(self.part_id(k, part) << SHIFTS[k] for k, part in enumerate(slot))

    def decode(self, key: int) -> Slot:
        """The slot of ``key``, made of the one object kept for each of its parts."""
        return tuple.__new__(Slot, [parts[(key >> shift) & PART_MASK]
                                    for parts, shift in zip(self.parts, SHIFTS, strict=True)])

    def intern(self, slot: Slot) -> Slot:
        """``slot`` with each part replaced by the one object kept for its value."""
        return self.decode(self.encode(slot))

    def slot_successors(self, index: int, slot: Slot) -> list[tuple[Action, Slot]]:
        """The steps of one slot and where each leads, as interned slots."""
        return [(a, self.decode(k)) for a, k in self.key_successors(index, self.encode(slot))]

    def key_successors(self, index: int, key: int) -> list[tuple[Action, int]]:
        """The steps of the slot with key ``key`` of device ``index``: per step the action and
        the key of the slot it leads to, nonces renamed (the slot's ``representative``; not
        memoised: the caller keeps what it needs).

        Only the parts a step changed are looked up, the others keep their ids, and the
        renaming starts from the part ids the step left."""
        runtime = self.runtime(index)
        olds = [(key >> shift) & PART_MASK for shift in SHIFTS]
        slot = tuple.__new__(Slot, [p[i] for p, i in zip(self.parts, olds, strict=True)])
        ids, part_id, rename = self.ids, self.part_id, self._representative
        out = []
        for action in slot_actions(slot, self.config, runtime):
            nxt = apply_action(slot, action, runtime)
            pids = olds.copy()
            nkey = key
            for field in compress(FIELDS, map(is_not, nxt, slot)):  # the parts the step changed
                part = nxt[field]
                pid = ids[field].get(part)
                if pid is None:
                    pid = part_id(field, part)
                nkey += (pid - olds[field]) << SHIFTS[field]
                pids[field] = pid
            out.append((action, rename(nkey, pids)))
        return out

    def representative(self, key: int) -> int:
        """The key of the slot that stands for slot ``key`` under the renaming of nonces
        (``nonces.canonical``, done on part ids): the slot level of the search's representative
        (``DMModel.representative``). ``key_successors`` gives every next slot's already."""
        return self._representative(key, [(key >> shift) & PART_MASK for shift in SHIFTS])

    def _representative(self, key: int, pids: list[int]) -> int:
        """``representative`` of ``key``, whose part ids are ``pids``.

        Each part's nonce values are kept with its id, the names of the slot's values in order
        are looked up once per distinct sequence, and a part renamed is looked up once per
        (part, its new values)."""
        values = self.values
        found = GATHER(values, pids)
        names = self.renamings.get(found, found)
        if names is found:
            names = self.renamings[found] = renaming(found)
        if names is None:
            return key
        renamed = self.renamed
        for field in NONCE_FIELDS:  # rename the parts whose values change (memoised per part)
            pid = pids[field]
            mine = values[field][pid]
            if mine:
                new = tuple([names[v] for v in mine])
                if new != mine:
                    done = renamed[field].get((pid, new))
                    if done is None:
                        done = self._renamed(field, pid, new, names)
                    key += (done - pid) << SHIFTS[field]
        return key

    def _renamed(self, field: int, pid: int, new: tuple[int, ...], names: dict[int, int]) -> int:
        """The id of part ``pid`` of ``field`` renamed by ``names`` (its values become ``new``)."""
        part = NONCE_FIELDS[field][1](self.parts[field][pid], names.__getitem__)
        self.renamed[field][pid, new] = renamed = self.part_id(field, part)
        return renamed

    def successors(self, state: SystemState) -> list[tuple[tuple[int, Action], SystemState]]:
        """Every ``((device index, action), next state)`` of ``state``, in a fixed order."""
        out = []
        for i, slot in enumerate(state):
            for action, nxt in self.slot_successors(i, slot):
                out.append(((i, action), state[:i] + (nxt,) + state[i + 1:]))
        return out


# Up to 4 billion distinct values per field of a slot: more than the slots (and the transitions
# that make intermediate parts) any machine's memory holds, at about 350 bytes per state, so no
# configuration meets this cap before it runs out of memory. A key is a Python int of 192 bits
# (7 digits of 30 bits, 8 bytes more than 24 bits per part took; no measurable time).
PART_BITS = 32
PART_MASK = (1 << PART_BITS) - 1
FIELDS = tuple(range(len(Slot._fields)))
DEVICE_FIELD, ACCOUNT_FIELD = Slot._fields.index("device"), Slot._fields.index("account")
SHIFTS = tuple(k * PART_BITS for k in FIELDS)


def _gatherer(fields: Iterable[int]) -> Callable[[tuple[list, ...], list[int]], tuple[int, ...]]:
    """The nonce values of a slot's parts in renaming order, from the values kept per part id
    (``values``) and the slot's part ids (``pids``): ``values[k][pids[k]] + ...`` over the slot
    fields that carry nonces, generated as one expression (the search evaluates it every step)."""
    body = " + ".join(f"values[{k}][pids[{k}]]" for k in fields) or "()"
    return eval(f"lambda values, pids: {body}")  # the fields are ints: nothing else is evaluated


GATHER = _gatherer(NONCE_FIELDS)


def fields_mask(fields: Iterable[str]) -> int:
    """The bits of a slot key that hold the ids of ``fields`` (two keys agree on those fields
    exactly when they agree under this mask)."""
    return sum(PART_MASK << SHIFTS[Slot._fields.index(field)] for field in fields)
