"""``dmmodel report``: the self-contained HTML review page (verdicts, requirements, diagrams)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from dmmodel.analysis import SECURITY_VARIANTS, analyse, analyse_security
from dmmodel.cli.errors import InputError, usage_errors
from dmmodel.cli.progress import PerConfig
from dmmodel.output import write_text
from dmmodel.protocol.config import load_bounds
from dmmodel.render import RenderError, find_dot_renderer, render_svg
from dmmodel.report import RequirementsError, build_report, load_requirements
from dmmodel.views.catalog import build_diagrams, security_diagrams


@click.command("report")
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("report.html"), show_default=True, help="HTML file to write.")
@click.option("--config", "-c", "config_name", default="default", show_default=True,
              help="Configuration to check and draw.")
@click.option("--security/--no-security", default=True, show_default=True,
              help="Check the security properties under the attacker configurations for the "
                   "Security section (a minute or more).")
@click.option("--attack", "attack_configs", multiple=True, metavar="CONFIG",
              help="An attacker configuration for the Security section (repeatable; default: "
                   "every attack-* configuration but the slow ones, which the page names).")
def report_command(out: Path, config_name: str, security: bool,
                   attack_configs: tuple[str, ...]) -> None:
    """Write one HTML page for review, readable offline: the verdict matrix, requirements traced
    to properties, the security properties under attack, the diagrams inline, each counterexample
    as a numbered trace beside its chart."""
    started = time.perf_counter()
    if attack_configs and not security:
        raise click.UsageError("--attack: the page has no Security section with --no-security")
    if not out.parent.is_dir():  # say so now, not after minutes of checking
        raise click.UsageError(f"--out: cannot write {out}: {out.parent} is not a folder")
    try:
        spec = load_requirements()
    except RequirementsError as error:
        raise click.UsageError(str(error)) from None
    with usage_errors():  # every configuration named, before minutes of checking
        for name in (config_name, *attack_configs):
            load_bounds(name)
    click.echo(f"checking the variants on configuration {config_name} ...", err=True)
    attacks = None
    with usage_errors(), PerConfig() as progress:
        analysis = analyse(config_name, progress=progress)
        catalog = build_diagrams(analysis)
        if security:
            checked = time.perf_counter()
            click.echo(f"checking the security properties of {', '.join(SECURITY_VARIANTS)} "
                       "under the attacker configurations ...", err=True)
            attacks = analyse_security(attack_configs or None, progress=progress)
            click.echo(f"security checks took {time.perf_counter() - checked:.1f} s", err=True)
    for reason in catalog.omitted.values():
        click.echo(reason, err=True)
    diagrams = catalog.diagrams + (security_diagrams(attacks) if attacks else [])
    renderer = find_dot_renderer()
    svgs = {}
    if renderer is None:
        click.echo("no DOT renderer found: the report shows Mermaid source instead of pictures",
                   err=True)
    else:
        click.echo(f"rendering {len(diagrams)} diagrams ...", err=True)
        try:
            svgs = {d.name: render_svg(d.figure_dot(), renderer) for d in diagrams}
        except RenderError as error:
            raise click.ClickException(str(error)) from None
    page = build_report(analysis.results, diagrams, svgs, spec,
                        f"OMA DM bootstrap event reporting: review of configuration {config_name}",
                        catalog.omitted, attacks)
    try:
        write_text(out, page)
    except OSError as error:
        raise InputError(f"--out: cannot write {out}: {error.strerror or error}") from None
    click.echo(f"wrote {out} ({len(page) // 1024} KiB, {time.perf_counter() - started:.1f} s)")
