"""The HTML report: parses, is self-contained, and shows every property and every diagram.

The command runs in-process on the session's shared checks (``checks.analyse`` stands in for
``dmmodel.analysis.analyse``): the page is built, drawn and written as it is for a user.
"""

import re
from collections import Counter
from dataclasses import replace
from html import unescape
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner

import dmmodel.cli.report as report_cli
import dmmodel.report as report_module
from dmmodel.cli import main
from dmmodel.cli.diagrams import DIAGRAMS_DIR
from dmmodel.report import build_report, inline_svg, load_requirements, made_by
from dmmodel.search.checkable import property_names
from dmmodel.views.catalog import build_diagrams


class Collector(HTMLParser):
    """Gathers text, figure names, table cells and any reference to outside resources."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.figures: list[str] = []
        self.external: list[str] = []
        self.svgs = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if tag == "figure":
            self.figures.append(values["data-diagram"])
        if tag == "svg":
            self.svgs += 1
        for key in ("src", "href"):
            if key in values and not values[key].startswith("#"):
                self.external.append(values[key])
        if tag == "link":
            self.external.append(str(values))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, checks) -> tuple[str, Collector]:
    out = tmp_path_factory.mktemp("report") / "review.html"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(report_cli, "analyse", checks.analyse)
        result = CliRunner().invoke(main, ["report", "--out", str(out), "--no-security"])  # see
    # test_report_security.py: checking every attacker configuration takes a minute or more
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    parser = Collector()
    parser.feed(page)
    parser.close()
    return page, parser


def test_report_contains_every_property_of_the_matrix(report: tuple[str, Collector]) -> None:
    _, parser = report
    text = " ".join(parser.text)
    for name in property_names():
        assert name in text
    assert "VIOLATED (6)" in text
    for requirement in ("DM-HLR-1", "DM-HLR-2", "DM-HLR-3"):
        assert requirement in text


def test_report_contains_every_diagram_inline(report: tuple[str, Collector]) -> None:
    _, parser = report
    committed = sorted(p.stem for p in DIAGRAMS_DIR.glob("*.dot"))
    assert sorted(parser.figures) == committed
    assert parser.svgs >= len(committed)


def test_report_needs_no_network(report: tuple[str, Collector]) -> None:
    page, parser = report
    assert parser.external == []
    for marker in ("<script", "<link", "@import", "url(http", "<img"):
        assert marker not in page


def test_counterexample_trace_is_numbered_beside_its_chart(report: tuple[str, Collector]) -> None:
    page, _ = report
    start = page.index("<div class='pair'><ol class='trace'>", page.index("id='counterexamples'"))
    pair = page[start:page.index("</div>", start)]
    assert "rebootstrap (smartcard)" in pair and 'id="diagram-cex-dm12-no_auth_deadlock"' in pair


@pytest.fixture(scope="module")
def checked(checks) -> tuple[list, list]:
    analysis = checks.analyse()
    return analysis.results, build_diagrams(analysis).diagrams


def test_report_without_renderer_shows_mermaid_source(checked: tuple[list, list]) -> None:
    page = build_report(*checked, {}, load_requirements(), "t")
    assert "Mermaid source" in page and "sequenceDiagram" in page


def test_report_traces_the_projects_requirements_and_flows(checked: tuple[list, list]) -> None:
    page = build_report(*checked, {}, load_requirements(), "t")
    section = page[page.index("id='requirements'"):page.index("id='machines'")]
    for requirement in ("DM-HLR-1", "DM-HLR-2", "DM-HLR-3"):
        assert requirement in section
    for flow in ("normal", "alternative-1", "alternative-2", "problem"):
        assert f"<td>{flow}</td>" in section


def test_report_traces_a_requirements_file(checked: tuple[list, list], tmp_path: Path) -> None:
    spec_file = tmp_path / "requirements.toml"
    spec_file.write_text(
        '[[requirement]]\nid = "DM-HLR-1"\ntitle = "Report the bootstrap event"\n'
        'properties = ["no_auth_deadlock"]\nscenarios = ["cr-normal-flow"]\n'
        '[[flow]]\nid = "normal"\nscenario = "cr-normal-flow"\n'
    )
    page = build_report(*checked, {}, load_requirements(spec_file), "t")
    section = page[page.index("id='requirements'"):page.index("id='machines'")]
    assert "Report the bootstrap event" in section
    assert 'href="#diagram-cex-dm12-no_auth_deadlock"' in section
    assert 'href="#diagram-scenario-cr-normal-flow"' in section
    assert "<h3>Flows</h3>" in section


def test_every_id_on_the_page_is_unique(report: tuple[str, Collector]) -> None:
    page, parser = report
    assert parser.svgs > 1
    ids = re.findall(r"""\bid=["']([^"']+)["']""", page)
    repeated = sorted(name for name, count in Counter(ids).items() if count > 1)
    assert repeated == []
    for target in re.findall(r"""(?:href=["']#|url\(#)([^"')]+)""", page):
        assert target in ids, f"#{target} points nowhere"


def test_inline_svg_prefixes_its_ids_and_the_references_to_them() -> None:
    svg = ('<?xml version="1.0"?><svg width="10pt" viewBox="0 0 10 10"><g id="graph0">'
           '<linearGradient id="l_1"/><rect fill="url(#l_1)"/><a xlink:href="#node1"/>'
           '<a href="#diagram-elsewhere"/><g id="node1"/></g></svg>')
    body = inline_svg(svg, "svg-x-")
    assert body.startswith('<svg style="max-width: 10pt"')
    assert re.findall(r'id="([^"]+)"', body) == ["svg-x-graph0", "svg-x-l_1", "svg-x-node1"]
    assert 'url(#svg-x-l_1)' in body and 'xlink:href="#svg-x-node1"' in body
    assert 'href="#diagram-elsewhere"' in body  # not the drawing's own: left alone


def test_no_python_repr_and_the_bounds_in_words(report: tuple[str, Collector]) -> None:
    page, _ = report
    for repr_start in ("Attacker(", "Bounds(", "Config(", "Variant(", "BootstrapType.", "Profile."):
        assert repr_start not in page
    about = page[page.index("<table class='about'>"):]
    about = about[:about.index("</table>")]
    assert "<tr><th>network attacker</th><td>no attacker</td></tr>" in about
    assert "<tr><th>bootstrap profile</th><td>OMA DM (TNDS)</td></tr>" in about


def test_the_page_names_its_version_with_or_without_a_commit(
        checked: tuple[list, list], monkeypatch: pytest.MonkeyPatch) -> None:
    version = metadata.version("dmmodel")
    assert made_by("abc1234", version) == f"dmmodel {version} (commit abc1234)"
    monkeypatch.setattr(report_module, "_commit", lambda: None)  # as from an installed copy
    page = build_report(*checked, {}, load_requirements(), "t")
    assert f"dmmodel {version} (installed package, no git commit)" in page
    assert "commit unknown" not in page


def _summary(page: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", page[page.index("id='summary'"):page.index("id='verdicts'")]))


def test_the_summary_says_what_the_verdicts_say(checked: tuple[list, list]) -> None:
    results, diagrams = checked
    summary = _summary(build_report(results, diagrams, {}, load_requirements(), "t"))
    dm12 = next(r for r in results if r.variant == "dm12")
    assert dm12.failed(), "DM 1.2 must fail something for the case to be made"
    for verdict in dm12.failed():
        steps = len(verdict.counterexample.steps) - 1
        assert f"{verdict.property.name} ({steps} step" in summary
    claiming = [r.variant for r in results if r.config.variant.claims_cr]
    assert all(not r.failed() for r in results if r.config.variant.claims_cr)
    assert "Every property holds for each variant claiming the change request (marked *): " + \
        ", ".join(claiming) + "." in summary
    bounds = results[0].config.bounds
    assert bounds.describe() in summary


def test_a_changed_verdict_changes_the_summary(checked: tuple[list, list]) -> None:
    results, diagrams = checked
    cr = next(i for i, r in enumerate(results) if r.variant == "cr")
    verdicts = results[cr].result.verdicts
    broken = replace(results[cr].result, verdicts=[
        replace(v, holds=False) if v.property.name == "no_auth_deadlock" else v for v in verdicts])
    mutated = [*results[:cr], replace(results[cr], result=broken), *results[cr + 1:]]
    summary = _summary(build_report(mutated, diagrams, {}, load_requirements(), "t"))
    assert "Not every variant claiming the change request holds: cr fails no_auth_deadlock." in summary
    assert "Every property holds for each variant" not in summary
    dm12 = next(i for i, r in enumerate(results) if r.variant == "dm12")
    fixed = replace(results[dm12].result, verdicts=[replace(v, holds=True, counterexample=None)
                                                    for v in results[dm12].result.verdicts])
    mutated = [*results[:dm12], replace(results[dm12], result=fixed), *results[dm12 + 1:]]
    summary = _summary(build_report(mutated, diagrams, {}, load_requirements(), "t"))
    assert "DM 1.2 as specified (dm12) holds every property checked." in summary
