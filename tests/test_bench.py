"""The benchmark: its yardstick, the medians of repeated runs, the ladder's rungs and their
attacker overrides, and the comparison with an earlier export (old formats included)."""

import json
import subprocess
import sys
from dataclasses import replace

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from dmmodel import bench
from dmmodel.bench import Run, Rung, load_ladder, plain_bfs, spread_of, summarise
from dmmodel.cli import main
from dmmodel.cli.bench import comparison
from dmmodel.cli.check import check_command

RUNG = Rung("default", "default", "cr", {})
# an export written before the yardstick ran on CPU time: no cpu_seconds, no cpu_plain_ratio
OLD_EXPORT = {"rung": "default", "variant": "cr", "states": 224, "transitions": 401, "depth": 13,
              "search_seconds": 0.01, "liveness_seconds": 0.002, "total_seconds": 0.02,
              "states_per_second": 20_000.0, "end_to_end_states_per_second": 11_200.0,
              "plain_states_per_second": 280_000.0, "plain_ratio": 0.04, "peak_rss_bytes": 40 << 20,
              "bytes_per_state": 1_000.0, "verdicts": {"no_stuck_state": True}}


@given(st.integers(1, 4), st.integers(1, 5))
def test_the_plain_bfs_finds_every_counter_vector(width, bound):
    assert plain_bfs(width, bound) == bound**width


def run(**figures):
    values = dict(states=500, transitions=900, depth=20, symmetry=False, search_seconds=0.8,
                  liveness_seconds=0.1, total_seconds=1.0, cpu_seconds=1.0, plain_before=5_000.0,
                  plain_after=5_000.0, peak_rss_bytes=60 << 20, baseline_rss_bytes=50 << 20,
                  verdicts={"no_stuck_state": True})
    return Run(**{**values, **figures})


@pytest.mark.parametrize("values, spread", [([5.0], 0.0), ([100.0, 100.0], 0.0), ([96.0, 104.0], 0.04),
                                            ([110.0, 90.0, 100.0], 0.1), ([1.0, 2.0, 4.0, 3.0], 0.6),
                                            ([2.0, 2.0, 5.0], 1.5)])
def test_the_spread_is_the_farthest_run_from_the_median_relative_to_it(values, spread):
    assert spread_of(values) == pytest.approx(spread)


def test_a_rung_reports_the_medians_of_its_runs_and_keeps_each_run():
    runs = [run(cpu_seconds=1.0, total_seconds=1.5, plain_before=200_000.0, plain_after=400_000.0),
            run(cpu_seconds=4.0, total_seconds=4.5, plain_before=100_000.0, plain_after=100_000.0),
            run(cpu_seconds=2.0, total_seconds=2.1, plain_before=250_000.0, plain_after=250_000.0,
                peak_rss_bytes=70 << 20)]
    result = summarise(RUNG, runs)
    assert (result.repeats, result.runs) == (3, runs)
    assert (result.cpu_seconds, result.total_seconds) == (2.0, 2.1)
    assert result.end_to_end_states_per_cpu_second == 500 / 2.0
    # the yardstick's median over both timings of every run; x plain the median of the runs' ratios
    assert result.plain_states_per_cpu_second == 225_000.0
    assert result.plain_spread == pytest.approx(175_000 / 225_000)
    # the median of the runs' ratios (the second run's), not the ratio of the medians
    assert result.cpu_plain_ratio == pytest.approx(500 / 4.0 / 100_000)
    assert result.spread["cpu_seconds"] == pytest.approx(1.0)
    assert (result.peak_rss_bytes, result.bytes_per_state) == (60 << 20, (10 << 20) / 500)


def test_the_comparison_gives_each_figure_old_and_new_with_the_change():
    new = summarise(RUNG, [run()])
    earlier = {"default": {"states_per_second": 1_250.0, "total_seconds": 0.5, "cpu_seconds": 1.0,
                           "cpu_plain_ratio": 0.08, "bytes_per_state": 20_000.0,
                           "liveness_seconds": 0.5}}
    lines = comparison(earlier, [new, summarise(replace(RUNG, name="three"), [run()])])
    assert lines == [
        "default  states/s 1,250 -> 625 (-50%, worse); total s 0.50 -> 1.00 (+100%, worse); "
        "cpu s 1.00 -> 1.00 (=); x plain 0.08 -> 0.10 (+25%, better); B/state 20,000 -> 20,972 "
        "(+5%, worse); live s 0.50 -> 0.10 (-80%, better)",
        "three    new rung",
    ]


def test_the_comparison_says_n_a_for_what_an_old_export_lacks():
    (line,) = comparison({"default": OLD_EXPORT}, [summarise(RUNG, [run()])])
    assert "states/s 20,000 -> 625 (-97%, worse)" in line
    assert "cpu s n/a -> 1.00" in line and "x plain n/a -> 0.10" in line


def test_bench_uses_the_symmetry_check_uses_by_default():
    (option,) = [p for p in check_command.params if p.name == "symmetry"]
    assert option.default is bench.SYMMETRY is True


@pytest.mark.parametrize("args, option", [(["--repeat", "0"], "--repeat"), (["-r", "two"], "--repeat"),
                                          (["-n", "0"], "--rungs")])
def test_a_count_below_one_is_a_one_line_usage_error(args, option):
    outcome = CliRunner().invoke(main, ["bench", *args])
    assert outcome.exit_code == 2 and "Traceback" not in outcome.output
    (line,) = outcome.stderr.splitlines()
    assert line.startswith(f"Error: {option}: expected a whole number of at least 1")
    assert outcome.stdout == ""


def ladder_file(tmp_path, monkeypatch, text):
    path = tmp_path / "ladder.toml"
    path.write_text(text)
    monkeypatch.setattr(bench, "LADDER_FILE", path)


def test_a_rung_overrides_its_configurations_attacker(tmp_path, monkeypatch):
    ladder_file(tmp_path, monkeypatch, '[[rung]]\nname = "replay-3"\nconfig = "attack-replay"\n'
                                       'variant = "cr-fresh"\nattacker = { budget = 3 }\n')
    (rung,) = load_ladder()
    attacker = rung.make_config().bounds.attacker
    assert (attacker.name, attacker.replay, attacker.budget) == ("replay", True, 3)


@pytest.mark.parametrize("table, fragment", [
    ("attacker = { budget = 9 }", "rung 'replay-9': attacker.budget: expected an integer from 0 to 6, got 9"),
    ("attacker = { bugdet = 2 }", "rung 'replay-9': attacker.bugdet: unknown key"),
    ("attacker = 2", "rung 'replay-9': attacker: expected a table"),
    ("budget = 2", "rung 'replay-9': unknown key 'budget'"),
    ("bounds = { devices = 0 }", "rung 'replay-9': devices: must be at least 1"),
])
def test_a_bad_rung_is_refused_in_one_line_naming_it(tmp_path, monkeypatch, table, fragment):
    ladder_file(tmp_path, monkeypatch, '[[rung]]\nname = "default"\nconfig = "default"\nvariant = "cr"\n\n'
                                       '[[rung]]\nname = "replay-9"\nconfig = "attack-replay"\n'
                                       f'variant = "cr-fresh"\n{table}\n')
    outcome = CliRunner().invoke(main, ["bench", "-n", "1"])  # the whole ladder is checked first
    assert outcome.exit_code == 2 and "Traceback" not in outcome.output
    (line,) = outcome.stderr.splitlines()
    assert f"ladder.toml: {fragment}" in line


def test_the_ladder_loads_and_raises_the_replay_attackers_budget_to_two_and_three():
    budgets = {r.name: r.make_config().bounds.attacker.budget for r in load_ladder()
               if r.config == "attack-replay"}
    assert sorted(budgets.values()) == [1, 2, 3]


@pytest.mark.slow
def test_the_yardstick_before_the_check_leaves_the_processs_peak_memory_alone():
    script = ("from dmmodel.bench import plain_rate_in_fork\n"
              "from dmmodel.checker.memory import own_peak_rss_bytes\n"
              "before = own_peak_rss_bytes(); rate = plain_rate_in_fork()\n"
              "print(rate, own_peak_rss_bytes() - before)\n")
    rate, growth = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                  check=True).stdout.split()
    assert float(rate) > 0
    assert int(growth) < 8 << 20  # run here, the search's dict and tuples take about 70 MB


@pytest.mark.slow
def test_bench_repeats_a_rung_times_the_yardstick_around_it_and_compares(tmp_path):
    earlier, export = tmp_path / "before.json", tmp_path / "after.json"
    earlier.write_text(json.dumps([OLD_EXPORT]))
    outcome = CliRunner().invoke(main, ["bench", "-n", "1", "--repeat", "2", "--export", str(export),
                                        "--compare", str(earlier)])
    assert outcome.exit_code == 0, outcome.output
    (record,) = json.loads(export.read_text())
    assert record["repeats"] == 2 and len(record["runs"]) == 2
    for each in record["runs"]:
        assert each["plain_before"] > 0 and each["plain_after"] > 0 and each["cpu_seconds"] > 0
    for figure in ("cpu_seconds", "total_seconds", "cpu_plain_ratio"):
        assert record[figure] == pytest.approx(sum(r[figure] for r in record["runs"]) / 2)
    assert record["symmetry"] is False  # one device: nothing to permute
    (line,) = [x for x in outcome.stdout.splitlines() if x.startswith("default  states/s 20,000 -> ")]
    assert "cpu s n/a -> " in line
    assert "medians of 2 runs per rung" in outcome.stdout
