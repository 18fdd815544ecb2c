"""The model interface the checker explores: a transition system over hashable states.

In the spirit of Stateright's ``Model`` trait: subclass, override the three required
methods, and optionally the hooks that classify actions and render states.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from dmmodel.checker.properties import Property

S = TypeVar("S")
A = TypeVar("A")


class Model(Generic[S, A]):
    """A nondeterministic transition system; states are hashable values compared by value.

    ``successors`` must be deterministic in its order: the checker records the position of
    an action in that sequence and replays it to rebuild counterexample paths.
    """

    def init_states(self) -> Iterable[S]:
        """The initial states."""
        raise NotImplementedError

    def actions(self, state: S) -> Iterable[A]:
        """The actions enabled in ``state``."""
        raise NotImplementedError

    def next_state(self, state: S, action: A) -> S:
        """The state reached by taking ``action`` in ``state``."""
        raise NotImplementedError

    def successors(self, state: S) -> Iterable[tuple[A, S]]:
        """Pairs ``(action, next state)``; override to compute both in one pass for speed."""
        next_state = self.next_state
        return [(action, next_state(state, action)) for action in self.actions(state)]

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
