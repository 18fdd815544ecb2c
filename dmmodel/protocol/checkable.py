"""The DM model as a client of the generic checker: states, successors and named properties.

For speed and memory the checker sees each system state as one integer: every distinct slot
(device, account, channels, budget) gets a small id when first met, and a state packs one id
per device into fixed-width bit fields. Actions are small integers too (``step_action`` gives
the ``(device index, Action)`` back). A slot's moves, invariant verdicts and goal verdicts are
computed once per slot id, so expanding a state is a few shifts and list lookups. ``decode``
turns an integer back into the tuple of slots. Successors are yielded one by one, so a search
stopped by ``max_states`` does not build every successor of the state it stopped in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy as np

from dmmodel.checker import Always, AlwaysReachable, Model, NoStuckStates, Property
from dmmodel.checker.predicates import ArrayPredicate
from dmmodel.protocol.compiled import CompiledSystem
from dmmodel.protocol.config import Config, Variant
from dmmodel.protocol.crypto import device_name
from dmmodel.protocol.properties import GOALS, INVARIANTS, SlotPredicate
from dmmodel.protocol.rules import PROTOCOL, Role
from dmmodel.protocol.state import Slot
from dmmodel.protocol.system import RULES, TABLES, Action, Channel, Step, SystemState

StepAction = tuple[int, Action]
SLOT_BITS = 24  # up to 16.7 million distinct slots per device
SLOT_MASK = (1 << SLOT_BITS) - 1

NO_STUCK_STATE = NoStuckStates(
    "no_stuck_state",
    requirement="DM-HLR-1",
    doc="every reachable state has a successor (the model declares no terminal states)",
)


def coverage_names(variant: Variant | None = None) -> list[str]:
    """Every name a transition of ``variant`` (default: any variant) may count under for
    coverage, in table order: ``role:rule`` for each rule the variant keeps, then the
    environment's steps on channels."""
    names = [f"{role}:{rule.name}" for role, table in TABLES.items()
             for rule in (table.rules if variant is None else table.for_variant(variant).rules)]
    return names + [f"{step} {channel}" for step in (Step.DISCARD, Step.LOSE) for channel in Channel]


def property_names() -> list[str]:
    """Every property name, in the order of the verdict matrix."""
    return [name for name, _, _ in property_docs()]


def property_docs() -> list[tuple[str, str, str]]:
    """(name, requirement, doc) of every property, in the order of the verdict matrix."""
    return [(p.name, p.requirement, p.doc) for p in (*INVARIANTS, NO_STUCK_STATE, *GOALS)]


class DMModel(Model[int, int]):
    """One configuration of the DM system, explored through the compiled successor function."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.devices = config.bounds.devices
        self.system = CompiledSystem(config)
        self.slots: list[Slot] = []
        self.slot_ids: dict[Slot, int] = {}
        self.moves: list[dict[int, list[tuple[int, int]]]] = [{} for _ in range(self.devices)]
        self.step_actions: list[StepAction] = []
        self.action_ids: dict[StepAction, int] = {}
        self.verdicts: dict[SlotPredicate, bytearray] = {}
        self.failing: dict[SlotPredicate, list[int]] = {}  # slots failing, in a mutable cell
        self.shifts = [i * SLOT_BITS for i in range(self.devices)]

    # -- encoding -------------------------------------------------------------------------
    def slot_id(self, slot: Slot) -> int:
        """The id of ``slot``, assigning the next one to a slot not met before."""
        sid = self.slot_ids.get(slot)
        if sid is None:
            sid = self.slot_ids[slot] = len(self.slots)
            if sid > SLOT_MASK:
                raise OverflowError("more distinct slots than the state encoding holds")
            self.slots.append(slot)
            for predicate, results in self.verdicts.items():
                verdict = predicate(slot)
                results.append(verdict)
                if not verdict:
                    self.failing[predicate][0] += 1
        return sid

    def action_id(self, action: StepAction) -> int:
        """The id of a ``(device index, Action)``."""
        aid = self.action_ids.get(action)
        if aid is None:
            aid = self.action_ids[action] = len(self.step_actions)
            self.step_actions.append(action)
        return aid

    def step_action(self, action_id: int) -> StepAction:
        """The ``(device index, Action)`` an action id stands for."""
        return self.step_actions[action_id]

    def encode(self, state: SystemState) -> int:
        """The integer for a tuple of slots."""
        return sum(self.slot_id(slot) << shift for slot, shift in zip(state, self.shifts, strict=True))

    def decode(self, state: int) -> SystemState:
        """The tuple of slots an integer stands for."""
        return tuple(self.slots[(state >> shift) & SLOT_MASK] for shift in self.shifts)

    def slot_test(self, predicate: SlotPredicate) -> bytearray:
        """The verdicts of ``predicate`` per slot id, kept up to date as slots are met."""
        results = self.verdicts.get(predicate)
        if results is None:
            results = self.verdicts[predicate] = bytearray(predicate(s) for s in self.slots)
            self.failing[predicate] = [results.count(0)]
        return results

    # -- the checker's Model interface ----------------------------------------------------
    def init_states(self) -> Iterable[int]:
        return [self.encode(self.system.initial())]

    def _slot_moves(self, index: int, sid: int) -> list[tuple[int, int]]:
        moves = [(self.action_id((index, action)), self.slot_id(nxt))
                 for action, nxt in self.system.slot_successors(index, self.slots[sid])]
        self.moves[index][sid] = moves
        return moves

    def successors(self, state: int) -> Iterator[tuple[int, int]]:
        for index, shift in enumerate(self.shifts):
            sid = (state >> shift) & SLOT_MASK
            moves = self.moves[index].get(sid)
            if moves is None:
                moves = self._slot_moves(index, sid)
            for action, nid in moves:
                yield action, state + ((nid - sid) << shift)

    def properties(self) -> list[Property]:
        """The named properties: safety invariants, no stuck state, and the reachability goals."""
        props: list[Property] = [
            Always(i.name, self._all_slots(i.check), requirement=i.requirement, doc=i.doc)
            for i in INVARIANTS
        ]
        props.append(NO_STUCK_STATE)
        props += [
            AlwaysReachable(g.name, self._per_device(g.applies, g.goal), via=frozenset({PROTOCOL}),
                            requirement=g.requirement, doc=g.doc)
            for g in GOALS
        ]
        return props

    def action_class(self, action: int) -> str:
        return self.step_actions[action][1].cls

    def coverage_keys(self, action: int) -> tuple[str, ...]:
        """The rules a step fires (``role:rule``, a chained one too), or ``discard up`` etc."""
        act = self.step_actions[action][1]
        if act.rule is None:
            return (f"{act.step} {act.channel}",)
        keys = (f"{act.role}:{act.rule}",)
        if act.chained is not None:
            keys += (f"{RULES[act.role, act.rule].chain.role}:{act.chained}",)
        return keys

    def format_action(self, action: int) -> str:
        index, act = self.step_actions[action]
        if act.role is Role.SERVER and act.step is not Step.DISCARD:
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
    def _all_slots(self, check: SlotPredicate) -> Callable[[int], bool]:
        results, shifts = self.slot_test(check), self.shifts
        failing = self.failing[check]

        def holds(state: int) -> bool:
            # while no slot met so far fails, no state made of them can
            return not failing[0] or all(results[(state >> shift) & SLOT_MASK] for shift in shifts)

        return holds

    def _per_device(self, applies: SlotPredicate, goal: SlotPredicate
                    ) -> list[tuple[ArrayPredicate, ArrayPredicate]]:
        """One ``(applies, goal)`` obligation per device, each a lookup in per-slot verdicts that
        also works over a whole uint64 array of states at once (``ArrayPredicate``)."""
        return [(self._device_test(applies, shift), self._device_test(goal, shift))
                for shift in self.shifts]

    def _device_test(self, predicate: SlotPredicate, shift: int) -> ArrayPredicate:
        """``predicate`` on the slot at ``shift``, state by state or over an array of states."""
        results = self.slot_test(predicate)

        def over_states(states: np.ndarray) -> np.ndarray:
            table = np.frombuffer(bytes(results), dtype=np.bool_)  # a snapshot: slots may grow
            return table[(states >> np.uint64(shift)) & np.uint64(SLOT_MASK)]

        return ArrayPredicate(lambda s: bool(results[(s >> shift) & SLOT_MASK]), over_states)
