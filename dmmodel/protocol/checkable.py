"""The DM model as a client of the generic checker: states, successors and named properties."""

from __future__ import annotations

from collections.abc import Iterable

from dmmodel.checker import Always, AlwaysReachable, Model, NoStuckStates, Property
from dmmodel.protocol.compiled import CompiledSystem
from dmmodel.protocol.config import Config
from dmmodel.protocol.crypto import device_name
from dmmodel.protocol.properties import GOALS, INVARIANTS
from dmmodel.protocol.rules import PROTOCOL
from dmmodel.protocol.system import Action, SystemState

StepAction = tuple[int, Action]

NO_STUCK_STATE = NoStuckStates(
    "no_stuck_state",
    requirement="DM-HLR-1",
    doc="every reachable state has a successor (the model declares no terminal states)",
)


def dm_properties(config: Config) -> list[Property]:
    """The named properties of DESIGN.md section 4 for ``config``'s number of devices."""
    props: list[Property] = [Always(i.name, i, requirement=i.requirement, doc=i.doc)
                             for i in INVARIANTS]
    props.append(NO_STUCK_STATE)
    props += [
        AlwaysReachable(g.name, g.obligations(config.bounds.devices), via=frozenset({PROTOCOL}),
                        requirement=g.requirement, doc=g.doc)
        for g in GOALS
    ]
    return props


def property_names() -> list[str]:
    """Every property name, in the order of the verdict matrix."""
    return [i.name for i in INVARIANTS] + [NO_STUCK_STATE.name] + [g.name for g in GOALS]


class DMModel(Model[SystemState, StepAction]):
    """One configuration of the DM system, explored through the compiled successor function."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.system = CompiledSystem(config)

    def init_states(self) -> Iterable[SystemState]:
        return [self.system.initial()]

    def successors(self, state: SystemState) -> list[tuple[StepAction, SystemState]]:
        return self.system.successors(state)

    def actions(self, state: SystemState) -> list[StepAction]:
        return [a for a, _ in self.system.successors(state)]

    def next_state(self, state: SystemState, action: StepAction) -> SystemState:
        return self.system.step(state, *action)

    def properties(self) -> list[Property]:
        return dm_properties(self.config)

    def action_class(self, action: StepAction) -> str:
        return action[1].cls

    def format_action(self, action: StepAction) -> str:
        index, act = action
        who = "server" if act.kind in ("server", "deliver_up") else device_name(index)
        prefix = f"{who}" if self.config.bounds.devices == 1 or who != "server" else (
            f"server ({device_name(index)})")
        return f"{prefix}: {act.label()}"

    def format_state(self, state: SystemState) -> str:
        return " || ".join(
            f"{device_name(i)} {s.device} g{s.dev.gen} / server {s.server} g{s.acct.gen}"
            f" up={len(s.up)} down={len(s.down)}"
            for i, s in enumerate(state)
        )
