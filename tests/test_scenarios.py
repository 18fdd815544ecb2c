"""Each scenario's outcome comes from running it on the executable machines."""

import dataclasses

import pytest
from click.testing import CliRunner

from dmmodel.cli import main
from dmmodel.protocol.system import ATTACK_STEPS, StepKind
from dmmodel.runtime.scenarios import (
    ScenarioError,
    load_scenario,
    rule_counts,
    run_scenario,
    scenario_config,
    scenario_names,
    step_forms,
)


@pytest.mark.parametrize("name", scenario_names())
def test_scenario_comes_out_as_its_file_says(name):
    run = run_scenario(load_scenario(name))
    assert run.passed, run.failures


def test_the_four_flows_are_there():
    flows = {load_scenario(n).flow for n in scenario_names()}
    assert {"normal", "alternative-1", "alternative-2", "the problem the CR describes"} <= flows


def test_dm12_failure_refuses_every_attempt_after_the_rebootstrap():
    run = run_scenario(load_scenario("dm12-rebootstrap-deadlock"))
    after = [e for e in run.trace if e.number > next(
        e.number for e in run.trace if e.action.trigger == "rebootstrap")]
    server_rules = {e.rule for e in after if e.role == "server" and e.action.kind is StepKind.DELIVER}
    assert server_rules == {"refuse", "abort"}
    device_rules = [e.rule for e in after if e.action.kind is StepKind.DELIVER and e.role == "device"]
    assert "take_session" not in device_rules and device_rules.count("give_up") == 2


def test_cr_normal_flow_recognises_the_report_and_acknowledges_it():
    run = run_scenario(load_scenario("cr-normal-flow"))
    counts = rule_counts(run.trace)
    assert counts["server.recognise_bootstrap"] == 1 and counts["server.refuse"] == 0
    recognised = next(e for e in run.trace if e.rule == "recognise_bootstrap")
    assert recognised.taken.report is not None
    assert recognised.sent[0].report_status == 200 and recognised.sent[0].status == 212


def test_a_wrong_expectation_is_reported_not_hidden():
    scenario = load_scenario("cr-normal-flow")
    wrong = dataclasses.replace(scenario, expect_final={"server.gen": 7})
    run = run_scenario(wrong)
    assert not run.passed
    assert run.failures == ["server.gen is 0, expected 7"]


def test_a_step_that_is_not_enabled_is_an_error():
    scenario = dataclasses.replace(load_scenario("cr-normal-flow"), steps=("connect",))
    with pytest.raises(ScenarioError, match="not enabled"):
        run_scenario(scenario)


def test_simulate_prints_the_packages_with_real_credentials():
    result = CliRunner().invoke(main, ["simulate", "cr-normal-flow"])
    assert result.exit_code == 0, result.output
    assert "Alert 1226 urn:oma:at:dm:1.3:BootstrapComplete" in result.output
    assert "Cred md5=[" in result.output and "Status 212" in result.output
    assert "outcome: as expected" in result.output


def test_simulate_unknown_scenario_is_a_usage_error():
    result = CliRunner().invoke(main, ["simulate", "nope"])
    assert result.exit_code == 2
    assert "unknown 'nope'" in result.output
    assert "Traceback" not in result.output


def test_the_step_language_comes_from_the_rule_tables():
    forms = step_forms()
    protocol = {"bootstrap TYPE", "rebootstrap TYPE", "connect", "device timeout", "server timeout",
                "notify", "reset", "deliver", "deliver rotating", "lose up", "lose down", "exchange"}
    attack = {f for f in forms if f.startswith("attacker ")}
    assert set(forms) - attack == protocol
    assert {f.split()[1] for f in attack} == {str(s) for s in ATTACK_STEPS}


@pytest.mark.parametrize("step", ["attacker fly", "attacker record sideways", "attacker replay one",
                                  "attacker release now"])
def test_an_unknown_attack_step_names_the_allowed_ones(step):
    scenario = dataclasses.replace(load_scenario("cr-replay-rollback"), steps=("bootstrap smartcard", step))
    with pytest.raises(ScenarioError, match=r"unknown step .*allowed: .*attacker replay N"):
        run_scenario(scenario)


def test_an_attack_step_without_an_attacker_is_not_enabled():
    scenario = dataclasses.replace(load_scenario("cr-normal-flow"),
                                   steps=("bootstrap smartcard", "connect", "attacker record up"))
    with pytest.raises(ScenarioError, match="not enabled"):
        run_scenario(scenario)


@pytest.mark.parametrize("step", ["fly", "timeout", "connect now", "deliver sideways", "lose left"])
def test_an_unknown_step_names_the_allowed_ones(step):
    scenario = dataclasses.replace(load_scenario("cr-normal-flow"), steps=("bootstrap smartcard", step))
    with pytest.raises(ScenarioError, match=r"unknown step .*allowed: .*device timeout"):
        run_scenario(scenario)


def test_a_scenario_may_raise_the_attackers_budget():
    scenario = load_scenario("card-holder-behind-tls")
    config = scenario_config(scenario)
    assert scenario.budget == 2 and config.bounds.attacker.budget == 2
    assert config.bounds.attacker.tls and config.bounds.attacker.card_secret
