"""What stops a search before it is complete, other than ``max_states``: a time or memory limit,
or a model whose state encoding has no room for one more state.

A search that runs out of something stops cleanly: its result is partial (``complete`` is False,
so what it did not see is undecided) and says what ran out (``CheckResult.stopped``). A model
raises :class:`LimitReached` from ``successors`` (or ``init_states``) when it cannot represent a
new state; the search keeps every state stored before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter

from dmmodel.checker.memory import current_rss_bytes

POLL_EVERY = 1.0  # seconds between two looks at the clock and the memory during a search


@dataclass(frozen=True)
class Stop:
    """What ran out (``resource``: "time", "memory", or a model's own, e.g. "slot ids") and its
    limit in words (e.g. "120 s", "2 GiB")."""

    resource: str
    limit: str

    def text(self, states: int) -> str:
        """``ran out of time (120 s) at 1,234 states``."""
        return f"ran out of {self.resource} ({self.limit}) at {states:,} state{'' if states == 1 else 's'}"

    def to_json(self) -> dict[str, str]:
        return {"resource": self.resource, "limit": self.limit}


class LimitReached(Exception):
    """Raised when a search cannot go on: the model's encoding is full, or a limit is reached."""

    def __init__(self, resource: str, limit: str) -> None:
        super().__init__(f"ran out of {resource} ({limit})")
        self.stop = Stop(resource, limit)


def size_text(size: int) -> str:
    """A number of bytes as one writes it: in the largest binary unit that shows it exactly to
    two decimals (``2 GiB``, ``1.5 GiB``, ``1200 MiB``), else to three digits (``1.17 GiB``)."""
    units = ((4, "TiB"), (3, "GiB"), (2, "MiB"), (1, "KiB"))
    for power, unit in units:
        value = size / 1024**power
        if value >= 1 and round(value, 2) * 1024**power == size:
            return f"{value:g} {unit}"
    for power, unit in units:
        if size >= 1024**power:
            return f"{size / 1024**power:.3g} {unit}"
    return f"{size:,} B"


class Limits:
    """The time and memory a search may take; :meth:`poll` says when one is exceeded.

    ``max_seconds`` counts from ``started`` (a ``perf_counter`` reading); ``max_memory`` bounds
    the process's resident memory in bytes (what the whole process holds, not this search
    alone). Polling reads the clock and, with a memory limit, ``/proc/self/statm``.
    """

    def __init__(self, started: float, max_seconds: float | None = None,
                 max_memory: int | None = None) -> None:
        self.started = started
        self.max_seconds = max_seconds
        self.max_memory = max_memory

    def __bool__(self) -> bool:
        return self.max_seconds is not None or self.max_memory is not None

    def exceeded(self, now: float | None = None) -> Stop | None:
        """The limit exceeded now, if any."""
        if self.max_seconds is not None:
            elapsed = (perf_counter() if now is None else now) - self.started
            if elapsed >= self.max_seconds:
                return Stop("time", f"{self.max_seconds:g} s")
        if self.max_memory is not None and current_rss_bytes() > self.max_memory:
            return Stop("memory", size_text(self.max_memory))
        return None

    def poll(self, now: float | None = None) -> None:
        """Raise :class:`LimitReached` when a limit is exceeded."""
        stop = self.exceeded(now)
        if stop is not None:
            raise LimitReached(stop.resource, stop.limit)
