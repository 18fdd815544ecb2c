"""The exhaustive check of the DM model: verdicts, replayable counterexamples, the CLI contract."""

import json
import re

import pytest
from click.testing import CliRunner

from dmmodel.cli import main
from dmmodel.protocol.config import PRESETS
from dmmodel.protocol.system import Channel, StepKind
from dmmodel.search.checkable import property_names


@pytest.fixture(scope="module")
def default_run(checks):
    return checks.results("default")


def verdict(run, name):
    return next(v for v in run.verdicts if v.property.name == name)


def test_dm12_deadlocks_after_a_rotation_and_a_card_rebootstrap(default_run):
    v = verdict(default_run["dm12"], "no_auth_deadlock")
    assert v.holds is False
    actions = [e.action for e in default_run["dm12"].traces["no_auth_deadlock"]]
    rules = [a.rule for a in actions]
    assert rules[-1] == "rebootstrap" and "accept_rotating" in rules
    assert actions[-1].arg[0] == "smartcard"
    assert "refuse" in " ".join(v.counterexample.trap.cycle)


def test_the_change_request_variants_hold_everything(default_run):
    for name in ("cr", "cr-keep-previous"):
        assert all(v.holds for v in default_run[name].verdicts), name


def test_each_requirement_needs_its_own_mechanism(default_run):
    assert verdict(default_run["report"], "no_auth_deadlock").holds is True
    assert verdict(default_run["report"], "bootstrap_acknowledged").holds is False
    assert verdict(default_run["report-ack"], "bootstrap_acknowledged").holds is True
    assert verdict(default_run["report-ack"], "bootstrap_type_known").holds is False


def test_every_counterexample_is_replayed_on_the_machines(default_run):
    for run in default_run.values():
        for v in run.failed():
            trace = run.traces[v.property.name]
            assert len(trace) == len(v.counterexample.steps) - 1
            assert [e.number for e in trace] == list(range(1, len(trace) + 1))


def test_loss_of_the_status_breaks_commit_on_status_but_not_keep_previous(checks):
    lossy_cr = checks.result("lossy", "cr", keep=False)
    assert verdict(lossy_cr, "no_auth_deadlock").holds is False
    actions = [e.action for e in lossy_cr.traces["no_auth_deadlock"]]
    # the device applied the Replace, then its Status never reached the server (lost, or
    # dropped with the connection by a reset): the server still holds only the old secret
    assert [a.rule for a in actions[-3:-1]] == ["accept_rotating", "take_session"]
    assert ((actions[-1].kind, actions[-1].channel) == (StepKind.LOSE, Channel.UP)
            or actions[-1].rule == "reset")
    keep = checks.result("lossy", "cr-keep-previous", keep=False)
    assert verdict(keep, "no_auth_deadlock").holds is True


def run_cli(*args):
    return CliRunner().invoke(main, ["check", *args])


def test_check_exits_0_when_the_cr_holds_and_prints_the_matrix():
    result = run_cli()
    assert result.exit_code == 0, result.output
    for name in PRESETS:
        assert name in result.output
    lines = result.output.splitlines()
    columns = set()
    for k, line in enumerate(lines):  # each matrix: header lines above the row of dashes
        if line.startswith("-----"):
            header = [lines[j] for j in range(k - 3, k) if lines[j].strip()]
            cells = {}
            for text in header:
                for m in re.finditer(r"\S+", text):
                    cells[m.start()] = cells.get(m.start(), "") + m.group()
            columns |= set(cells.values())
    assert set(property_names()) <= columns  # long names are broken at an underscore
    assert "Security properties" in result.output
    assert "VIOLATED" in result.output and "rebootstrap" in result.output


def test_check_json_has_the_documented_shape():
    result = run_cli("--json", "--variant", "dm12", "--variant", "cr")
    assert result.exit_code == 1  # a variant named with --variant (dm12) fails a property
    data = json.loads(result.output)
    assert [d["variant"] for d in data] == ["dm12", "cr"]
    for d in data:
        assert {"variant", "config", "states", "transitions", "seconds", "properties"} <= set(d)
        for p in d["properties"]:
            assert {"name", "requirement", "holds", "counterexample"} <= set(p)
    deadlock = next(p for p in data[0]["properties"] if p["name"] == "no_auth_deadlock")
    assert deadlock["holds"] is False and len(deadlock["counterexample"]) == 7  # init + 6 steps
    first, *steps = deadlock["counterexample"]
    assert first["action"] == "init" and "rule" not in first
    assert [s["rule"] for s in steps][-1] == "rebootstrap"
    assert all({"actor", "rule", "packages", "state", "class"} <= set(s) for s in steps)


def test_check_exits_1_when_a_cr_property_fails():
    result = run_cli("--config", "lossy", "--variant", "cr", "--property", "no_auth_deadlock")
    assert result.exit_code == 1


def test_partial_run_is_not_a_pass():
    result = run_cli("--variant", "cr", "--max-states", "20")
    assert result.exit_code == 1
    assert "PARTIAL" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--variant", "dm13"], "variant: unknown 'dm13'"),
        (["--property", "liveness"], "property: unknown 'liveness'"),
        (["--config", "nope"], "config: unknown 'nope'"),
        (["--max-states", "0"], "--max-states"),
    ],
)
def test_bad_usage_exits_2_with_one_clear_line(args, message):
    result = run_cli(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "text, message",
    [("[bounds\n", "not valid TOML"), ("[bounds]\nrotations = -2\n", "rotations: must be at least 0")],
)
def test_bad_configuration_file_exits_2(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    result = run_cli("--config", str(path))
    assert result.exit_code == 2
    assert message in result.output
