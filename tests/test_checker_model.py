"""The Model interface: what a subclass must implement, and the defaults derived from it."""

import pytest
from counters import Counters

from dmmodel.checker import Model


def test_init_states_and_successors_are_required():
    class NoSuccessors(Model):
        def init_states(self):
            return [0]

    class NoInit(Model):
        def successors(self, state):
            return []

    for incomplete in (NoSuccessors, NoInit):
        with pytest.raises(TypeError, match="abstract"):
            incomplete()


def test_actions_and_next_state_follow_successors():
    model = Counters(2)
    assert model.actions((0, 2)) == ["a"]
    assert model.actions((1, 1)) == ["a", "b"]
    assert model.next_state((1, 1), "b") == (1, 2)
    assert model.actions((2, 2)) == []


def test_next_state_names_an_action_that_is_not_enabled():
    class Pretty(Counters):
        def format_action(self, action):
            return f"increment {action}"

    with pytest.raises(ValueError, match=r"'increment b' is not enabled in state \(0, 2\)"):
        Pretty(2).next_state((0, 2), "b")


def test_hooks_have_neutral_defaults():
    model = Counters(1)
    assert model.properties() == ()
    assert model.is_terminal((1, 1)) is False
    assert model.action_class("a") == "protocol"
    assert (model.format_action("a"), model.format_state((0, 1))) == ("a", "(0, 1)")


def test_next_state_names_an_action_the_model_cannot_even_format():
    class Strict(Counters):
        def format_action(self, action):
            return {"a": "increment a", "b": "increment b"}[action]

    with pytest.raises(ValueError, match=r"action 'c' is not enabled in state \(0, 0\)"):
        Strict(2).next_state((0, 0), "c")
