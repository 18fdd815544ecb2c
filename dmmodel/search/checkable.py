"""The DM model as a client of the generic checker: states, successors and named properties.

For speed and memory the checker sees each system state as one integer: every distinct slot
(device, account, channels, budget, attacker, monitor) gets a small id when first met (its key,
``CompiledSystem.encode``, is what identifies it), and a state packs one id per device into
bit fields of equal width, 63 bits shared by the devices (31 bits each for two, 21 for three);
with one device a state is its slot id, numbered in the order slots are met (``dense_states``),
with no cap short of 2**63. A slot met when the ids of its width are used up ends the search
cleanly (``LimitReached``: the result is partial and says "ran out of slot ids").
Slot predicates carry the fields they read (``properties.reads``, derived from their code) and
are evaluated once per distinct value of those fields. Slot ids are shared by all devices, so a
slot's steps, invariant verdicts and goal verdicts are computed once per slot id and expanding a
state is a few shifts and list lookups; with one device a state is expanded once, so its steps
are not kept at all.
Actions are small integers too (``step_action`` gives the ``(device index, Action)`` back).
``decode`` turns an integer back into the tuple of slots. Successors of several devices are
yielded one by one, so a search stopped by ``max_states`` does not build every successor of the
state it stopped in.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Iterator
from math import factorial

import numpy as np

from dmmodel.checker import (
    Always,
    AlwaysReachable,
    LimitReached,
    Model,
    NoStuckStates,
    Product,
    Property,
)
from dmmodel.checker.predicates import ArrayPredicate
from dmmodel.protocol.config import Config, Variant
from dmmodel.protocol.crypto import device_name
from dmmodel.protocol.properties import GOALS, INVARIANTS, SlotPredicate
from dmmodel.protocol.rules import PROTOCOL, Role
from dmmodel.protocol.state import Slot
from dmmodel.protocol.system import RULES, TABLES, Action, Channel, StepKind, SystemState
from dmmodel.search.compiled import CompiledSystem, fields_mask

StepAction = tuple[int, Action]
STATE_BITS = 63  # states must fit a signed 64-bit integer (numpy arrays of states)
FULL = fields_mask(Slot._fields)  # a predicate without ``reads`` reads everything
CACHE_REVIEW = 1024  # slots met before the first review of the verdict caches (then at 2x, 4x ...)

NO_STUCK_STATE = NoStuckStates(
    "no_stuck_state",
    requirement="DM-HLR-1",
    doc="every reachable state has a successor (the model declares no terminal states)",
)


def slot_bits(devices: int) -> int:
    """The bits of a state that hold one device's slot id: the 63 of a state shared equally
    (63 for one device, 31 each for two, 21 for three, 7 for eight)."""
    return STATE_BITS // devices


def coverage_names(variant: Variant | None = None) -> list[str]:
    """Every name a transition of ``variant`` (default: any variant) may count under for
    coverage, in table order: ``role:rule`` for each rule the variant keeps, then the
    environment's steps on channels."""
    names = [f"{role}:{rule.name}" for role, table in TABLES.items()
             for rule in (table if variant is None else table.for_variant(variant.for_role(role))).rules]
    return names + [f"{step} {channel}" for step in (StepKind.DISCARD, StepKind.LOSE) for channel in Channel]


def security_names() -> list[str]:
    """The security properties (requirements DM-SEC-n): the second table of the matrix."""
    return [name for name, requirement, _ in property_docs() if requirement.startswith("DM-SEC")]


def property_names() -> list[str]:
    """Every property name, in the order of the verdict matrix."""
    return [name for name, _, _ in property_docs()]


def property_docs() -> list[tuple[str, str, str]]:
    """(name, requirement, doc) of every property, in the order of the verdict matrix."""
    return [(p.name, p.requirement, p.doc) for p in (*INVARIANTS, NO_STUCK_STATE, *GOALS)]


class DMModel(Model[int, int]):
    """One configuration of the DM system, explored through the compiled successor function.

    With ``symmetry`` the devices are interchangeable: the model's ``representative`` (which
    the checker applies to every state it meets) sorts the slot ids of the permutable devices,
    so one state stands for its whole orbit, and the checker maps each counterexample back to
    the real devices. Only the devices the checked properties do not single out are permuted: a
    per-device reachability goal is decided for the first device, which then keeps its place
    (by symmetry its verdict is every device's). ``properties`` names the properties to check
    (default all).
    """

    def __init__(self, config: Config, symmetry: bool = False,
                 properties: Collection[str] | None = None) -> None:
        self.config = config
        self.devices = config.bounds.devices
        self.system = CompiledSystem(config)
        self.wanted = set(property_names() if properties is None else properties)
        watched = any(g.name in self.wanted for g in GOALS)
        self.fixed = int(watched) if symmetry else self.devices  # leading devices kept in place
        self.symmetric = self.devices - self.fixed >= 2
        self.keys: list[int] = []  # per slot id, the slot's key (``CompiledSystem.encode``)
        self.slot_ids: dict[int, int] = {}  # key -> slot id
        # a slot's steps, kept once per slot id when slots recur (two devices or more)
        self.moves: dict[int, list[tuple[int, int]]] | None = {} if self.devices > 1 else None
        self.local_actions: list[Action] = []
        self.local_ids: dict[Action, int] = {}
        self.verdicts: dict[SlotPredicate, bytearray] = {}
        self.failing: dict[SlotPredicate, list[int]] = {}  # slots failing, in a mutable cell
        # per predicate tested: (predicate, verdicts, failing cell, mask of what it reads, cache)
        self.tests: list[tuple[SlotPredicate, bytearray, list[int], int, dict[int, bool]]] = []
        self.slot_bits = slot_bits(self.devices)
        self.slot_mask = (1 << self.slot_bits) - 1
        self.shifts = [i * self.slot_bits for i in range(self.devices)]
        if self.symmetric:  # the checker's hook, as fast as the encoding allows
            self.representative = self._fast_representative()  # type: ignore[method-assign]

    # -- encoding -------------------------------------------------------------------------
    def slot_id(self, slot: Slot) -> int:
        """The id of ``slot``, assigning the next one to a slot not met before.

        Ids are shared by every device: a symbolic slot is the same whichever device holds it
        (the device index only selects real secrets, which the checker never makes).
        """
        return self._sid(self.system.encode(slot))

    def _sid(self, key: int) -> int:
        """The id of the slot with key ``key``."""
        n = len(self.keys)
        sid = self.slot_ids.setdefault(key, n)
        if sid == n:
            if sid > self.slot_mask:
                del self.slot_ids[key]
                raise LimitReached("slot ids", f"{self.slot_mask + 1:,} per device, {self.slot_bits} "
                                               f"of a state's {STATE_BITS} bits each for "
                                               f"{self.devices} device(s)")
            self.keys.append(key)
            slot = None
            for predicate, results, failing, mask, known in self.tests:
                verdict = known.get(key & mask)
                if verdict is None:
                    if slot is None:
                        slot = self.system.decode(key)
                    verdict = predicate(slot)
                    if mask != FULL:
                        known[key & mask] = verdict
                results.append(verdict)
                if not verdict:
                    failing[0] += 1
            if n >= CACHE_REVIEW and not n & (n - 1):
                self._review_caches(n)
        return sid

    def _review_caches(self, slots: int) -> None:
        """Stop caching the verdicts of a predicate whose fields take nearly as many values as
        there are slots: its cache would cost memory and save no evaluation."""
        self.tests = [(p, results, failing, FULL, {}) if len(known) * 2 > slots else
                      (p, results, failing, mask, known)
                      for p, results, failing, mask, known in self.tests]

    def slot(self, sid: int) -> Slot:
        """The slot with id ``sid``."""
        return self.system.decode(self.keys[sid])

    @property
    def slots(self) -> list[Slot]:
        """Every slot met so far, by id (decoded on each call: for tests and reports)."""
        return [self.system.decode(key) for key in self.keys]

    def step_action(self, action_id: int) -> StepAction:
        """The ``(device index, Action)`` an action id stands for (taken from a representative,
        the index is a place in it: a counterexample's ``concrete`` path names the real device)."""
        local, index = divmod(action_id, self.devices)
        return index, self.local_actions[local]

    def encode(self, state: SystemState) -> int:
        """The integer for a tuple of slots, devices in their order (``representative`` gives
        the state that stands for it with symmetry)."""
        return sum(self.slot_id(slot) << shift for slot, shift in zip(state, self.shifts, strict=True))

    def decode(self, state: int) -> SystemState:
        """The tuple of slots an integer stands for."""
        mask = self.slot_mask
        return tuple(self.slot((state >> shift) & mask) for shift in self.shifts)

    def slot_test(self, predicate: SlotPredicate) -> bytearray:
        """The verdicts of ``predicate`` per slot id, kept up to date as slots are met."""
        results = self.verdicts.get(predicate)
        if results is None:
            results = self.verdicts[predicate] = bytearray(predicate(s) for s in self.slots)
            failing = self.failing[predicate] = [results.count(0)]
            fields = getattr(predicate, "reads", Slot._fields)
            self.tests.append((predicate, results, failing, fields_mask(fields), {}))
        return results

    # -- symmetry -------------------------------------------------------------------------
    def reduces(self) -> bool:
        """Whether the checker applies ``representative``: with symmetry and two devices or more
        to permute."""
        return self.symmetric

    def representative(self, state: int) -> int:
        """The state standing for ``state`` under the model's two reductions, which the checker
        applies to every state it meets: the renaming of nonces in each slot, and the order of
        the devices. The slot level is done before a slot gets an id (``key_successors`` gives
        each next slot's ``CompiledSystem.representative``, memoised per part), so every slot id
        is already renamed and only the device level is left here: the permutable devices'
        slot ids sorted."""
        mask, fixed, shifts = self.slot_mask, self.fixed, self.shifts
        sids = [(state >> shift) & mask for shift in shifts]
        sids[fixed:] = sorted(sids[fixed:])
        return sum(sid << shift for sid, shift in zip(sids, shifts, strict=True))

    def _fast_representative(self) -> Callable[[int], int]:
        """``representative`` as a closure over the encoding's constants, for the search's hot
        path: with two devices to permute, a swap of their slot ids when out of order."""
        if self.devices - self.fixed != 2:
            return self.representative
        first, second = self.shifts[self.fixed:]
        mask = self.slot_mask

        def representative(state: int) -> int:
            a, b = (state >> first) & mask, (state >> second) & mask
            return state if a <= b else state + ((b - a) << first) + ((a - b) << second)

        representative.__doc__ = DMModel.representative.__doc__
        return representative

    def _representatives(self, states: np.ndarray) -> np.ndarray:
        """``representative`` over a uint64 array of states (``Product.representatives``)."""
        mask, shifts = np.uint64(self.slot_mask), self.shifts
        if self.devices == 2:  # both permutable
            bits = np.uint64(self.slot_bits)
            low, high = states & mask, states >> bits
            return np.minimum(low, high) | np.maximum(low, high) << bits
        free = np.sort(np.stack([(states >> np.uint64(shift)) & mask
                                 for shift in shifts[self.fixed:]], axis=1), axis=1)
        out = states & np.uint64((1 << shifts[self.fixed]) - 1)  # the fixed devices' fields
        for column, shift in enumerate(shifts[self.fixed:]):
            out |= free[:, column] << np.uint64(shift)
        return out

    def raw_states(self, states: Iterable[int]) -> int:
        """How many states of the unreduced model the canonical ``states`` stand for (the sum of
        their orbit sizes); ``states`` themselves without symmetry.

        A representative whose permutable devices hold slots occurring ``c1, c2, ...`` times
        stands for ``k! / (c1! c2! ...)`` states (``k`` permutable devices). Counted over an array
        of all states at once: after sorting, the product of each column's run length (how many
        equal slots end there) is ``c1! c2! ...``."""
        if not self.symmetric:
            return sum(1 for _ in states)
        packed = np.fromiter(states, dtype=np.uint64)
        mask = np.uint64(self.slot_mask)
        free = [(packed >> np.uint64(shift)) & mask for shift in self.shifts[self.fixed:]]
        run = np.ones(packed.size, dtype=np.int64)
        repeats = np.ones(packed.size, dtype=np.int64)  # c1! c2! ... per state
        for before, after in itertools.pairwise(free):  # sorted by ``representative``
            run = np.where(after == before, run + 1, 1)
            repeats *= run
        return int((factorial(len(free)) // repeats).sum())

    # -- the checker's Model interface ----------------------------------------------------
    def init_states(self) -> Iterable[int]:
        return [self.encode(self.system.initial())]

    def _slot_moves(self, sid: int) -> list[tuple[int, int]]:
        """(local action id, next slot id) per step of slot ``sid``."""
        moves = None if self.moves is None else self.moves.get(sid)
        if moves is None:
            local_ids, local_actions = self.local_ids, self.local_actions
            moves = []
            for action, key in self.system.key_successors(0, self.keys[sid]):
                local = local_ids.get(action)
                if local is None:
                    local = local_ids[action] = len(local_actions)
                    local_actions.append(action)
                moves.append((local, self._sid(key)))
            if self.moves is not None:
                self.moves[sid] = moves
        return moves

    def dense_states(self) -> bool:
        """With one device a state is its slot id, numbered in the order slots are met."""
        return self.devices == 1

    def components(self) -> Product | None:
        """The devices are independent: each slot evolves alone, a state packs one slot id per
        device and its successors are each device's slot moves in turn; with symmetry the
        representatives come in bulk too (the permutable devices' slot graphs are one and the
        same). One device is left to the general search: exploring the component is the whole
        search."""
        if self.devices == 1:
            return None
        devices = self.devices
        return Product(initial=tuple(self.slot_id(slot) for slot in self.system.initial()),
                       moves=lambda _device, sid: self._slot_moves(sid),
                       shifts=tuple(self.shifts),
                       action=lambda device, local: local * devices + device,
                       representatives=self._representatives if self.symmetric else None,
                       moved=frozenset(range(self.fixed, devices)) if self.symmetric else frozenset())

    def successors(self, state: int) -> Iterator[tuple[int, int]]:
        """Each device's steps in turn, as real states (with symmetry the checker takes their
        representatives: ``representative``)."""
        if self.devices == 1:  # the state is the slot id, an action id a local one
            return iter(self._slot_moves(state))
        return self._product_successors(state)

    def _product_successors(self, state: int) -> Iterator[tuple[int, int]]:
        devices, known, mask = self.devices, self.moves, self.slot_mask
        for index, shift in enumerate(self.shifts):
            sid = (state >> shift) & mask
            moves = known.get(sid)
            if moves is None:
                moves = self._slot_moves(sid)
            for local, nid in moves:
                yield local * devices + index, state + ((nid - sid) << shift)

    def properties(self) -> list[Property]:
        """The named properties: safety invariants, no stuck state, and the reachability goals."""
        props: list[Property] = [
            Always(i.name, self._all_slots(i.check), requirement=i.requirement, doc=i.doc)
            for i in INVARIANTS
        ]
        props.append(NO_STUCK_STATE)
        # with symmetry only the first device keeps its place, so only its goals are tracked
        watched = self.devices if self.fixed == self.devices else self.fixed
        props += [
            AlwaysReachable(g.name, self._per_device(g.applies, g.goal)[:watched],
                            via=frozenset({PROTOCOL}), requirement=g.requirement, doc=g.doc)
            for g in GOALS
        ]
        return [p for p in props if p.name in self.wanted]

    def action_class(self, action: int) -> str:
        return self.local_actions[action // self.devices].cls

    def coverage_keys(self, action: int) -> tuple[str, ...]:
        """The rules a step fires (``role:rule``, a chained one too), or ``discard up`` etc."""
        act = self.local_actions[action // self.devices]
        if act.rule is None:
            return (f"{act.kind} {act.channel}",)
        keys = (f"{act.role}:{act.rule}",)
        if act.chained is not None:
            keys += (f"{RULES[act.role, act.rule].chain.role}:{act.chained}",)
        return keys

    def format_action(self, action: int) -> str:
        index, act = self.step_action(action)
        if act.role is Role.SERVER and act.kind is not StepKind.DISCARD:
            who = "server" if self.devices == 1 else f"server ({device_name(index)})"
        else:
            who = device_name(index)
        return f"{who}: {act.label()}"

    def format_state(self, state: int) -> str:
        return " || ".join(
            f"{device_name(i)} {s.device_state} g{s.device.gen} / server {s.server_state} g{s.account.gen}"
            f" up={len(s.up)} down={len(s.down)}"
            for i, s in enumerate(self.decode(state))
        )

    # -- predicates over encoded states ---------------------------------------------------
    def _all_slots(self, check: SlotPredicate) -> ArrayPredicate:
        """``check`` on every device's slot, state by state or over an array of states."""
        results, shifts, mask = self.slot_test(check), self.shifts, self.slot_mask
        failing = self.failing[check]

        def holds(state: int) -> bool:
            # while no slot met so far fails, no state made of them can
            return not failing[0] or all(results[(state >> shift) & mask] for shift in shifts)

        def over_states(states: np.ndarray) -> np.ndarray:
            if not failing[0]:
                return np.ones(len(states), dtype=np.bool_)
            table = np.frombuffer(bytes(results), dtype=np.bool_)
            return np.logical_and.reduce(
                [table[(states >> np.uint64(shift)) & np.uint64(mask)] for shift in shifts])

        return ArrayPredicate(holds, over_states)

    def _per_device(self, applies: SlotPredicate, goal: SlotPredicate
                    ) -> list[tuple[ArrayPredicate, ArrayPredicate]]:
        """One ``(applies, goal)`` obligation per device, each a lookup in per-slot verdicts that
        also works over a whole uint64 array of states at once (``ArrayPredicate``)."""
        return [(self._device_test(applies, shift), self._device_test(goal, shift))
                for shift in self.shifts]

    def _device_test(self, predicate: SlotPredicate, shift: int) -> ArrayPredicate:
        """``predicate`` on the slot at ``shift``, state by state, over an array of states, or over
        an array of that device's slot ids (the device is the product component it depends on)."""
        results, mask = self.slot_test(predicate), self.slot_mask

        def over_locals(sids: np.ndarray) -> np.ndarray:
            return np.frombuffer(bytes(results), dtype=np.bool_)[sids]  # a snapshot: slots may grow

        def over_states(states: np.ndarray) -> np.ndarray:
            return over_locals((states >> np.uint64(shift)) & np.uint64(mask))

        return ArrayPredicate(lambda s: bool(results[(s >> shift) & mask]), over_states,
                              component=shift // self.slot_bits, over_locals=over_locals)
