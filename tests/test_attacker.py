"""The attacker's steps, one by one, through the system's own step functions.

What is offered (``system.slot_actions``) and what each step does (``system.apply_action``), on
hand-built slots: record (free, but only while budget is left, up to ``memory`` packages, never
the same package twice), drop, hold (under TLS only a Package 0) and release (only into a channel
with room, free), replay (into a channel with room, spending budget; the step that spends the last
budget forgets the recordings and the secrets known), and edit (each entry of ``attacker.EDITS``
only where it applies, the result tagged as the attacker's, spending budget). No attack step ever
changes the machines' data or the ghost monitor. Forgeries and what the attacker knows are left
to their own tests.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from dmmodel.protocol import attacker
from dmmodel.protocol import vocabulary as v
from dmmodel.protocol.config import CAPABILITIES, Attacker, Config, make_config, named_attacker
from dmmodel.protocol.messages import FORGED, Origin, Package
from dmmodel.protocol.rules import ATTACK
from dmmodel.protocol.state import AccountData, AttackerState, DeviceData, Monitor, Slot
from dmmodel.protocol.system import (
    ATTACK_STEPS,
    BUDGETS,
    Action,
    Channel,
    StepKind,
    apply_action,
    initial_slot,
    slot_actions,
)
from dmmodel.search.compiled import CompiledRuntime

NETWORK = Attacker("test", record=True, replay=True, drop=True, hold=True, edit=True, budget=2, memory=2)

P1 = Package(1, alert=v.ALERT_CLIENT_INITIATED, cred=(0, 0), report=1, tag=Origin("device", 1, 5))
P1_PLAIN = Package(1, alert=v.ALERT_CLIENT_INITIATED, cred=(1, 3), tag=Origin("device", 1, 6))
P1_ABORT = Package(1, alert=v.ALERT_SESSION_ABORT, tag=Origin("device", 1, 6))
P2 = Package(2, status=v.STATUS_AUTHENTICATED, chal=7, cred=(0, 0), replace=1, report_status=v.STATUS_OK,
             tag=Origin("server", 1, 5, True))
P2_PLAIN = Package(2, status=v.STATUS_AUTHENTICATED, chal=8, cred=(1, 4), tag=Origin("server", 1, 6))
P2_401 = Package(2, status=v.STATUS_UNAUTHORIZED, chal=9, tag=Origin("server", 1, 6))
P3 = Package(3, status=v.STATUS_OK, chal=10, replace_status=v.STATUS_OK, tag=Origin("device", 1, 5))
P3_PLAIN = Package(3, status=v.STATUS_OK, chal=11, tag=Origin("device", 1, 6))
P4 = Package(4, tag=Origin("server", 1, 5))


def config(a: Attacker = NETWORK, variant: str = "cr", capacity: int = 2) -> Config:
    return make_config("default", variant, attacker=a, capacity=capacity)


def make_slot(up: tuple[Package, ...] = (), down: tuple[Package, ...] = (),
              recorded: tuple[Package, ...] = (), held: tuple[str, Package] | None = None,
              left: int = 2, secrets: tuple[int, ...] = ()) -> Slot:
    """A slot with these channels and this attacker; the machines' data are fixed (attack steps
    neither read nor change them) and no fault budget is left."""
    return Slot("awaiting_auth", DeviceData(gen=0, epoch=1, run=5), "in_session", AccountData(),
                up, down, (0,) * len(BUDGETS),
                AttackerState(recorded=recorded, held=held, left=left, secrets=secrets),
                Monitor(opened=(5,), answered=1, violated=0))


def offered(slot: Slot, cfg: Config) -> list[tuple[str, str, object]]:
    """The attack steps on offer, as (kind, channel, argument)."""
    return [(str(a.kind), str(a.channel), a.arg) for a in slot_actions(slot, cfg, CompiledRuntime(cfg, 0))
            if a.cls == ATTACK]


def take(slot: Slot, cfg: Config, kind: str, channel: str, arg: object = None) -> Slot:
    """The slot after the attack step, which must be on offer."""
    assert (kind, channel, arg) in offered(slot, cfg), (kind, channel, arg, offered(slot, cfg))
    action = Action(StepKind(kind), None, Channel(channel), arg=arg, cls=ATTACK)
    return apply_action(slot, action, CompiledRuntime(cfg, 0))


def kinds(slot: Slot, cfg: Config, channel: str | None = None) -> set[str]:
    return {k for k, c, _ in offered(slot, cfg) if channel is None or c == channel}


# -- record -----------------------------------------------------------------------------------


def test_record_copies_the_head_for_free():
    after = take(make_slot(up=(P1, P3)), config(), "record", "up")
    assert after.attacker.recorded == (P1,)
    assert after.attacker.left == 2
    assert after.up == (P1, P3)


def test_record_on_the_way_down():
    after = take(make_slot(down=(P2,)), config(), "record", "down")
    assert after.attacker.recorded == (P2,) and after.down == (P2,)


def test_record_keeps_at_most_memory_packages():
    cfg = config()
    assert "record" in kinds(make_slot(up=(P1,), recorded=(P2,)), cfg)
    assert "record" not in kinds(make_slot(up=(P1,), recorded=(P2, P3)), cfg)
    one = config(Attacker("test", record=True, replay=True, budget=1, memory=1))
    assert "record" not in kinds(make_slot(up=(P1,), recorded=(P2,)), one)


def test_record_never_copies_a_package_twice():
    slot = make_slot(up=(P1,), down=(P2,), recorded=(P1,))
    assert "record" not in kinds(slot, config(), "up")
    assert "record" in kinds(slot, config(), "down")


def test_record_is_free_but_needs_budget_left():
    after = take(make_slot(up=(P1,), left=1), config(), "record", "up")
    assert after.attacker.left == 1
    assert "record" not in kinds(make_slot(up=(P1,), left=0), config())  # it could never use it


# -- drop ---------------------------------------------------------------------------------------


def test_drop_takes_the_head_away_and_spends_budget():
    after = take(make_slot(up=(P1, P3)), config(), "drop", "up")
    assert after.up == (P3,) and after.attacker.left == 1
    assert after.attacker.recorded == () and after.attacker.held is None


def test_no_active_step_without_budget():
    slot = make_slot(up=(P1,), down=(P2,), recorded=(P4,), left=0)
    assert kinds(slot, config()) == set()


def test_nothing_to_do_on_empty_channels_without_recordings():
    assert offered(make_slot(), config()) == []


# -- hold and release ----------------------------------------------------------------------------


def test_hold_takes_the_head_and_release_puts_it_at_the_end_for_free():
    cfg = config()
    held = take(make_slot(down=(P2, P4)), cfg, "hold", "down")
    assert held.down == (P4,) and held.attacker.held == ("down", P2) and held.attacker.left == 1
    assert "hold" not in kinds(held, cfg)  # one package held at a time
    released = take(held._replace(down=(P4,)), cfg, "release", "down")
    assert released.down == (P4, P2) and released.attacker.held is None
    assert released.attacker.left == 1


def test_release_needs_room_in_its_own_channel():
    cfg = config()  # capacity 2
    full = make_slot(up=(P1, P3), held=("down", P2))
    assert "release" in kinds(full, cfg)
    assert "release" not in kinds(make_slot(down=(P4, P2_PLAIN), held=("down", P2)), cfg)


P0 = Package(0, tag=Origin("server", 1, 5))


def test_under_tls_only_a_package0_is_held():
    tls = config(replace(NETWORK, tls=True))
    assert "hold" in kinds(make_slot(down=(P0,)), tls)
    for package in (P1, P2, P3, P4):
        assert "hold" not in kinds(make_slot(**{attacker.channel_of(package): (package,)}), tls)
        assert "hold" in kinds(make_slot(**{attacker.channel_of(package): (package,)}), config())
    assert "drop" in kinds(make_slot(up=(P1,)), tls)


def test_release_is_offered_with_no_budget_left():
    assert ("release", "up", None) in offered(make_slot(held=("up", P1), left=0), config())


# -- replay -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("package", "channel"), [(P1, "up"), (P3, "up"), (P2, "down"), (P4, "down")])
def test_replay_sends_a_recording_to_the_side_that_takes_it(package, channel):
    after = take(make_slot(recorded=(P3_PLAIN, package)), config(), "replay", channel, (1,))
    assert getattr(after, channel) == (package,)
    assert after.attacker.recorded == (P3_PLAIN, package)  # a recording is kept
    assert after.attacker.left == 1


def test_replay_goes_to_the_end_of_the_channel():
    after = take(make_slot(up=(P1_PLAIN,), recorded=(P1,)), config(), "replay", "up", (0,))
    assert after.up == (P1_PLAIN, P1)


def test_replay_needs_room_in_the_channel():
    slot = make_slot(up=(P1_PLAIN, P3_PLAIN), recorded=(P1, P2))
    steps = offered(slot, config())
    assert ("replay", "up", (0,)) not in steps
    assert ("replay", "down", (1,)) in steps


def test_replay_spends_budget_until_none_is_left():
    cfg = config()
    once = take(make_slot(recorded=(P1,), left=1, secrets=(1,)), cfg, "replay", "up", (0,))
    assert once.attacker.left == 0 and once.up == (P1,)
    assert once.attacker.recorded == () and once.attacker.secrets == ()  # never usable again
    assert "replay" not in kinds(once._replace(up=()), cfg)
    forging = config(replace(NETWORK, forge=True))
    twice = take(make_slot(recorded=(P1,), left=2, secrets=(1,)), forging, "replay", "up", (0,))
    assert twice.attacker.recorded == (P1,) and twice.attacker.secrets == (1,)  # kept while usable
    assert take(make_slot(recorded=(P1,), left=2, secrets=(1,)), cfg, "replay", "up", (0,)
                ).attacker.secrets == ()  # never usable without forging


# -- edit ---------------------------------------------------------------------------------------

EDIT_CASES = [  # the head package and the edits that apply to it, by hand from specs/security.md
    (P1, {"strip report"}),
    (P1_PLAIN, {"add report"}),
    (P1_ABORT, set()),  # no credential: nothing to add a report to
    (P2, {"strip ack", "strip Replace"}),
    (P2_PLAIN, {"add ack"}),
    (P2_401, set()),
    (P3, {"deny Replace"}),
    (P3_PLAIN, {"confirm Replace"}),
    (P4, set()),
]


@pytest.mark.parametrize(("package", "names"), EDIT_CASES, ids=lambda x: getattr(x, "number", None))
def test_each_edit_applies_only_where_it_says(package, names):
    channel = attacker.channel_of(package)
    slot = make_slot(**{channel: (package,)})
    edits = {arg[0] for kind, _, arg in offered(slot, config()) if kind == "edit"}
    assert edits == names


EDITED = {  # what each edit does to its package, field by field
    "strip report": (P1, {"report": None, "chal": None}),
    "add report": (P1_PLAIN, {"report": 1}),
    "strip ack": (P2, {"report_status": None, "ack": None}),
    "add ack": (P2_PLAIN, {"report_status": v.STATUS_OK, "ack": 1}),
    "strip Replace": (P2, {"replace": None}),
    "confirm Replace": (P3_PLAIN, {"replace_status": v.STATUS_OK}),
    "deny Replace": (P3, {"replace_status": None}),
}


def test_every_edit_is_covered():
    assert set(EDITED) == {name for name, _, _ in attacker.EDITS}


@pytest.mark.parametrize("name", sorted(EDITED))
def test_an_edit_changes_what_it_names_keeps_the_place_and_is_the_attackers(name):
    package, changes = EDITED[name]
    channel = attacker.channel_of(package)
    slot = make_slot(**{channel: (package, P4 if channel == "down" else P3_PLAIN)})
    after = take(slot, config(), "edit", channel, (name,))
    edited, rest = getattr(after, channel)[0], getattr(after, channel)[1:]
    assert edited == package._replace(**changes, tag=FORGED)
    assert edited.tag == FORGED  # the ghost is out of the attacker's reach: never the sender's tag
    assert rest == getattr(slot, channel)[1:]
    assert after.attacker.left == 1 and after.attacker.recorded == ()


def test_no_edit_under_integrity():
    slot = make_slot(up=(P1,), down=(P2,))
    assert "edit" in kinds(slot, config())
    assert "edit" not in kinds(slot, config(variant="cr-hmac"))


def test_no_edit_without_budget():
    assert "edit" not in kinds(make_slot(up=(P1,), left=0), config())


# -- the machines and the ghost are out of reach ---------------------------------------------------

UNTOUCHED = ("device_state", "device", "server_state", "account", "budget", "monitor")


@pytest.mark.parametrize("name", ["replay", "edit", "delay", "eavesdrop", "card-leak", "network"])
def test_attack_steps_never_change_the_machines_or_the_monitor(name):
    """Along random walks, every attack step on offer is taken from every slot met: the
    machines' data, the fault budget and the monitor stay as they were."""
    cfg = make_config("default", "cr", attacker=replace(named_attacker(name), budget=2, memory=2))
    runtime = CompiledRuntime(cfg, 0)
    rng = random.Random(name)
    taken = set()
    for _ in range(20):
        slot = initial_slot(cfg)
        for _ in range(25):
            actions = slot_actions(slot, cfg, runtime)
            for action in actions:
                if action.kind in ATTACK_STEPS:
                    after = apply_action(slot, action, runtime)
                    taken.add(action.kind)
                    assert [getattr(after, f) for f in UNTOUCHED] == [getattr(slot, f) for f in UNTOUCHED]
            slot = apply_action(slot, rng.choice(actions), runtime)
    assert taken == {StepKind(k) for k in CAPABILITIES[:5] if named_attacker(name).can(k)} | (
        {StepKind.RELEASE} if named_attacker(name).can("hold") else set()) | (
        {StepKind.FORGE} if named_attacker(name).can("forge") else set())
