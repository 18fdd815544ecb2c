"""The Stateright-style test helpers: they pass on what holds and fail naming what does not."""

import pytest
from counters import Counters

from dmmodel.checker import (
    Always,
    AlwaysReachable,
    NoStuckStates,
    Sometimes,
    assert_counterexample,
    assert_discovery,
    assert_properties,
    check,
)

HOLDING = [
    Always("bounded", lambda s: max(s) <= 2),
    NoStuckStates("moves"),
    AlwaysReachable("top", [(lambda s: True, lambda s: s == (2, 2))]),
    Sometimes("corner", lambda s: s == (2, 0)),
]


def test_assert_properties_passes_when_everything_holds():
    assert_properties(check(Counters(2, terminal=True), HOLDING))


def test_assert_properties_lists_every_failure_with_its_path():
    props = [
        *HOLDING,
        Always("small", lambda s: sum(s) < 2),
        Sometimes("off the board", lambda s: s == (3, 3)),
    ]
    with pytest.raises(AssertionError) as failure:
        assert_properties(check(Counters(2), props))  # (2, 2) is not terminal: stuck
    lines = str(failure.value).splitlines()
    assert lines == [
        "properties that do not hold:",
        "  'moves' (NoStuckStates): stuck counterexample ['a', 'a', 'b', 'b']",
        "  'small' (Always): invariant counterexample ['a', 'a']",
        "  'off the board' (Sometimes): does not hold, with no path to show",
    ]


def test_assert_properties_fails_on_undecided_verdicts():
    with pytest.raises(AssertionError, match="'top' .*undecided, the search was partial"):
        assert_properties(check(Counters(2), HOLDING, max_states=3))


def test_assert_discovery_compares_the_example_labels():
    result = check(Counters(2), HOLDING)
    assert_discovery(result, "corner", ["a", "a"])
    with pytest.raises(AssertionError, match=r"the example takes \['a', 'a'\], expected \['b'\]"):
        assert_discovery(result, "corner", ["b"])
    with pytest.raises(AssertionError, match="'bounded' has no example"):
        assert_discovery(result, "bounded", [])


def test_assert_counterexample_compares_the_counterexample_labels():
    result = check(Counters(2), [Always("small", lambda s: sum(s) < 2), *HOLDING])
    assert_counterexample(result, "small", ("a", "a"))
    with pytest.raises(AssertionError, match=r"takes \['a', 'a'\], expected \['a', 'b'\]"):
        assert_counterexample(result, "small", ["a", "b"])
    with pytest.raises(AssertionError, match=r"'bounded' has no counterexample \(holds: True\)"):
        assert_counterexample(result, "bounded", [])


def test_helpers_name_an_unknown_property():
    with pytest.raises(ValueError, match="no property named 'nope'"):
        assert_discovery(check(Counters(1), HOLDING), "nope", [])
