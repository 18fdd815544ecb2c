"""``dmmodel simulate``: replay a scenario on the executable machines and print the exchange."""

from __future__ import annotations

import click

from dmmodel.cli.errors import usage_errors
from dmmodel.protocol.vocabulary import BOOTSTRAP_REPORT_NOTE
from dmmodel.runtime.scenarios import load_scenario, run_scenario, scenario_names


@click.command("simulate")
@click.argument("name", required=False)
@click.option("--list", "list_only", is_flag=True, help="List the scenarios and exit.")
def simulate_command(name: str | None, list_only: bool) -> None:
    """Run scenario NAME (from specs/scenarios, or a .toml file) and print its packages.

    The trace shows each step, the rule that fired and the SyncML packages sent, with the real
    credentials (syncml:auth-md5 digests and the Package 0 digest). The step language is
    documented in specs/README.md. Exits 1 when the scenario's expected outcome does not come
    out, 2 for a bad scenario file (one line).
    """
    if list_only and name is not None:
        raise click.UsageError(f"--list takes no scenario name (got {name!r})")
    if list_only or name is None:
        with usage_errors():
            for scenario_name in scenario_names():
                click.echo(f"{scenario_name:<28} {load_scenario(scenario_name).title}")
        if not list_only:
            click.echo("\nrun one with: dmmodel simulate NAME")
        return
    with usage_errors():
        run = run_scenario(load_scenario(name))
    s = run.scenario
    click.echo(f"{s.title}\nvariant {s.variant}, configuration {run.config.name}")
    if s.notes:
        click.echo(s.notes.rstrip())
    click.echo(f"({BOOTSTRAP_REPORT_NOTE})\n")
    for entry in run.trace:
        click.echo("\n".join(entry.lines()))
    click.echo("")
    if run.passed:
        click.echo(f"outcome: as expected ({len(run.trace)} steps)")
    else:
        for failure in run.failures:
            click.echo(f"outcome: {failure}", err=True)
        raise SystemExit(1)
