"""One error path for every command: expected failures become one line and exit status 2.

Bad input (a configuration, scenario or oversized overview) and operating-system errors on
files are expected: :func:`usage_errors` turns them into :class:`InputError`, which click
prints as a single ``Error: ...`` line. Running out of memory outside a search (which stops
itself cleanly) is :class:`OutOfMemory`, one line and exit status 3 (undecided). Anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import click

from dmmodel.protocol.config import ConfigError
from dmmodel.runtime.scenarios import ScenarioError
from dmmodel.views.overview import OverviewTooLarge

INTERRUPTED = 130  # the shell's status for a process ended by SIGINT (128 + 2)


class InputError(click.ClickException):
    """An expected failure: shown as one line, exit status 2."""

    exit_code = 2


class OutOfMemory(click.ClickException):
    """A ``MemoryError`` outside a search: shown as one line, exit status 3 (undecided)."""

    exit_code = 3  # analysis.UNDECIDED (not imported: every command loads this module)

    def __init__(self) -> None:
        super().__init__("ran out of memory; nothing was decided (try smaller bounds or --max-memory)")


class Interrupted(click.ClickException):
    """Ctrl-C: shown as one line, exit status 130."""

    exit_code = INTERRUPTED

    def __init__(self) -> None:
        super().__init__("interrupted")

    def show(self, file: IO[str] | None = None) -> None:
        # on a terminal, end the line that ^C or a progress display left open
        click.echo(("\n" if sys.stderr.isatty() else "") + "interrupted", err=True)


def os_error_text(error: OSError) -> str:
    """An operating-system error as words and the file it concerns, without the errno number."""
    reason = (error.strerror or type(error).__name__).lower()
    return f"{error.filename}: {reason}" if error.filename else reason


@contextmanager
def usage_errors() -> Iterator[None]:
    """Re-raise a bad configuration, scenario, oversized overview or OS error as one line, and
    running out of memory as :class:`OutOfMemory`."""
    try:
        yield
    except (ConfigError, ScenarioError, OverviewTooLarge) as error:
        raise InputError(str(error)) from None
    except OSError as error:
        raise InputError(os_error_text(error)) from None
    except MemoryError:
        raise OutOfMemory() from None
