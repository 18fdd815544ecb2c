"""Progress of long searches on stderr, for every command.

On a terminal one line is rewritten in place about once a second; when stderr is a pipe or a
CI log, a plain line is printed every ``PLAIN_EVERY`` seconds instead (as TLC logs its
``Progress(...)`` lines), so a long run is never silent; the searches of one command share
that clock (:class:`Pacer`), so a run of many short searches logs too. Standard output stays the result's.

Two entry points:

- ``SearchProgress(label)`` is a callback for one search (``dmmodel.checker.check(...,
  progress=...)``); call ``done()`` when the search ends to clear its terminal line.
- ``PerConfig()`` is a progress factory for ``dmmodel.analysis.check_presets`` and
  ``analyse`` (``factory(config) -> callback``), one ``SearchProgress`` per configuration
  checked; use it as a context manager so the last line is cleared::

      with PerConfig() as progress:
          analysis = analyse(config_name, progress=progress)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType

from dmmodel.checker import Progress
from dmmodel.protocol.config import Config

PLAIN_EVERY = 5.0  # seconds between plain progress lines when stderr is not a terminal
CLEAR_LINE = "\r\033[K"


def describe(label: str, p: Progress) -> str:
    """One progress line: states, transitions, depth, elapsed time and rate."""
    rate = p.states / p.seconds if p.seconds else 0
    return (f"{label}: {p.states:,} states, {p.transitions:,} transitions, depth {p.depth}, "
            f"{p.seconds:.0f} s ({rate:,.0f} states/s)")


def note(text: str) -> None:
    """A line on stderr that is not a result (a rung starting, a file being checked)."""
    clear_line()
    print(text, file=sys.stderr, flush=True)


def clear_line() -> None:
    """Erase a progress line left on the terminal (nothing when stderr is not one)."""
    if sys.stderr.isatty():
        print(CLEAR_LINE, end="", file=sys.stderr, flush=True)


class Pacer:
    """Says when the next plain line is due: ``every`` seconds after the last one (or the
    start). Shared by the searches of one command, so many short searches still log."""

    def __init__(self, every: float = PLAIN_EVERY, clock: Callable[[], float] = time.monotonic) -> None:
        self.every = every
        self.clock = clock
        self.last = clock()

    def due(self) -> bool:
        now = self.clock()
        if now - self.last < self.every:
            return False
        self.last = now
        return True


class SearchProgress:
    """The progress callback of one search, labelled (e.g. ``checking default/cr``)."""

    def __init__(self, label: str, pacer: Pacer | None = None) -> None:
        self.label = label
        self.pacer = pacer
        self.shown = False

    def __call__(self, p: Progress) -> None:
        if sys.stderr.isatty():
            self.shown = True
            print(CLEAR_LINE + describe(self.label, p), end="", file=sys.stderr, flush=True)
            return
        if self.pacer is None:  # made here, not in __init__: the child of a bench rung starts its own
            self.pacer = Pacer()
        if self.pacer.due():
            print(describe(self.label, p), file=sys.stderr, flush=True)

    def done(self) -> None:
        """Clear the terminal line this search drew, if any."""
        if self.shown:
            clear_line()
            self.shown = False


class PerConfig:
    """A progress factory: one :class:`SearchProgress` per configuration checked."""

    def __init__(self, verb: str = "checking", pacer: Pacer | None = None) -> None:
        self.verb = verb
        self.pacer = pacer or Pacer()
        self.current: SearchProgress | None = None

    def __call__(self, config: Config) -> SearchProgress:
        self.close()
        label = f"{self.verb} {config.name}/{config.variant.name}"
        if not sys.stderr.isatty() and self.pacer.due():  # deciding properties reports nothing
            note(f"{label}: starting")
        self.current = SearchProgress(label, self.pacer)
        return self.current

    def close(self) -> None:
        """Clear the last search's terminal line."""
        if self.current is not None:
            self.current.done()

    def __enter__(self) -> PerConfig:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
