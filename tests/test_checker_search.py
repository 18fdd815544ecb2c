"""The BFS search: state and transition counts, depth, shortest paths, limits, progress."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from counters import Counters
from hypothesis import given, settings
from hypothesis import strategies as st

import dmmodel.checker.bfs as bfs
from dmmodel.checker import Model, check


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=20))
def test_counters_state_and_transition_counts_match_formula(n):
    result = check(Counters(n), [])
    assert result.complete
    assert result.states == (n + 1) ** 2
    assert result.transitions == 2 * n * (n + 1)
    assert result.depth == 2 * n


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=1, max_value=8), st.data())
def test_paths_are_shortest_and_replay_through_next_state(n, data):
    model = Counters(n)
    result = check(model, [])
    index = data.draw(st.integers(min_value=0, max_value=result.states - 1))
    target = result.state(index)
    steps = result.path_to(index)
    assert len(steps) - 1 == sum(target)  # BFS distance of (a, b) is a + b
    assert steps[0].action is None and steps[0].state in model.init_states()
    state = steps[0].state
    for step in steps[1:]:
        state = model.next_state(state, step.action)
        assert state == step.state
        assert step.label == step.action and step.action_class == "protocol"
    assert state == target


def test_states_are_indexed_in_bfs_order():
    result = check(Counters(4), [])
    distances = [sum(result.state(i)) for i in range(result.states)]
    assert distances == sorted(distances)


class ManyInits(Model):
    """Init states 0..4 listed twice; each state n < 9 steps to n + 1. States 0..9: 10."""

    def init_states(self):
        return [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]

    def successors(self, n):
        return [("up", n + 1)] if n < 9 else []


def test_duplicate_initial_states_are_stored_once():
    result = check(ManyInits(), [])
    assert result.states == 10
    assert result.transitions == 9
    assert result.depth == 5  # 9 is five steps from init state 4
    assert result.path_to(result.states - 1)[0].state == 4


def test_max_states_stops_with_a_partial_result():
    result = check(Counters(10), [], max_states=20)
    assert not result.complete
    assert result.states == 20
    assert all(sum(result.state(i)) <= 5 for i in range(20))  # BFS stopped on a shallow layer


def test_max_states_not_reached_gives_a_complete_result():
    result = check(Counters(3), [], max_states=16)
    assert result.complete and result.states == 16


def test_max_states_below_number_of_initial_states():
    result = check(ManyInits(), [], max_states=3)
    assert not result.complete and result.states == 3
    assert result.transitions == 0


class Fan(Model):
    """One init state with 70000 distinct successors: positions overflow 16 bits."""

    WIDTH = 70_000

    def init_states(self):
        return [-1]

    def successors(self, n):
        return [(k, k) for k in range(self.WIDTH)] if n == -1 else []

    def is_terminal(self, n):
        return n >= 0


def test_action_positions_beyond_16_bits_replay_correctly():
    result = check(Fan(), [])
    assert result.states == Fan.WIDTH + 1
    assert result.transitions == Fan.WIDTH
    last = result.path_to(result.states - 1)
    assert [s.state for s in last] == [-1, Fan.WIDTH - 1]


class Shuffling(Counters):
    """Counters whose successor order flips on every call: violates the determinism contract."""

    calls = 0

    def successors(self, state):
        Shuffling.calls += 1
        pairs = super().successors(state)
        return pairs if Shuffling.calls % 2 else pairs[::-1]


def test_nondeterministic_successor_order_is_reported_on_replay():
    model = Shuffling(2)
    result = check(model, [])
    with pytest.raises(RuntimeError, match="not deterministic"):
        for i in range(result.states):
            result.path_to(i)


def test_progress_is_reported_with_growing_snapshots(monkeypatch):
    clock = iter(range(10**6))
    monkeypatch.setattr(bfs, "perf_counter", lambda: float(next(clock)))
    monkeypatch.setattr(bfs, "PROGRESS_EVERY", 1)
    seen = []
    result = check(Counters(3), [], progress=seen.append)
    assert seen, "progress was never called"
    assert all(p.states <= result.states and p.depth <= result.depth for p in seen)
    assert [p.states for p in seen] == sorted(p.states for p in seen)
    assert [p.seconds for p in seen] == sorted(p.seconds for p in seen)


def test_statistics_are_filled_and_json_serialisable():
    result = check(Counters(30), [])
    assert result.seconds > 0
    assert result.states_per_second == pytest.approx(result.states / result.seconds)
    assert result.peak_rss_bytes > 2**20  # a Python process holds more than a MiB
    data = result.to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["states"] == 31**2 and data["complete"] is True and data["properties"] == []


def test_bytes_per_state_is_the_growth_of_peak_memory_over_the_states(monkeypatch):
    readings = iter([100_000_000, 100_000_000 + 48 * 31**2])  # before and after the search
    monkeypatch.setattr(bfs, "peak_rss_bytes", lambda: next(readings))
    result = check(Counters(30), [])
    assert result.bytes_per_state == 48
    assert result.peak_rss_bytes == 100_000_000 + 48 * 31**2


SUMMARY = """
import json, sys
sys.path.insert(0, "tests")
from dmmodel.checker import AlwaysReachable, Sometimes, check
from dmmodel.examples.die_hard import DieHard
from dmmodel.examples.two_phase_commit import TwoPhase
from test_checker_properties import Session, back_to_idle

def paths(verdict):
    cex, example = verdict.counterexample, verdict.example
    return [None if p is None else [s.label for s in p] for p in (cex and cex.steps, example)]

def summary(model, props=None):
    result = check(model, props, coverage=True)
    reach = [v.property.name for v in result.verdicts if isinstance(v.property, AlwaysReachable)]
    return {
        "states": [model.format_state(result.state(i)) for i in range(result.states)],
        "verdicts": [[v.property.name, v.holds, *paths(v)] for v in result.verdicts],
        "violating": {name: result.violating_states(name) for name in reach},
        "coverage": result.coverage,
    }

session = [back_to_idle(), back_to_idle(via={"fault", "protocol"}), Sometimes("jam", lambda s: s == "c4")]
print(json.dumps([summary(DieHard()), summary(TwoPhase(3)), summary(Session(), session)]))
"""


def run_with_hash_seed(seed):
    """The summary's output text from a fresh interpreter with the given hash seed."""
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    done = subprocess.run(
        [sys.executable, "-c", SUMMARY],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_state_order_and_paths_do_not_depend_on_the_hash_seed():
    # Strings, and sets of tuples of strings, hash differently under each seed: iterating a set
    # or anything in hash order in the checker would change the text (order included).
    one, two = run_with_hash_seed(1), run_with_hash_seed(2)
    assert one == two
    die_hard, two_phase, session = json.loads(one)
    assert len(die_hard["states"]) == 16 and len(two_phase["states"]) == 288
    assert session["verdicts"][0] == ["idle again", False, ["init", "request", "lock"], None]
    assert session["violating"]["idle again"] != [] and session["coverage"]["lock"] == 1


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=0, max_value=12))
def test_coverage_counts_every_transition_under_its_label(n):
    result = check(Counters(n), [], coverage=True)
    expected = {"a": n * (n + 1), "b": n * (n + 1)} if n else {}
    assert result.coverage == expected
    assert sum(result.coverage.values()) == result.transitions


def test_coverage_is_off_by_default():
    result = check(Counters(2), [])
    assert result.coverage is None and result.to_json()["coverage"] is None


class Loop(Model):
    """0 -step-> 1 -step-> 2 -back-> 0 and 2 -stay-> 2: two of four edges meet a known state."""

    EDGES = {0: [("step", 1)], 1: [("step", 2)], 2: [("back", 0), ("stay", 2)]}

    def __init__(self):
        self.keyed = []  # the actions coverage_keys was asked about

    def init_states(self):
        return [0]

    def successors(self, state):
        return self.EDGES[state]

    def coverage_keys(self, action):
        self.keyed.append(action)
        return ("moves", f"rule:{action}")


def test_coverage_counts_edges_to_known_states_and_asks_once_per_action():
    model = Loop()
    result = check(model, [], coverage=True)
    assert result.coverage == {"moves": 4, "rule:back": 1, "rule:stay": 1, "rule:step": 2}
    assert sorted(model.keyed) == ["back", "stay", "step"]


class ListLoop(Loop):
    """Loop with unhashable (list) actions: coverage is counted without the cache."""

    def successors(self, state):
        return [([a], t) for a, t in super().successors(state)]

    def coverage_keys(self, action):
        return super().coverage_keys(action[0])


def test_coverage_of_unhashable_actions():
    result = check(ListLoop(), [], coverage=True)
    assert result.coverage == {"moves": 4, "rule:back": 1, "rule:stay": 1, "rule:step": 2}


def test_coverage_of_a_partial_search_counts_only_edges_followed():
    result = check(Counters(10), [], max_states=20, coverage=True)
    assert not result.complete
    assert sum(result.coverage.values()) == result.transitions > 0
