"""The HTML report: parses, is self-contained, and shows every property and every diagram."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from dmmodel.cli import main
from dmmodel.protocol.checkable import property_names
from dmmodel.report import build_report, load_requirements


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
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Collector]:
    out = tmp_path_factory.mktemp("report") / "review.html"
    result = CliRunner().invoke(main, ["report", "--out", str(out)])
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
    assert "VIOLATED (6 steps)" in text
    for requirement in ("DM-HLR-1", "DM-HLR-2", "DM-HLR-3"):
        assert requirement in text


def test_report_contains_every_diagram_inline(report: tuple[str, Collector]) -> None:
    _, parser = report
    committed = sorted(p.stem for p in Path("diagrams").glob("*.dot"))
    assert sorted(parser.figures) == committed
    assert parser.svgs >= len(committed)


def test_report_needs_no_network(report: tuple[str, Collector]) -> None:
    page, parser = report
    assert parser.external == []
    assert "http://www.w3.org" not in page.split("<svg", 1)[0]


def test_counterexample_trace_is_numbered_beside_its_chart(report: tuple[str, Collector]) -> None:
    page, _ = report
    start = page.index("<div class='pair'><ol class='trace'>", page.index("id='counterexamples'"))
    pair = page[start:page.index("</div>", start)]
    assert "rebootstrap (smartcard)" in pair and 'id="diagram-cex-dm12-no_auth_deadlock"' in pair


def test_report_without_renderer_or_requirements_falls_back_to_mermaid() -> None:
    from dmmodel.views.catalog import build_diagrams, check_presets

    results = check_presets()
    diagrams = build_diagrams(results)
    page = build_report(results, diagrams, {}, None, "t")
    assert "Mermaid source" in page and "sequenceDiagram" in page
    assert "requirements.toml is absent" in page
    assert load_requirements(Path("/nonexistent/requirements.toml")) is None
