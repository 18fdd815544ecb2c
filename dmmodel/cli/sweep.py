"""``dmmodel sweep``: raise one bound at a time and report where a verdict changes."""

from __future__ import annotations

import json

import click

from dmmodel.analysis import ProgressFactory
from dmmodel.cli.check import banner
from dmmodel.cli.errors import usage_errors
from dmmodel.cli.limits import limit_options
from dmmodel.cli.progress import Pacer, PerConfig, note
from dmmodel.protocol.config import ATTACKERS, PRESETS
from dmmodel.sweep import (
    BOUND_NAMES,
    DEFAULT_BOUNDS,
    MAX_SECONDS,
    BoundSweep,
    configured_bounds,
    exit_status,
    sweep,
)


def render_sweep(swept: BoundSweep) -> list[str]:
    """One bound's table: a column per value (states, seconds, then the verdict of each
    variant and property that is not "holds" at every value), and why the sweep stopped."""
    rows = [[swept.bound, *(str(p.value) for p in swept.points)],
            ["states", *(f"{p.states:,}" for p in swept.points)],
            ["seconds", *(f"{p.seconds:.2f}" for p in swept.points)]]
    notable = swept.notable()
    rows += [[f"{variant} {prop}", *(p.text(variant, prop) for p in swept.points)]
             for variant, prop in notable]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if len(swept.pairs()) > len(notable):
        lines.append(("all other properties hold" if notable else "every property holds")
                     + " at every value")
    lines.append(f"stop: {swept.reason}")
    return lines


class SweepProgress:
    """Progress of a sweep on stderr: a line per value checked, and each search's progress
    (``PerConfig``) labelled with the bound's value; one clock for the whole sweep."""

    def __init__(self) -> None:
        self.pacer = Pacer()
        self.current: PerConfig | None = None

    def __call__(self, bound: str, value: int) -> ProgressFactory:
        self.close()
        self.current = PerConfig(f"{bound} = {value}: checking", self.pacer)
        return self.current

    def point(self, swept: BoundSweep) -> None:
        self.close()
        p = swept.points[-1]
        note(f"{swept.bound} = {p.value}: {p.states:,} states in {p.seconds:.2f} s")

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None


@click.command("sweep")
@click.option("--config", "-c", "config_name", default="default", show_default=True,
              help="Named configuration in specs/configs, or a TOML file.")
@click.option("--variant", "-v", "variants", multiple=True, metavar="NAME",
              help=f"Variant to check (repeatable; default: all of {', '.join(PRESETS)}).")
@click.option("--property", "-p", "properties", multiple=True, metavar="NAME",
              help="Only this property (repeatable).")
@click.option("--bound", "-b", "bounds", multiple=True, metavar="NAME[=END]",
              help=f"A bound to raise (repeatable): one of {', '.join(BOUND_NAMES)}; =END stops "
                   "at END. Default: attacker.budget and attacker.memory when the configuration "
                   f"has an attacker, then {', '.join(DEFAULT_BOUNDS)}.")
@click.option("--attacker", "-a", metavar="NAME", default=None,
              help=f"Put the network attacker of this name ({', '.join(ATTACKERS)}) in place of "
                   "the configuration's own.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@limit_options("a check", seconds=MAX_SECONDS)
def sweep_command(config_name: str, variants: tuple[str, ...], properties: tuple[str, ...],
                  bounds: tuple[str, ...], attacker: str | None, as_json: bool,
                  max_seconds: float | None, max_memory: int | None) -> None:
    """Raise one bound at a time and check again at each value, to see which verdicts depend on
    the bounds of a configuration.

    Each bound goes up from the configuration's value, one at a time, the others staying as
    configured, until a verdict changes from the previous value (the bound matters there), a
    check runs out of time or memory (its verdicts are unknown), no variant's state count grows
    any more (saturated: higher values give the same graph), or the bound's largest value (or
    END) is reached. Per bound a table shows the states, seconds and the verdicts that are not
    "holds" at every value, and why the sweep stopped.

    Exit status: 0 when every bound's sweep ended by itself (a changed verdict is a result, not
    a failure); 3 when a limit stopped a check; 2 for bad usage (unknown bound, variant or
    property, an END out of range), one line; 130 when interrupted.
    """
    progress = SweepProgress()
    with usage_errors():
        try:
            sweeps = sweep(config_name, bounds, variants, properties, attacker=attacker,
                           max_seconds=max_seconds, max_memory=max_memory, progress=progress,
                           on_point=progress.point)
        finally:
            progress.close()
        name, configured = configured_bounds(config_name, attacker)
    status = exit_status(sweeps)
    if as_json:
        click.echo(json.dumps({
            "config": name, "variants": list(variants) or list(PRESETS),
            "properties": list(properties) or None, "max_seconds": max_seconds,
            "max_memory": max_memory, "sweeps": [s.to_json() for s in sweeps],
            "exit_status": status}, indent=2))
        raise SystemExit(status)
    click.echo(banner(name, configured))
    click.echo(f"variants: {', '.join(variants) or 'all presets'}"
               + (f"; properties: {', '.join(properties)}" if properties else ""))
    for swept in sweeps:
        click.echo(f"\nRaising {swept.bound} from {swept.start}:\n")
        click.echo("\n".join(render_sweep(swept)))
    click.echo(f"\nexit status {status}")
    raise SystemExit(status)
