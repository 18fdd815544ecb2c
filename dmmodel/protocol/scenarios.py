"""Scenarios: protocol stories kept as data in ``specs/scenarios/*.toml`` and run on the machines.

A scenario names a variant and a configuration, lists its steps in a small language, and says
what must come out (how often given rules fired, fields of the final state). Running it replays
the steps on the ``transitions`` machines with real credentials.

Step language (one string per step; prefix ``d2:`` to act on the second device):
``bootstrap TYPE``, ``rebootstrap TYPE``, ``reset``, ``connect``, ``notify``,
``device timeout``, ``server timeout``, ``deliver`` (the next package on either channel, to the
first rule that takes it; the device's channel first), ``deliver rotating`` (the server answers
with a rotation), ``lose up``, ``lose down``, and ``exchange`` (deliver until nothing is in flight).
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dmmodel.protocol.config import SPECS_DIR, Config, ConfigError, load_bounds, variant
from dmmodel.protocol.machines import ExecutableSystem
from dmmodel.protocol.system import DEVICE_ROLE, SERVER_ROLE, Action
from dmmodel.protocol.trace import TraceEntry, take

SCENARIOS_DIR = SPECS_DIR / "scenarios"
EXCHANGE_LIMIT = 200  # an ``exchange`` that has not gone quiet by then is a bug in the scenario


class ScenarioError(ValueError):
    """A scenario file is malformed, or a step cannot be taken."""


@dataclass(frozen=True)
class Scenario:
    """A protocol story: steps to take and what must come out."""

    name: str
    title: str
    flow: str
    variant: str
    config: str
    steps: tuple[str, ...]
    expect_rules: dict[str, int] = field(default_factory=dict)
    expect_final: dict[str, Any] = field(default_factory=dict)
    notes: str = ""


@dataclass
class ScenarioRun:
    """The outcome of running a scenario: its trace and the checks of its expectations."""

    scenario: Scenario
    config: Config
    trace: list[TraceEntry]
    system: ExecutableSystem
    failures: list[str]

    @property
    def passed(self) -> bool:
        return not self.failures


def scenario_names() -> list[str]:
    """The names of the scenarios in ``specs/scenarios``."""
    return sorted(p.stem for p in SCENARIOS_DIR.glob("*.toml"))


def load_scenario(name_or_path: str) -> Scenario:
    """Read a scenario by name (``specs/scenarios/NAME.toml``) or from a TOML file."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = SCENARIOS_DIR / f"{name_or_path}.toml"
        if not path.is_file():
            raise ScenarioError(
                f"scenario: unknown {name_or_path!r}; allowed: {', '.join(scenario_names())}"
            )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ScenarioError(f"scenario {path.name}: {error}") from None
    try:
        expect = data.get("expect", {})
        return Scenario(
            name=path.stem,
            title=data["title"],
            flow=data.get("flow", ""),
            variant=data["variant"],
            config=data.get("config", "default"),
            steps=tuple(data["steps"]),
            expect_rules=dict(expect.get("rules", {})),
            expect_final=dict(expect.get("final", {})),
            notes=data.get("notes", ""),
        )
    except KeyError as missing:
        raise ScenarioError(f"scenario {path.name}: missing key {missing}") from None


def scenario_config(scenario: Scenario) -> Config:
    """The configuration a scenario runs in."""
    name, bounds = load_bounds(scenario.config)
    return Config(name, bounds, variant(scenario.variant))


def _parse(step: str) -> tuple[int, list[str]]:
    index = 0
    words = step.split()
    if words and words[0].startswith("d") and words[0].endswith(":"):
        index = int(words[0][1:-1]) - 1
        words = words[1:]
    return index, words


def _direct_action(words: list[str], system: ExecutableSystem, index: int) -> Action | None:
    """The action a one-step instruction names, if it is enabled."""
    head = words[0] if words else ""
    wanted: dict[str, Any]
    if head in ("bootstrap", "rebootstrap") and len(words) == 2:
        wanted = {"kind": DEVICE_ROLE, "trigger": head, "type": words[1]}
    elif head in ("reset", "connect") and len(words) == 1:
        wanted = {"kind": DEVICE_ROLE, "trigger": head}
    elif head == "notify" and len(words) == 1:
        wanted = {"kind": SERVER_ROLE, "trigger": "notify"}
    elif head in ("device", "server") and words[1:] == ["timeout"]:
        wanted = {"kind": head, "trigger": "timeout"}
    elif head == "lose" and len(words) == 2 and words[1] in ("up", "down"):
        wanted = {"kind": f"lose_{words[1]}"}
    else:
        raise ScenarioError(f"unknown step {' '.join(words)!r}")
    for i, action in system.actions():
        if i != index or action.kind != wanted["kind"]:
            continue
        if "trigger" in wanted and action.trigger != wanted["trigger"]:
            continue
        if "type" in wanted and action.arg[0] != wanted["type"]:
            continue
        return action
    return None


def _delivery(system: ExecutableSystem, index: int, rotating: bool) -> Action | None:
    """The next delivery of slot ``index``: the device's channel first, then the server's."""
    deliveries = [a for i, a in system.actions()
                  if i == index and a.kind.startswith(("deliver_", "discard_"))]
    deliveries.sort(key=lambda a: not a.kind.endswith("_down"))
    for action in deliveries:
        if action.trigger is None or action.trigger.endswith("_rotating") == rotating:
            return action
    return None


def run_scenario(scenario: Scenario) -> ScenarioRun:
    """Replay the scenario on fresh machines and check its expectations."""
    config = scenario_config(scenario)
    system = ExecutableSystem(config)
    trace: list[TraceEntry] = []
    for step in scenario.steps:
        index, words = _parse(step)
        if not 0 <= index < config.bounds.devices:
            raise ScenarioError(f"step {step!r}: no device {index + 1}")
        if words == ["exchange"]:
            for _ in range(EXCHANGE_LIMIT):
                action = _delivery(system, index, rotating=False)
                if action is None:
                    break
                trace.append(take(system, index, action, len(trace) + 1))
            else:
                raise ScenarioError(f"step {step!r}: still exchanging after {EXCHANGE_LIMIT} steps")
            continue
        if words and words[0] == "deliver":
            action = _delivery(system, index, rotating=words[1:] == ["rotating"])
        else:
            action = _direct_action(words, system, index)
        if action is None:
            raise ScenarioError(f"step {len(trace) + 1} {step!r} is not enabled here")
        trace.append(take(system, index, action, len(trace) + 1))
    return ScenarioRun(scenario, config, trace, system, _check(scenario, trace, system))


def rule_counts(trace: list[TraceEntry]) -> Counter[str]:
    """How often each ``role.rule`` fired in a trace."""
    return Counter(f"{e.role}.{e.rule}" for e in trace if e.rule is not None)


def final_fields(system: ExecutableSystem, index: int = 0) -> dict[str, Any]:
    """The fields of a slot that scenario expectations may name."""
    slot = system.slots[index]
    fields = {f"device.{k}": v for k, v in slot.dev._asdict().items()}
    fields.update({f"server.{k}": v for k, v in slot.acct._asdict().items() if k != "session"})
    fields["device.state"] = slot.device
    fields["server.state"] = slot.server
    fields["device.acknowledged"] = slot.dev.acked == slot.dev.epoch
    return fields


def _check(scenario: Scenario, trace: list[TraceEntry], system: ExecutableSystem) -> list[str]:
    failures = []
    counts = rule_counts(trace)
    for rule, expected in scenario.expect_rules.items():
        if counts[rule] != expected:
            failures.append(f"{rule} fired {counts[rule]} times, expected {expected}")
    fields = final_fields(system)
    for key, expected in scenario.expect_final.items():
        if key not in fields:
            raise ScenarioError(f"expect.final: unknown field {key!r}; allowed: {', '.join(fields)}")
        if fields[key] != expected:
            failures.append(f"{key} is {fields[key]!r}, expected {expected!r}")
    return failures


def load_all() -> list[Scenario]:
    """Every scenario in ``specs/scenarios``."""
    try:
        return [load_scenario(name) for name in scenario_names()]
    except ConfigError as error:
        raise ScenarioError(str(error)) from None
