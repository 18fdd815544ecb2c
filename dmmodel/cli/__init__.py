"""The ``dmmodel`` command line: one module per command, registered on one click group."""

from __future__ import annotations

import click

from dmmodel.cli.bench import bench_command
from dmmodel.cli.check import check_command
from dmmodel.cli.diagrams import diagrams_command
from dmmodel.cli.explore import explore_command
from dmmodel.cli.manifest import manifest_command
from dmmodel.cli.report import report_command
from dmmodel.cli.simulate import simulate_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dmmodel")
def main() -> None:
    """An executable, checkable model of OMA DM bootstrap, authentication and secret rotation.

    Start with `dmmodel check`: it shows DM 1.2 deadlocking after a re-bootstrap from the smart
    card, and the change request ("Bootstrap event reporting") not.
    """


main.add_command(check_command)
main.add_command(bench_command)
main.add_command(diagrams_command)
main.add_command(report_command)
main.add_command(manifest_command)
main.add_command(simulate_command)
main.add_command(explore_command)
