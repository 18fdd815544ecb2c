"""``dmmodel bench``: run the benchmark ladder and print (or export, or compare) speed and memory."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from dmmodel.bench import RungResult, load_ladder, measure_in_fresh_process
from dmmodel.cli.errors import InputError, usage_errors
from dmmodel.cli.progress import SearchProgress, note
from dmmodel.output import write_text

COLUMNS = ("rung", "variant", "states", "transitions", "search s", "live s", "total s", "states/s",
           "e2e/s", "plain/s", "x plain", "peak MiB", "B/state")
WIDTHS = (21, 16, 10, 11, 8, 6, 7, 8, 8, 8, 7, 8, 7)
# what --compare reports: (heading, export key, whether a larger value is better)
COMPARED = (("states/s", "states_per_second", True), ("total s", "total_seconds", False),
            ("B/state", "bytes_per_state", False), ("live s", "liveness_seconds", False))


@click.command("bench")
@click.option("--rungs", "-n", type=click.IntRange(min=1), default=None,
              help="Run only the first N rungs of specs/bench.toml (default: all).")
@click.option("--export", "export_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the results as JSON to this file.")
@click.option("--compare", "compare_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Print each rung's change against an earlier --export file.")
def bench_command(rungs: int | None, export_path: Path | None, compare_path: Path | None) -> None:
    """Check each rung of the ladder (specs/bench.toml) in a fresh process and measure it.

    states/s is distinct states per second of the search; live s is deciding the properties
    after it (reverse reachability); total s is the whole check and e2e/s its rate; plain/s is
    a plain-Python BFS over integer tuples timed right after the rung in the same process, and
    x plain is e2e/s over plain/s; B/state is peak-RSS growth per stored state.
    """
    if export_path is not None:
        check_writable(export_path)
    earlier = None if compare_path is None else load_export(compare_path)
    with usage_errors():
        ladder = load_ladder()[:rungs]
        configs = [r.make_config() for r in ladder]
    click.echo(_row(COLUMNS))
    results = []
    for number, (rung, config) in enumerate(zip(ladder, configs, strict=True), 1):
        b = config.bounds
        note(f"rung {number}/{len(ladder)} {rung.name}: {b.devices} device(s), {b.rotations} "
             f"rotation(s), {b.rebootstraps} re-bootstrap(s), {b.losses} loss(es)")
        r = measure_in_fresh_process(rung, SearchProgress(f"rung {rung.name}"))
        note(f"rung {number}/{len(ladder)} {rung.name}: done, {r.states:,} states in "
             f"{r.total_seconds:.1f} s")
        results.append(r)
        click.echo(_row((r.rung, r.variant, f"{r.states:,}", f"{r.transitions:,}",
                         f"{r.search_seconds:.2f}", f"{r.liveness_seconds:.2f}",
                         f"{r.total_seconds:.2f}", f"{r.states_per_second:,.0f}",
                         f"{r.end_to_end_states_per_second:,.0f}",
                         f"{r.plain_states_per_second:,.0f}", f"{r.plain_ratio:.2f}",
                         f"{r.peak_rss_bytes / 2**20:,.0f}", f"{r.bytes_per_state:,.0f}")))
    if earlier is not None:
        click.echo(f"\nchange against {compare_path}:")
        for line in comparison(earlier, results):
            click.echo(line)
    if export_path is not None:
        with usage_errors():
            write_text(export_path, json.dumps([asdict(r) for r in results], indent=2) + "\n")
        click.echo(f"wrote {export_path}")


def _row(cells: tuple[str, ...]) -> str:
    return "  ".join(f"{c:>{w}}" for c, w in zip(cells, WIDTHS, strict=True))


def load_export(path: Path) -> dict[str, dict[str, Any]]:
    """The rungs of an earlier ``--export`` by name; InputError (one line, exit 2) when the file
    is missing, unreadable or not such an export."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"--compare: cannot read {str(path)!r}: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"--compare: {str(path)!r} is not JSON: {error}") from None
    if not isinstance(data, list) or not all(
        isinstance(r, dict) and isinstance(r.get("rung"), str) for r in data
    ):
        raise InputError(f"--compare: {str(path)!r} is not a `dmmodel bench --export` file "
                         "(a list of rungs, each with a name under 'rung')")
    return {r["rung"]: r for r in data}


def comparison(earlier: dict[str, dict[str, Any]], results: list[RungResult]) -> list[str]:
    """One line per rung: each compared figure as ``old -> new (change %)``; a figure the earlier
    export lacks (an older format) shows as ``-``, a rung it lacks as new."""
    width = max(len(r.rung) for r in results)
    lines = []
    for r in results:
        old = earlier.get(r.rung)
        if old is None:
            lines.append(f"{r.rung:<{width}}  new rung")
            continue
        now = asdict(r)
        cells = [f"{heading} {_change(old.get(key), now[key], better_up)}"
                 for heading, key, better_up in COMPARED]
        lines.append(f"{r.rung:<{width}}  " + "; ".join(cells))
    return lines


def _change(old: Any, new: float, better_up: bool) -> str:
    """``old -> new (+p%)``, with the change marked better or worse; ``-`` for a missing old."""
    shown = f"{new:,.0f}" if new >= 100 else f"{new:.2f}"
    if not isinstance(old, int | float) or isinstance(old, bool):
        return f"- -> {shown}"
    was = f"{old:,.0f}" if old >= 100 else f"{old:.2f}"
    if not old:
        return f"{was} -> {shown}"
    percent = (new - old) / old * 100
    verdict = "better" if (percent > 0) == better_up else "worse"
    return f"{was} -> {shown} ({percent:+.0f}%, {verdict})" if round(percent) else f"{was} -> {shown} (=)"


def check_writable(path: Path) -> None:
    """Refuse an export file whose folder is missing or read-only before the benchmark runs."""
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"--export: no folder {str(folder)!r} to write {path.name} into")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"--export: cannot write into {str(folder)!r} (permission denied)")
