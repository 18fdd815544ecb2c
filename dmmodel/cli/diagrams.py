"""``dmmodel diagrams``: write every diagram of the model, or check that ``diagrams/`` is current."""

from __future__ import annotations

import time
from pathlib import Path

import click

from dmmodel.analysis import analyse
from dmmodel.cli.errors import usage_errors
from dmmodel.protocol.config import SPECS_DIR
from dmmodel.render import RenderError, find_dot_renderer
from dmmodel.views.catalog import build_diagrams
from dmmodel.views.publish import refresh_readme, stale_files, write_sources, write_svg

DIAGRAMS_DIR = SPECS_DIR.parent / "diagrams"
README = SPECS_DIR.parent / "README.md"
REGENERATE = "uv run dmmodel diagrams"


@click.command("diagrams")
@click.option("--out", "-o", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=DIAGRAMS_DIR, show_default="diagrams/",
              help="Folder to write into (with --check: the folder to check).")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 naming each DOT/Mermaid file that is stale or missing.")
@click.option("--config", "-c", "config_name", default="default", show_default=True,
              help="Configuration whose counterexamples and overview are drawn.")
def diagrams_command(folder: Path, check_only: bool, config_name: str) -> None:
    """Draw the state charts, sequence charts and state-graph overview as DOT, Mermaid and SVG.

    SVG needs a dot-compatible renderer (Debian 'graphviz' or PyPI 'graphviz-pure'); without one,
    DOT and Mermaid are still written. Exit status: 0 done or current, 1 stale, 2 bad usage.
    """
    started = time.perf_counter()
    click.echo(f"checking the variants on configuration {config_name} ...")
    with usage_errors():
        diagrams = build_diagrams(analyse(config_name))
    if check_only:
        problems = stale_files(diagrams, folder, click.echo)
        for problem in problems:
            click.echo(f"{folder / problem}", err=True)
        if problems:
            click.echo(f"{len(problems)} file(s) out of date: run '{REGENERATE}' and commit the result",
                       err=True)
            raise SystemExit(1)
        click.echo(f"{folder}: all {2 * len(diagrams)} DOT and Mermaid files are current "
                   f"({time.perf_counter() - started:.1f} s)")
        return
    renderer = find_dot_renderer()
    if renderer is None:
        click.echo("no DOT renderer found (install Debian 'graphviz' or PyPI 'graphviz-pure'): "
                   "writing DOT and Mermaid only", err=True)
    for diagram in diagrams:
        written = write_sources(diagram, folder)
        if renderer is not None:
            try:
                written.append(write_svg(diagram, folder, renderer))
            except RenderError as error:
                raise click.ClickException(f"{diagram.name}: {error}") from None
        click.echo(f"wrote {folder / diagram.name}.{{{','.join(p.suffix[1:] for p in written)}}}")
    if folder.resolve() == DIAGRAMS_DIR.resolve() and refresh_readme(README):
        click.echo(f"refreshed the diagrams embedded in {README.name}")
    click.echo(f"{len(diagrams)} diagrams in {folder} ({time.perf_counter() - started:.1f} s)")
