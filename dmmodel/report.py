"""The review report: one self-contained HTML page with verdicts, requirements and diagrams.

It is meant to be opened offline and read top to bottom by a reviewer of the change request:
the verdict matrix, each requirement traced to its properties and their verdicts, the state
charts and overview, then every scenario and counterexample as a numbered trace beside its
sequence chart. Styles are inline and the SVG is embedded, so the page needs nothing else.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from dmmodel.analysis import VariantResult
from dmmodel.checker import verdict_text
from dmmodel.protocol.config import SPECS_DIR
from dmmodel.protocol.crypto import device_name
from dmmodel.protocol.messages import describe
from dmmodel.protocol.vocabulary import BOOTSTRAP_REPORT_NOTE
from dmmodel.views.catalog import COUNTEREXAMPLES, MACHINES, OVERVIEW, SCENARIOS, Diagram

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
body { font-family: 'DejaVu Sans', sans-serif; margin: 2em; color: #222; max-width: 110em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
td.holds { background: #e6f4ea; } td.violated { background: #fdecea; color: #c0392b; }
td.unknown { background: #fff6d5; }
.pair { display: flex; gap: 2em; align-items: flex-start; margin: 1em 0 3em; }
.pair ol { flex: 0 0 34em; font-size: 0.85em; } .pair figure { flex: 1; }
ol.trace li pre { margin: 0.2em 0 0.4em; white-space: pre-wrap; color: #555; }
figure { margin: 1em 0; overflow-x: auto; } figure svg { max-width: 100%; height: auto; }
figcaption { font-style: italic; margin-bottom: 0.5em; } .note { color: #555; }
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
    return (f"<h2 id='verdicts'>Verdict matrix</h2><table><tr><th>variant</th><th>states</th>{head}</tr>"
            f"{''.join(rows)}</table><p class='note'>* claims the change request's requirements.</p>"
            f"<ul>{variants}</ul><table><tr><th>property</th><th>requirement</th><th>meaning</th></tr>"
            f"{props}</table>")


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
    flow_table = (f"<h3>Flows</h3><table><tr><th>flow</th><th>what happens</th><th>properties</th>"
                  f"<th>scenario</th></tr>{flows}</table>") if flows else ""
    return (f"<h2 id='requirements'>Requirements traced to properties</h2><table>"
            "<tr><th>requirement</th><th>title</th><th>properties and verdicts</th>"
            f"<th>scenarios</th></tr>{''.join(rows)}</table>{flow_table}")


def inline_svg(svg: str) -> str:
    """An SVG document reduced to its ``<svg>`` element, for embedding in HTML."""
    return svg[svg.index("<svg"):] if "<svg" in svg else svg


def _figure(diagram: Diagram, svgs: Mapping[str, str]) -> str:
    svg = svgs.get(diagram.name)
    body = inline_svg(svg) if svg else f"<pre>{escape(diagram.mermaid())}</pre>"
    return (f'<figure id="diagram-{escape(diagram.name)}" data-diagram="{escape(diagram.name)}">'
            f"<figcaption>{escape(diagram.caption)}</figcaption>{body}</figure>")


def _trace(diagram: Diagram) -> str:
    items = []
    for entry in diagram.trace:
        account = device_name(entry.index)
        arrow = "->" if entry.role == "device" else "<-"
        packages = "".join(f"<pre>{arrow} {escape(describe(p, account))}</pre>" for p in entry.sent)
        items.append(f"<li>{escape(entry.headline())}{packages}</li>")
    return f"<ol class='trace'>{''.join(items)}</ol>"


def build_report(results: Sequence[VariantResult], diagrams: Sequence[Diagram],
                 svgs: Mapping[str, str], spec: dict[str, Any], title: str) -> str:
    """The whole HTML page; ``svgs`` maps diagram names to SVG (Mermaid source is shown if absent)."""
    parts = [_matrix(results), _requirements(results, spec)]
    for section, heading, intro in SECTIONS:
        members = [d for d in diagrams if d.section == section]
        parts.append(f"<h2 id='{section}'>{heading}</h2><p>{escape(intro)}</p>")
        for d in members:
            parts.append(f"<div class='pair'>{_trace(d)}{_figure(d, svgs)}</div>" if d.trace
                         else _figure(d, svgs))
    if not svgs:
        parts.insert(0, "<p class='note'>No DOT renderer was found: diagrams are shown as "
                        "Mermaid source.</p>")
    contents = "".join(f"<li><a href='#{anchor}'>{escape(text)}</a></li>" for anchor, text in (
        ("verdicts", "Verdict matrix"), ("requirements", "Requirements"),
        *((s, h) for s, h, _ in SECTIONS)))
    page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}"
            f"</title><style>{STYLE}</style></head><body><h1>{escape(title)}</h1>"
            f"<p class='note'>{escape(BOOTSTRAP_REPORT_NOTE)}.</p><ul>{contents}</ul>"
            f"{''.join(parts)}</body></html>\n")
    return re.sub(r"<!--.*?-->", "", page, flags=re.S)
