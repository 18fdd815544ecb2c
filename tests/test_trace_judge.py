"""Two judges of the security properties agree: the ghost monitor and the trace judge.

The monitor (``dmmodel/protocol/monitor.py``) marks each property in the slot when it sees the
step that breaks it. The trace judge (``dmmodel/testing/trace_judge.py``) was written apart from
it, from the properties' definitions, and decides them from the path alone: who really sent
each package taken (by provenance along the path), the machines' visible data, the rule fired.
On every prefix of every path tried here, the properties the judge finds violated so far are
exactly those the monitor has marked in the slot after the last step. The paths are:

- every counterexample the checker finds for a security property, and random walks of the
  graph it explored, on every attack configuration (bounds cut where the search would be slow),
  taken again with real, never repeated nonces and runs (the checker's slots are renamed after
  every step, so one number stands for different runs along a path);
- the programs the Hypothesis kit runs on the executable machines against a network attacker
  (``dmmodel/testing``), with no safety property checked so that a program goes on after the
  first violation.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import invariant, run_state_machine_as_test

from dmmodel.checker import check
from dmmodel.protocol import monitor
from dmmodel.protocol.config import Config, make_config
from dmmodel.protocol.nonces import FreshCounter, issuer
from dmmodel.protocol.state import Monitor, Slot
from dmmodel.protocol.system import Action, apply_action, initial_slot, initial_state
from dmmodel.runtime.machines import ExecutableSystem
from dmmodel.runtime.trace import TraceEntry, play
from dmmodel.search.checkable import DMModel
from dmmodel.search.compiled import CompiledRuntime
from dmmodel.testing import protocol_machine
from dmmodel.testing.trace_judge import PROPERTIES, TraceJudge, judge_path

SECURITY = list(monitor.WATCHED)


def test_the_judge_judges_the_properties_the_monitor_watches():
    assert set(PROPERTIES) == set(monitor.WATCHED)


def marks(m: Monitor) -> frozenset[str]:
    return frozenset(name for name in monitor.WATCHED if monitor.violated(m, name))


class Agreement:
    """Feeds the trace entries of one run to a trace judge per device and notes every step after
    which the judge and the monitor differ."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.judges: dict[int, TraceJudge] = {}
        self.last: dict[int, Slot] = {}
        self.differences: list[str] = []
        self.violated: set[str] = set()  # what the monitor marked on some step, for coverage

    def take(self, entries: Iterable[TraceEntry]) -> None:
        """Compare after each step of a trace of the executable machines."""
        for entry in entries:
            before = self.last.get(entry.index) or initial_slot(self.config)
            self.last[entry.index] = entry.slot
            self.compare(entry.number, entry.index, entry.action, before, entry.slot)

    def path(self, steps: list[tuple[int, Action]]) -> Agreement:
        """Take ``steps`` from the initial state with real, never repeated nonces and runs (the
        compiled rules, each step's new values drawn from a counter) and compare after each."""
        fresh = FreshCounter()
        runtimes: dict[int, RealValues] = {}
        slots = dict(enumerate(initial_state(self.config)))
        for number, (index, action) in enumerate(steps, start=1):
            runtime = runtimes.get(index)
            if runtime is None:
                runtime = runtimes[index] = RealValues(self.config, index, fresh)
            before = slots[index]
            slots[index] = after = apply_action(before, action, runtime)
            self.compare(number, index, action, before, after)
        return self

    def compare(self, number: int, index: int, action: Action, before: Slot, after: Slot) -> None:
        judge = self.judges.setdefault(index, TraceJudge(self.config.bounds.attacker))
        found, marked = judge.step(before, action, after), marks(after.monitor)
        self.violated |= marked
        if found != marked:
            self.differences.append(f"step {number} ({action.label()}): judge {sorted(found)}, "
                                    f"monitor {sorted(marked)}; judge's reasons {judge.why}")


class RealValues(CompiledRuntime):
    """The compiled rules with real values: each step's new nonces and runs are drawn from a
    counter shared by the whole system, as on the executable machines (``nonces.FreshCounter``),
    instead of being renamed."""

    def __init__(self, config: Config, index: int, fresh: FreshCounter) -> None:
        super().__init__(config, index)
        self.fresh = fresh

    def settle(self, slot: Slot, by: str) -> Slot:
        return self.fresh.settle(slot, issuer(self.index, by))


def first_difference(config: Config, steps: list[tuple[int, Action]]) -> str | None:
    """The first step after which the judges differ, with the path up to it played on the
    executable machines (real credentials), or None."""
    agreement = Agreement(config).path(steps)
    if not agreement.differences:
        return None
    _, trace = play(config, steps)
    shown = "\n".join(f"  {e.number}. {e.headline()}" for e in trace)
    return f"{agreement.differences[0]}\non the path\n{shown}"


# -- the checker's counterexamples and random walks of its graph -------------------------------------

# (configuration, variant, bound overrides): every attacker profile, variants that fail and hold
CHECKED = [
    *(("attack-edit", v, ()) for v in ("cr", "cr-fresh", "cr-server-dm12-device", "dm12-server-cr-device")),
    ("attack-replay", "cr", (("notifications", False),)),
    ("attack-delay", "cr-challenge", (("notifications", False), ("retry_limit", 1))),
    ("attack-tls", "cr", (("notifications", False), ("rebootstraps", 0))),
    ("attack-card-leak", "cr-fresh", (("notifications", False), ("rebootstraps", 0))),
    ("attack-eavesdrop", "cr-fresh-hmac", (("notifications", False),)),
    ("attack-card-leak-tls", "cr", (("notifications", False), ("rebootstraps", 0))),
]
WALKS, LONGEST = 30, 40


@pytest.mark.parametrize(("name", "variant", "overrides"), CHECKED,
                         ids=[f"{n}/{v}" for n, v, _ in CHECKED])
def test_the_judges_agree_on_counterexamples_and_random_walks(name, variant, overrides):
    config = make_config(name, variant, **dict(overrides))
    model = DMModel(config, properties=SECURITY)
    result = check(model)
    assert result.complete
    paths = []
    for verdict in result.verdicts:
        if verdict.holds is False:
            actions = [step.action for step in verdict.counterexample.steps[1:]]
            paths.append(("counterexample to " + verdict.property.name, actions))
    rng = random.Random(f"{name}/{variant}")
    start = next(iter(model.init_states()))
    for k in range(WALKS):
        state, actions = start, []
        for _ in range(rng.randint(1, LONGEST)):
            action, state = rng.choice(list(model.successors(state)))
            actions.append(action)
        paths.append((f"random walk {k}", actions))
    violated = set()
    for label, actions in paths:
        steps = [model.step_action(a) for a in actions]  # no symmetry: the path is the model's own
        agreement = Agreement(config).path(steps)
        assert not agreement.differences, f"{label}: {first_difference(config, steps)}"
        violated |= agreement.violated
    failing = {v.property.name for v in result.verdicts if v.holds is False}
    assert failing <= violated  # each counterexample ends where the monitor marks its property


def test_judge_path_gives_the_violations_after_each_step():
    config = make_config("attack-replay", "cr")
    labels = ["bootstrap (smartcard)", "connect", "record to server", "accept",
              "replay recording 1 to server", "take_session", "recognise_bootstrap"]
    machines = ExecutableSystem(config)
    triples = []
    for label in labels:
        action = next(a for _, a in machines.actions() if a.label() == label)
        before = machines.slots[0]
        triples.append((before, action, machines.step(0, action)))
    verdicts = judge_path(triples, config.bounds.attacker)
    assert verdicts[:-1] == [frozenset()] * (len(labels) - 1)
    assert verdicts[-1] == {monitor.SERVER_AGREEMENT}
    assert [marks(after.monitor) for _, _, after in triples] == verdicts


# -- the Hypothesis kit's programs -----------------------------------------------------------------

KIT = settings(max_examples=20, stateful_step_count=25, deadline=None, database=None, derandomize=True,
               phases=(Phase.generate,), suppress_health_check=[HealthCheck.too_slow])


def judged_machine(config: Config) -> type:
    """The kit's machine for ``config`` with the two judges compared after every step, and its
    safety checks off so that a program goes on after a property is broken."""
    base = protocol_machine(config, recovery=False, invariants=())  # runs go on past a violation

    class Judged(base):  # type: ignore[misc, valid-type]
        seen: set[str] = set()

        def __init__(self) -> None:
            super().__init__()
            self.agreement = Agreement(config)
            self.judged = 0

        @invariant()
        def judges_agree(self) -> None:
            self.agreement.take(self.steps[self.judged:])
            self.judged = len(self.steps)
            assert not self.agreement.differences, self.agreement.differences[0]
            Judged.seen |= self.agreement.violated

    Judged.__name__ = base.__name__
    return Judged


@pytest.mark.parametrize(("name", "variant"), [("attack-replay", "cr"), ("attack-edit", "cr"),
                                                ("attack-card-leak", "cr-keep-previous"),
                                                ("attack-eavesdrop", "cr-fresh-hmac")])
def test_the_judges_agree_on_the_kits_programs(name, variant):
    machine = judged_machine(make_config(name, variant))
    run_state_machine_as_test(machine, settings=KIT)
    assert machine.seen, "the programs broke no security property: the comparison was idle"
