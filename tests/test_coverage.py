"""Coverage from the exhaustive check: every rule fires somewhere, so no verdict is vacuous.

``lossy-all-types`` is the named configuration in which every rule of both tables fires, for
every variant that has the rule. What never fires there is named here with the reason.
"""

import pytest
from click.testing import CliRunner

from dmmodel.analysis import check_presets
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


@pytest.fixture(scope="module")
def covered():
    return {r.variant: r for r in check_presets(EVERY_RULE_FIRES_IN, coverage=True)}


@pytest.mark.parametrize("variant", list(PRESETS))
def test_every_rule_fires_in_the_coverage_configuration(covered, variant):
    result = covered[variant]
    never = {name for name in coverage_names(result.config.variant) if not result.result.coverage.get(name)}
    assert never == never_fires(result.config.variant)


def test_the_default_configuration_leaves_the_401_path_unexercised_for_the_cr():
    """Why coverage matters: in ``default`` the change request never meets a refusal, so its
    properties hold there without the retry and abort rules ever firing."""
    (cr,) = check_presets("default", ["cr"], coverage=True)
    never = {n for n in coverage_names(cr.config.variant) if not cr.result.coverage.get(n)}
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
