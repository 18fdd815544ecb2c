"""``dmmodel bench``: run the benchmark ladder and print (or export, or compare) speed and memory."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from dmmodel.bench import RungResult, export_record, load_ladder, measure_in_fresh_process, summarise
from dmmodel.cli.errors import InputError, usage_errors
from dmmodel.cli.progress import SearchProgress, note
from dmmodel.output import write_text

# (heading, width) of each column; the rung column is as wide as the longest name
COLUMNS = (("rung", 4), ("variant", 16), ("sym", 3), ("states", 10), ("transitions", 11),
           ("search s", 8), ("live s", 6), ("total s", 7), ("cpu s", 7), ("states/s", 9),
           ("e2e/s", 9), ("plain/s", 9), ("plain ±", 7), ("x plain", 7), ("x ±", 6),
           ("peak MiB", 8), ("B/state", 7))
# what --compare reports: (heading, export key, whether a larger value is better)
COMPARED = (("states/s", "states_per_second", True), ("total s", "total_seconds", False),
            ("cpu s", "cpu_seconds", False), ("x plain", "cpu_plain_ratio", True),
            ("B/state", "bytes_per_state", False), ("live s", "liveness_seconds", False))


class Count(click.ParamType):
    """A whole number of at least 1; anything else is one line and exit status 2."""

    name = "N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number < 1:
            option = param.opts[0] if param is not None and param.opts else "value"
            raise InputError(f"{option}: expected a whole number of at least 1, got {value!r}")
        return number


@click.command("bench")
@click.option("--rungs", "-n", type=Count(), default=None,
              help="Run only the first N rungs of specs/bench.toml (default: all).")
@click.option("--repeat", "-r", type=Count(), default=1, show_default=True,
              help="Run each rung N times, each in a fresh process; report the medians and the "
                   "spread across the runs.")
@click.option("--export", "export_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the results as JSON to this file (medians and each "
                                 "run's raw figures).")
@click.option("--compare", "compare_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Print each rung's change against an earlier --export file.")
def bench_command(rungs: int | None, repeat: int, export_path: Path | None,
                  compare_path: Path | None) -> None:
    """Check each rung of the ladder (specs/bench.toml) in a fresh process and measure it.

    Each run times a yardstick, a plain-Python BFS over integer tuples, on CPU time just before
    the check (in a fork of the rung's process, so that its memory is not the rung's) and again
    just after it (in the rung's process). search s and live s are the search and deciding the
    properties after it (wall clock); total s is the whole check (wall clock) and cpu s its CPU
    time; states/s is the search's rate, e2e/s the whole check's per CPU second; plain/s is the
    yardstick's rate per CPU second and plain ± the spread of its runs; x plain is e2e/s over
    plain/s, in which the machine's speed and load largely cancel, and x ± its spread across
    repeats. Figures are medians over --repeat runs; a spread of ±4% means the runs lie within
    4% of the median. sym says whether symmetry reduction applied (as `dmmodel check` by
    default: with three devices or more; states are then orbits). peak MiB is the process's
    peak memory and B/state its growth per stored state.
    """
    if export_path is not None:
        check_writable(export_path)
    earlier = None if compare_path is None else load_export(compare_path)
    with usage_errors():
        ladder = load_ladder()[:rungs]
        configs = [r.make_config() for r in ladder]
    widths = [max([width, *(len(r.name) for r in ladder)]) if heading == "rung" else width
              for heading, width in COLUMNS]
    click.echo(_row([heading for heading, _ in COLUMNS], widths))
    results = []
    for number, (rung, config) in enumerate(zip(ladder, configs, strict=True), 1):
        b = config.bounds
        note(f"rung {number}/{len(ladder)} {rung.name}: {b.devices} device(s), {b.rotations} "
             f"rotation(s), {b.rebootstraps} re-bootstrap(s), {b.losses} loss(es), {b.resets} "
             f"reset(s); {b.attacker.describe()}")
        runs = []
        for count in range(1, repeat + 1):
            run = measure_in_fresh_process(rung, SearchProgress(f"rung {rung.name}"))
            runs.append(run)
            again = f" (run {count}/{repeat})" if repeat > 1 else ""
            note(f"rung {number}/{len(ladder)} {rung.name}{again}: done, {run.states:,} states in "
                 f"{run.total_seconds:.1f} s")
        result = summarise(rung, runs)
        results.append(result)
        click.echo(_row(_cells(result), widths))
    how = f"medians of {repeat} runs per rung, each" if repeat > 1 else "one run per rung"
    click.echo(f"({how} in a fresh process; sym: symmetry reduction, as `dmmodel check` uses "
               "by default; with it states are orbits)")
    if earlier is not None:
        click.echo(f"\nchange against {compare_path}:")
        for line in comparison(earlier, results):
            click.echo(line)
    if export_path is not None:
        with usage_errors():
            write_text(export_path, json.dumps([export_record(r) for r in results], indent=2) + "\n")
        click.echo(f"wrote {export_path}")


def _cells(r: RungResult) -> list[str]:
    """One rung's row of the table."""
    ratio_spread = _percent(r.spread["cpu_plain_ratio"]) if r.repeats > 1 else "-"
    return [r.rung, r.variant, "yes" if r.symmetry else "no", f"{r.states:,}", f"{r.transitions:,}",
            f"{r.search_seconds:.2f}", f"{r.liveness_seconds:.2f}", f"{r.total_seconds:.2f}",
            f"{r.cpu_seconds:.2f}", f"{r.states_per_second:,.0f}",
            f"{r.end_to_end_states_per_cpu_second:,.0f}", f"{r.plain_states_per_cpu_second:,.0f}",
            _percent(r.plain_spread), f"{r.cpu_plain_ratio:.2f}", ratio_spread,
            f"{r.peak_rss_bytes / 2**20:,.0f}", f"{r.bytes_per_state:,.0f}"]


def _percent(spread: float) -> str:
    return f"±{spread:.1%}" if spread < 0.1 else f"±{spread:.0%}"


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))


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
    export lacks (an older format) shows as ``n/a``, a rung it lacks as new."""
    width = max(len(r.rung) for r in results)
    lines = []
    for r in results:
        old = earlier.get(r.rung)
        if old is None:
            lines.append(f"{r.rung:<{width}}  new rung")
            continue
        cells = [f"{heading} {_change(old.get(key), getattr(r, key), better_up)}"
                 for heading, key, better_up in COMPARED]
        lines.append(f"{r.rung:<{width}}  " + "; ".join(cells))
    return lines


def _figure(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.2f}"


def _change(old: Any, new: float, better_up: bool) -> str:
    """``old -> new (+p%)``, with the change marked better or worse; ``n/a`` for an old figure
    that is missing (or not a number)."""
    shown = _figure(new)
    if not isinstance(old, int | float) or isinstance(old, bool):
        return f"n/a -> {shown}"
    was = _figure(old)
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
