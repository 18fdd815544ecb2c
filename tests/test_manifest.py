"""The manifest is a regression record: every small entry must still match a fresh check.

The recorded figures come from `dmmodel manifest`; this test only says they have not drifted.
"""

import pytest

from dmmodel import manifest
from dmmodel.protocol.config import Config, load_bounds, variant

SMALL = 100_000
RECORDED = manifest.load()


def test_manifest_covers_every_configuration_and_variant():
    recorded = {(e["config"], e["variant"]) for e in RECORDED}
    expected = {(c.name, c.variant.name) for c in manifest.all_configs()}
    assert recorded == expected


@pytest.mark.parametrize(
    "entry",
    [e for e in RECORDED if e["states"] < SMALL],
    ids=lambda e: f"{e['config']}/{e['variant']}",
)
def test_small_entry_still_matches(entry):
    name, bounds = load_bounds(entry["config"])
    fresh = manifest.entry_for(Config(name, bounds, variant(entry["variant"])))
    assert manifest.differences(entry, fresh) == []


def test_a_drift_is_named():
    entry = RECORDED[0]
    changed = {**entry, "states": entry["states"] + 1,
               "verdicts": {**entry["verdicts"], "no_auth_deadlock": "violated (3)"}}
    lines = manifest.differences(entry, changed)
    assert any("states" in line for line in lines)
    assert any("no_auth_deadlock" in line for line in lines)
