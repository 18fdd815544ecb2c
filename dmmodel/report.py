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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from html import escape
from importlib import metadata
from pathlib import Path
from typing import Any

from dmmodel.analysis import SecurityAnalysis, VariantResult
from dmmodel.checker import Verdict, verdict_text
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
td.unknown { background: #fff6d5; } table.about th { background: #f4f4f4; font-weight: normal; }
td.violated a { color: inherit; font-weight: bold; }
ul.summary li { margin: 0.3em 0; } ul.summary { max-width: 60em; }
table.matrix { font-size: 0.9em; }
table.matrix th.p { vertical-align: bottom; padding: 0.4em 0.2em; }
table.matrix th.p span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
table.matrix td { text-align: center; white-space: nowrap; padding: 0.3em 0.35em; }
table.matrix td.n { text-align: right; font-size: 0.85em; }
figure { margin: 1em 0 2.5em; min-width: 0; }
figcaption { font-weight: bold; margin-bottom: 0.5em; } .note { color: #555; }
.drawing { display: flex; flex-wrap: wrap; gap: 1em 2em; align-items: flex-start; }
.drawing > .chart { flex: 1 1 36em; min-width: 0; }
.chart svg { display: block; width: 100%; height: auto; }
table.legend { font-size: 0.85em; flex: 1 1 22em; max-width: 48em; margin: 0; }
table.legend .added { color: #c0392b; font-weight: bold; }
table.legend th, table.legend td { overflow-wrap: anywhere; }
.pair { display: grid; grid-template-columns: minmax(0, 1fr); gap: 1em 2em; align-items: start; }
.pair figure { order: -1; margin-bottom: 0; } .pair { margin-bottom: 2.5em; }
.pair ol { font-size: 0.85em; margin: 0; padding-left: 2.5em; }
ol.trace li pre { margin: 0.2em 0 0.4em; white-space: pre-wrap; overflow-wrap: anywhere; color: #555; }
ol.trace li.loop { background: #fff4e5; } ol.trace li.loop-end { border-bottom: 2px solid #d35400; }
@media (min-width: 75em) {
  .pair { grid-template-columns: minmax(17em, 1fr) minmax(0, 2.6fr); }
  .pair figure { order: 0; }
}
@media (max-width: 40em) {
  table.matrix, table.matrix tbody, table.matrix tr { display: block; }
  table.matrix thead { display: none; }
  table.matrix tr { margin: 0.6em 0; border: 1px solid #bbb; padding: 0.2em; }
  table.matrix tbody th { display: block; border: 0; }
  table.matrix td { display: inline-block; margin: 0.15em; border: 0; }
  table.matrix td::before { content: attr(data-p) " "; color: #444; }
}
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
    """CSS class and text of one verdict; a violation links to its counterexample's chart."""
    verdict = result.verdict(name)
    text = verdict_text(verdict)
    if verdict is None or verdict.holds is None:
        return "unknown", text
    if verdict.holds:
        return "holds", text
    return "violated", f'<a href="#diagram-cex-{result.variant}-{name}">{text}</a>'


def _mark(verdict: Verdict | None) -> tuple[str, str]:
    """CSS class and compact text of one matrix cell: ✓, ✗ and the counterexample's length, ?, –."""
    if verdict is None:
        return "unknown", "–"
    if verdict.holds is None:
        return "unknown", "?"
    if verdict.holds:
        return "holds", "✓"
    cex = verdict.counterexample
    return "violated", "✗" if cex is None else f"✗ {len(cex.steps) - 1}"


def _not_holding(results: Sequence[VariantResult], name: str) -> int:
    return sum(1 for r in results if (v := r.verdict(name)) is None or v.holds is not True)


def deciding_first(results: Sequence[VariantResult]) -> list[str]:
    """The checked property names, those some variant fails first (most often failed first),
    then those every variant holds, each group in the checker's order."""
    names = [v.property.name for v in results[0].verdicts]
    return sorted(names, key=lambda name: -_not_holding(results, name))


MATRIX_LEGEND = ("<p class='note'>✓ holds; ✗ <i>n</i> violated, the shortest counterexample has "
                 "<i>n</i> steps (the mark links to its chart where one is drawn); ? unknown, the "
                 "search stopped before deciding; – not checked. * claims the change request's "
                 "requirements. The properties some variant fails come first.</p>")


def _matrix_table(results: Sequence[VariantResult], link: Callable[[VariantResult, str], str | None]) -> str:
    """Variants x properties, compact enough that every column shows at laptop width (the
    headers are written upwards); on a phone each variant becomes a list of labelled marks.
    ``link`` gives the anchor a violation's mark points to, if any."""
    names = deciding_first(results)
    head = "".join(f"<th class='p' scope='col'><span>{escape(n)}</span></th>" for n in names)
    rows = []
    for r in results:
        cells = []
        for name in names:
            verdict = r.verdict(name)
            css, mark = _mark(verdict)
            anchor = link(r, name) if css == "violated" else None
            body = f'<a href="#{escape(anchor)}">{mark}</a>' if anchor else mark
            title = f"{r.variant}, {name}: {verdict_text(verdict)}"
            cells.append(f'<td class="{css}" data-p="{escape(name)}" title="{escape(title)}">{body}</td>')
        star = " *" if r.config.variant.claims_cr else ""
        rows.append(f"<tr><th>{escape(r.variant)}{star}</th>"
                    f"<td class='n' data-p='states'>{r.result.states:,}</td>{''.join(cells)}</tr>")
    return (f"<div class='scroll'><table class='matrix'><thead><tr><th>variant</th>"
            f"<th class='p'><span>states</span></th>{head}</tr></thead><tbody>{''.join(rows)}"
            f"</tbody></table></div>")


def _matrix(results: Sequence[VariantResult]) -> str:
    props = "".join(
        f"<tr><td>{escape(v.property.name)}</td><td>{escape(v.property.requirement)}</td>"
        f"<td>{escape(v.property.doc)}</td></tr>" for v in results[0].verdicts)
    variants = "".join(f"<li><b>{escape(r.variant)}</b>: {escape(r.config.variant.doc)}</li>"
                       for r in results)
    table = _matrix_table(results, lambda r, name: f"diagram-cex-{r.variant}-{name}")
    return (f"<h2 id='verdicts'>Verdict matrix</h2>{table}{MATRIX_LEGEND}<ul>{variants}</ul>"
            f"<div class='scroll'><table><tr><th>property</th><th>requirement</th><th>meaning</th>"
            f"</tr>{props}</table></div>")


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
    def link(result: VariantResult, name: str) -> str | None:
        anchor = attack_diagram_name(result.config.name, result.variant, name)
        return f"diagram-{anchor}" if anchor in charted else None
    return _matrix_table(results, link)


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
        parts.append(MATRIX_LEGEND)
        parts.append(_security_properties(next(iter(security.checks.values())), spec))
    parts += [f"<div class='pair'>{_trace(d)}{_figure(d, svgs)}</div>" for d in charts]
    return "".join(parts)


DM12 = "dm12"  # DM 1.2 as specified: the variant whose failures are the case for the change


def _failures(result: VariantResult, link: Callable[[str], str | None]) -> str:
    """The properties ``result`` does not hold, each with its shortest counterexample's length
    (linked to its chart where ``link`` names one) or as undecided."""
    parts = []
    for verdict in result.verdicts:
        name = escape(verdict.property.name)
        if verdict.holds is None:
            parts.append(f"{name} (undecided: the search stopped)")
        elif not verdict.holds:
            cex = verdict.counterexample
            length = 0 if cex is None else len(cex.steps) - 1
            steps = "" if cex is None else f" ({length} step{'' if length == 1 else 's'})"
            anchor = link(verdict.property.name)
            parts.append(f"<a href='#{escape(anchor)}'>{name}</a>{steps}" if anchor else f"{name}{steps}")
    return ", ".join(parts)


def _summary(results: Sequence[VariantResult], security: SecurityAnalysis | None) -> str:
    """What the checks found, said from their verdicts: what DM 1.2 breaks, whether the variants
    claiming the change request hold everything, the steps between, what the attackers still
    break, and the bounds every verdict is a claim within."""
    config = results[0].config

    def cex(result: VariantResult) -> Callable[[str], str]:
        return lambda name: f"diagram-cex-{result.variant}-{name}"

    items = []
    for r in results:
        if r.variant != DM12:
            continue
        broken = _failures(r, cex(r))
        items.append(f"<b>DM 1.2 as specified</b> ({DM12}) fails {broken}." if broken else
                     f"<b>DM 1.2 as specified</b> ({DM12}) holds every property checked.")
    claiming = [r for r in results if r.config.variant.claims_cr]
    if claiming:
        failing = [(r, _failures(r, cex(r))) for r in claiming]
        failing = [(r, broken) for r, broken in failing if broken]
        if failing:
            items.append("<b>Not every variant claiming the change request holds</b>: " + "; ".join(
                f"{_names([r.variant])} fails {broken}" for r, broken in failing) + ".")
        else:
            items.append(f"<b>Every property holds</b> for each variant claiming the change request "
                         f"(marked *): {_names([r.variant for r in claiming])}.")
    between = [(r, _failures(r, cex(r))) for r in results
               if r.variant != DM12 and not r.config.variant.claims_cr]
    if between:
        items.append("The other variants (part of the change, or a mixed deployment):<ul>" + "".join(
            f"<li>{_names([r.variant])} " + (f"fails {broken}" if broken else "holds every property")
            + "</li>" for r, broken in between) + "</ul>")
    if security is None:
        items.append("The security properties under attack were not checked for this page.")
    else:
        items += [_attack_summary(name, checks) for name, checks in security.checks.items()]
    items.append(f"The verdict matrix is a claim within the bounds of configuration "
                 f"<b>{escape(config.name)}</b>: {escape(config.bounds.describe())}"
                 + ("; each attacker configuration's, within those in its Security heading." if security
                    else "."))
    return (f"<h2 id='summary'>Summary</h2><p>Read from the verdicts below; in brackets, the steps "
            f"of a property's shortest counterexample.</p><ul class='summary'>"
            f"{''.join(f'<li>{item}</li>' for item in items)}</ul>")


def _attack_summary(name: str, results: Sequence[VariantResult]) -> str:
    """One attacker configuration in a sentence or two: which variants hold every security
    property, which it breaks and which properties (its matrix says which breaks which)."""
    attacker = escape(results[0].config.bounds.attacker.describe())
    holding = [r.variant for r in results if all(v.holds is True for v in r.verdicts)]
    broken = [r.variant for r in results if r.variant not in holding]
    kept = (f"every security property holds for {_names(holding)}." if holding else
            "no compared variant holds every security property.")
    properties = [v.property.name for v in results[0].verdicts
                  if any((w := r.verdict(v.property.name)) is None or w.holds is not True for r in results)]
    said = (f" Not for {_names(broken)}: {escape(', '.join(properties))} fail or are undecided."
            if broken else "")
    return f"Under <a href='#security-{escape(name)}'>{escape(name)}</a> ({attacker}), {kept}{said}"


def _security_properties(results: Sequence[VariantResult], spec: dict[str, Any]) -> str:
    """Each security property with its requirement (id and title) and its exact claim."""
    titles = {str(r.get("id", "")): str(r.get("title", "")) for r in spec.get("requirement", [])}
    rows = "".join(
        f"<tr><td>{escape(v.property.name)}</td><td>{escape(v.property.requirement)}</td>"
        f"<td>{escape(titles.get(v.property.requirement, ''))}</td><td>{escape(v.property.doc)}</td>"
        "</tr>" for v in results[0].verdicts)
    return (f"<div class='scroll'><table><tr><th>property</th><th>requirement</th><th>title</th>"
            f"<th>claim</th></tr>{rows}</table></div>")


SVG_ID = re.compile(r"""\bid=(["'])([^"']+)\1""")


def inline_svg(svg: str, prefix: str) -> str:
    """An SVG document reduced to its ``<svg>`` element, for embedding in HTML.

    Graphviz numbers the ids of every drawing alike (``graph0``, ``node1``, ``clust1``), so each
    id gets ``prefix`` and so does every reference to it (``href="#..."``, ``xlink:href``,
    ``url(#...)``): the page's ids stay unique. The root keeps its viewBox and is given its
    drawn width as ``max-width``, so the stylesheet can shrink it to its box but never enlarge it.
    """
    body = svg[svg.index("<svg"):] if "<svg" in svg else svg
    own = {match.group(2) for match in SVG_ID.finditer(body)}
    body = SVG_ID.sub(lambda m: f"id={m.group(1)}{prefix}{m.group(2)}{m.group(1)}", body)
    body = re.sub(r"""(href=["']#|url\(#)([^"')]+)""",
                  lambda m: m.group(1) + (prefix if m.group(2) in own else "") + m.group(2), body)
    width = re.match(r"""<svg\b[^>]*?\swidth=["']([\d.]+(?:pt|px)?)["']""", body)
    if width:
        body = body.replace("<svg", f'<svg style="max-width: {width.group(1)}"', 1)
    return body


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
    body = (inline_svg(svg, f"svg-{escape(diagram.name)}-") if svg
            else f"<pre>{escape(diagram.mermaid())}</pre>")
    return (f'<figure id="diagram-{escape(diagram.name)}" data-diagram="{escape(diagram.name)}">'
            f"<figcaption>{escape(diagram.caption)}</figcaption><div class='drawing'>"
            f"<div class='chart'>{body}</div>{_legend(diagram)}</div></figure>")


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


# What each bound counts, in the words of specs/README.md (per device where it says so).
BOUND_WORDS = {
    "devices": "devices sharing the one server",
    "rotations": "secret rotations the server may start, per device",
    "rebootstraps": "re-bootstraps the environment may inflict, per device",
    "resets": "device resets mid-session, per device",
    "losses": "packages the channels may lose, per device",
    "capacity": "packages a channel holds",
    "retry_limit": "Package 1 retries after a 401 before the device gives up",
    "notifications": "the server may start sessions with a Package 0 notification",
    "bootstrap_types": "how a device may be bootstrapped",
    "profile": "bootstrap profile",
    "attacker": "network attacker",
}
PROFILE_WORDS = {"dm": "OMA DM (TNDS)", "cp": "OMA Client Provisioning"}


def _about(results: Sequence[VariantResult]) -> str:
    """The checked configuration's bounds in words and what produced the page."""
    config = results[0].config
    rows = "".join(f"<tr><th>{escape(BOUND_WORDS.get(f.name, f.name.replace('_', ' ')))}</th>"
                   f"<td>{escape(_bound_text(getattr(config.bounds, f.name)))}</td></tr>"
                   for f in fields(config.bounds))
    made = f"{made_by(_commit(), _version())}, {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}"
    return (f"<p class='note'>Generated by {escape(made)}.</p><details><summary>Bounds of "
            f"configuration {escape(config.name)}</summary><table class='about'>{rows}</table>"
            "</details>")


def _bound_text(value: object) -> str:
    """One bound's value in words: yes/no, a list, a described attacker, a named profile."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(str(getattr(v, "value", v)) for v in value)
    describe = getattr(value, "describe", None)
    if callable(describe):
        return str(describe())
    text = str(getattr(value, "value", value))
    return PROFILE_WORDS.get(text, text)


def made_by(commit: str | None, version: str) -> str:
    """Who made the page: the package version and the git commit, or, from an installed copy
    (no git checkout), that the version is all there is to name."""
    where = f"commit {commit}" if commit else "installed package, no git commit"
    return f"dmmodel {version} ({where})"


def _version() -> str:
    try:
        return metadata.version("dmmodel")
    except metadata.PackageNotFoundError:
        return "(version unknown: not installed)"


def _commit() -> str | None:
    """The short git commit of the project folder; None unless that folder is itself the top of
    a git checkout (an installed copy may sit inside some other repository)."""
    root = SPECS_DIR.parent
    try:
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = done.stdout.split()
    if done.returncode != 0 or len(lines) != 2 or Path(lines[0]).resolve() != root.resolve():
        return None
    return lines[1]


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
            f"<h1>{escape(title)}</h1>{_summary(results, security)}{_about(results)}"
            f"<p class='note'>{escape(BOOTSTRAP_REPORT_NOTE)}.</p><ul>{contents}</ul>"
            f"{''.join(parts)}</body></html>\n")
    return re.sub(r"<!--.*?-->", "", page, flags=re.S)
