"""The limits a search may be given on the command line (``--max-seconds``, ``--max-memory``),
shared by ``check`` and ``sweep``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import click

UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
SIZE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes from ``2G``, ``1.5GiB``, ``500M``, ``512MB`` or a plain number of bytes; the
    suffixes K, M, G, T are binary (KiB ... TiB). ValueError names what is wrong."""
    match = SIZE.fullmatch(text)
    if match is None:
        raise ValueError(f"expected a size such as 2G, 500M or 1.5GiB, got {text!r}")
    size = int(float(match.group(1)) * UNITS[match.group(2).lower()])
    if size < 1:
        raise ValueError(f"expected a size of at least one byte, got {text!r}")
    return size


class MemorySize(click.ParamType):
    """A click parameter taking ``parse_size`` text."""

    name = "SIZE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_size(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


def limit_options(what: str, seconds: float | None = None) -> Callable[[Callable], Callable]:
    """The ``--max-seconds`` (default ``seconds``) and ``--max-memory`` options, ``what``
    naming the search they stop (e.g. "each search")."""

    def decorate(command: Callable) -> Callable:
        command = click.option(
            "--max-memory", type=MemorySize(), default=None, metavar="SIZE",
            help=f"Stop {what} once this process holds more than SIZE of memory (2G, 500M; "
                 "binary units); its verdicts are then unknown (exit status 3).")(command)
        return click.option(
            "--max-seconds", type=click.FloatRange(min=0), default=seconds, metavar="SECONDS",
            show_default=seconds is not None,
            help=f"Stop {what} after this many seconds of search; its verdicts are then "
                 "unknown (exit status 3).")(command)

    return decorate
