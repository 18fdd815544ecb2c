"""The report's Security section: a matrix per attacker configuration, the properties with their
requirements, a verdict sentence read from the matrix, and the replay on ``cr`` beside its chart.

The checks are a small subset (two variants under ``attack-edit``, ``cr`` under ``attack-replay``,
security properties only), run once per module, so the section is built in seconds.
"""

import re
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner

import dmmodel.cli.report as report_cli
from dmmodel.analysis import SecurityAnalysis, check_presets
from dmmodel.cli import main
from dmmodel.report import build_report, load_requirements
from dmmodel.search.checkable import property_docs, security_names
from dmmodel.views.catalog import SHOWN_ATTACK, attack_diagram_name, security_diagrams


@pytest.fixture(scope="module")
def security() -> SecurityAnalysis:
    config, variant, _ = SHOWN_ATTACK
    checks = {"attack-edit": check_presets("attack-edit", ["cr", "cr-hmac"], security_names()),
              config: check_presets(config, [variant], security_names())}
    return SecurityAnalysis(checks)


@pytest.fixture(scope="module")
def section(security: SecurityAnalysis) -> str:
    # the benign part of the page is not under test: one variant's security results stand in
    results = security.checks["attack-edit"]
    page = build_report(results, security_diagrams(security), {}, load_requirements(), "t",
                        security=security)
    assert "<a href='#security'>Security</a>" in page
    return page[page.index("<h2 id='security'>"):page.index("<h2 id='machines'>")]


def test_section_names_every_security_property_with_its_requirement(section: str) -> None:
    titles = {r["id"]: r["title"] for r in load_requirements()["requirement"]}
    for name, requirement, doc in property_docs():
        if name in security_names():
            row = f"<tr><td>{name}</td><td>{requirement}</td>"
            assert row in section
            assert requirement.startswith("DM-SEC-")
            assert titles[requirement] in unescape(section) and doc in unescape(section)


def test_one_matrix_per_attacker_configuration(
        security: SecurityAnalysis, section: str) -> None:
    for name, results in security.checks.items():
        start = section.index(f"<h3 id='security-{name}'>")
        heading = section[start:section.index("</h3>", start)]
        assert results[0].config.bounds.describe() in unescape(heading)
        matrix = section[start:section.index("</table>", start)]
        for result in results:
            assert f"<th>{result.variant} *</th>" in matrix
            for prop in security_names():
                assert result.verdict(prop).holds is not None


def test_the_verdict_sentence_names_exactly_the_variants_holding_everything(
        security: SecurityAnalysis, section: str) -> None:
    sentences = re.findall(r"<h3 id='security-([\w-]+)'>.*?</table></div><p>(.*?)</p>", section)
    assert [name for name, _ in sentences] == list(security.checks)
    for name, sentence in sentences:
        holding = [r.variant for r in security.checks[name]
                   if all(r.verdict(p).holds for p in security_names())]
        assert re.findall(r"<b>([\w-]+)</b>", sentence) == holding
        assert sentence.startswith("Every security property holds for" if holding else "No compared")
    everywhere = set.intersection(*({r.variant for r in results
                                     if all(r.verdict(p).holds for p in security_names())}
                                    for results in security.checks.values()))
    overall = re.search(r"<p><b>(Under every|No compared variant holds every).*?</p>", section)
    assert overall is not None and set(re.findall(r"<b>([\w-]+)</b>", overall.group(0))) == everywhere


def test_the_attack_on_cr_is_a_numbered_trace_beside_its_chart(
        security: SecurityAnalysis, section: str) -> None:
    config, variant, shortest = SHOWN_ATTACK
    result = security.checks[config][0]
    assert result.verdict(shortest).holds is False, "the shown attack must be there to draw"
    name = attack_diagram_name(config, variant, shortest)
    assert f'<a href="#diagram-{name}">' in section  # the matrix cell links to the chart
    start = section.index("<div class='pair'><ol class='trace'>")
    pair = section[start:]
    assert f'id="diagram-{name}"' in pair
    steps = re.findall(r"<li>(.*?)(?:<pre>|</li>)", pair[:pair.index("</ol>")])
    assert len(steps) == len(result.traces[shortest])
    assert any(unescape(step).startswith("attacker: replays Pkg1") for step in steps)
    assert "participant p2 as attacker" in pair  # Mermaid source: no renderer was given


def test_report_without_security_has_no_security_section(security: SecurityAnalysis) -> None:
    page = build_report(security.checks["attack-edit"], [], {}, load_requirements(), "t")
    assert "id='security'" not in page and "#security" not in page


@pytest.mark.slow
def test_the_report_command_checks_the_attacker_configurations_it_is_given(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, checks) -> None:
    # the benign part from the session's shared checks; the attacker's part is checked here, on
    # attack-tls (the attacker configuration whose compared variants check quickest)
    monkeypatch.setattr(report_cli, "analyse", checks.analyse)
    out = tmp_path / "review.html"
    result = CliRunner().invoke(main, ["report", "--out", str(out), "--attack", "attack-tls"])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    section = page[page.index("<h2 id='security'>"):page.index("<h2 id='machines'>")]
    assert re.findall(r"<h3 id='security-([\w-]+)'>", section) == ["attack-tls"]
    assert "Not checked for this page" not in section  # nothing left out that was asked for


def test_report_refuses_an_unwritable_place_before_checking(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(main, ["report", "--out", str(blocker / "report.html")])
    assert result.exit_code == 2 and "cannot write" in result.output
    assert "checking" not in result.output


def test_the_summary_says_what_each_attacker_still_breaks(security: SecurityAnalysis) -> None:
    page = build_report(security.checks["attack-edit"], security_diagrams(security), {},
                        load_requirements(), "t", security=security)
    summary = page[page.index("<h2 id='summary'>"):page.index("id='verdicts'")]
    items = re.findall(r"<li>Under <a href='#security-([\w-]+)'>.*?</a> \((.*?)\), "
                       r"((?:every|no compared).*?)</li>", summary)
    assert [name for name, _, _ in items] == list(security.checks)
    for name, attacker, said in items:
        results = security.checks[name]
        assert unescape(attacker) == results[0].config.bounds.attacker.describe()
        holding = [r.variant for r in results if not r.failed()]
        assert said.startswith(f"every security property holds for {_bold(holding)}." if holding
                               else "no compared variant holds every security property.")
        failing = [r for r in results if r.failed()]
        if failing:
            failed = {v.property.name for r in failing for v in r.failed()}
            listed = re.search(r" Not for (.*?): (.*?) fail or are undecided\.$", said)
            assert listed is not None
            assert listed.group(1) == _bold([r.variant for r in failing])
            assert set(listed.group(2).split(", ")) == failed


def _bold(variants: list[str]) -> str:
    return ", ".join(f"<b>{v}</b>" for v in variants)
