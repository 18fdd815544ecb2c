"""The checker's representative hook (``Model.representative``) on a model other than the DM
model: two-phase commit with interchangeable resource managers, checked with and without it.

With the hook the checker stores one state per orbit (counted here by brute force over every
permutation, independently of the hook), decides every property alike, and gives each
counterexample as a real path of the model. Representatives that merge states which are not
permutations of each other are caught by the same assertions."""

from itertools import permutations
from math import comb

import pytest
from click.testing import CliRunner

from dmmodel.checker import (
    Always,
    Counterexample,
    Model,
    PathStep,
    Property,
    assert_counterexample,
    check,
    concrete_path,
)
from dmmodel.cli import main
from dmmodel.examples.two_phase_commit import (
    ABORT,
    ABORTED,
    COMMIT,
    COMMITTED,
    PREPARED,
    SymmetricTwoPhase,
    TPState,
    TwoPhase,
    prepared_msg,
)


def permuted(state: TPState, p: tuple[int, ...]) -> TPState:
    """``state`` with resource manager ``i`` renamed ``p[i]``."""
    rm = [""] * len(p)
    for i, value in enumerate(state.rm):
        rm[p[i]] = value
    msgs = frozenset(m if m in (COMMIT, ABORT) else prepared_msg(p[m[1]]) for m in state.msgs)
    return TPState(tuple(rm), state.tm, frozenset(p[i] for i in state.tm_prepared), msgs)


def orbit(state: TPState) -> tuple:
    """One value per orbit: the least of the state's permutations, sets written sorted."""
    return min((s.rm, s.tm, tuple(sorted(s.tm_prepared)), tuple(sorted(s.msgs)))
               for s in (permuted(state, p) for p in permutations(range(len(state.rm)))))


def mixed(state: TPState) -> bool:
    """One RM aborted while another is prepared: symmetric, and reached in two steps."""
    return ABORTED in state.rm and PREPARED in state.rm


def checked(n: int) -> list[Property]:
    """The model's properties and two symmetric invariants that fail."""
    return [*TwoPhase(n).properties(), Always("nobody commits", lambda s: COMMITTED not in s.rm),
            Always("never mixed", lambda s: not mixed(s))]


def assert_real(model: Model, path: list[PathStep]) -> None:
    """``path`` is a path of ``model`` itself from an initial state, step by step."""
    assert path[0].state in model.init_states()
    for before, step in zip(path, path[1:], strict=False):
        assert (step.action, step.state) in model.successors(before.state)
        assert step.label == model.format_action(step.action)


def assert_concrete(model: Model, cex: Counterexample) -> None:
    """``cex.concrete`` is a path of ``model`` itself, step by step, behind ``cex.steps``."""
    assert len(cex.concrete) == len(cex.steps)
    assert_real(model, cex.concrete)
    assert [model.representative(s.state) for s in cex.concrete] == [s.state for s in cex.steps]


def assert_sound_reduction(reduced: Model, plain: Model, props: list[Property]) -> None:
    """The reduced search stores one state per orbit of the plain one's states, decides every
    property alike, with counterexamples of the same length whose concrete paths are real."""
    full, less = check(plain, props), check(reduced, props)
    orbits = {orbit(s) for s in full.explored.states}
    assert {orbit(s) for s in less.explored.states} == orbits
    assert less.states == len(orbits) < full.states
    assert [(v.property.name, v.holds) for v in less.verdicts] == \
        [(v.property.name, v.holds) for v in full.verdicts]
    for mine, theirs in zip(less.verdicts, full.verdicts, strict=True):
        if theirs.counterexample is not None:
            assert len(mine.counterexample.steps) == len(theirs.counterexample.steps)
            assert_concrete(reduced, mine.counterexample)
        if theirs.example is not None:  # a possibility shown by a real path, as short
            assert len(mine.example) == len(theirs.example)
            assert_real(reduced, mine.example)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_symmetric_two_phase_stores_one_state_per_orbit_with_the_same_verdicts(n: int) -> None:
    assert_sound_reduction(SymmetricTwoPhase(n), TwoPhase(n), checked(n))
    assert check(SymmetricTwoPhase(n)).states == comb(n + 3, 3) + n + 1 + comb(n + 5, 5)


def test_a_counterexample_through_representatives_comes_back_as_the_real_path() -> None:
    model = SymmetricTwoPhase(3)
    result = check(model, [Always("never mixed", lambda s: not mixed(s))])
    cex = result.verdicts[0].counterexample
    assert [s.label for s in cex.concrete] == ["init", "RMPrepare(r1)", "RMChooseToAbort(r2)"]
    assert_concrete(model, cex)
    # the recorded path ends in the representative (the aborted RM renumbered first), the real
    # one in the state the model reaches
    assert cex.steps[-1].state.rm == (ABORTED, PREPARED, "working")
    assert cex.concrete[-1].state.rm == (PREPARED, ABORTED, "working")
    assert concrete_path(model, [s.state for s in cex.steps]) == cex.concrete
    assert check(TwoPhase(3)).states == 288 and not TwoPhase(3).reduces() and model.reduces()
    assert_counterexample(result, "never mixed", ["RMPrepare(r1)", "RMChooseToAbort(r2)"])


def test_explore_prints_the_real_path_of_a_model_that_reduces() -> None:
    out = CliRunner().invoke(main, ["explore", "dmmodel.examples.two_phase_commit:SymmetricTwoPhase"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("80 states")
    assert "all aborted: shortest example" in out.output


class ForgetsWhomTheTMHeard(SymmetricTwoPhase):
    """A broken representative: sorts the RMs' states but keeps the TM's set of Prepared
    messages received and the messages as they are, so the RMs' states and what the TM heard
    from them come apart."""

    def representative(self, state: TPState) -> TPState:
        return state._replace(rm=tuple(sorted(state.rm)))


class IgnoresMessages(SymmetricTwoPhase):
    """A broken representative: merges states that differ only in the Prepared messages sent."""

    def representative(self, state: TPState) -> TPState:
        state = super().representative(state)
        return state._replace(msgs=frozenset(m for m in state.msgs if m in (COMMIT, ABORT)))


@pytest.mark.parametrize("mutant", [ForgetsWhomTheTMHeard, IgnoresMessages])
def test_a_representative_that_merges_states_of_different_orbits_is_caught(mutant: type) -> None:
    with pytest.raises((AssertionError, RuntimeError)):
        assert_sound_reduction(mutant(3), TwoPhase(3), checked(3))
