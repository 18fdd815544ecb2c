"""The live-data reduction (``protocol/forgetting.py``): what it forgets, that the unreduced
model keeps it, and that the judge of the reduction (the manifest's comparison with the
unreduced search) refuses a reduction that forgets what a step still reads.

The comparison itself runs on every manifest configuration with an attacker: the small ones in
tests/test_manifest.py, the others in ``.ci/run``'s ``dmmodel manifest --check``.
"""

from dataclasses import replace

import pytest

from dmmodel import manifest
from dmmodel.analysis import check_variant
from dmmodel.protocol import forgetting, system
from dmmodel.protocol.config import ATTACKERS, make_config
from dmmodel.protocol.messages import Package
from dmmodel.protocol.state import AttackerState
from dmmodel.search.compiled import CompiledRuntime

REPLAY, CARD = ATTACKERS["replay"], ATTACKERS["card-leak"]
CARD_TLS = replace(CARD, tls=True)
P1 = Package(1, alert=1201, cred=(0, 0))
HELD = ("up", P1)
KNOWING = AttackerState(recorded=(P1,), held=HELD, left=1, secrets=(0, 1), own_answer=True)


def test_while_it_can_act_everything_it_can_use_is_kept():
    assert forgetting.forget(KNOWING, CARD_TLS) is KNOWING


def test_a_spent_budget_forgets_all_but_the_held_package():
    spent = KNOWING._replace(left=0)
    assert forgetting.forget(spent, CARD_TLS) == AttackerState(held=HELD, left=0)


def test_an_attacker_that_cannot_forge_forgets_secrets_but_keeps_recordings():
    assert forgetting.forget(KNOWING, REPLAY) == KNOWING._replace(secrets=(), own_answer=False)


def test_its_own_answer_matters_only_under_tls():
    assert forgetting.forget(KNOWING, CARD) == KNOWING._replace(own_answer=False)


def test_the_unreduced_model_keeps_what_it_can_no_longer_use():
    """The last replay spends the budget: the recording stays in the unreduced model only."""
    for forget in (True, False):
        config = replace(make_config("attack-replay", "cr"), forget=forget)
        runtime = CompiledRuntime(config, 0)
        slot = step(system.initial_slot(config)._replace(up=(P1,)), config, runtime, "record")
        slot = step(slot._replace(up=()), config, runtime, "replay")
        assert slot.attacker.left == 0
        assert slot.attacker.recorded == (() if forget else (P1,))


def step(slot, config, runtime, kind):
    action = next(a for a in system.slot_actions(slot, config, runtime) if a.kind == kind)
    return system.apply_action(slot, action, runtime)


def test_the_reduction_makes_the_replay_search_smaller_and_agrees():
    config = make_config("attack-replay", "dm12", rebootstraps=0)
    reduced = check_variant(config, coverage=True)
    entry = manifest.with_unreduced(manifest.entry_for(reduced), check_variant(
        replace(config, forget=False)))
    assert entry["states"] < entry["unreduced_states"]


# Seeded mutants of the reduction: each forgets something a later step reads.
def forgets_recordings_early(a, settings):
    return forgetting.forget(a, settings)._replace(recorded=())


def forgets_the_card(a, settings):
    return forgetting.forget(a, settings)._replace(secrets=())


@pytest.mark.parametrize(("mutant", "name", "variant"), [
    (forgets_recordings_early, "attack-replay", "dm12"),
    (forgets_the_card, "attack-card-leak", "cr"),
])
def test_a_reduction_that_forgets_what_is_still_read_is_refused(monkeypatch, mutant, name, variant):
    config = make_config(name, variant)
    honest = check_variant(replace(config, forget=False))
    monkeypatch.setattr(system, "forget", mutant)
    broken = check_variant(config, coverage=True)
    with pytest.raises(manifest.ReductionDisagrees):
        manifest.with_unreduced(manifest.entry_for(broken), honest)
