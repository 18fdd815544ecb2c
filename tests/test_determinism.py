"""Outputs do not depend on hash randomisation: two interpreters with different PYTHONHASHSEED
write the same diagrams and report the same check, state for state and step for step."""

import json
import os
import subprocess
import sys
from pathlib import Path

CLI = "from dmmodel.cli import main; main()"
TIMINGS = {"seconds", "liveness_seconds", "states_per_second", "peak_rss_bytes", "bytes_per_state"}


def run(seed: int, *args: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    done = subprocess.run([sys.executable, "-c", CLI, *args], env=env, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def without_timings(data):
    if isinstance(data, dict):
        return {k: without_timings(v) for k, v in data.items() if k not in TIMINGS}
    if isinstance(data, list):
        return [without_timings(v) for v in data]
    return data


def test_diagrams_are_the_same_under_two_hash_seeds(tmp_path: Path):
    for seed in (1, 2):
        run(seed, "diagrams", "--out", str(tmp_path / str(seed)))
    first = {p.name: p.read_text() for p in (tmp_path / "1").iterdir() if p.suffix in (".dot", ".mmd")}
    second = {p.name: p.read_text() for p in (tmp_path / "2").iterdir() if p.suffix in (".dot", ".mmd")}
    assert first and first == second


def test_check_json_is_the_same_under_two_hash_seeds():
    args = ("check", "--json", "--coverage", "--config", "all-types")
    first, second = (without_timings(json.loads(run(seed, *args))) for seed in (1, 2))
    assert first == second
