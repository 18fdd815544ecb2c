"""The benchmark's yardstick and its comparison with an earlier export."""

import json
from dataclasses import asdict

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from dmmodel.bench import RungResult, plain_bfs
from dmmodel.cli import main
from dmmodel.cli.bench import comparison


@given(st.integers(1, 4), st.integers(1, 5))
def test_the_plain_bfs_finds_every_counter_vector(width, bound):
    assert plain_bfs(width, bound) == bound**width


def result(rung="default", **figures):
    values = dict(rung=rung, variant="cr", states=537, transitions=921, depth=20, search_seconds=0.02,
                  liveness_seconds=0.01, total_seconds=0.04, states_per_second=30_000.0,
                  end_to_end_states_per_second=13_425.0, plain_states_per_second=300_000.0,
                  plain_ratio=0.04475, peak_rss_bytes=40 << 20, bytes_per_state=1_000.0,
                  verdicts={"no_stuck_state": True})
    return RungResult(**{**values, **figures})


def test_comparison_gives_each_figure_old_and_new_with_the_change():
    earlier = {"default": {**asdict(result()), "states_per_second": 20_000.0, "total_seconds": 0.08,
                           "bytes_per_state": 1_000.0, "liveness_seconds": 0.5}}
    lines = comparison(earlier, [result(), result("three", states=9)])
    assert lines == [
        "default  states/s 20,000 -> 30,000 (+50%, better); total s 0.08 -> 0.04 (-50%, better); "
        "B/state 1,000 -> 1,000 (=); live s 0.50 -> 0.01 (-98%, better)",
        "three    new rung",
    ]


def test_comparison_with_an_export_from_before_liveness_was_timed():
    old = asdict(result(states_per_second=40_000.0))
    del old["liveness_seconds"]
    (line,) = comparison({"default": old}, [result()])
    assert "states/s 40,000 -> 30,000 (-25%, worse)" in line
    assert line.endswith("live s - -> 0.01")


@pytest.mark.slow
def test_bench_compare_prints_the_change_for_each_rung_run(tmp_path):
    earlier = tmp_path / "before.json"
    earlier.write_text(json.dumps([asdict(result(states_per_second=1.0))]))
    outcome = CliRunner().invoke(main, ["bench", "-n", "1", "--compare", str(earlier)])
    assert outcome.exit_code == 0, outcome.output
    assert f"change against {earlier}:" in outcome.stdout
    (line,) = [x for x in outcome.stdout.splitlines() if x.startswith("default  states/s 1.00 -> ")]
    assert "better" in line


@pytest.mark.parametrize("content, fragment", [
    (None, "cannot read"),
    (b"[{", "is not JSON"),
    (b"\xff\xfe", "is not JSON"),
    (b'{"rung": "default"}', "is not a `dmmodel bench --export` file"),
    (b'[{"states": 3}]', "is not a `dmmodel bench --export` file"),
])
def test_bench_compare_refuses_a_missing_or_malformed_file_in_one_line(tmp_path, content, fragment):
    path = tmp_path / "before.json"
    if content is not None:
        path.write_bytes(content)
    outcome = CliRunner().invoke(main, ["bench", "--compare", str(path)])
    assert outcome.exit_code == 2
    assert "Traceback" not in outcome.output and "rung" not in outcome.stdout
    (line,) = outcome.stderr.splitlines()
    assert fragment in line and str(path) in line
