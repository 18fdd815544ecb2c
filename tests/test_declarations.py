"""What the protocol declares once and the rest derives: nonce-carrying fields, rotating twins,
rule flags, issuer namespaces, the wire's fields."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dmmodel.protocol import monitor, nonces, server
from dmmodel.protocol.config import RANGES
from dmmodel.protocol.fields import Ghost, marked
from dmmodel.protocol.messages import Origin, Package
from dmmodel.protocol.rules import MachineTable
from dmmodel.protocol.state import Monitor, Slot
from dmmodel.wire import mapping

RENAME_PACKAGE = nonces.carrier(Package)[1]
P = Package(1, cred=(1, 7), chal=11, tag=Origin("device", 1, 9))


def test_the_slot_fields_with_nonces_come_from_the_marks():
    assert [Slot._fields[i] for i in nonces.NONCE_FIELDS] == ["device", "account", "up", "down",
                                                                "attacker", "monitor"]


def test_a_package_lists_its_challenge_then_its_credential_then_its_run():
    assert nonces.NONCE_FIELDS[Slot._fields.index("up")][0]((P,)) == (11, 7, 9)


def test_renaming_keeps_what_it_does_not_change_and_sorts_the_opened_runs():
    assert RENAME_PACKAGE(P, lambda value: value) is P
    renamed = RENAME_PACKAGE(P, {7: 1, 9: 2, 11: 3}.__getitem__)
    assert (renamed.chal, renamed.cred, renamed.tag.run) == (3, (1, 1), 2)
    rename_monitor = nonces.NONCE_FIELDS[Slot._fields.index("monitor")][1]
    assert rename_monitor(Monitor(opened=(4, 9)), {4: 2, 9: 1}.__getitem__).opened == (1, 2)


def test_a_real_credential_holds_no_nonce():
    real = P._replace(cred="digest")
    assert nonces.NONCE_FIELDS[Slot._fields.index("up")][0]((real,)) == (11, 9)


def test_the_rotating_twins_are_derived_where_they_were_written():
    names = [r.name for r in server.SERVER.rules]
    assert names[names.index("refuse") + 1:names.index("refuse") + 3] == ["accept_rotating",
                                                                          "recognise_bootstrap_rotating"]
    twin = server.SERVER.rule("accept_rotating")
    assert (twin.trigger, twin.choice, twin.rotates, twin.opens) == ("receive_package1_rotating",
                                                                     "rotating", True, True)
    assert server.SERVER.rule("recognise_bootstrap_rotating").resyncs


def test_a_table_made_again_from_its_rules_derives_no_second_twin():
    again = replace(server.SERVER, rules=server.SERVER.rules)
    assert again.rules == server.SERVER.rules
    plain = MachineTable("plain", server.SERVER.states, server.SERVER.initial,
                         tuple(r for r in server.SERVER.rules if r.choice is None))
    assert [r.name for r in plain.rules] == [r.name for r in server.SERVER.rules]


def test_the_monitor_judges_the_rules_flagged_for_it():
    opens = {"accept", "accept_rotating", "recognise_bootstrap", "recognise_bootstrap_rotating"}
    assert sorted(monitor.OPENS) == sorted(opens)
    assert sorted(monitor.JOINS) == ["take_session"]


def test_issuer_namespaces_cover_every_device_a_configuration_may_have():
    most = RANGES["devices"][1]
    spaces = [nonces.issuer(i, who) for i in range(most) for who in nonces.ISSUING]
    assert sorted(spaces) == list(range(nonces.ISSUERS))
    with pytest.raises(ValueError, match="at most"):
        nonces.issuer(most, "device")


def test_every_package_field_but_the_ghosts_has_a_wire_row():
    assert marked(Package, Ghost) == ("tag",)
    rows = [f.name for f in mapping.FIELDS]
    assert sorted(rows) == sorted(set(Package._fields) - {"number", "tag"})
