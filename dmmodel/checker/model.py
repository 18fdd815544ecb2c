"""The model interface the checker explores: a transition system over hashable states.

In the spirit of Stateright's ``Model`` trait: subclass, implement ``init_states`` and
``successors``, and optionally override the hooks that classify actions and render states.

A model with symmetry (interchangeable processes, values that only matter up to renaming)
implements ``representative``, Stateright's ``Representative`` and TLC's ``SYMMETRY``: the
checker then stores one state per class of equivalent states and maps each counterexample back
to a path of the model itself (``reduction.py``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    import numpy as np

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

    A model that reduces (``Model.representative``) gives its representative over states in
    bulk as ``representatives``: a callable from a numpy ``uint64`` array of global states to the
    array of their representatives, agreeing with ``Model.representative`` state by state, and
    each representative's local id of component ``c`` must be one that component reaches (e.g.
    the components are alike and the representative permutes them). ``moved`` names the
    components whose local id a representative may change; the others' it must keep (a goal of
    one of those is then still decided on its component's graph). Without ``representatives``
    the checker searches a model that reduces with its general engine.
    """

    initial: tuple[int, ...]
    moves: Callable[[int, int], Sequence[tuple[int, int]]]
    shifts: tuple[int, ...]
    action: Callable[[int, int], Any]
    representatives: Callable[[np.ndarray], np.ndarray] | None = None
    moved: frozenset[int] = frozenset()


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

    def representative(self, state: S) -> S:
        """The state that stands for ``state`` and every state equivalent to it (default:
        ``state`` itself, no reduction).

        The checker applies it to every initial state and every successor, and stores and
        deduplicates the representatives only, so one state stands for its whole class (with
        interchangeable processes: its orbit under their permutations). ``successors`` stays the
        model's own: from a representative it yields the real next states, and the checker takes
        their representatives. The contract, as for TLC's ``SYMMETRY``, is the model's to keep:

        - a canonical form: equivalent states have the same representative, which is itself
          one of them (so ``representative(representative(s)) == representative(s)``);
        - a bisimulation: for equivalent ``s`` and ``s2``, each successor of ``s`` is matched by
          an equivalent successor of ``s2`` by an action of the same class;
        - the checked properties cannot tell equivalent states apart (predicates, goals,
          ``is_terminal``): a property that names one process breaks the reduction.

        A counterexample is then found as a path through representatives
        (``Counterexample.steps``) and mapped back by the checker to a path of the model from
        its real initial state (``Counterexample.concrete``): at each step, the first successor
        of the real state whose representative is the next one recorded. A model that
        implements this hook says so with ``reduces``; a product model gives it in bulk too
        (``Product.representatives``).
        """
        return state

    def reduces(self) -> bool:
        """Whether the checker must apply ``representative`` (default: whether the model's class
        overrides it); a model that reduces only in some configurations answers per instance, so
        that the identity costs nothing on the search's hot path."""
        return type(self).representative is not Model.representative

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
