"""The review report: one self-contained HTML page with verdicts, requirements and diagrams.

It is meant to be opened offline and read top to bottom by a reviewer of the change request:
the verdict matrix, each requirement traced to its properties and their verdicts, the security
properties under each attacker configuration, the state charts and overview, then every scenario
and counterexample as a numbered trace beside its sequence chart. Styles are inline and the SVG
is embedded, so the page needs nothing else.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from html import escape
from importlib import metadata
from pathlib import Path
from typing import Any

from dmmodel.analysis import SecurityAnalysis, VariantResult
from dmmodel.checker import verdict_text
from dmmodel.protocol.config import SPECS_DIR
from dmmodel.protocol.vocabulary import BOOTSTRAP_REPORT_NOTE
from dmmodel.render import Graph
from dmmodel.views.catalog import (
    COUNTEREXAMPLES,
    MACHINES,
    OVERVIEW,
    SCENARIOS,
    SECURITY,
    Diagram,
    attack_diagram_name,
)

REQUIREMENTS_FILE = SPECS_DIR / "requirements.toml"
SECTIONS = (
    (MACHINES, "State charts", "What each machine does, read from its rule table."),
    (OVERVIEW, "Reachable state graph",
     "Every reachable state of the default configuration, grouped by control states and secrets."),
    (SCENARIOS, "Scenarios", "The flows of the change request, replayed on the executable machines."),
    (COUNTEREXAMPLES, "Counterexamples",
     "The shortest run violating each property that fails, replayed with real credentials."),
)
STYLE = """
body { font-family: 'DejaVu Sans', sans-serif; margin: 1em auto; padding: 0 1em; color: #222;
       max-width: 110em; }
h1 { font-size: 1.6em; } .scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
td.holds { background: #e6f4ea; } td.violated { background: #fdecea; color: #c0392b; }
td.unknown { background: #fff6d5; } table.about th { background: #f4f4f4; }
figure { margin: 1em 0 2.5em; min-width: 0; }
figcaption { font-weight: bold; margin-bottom: 0.5em; } .note { color: #555; }
.drawing { display: flex; flex-wrap: wrap; gap: 1em 2em; align-items: flex-start; }
.drawing > .scroll { flex: 0 1 auto; border: 1px solid #eee; }
.drawing svg { display: block; }
table.legend { font-size: 0.85em; flex: 1 1 22em; max-width: 48em; margin: 0; }
table.legend .added { color: #c0392b; font-weight: bold; }
.pair { display: flex; flex-wrap: wrap; gap: 1em 2em; align-items: flex-start; }
.pair ol { flex: 1 1 24em; max-width: 40em; font-size: 0.85em; margin: 0; padding-left: 2.5em; }
.pair figure { flex: 1 1 30em; }
ol.trace li pre { margin: 0.2em 0 0.4em; white-space: pre-wrap; overflow-wrap: anywhere; color: #555; }
ol.trace li.loop { background: #fff4e5; } ol.trace li.loop-end { border-bottom: 2px solid #d35400; }
"""

class RequirementsError(ValueError):
    """``specs/requirements.toml`` exists but cannot be read."""


def load_requirements(path: Path = REQUIREMENTS_FILE) -> dict[str, Any]:
    """The requirement and flow tables of ``path`` (``specs/requirements.toml``)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RequirementsError(f"{path.name}: {error}") from None


def _verdict(result: VariantResult, name: str) -> tuple[str, str]:
    """CSS class and text of one matrix cell; a violation links to its counterexample's chart."""
    verdict = result.verdict(name)
    text = verdict_text(verdict)
    if verdict is None or verdict.holds is None:
        return "unknown", text
    if verdict.holds:
        return "holds", text
    return "violated", f'<a href="#diagram-cex-{result.variant}-{name}">{text}</a>'


def _matrix(results: Sequence[VariantResult]) -> str:
    names = [v.property.name for v in results[0].verdicts]
    head = "".join(f"<th>{escape(n).replace('_', '_<wbr>')}</th>" for n in names)
    rows = []
    for r in results:
        cells = "".join('<td class="{}">{}</td>'.format(*_verdict(r, n)) for n in names)
        star = " *" if r.config.variant.claims_cr else ""
        rows.append(f"<tr><th>{escape(r.variant)}{star}</th><td>{r.result.states:,}</td>{cells}</tr>")
    props = "".join(
        f"<tr><td>{escape(v.property.name)}</td><td>{escape(v.property.requirement)}</td>"
        f"<td>{escape(v.property.doc)}</td></tr>" for v in results[0].verdicts)
    variants = "".join(f"<li><b>{escape(r.variant)}</b>: {escape(r.config.variant.doc)}</li>"
                       for r in results)
    return (f"<h2 id='verdicts'>Verdict matrix</h2><div class='scroll'><table><tr><th>variant</th>"
            f"<th>states</th>{head}</tr>{''.join(rows)}</table></div><p class='note'>* claims the "
            f"change request's requirements.</p><ul>{variants}</ul><div class='scroll'><table><tr>"
            f"<th>property</th><th>requirement</th><th>meaning</th></tr>{props}</table></div>")


def _property_verdicts(results: Sequence[VariantResult], name: str) -> str:
    cells = []
    for r in results:
        css, text = _verdict(r, name)
        cells.append(f'<span class="{css}">{escape(r.variant)}: {text}</span>')
    return "; ".join(cells)


def _scenario_links(names: Sequence[str]) -> str:
    return ", ".join(f'<a href="#diagram-scenario-{escape(s)}">{escape(s)}</a>' for s in names)


def _requirements(results: Sequence[VariantResult], spec: dict[str, Any]) -> str:
    """Each requirement with its properties and their verdicts per variant, and the flows."""
    rows = []
    for req in spec.get("requirement", []):
        props = "".join(f"<li><b>{escape(p)}</b>: {_property_verdicts(results, p)}</li>"
                        for p in req.get("properties", []))
        rows.append(f"<tr><td>{escape(str(req.get('id', '')))}</td>"
                    f"<td>{escape(str(req.get('title', '')))}</td><td><ul>{props}</ul></td>"
                    f"<td>{_scenario_links(req.get('scenarios', []))}</td></tr>")
    flows = "".join(
        f"<tr><td>{escape(str(flow.get('id', '')))}</td><td>{escape(str(flow.get('title', '')))}</td>"
        f"<td>{escape(', '.join(flow.get('properties', [])))}</td>"
        f"<td>{_scenario_links([flow['scenario']] if 'scenario' in flow else [])}</td></tr>"
        for flow in spec.get("flow", []))
    flow_table = (f"<h3>Flows</h3><div class='scroll'><table><tr><th>flow</th><th>what happens</th>"
                  f"<th>properties</th><th>scenario</th></tr>{flows}</table></div>") if flows else ""
    return (f"<h2 id='requirements'>Requirements traced to properties</h2><div class='scroll'><table>"
            "<tr><th>requirement</th><th>title</th><th>properties and verdicts</th>"
            f"<th>scenarios</th></tr>{''.join(rows)}</table></div>{flow_table}")


def _security_matrix(results: Sequence[VariantResult], charted: set[str]) -> str:
    """Variants x security properties under one attacker; a violation links to its chart if the
    section draws it (``charted`` names the drawn diagrams)."""
    names = [v.property.name for v in results[0].verdicts]
    head = "".join(f"<th>{escape(n).replace('_', '_<wbr>')}</th>" for n in names)
    rows = []
    for r in results:
        cells = []
        for name in names:
            verdict = r.verdict(name)
            text = verdict_text(verdict)
            css = "unknown" if verdict is None or verdict.holds is None else (
                "holds" if verdict.holds else "violated")
            anchor = attack_diagram_name(r.config.name, r.variant, name)
            if anchor in charted:
                text = f'<a href="#diagram-{escape(anchor)}">{text}</a>'
            cells.append(f'<td class="{css}">{text}</td>')
        star = " *" if r.config.variant.claims_cr else ""
        rows.append(f"<tr><th>{escape(r.variant)}{star}</th><td>{r.result.states:,}</td>"
                    f"{''.join(cells)}</tr>")
    return (f"<div class='scroll'><table><tr><th>variant</th><th>states</th>{head}</tr>"
            f"{''.join(rows)}</table></div>")


def _holding_all(results: Sequence[VariantResult]) -> list[str]:
    """The variants of which every checked property holds (a verdict, not merely no violation)."""
    return [r.variant for r in results if all(v.holds is True for v in r.verdicts)]


def _names(variants: Sequence[str]) -> str:
    return ", ".join(f"<b>{escape(v)}</b>" for v in variants)


def _security(security: SecurityAnalysis, spec: dict[str, Any], diagrams: Sequence[Diagram],
              svgs: Mapping[str, str]) -> str:
    """The Security section: per attacker configuration, the variants x security properties
    matrix and which variants hold them all (said from the verdicts); what each property claims
    and the requirement it serves; the drawn attack as a numbered trace beside its chart."""
    charts = [d for d in diagrams if d.section == SECURITY]
    charted = {d.name for d in charts}
    parts = ["<h2 id='security'>Security</h2><p>The security properties (requirements DM-SEC-n) "
             "checked against each attacker configuration of <code>specs/configs</code>; only they "
             "are checked here (<code>dmmodel check --config attack-…</code> shows the protocol "
             "properties under attack too). Each verdict is a claim within the bounds in its "
             "heading; <code>dmmodel sweep</code> raises them one at a time.</p>"]
    if security.checks:
        compared = [r.variant for r in next(iter(security.checks.values()))]
        parts.append(f"<p>Variants compared: {_names(compared)} (each is described under the "
                     "verdict matrix).</p>")
    everywhere: set[str] | None = None
    for name, results in security.checks.items():
        holding = _holding_all(results)
        everywhere = set(holding) if everywhere is None else everywhere & set(holding)
        verdict = (f"Every security property holds for {_names(holding)}." if holding else
                   "No compared variant holds every security property under this attacker.")
        parts.append(f"<h3 id='security-{escape(name)}'>{escape(name)}: "
                     f"{escape(results[0].config.bounds.describe())}</h3>"
                     f"{_security_matrix(results, charted)}<p>{verdict}</p>")
    if everywhere is not None:
        kept = [r.variant for r in next(iter(security.checks.values())) if r.variant in everywhere]
        parts.append(f"<p><b>Under every attacker configuration checked</b>, every security "
                     f"property holds for {_names(kept)}.</p>" if kept else
                     "<p><b>No compared variant holds every security property under every "
                     "attacker configuration checked.</b></p>")
        parts.append("<p class='note'>* claims the change request's requirements.</p>")
        parts.append(_security_properties(next(iter(security.checks.values())), spec))
    parts += [f"<div class='pair'>{_trace(d)}{_figure(d, svgs)}</div>" for d in charts]
    return "".join(parts)


def _security_properties(results: Sequence[VariantResult], spec: dict[str, Any]) -> str:
    """Each security property with its requirement (id and title) and its exact claim."""
    titles = {str(r.get("id", "")): str(r.get("title", "")) for r in spec.get("requirement", [])}
    rows = "".join(
        f"<tr><td>{escape(v.property.name)}</td><td>{escape(v.property.requirement)}</td>"
        f"<td>{escape(titles.get(v.property.requirement, ''))}</td><td>{escape(v.property.doc)}</td>"
        "</tr>" for v in results[0].verdicts)
    return (f"<div class='scroll'><table><tr><th>property</th><th>requirement</th><th>title</th>"
            f"<th>claim</th></tr>{rows}</table></div>")


def inline_svg(svg: str) -> str:
    """An SVG document reduced to its ``<svg>`` element, for embedding in HTML."""
    return svg[svg.index("<svg"):] if "<svg" in svg else svg


def _legend(diagram: Diagram) -> str:
    """The diagram's key as an HTML table beside the drawing (state charts and overviews)."""
    value = diagram.value
    if not isinstance(value, Graph):
        return ""
    rows = [f"<tr><td colspan='2'>{escape(line)}</td></tr>" for line in value.legend]
    if any(e.highlight for e in value.edges) or any(n.highlight for n in value.nodes):
        rows.append("<tr><td colspan='2' class='added'>red, heavy: what the change request adds"
                    "</td></tr>")
    rows += [f"<tr><th>{escape(term)}</th><td>{escape(meaning)}</td></tr>"
             for term, meaning in diagram.key]
    return f"<table class='legend'><tr><th colspan='2'>Legend</th></tr>{''.join(rows)}</table>"


def _figure(diagram: Diagram, svgs: Mapping[str, str]) -> str:
    svg = svgs.get(diagram.name)
    body = inline_svg(svg) if svg else f"<pre>{escape(diagram.mermaid())}</pre>"
    return (f'<figure id="diagram-{escape(diagram.name)}" data-diagram="{escape(diagram.name)}">'
            f"<figcaption>{escape(diagram.caption)}</figcaption><div class='drawing'>"
            f"<div class='scroll'>{body}</div>{_legend(diagram)}</div></figure>")


def _trace(diagram: Diagram) -> str:
    items = []
    for entry in diagram.trace:
        packages = "".join(f"<pre>{escape(line.strip())}</pre>" for line in entry.lines()[1:])
        loop = diagram.loop_start is not None and entry.number >= diagram.loop_start
        last = loop and entry.number == len(diagram.trace)
        css = " class='loop loop-end'" if last else " class='loop'" if loop else ""
        back = (f"<pre>back to step {diagram.loop_start}: the loop repeats forever</pre>"
                if last else "")
        items.append(f"<li{css}>{escape(entry.headline())}{packages}{back}</li>")
    return f"<ol class='trace'>{''.join(items)}</ol>"


def _about(results: Sequence[VariantResult]) -> str:
    """The checked configuration's bounds and what produced the page (version, commit, date)."""
    bounds = results[0].config.bounds
    names = "".join(f"<th>{escape(f.name)}</th>" for f in fields(bounds))
    values = "".join(f"<td>{escape(_bound_text(getattr(bounds, f.name)))}</td>" for f in fields(bounds))
    made = (f"dmmodel {escape(_version())}, commit {escape(_commit())}, "
            f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}")
    return (f"<p class='note'>Generated by {made}. Bounds of configuration "
            f"{escape(results[0].config.name)}:</p><div class='scroll'><table class='about'>"
            f"<tr>{names}</tr><tr>{values}</tr></table></div>")


def _bound_text(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(str(getattr(v, "value", v)) for v in value)
    return str(getattr(value, "value", value))


def _version() -> str:
    try:
        return metadata.version("dmmodel")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def _commit() -> str:
    """The short git commit of the project folder, or "unknown" outside a git checkout."""
    try:
        done = subprocess.run(["git", "-C", str(SPECS_DIR.parent), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "unknown"


def build_report(results: Sequence[VariantResult], diagrams: Sequence[Diagram],
                 svgs: Mapping[str, str], spec: dict[str, Any], title: str,
                 omitted: Mapping[str, str] | None = None,
                 security: SecurityAnalysis | None = None) -> str:
    """The whole HTML page; ``svgs`` maps diagram names to SVG (Mermaid source is shown if absent)
    and ``omitted`` names diagrams left out with the reason, shown where they would have been.
    With ``security`` the page has a Security section (its chart is among ``diagrams``)."""
    parts = [_matrix(results), _requirements(results, spec)]
    if security is not None:
        parts.append(_security(security, spec, diagrams, svgs))
    for section, heading, intro in SECTIONS:
        members = [d for d in diagrams if d.section == section]
        parts.append(f"<h2 id='{section}'>{heading}</h2><p>{escape(intro)}</p>")
        if section == OVERVIEW:
            parts += [f"<p class='note' id='diagram-{escape(name)}'>{escape(reason)}.</p>"
                      for name, reason in (omitted or {}).items()]
        for d in members:
            parts.append(f"<div class='pair'>{_trace(d)}{_figure(d, svgs)}</div>" if d.trace
                         else _figure(d, svgs))
    if not svgs:
        parts.insert(0, "<p class='note'>No DOT renderer was found: diagrams are shown as "
                        "Mermaid source.</p>")
    security_entry = (("security", "Security"),) if security is not None else ()
    contents = "".join(f"<li><a href='#{anchor}'>{escape(text)}</a></li>" for anchor, text in (
        ("verdicts", "Verdict matrix"), ("requirements", "Requirements"), *security_entry,
        *((s, h) for s, h, _ in SECTIONS)))
    page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{escape(title)}</h1>{_about(results)}"
            f"<p class='note'>{escape(BOOTSTRAP_REPORT_NOTE)}.</p><ul>{contents}</ul>"
            f"{''.join(parts)}</body></html>\n")
    return re.sub(r"<!--.*?-->", "", page, flags=re.S)
