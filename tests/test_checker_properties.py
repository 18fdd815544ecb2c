"""Verdicts and counterexamples for invariants, stuck states and reachability of goals."""

import doctest
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import pytest
from counters import Counters
from hypothesis import given, settings
from hypothesis import strategies as st

import dmmodel.checker
from dmmodel.checker import (
    Always,
    AlwaysReachable,
    Counterexample,
    Model,
    NoStuckStates,
    Property,
    Sometimes,
    Verdict,
    check,
)


def only(result):
    (verdict,) = result.verdicts
    return verdict


def test_invariant_violation_has_a_shortest_path():
    verdict = only(check(Counters(5), [Always("small sum", lambda s: sum(s) < 7, "REQ-1")]))
    assert verdict.holds is False
    cex = verdict.counterexample
    assert cex.violation == "invariant"
    assert sum(cex.steps[-1].state) == 7
    assert len(cex.steps) == 8  # the initial state plus 7 increments
    assert verdict.property.requirement == "REQ-1"


def test_invariant_violated_in_the_initial_state():
    verdict = only(check(Counters(3), [Always("never", lambda s: False)]))
    assert verdict.holds is False
    assert [s.state for s in verdict.counterexample.steps] == [(0, 0)]


def test_invariant_that_holds():
    verdict = only(check(Counters(4), [Always("bounded", lambda s: max(s) <= 4)]))
    assert verdict.holds is True and verdict.counterexample is None


def test_exploration_continues_after_a_violation():
    result = check(Counters(3), [Always("tiny", lambda s: sum(s) < 1), NoStuckStates("live")])
    assert result.states == 16
    assert [v.holds for v in result.verdicts] == [False, False]


def test_sometimes_holds_with_a_shortest_example():
    verdict = only(check(Counters(3), [Sometimes("sum 4", lambda s: sum(s) == 4, "REQ-2")]))
    assert verdict.holds is True and verdict.counterexample is None
    assert len(verdict.example) == 5  # the initial state plus 4 increments
    assert sum(verdict.example[-1].state) == 4
    assert [s.label for s in verdict.example[1:]] == ["a", "a", "a", "b"]  # "a" is tried first


def test_sometimes_is_shown_by_an_initial_state():
    verdict = only(check(Counters(3), [Sometimes("start", lambda s: s == (0, 0))]))
    assert verdict.holds is True and [s.label for s in verdict.example] == ["init"]


def test_sometimes_fails_only_after_a_complete_search():
    never = Sometimes("never", lambda s: sum(s) > 6)
    complete = only(check(Counters(3), [never]))
    assert complete.holds is False and complete.example is None
    assert only(check(Counters(3), [never], max_states=5)).holds is None


def test_partial_search_that_meets_the_state_decides_sometimes():
    result = check(Counters(10), [Sometimes("two", lambda s: s == (1, 1))], max_states=6)
    assert not result.complete and only(result).holds is True


def test_stuck_state_is_found_at_its_depth():
    verdict = only(check(Counters(3), [NoStuckStates("no stuck")]))
    assert verdict.holds is False
    assert verdict.counterexample.violation == "stuck"
    assert verdict.counterexample.steps[-1].state == (3, 3)
    assert len(verdict.counterexample.steps) == 7  # init + 2n steps


def test_terminal_states_are_not_stuck():
    verdict = only(check(Counters(3, terminal=True), [NoStuckStates("no stuck")]))
    assert verdict.holds is True


def test_default_properties_come_from_the_model():
    class WithProps(Counters):
        def properties(self):
            return [NoStuckStates("no stuck"), Always("ok", lambda s: True)]

    result = check(WithProps(2))
    assert [v.property.name for v in result.verdicts] == ["no stuck", "ok"]
    assert [v.holds for v in result.verdicts] == [False, True]


class Session(Model):
    """A request/reply loop a fault can jam into a protocol-only retry cycle.

    idle -request-> waiting -reply-> idle, and the fault waiting -lock-> jammed.
    jammed -timeout-> c1 -401-> c2 -retry-> c3 -abandon-> c4 -new session-> c1 (protocol).
    The fault c3 -unlock-> idle is the only way back, so idle is unreachable from jammed by
    protocol steps: 7 states, 9 transitions; the trap from jammed has 5 states in 2 SCCs.
    """

    FAULTS = {"lock", "unlock"}
    EDGES = {
        "idle": [("request", "waiting")],
        "waiting": [("reply", "idle"), ("lock", "jammed")],
        "jammed": [("timeout", "c1")],
        "c1": [("401", "c2")],
        "c2": [("retry", "c3")],
        "c3": [("abandon", "c4"), ("unlock", "idle")],
        "c4": [("new session", "c1")],
    }

    def init_states(self):
        return ["idle"]

    def successors(self, state):
        return self.EDGES[state]

    def action_class(self, action):
        return "fault" if action in self.FAULTS else "protocol"


def back_to_idle(**kwargs):
    return AlwaysReachable("idle again", [(lambda s: True, lambda s: s == "idle")], **kwargs)


def test_trap_entered_by_a_fault_fails_reachability_by_protocol_steps():
    result = check(Session(), [back_to_idle(requirement="HLR-1")])
    assert (result.states, result.transitions) == (7, 9)
    verdict = only(result)
    assert verdict.holds is False
    cex = verdict.counterexample
    assert cex.violation == "unreachable-goal" and cex.obligation == 0
    # The nearest failing state is "jammed" (depth 2), not the deeper cycle states.
    assert [(s.label, s.action_class, s.state) for s in cex.steps] == [
        ("init", "init", "idle"),
        ("request", "protocol", "waiting"),
        ("lock", "fault", "jammed"),
    ]
    assert (cex.trap.states, cex.trap.sccs, cex.trap.bottom_states) == (5, 2, 4)
    assert cex.trap.cycle == ("401", "retry", "abandon", "new session")


def test_reachability_holds_when_faults_are_allowed_to_recover():
    verdict = only(check(Session(), [back_to_idle(via={"protocol", "fault"})]))
    assert verdict.holds is True and verdict.counterexample is None


def test_the_failing_obligation_is_identified():
    prop = AlwaysReachable(
        "two obligations",
        [
            (lambda s: s == "idle", lambda s: s == "waiting"),  # holds: request is protocol
            (lambda s: s.startswith("c"), lambda s: s == "idle"),  # fails inside the cycle
        ],
    )
    cex = only(check(Session(), [prop])).counterexample
    assert cex.obligation == 1
    assert cex.steps[-1].state == "c1"  # the shallowest state where obligation 1 applies
    assert cex.trap.sccs == 1 and cex.trap.cycle[0] == "401"


def test_goal_state_itself_counts_as_reaching_the_goal():
    prop = AlwaysReachable("jammed", [(lambda s: s == "jammed", lambda s: s == "jammed")])
    assert only(check(Session(), [prop])).holds is True


class DeadEnd(Model):
    """0 -go-> 1 -go-> 2, and 1 -crash (fault)-> 9 with no successors. Goal: 2."""

    def init_states(self):
        return [0]

    def successors(self, n):
        return {0: [("go", 1)], 1: [("go", 2), ("crash", 9)], 2: [], 9: []}[n]

    def action_class(self, action):
        return "fault" if action == "crash" else "protocol"

    def is_terminal(self, n):
        return True


def test_dead_end_trap_has_no_cycle():
    cex = only(check(DeadEnd(), [AlwaysReachable("done", [(bool, lambda n: n == 2)])]))
    cex = cex.counterexample
    assert [s.state for s in cex.steps] == [0, 1, 9]
    assert (cex.trap.states, cex.trap.sccs, cex.trap.bottom_states, cex.trap.cycle) == (
        1,
        1,
        1,
        (),
    )


class ListActions(Session):
    """Session with unhashable (list) actions: classification must still work."""

    def successors(self, state):
        return [([a], t) for a, t in super().successors(state)]

    def action_class(self, action):
        return super().action_class(action[0])

    def format_action(self, action):
        return action[0]


def test_unhashable_actions_are_classified():
    verdict = only(check(ListActions(), [back_to_idle()]))
    assert verdict.holds is False
    assert [s.label for s in verdict.counterexample.steps] == ["init", "request", "lock"]


def test_partial_search_leaves_unviolated_properties_undecided():
    props = [
        Always("shallow", lambda s: sum(s) < 2),
        Always("fine", lambda s: True),
        NoStuckStates("no stuck"),
        AlwaysReachable("top", [(lambda s: True, lambda s: s == (10, 10))]),
    ]
    result = check(Counters(10), props, max_states=20)
    assert not result.complete
    assert [v.holds for v in result.verdicts] == [False, None, None, None]
    assert len(result.verdicts[0].counterexample.steps) == 3


class EarlyStuck(Model):
    """0 -> 1 and 0 -> 2; 1 has no successors; 2 -> 3 -> 4 -> 5 (5 terminal)."""

    EDGES = {0: [1, 2], 1: [], 2: [3], 3: [4], 4: [5], 5: []}

    def init_states(self):
        return [0]

    def successors(self, n):
        return [(t, t) for t in self.EDGES[n]]

    def is_terminal(self, n):
        return n == 5


def test_partial_search_still_reports_a_stuck_state_it_expanded():
    # Limit 4: stores 0, 1, 2, expands 1 (stuck), stores 3, then stops before storing 4.
    result = check(EarlyStuck(), [NoStuckStates("no stuck")], max_states=4)
    assert not result.complete and result.states == 4
    verdict = only(result)
    assert verdict.holds is False
    assert [s.state for s in verdict.counterexample.steps] == [0, 1]


def test_json_renders_counterexamples_with_the_model():
    class Pretty(Session):
        def format_state(self, state):
            return f"<{state}>"

    data = check(Pretty(), [back_to_idle(requirement="HLR-1")]).to_json()
    (prop,) = data["properties"]
    assert prop["name"] == "idle again" and prop["requirement"] == "HLR-1"
    assert prop["holds"] is False and prop["violation"] == "unreachable-goal"
    assert prop["counterexample"][-1] == {
        "step": 2,
        "action": "lock",
        "class": "fault",
        "state": "<jammed>",
    }
    assert prop["trap"]["cycle"] == ["401", "retry", "abandon", "new session"]
    assert prop["example"] is None

    data = check(Pretty(), [Sometimes("jammed", lambda s: s == "jammed")]).to_json()
    (prop,) = data["properties"]
    assert prop["holds"] is True and prop["counterexample"] is None
    assert [(e["action"], e["state"]) for e in prop["example"]] == [
        ("init", "<idle>"),
        ("request", "<waiting>"),
        ("lock", "<jammed>"),
    ]


def test_package_docstring_example_runs():
    outcome = doctest.testmod(dmmodel.checker)
    assert outcome.attempted > 0 and outcome.failed == 0


def test_properties_with_different_via_share_one_search():
    result = check(Session(), [back_to_idle(), back_to_idle(via={"protocol", "fault"})])
    assert [v.holds for v in result.verdicts] == [False, True]
    assert result.verdicts[0].counterexample.steps[-1].state == "jammed"


def test_a_new_kind_of_property_needs_no_change_to_the_search():
    @dataclass  # mutable, so unhashable: the search must not key anything by the property
    class Unreachable(Property):
        """No reachable state satisfies ``predicate`` (decided by the property alone)."""

        name: str
        predicate: Callable
        requirement: str = ""
        doc: str = ""
        notable: ClassVar[bool] = True

        @property
        def watch(self):
            return self.predicate

        def decide(self, outcome):
            bad = outcome.found_state(self)
            if bad is None:
                return Verdict(self, True if outcome.complete else None)
            return Verdict(self, False, Counterexample(outcome.explored.path_to(bad), "reached"))

    result = check(Counters(3), [Unreachable("no (1, 2)", lambda s: s == (1, 2))])
    verdict = only(result)
    assert verdict.holds is False and verdict.counterexample.violation == "reached"
    assert [s.state for s in verdict.counterexample.steps] == [(0, 0), (1, 0), (1, 1), (1, 2)]


def test_check_rejects_what_is_not_a_property():
    with pytest.raises(TypeError, match="not a checker Property"):
        check(Counters(1), [lambda s: True])


def test_verdict_by_name_and_a_clear_error_for_an_unknown_name():
    result = check(Session(), [back_to_idle(), Always("named", lambda s: True)])
    assert result.verdict("named") is result.verdicts[1]
    with pytest.raises(ValueError, match=r"'nope'.*known: 'idle again', 'named'"):
        result.verdict("nope")


def indices(result, states):
    return sorted(i for i in range(result.states) if result.state(i) in states)


def test_violating_states_of_reachability_are_the_whole_trap():
    result = check(Session(), [back_to_idle()])
    trap = {"jammed", "c1", "c2", "c3", "c4"}
    assert result.violating_states("idle again") == indices(result, trap)
    assert result.verdict("idle again").can_reach[0] == bytearray(
        result.state(i) not in trap for i in range(result.states)
    )


def test_every_obligation_is_marked_even_after_one_fails():
    prop = AlwaysReachable(
        "both fail",
        [
            (lambda s: s == "c2", lambda s: s == "idle"),  # fails at c2 only
            (lambda s: s in ("idle", "c4"), lambda s: s == "c3"),  # fails at idle only
        ],
    )
    result = check(Session(), [prop])
    verdict = only(result)
    assert verdict.counterexample.obligation == 0
    assert verdict.counterexample.steps[-1].state == "c2"
    assert len(verdict.can_reach) == 2
    assert result.violating_states("both fail") == indices(result, {"idle", "c2"})


def test_violating_states_of_invariants_and_stuck_states():
    result = check(EarlyStuck(), [Always("small", lambda n: n < 3), NoStuckStates("no stuck")])
    assert result.violating_states("small") == indices(result, {3, 4, 5})
    assert result.violating_states("no stuck") == indices(result, {1})


def test_violating_states_need_a_meaning_and_a_complete_search():
    result = check(EarlyStuck(), [NoStuckStates("no stuck"), Sometimes("five", lambda n: n == 5)])
    with pytest.raises(ValueError, match="does not fail at particular states"):
        result.violating_states("five")
    partial = check(EarlyStuck(), [NoStuckStates("no stuck"), back_to_idle()], max_states=4)
    for name in ("no stuck", "idle again"):
        with pytest.raises(ValueError, match="only a complete search"):
            partial.violating_states(name)


class Graph(Model):
    """A graph given as (source, target, class) edges; state 0 is initial."""

    def __init__(self, edges):
        self.edges = edges

    def init_states(self):
        return [0]

    def successors(self, state):
        return [((c, k), t) for k, (s, t, c) in enumerate(self.edges) if s == state]

    def action_class(self, action):
        return action[0]


def reaches(graph, start, targets, classes):
    """Forward search from ``start`` over edges of ``classes``: does it meet ``targets``?"""
    seen, todo = {start}, [start]
    while todo:
        u = todo.pop()
        if u in targets:
            return True
        for s, t, c in graph.edges:
            if s == u and c in classes and t not in seen:
                seen.add(t)
                todo.append(t)
    return False


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7), st.sampled_from(["p", "f"])), max_size=20),
    st.lists(st.tuples(st.sets(st.integers(0, 7)), st.sets(st.integers(0, 7))), min_size=1, max_size=3),
)
def test_violating_states_agree_with_a_forward_search_from_each_state(edges, obligations):
    graph = Graph(edges)
    prop = AlwaysReachable(
        "goal", [(lambda s, a=a: s in a, lambda s, g=g: s in g) for a, g in obligations], via={"p"}
    )
    result = check(graph, [prop])
    failing_by_obligation = [
        [
            i
            for i in range(result.states)
            if result.state(i) in applies and not reaches(graph, result.state(i), goal, {"p"})
        ]
        for applies, goal in obligations
    ]
    expected = sorted({i for failing in failing_by_obligation for i in failing})
    assert result.violating_states("goal") == expected
    verdict = only(result)
    assert verdict.holds is (not expected)
    if expected:
        number = next(k for k, failing in enumerate(failing_by_obligation) if failing)
        assert verdict.counterexample.obligation == number
        assert verdict.counterexample.steps[-1].state == result.state(failing_by_obligation[number][0])
