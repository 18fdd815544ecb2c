"""Outputs do not depend on hash randomisation: two interpreters with different PYTHONHASHSEED
write the same diagrams and report the same check, state for state and step for step.

Each interpreter runs both commands (a fresh interpreter costs a second of imports), the diagrams
without a DOT renderer: the DOT and Mermaid files are what is compared, and an SVG is drawn from
its DOT file (``test_diagrams.py`` checks that each SVG matches its DOT).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = r"""
import json, sys
from click.testing import CliRunner
import dmmodel.cli.diagrams
from dmmodel.cli import main

dmmodel.cli.diagrams.find_dot_renderer = lambda: None  # DOT and Mermaid only
drawn = CliRunner().invoke(main, ["diagrams", "--out", sys.argv[1]])
checked = CliRunner().invoke(main, ["check", "--json", "--coverage", "--config", "all-types"])
print(json.dumps({"diagrams": drawn.exit_code, "check": checked.exit_code, "json": checked.stdout}))
"""
TIMINGS = {"seconds", "liveness_seconds", "states_per_second", "peak_rss_bytes", "bytes_per_state"}


def without_timings(data):
    if isinstance(data, dict):
        return {k: without_timings(v) for k, v in data.items() if k not in TIMINGS}
    if isinstance(data, list):
        return [without_timings(v) for v in data]
    return data


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[dict, Path]]:
    """Per hash seed: what the interpreter printed, and the folder it drew into."""
    found = {}
    for seed in (1, 2):
        folder = tmp_path_factory.mktemp(f"seed{seed}")
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(folder)], env=env, capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stderr
        found[seed] = json.loads(done.stdout), folder
    return found


def test_diagrams_are_the_same_under_two_hash_seeds(runs):
    drawn = []
    for printed, folder in runs.values():
        assert printed["diagrams"] == 0
        drawn.append({p.name: p.read_text() for p in folder.iterdir() if p.suffix in (".dot", ".mmd")})
    first, second = drawn
    assert first and first == second


def test_check_json_is_the_same_under_two_hash_seeds(runs):
    (first, _), (second, _) = runs.values()
    assert first["check"] in (0, 1) and second["check"] in (0, 1)
    assert without_timings(json.loads(first["json"])) == without_timings(json.loads(second["json"]))
