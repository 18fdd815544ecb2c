"""Test helpers in the spirit of Stateright: assert on a check's verdicts, failing readably.

Paths are compared by their action labels (``Model.format_action``), without the initial
state, so a test reads like the steps of the behaviour it expects; with a model that reduces
(``Model.representative``), those of the model's own path (``Counterexample.concrete``).
"""

from __future__ import annotations

from collections.abc import Sequence

from dmmodel.checker.explored import PathStep
from dmmodel.checker.result import CheckResult, Verdict


def assert_properties(result: CheckResult) -> None:
    """Every property holds: invariants and reachability hold, every Sometimes has an example.

    Raises AssertionError listing each property that does not, with its counterexample's labels.
    """
    failures = [_failure(v) for v in result.verdicts if v.holds is not True]
    if failures:
        raise AssertionError("properties that do not hold:\n" + "\n".join(failures))


def assert_discovery(result: CheckResult, name: str, actions: Sequence[str]) -> None:
    """The example of the ``Sometimes`` called ``name`` takes exactly ``actions``."""
    verdict = result.verdict(name)
    if verdict.example is None:
        raise AssertionError(f"{name!r} has no example: {_failure(verdict).strip()}")
    _same_path(name, "example", verdict.example, actions)


def assert_counterexample(result: CheckResult, name: str, actions: Sequence[str]) -> None:
    """The property called ``name`` is violated and its counterexample takes exactly ``actions``."""
    verdict = result.verdict(name)
    if verdict.counterexample is None:
        raise AssertionError(f"{name!r} has no counterexample (holds: {verdict.holds})")
    _same_path(name, "counterexample", verdict.counterexample.concrete, actions)


def _labels(steps: Sequence[PathStep]) -> list[str]:
    """The action labels of a path, without its initial state."""
    return [step.label for step in steps[1:]]


def _same_path(name: str, what: str, steps: Sequence[PathStep], actions: Sequence[str]) -> None:
    """Fail showing both paths when the labels of ``steps`` differ from ``actions``."""
    got = _labels(steps)
    if got != list(actions):
        raise AssertionError(f"{name!r}: the {what} takes {got}, expected {list(actions)}")


def _failure(verdict: Verdict) -> str:
    """One line saying why ``verdict`` is not a plain "holds"."""
    prop = verdict.property
    head = f"  {prop.name!r} ({type(prop).__name__})"
    if verdict.holds is None:
        return f"{head}: undecided, the search was partial"
    cex = verdict.counterexample
    if cex is None:
        return f"{head}: does not hold, with no path to show"
    return f"{head}: {cex.violation} counterexample {_labels(cex.concrete)}"
