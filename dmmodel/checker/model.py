"""The model interface the checker explores: a transition system over hashable states.

In the spirit of Stateright's ``Model`` trait: subclass, implement ``init_states`` and
``successors``, and optionally override the hooks that classify actions and render states.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from dmmodel.checker.properties import Property

S = TypeVar("S")
A = TypeVar("A")


class Model(ABC, Generic[S, A]):
    """A nondeterministic transition system; states are hashable values compared by value.

    ``successors`` must be deterministic in its order: the checker records the position of
    an action in that sequence and replays it to rebuild counterexample paths.
    """

    @abstractmethod
    def init_states(self) -> Iterable[S]:
        """The initial states."""

    @abstractmethod
    def successors(self, state: S) -> Iterable[tuple[A, S]]:
        """Pairs ``(action, next state)`` for every action enabled in ``state``, in a fixed order."""

    def actions(self, state: S) -> list[A]:
        """The actions enabled in ``state``, in the order of ``successors``."""
        return [action for action, _ in self.successors(state)]

    def next_state(self, state: S, action: A) -> S:
        """The state reached by taking ``action`` in ``state`` (the first match in ``successors``).

        Raises ValueError naming the action when it is not enabled in ``state``.
        """
        for candidate, target in self.successors(state):
            if candidate == action:
                return target
        try:
            label = repr(self.format_action(action))
        except Exception:  # an action the model never produced may not format: show it raw
            label = repr(action)
        raise ValueError(f"action {label} is not enabled in state {self.format_state(state)}")

    def properties(self) -> Sequence[Property]:
        """The properties checked when ``check`` is not given an explicit list."""
        return ()

    def is_terminal(self, state: S) -> bool:
        """Whether ``state`` is a deliberate end state, so having no successors is not a bug."""
        return False

    def action_class(self, action: A) -> str:
        """The class of ``action`` (e.g. "protocol" or "fault"), used by reachability checks."""
        return "protocol"

    def format_action(self, action: A) -> str:
        """A short human-readable label for ``action``."""
        return str(action)

    def format_state(self, state: S) -> str:
        """A human-readable rendering of ``state`` for reports."""
        return repr(state)

    def coverage_keys(self, action: A) -> tuple[str, ...]:
        """The names under which a transition by ``action`` counts for coverage.

        A model maps an action to the rule(s) it fires; the default is the action's label.
        """
        return (self.format_action(action),)
