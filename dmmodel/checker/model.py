"""The model interface the checker explores: a transition system over hashable states.

In the spirit of Stateright's ``Model`` trait: subclass, implement ``init_states`` and
``successors``, and optionally override the hooks that classify actions and render states.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from dmmodel.checker.properties import Property

S = TypeVar("S")
A = TypeVar("A")


@dataclass(frozen=True)
class Product:
    """A model's declaration that it is a product of independent components (``components``).

    Component ``c`` starts at local id ``initial[c]`` (a small non-negative int); ``moves(c,
    local)`` lists its steps from ``local`` as ``(local action, next local id)`` pairs, local
    actions being small non-negative ints. A global state is ``sum(local_c << shifts[c])``, an
    int below 2**64, and its successors are, component by component, each of that component's
    moves with the other local ids unchanged, the action being ``action(c, local action)``.
    The model's ``init_states`` and ``successors`` must be exactly that.
    """

    initial: tuple[int, ...]
    moves: Callable[[int, int], Sequence[tuple[int, int]]]
    shifts: tuple[int, ...]
    action: Callable[[int, int], Any]


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

    def components(self) -> Product | None:
        """The model as a ``Product`` of independent components, if it is one (default: not).

        The checker then explores each component's graph once and the product with array
        operations, with the same result as the general search.
        """
        return None

    def dense_states(self) -> bool:
        """Whether states are non-negative ints numbered about as densely as the model meets
        them (ids it hands out 0, 1, 2, ...), so the search can index them with an array instead
        of a dictionary (default: no)."""
        return False

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
