"""Properties the checker decides: named, traceable values, one class per kind of claim."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

Predicate = Callable[[Any], bool]


@dataclass(frozen=True)
class Always:
    """Invariant: ``predicate`` holds in every reachable state."""

    name: str
    predicate: Predicate
    requirement: str = ""
    doc: str = ""


@dataclass(frozen=True)
class NoStuckStates:
    """Every reachable state has a successor unless the model declares it terminal."""

    name: str
    requirement: str = ""
    doc: str = ""


@dataclass(frozen=True)
class AlwaysReachable:
    """No deadlock: from every reachable state where ``applies`` holds, a ``goal`` state is
    reachable (the state itself counts) using only actions whose class is in ``via``.

    ``obligations`` is a sequence of ``(applies, goal)`` predicate pairs, checked separately.
    """

    name: str
    obligations: Sequence[tuple[Predicate, Predicate]]
    via: frozenset[str] = field(default=frozenset({"protocol"}))
    requirement: str = ""
    doc: str = ""

    def __post_init__(self) -> None:
        # Normalise to immutable containers so the property stays hashable.
        object.__setattr__(self, "obligations", tuple(tuple(pair) for pair in self.obligations))
        object.__setattr__(self, "via", frozenset(_as_iterable(self.via)))


def _as_iterable(via: str | Iterable[str]) -> Iterable[str]:
    """Accept a single class name as well as a collection of them."""
    return (via,) if isinstance(via, str) else via


Property = Always | NoStuckStates | AlwaysReachable
