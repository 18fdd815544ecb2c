"""The explored state space: states by index plus compact BFS parent pointers.

Only the parent index and the position of the action in ``successors(parent)`` are stored;
paths are rebuilt by replaying ``successors``, which is why its order must be deterministic.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

from dmmodel.checker.model import Model

NO_PARENT = 0xFFFFFFFF


@dataclass(frozen=True)
class PathStep:
    """One step of a path: the action taken and the state it led to.

    The first step of a path is the initial state, with ``action`` None and label "init".
    """

    action: Any
    label: str
    action_class: str
    state: Any


class Explored:
    """States in BFS discovery order (so a lower index is never deeper) with parent edges."""

    def __init__(self, model: Model, states: list, parent: array, position: array) -> None:
        self.model = model
        self.states = states
        self.parent = parent
        self.position = position

    def __len__(self) -> int:
        return len(self.states)

    def depth_of(self, index: int) -> int:
        """Number of transitions on the BFS path from an initial state to ``index``."""
        parent = self.parent
        depth = 0
        while parent[index] != NO_PARENT:
            index = parent[index]
            depth += 1
        return depth

    def path_to(self, index: int) -> list[PathStep]:
        """The shortest path from an initial state to state ``index``, replayed from the model
        (with a model that reduces, through the representatives stored: ``reduction``)."""
        chain = [index]
        while self.parent[chain[-1]] != NO_PARENT:
            chain.append(self.parent[chain[-1]])
        chain.reverse()
        model, states = self.model, self.states
        representative = model.representative if model.reduces() else None
        steps = [PathStep(None, "init", "init", states[chain[0]])]
        for src, dst in zip(chain, chain[1:], strict=False):
            successors = list(model.successors(states[src]))
            position = self.position[dst]
            if position < len(successors):
                action, state = successors[position]
                if representative is not None:
                    state = representative(state)
            if position >= len(successors) or state != states[dst]:
                raise RuntimeError(
                    "Model.successors is not deterministic: replaying the path to state "
                    f"{dst} produced a different state"
                )
            steps.append(
                PathStep(action, model.format_action(action), model.action_class(action), state)
            )
        return steps
