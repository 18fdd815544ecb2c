"""Diagrams: the committed folder is current, a stale or missing file is named, views say the right things.

The command runs in-process on the session's shared checks (``checks.analyse`` stands in for
``dmmodel.analysis.analyse``, which the command calls first): each run still draws, writes and
compares every file, without checking the thirteen variants again. ``test_determinism.py`` runs
the command as it is, in fresh interpreters.
"""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import dmmodel.cli.diagrams as diagrams_cli
import dmmodel.cli.report as report_cli
from dmmodel import manifest
from dmmodel.cli import main
from dmmodel.cli.diagrams import DIAGRAMS_DIR
from dmmodel.protocol.config import PRESETS, SPECS_DIR
from dmmodel.protocol.device import DEVICE
from dmmodel.protocol.nonces import canonical
from dmmodel.protocol.server import SERVER
from dmmodel.render import Message, Note
from dmmodel.runtime.scenarios import load_scenario, run_scenario
from dmmodel.views.machines import machine_chart
from dmmodel.views.overview import REGIONS, TRAPPED, overview_graph
from dmmodel.views.sequences import trace_chart


@pytest.fixture(autouse=True)
def _shared_analysis(monkeypatch: pytest.MonkeyPatch, checks) -> None:
    monkeypatch.setattr(diagrams_cli, "analyse", checks.analyse)
    monkeypatch.setattr(report_cli, "analyse", checks.analyse)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, checks) -> Path:
    folder = tmp_path_factory.mktemp("diagrams")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(diagrams_cli, "analyse", checks.analyse)
        result = CliRunner().invoke(main, ["diagrams", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


@pytest.mark.pin
def test_committed_diagrams_are_current() -> None:
    result = CliRunner().invoke(main, ["diagrams", "--check"])
    assert result.exit_code == 0, result.output
    assert "are current" in result.output


def test_generation_writes_every_format(generated: Path) -> None:
    names = {p.stem for p in generated.glob("*.dot")}
    assert {"machine-device-cr", "machine-server-dm12", "overview-dm12",
            "scenario-cr-normal-flow", "cex-dm12-no_auth_deadlock"} <= names
    for name in names:
        assert (generated / f"{name}.mmd").is_file()
        assert (generated / f"{name}.svg").read_text().count("<svg") == 1


def test_check_names_a_stale_file(generated: Path) -> None:
    target = generated / "machine-device-cr.mmd"
    original = target.read_text()
    target.write_text(original.replace("connect", "konnect"))
    try:
        result = CliRunner().invoke(main, ["diagrams", "--check", "--out", str(generated)])
    finally:
        target.write_text(original)
    assert result.exit_code == 1
    assert "machine-device-cr.mmd: stale" in result.output
    assert "machine-device-cr.dot" not in result.output


def test_check_names_missing_and_extra_files(generated: Path) -> None:
    target = generated / "cex-dm12-no_auth_deadlock.dot"
    original = target.read_text()
    target.unlink()
    (generated / "old-chart.mmd").write_text("flowchart LR\n")
    try:
        result = CliRunner().invoke(main, ["diagrams", "--check", "--out", str(generated)])
    finally:
        target.write_text(original)
        (generated / "old-chart.mmd").unlink()
    assert result.exit_code == 1
    assert "cex-dm12-no_auth_deadlock.dot: missing" in result.output
    assert "old-chart.mmd: not generated" in result.output


def test_bad_configuration_is_one_clear_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["diagrams", "--out", str(tmp_path), "--config", "nope"])
    assert result.exit_code == 2
    assert "config: unknown 'nope'" in result.output
    assert "Traceback" not in result.output


def test_committed_folder_is_the_default() -> None:
    assert DIAGRAMS_DIR.name == "diagrams" and (DIAGRAMS_DIR / "machine-device-cr.mmd").is_file()


def test_cr_state_chart_highlights_what_the_change_request_adds() -> None:
    cr_server = machine_chart(SERVER, PRESETS["cr"])
    dm12_server = machine_chart(SERVER, PRESETS["dm12"])
    highlighted = " ".join(e.label for e in cr_server.edges if e.highlight)
    assert "recognise_bootstrap" in highlighted and "+ ack" in highlighted
    assert "+ Get type" in highlighted and "records type" in highlighted
    assert not any(e.highlight for e in dm12_server.edges)
    assert "recognise_bootstrap" not in " ".join(e.label for e in dm12_server.edges)
    cr_device = machine_chart(DEVICE, PRESETS["cr"])
    connect = next(e for e in cr_device.edges if e.label.startswith("connect"))
    assert connect.highlight and "+ report" in connect.label


def test_deadlock_chart_shows_refusals_of_the_old_secret() -> None:
    run = run_scenario(load_scenario("dm12-rebootstrap-deadlock"))
    chart = trace_chart("x", "t", run.trace)
    labels = [e.label for e in chart.events if isinstance(e, Message)]
    refusals = [label for label in labels if label.split(". ", 1)[1].startswith("Pkg2: Status 401")]
    assert len(refusals) == 6
    assert all("Chal NextNonce=" in label and "server holds g1" in label for label in refusals)
    assert any("Replace AAuthSecret" in label for label in labels)
    assert not any("1226" in label for label in labels)


def test_normal_flow_chart_shows_report_and_ack_highlighted() -> None:
    chart = trace_chart("x", "t", run_scenario(load_scenario("cr-normal-flow")).trace)
    messages = [e for e in chart.events if isinstance(e, Message)]
    report = [m for m in messages if "Alert 1226 BootstrapComplete" in m.label]
    ack = [m for m in messages if "report acknowledged" in m.label]
    assert report and ack and all(m.highlight for m in report + ack)
    assert chart.participants == ("environment", "device1", "server")


def test_overview_has_a_deadlock_region_only_in_dm12(checks) -> None:
    dm12 = overview_graph(checks.result("default", "dm12"))
    cr = overview_graph(checks.result("default", "cr"))
    assert dm12.groups[TRAPPED] == REGIONS[TRAPPED]
    assert any(n.group == TRAPPED for n in dm12.nodes)
    assert TRAPPED not in cr.groups
    trapped = [n.label for n in dm12.nodes if n.group == TRAPPED]
    assert all("device" in label and "(g0)" in label and "(g1)" in label for label in trapped)


def test_arrows_carry_the_numbers_of_their_trace_steps() -> None:
    trace = run_scenario(load_scenario("cr-normal-flow")).trace
    chart = trace_chart("x", "t", trace)
    numbers = [int(e.label.split(".", 1)[0]) for e in chart.events if isinstance(e, Message)]
    senders = [e.number for e in trace if e.sent or e.role is None or e.rule in {
        "bootstrap", "rebootstrap", "reset"}]
    assert numbers == sorted(numbers) and set(numbers) <= {e.number for e in trace}
    assert set(senders) <= set(numbers)


def test_a_package_dropped_by_a_rebootstrap_is_not_called_lost(checks) -> None:
    result = checks.result("default", "dm12")
    chart = trace_chart("x", "t", result.traces["no_auth_deadlock"])
    fates = {e.fate for e in chart.events if isinstance(e, Message) and e.fate}
    assert fates == {"dropped (connection reset)"}


def test_a_reachability_counterexample_is_drawn_as_prefix_and_loop(checks) -> None:
    result = checks.result("default", "dm12")
    prefix, lasso = result.traces["no_auth_deadlock"], result.lassos["no_auth_deadlock"]
    steps = [*prefix, *lasso.steps]
    assert [e.number for e in steps] == list(range(1, len(steps) + 1))
    assert len(prefix) < lasso.loop_start <= len(steps)
    cycle = tuple(f"{e.actor.split(' for ')[0]}: {e.rule}" for e in steps[lasso.loop_start - 1:])
    assert len(cycle) == len(result.verdict("no_auth_deadlock").counterexample.trap.cycle)
    # the loop ends where it began: the slot after the last step is the slot before the first, up
    # to the renaming of nonces (the machines issue new ones; credentials follow the nonces)
    def shape(slot):
        return canonical(slot._replace(up=tuple(p._replace(cred=None) for p in slot.up),
                                       down=tuple(p._replace(cred=None) for p in slot.down)))

    assert shape(steps[-1].slot) == shape(steps[lasso.loop_start - 2].slot)
    chart = trace_chart("x", "t", steps, "trap", lasso.loop_start)
    assert "back to step" in chart.events[-1].text


def test_check_names_a_garbage_or_deleted_svg(generated: Path) -> None:
    svg = generated / "machine-device-cr.svg"
    original = svg.read_text()
    svg.write_text("garbage")
    (generated / "overview-cr.svg").rename(generated / "overview-cr.svg.bak")
    try:
        result = CliRunner().invoke(main, ["diagrams", "--check", "--out", str(generated)])
    finally:
        svg.write_text(original)
        (generated / "overview-cr.svg.bak").rename(generated / "overview-cr.svg")
    assert result.exit_code == 1
    assert "machine-device-cr.svg: not a parseable SVG" in result.output
    assert "overview-cr.svg: missing" in result.output
    assert "regenerated" not in result.output


def test_check_names_an_svg_drawn_from_another_dot(generated: Path) -> None:
    svg = generated / "machine-device-cr.svg"
    original = svg.read_text()
    svg.write_text((generated / "machine-device-dm12.svg").read_text())
    try:
        result = CliRunner().invoke(main, ["diagrams", "--check", "--out", str(generated)])
    finally:
        svg.write_text(original)
    assert result.exit_code == 1
    assert "machine-device-cr.svg: stale (not drawn from the current DOT)" in result.output


def test_a_failing_render_leaves_the_folder_untouched(tmp_path: Path, monkeypatch) -> None:
    import dmmodel.views.publish as publish
    from dmmodel.render import RenderError

    calls = []

    def fail_late(dot: str, renderer: str) -> str:
        calls.append(dot)
        if len(calls) == 5:
            raise RenderError("renderer crashed")
        return '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'

    (tmp_path / "keep.txt").write_text("mine")
    monkeypatch.setattr(publish, "render_svg", fail_late)
    monkeypatch.setattr("dmmodel.cli.diagrams.find_dot_renderer", lambda: "dot")
    result = CliRunner().invoke(main, ["diagrams", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "nothing written" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_writing_leaves_the_readme_alone_unless_asked(tmp_path: Path, monkeypatch) -> None:
    import dmmodel.cli.diagrams as command

    readme = tmp_path / "README.md"
    stale = "<!-- embedded from diagrams/machine-device-cr.mmd; x -->\n```mermaid\nold\n```\n"
    readme.write_text(stale)
    monkeypatch.setattr(command, "README", readme)
    monkeypatch.setattr(command, "find_dot_renderer", lambda: None)  # the SVG files are not in question
    out = tmp_path / "diagrams"
    assert CliRunner().invoke(main, ["diagrams", "--out", str(out)]).exit_code == 0
    assert readme.read_text() == stale
    checked = CliRunner().invoke(main, ["diagrams", "--check", "--readme", "--out", str(out)])
    assert checked.exit_code == 1 and "README.md: embedded diagrams differ" in checked.output
    assert CliRunner().invoke(main, ["diagrams", "--readme", "--out", str(out)]).exit_code == 0
    assert "```mermaid\nold\n" not in readme.read_text() and "flowchart" in readme.read_text()


def test_an_unwritable_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(main, ["diagrams", "--out", str(blocker / "sub")])
    assert result.exit_code == 2
    assert [line for line in result.stderr.splitlines() if not line.startswith("checking")] == [
        f"Error: --out: cannot write {blocker / 'sub'}: Not a directory"]
    report = CliRunner().invoke(main, ["report", "--out", str(blocker / "report.html")])
    assert report.exit_code == 2 and "cannot write" in report.output


def test_report_refuses_an_unknown_attack_configuration_before_checking_anything() -> None:
    result = CliRunner().invoke(main, ["report", "--attack", "nosuch"])
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1  # no "checking ..." first
    assert result.stderr.startswith("Error: config: unknown 'nosuch'")


def test_a_large_configuration_draws_everything_but_the_overview(tmp_path: Path, monkeypatch) -> None:
    """An overview over ``MAX_STATES`` is refused and named, and everything else is drawn. The
    limit is lowered here below the default configuration's sizes (lossy's, over the real limit,
    would take seconds to check and draw)."""
    import dmmodel.views.overview as overview

    recorded = {(e["config"], e["variant"]): e["states"] for e in manifest.load()}
    assert min(recorded["lossy", v] for v in ("dm12", "cr")) > overview.MAX_STATES  # lossy is one
    assert max(recorded["default", v] for v in ("dm12", "cr")) <= overview.MAX_STATES  # default is not
    monkeypatch.setattr(overview, "MAX_STATES", recorded["default", "cr"] - 1)
    result = CliRunner().invoke(main, ["diagrams", "-c", "default", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"overview of variant dm12 not drawn: {recorded['default', 'dm12']:,} states" in result.output
    names = {p.stem for p in tmp_path.glob("*.dot")}
    assert not any(name.startswith("overview-") for name in names)
    assert {"machine-device-cr", "cex-dm12-no_auth_deadlock", "scenario-cr-normal-flow"} <= names


@pytest.mark.parametrize("name", sorted(p.stem for p in (SPECS_DIR / "scenarios").glob("*.toml")))
def test_every_trace_step_shows_in_its_chart_under_its_number(name: str) -> None:
    """The chart reads beside the numbered trace: no step is left out (one with no package
    and no note of its own is a note with its rule's name)."""
    run = run_scenario(load_scenario(name))
    chart = trace_chart(name, name, run.trace)
    texts = [e.label if isinstance(e, Message) else e.text for e in chart.events
             if isinstance(e, Message | Note)]
    shown = {int(m.group(1)) for text in texts if (m := re.match(r"(\d+)\. ", text))}
    assert shown == set(range(1, len(run.trace) + 1))
