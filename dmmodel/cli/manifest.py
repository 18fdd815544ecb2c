"""``dmmodel manifest``: regenerate or verify the recorded state counts and verdicts."""

from __future__ import annotations

import click

from dmmodel import manifest
from dmmodel.cli.errors import usage_errors
from dmmodel.cli.progress import PerConfig, note
from dmmodel.output import write_text
from dmmodel.protocol.config import SPECS_IN_CHECKOUT


@click.command("manifest")
@click.option("--check", "check_only", is_flag=True,
              help="Compare with specs/manifest.toml instead of rewriting it; exit 1 on drift.")
@click.option("--config", "-c", "configs", multiple=True, metavar="NAME",
              help="Only these named configurations (repeatable; default: all).")
def manifest_command(check_only: bool, configs: tuple[str, ...]) -> None:
    """Record distinct states, transitions, depth, verdicts and rule coverage per configuration
    and variant."""
    if not check_only and not SPECS_IN_CHECKOUT:
        raise click.UsageError("the manifest is rewritten only in a clone of the repository "
                               "(this dmmodel is installed); --check works anywhere")
    if configs and not check_only:
        raise click.UsageError("--config only goes with --check (the manifest is rewritten whole)")

    def progress(name: str) -> None:
        note(f"checking configuration {name}")

    with usage_errors(), PerConfig() as searches:
        try:
            fresh = manifest.build(configs or None, progress, searches)
        except manifest.ReductionDisagrees as error:
            click.echo(f"the live-data reduction changed a result: {error}", err=True)
            raise SystemExit(1) from None
    if not check_only:
        with usage_errors():
            write_text(manifest.MANIFEST_FILE, manifest.to_toml(fresh))
        click.echo(f"wrote {manifest.MANIFEST_FILE} ({len(fresh)} entries)")
        return
    with usage_errors():
        recorded = {(e["config"], e["variant"]): e for e in manifest.load()}
    drift = []
    for entry in fresh:
        old = recorded.get((entry["config"], entry["variant"]))
        if old is None:
            drift.append(f"{entry['config']}/{entry['variant']}: not recorded")
        else:
            drift += manifest.differences(old, entry)
    for line in drift:
        click.echo(line)
    if drift:
        raise SystemExit(1)
    click.echo(f"manifest matches ({len(fresh)} entries)")
