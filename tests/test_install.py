"""A non-editable install works outside the repository: the wheel carries specs/ and finds it.

Builds the wheel, installs it into a fresh virtual environment and runs the installed
``dmmodel`` from a temporary folder, as ``pip install .`` or ``uv tool install .`` users do.
About 3 s on the project's machine (dependencies come from uv's cache).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dmmodel.protocol.config import PRESETS, find_specs
from dmmodel.runtime.scenarios import scenario_names

ROOT = Path(__file__).resolve().parents[1]
UV = shutil.which("uv")

pytestmark = [pytest.mark.skipif(UV is None, reason="uv is not on PATH: it builds the wheel and the venv"),
              pytest.mark.slow]


def _run(args: list, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin folder of a fresh venv with the project's wheel installed."""
    tmp = tmp_path_factory.mktemp("install")
    built = _run([UV, "build", "--wheel", "--out-dir", tmp / "dist", ROOT], cwd=tmp)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp / "dist").glob("dmmodel-*.whl"))
    venv = tmp / "venv"
    made = _run([UV, "venv", "--python", sys.executable, venv], cwd=tmp)
    assert made.returncode == 0, made.stderr
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    done = _run([UV, "pip", "install", "--python", python, wheel], cwd=tmp)
    assert done.returncode == 0, done.stderr
    return python.parent


def test_the_checkout_reads_its_own_specs():
    assert find_specs() == (ROOT / "specs", True)


def test_the_installed_package_reads_its_packaged_specs(installed, tmp_path):
    probe = "from dmmodel.protocol.config import find_specs; d, c = find_specs(); print(d, c)"
    out = _run([installed / "python", "-c", probe], cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    folder, in_checkout = out.stdout.rsplit(maxsplit=1)
    assert in_checkout == "False"
    assert Path(folder).parts[-2:] == ("dmmodel", "specs")
    assert ROOT not in Path(folder).parents
    assert (Path(folder) / "configs" / "default.toml").is_file()


def test_installed_check_prints_the_matrix(installed, tmp_path):
    out = _run([installed / "dmmodel", "check"], cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    rows = {line.split()[0] for line in out.stdout.splitlines() if line.strip()}
    assert set(PRESETS) <= rows
    assert "configuration default" in out.stdout


def test_installed_simulate_lists_the_scenarios(installed, tmp_path):
    out = _run([installed / "dmmodel", "simulate", "--list"], cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    listed = [line.split()[0] for line in out.stdout.splitlines() if line.strip()]
    assert listed == scenario_names() and listed


def test_installed_tool_writes_into_the_working_folder_never_into_the_package(installed, tmp_path):
    out = _run([installed / "dmmodel", "diagrams"], cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert (tmp_path / "diagrams" / "machine-device-cr.dot").is_file()
    refused = _run([installed / "dmmodel", "manifest"], cwd=tmp_path)
    assert refused.returncode == 2 and "only in a clone" in refused.stderr
    readme = _run([installed / "dmmodel", "diagrams", "--readme"], cwd=tmp_path)
    assert readme.returncode == 2 and "only in a clone" in readme.stderr
