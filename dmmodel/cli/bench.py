"""``dmmodel bench``: run the benchmark ladder and print (or export) speed and memory per rung."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from dmmodel.bench import load_ladder, measure_in_fresh_process
from dmmodel.protocol.config import ConfigError

COLUMNS = ("rung", "variant", "states", "transitions", "search s", "total s", "states/s",
           "peak MiB", "B/state")


@click.command("bench")
@click.option("--rungs", "-n", type=click.IntRange(min=1), default=None,
              help="Run only the first N rungs of specs/bench.toml (default: all).")
@click.option("--export", "export_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the results as JSON to this file.")
def bench_command(rungs: int | None, export_path: Path | None) -> None:
    """Check each rung of the ladder (specs/bench.toml) in a fresh process and measure it.

    states/s is distinct states per second of the search; total s adds deciding the
    properties (reverse reachability) and replay-free verdicts; B/state is peak-RSS growth
    per stored state.
    """
    try:
        ladder = load_ladder()[:rungs]
        configs = [r.make_config() for r in ladder]
    except ConfigError as error:
        raise click.UsageError(str(error)) from None
    widths = (20, 17, 10, 11, 8, 8, 9, 8, 7)
    click.echo("  ".join(f"{c:>{w}}" for c, w in zip(COLUMNS, widths, strict=True)))
    results = []
    for rung, config in zip(ladder, configs, strict=True):
        b = config.bounds
        if sys.stderr.isatty():
            click.echo(f"  ... {rung.name}: {b.devices} device(s), {b.rotations} rotation(s), "
                       f"{b.rebootstraps} re-bootstrap(s), {b.losses} loss(es)", err=True)
        r = measure_in_fresh_process(rung)
        results.append(r)
        row = (r.rung, r.variant, f"{r.states:,}", f"{r.transitions:,}", f"{r.search_seconds:.2f}",
               f"{r.total_seconds:.2f}", f"{r.states_per_second:,.0f}",
               f"{r.peak_rss_bytes / 2**20:,.0f}", f"{r.bytes_per_state:,.0f}")
        click.echo("  ".join(f"{c:>{w}}" for c, w in zip(row, widths, strict=True)))
    if export_path is not None:
        export_path.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
        click.echo(f"wrote {export_path}")
