"""The ``dmmodel`` command line: one module per command, registered on one click group.

A command's module is imported only when that command runs (or help lists it), so that
``dmmodel check`` does not pay for the wire, the renderers and the report at start-up.
"""

from __future__ import annotations

import os
import sys
from contextlib import suppress
from difflib import get_close_matches
from importlib import import_module
from typing import Any

import click

from dmmodel.cli.errors import InputError, Interrupted, os_error_text

# command name -> module under dmmodel.cli defining ``<module>_command``, in help order
COMMANDS = {name: name for name in ("check", "sweep", "bench", "diagrams", "report", "manifest",
                                    "simulate", "explore", "serve", "probe")}


class Commands(click.Group):
    """The command group: commands load on first use; Ctrl-C in any command ends it with one
    line and exit status 130; an output that cannot be written (a full disk, ``/dev/full``)
    with one line and exit status 2, and a closed pipe (``| head``) quietly with 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        return getattr(import_module(f"dmmodel.cli.{module}"), f"{module}_command")

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        """As click's, with the nearest command names suggested for an unknown one."""
        name = args[0] if args else ""
        if name in COMMANDS or name.startswith("-"):
            return super().resolve_command(ctx, args)
        near = get_close_matches(name, COMMANDS, n=2, cutoff=0.6)
        hint = f" Did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
        ctx.fail(f"No such command {name!r}.{hint} The commands: {', '.join(COMMANDS)}.")

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            finally:  # an exit status too: a write that fails fails here, not unseen at exit
                sys.stdout.flush()
        except KeyboardInterrupt:
            raise Interrupted() from None
        except BrokenPipeError:
            _discard_stdout()
            raise SystemExit(1) from None
        except OSError as error:
            _discard_stdout()
            raise InputError(os_error_text(error)) from None


def _discard_stdout() -> None:
    """Send what is left in stdout's buffer nowhere, so that the exit does not try again."""
    with suppress(OSError, ValueError):  # ValueError: no file behind stdout (a test's capture)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dmmodel")
def main() -> None:
    """An executable, checkable model of OMA DM bootstrap, authentication and secret rotation.

    Start with `dmmodel check`: it shows DM 1.2 deadlocking after a re-bootstrap from the smart
    card, and the change request ("Bootstrap event reporting") not.

    Exit status: 0 success, 1 a property fails (see `dmmodel check --help`), a stale diagram,
    a failing scenario or a partial run (--max-states); 2 bad usage or an expected failure
    (file, encoding, TOML, bounds, OS error), always one line; 3 undecided: a limit was reached
    (--max-seconds, --max-memory, memory, the state encoding) and the verdicts it stopped are
    unknown; 130 interrupted (Ctrl-C).
    """

