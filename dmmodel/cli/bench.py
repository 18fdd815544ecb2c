"""``dmmodel bench``: run the benchmark ladder and print (or export) speed and memory per rung."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import click

from dmmodel.bench import load_ladder, measure_in_fresh_process
from dmmodel.cli.errors import InputError, usage_errors
from dmmodel.cli.progress import SearchProgress, note
from dmmodel.output import write_text

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
    if export_path is not None:
        check_writable(export_path)
    with usage_errors():
        ladder = load_ladder()[:rungs]
        configs = [r.make_config() for r in ladder]
    widths = (20, 17, 10, 11, 8, 8, 9, 8, 7)
    click.echo("  ".join(f"{c:>{w}}" for c, w in zip(COLUMNS, widths, strict=True)))
    results = []
    for number, (rung, config) in enumerate(zip(ladder, configs, strict=True), 1):
        b = config.bounds
        note(f"rung {number}/{len(ladder)} {rung.name}: {b.devices} device(s), {b.rotations} "
             f"rotation(s), {b.rebootstraps} re-bootstrap(s), {b.losses} loss(es)")
        r = measure_in_fresh_process(rung, SearchProgress(f"rung {rung.name}"))
        note(f"rung {number}/{len(ladder)} {rung.name}: done, {r.states:,} states in "
             f"{r.total_seconds:.1f} s")
        results.append(r)
        row = (r.rung, r.variant, f"{r.states:,}", f"{r.transitions:,}", f"{r.search_seconds:.2f}",
               f"{r.total_seconds:.2f}", f"{r.states_per_second:,.0f}",
               f"{r.peak_rss_bytes / 2**20:,.0f}", f"{r.bytes_per_state:,.0f}")
        click.echo("  ".join(f"{c:>{w}}" for c, w in zip(row, widths, strict=True)))
    if export_path is not None:
        with usage_errors():
            write_text(export_path, json.dumps([asdict(r) for r in results], indent=2) + "\n")
        click.echo(f"wrote {export_path}")


def check_writable(path: Path) -> None:
    """Refuse an export file whose folder is missing or read-only before the benchmark runs."""
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"--export: no folder {str(folder)!r} to write {path.name} into")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"--export: cannot write into {str(folder)!r} (permission denied)")
