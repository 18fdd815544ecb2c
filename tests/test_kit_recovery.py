"""Recoverability and coverage, the kit's two instruments, on known states."""

import pytest

from dmmodel.protocol.config import make_config
from dmmodel.runtime.machines import ExecutableSystem
from dmmodel.testing import Coverage, Recoverability, RecoverabilityError, recover
from dmmodel.testing.recovery import RECOVERY_STEPS


def after_dm12_deadlock(checks, variant: str) -> ExecutableSystem:
    """A system of ``variant`` after the steps of the checker's shortest DM 1.2 deadlock."""
    trace = checks.result("default", "dm12").traces["no_auth_deadlock"]
    system = ExecutableSystem(make_config("default", variant))
    for entry in trace:
        system.step(entry.index, next(a for i, a in system.actions() if a == entry.action))
    return system


def test_dm12_cannot_recover_and_the_error_shows_the_401s(checks):
    system = after_dm12_deadlock(checks, "dm12")
    with pytest.raises(RecoverabilityError) as caught:
        recover(system.copy(), 0)
    error = caught.value
    assert error.index == 0 and len(error.trace) == RECOVERY_STEPS
    assert all(e.rule != "take_session" for e in error.trace)
    assert "authentication deadlock: device1" in str(error)
    assert "Status 401" in str(error)


def test_cr_recovers_through_the_bootstrap_report(checks):
    system = after_dm12_deadlock(checks, "cr")
    recovery = recover(system.copy(), 0)
    assert [e.rule for e in recovery.trace] == ["connect", "recognise_bootstrap", "take_session"]


def test_recoverability_remembers_verdicts_and_ignores_factory_devices(checks):
    system = ExecutableSystem(make_config("default", "dm12"))
    checker = Recoverability(system)
    checker.check(system.state)  # nothing bootstrapped: nothing to recover
    assert checker.verdicts == {}
    deadlocked = after_dm12_deadlock(checks, "dm12").state
    for _ in range(2):
        with pytest.raises(RecoverabilityError):
            checker.check(deadlocked)
    assert len(checker.verdicts) == 1


def test_coverage_lists_starved_rules_and_states():
    coverage = Coverage(make_config("default", "dm12"))
    coverage.rules["device:bootstrap"] = 1
    coverage.states["device:factory"] = 1
    starved = coverage.starved()
    assert "device:bootstrap" not in starved and "device:factory" not in starved
    assert "device:take_session" in starved and "server:in_session" in starved
    assert "server:recognise_bootstrap" not in starved  # dm12 has no such rule
    assert "      0  device:take_session" in coverage.report()
