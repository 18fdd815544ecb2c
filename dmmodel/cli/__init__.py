"""The ``dmmodel`` command line: one module per command, registered on one click group."""

from __future__ import annotations

from typing import Any

import click

from dmmodel.cli.bench import bench_command
from dmmodel.cli.check import check_command
from dmmodel.cli.diagrams import diagrams_command
from dmmodel.cli.errors import Interrupted
from dmmodel.cli.explore import explore_command
from dmmodel.cli.manifest import manifest_command
from dmmodel.cli.probe import probe_command
from dmmodel.cli.report import report_command
from dmmodel.cli.serve import serve_command
from dmmodel.cli.simulate import simulate_command


class Commands(click.Group):
    """The command group; Ctrl-C in any command ends it with one line and exit status 130."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted() from None


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dmmodel")
def main() -> None:
    """An executable, checkable model of OMA DM bootstrap, authentication and secret rotation.

    Start with `dmmodel check`: it shows DM 1.2 deadlocking after a re-bootstrap from the smart
    card, and the change request ("Bootstrap event reporting") not.

    Exit status: 0 success, 1 a property fails (see `dmmodel check --help`), a stale diagram,
    a failing scenario or a partial run; 2 bad usage or an expected failure (file, encoding,
    TOML, bounds, OS error), always one line; 130 interrupted (Ctrl-C).
    """


main.add_command(check_command)
main.add_command(bench_command)
main.add_command(diagrams_command)
main.add_command(report_command)
main.add_command(manifest_command)
main.add_command(simulate_command)
main.add_command(explore_command)
main.add_command(serve_command)
main.add_command(probe_command)
