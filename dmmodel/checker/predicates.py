"""State predicates with an optional vectorised form, to decide properties over all states at once.

A predicate is any callable ``state -> bool``. One that also has an attribute ``over_states``
(a callable from a numpy ``uint64`` array of states to a ``bool`` array of the same length) is
evaluated by the reachability properties with one call over every explored state instead of one
Python call per state. The checker offers that form only when the model's states are ints in
``[0, 2**64)``: it packs them into one array (once per search) and falls back to per-state calls
when a state does not fit. ``ArrayPredicate`` bundles both forms; they must agree on every state.

A predicate of a product model (``model.Product``) that looks at one component only may say so:
``component`` (its index) and ``over_locals`` (a callable from a uint64 array of that component's
local ids to a bool array). ``AlwaysReachable`` then decides its goal on that component's graph.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


class ArrayPredicate:
    """A predicate given state by state (``per_state``) and over a uint64 array (``over_states``)."""

    __slots__ = ("component", "over_locals", "over_states", "per_state")

    def __init__(self, per_state: Callable[[Any], bool],
                 over_states: Callable[[np.ndarray], np.ndarray], component: int | None = None,
                 over_locals: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        self.per_state = per_state
        self.over_states = over_states
        self.component = component
        self.over_locals = over_locals

    def __call__(self, state: Any) -> bool:
        return self.per_state(state)


def vectorised(predicate: Callable[[Any], bool]) -> bool:
    """Whether ``predicate`` offers the vectorised form ``over_states``."""
    return callable(getattr(predicate, "over_states", None))


def local_to(predicate: Callable[[Any], bool]) -> int | None:
    """The component ``predicate`` declares it depends on alone (with ``over_locals``), if any."""
    component = getattr(predicate, "component", None)
    return component if callable(getattr(predicate, "over_locals", None)) else None


def pack(states: Sequence[Any]) -> np.ndarray | None:
    """The states as a uint64 array, or None when some state is not an int in [0, 2**64)."""
    try:
        return np.fromiter(states, dtype=np.uint64, count=len(states))
    except (TypeError, ValueError, OverflowError):
        return None


def evaluate(predicate: Callable[[Any], bool], states: Sequence[Any], packed: np.ndarray | None,
             at: np.ndarray | None = None) -> np.ndarray:
    """The values of ``predicate`` at the states with indices ``at`` (every state when None), as
    a bool array; vectorised when ``packed`` (the states from ``pack``) is given and it can be."""
    if packed is not None and vectorised(predicate):
        values = predicate.over_states(packed if at is None else packed[at])
        return np.asarray(values, dtype=np.bool_)
    chosen = states if at is None else [states[i] for i in at.tolist()]
    return np.fromiter((bool(predicate(s)) for s in chosen), dtype=np.bool_, count=len(chosen))


def first_notable(predicate: Callable[[Any], bool], notable: bool, states: Sequence[Any],
                  packed: np.ndarray | None) -> int | None:
    """The index of the first of ``states`` where ``predicate`` is ``notable``, if any; one
    vectorised call when ``packed`` (the states from ``pack``) is given and it can be."""
    if packed is not None and vectorised(predicate):
        values = np.asarray(predicate.over_states(packed), dtype=np.bool_)
        hits = np.flatnonzero(values if notable else ~values)
        return int(hits[0]) if hits.size else None
    return next((i for i, s in enumerate(states) if bool(predicate(s)) == notable), None)
