"""Pin: the manifest is a regression record, and its entries must still match fresh checks.

The recorded figures come from `dmmodel manifest`; these tests only say they have not drifted.
Every variant of the configurations in ``RECHECKED_HERE`` is rechecked here, through the
session's shared checks (``tests/shared.py``: other tests need most of them anyway). The other
configurations take minutes: ``.ci/run`` rechecks them whole with `dmmodel manifest --check`
(``test_ci_rechecks_every_other_configuration`` keeps the two lists together), except
``two-devices`` (over a million states), which is left to that command by hand.
"""

import re
from pathlib import Path

import pytest

from dmmodel import manifest
from dmmodel.protocol.config import make_config, named_configs

pytestmark = pytest.mark.pin

RECHECKED_HERE = ("default", "all-types", "lossy", "attack-edit", "attack-eavesdrop")
BY_HAND = ("two-devices",)
CI_RUN = Path(__file__).resolve().parents[1] / ".ci" / "run"
RECORDED = manifest.load()


def test_manifest_covers_every_configuration_and_variant():
    recorded = {(e["config"], e["variant"]) for e in RECORDED}
    assert recorded == set(manifest.all_keys())


@pytest.mark.parametrize(
    "entry",
    [e for e in RECORDED if e["config"] in RECHECKED_HERE],
    ids=lambda e: f"{e['config']}/{e['variant']}",
)
def test_entry_still_matches(entry, checks):
    fresh = checks.entry(entry["config"], entry["variant"])
    unreduced = manifest.unreduced_check(make_config(entry["config"], entry["variant"]))
    if unreduced is not None:  # the live-data reduction agrees with the unreduced search
        fresh = manifest.with_unreduced(fresh, unreduced)
    assert manifest.differences(entry, fresh) == []


def test_ci_rechecks_every_other_configuration():
    """Every named configuration is rechecked somewhere: here, in ``.ci/run``, or by hand."""
    lines = [line for line in CI_RUN.read_text().splitlines() if "dmmodel manifest --check" in line]
    assert len(lines) == 1, lines
    in_ci = re.findall(r"(?:-c|--config) ([\w-]+)", lines[0])
    assert sorted(in_ci) == sorted(set(named_configs()) - set(RECHECKED_HERE) - set(BY_HAND))


def test_a_drift_is_named():
    entry = RECORDED[0]
    changed = {**entry, "states": entry["states"] + 1,
               "verdicts": {**entry["verdicts"], "no_auth_deadlock": "VIOLATED (3)"},
               "coverage": {**entry["coverage"], "device:connect": -1}}
    lines = manifest.differences(entry, changed)
    assert any("states" in line for line in lines)
    assert any("no_auth_deadlock" in line for line in lines)
    assert any("device:connect" in line for line in lines)
