"""Coverage from the exhaustive check: every rule fires somewhere, so no verdict is vacuous.

``lossy-all-types`` is the named configuration in which every rule of both tables fires, for
every variant that has the rule. What never fires there is named here with the reason.

Checked fresh here on ``all-types`` and ``lossy`` together (the rules that need every bootstrap
type fire in the one, those that need a loss or a reset in the other), whose checks the
manifest's regression check shares; ``lossy-all-types`` itself takes half a minute to check, so
here its recorded coverage is read, and `dmmodel manifest --check` in ``.ci/run`` keeps that
record current.
"""

import pytest
from click.testing import CliRunner

from dmmodel import manifest
from dmmodel.cli import main
from dmmodel.protocol.config import PRESETS
from dmmodel.search.checkable import coverage_names

EVERY_RULE_FIRES_IN = "lossy-all-types"
NEVER = {
    # every package the device sends has a rule that takes it (refuse, abort or close)
    "discard up": "no package to the server goes untaken",
}
# A finding, not a choice: a keep-previous server accepts the device's current, pending or
# previous secret, so a device is never refused up to its retry limit and never aborts.
NEVER_WITH_KEEP_PREVIOUS = {"device:give_up", "server:abort"}
# With a challenged report the server only recognises a bootstrap over a nonce it issued after
# a 401; until the one rotation has happened the device's g0 is still the current secret, so
# accept_rotating takes it first, and after it no rotation is left.
NEVER_WITH_CHALLENGE = {"server:recognise_bootstrap_rotating"}
# With a device nonce in every Package 1 the server's credential is always over the nonce the
# device just sent, so on a network without an attacker the device never refuses it.
NEVER_WITH_DEVICE_NONCE = {"device:reject_server", "server:refused_by_device"}
# A change-request server with a DM 1.2 device: no report ever comes, so nothing is recognised.
NEVER_WITHOUT_A_REPORTING_DEVICE = {"server:recognise_bootstrap", "server:recognise_bootstrap_rotating"}


def never_fires(variant) -> set[str]:
    """What the coverage configuration cannot fire for ``variant``, by its switches."""
    expected = set(NEVER)
    if variant.on("rotation"):
        expected |= NEVER_WITH_KEEP_PREVIOUS
    if variant.challenge:
        expected |= NEVER_WITH_CHALLENGE
    if variant.device_nonce:
        expected |= NEVER_WITH_DEVICE_NONCE
    if variant.report and not variant.for_role("device").report:
        expected |= NEVER_WITHOUT_A_REPORTING_DEVICE
    return expected


def never_fired(checks, config_name: str, variant: str) -> set[str]:
    """The rules (and environment steps) that fired on no transition of the fresh check."""
    coverage = checks.entry(config_name, variant)["coverage"]
    assert set(coverage) == set(coverage_names(PRESETS[variant]))
    return {name for name, count in coverage.items() if not count}


@pytest.mark.parametrize("variant", list(PRESETS))
def test_every_rule_fires_in_all_types_or_lossy(checks, variant):
    never = never_fired(checks, "all-types", variant) & never_fired(checks, "lossy", variant)
    assert never == never_fires(PRESETS[variant])


@pytest.mark.pin
@pytest.mark.parametrize("variant", list(PRESETS))
def test_every_rule_fires_in_the_coverage_configuration_as_recorded(variant):
    (entry,) = [e for e in manifest.load() if (e["config"], e["variant"]) == (EVERY_RULE_FIRES_IN, variant)]
    assert set(entry["coverage"]) == set(coverage_names(PRESETS[variant]))
    assert {name for name, count in entry["coverage"].items() if not count} == never_fires(PRESETS[variant])


def test_the_default_configuration_leaves_the_401_path_unexercised_for_the_cr(checks):
    """Why coverage matters: in ``default`` the change request never meets a refusal, so its
    properties hold there without the retry and abort rules ever firing."""
    never = never_fired(checks, "default", "cr")
    assert {"device:retry", "device:give_up", "server:refuse", "server:abort"} <= never


def test_check_coverage_prints_counts_and_what_never_fired():
    result = CliRunner().invoke(main, ["check", "--coverage", "--variant", "cr", "--no-counterexamples"])
    assert result.exit_code == 0, result.output
    assert "device:take_session" in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("cr: "))
    never = line.split(": ", 2)[2].split(", ")
    rules = [n for n in never if ":" in n]  # 9 of the cr's 22 rules, as in the issue that asked for this
    assert line.startswith(f"cr: {len(never)} never fired") and len(rules) == 9
    assert "server:refuse" in rules and "device:retry" in rules
