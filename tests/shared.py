"""Exhaustive checks that several test files need, each run at most once per test session.

``CHECKS`` checks a named configuration's preset variant the way ``dmmodel manifest`` does
(every property, rule coverage, each counterexample replayed on the executable machines) when a
test first asks for it, never at import time. A test asks for ``result`` when it needs the
checker's model, verdicts or traces, and for ``entry`` (the manifest entry: states,
transitions, depth, verdicts, coverage) when the figures are enough: an entry is kept without
the model, so the manifest's regression check can go through every configuration without
holding every graph in memory.

Only the unmutated model may be asked: a test that patches the model checks it itself, and
takes what it needs from here before it patches anything.
"""

from __future__ import annotations

from typing import Any

from dmmodel import manifest
from dmmodel.analysis import Analysis, VariantResult, check_variant
from dmmodel.protocol.config import PRESETS, make_config
from dmmodel.runtime.scenarios import ScenarioRun, load_all, run_scenario


class SharedChecks:
    """Checks of (named configuration, preset variant), computed on first use."""

    def __init__(self) -> None:
        self._results: dict[tuple[str, str], VariantResult] = {}
        self._entries: dict[tuple[str, str], dict[str, Any]] = {}
        self._scenarios: list[ScenarioRun] | None = None

    def result(self, config_name: str, variant: str, keep: bool = True) -> VariantResult:
        """The check of ``variant`` on ``config_name``, kept for the rest of the session unless
        ``keep`` is false (then only its entry is: a large graph kept alive would slow every
        later garbage collection)."""
        key = (config_name, variant)
        result = self._results.get(key)
        if result is None:
            result = check_variant(make_config(config_name, variant), coverage=True)
            self._entries.setdefault(key, manifest.entry_for(result))
            if keep:
                self._results[key] = result
        return result

    def results(self, config_name: str, variants: list[str] | None = None,
                keep: bool = True) -> dict[str, VariantResult]:
        """The checks of ``variants`` (default: every preset) on ``config_name``, by variant."""
        return {v: self.result(config_name, v, keep) for v in variants or PRESETS}

    def entry(self, config_name: str, variant: str) -> dict[str, Any]:
        """The manifest entry of ``variant`` on ``config_name``; only the entry is kept when no
        test asked for the whole result."""
        key = (config_name, variant)
        if key not in self._entries:
            result = self._results.get(key)
            if result is None:
                result = check_variant(make_config(config_name, variant), coverage=True)
            self._entries[key] = manifest.entry_for(result)
        return self._entries[key]

    def holds(self, config_name: str, variant: str) -> dict[str, bool]:
        """Per property of the entry, whether it holds."""
        return {name: text == "holds" for name, text in self.entry(config_name, variant)["verdicts"].items()}

    def analyse(self, config_name: str = "default", progress: Any = None) -> Analysis:
        """What ``dmmodel.analysis.analyse`` returns (every preset checked, every scenario run),
        from the shared checks: a stand-in for it in the command line's tests. Only the default
        configuration's checks are kept; ``progress`` is not called."""
        results = list(self.results(config_name, keep=config_name == "default").values())
        if self._scenarios is None:
            self._scenarios = [run_scenario(scenario) for scenario in load_all()]
        return Analysis(results[0].config.name, results[0].config.bounds, results, self._scenarios)


CHECKS = SharedChecks()
