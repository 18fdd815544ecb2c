"""Scenarios: protocol stories kept as data in ``specs/scenarios/*.toml`` and run on the machines.

A scenario names a variant and a configuration, lists its steps in a small language, and says
what must come out (how often given rules fired, fields of the final state). Running it replays
the steps on the ``transitions`` machines with real credentials.

Step language (one string per step; prefix ``d2:`` to act on the second device), derived from
the rule tables by :func:`step_forms`: each trigger a machine takes unprompted (``connect``,
``notify``, ``reset``; ``bootstrap TYPE`` for a rule that takes an argument; ``device timeout``
with the role first where both machines have the trigger), ``deliver`` (the next package on
either channel, to the first rule that takes it; the device's channel first), ``deliver CHOICE``
for an alternative answer a rule declares (``deliver rotating``: the server rotates the secrets),
``lose up``, ``lose down``, and ``exchange`` (deliver until nothing is in flight). With an
attacker in the configuration: ``attacker record CHANNEL``, ``attacker drop CHANNEL``,
``attacker hold CHANNEL``, ``attacker release``, ``attacker replay N`` (the N-th recording),
``attacker edit CHANNEL EDIT`` and ``attacker forge PACKAGE`` (names as ``attacker.py`` lists them).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dmmodel.protocol.config import SPECS_DIR, Config, ConfigError, load_bounds, read_toml, variant
from dmmodel.protocol.monitor import WATCHED, violated
from dmmodel.protocol.rules import Role
from dmmodel.protocol.system import ATTACK_STEPS, RULES, SPONTANEOUS, TABLES, Action, Channel, StepKind
from dmmodel.runtime.machines import ExecutableSystem
from dmmodel.runtime.trace import TraceEntry, take

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
    budget: int | None = None  # the attacker's budget, in place of the configuration's


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
    data = read_toml(path, "scenario", ScenarioError)
    try:
        expect = data.get("expect", {})
        scenario = Scenario(
            name=path.stem,
            title=data["title"],
            flow=data.get("flow", ""),
            variant=data["variant"],
            config=data.get("config", "default"),
            steps=data["steps"],
            expect_rules=dict(expect.get("rules", {})),
            expect_final=dict(expect.get("final", {})),
            notes=data.get("notes", ""),
            budget=data.get("budget"),
        )
    except KeyError as missing:
        raise ScenarioError(f"scenario {path.name}: missing key {missing}") from None
    except (AttributeError, TypeError, ValueError):
        raise ScenarioError(f"scenario {path.name}: expect must hold the tables rules and final") from None
    if not isinstance(scenario.steps, list) or not all(isinstance(s, str) for s in scenario.steps):
        raise ScenarioError(f"scenario {path.name}: steps must be a list of strings")
    return replace(scenario, steps=tuple(scenario.steps))


def scenario_config(scenario: Scenario) -> Config:
    """The configuration a scenario runs in (with its attacker's budget, if it names one)."""
    name, bounds = load_bounds(scenario.config)
    if scenario.budget is not None:
        bounds = replace(bounds, attacker=replace(bounds.attacker, budget=scenario.budget))
    return Config(name, bounds, variant(scenario.variant))


def _parse(number: int, step: str) -> tuple[int, list[str]]:
    """The device index (``dN:`` prefix, default the first) and the words of a step."""
    index = 0
    words = step.split()
    if words and words[0].startswith("d") and words[0].endswith(":"):
        if not words[0][1:-1].isdigit():
            raise ScenarioError(f"step {number} {step!r}: expected a device prefix such as d2:")
        index = int(words[0][1:-1]) - 1
        words = words[1:]
    return index, words


def _ambiguous(trigger: str) -> bool:
    return sum(1 for _, rule in SPONTANEOUS if rule.trigger == trigger) > 1


def choices() -> list[str]:
    """The alternative answers rules declare (``deliver CHOICE``)."""
    return list(dict.fromkeys(r.choice for t in TABLES.values() for r in t.rules if r.choice))


def step_forms() -> list[str]:
    """Every form a scenario step may take, read from the rule tables."""
    forms = []
    for role, rule in SPONTANEOUS:
        head = f"{role} {rule.trigger}" if _ambiguous(rule.trigger) else rule.trigger
        forms.append(head + (" TYPE" if rule.args is not None else ""))
    forms += ["deliver", *(f"deliver {c}" for c in choices())]
    forms += [f"lose {c}" for c in Channel] + ["exchange"]
    return forms + ATTACK_FORMS


ATTACK_FORMS = ["attacker record CHANNEL", "attacker drop CHANNEL", "attacker hold CHANNEL",
                "attacker release", "attacker replay N", "attacker edit CHANNEL EDIT",
                "attacker forge PACKAGE"]


def _attack_action(words: list[str], system: ExecutableSystem, index: int) -> Action | None:
    """The attack step ``attacker ...`` names, if it is enabled (words after ``attacker``)."""
    if not words or words[0] not in {str(s) for s in ATTACK_STEPS}:
        raise _Unknown(" ".join(["attacker", *words]))
    kind, rest = StepKind(words[0]), words[1:]
    channel, arg = None, None
    if kind in (StepKind.RECORD, StepKind.DROP, StepKind.HOLD, StepKind.EDIT):
        if not rest or rest[0] not in tuple(Channel) or (kind is StepKind.EDIT) != (len(rest) > 1):
            raise _Unknown(" ".join(["attacker", *words]))
        channel = Channel(rest[0])
        arg = (" ".join(rest[1:]),) if kind is StepKind.EDIT else None
    elif kind is StepKind.REPLAY:
        if len(rest) != 1 or not rest[0].isdigit():
            raise _Unknown(" ".join(["attacker", *words]))
        arg = (int(rest[0]) - 1,)
    elif kind is StepKind.FORGE:
        arg = (" ".join(rest),)
    elif rest:
        raise _Unknown(" ".join(["attacker", *words]))
    for i, action in system.actions():
        if (i == index and action.kind is kind and (channel is None or action.channel == channel)
                and (arg is None or action.arg == arg)):
            return action
    return None


class _Unknown(Exception):
    """A step's words match no form; :func:`run_scenario` adds the step number."""


def _direct_action(words: list[str], system: ExecutableSystem, index: int) -> Action | None:
    """The action a one-step instruction names, if it is enabled."""
    if len(words) == 2 and words[0] == "lose" and words[1] in tuple(Channel):
        wanted = (StepKind.LOSE, None, Channel(words[1]), None, None)
    else:
        role = None
        if words and words[0] in tuple(Role):
            role, words = Role(words[0]), words[1:]
        found = [(r, rule) for r, rule in SPONTANEOUS
                 if words and rule.trigger == words[0] and role in (None, r)]
        if len(found) != 1 or (role is None and _ambiguous(words[0])):
            raise _Unknown(" ".join(words))
        role, rule = found[0]
        if len(words) != (2 if rule.args is not None else 1):
            raise _Unknown(" ".join(words))
        wanted = (StepKind.SPONTANEOUS, role, None, rule.trigger, words[1] if rule.args else None)
    step, role, channel, trigger, arg_name = wanted
    for i, action in system.actions():
        if (i == index and action.kind is step and action.role == role and action.channel == channel
                and action.trigger == trigger
                and (arg_name is None or action.arg[0] == arg_name)):
            return action
    return None


def _delivery(system: ExecutableSystem, index: int, choice: str | None) -> Action | None:
    """The next delivery of slot ``index``: the device's channel first, then the server's."""
    deliveries = [a for i, a in system.actions()
                  if i == index and a.kind in (StepKind.DELIVER, StepKind.DISCARD)]
    deliveries.sort(key=lambda a: a.channel is not Channel.DOWN)
    for action in deliveries:
        declared = None if action.rule is None else RULES[action.role, action.rule].choice
        if declared == choice:
            return action
    return None


def _action(system: ExecutableSystem, index: int, words: list[str]) -> Action | None:
    """The action a step other than ``exchange`` names, or None when it is not enabled."""
    if words and words[0] == "attacker":
        return _attack_action(words[1:], system, index)
    if words and words[0] == "deliver":
        if len(words) > 2 or words[1:] and words[1] not in choices():
            raise _Unknown(" ".join(words))
        return _delivery(system, index, words[1] if len(words) == 2 else None)
    return _direct_action(words, system, index)


def run_scenario(scenario: Scenario) -> ScenarioRun:
    """Replay the scenario on fresh machines and check its expectations."""
    config = scenario_config(scenario)
    system = ExecutableSystem(config)
    trace: list[TraceEntry] = []
    for number, step in enumerate(scenario.steps, 1):
        index, words = _parse(number, step)
        if not 0 <= index < config.bounds.devices:
            raise ScenarioError(f"step {number} {step!r}: no device {index + 1}")
        if words == ["exchange"]:
            for _ in range(EXCHANGE_LIMIT):
                action = _delivery(system, index, None)
                if action is None:
                    break
                trace.append(take(system, index, action, len(trace) + 1))
            else:
                raise ScenarioError(f"step {number} {step!r}: still exchanging after "
                                    f"{EXCHANGE_LIMIT} deliveries")
            continue
        try:
            action = _action(system, index, words)
        except _Unknown as unknown:
            raise ScenarioError(f"step {number}: unknown step {str(unknown)!r}; "
                                f"allowed: {', '.join(step_forms())}") from None
        if action is None:
            raise ScenarioError(f"step {number} {step!r} is not enabled here")
        trace.append(take(system, index, action, len(trace) + 1))
    return ScenarioRun(scenario, config, trace, system, _check(scenario, trace, system))


def rule_counts(trace: list[TraceEntry]) -> Counter[str]:
    """How often each ``role.rule`` fired in a trace."""
    return Counter(f"{e.role}.{e.rule}" for e in trace if e.rule is not None)


def final_fields(system: ExecutableSystem, index: int = 0) -> dict[str, Any]:
    """The fields of a slot that scenario expectations may name."""
    slot = system.slots[index]
    fields = {f"device.{k}": v for k, v in slot.device._asdict().items()}
    fields.update({f"server.{k}": v for k, v in slot.account._asdict().items() if k != "session"})
    fields["device.state"] = slot.device_state
    fields["server.state"] = slot.server_state
    fields["device.acknowledged"] = slot.device.acked == slot.device.epoch
    fields["violated"] = tuple(name for name in WATCHED if violated(slot.monitor, name))
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
        if isinstance(expected, list):  # TOML has arrays where the state has tuples
            expected = tuple(expected)
        if fields[key] != expected:
            failures.append(f"{key} is {fields[key]!r}, expected {expected!r}")
    return failures


def load_all() -> list[Scenario]:
    """Every scenario in ``specs/scenarios``."""
    try:
        return [load_scenario(name) for name in scenario_names()]
    except ConfigError as error:
        raise ScenarioError(str(error)) from None
