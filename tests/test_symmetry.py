"""Symmetry reduction: interchangeable devices stored once per orbit, with the same verdicts.

Each configuration is checked with and without the canonical order of devices (the DM model's
``representative``, which the checker applies): the verdicts and counterexample lengths agree,
the reduced search stores fewer states, the orbits stand for exactly the states of the unreduced
search, and every counterexample found on representatives is mapped back by the checker into a
real path that replays on the executable machines. The slot level of the representative, the
renaming of nonces, is checked against ``nonces.canonical``.
"""

import pytest
from click.testing import CliRunner

from dmmodel import manifest
from dmmodel.analysis import check_variant, replay
from dmmodel.checker import Counterexample, check, concrete_path, verdict_text
from dmmodel.cli import main
from dmmodel.protocol.config import make_config
from dmmodel.protocol.properties import INVARIANTS
from dmmodel.search.checkable import DMModel
from dmmodel.search.compiled import CompiledSystem

SAFETY = [i.name for i in INVARIANTS] + ["no_stuck_state"]
# three devices whose single-device graph is small enough to check both ways in seconds
THREE = dict(devices=3, rotations=1, rebootstraps=0, notifications=False, retry_limit=0, capacity=1)


def both_ways(config, properties=None):
    return (check_variant(config, properties, symmetry=False),
            check_variant(config, properties, symmetry=True))


def texts(result):
    return {v.property.name: verdict_text(v) for v in result.verdicts}


@pytest.mark.parametrize("variant", ["dm12", "cr"])
def test_two_devices_safety_is_checked_on_half_the_states(variant):
    plain, reduced = both_ways(make_config("two-devices", variant), SAFETY)
    assert texts(reduced) == texts(plain)
    assert reduced.symmetry and not plain.symmetry
    assert reduced.result.states < 0.51 * plain.result.states
    assert reduced.raw_states == plain.raw_states == plain.result.states


@pytest.mark.parametrize("variant", ["dm12", "cr"])
def test_two_devices_every_property_has_the_same_verdicts(variant):
    plain, reduced = both_ways(make_config("two-devices", variant))
    assert texts(reduced) == texts(plain)
    assert reduced.raw_states == plain.result.states


@pytest.mark.parametrize("variant", ["dm12", "report", "cr"])
def test_three_devices_agree_and_the_reduced_search_is_smaller(variant):
    plain, reduced = both_ways(make_config("default", variant, **THREE))
    assert texts(reduced) == texts(plain)
    assert reduced.result.states < 0.6 * plain.result.states  # the first device keeps its place
    assert reduced.raw_states == plain.result.states
    safe_plain, safe_reduced = both_ways(make_config("default", variant, **THREE), SAFETY)
    assert texts(safe_reduced) == texts(safe_plain)
    assert safe_reduced.result.states < 0.2 * safe_plain.result.states  # all three permute
    assert safe_reduced.raw_states == safe_plain.result.states


def test_four_devices_count_their_orbits_exactly():
    """Orbits with one, two and three repeated slots among four devices (4!/(c1! c2! ...))."""
    config = make_config("default", "cr", **{**THREE, "devices": 4})
    plain, reduced = both_ways(config, SAFETY)
    assert texts(reduced) == texts(plain)
    assert reduced.result.states < 0.1 * plain.result.states
    assert reduced.raw_states == plain.result.states


def test_a_counterexample_found_with_symmetry_replays_on_the_machines():
    run = check_variant(make_config("default", "dm12", **THREE), symmetry=True)
    assert run.symmetry and run.failed()
    for verdict in run.failed():
        trace = run.traces[verdict.property.name]  # replay raises if the machines diverge
        assert len(trace) == len(verdict.counterexample.steps) - 1


def test_a_canonical_path_unfolds_into_the_real_path_of_the_device_that_moved():
    """The deepest state of a reduced search, reached by moving the second device as often as
    the first, replays step for step once the checker maps each representative back to the
    real state (``concrete_path``), the device that moved at each step."""
    model = DMModel(make_config("two-devices", "cr"), symmetry=True, properties=SAFETY)
    result = check(model, model.properties())
    explored = result.explored
    steps = explored.path_to(len(explored) - 1)
    path = concrete_path(model, [s.state for s in steps])[1:]
    assert {model.step_action(s.action)[0] for s in path} == {0, 1}
    assert [model.representative(s.state) for s in path] == [s.state for s in steps[1:]]
    trace = replay(model, Counterexample(steps, "invariant", concrete=[steps[0], *path]))
    assert [e.index for e in trace] == [model.step_action(s.action)[0] for s in path]


def unfolded(model: DMModel, actions: list[int]) -> list[tuple[int, int]]:
    """The real path behind actions taken from representatives, as ``DMModel.unfold`` gave it
    before the checker owned the reduction: each step's place in the canonical order (the fixed
    devices, then the others by slot id, ties in index order) is the device there now."""
    real = [model.slot_id(slot) for slot in model.system.initial()]
    path = []
    for aid in actions:
        local, place = divmod(aid, model.devices)
        order = [*range(model.fixed), *sorted(range(model.fixed, model.devices), key=real.__getitem__)]
        device = order[place]
        real[device] = next(n for a, n in model._slot_moves(real[device]) if a == local)
        path.append((local * model.devices + device,
                     sum(sid << shift for sid, shift in zip(real, model.shifts, strict=True))))
    return path


@pytest.mark.parametrize(("name", "variant", "overrides", "properties"), [
    ("two-devices", "cr", {}, SAFETY),
    ("default", "dm12", THREE, None),  # the first device kept in place, two permuted
    ("default", "cr", THREE, SAFETY),  # all three permuted
])
def test_the_checker_maps_paths_back_to_the_devices_unfold_chose(name, variant, overrides, properties):
    """The checker's way back from representatives (the first real successor with the recorded
    representative) moves the same device at every step as the model's own unfolding did, on
    the paths to a sample of the explored states."""
    model = DMModel(make_config(name, variant, **overrides), symmetry=True, properties=properties)
    explored = check(model, model.properties()).explored
    moved_late = 0
    for index in [*range(0, len(explored), max(1, len(explored) // 300)), len(explored) - 1]:
        steps = explored.path_to(index)
        real = concrete_path(model, [s.state for s in steps])
        assert [(s.action, s.state) for s in real[1:]] == unfolded(model, [s.action for s in steps[1:]])
        moved_late += any(a.action != b.action for a, b in zip(real[1:], steps[1:], strict=True))
    assert moved_late  # some paths move a device other than the one at the recorded place


@pytest.mark.parametrize(("name", "variant"), [("attack-replay", "cr-fresh"), ("lossy", "cr-keep-previous")])
def test_the_slot_level_representative_is_the_renaming_of_nonces(name, variant):
    """``CompiledSystem.representative`` (what ``key_successors`` gives for each next slot) is
    ``nonces.canonical`` on a slot's key, and a fixed point on the keys slot ids stand for."""
    from dmmodel.protocol.nonces import canonical
    from dmmodel.protocol.system import apply_action, slot_actions

    model = DMModel(make_config(name, variant))
    check(model, model.properties(), max_states=3000)
    system = model.system
    renamed = 0
    for key in model.keys:
        assert system.representative(key) == key
        slot, runtime = system.decode(key), system.runtime(0)
        steps = [(action, apply_action(slot, action, runtime))
                 for action in slot_actions(slot, system.config, runtime)]
        assert [(a, system.decode(k)) for a, k in system.key_successors(0, key)] == \
            [(a, system.decode(system.representative(system.encode(t)))) for a, t in steps]
        for _, raw in steps:
            assert system.decode(system.representative(system.encode(raw))) == canonical(raw)
            renamed += canonical(raw) != raw
    assert renamed  # some steps issue nonces that the renaming changes


def test_a_symbolic_slot_steps_alike_on_every_device():
    """Slot ids are shared by devices: a slot's steps do not depend on whose slot it is."""
    config = make_config("two-devices", "cr")
    model = DMModel(config)
    check(model, model.properties(), max_states=20_000)
    system = CompiledSystem(config)
    for slot in model.slots:
        assert system.slot_successors(0, slot) == system.slot_successors(1, slot)


def test_check_reports_orbits_and_no_symmetry_turns_it_off():
    runner = CliRunner()
    args = ["check", "-c", "two-devices", "-v", "cr", "-p", "sound_authentication"]
    reduced = runner.invoke(main, args)
    plain = runner.invoke(main, [*args, "--no-symmetry"])
    assert reduced.exit_code == plain.exit_code == 0
    recorded = next(e["states"] for e in manifest.load()
                    if (e["config"], e["variant"]) == ("two-devices", "cr"))
    assert f"orbits ({recorded:,} states)" in reduced.output
    assert f"{recorded:,} " in plain.output and "orbits" not in plain.output
