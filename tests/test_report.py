"""The HTML report: parses, is self-contained, and shows every property and every diagram.

The command runs in-process on the session's shared checks (``checks.analyse`` stands in for
``dmmodel.analysis.analyse``): the page is built, drawn and written as it is for a user.
"""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

import dmmodel.cli.report as report_cli
from dmmodel.cli import main
from dmmodel.cli.diagrams import DIAGRAMS_DIR
from dmmodel.report import build_report, load_requirements
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
