"""The ghost monitor, step by step on hand-built slots: each security property it watches is
broken by one step and kept by a near miss that differs from it in one thing.

``monitor.watch(before, after, role, rule, taken)`` is called as ``system.apply_action`` calls
it: ``after`` carries the monitor of ``before``, ``taken`` is the package the acting machine took.
A device's runs, epochs and the server's tags are small numbers chosen here; only equality
between them matters to the monitor.
"""

from __future__ import annotations

import pytest

from dmmodel.protocol import monitor
from dmmodel.protocol import vocabulary as v
from dmmodel.protocol.config import make_config
from dmmodel.protocol.messages import FORGED, Origin, Package
from dmmodel.protocol.state import AccountData, AttackerState, DeviceData, Monitor, Slot
from dmmodel.runtime.machines import ExecutableSystem

AGREE_S, AGREE_D = monitor.SERVER_AGREEMENT, monitor.DEVICE_AGREEMENT
ROLLBACK, ACK, SECRECY = monitor.ROLLBACK, monitor.AUTHENTIC_ACK, monitor.SECRECY
NOTHING_SEEN = Monitor()


def make_slot(device: DeviceData | None = None, account: AccountData | None = None,
              up: tuple[Package, ...] = (), down: tuple[Package, ...] = (),
              attacker: AttackerState | None = None, mon: Monitor = NOTHING_SEEN,
              device_state: str = "awaiting_auth", server_state: str = "idle") -> Slot:
    return Slot(device_state, device or DeviceData(gen=0, epoch=1, run=5), server_state,
                account or AccountData(), up, down, (0,), attacker, mon)


def package1(epoch: int = 1, run: int = 5, report: int | None = None, sender: str = "device") -> Package:
    tag = FORGED if sender == "attacker" else Origin(sender, epoch, run)
    return Package(1, alert=v.ALERT_CLIENT_INITIATED, cred=(0, 0), report=report, tag=tag)


def package2(epoch: int = 1, run: int = 5, report: bool = False, sender: str = "server",
             ack: bool = False) -> Package:
    tag = FORGED if sender == "attacker" else Origin(sender, epoch, run, report)
    return Package(2, status=v.STATUS_AUTHENTICATED, chal=9, cred=(0, 9),
                   report_status=v.STATUS_OK if ack else None, tag=tag)


def marks(m: Monitor) -> set[str]:
    return {name for name in monitor.WATCHED if monitor.violated(m, name)}


def server_step(before: Slot, taken: Package, rule: str = "accept", gen_after: int | None = None
                ) -> Monitor:
    """The server takes ``taken`` from the up channel and fires ``rule``."""
    account = before.account if gen_after is None else before.account._replace(gen=gen_after)
    after = before._replace(up=before.up[1:], account=account, server_state="in_session")
    return monitor.watch(before, after, "server", rule, taken)


def device_step(before: Slot, taken: Package, rule: str = "take_session", acked: int | None = None
                ) -> Monitor:
    """The device takes ``taken`` from the down channel and fires ``rule``."""
    device = before.device if acked is None else before.device._replace(acked=acked)
    after = before._replace(down=before.down[1:], device=device, device_state="awaiting_close")
    return monitor.watch(before, after, "device", rule, taken)


def at_server(p: Package, **kw) -> Slot:
    return make_slot(up=(p,), **kw)


def at_device(p: Package, **kw) -> Slot:
    return make_slot(down=(p,), **kw)


# -- injective_agreement_server ------------------------------------------------------------------


def test_a_genuine_package1_opens_a_session_and_records_its_run():
    m = server_step(at_server(package1()), package1())
    assert marks(m) == set() and m.opened == (5,)


def test_a_forged_package1_breaks_server_agreement():
    forged = package1(sender="attacker")
    assert marks(server_step(at_server(forged), forged)) == {AGREE_S}


def test_an_untagged_package1_counts_as_forged():
    p = package1()._replace(tag=None)
    assert marks(server_step(at_server(p), p)) == {AGREE_S}


def test_a_second_session_on_the_same_run_breaks_server_agreement():
    before = at_server(package1(), mon=Monitor(opened=(5,)))
    assert marks(server_step(before, package1())) == {AGREE_S}


def test_a_session_on_the_next_run_is_fine():
    before = at_server(package1(run=6), device=DeviceData(gen=0, epoch=1, run=6), mon=Monitor(opened=(5,)))
    m = server_step(before, package1(run=6))
    assert marks(m) == set() and m.opened == (6,)  # run 5 has nothing left in the slot


def test_refusing_a_forged_package1_is_no_session():
    before = at_server(package1(sender="attacker"))
    after = before._replace(up=())
    assert monitor.watch(before, after, "server", "refuse", package1(sender="attacker")) is before.monitor


def test_a_step_with_nothing_to_judge_returns_the_monitor_itself():
    before = make_slot()
    assert monitor.watch(before, before, "device", "connect", None) is before.monitor


# -- injective_agreement_device ------------------------------------------------------------------


def test_the_servers_212_for_the_current_run_is_accepted():
    before = at_device(package2(), mon=Monitor(opened=(5,)))
    assert marks(device_step(before, package2())) == set()


def test_a_212_on_a_run_the_server_opened_no_session_on_breaks_device_agreement():
    before = at_device(package2())
    assert marks(device_step(before, package2())) == {AGREE_D}


def test_a_212_answering_another_run_breaks_device_agreement():
    before = at_device(package2(run=4), mon=Monitor(opened=(4, 5)))
    assert marks(device_step(before, package2(run=4))) == {AGREE_D}


def test_a_212_answering_another_bootstrap_breaks_device_agreement():
    before = at_device(package2(epoch=0), mon=Monitor(opened=(5,)))
    assert marks(device_step(before, package2(epoch=0))) == {AGREE_D}


def test_a_forged_212_breaks_device_agreement():
    before = at_device(package2(sender="attacker"), mon=Monitor(opened=(5,)))
    assert marks(device_step(before, package2(sender="attacker"))) == {AGREE_D}


def test_rejecting_a_forged_212_breaks_nothing():
    forged = package2(sender="attacker")
    before = at_device(forged, mon=Monitor(opened=(5,)))
    after = before._replace(down=(), device_state="idle")
    assert marks(monitor.watch(before, after, "device", "reject_server", forged)) == set()


# -- rollback_only_by_bootstrap ------------------------------------------------------------------

REBOOTSTRAPPED = DeviceData(gen=0, epoch=2, run=7)  # the card again, second bootstrap
ROTATED = AccountData(gen=1, cnonce=3)  # the server holds generation 1


def resync(p: Package, answered: int = 1, gen: int = 1, rule: str = "recognise_bootstrap") -> Monitor:
    """The server recognises a bootstrap on ``p``: the account returns from ``gen`` to g0."""
    before = at_server(p, device=REBOOTSTRAPPED, account=ROTATED._replace(gen=gen),
                       mon=Monitor(answered=answered))
    return server_step(before, p, rule=rule, gen_after=0)


def test_a_genuine_report_of_the_latest_bootstrap_returns_to_g0():
    m = resync(package1(epoch=2, run=7, report=2))
    assert marks(m) == set() and m.answered == 2


def test_the_same_report_answered_before_is_a_rollback():
    assert marks(resync(package1(epoch=2, run=7, report=2), answered=2)) == {ROLLBACK}


def test_a_report_of_an_earlier_bootstrap_is_a_rollback():
    # a recording of the first bootstrap's report: answered 0 here, so only its epoch is wrong
    assert ROLLBACK in marks(resync(package1(epoch=1, run=5, report=1), answered=0))


def test_a_forged_report_is_a_rollback():
    assert marks(resync(package1(epoch=2, report=1, sender="attacker"))) == {AGREE_S, ROLLBACK}


def test_the_rotating_resync_is_judged_alike():
    p = package1(epoch=2, run=7, report=2)
    assert marks(resync(p, answered=2, rule="recognise_bootstrap_rotating")) == {ROLLBACK}
    assert marks(resync(p, rule="recognise_bootstrap_rotating")) == set()


def test_recognising_a_bootstrap_on_g0_already_is_no_return():
    assert marks(resync(package1(epoch=2, run=7, report=2), answered=2, gen=0)) == set()


def test_keep_previous_returning_to_g0_on_a_forged_package_is_a_rollback():
    """With keep-previous the server accepts g0 as the previous secret: a Package 1 the attacker
    made with the card secret returns the account to g0 without any bootstrap."""
    forged = package1(report=1, sender="attacker")
    before = at_server(forged, account=AccountData(gen=1, previous=0), mon=Monitor(answered=1))
    assert marks(server_step(before, forged, rule="accept", gen_after=0)) == {AGREE_S, ROLLBACK}


def test_keep_previous_returning_to_g0_on_the_fresh_report_is_fine():
    p = package1(epoch=2, run=7, report=2)
    before = at_server(p, device=REBOOTSTRAPPED, account=AccountData(gen=1, previous=0),
                       mon=Monitor(answered=1))
    m = server_step(before, p, rule="accept", gen_after=0)
    assert marks(m) == set() and m.answered == 2


def test_a_return_to_g0_on_a_genuine_package_whose_report_was_lost_is_no_rollback():
    """The device of bootstrap 2 presents g0 (keep-previous holds it as the previous secret)
    without its report (stripped, or no longer sent): the return is caused by that real
    bootstrap, and it counts as the bootstrap's one return."""
    p = package1(epoch=2, run=7)
    before = at_server(p, device=REBOOTSTRAPPED, account=AccountData(gen=1, previous=0),
                       mon=Monitor(answered=1))
    m = server_step(before, p, rule="accept", gen_after=0)
    assert marks(m) == set() and m.answered == 2


def test_a_second_return_for_one_bootstrap_without_a_report_is_a_rollback():
    p = package1(epoch=2, run=7)
    before = at_server(p, device=REBOOTSTRAPPED, account=AccountData(gen=1, previous=0),
                       mon=Monitor(answered=2))
    assert marks(server_step(before, p, rule="accept", gen_after=0)) == {ROLLBACK}


def test_accepting_a_held_secret_that_is_not_g0_is_no_return():
    forged = package1(report=1, sender="attacker")
    before = at_server(forged, account=AccountData(gen=2, previous=1))
    assert marks(server_step(before, forged, rule="accept", gen_after=1)) == {AGREE_S}


def test_a_genuine_report_answered_by_a_held_secret_counts_as_answered():
    before = at_server(package1(epoch=2, run=7, report=2), device=REBOOTSTRAPPED, account=ROTATED)
    m = server_step(before, package1(epoch=2, run=7, report=2))
    assert m.answered == 2


def test_a_replayed_report_does_not_count_as_answered_until_opened():
    # the server refuses (401): nothing is answered
    p = package1(epoch=2, run=7, report=2)
    before = at_server(p, device=REBOOTSTRAPPED, account=ROTATED)
    after = before._replace(up=())
    assert monitor.watch(before, after, "server", "refuse", p).answered == 0


def test_the_answered_epoch_survives_the_device_taking_a_session():
    """The regression: the device-agreement branch overwrote ``answered`` with a truth value, so
    after a second bootstrap (answered 2 -> True == 1) a replayed report of it looked fresh."""
    before = make_slot(device=REBOOTSTRAPPED, down=(package2(epoch=2, run=7),),
                       mon=Monitor(opened=(7,), answered=2))
    m = device_step(before, package2(epoch=2, run=7))
    assert m.answered == 2 and type(m.answered) is int
    replayed = package1(epoch=2, run=7, report=2)
    again = at_server(replayed, device=REBOOTSTRAPPED, account=AccountData(gen=2), mon=m)
    assert marks(server_step(again, replayed, rule="recognise_bootstrap", gen_after=0)) == {AGREE_S, ROLLBACK}


# -- authentic_ack ------------------------------------------------------------------------------


def test_an_ack_from_a_server_that_read_the_report_is_authentic():
    p = package2(report=True, ack=True)
    before = at_device(p, mon=Monitor(opened=(5,)))
    assert marks(device_step(before, p, acked=1)) == set()


def test_an_ack_from_a_server_that_did_not_read_the_report_is_not():
    p = package2(report=False, ack=True)
    before = at_device(p, mon=Monitor(opened=(5,)))
    assert marks(device_step(before, p, acked=1)) == {ACK}


def test_an_ack_not_taken_is_not_judged():
    p = package2(report=False, ack=True)  # the device's acked does not change (e.g. bound_ack)
    before = at_device(p, mon=Monitor(opened=(5,)))
    assert marks(device_step(before, p)) == set()


def test_an_ack_answering_another_run_is_not_authentic():
    p = package2(run=4, report=True, ack=True)
    before = at_device(p, mon=Monitor(opened=(4, 5)))
    assert marks(device_step(before, p, acked=1)) == {AGREE_D, ACK}


def test_a_forged_ack_is_not_authentic():
    p = package2(sender="attacker", ack=True)
    before = at_device(p, mon=Monitor(opened=(5,)))
    assert marks(device_step(before, p, acked=1)) == {AGREE_D, ACK}


# -- secrets_stay_secret (marked by system.apply_action through monitor.secret_read) ---------------


def walk(config_name: str, labels: list[str], **overrides) -> list[Slot]:
    """The slots after each step named by ``labels`` on the executable machines (variant cr)."""
    machines = ExecutableSystem(make_config(config_name, "cr", **overrides))
    slots = []
    for label in labels:
        action = next(a for _, a in machines.actions() if a.label() == label)
        slots.append(machines.step(0, action))
    return slots


ROTATION = ["bootstrap (smartcard)", "connect", "accept_rotating"]


@pytest.mark.parametrize(("config_name", "read"), [
    ("attack-eavesdrop", True), ("attack-delay", True),  # reading needs no capability
    ("attack-card-leak-tls", False), ("default", False)])  # behind TLS; no attacker
def test_a_replace_sent_where_the_attacker_reads_breaks_secrecy(config_name, read):
    slots = walk(config_name, ROTATION)
    assert [marks(s.monitor) for s in slots[:-1]] == [set(), set()]
    assert slots[-1].down[-1].replace is not None  # the server sent the new secret
    assert marks(slots[-1].monitor) == ({SECRECY} if read else set())


def test_a_session_without_a_replace_keeps_secrecy():
    slots = walk("attack-eavesdrop", ["bootstrap (smartcard)", "connect", "accept", "take_session"],
                 rotations=0)
    assert all(p.replace is None for p in slots[2].down)
    assert [marks(s.monitor) for s in slots] == [set()] * 4


def test_the_secrecy_mark_is_one_bit_set_once():
    m = monitor.secret_read(NOTHING_SEEN)
    assert m.violated == 1 << monitor.WATCHED.index(SECRECY) and marks(m) == {SECRECY}
    assert monitor.secret_read(m) is m
    assert marks(server_step(at_server(package1(), mon=m), package1())) == {SECRECY}


# -- marks are for good --------------------------------------------------------------------------


def test_a_mark_stays_after_a_good_step():
    bad = Monitor(violated=1 << monitor.WATCHED.index(AGREE_D))
    m = server_step(at_server(package1(), mon=bad), package1())
    assert marks(m) == {AGREE_D}


# -- _still_relevant ------------------------------------------------------------------------------


def relevant(opened: tuple[int, ...], **kw) -> tuple[int, ...]:
    return monitor._still_relevant(opened, make_slot(**kw))


def test_only_the_current_run_is_kept_when_nothing_else_is_in_the_slot():
    assert relevant((5,)) == (5,)
    assert relevant((3, 5)) == (5,)
    assert relevant((3,)) == ()


def test_a_run_with_a_package_on_either_channel_is_kept():
    assert relevant((3, 5), up=(package1(run=3),)) == (3, 5)
    assert relevant((3, 5), down=(package2(run=3),)) == (3, 5)


def test_a_run_with_a_package_the_attacker_recorded_or_holds_is_kept():
    assert relevant((3, 5), attacker=AttackerState(recorded=(package1(run=3),))) == (3, 5)
    assert relevant((3, 5), attacker=AttackerState(held=("down", package2(run=3)))) == (3, 5)
    assert relevant((3, 5), attacker=AttackerState(recorded=(package1(run=4),))) == (5,)


def test_untagged_and_forged_packages_keep_no_run():
    untagged = package1(run=3)._replace(tag=None)
    assert relevant((3, 5), up=(untagged, package1(sender="attacker"))) == (5,)


def test_a_forgotten_run_is_not_reopened_while_its_package_is_in_flight():
    """A run is forgotten only when no package of it is anywhere: a replay of it still in flight
    keeps it, so opening a second session on it is still caught."""
    first = package1(run=3)
    before = make_slot(device=DeviceData(gen=0, epoch=1, run=5), up=(first, first),
                       mon=Monitor(opened=(5,)))
    m = server_step(before, first)
    assert m.opened == (3, 5)
    again = before._replace(up=(first,), monitor=m)
    assert marks(server_step(again, first)) == {AGREE_S}
