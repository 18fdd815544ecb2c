"""Reduction by representatives (``Model.representative``): the graph the checker searches and
the way back from it to the model's own paths.

A model that reduces is searched over representatives: the checker stores the representative
of every initial state and of every successor, so one state stands for its class. Everything
that walks the stored graph again (path replay, traps, ``CheckResult.edges``) takes the
representatives of successors the same way, through ``reduced_successors``. A path found there
runs through representatives; ``concrete_path`` re-executes it on the model from its real
initial state, as Stateright does: at each step the first successor whose representative is the
next state recorded, so every step of the result is a real step of the model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from dmmodel.checker.explored import PathStep
from dmmodel.checker.model import Model

Successors = Callable[[Any], Iterable[tuple[Any, Any]]]


def reduced_successors(model: Model) -> Successors:
    """``model.successors`` as the checker searches it: each next state replaced by its
    representative when the model reduces (``model.successors`` itself when it does not)."""
    if not model.reduces():
        return model.successors
    successors, representative = model.successors, model.representative

    def reduced(state: Any) -> list[tuple[Any, Any]]:
        return [(action, representative(target)) for action, target in successors(state)]

    return reduced


def concrete_path(model: Model, states: Sequence[Any]) -> list[PathStep]:
    """The model's own path behind ``states``, the states of a path through representatives
    from an initial state (e.g. of ``Explored.path_to``): the first initial state whose
    representative is the first of ``states``, then at each step the first successor of the
    real state reached so far whose representative is the next of ``states``.

    Without reduction that is the path through ``states`` itself, the first action to each.
    RuntimeError when no state matches: ``states`` is not such a path, or the representative
    breaks its contract (``Model.representative``)."""
    representative = model.representative if model.reduces() else _same
    state = next((s for s in model.init_states() if representative(s) == states[0]), None)
    if state is None:
        raise RuntimeError("no initial state has the representative the path starts from")
    path = [PathStep(None, "init", "init", state)]
    for number, recorded in enumerate(states[1:], 1):
        found = next(((a, t) for a, t in model.successors(state) if representative(t) == recorded),
                     None)
        if found is None:
            raise RuntimeError(f"step {number} of the path through representatives has no real "
                               "step behind it: Model.representative breaks its contract")
        action, state = found
        path.append(PathStep(action, model.format_action(action), model.action_class(action), state))
    return path


def _same(state: Any) -> Any:
    """The identity: the representative of a model that does not reduce."""
    return state
