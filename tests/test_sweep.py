"""`dmmodel sweep` raises one bound at a time and stops where the answer is: a verdict that
changes, a graph that stops growing, the end, or a limit (then exit status 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dmmodel.cli import main
from dmmodel.protocol.config import load_bounds
from dmmodel.sweep import default_bounds, exit_status, sweep, sweep_bound


def run(*args: str):
    return CliRunner().invoke(main, ["sweep", *args])


def test_a_bound_raised_to_the_end_asked_for_gives_a_row_per_value():
    swept = sweep_bound("default", "rotations", ["dm12", "cr"], up_to=2, max_seconds=30)
    assert [p.value for p in swept.points] == [1, 2]
    assert swept.points[0].states < swept.points[1].states  # one more rotation, more states
    assert (swept.stop, swept.asked) == ("maximum", True)
    assert "rotations = 2, the end asked for" in swept.reason
    assert swept.notable() == [("dm12", p) for p in ("no_auth_deadlock", "bootstrap_acknowledged",
                                                     "bootstrap_type_known", "recovers_after_attack")]


def test_a_verdict_that_flips_stops_the_bound():
    """One message loss breaks the change request with commit-on-status (the Status of the
    Replace is lost): the sweep stops at losses = 1 and names what changed."""
    swept = sweep_bound("default", "losses", ["cr"], max_seconds=30)
    assert [p.value for p in swept.points] == [0, 1]  # not on to losses = 2
    assert swept.stop == "flip"
    assert "from losses = 0 to 1" in swept.reason and "cr no_auth_deadlock" in swept.reason
    assert [p.text("cr", "no_auth_deadlock") for p in swept.points] == ["holds", "VIOLATED (6)"]


def test_a_bound_that_no_longer_adds_states_is_saturated():
    swept = sweep_bound("default", "capacity", ["cr"], max_seconds=30)
    assert swept.stop == "saturated"
    assert swept.points[-1].states == swept.points[-2].states
    assert swept.points[-1].value < swept.end  # stopped before the largest capacity


def test_a_limit_stops_the_bound_and_the_sweep_is_undecided():
    (swept,) = sweep("default", ["rotations"], ["cr"], max_seconds=0)
    assert swept.stop == "limit" and len(swept.points) == 1
    assert swept.reason == "unknown at rotations = 1: cr ran out of time (0 s) at 1 state"
    assert exit_status([swept]) == 3


def test_the_configuration_itself_is_checked_once_for_every_bound():
    first, second = sweep("default", ["capacity=3", "rotations=2"], ["cr"], max_seconds=30)
    assert first.points[0].variants is second.points[0].variants


def test_default_bounds_start_with_the_attacker_when_there_is_one():
    assert default_bounds(load_bounds("default")[1]) == ["rotations", "rebootstraps", "losses"]
    assert default_bounds(load_bounds("attack-replay")[1])[:2] == ["attacker.budget", "attacker.memory"]


def test_the_table_lists_what_does_not_always_hold_and_why_it_stopped():
    result = run("-v", "dm12", "-v", "cr", "-b", "losses", "-b", "capacity=3")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Raising losses from 0:" in out and "Raising capacity from 2:" in out
    assert "cr no_auth_deadlock" in out and "cr sound_authentication" not in out
    assert out.count("all other properties hold at every value") == 2
    assert "stop: a verdict changed from losses = 0 to 1" in out
    assert "losses = 1: " in result.stderr  # a progress line per value


def test_sweep_json_is_whole_and_exit_3_under_a_limit():
    result = run("-v", "cr", "-b", "rotations=2", "--max-seconds", "0", "--json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    (swept,) = data["sweeps"]
    assert (swept["bound"], swept["stop"], data["exit_status"]) == ("rotations", "limit", 3)
    (variant,) = swept["points"][0]["variants"]
    assert variant["unknown"] == "ran out of time (0 s) at 1 state"
    assert variant["verdicts"]["no_auth_deadlock"] == {"holds": None, "text": "unknown"}


@pytest.mark.parametrize("args, message", [
    (["-b", "nope"], "bound: unknown 'nope'; allowed: devices, rotations"),
    (["-b", "rotations=9"], "rotations: must be at most 8, got 9"),
    (["-b", "rotations=0"], "the end must be at least 1, got 0"),
    (["-b", "rotations=two"], "expected an integer after '='"),
    (["-b", "attacker.budget"], "has no attacker"),
    (["-b", "attacker.memory=4", "-a", "replay"], "attacker.memory: expected an integer from 1 to 3"),
    (["-v", "dm13"], "variant: unknown 'dm13'"),
    (["-p", "liveness"], "property: unknown 'liveness'"),
])
def test_bad_usage_is_one_line_and_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert message in result.output
    assert "states in" not in result.stderr  # refused before any check ran


def test_sweep_is_a_command_with_its_exit_status_in_help():
    assert "sweep" in CliRunner().invoke(main, ["--help"]).output
    text = run("--help").output
    assert "--bound" in text and "--max-seconds" in text and "3 when a limit" in text



@pytest.mark.pin
def test_the_readme_example_is_what_the_sweep_prints():
    """Every line of the README's example but the timings (it leaves out the banner and the
    exit status line)."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    command, *shown = readme.split("$ uv run dmmodel sweep ", 1)[1].split("```", 1)[0].splitlines()
    result = run(*command.split())
    assert result.exit_code == 0
    untimed = [line for line in result.stdout.splitlines()[3:-2] if not line.startswith("seconds")]
    assert [line for line in shown if not line.startswith("seconds")] == untimed
