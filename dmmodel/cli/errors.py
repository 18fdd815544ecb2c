"""Turning the model's expected input errors into one-line usage errors (exit status 2)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from dmmodel.protocol.config import ConfigError
from dmmodel.protocol.scenarios import ScenarioError
from dmmodel.views.overview import OverviewTooLarge


@contextmanager
def usage_errors() -> Iterator[None]:
    """Re-raise a bad configuration, scenario or oversized overview as a click usage error."""
    try:
        yield
    except (ConfigError, ScenarioError, OverviewTooLarge) as error:
        raise click.UsageError(str(error)) from None
