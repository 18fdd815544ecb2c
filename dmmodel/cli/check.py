"""``dmmodel check``: the verdict matrix of the variants, then each shortest counterexample."""

from __future__ import annotations

import json
import time

import click

from dmmodel.analysis import VariantResult, check_presets, exit_status
from dmmodel.checker import verdict_text
from dmmodel.cli.errors import usage_errors
from dmmodel.cli.limits import limit_options
from dmmodel.cli.progress import PerConfig
from dmmodel.protocol.config import ATTACKERS, PRESETS, Bounds, config_description, named_configs
from dmmodel.protocol.vocabulary import BOOTSTRAP_REPORT_NOTE
from dmmodel.search.checkable import coverage_names, property_docs, security_names


def _header_lines(name: str, width: int = 12) -> list[str]:
    """A property name broken at underscores into lines of about ``width`` characters."""
    lines = [""]
    for part in name.split("_"):
        piece = part if not lines[-1] else "_" + part
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines[-1] += "_"
            lines.append(part)
        else:
            lines[-1] += piece
    return lines


def _states_cell(result: VariantResult) -> str:
    """The states explored; with symmetry the orbits, and the states they stand for."""
    if result.symmetry:
        return f"{result.result.states:,} orbits ({result.raw_states:,} states)"
    return f"{result.result.states:,}"


def banner(name: str, b: Bounds) -> str:
    """The configuration line above a matrix: its name and every bound."""
    return f"configuration {name}: {b.describe()}"


def render_matrices(results: list[VariantResult]) -> str:
    """The protocol properties' matrix, then the security properties' (those checked)."""
    checked = [v.property.name for v in results[0].verdicts]
    security = [n for n in checked if n in security_names()]
    protocol = [n for n in checked if n not in security]
    parts = []
    if protocol:
        parts.append(render_matrix(results, protocol))
    if security:
        parts.append("Security properties (DM-SEC-n):\n\n" + render_matrix(results, security))
    return "\n\n".join(parts)


def render_matrix(results: list[VariantResult], names: list[str] | None = None) -> str:
    """Variants as rows, properties as columns, with states and seconds per variant."""
    names = names or [v.property.name for v in results[0].verdicts]
    header = [["variant"], ["states"], ["seconds"], *(_header_lines(n) for n in names)]
    rows = [
        [r.variant + (" *" if r.config.variant.claims_cr else ""), _states_cell(r),
         f"{r.seconds:.2f}", *(verdict_text(r.verdict(n)) for n in names)]
        for r in results
    ]
    widths = [max(max(map(len, header[i])), *(len(row[i]) for row in rows))
              for i in range(len(header))]
    height = max(map(len, header))
    lines = []
    for k in range(height):
        cells = [(h[k - height + len(h)] if k >= height - len(h) else "") for h in header]
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


def render_coverage(results: list[VariantResult]) -> str:
    """How often each rule fired per variant (transitions of the explored graph), and which never did."""
    names = coverage_names()
    header = ["rule", *(r.variant for r in results)]
    rows = [[name, *(f"{r.result.coverage.get(name, 0):,}" if name in coverage_names(r.config.variant)
                     else "-" for r in results)] for name in names]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w)
                       for i, (c, w) in enumerate(zip(row, widths, strict=True)))
             for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for r in results:
        never = [n for n in coverage_names(r.config.variant) if not r.result.coverage.get(n)]
        lines.append(f"{r.variant}: {len(never)} never fired" + (f": {', '.join(never)}" if never else ""))
    return "\n".join(lines)


def render_counterexamples(result: VariantResult) -> list[str]:
    """Each violation of a variant as a numbered trace with the packages exchanged."""
    out = []
    for verdict in result.failed():
        prop = verdict.property
        cex = verdict.counterexample
        out.append(f"\n{result.variant}: {prop.name} ({prop.requirement}) VIOLATED, "
                   f"shortest counterexample ({len(cex.steps) - 1} steps):")
        out.append(f"  {prop.doc}")
        for entry in result.traces[prop.name]:
            out.extend(entry.lines())
        if cex.trap is not None:
            t = cex.trap
            out.append(f"  from here protocol steps alone reach {t.states} states, none a goal; "
                       f"they cycle through: {', '.join(t.cycle) or '(a dead end)'}")
    return out


def render_list() -> list[str]:
    """The named configurations, the variants and the properties, each with what it means."""
    lines = ["Configurations (--config NAME, or a TOML file; keys in specs/README.md):"]
    names = named_configs()
    width = max(map(len, [*names, *PRESETS]), default=0)
    lines += [f"  {name:<{width}}  {config_description(name)}" for name in names]
    lines.append("\nVariants (--variant NAME; * claims the change request):")
    lines += [f"  {name:<{width}}  {v.doc}" + (" *" if v.claims_cr else "") for name, v in PRESETS.items()]
    lines.append("\nProperties (--property NAME):")
    docs = property_docs()
    width = max(len(name) for name, _, _ in docs)
    lines += [f"  {name:<{width}}  [{requirement}] {doc}" for name, requirement, doc in docs]
    return lines


@click.command("check")
@click.option("--variant", "-v", "variants", multiple=True, metavar="NAME",
              help=f"Variant to check (repeatable; default: all of {', '.join(PRESETS)}).")
@click.option("--config", "-c", "config_name", default="default", show_default=True,
              help="Named configuration in specs/configs, or a TOML file.")
@click.option("--property", "-p", "properties", multiple=True, metavar="NAME",
              help="Only this property (repeatable).")
@click.option("--attacker", "-a", metavar="NAME", default=None,
              help=f"Put the network attacker of this name ({', '.join(ATTACKERS)}) in place of "
                   "the configuration's own (its [attacker] table).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--max-states", type=click.IntRange(min=1), default=None,
              help="Stop each search after this many states (the result is then partial, "
                   "exit status 1).")
@limit_options("each search")
@click.option("--counterexamples/--no-counterexamples", default=True, show_default=True,
              help="Print the shortest counterexample of each violation.")
@click.option("--coverage", is_flag=True,
              help="Also count how often each rule fires in the explored graph; name those that never do.")
@click.option("--symmetry/--no-symmetry", default=True, show_default=True,
              help="Store one state per orbit of interchangeable devices (2+ devices); the "
                   "first device keeps its place when per-device goals are checked.")
@click.option("--list", "list_only", is_flag=True,
              help="List the named configurations, variants and properties, and exit.")
def check_command(variants: tuple[str, ...], config_name: str, properties: tuple[str, ...],
                  attacker: str | None, as_json: bool, max_states: int | None,
                  max_seconds: float | None, max_memory: int | None,
                  counterexamples: bool, coverage: bool, symmetry: bool, list_only: bool) -> None:
    """Check every property of each variant exhaustively and print the verdict matrix.

    The configuration keys (bounds) and the scenario step language are documented in
    specs/README.md; `--list` names what there is to check.

    Exit status: without --variant, 0 when the run completed and every property of the
    variants that claim the change request (marked *) holds; with --variant, 0 when every
    property checked holds; 1 when one fails (a counterexample found before a limit counts) or
    the run is partial (--max-states); 3 when nothing fails but a limit (--max-seconds,
    --max-memory, the state encoding) stopped a search, whose verdicts are then unknown; 2 for
    bad usage or input, one line; 130 when interrupted.
    """
    if list_only:
        with usage_errors():
            click.echo("\n".join(render_list()))
        return
    started = time.perf_counter()
    with usage_errors(), PerConfig() as progress:
        results = check_presets(config_name, variants, properties, max_states, progress, coverage,
                                symmetry, attacker, max_seconds=max_seconds, max_memory=max_memory)
    status = exit_status(results, narrowed=bool(variants))
    if as_json:
        click.echo(json.dumps([r.to_json() for r in results], indent=2))
        raise SystemExit(status)
    name, b = results[0].config.name, results[0].config.bounds
    click.echo(banner(name, b) + "\n")
    click.echo(render_matrices(results))
    click.echo("\n(* claims the change request's requirements; VIOLATED (k) = shortest "
               "counterexample of k steps; holds = in every state within the bounds on the first "
               "line, and dmmodel sweep raises them)")
    if any(not r.result.complete and r.result.stopped is None for r in results):
        click.echo("PARTIAL: --max-states stopped a search; 'unknown' verdicts are undecided.")
    for r in results:
        if r.result.stopped is not None:
            click.echo(f"{r.variant}: unknown: {r.result.unknown}")
    if coverage:
        click.echo("\nCoverage: transitions per rule in the explored graph\n")
        click.echo(render_coverage(results))
    if counterexamples and any(r.failed() for r in results):
        click.echo(f"\nCounterexamples, replayed on the executable machines ({BOOTSTRAP_REPORT_NOTE}):")
        for r in results:
            for line in render_counterexamples(r):
                click.echo(line)
    click.echo(f"\n{sum(r.raw_states for r in results):,} states in "
               f"{time.perf_counter() - started:.2f} s; exit status {status}")
    raise SystemExit(status)
