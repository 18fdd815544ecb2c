"""``dmmodel diagrams``: write every diagram of the model, or check that ``diagrams/`` is current.

A run writes all files or none (they are staged beside their targets and renamed into place
together), and touches README.md only when ``--readme`` asks for it.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from dmmodel.analysis import analyse
from dmmodel.cli.errors import InputError, usage_errors
from dmmodel.cli.progress import PerConfig
from dmmodel.output import FileSet
from dmmodel.protocol.config import SPECS_DIR, SPECS_IN_CHECKOUT
from dmmodel.render import RenderError, find_dot_renderer
from dmmodel.views.catalog import Diagram, build_diagrams
from dmmodel.views.publish import readme_with_embeds, refresh_readme, stale_files, write_diagrams

# From a checkout, the repository's diagrams/ and README; from an installed package, ./diagrams
# (site-packages is not a place to write) and no README to refresh.
DIAGRAMS_DIR = SPECS_DIR.parent / "diagrams" if SPECS_IN_CHECKOUT else Path("diagrams")
README = SPECS_DIR.parent / "README.md"
REGENERATE = "uv run dmmodel diagrams --readme"


def _check(folder: Path, diagrams: list[Diagram], readme: bool, started: float) -> None:
    """Report every out-of-date file (and README embed with ``readme``); exit 1 if any."""
    renderer = find_dot_renderer()
    problems = [f"{folder / p}" for p in stale_files(diagrams, folder, svg=renderer is not None)]
    if renderer is None:
        click.echo("no DOT renderer found: SVG files not checked", err=True)
    if readme and README.read_text(encoding="utf-8") != readme_with_embeds(README, diagrams):
        problems.append(f"{README}: embedded diagrams differ from the model")
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{len(problems)} file(s) out of date: run '{REGENERATE}' and commit the result",
                   err=True)
        raise SystemExit(1)
    kinds = "DOT, Mermaid and SVG" if renderer else "DOT and Mermaid"
    click.echo(f"{folder}: the {kinds} files of all {len(diagrams)} diagrams are current"
               f"{' and so is README.md' if readme else ''} ({time.perf_counter() - started:.1f} s)")


@click.command("diagrams")
@click.option("--out", "-o", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=DIAGRAMS_DIR, show_default="diagrams/",
              help="Folder to write into (with --check: the folder to check).")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 naming each DOT, Mermaid or SVG file that is stale, "
                   "missing or extra.")
@click.option("--readme", is_flag=True,
              help="Also refresh (with --check: also check) the Mermaid blocks README.md embeds.")
@click.option("--config", "-c", "config_name", default="default", show_default=True,
              help="Configuration whose counterexamples and overview are drawn.")
def diagrams_command(folder: Path, check_only: bool, readme: bool, config_name: str) -> None:
    """Draw the state charts, sequence charts and state-graph overview as DOT, Mermaid and SVG.

    SVG needs a dot-compatible renderer (Debian 'graphviz' or PyPI 'graphviz-pure'); without one,
    DOT and Mermaid are still written. All files land together or none does. The overview is
    drawn only for configurations small enough to read; a line says when it is left out.
    Exit status: 0 done or current, 1 stale, 2 bad usage or a file that cannot be written.
    """
    if readme and not SPECS_IN_CHECKOUT:
        raise click.UsageError("--readme: only in a clone of the repository (this dmmodel is installed)")
    started = time.perf_counter()
    click.echo(f"checking the variants on configuration {config_name} ...", err=True)
    with usage_errors(), PerConfig() as progress:
        catalog = build_diagrams(analyse(config_name, progress=progress))
    for reason in catalog.omitted.values():
        click.echo(reason, err=True)
    if check_only:
        _check(folder, catalog.diagrams, readme, started)
        return
    renderer = find_dot_renderer()
    if renderer is None:
        click.echo("no DOT renderer found (install Debian 'graphviz' or PyPI 'graphviz-pure'): "
                   "writing DOT and Mermaid only", err=True)
    written = []
    try:
        with FileSet(folder) as files:
            for diagram in catalog.diagrams:
                suffixes = write_diagrams(files, diagram, renderer)
                written.append(f"{folder / diagram.name}.{{{','.join(suffixes)}}}")
                click.echo(f"drew {diagram.name}", err=True)
        refreshed = readme and refresh_readme(README, catalog.diagrams)
    except RenderError as error:
        raise click.ClickException(f"rendering failed, nothing written: {error}") from None
    except OSError as error:
        where = error.filename or folder
        raise InputError(f"--out: cannot write {where}: {error.strerror or error}") from None
    for line in written:
        click.echo(f"wrote {line}")
    if refreshed:
        click.echo(f"refreshed the diagrams embedded in {README.name}")
    click.echo(f"{len(catalog.diagrams)} diagrams in {folder} ({time.perf_counter() - started:.1f} s)")
