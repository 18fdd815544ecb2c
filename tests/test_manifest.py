"""The manifest is a regression record: every small entry must still match a fresh check.

The recorded figures come from `dmmodel manifest`; this test only says they have not drifted.
"""

import pytest

from dmmodel import manifest

SMALL = 30_000  # larger entries are left to `dmmodel manifest --check` (minutes)
RECORDED = manifest.load()


def test_manifest_covers_every_configuration_and_variant():
    recorded = {(e["config"], e["variant"]) for e in RECORDED}
    assert recorded == set(manifest.all_keys())


@pytest.mark.parametrize(
    "entry",
    [e for e in RECORDED if e["states"] < SMALL],
    ids=lambda e: f"{e['config']}/{e['variant']}",
)
def test_small_entry_still_matches(entry):
    (fresh,) = manifest.entries(entry["config"], [entry["variant"]])
    assert manifest.differences(entry, fresh) == []


def test_a_drift_is_named():
    entry = RECORDED[0]
    changed = {**entry, "states": entry["states"] + 1,
               "verdicts": {**entry["verdicts"], "no_auth_deadlock": "VIOLATED (3)"},
               "coverage": {**entry["coverage"], "device:connect": -1}}
    lines = manifest.differences(entry, changed)
    assert any("states" in line for line in lines)
    assert any("no_auth_deadlock" in line for line in lines)
    assert any("device:connect" in line for line in lines)
