"""``dmmodel explore MODULE:NAME``: check any model written against ``dmmodel.checker.Model``.

The generic face of the checker on the command line: it knows nothing of OMA DM. NAME is a
``Model`` subclass or a function returning a model; the model's own ``properties()`` are checked.
"""

from __future__ import annotations

import importlib
import json

import click

from dmmodel.checker import CheckResult, Model, PathStep, check, verdict_text
from dmmodel.cli.progress import SearchProgress


def load_model(target: str) -> Model:
    """The model ``MODULE:NAME`` names (a Model subclass or a factory taking no arguments)."""
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise click.UsageError(f"MODEL: expected MODULE:NAME, got {target!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise click.UsageError(f"MODEL: cannot import {module_name!r} ({error})") from None
    factory = getattr(module, attribute, None)
    if factory is None:
        raise click.UsageError(f"MODEL: {module_name} has no {attribute!r}")
    if isinstance(factory, type) and not issubclass(factory, Model):
        raise click.UsageError(f"MODEL: {target} is not a dmmodel.checker.Model")
    try:
        model = factory() if callable(factory) else factory
    except TypeError as error:
        raise click.UsageError(f"MODEL: {target}() cannot be called without arguments ({error})") from None
    if not isinstance(model, Model):
        raise click.UsageError(f"MODEL: {target} is not a dmmodel.checker.Model")
    return model


def render_path(steps: list[PathStep], model: Model) -> list[str]:
    """A path as numbered lines: the action taken, then the state it led to."""
    return [f"  {i:>3}. {step.label}: {model.format_state(step.state)}" for i, step in enumerate(steps)]


def render_result(result: CheckResult) -> list[str]:
    """Statistics, one line per property, then each counterexample and example."""
    lines = [f"{result.states:,} states, {result.transitions:,} transitions, depth {result.depth}, "
             f"{result.seconds:.2f} s" + ("" if result.complete else " (PARTIAL: --max-states)")]
    width = max((len(v.property.name) for v in result.verdicts), default=0)
    lines += [f"  {v.property.name:<{width}}  {verdict_text(v)}" for v in result.verdicts]
    for v in result.verdicts:
        if v.counterexample is not None:
            lines += [f"\n{v.property.name}: shortest counterexample",
                      *render_path(v.counterexample.concrete, result.model)]  # the model's own
        if v.example is not None:
            lines += [f"\n{v.property.name}: shortest example", *render_path(v.example, result.model)]
    if result.coverage is not None:
        lines.append("\ncoverage (transitions per action):")
        lines += [f"  {count:>9,}  {name}" for name, count in result.coverage.items()]
    return lines


@click.command("explore")
@click.argument("target", metavar="MODULE:NAME")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--max-states", type=click.IntRange(min=1), default=None,
              help="Stop the search after this many states (the result is then partial).")
@click.option("--coverage", is_flag=True, help="Count the transitions per action.")
def explore_command(target: str, as_json: bool, max_states: int | None, coverage: bool) -> None:
    """Check a model of your own: MODULE:NAME names a dmmodel.checker.Model subclass (or a
    function returning one), e.g. dmmodel.examples.die_hard:DieHard. Its properties() are checked
    breadth-first and each failure is shown with its shortest counterexample.

    Exit status: 0 when the search completed and every property holds, 1 otherwise, 2 for bad
    usage.
    """
    model = load_model(target)
    progress = SearchProgress(f"exploring {target}")
    result = check(model, max_states=max_states, coverage=coverage, progress=progress)
    progress.done()
    status = 0 if result.complete and all(v.holds for v in result.verdicts) else 1
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        click.echo("\n".join(render_result(result)))
    raise SystemExit(status)
