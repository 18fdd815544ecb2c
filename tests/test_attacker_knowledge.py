"""The Dolev-Yao attacker: what it reads, what it builds from it, and TLS.

Step by step on hand-built slots, then through the checker: without TLS an eavesdropper's attack
is found on every variant; under TLS the attacker reads nothing and cannot move a package into a
later HTTP exchange, so the states differ from the delay attacker's. Two seeded mutants of the
attacker (it never learns; it holds packages across exchanges under TLS) must be caught.
"""

from dataclasses import replace

import pytest

from dmmodel.analysis import check_presets
from dmmodel.checker import check
from dmmodel.protocol import attacker, monitor
from dmmodel.protocol.config import ATTACKERS, PRESETS, Config, load_bounds, make_config
from dmmodel.protocol.crypto import SymbolicCrypto
from dmmodel.protocol.forgetting import forget
from dmmodel.protocol.messages import FORGED, Package
from dmmodel.protocol.nonces import BOOTSTRAP_NONCE
from dmmodel.protocol.state import AccountData, AttackerState, DeviceData, Slot
from dmmodel.search.checkable import DMModel

EAVESDROP, CARD, NETWORK = ATTACKERS["eavesdrop"], ATTACKERS["card-leak"], ATTACKERS["network"]
TLS = replace(NETWORK, tls=True)
ROTATION = Package(2, status=212, chal=3, cred=(0, 1), replace=1)


def slot(intruder: AttackerState, cnonce: int = 5, snonce: int = 6, up=(), down=()) -> Slot:
    return Slot("awaiting_auth", DeviceData(gen=0, epoch=1, snonce=snonce, run=2), "idle",
                AccountData(gen=1, cnonce=cnonce), up, down, (1, 0, 0), intruder)


def test_a_replace_in_clear_teaches_the_new_secret():
    assert attacker.reads(EAVESDROP, (ROTATION,))
    learnt = attacker.learn(AttackerState(left=1), (ROTATION,), EAVESDROP)
    assert learnt.secrets == (1,)


@pytest.mark.parametrize("why", ["tls", "no forge", "no budget", "no replace"])
def test_nothing_is_kept_that_cannot_be_read_or_used(why):
    """Under TLS or without a Replace nothing is learnt; what is learnt but can never be used
    is forgotten by the step (``forgetting.forget``)."""
    settings, a, sent = EAVESDROP, AttackerState(left=1), (ROTATION,)
    if why == "tls":
        settings = replace(NETWORK, tls=True)
    elif why == "no forge":
        settings = ATTACKERS["replay"]
    elif why == "no budget":
        a = AttackerState(left=0)
    else:
        sent = (ROTATION._replace(replace=None),)
    assert forget(attacker.learn(a, sent, settings), settings) == a
    if why in ("tls", "no replace"):
        assert attacker.learn(a, sent, settings) == a


def test_the_secrecy_mark_is_set_whoever_reads():
    m = monitor.secret_read(slot(AttackerState()).monitor)
    assert monitor.violated(m, monitor.SECRECY)
    assert not attacker.reads(TLS, (ROTATION,))
    assert attacker.reads(ATTACKERS["delay"], (ROTATION,))  # reading needs no capability


def test_a_learnt_secret_makes_a_package_the_server_takes():
    s = slot(AttackerState(left=1, secrets=(1,)))
    names = attacker.forgeries(EAVESDROP, PRESETS["cr-fresh-hmac"], s)
    assert "Pkg1, g1 over the server's nonce" in names
    assert "Pkg2 212, g1 over the device's nonce" in names
    assert not any("bootstrap nonce" in n for n in names)  # the card did not leak
    forged = attacker.forge("Pkg1, g1 over the server's nonce", s, SymbolicCrypto(), 0)
    assert forged.cred == (1, s.account.cnonce) and forged.tag == FORGED and forged.report is None


def test_a_nonce_never_sent_in_clear_is_not_known():
    s = slot(AttackerState(left=1, secrets=(1,)), cnonce=BOOTSTRAP_NONCE, snonce=BOOTSTRAP_NONCE)
    assert attacker.forgeries(EAVESDROP, PRESETS["cr"], s) == ["Pkg3 confirming a Replace"]
    card = attacker.forgeries(CARD, PRESETS["cr"], s._replace(attacker=AttackerState(left=1, secrets=(0,))))
    assert "Pkg1 + report, g0 over the bootstrap nonce" in card


def test_under_tls_only_the_card_holder_forges_and_only_over_the_provisioned_nonce():
    card_tls = replace(CARD, tls=True)
    s = slot(AttackerState(left=1, secrets=(0,)))
    names = attacker.forgeries(card_tls, PRESETS["cr"], s)
    assert names and all(n.endswith("over the bootstrap nonce") for n in names)


def test_under_tls_only_a_notification_can_be_held():
    http, notification = Package(1, alert=1201, cred=(0, 0)), Package(0, cred=(0, 0))
    assert not attacker.holds_back(TLS, http) and attacker.holds_back(TLS, notification)
    assert attacker.holds_back(ATTACKERS["delay"], http)


def test_the_last_active_step_forgets_what_can_no_longer_be_used():
    package = Package(1, alert=1201, cred=(0, 0))
    s = slot(AttackerState(recorded=(package,), left=1, secrets=(1,)), up=(package,))
    after = attacker.attack(s, "drop", "up", None, SymbolicCrypto(), 0)
    assert after.attacker == AttackerState(recorded=(package,), left=0, secrets=(1,))  # it knows...
    after = after._replace(attacker=forget(after.attacker, EAVESDROP))
    assert after.attacker == AttackerState(left=0)  # ...but the step forgets what it cannot use
    options = attacker.options(after._replace(up=(package,)), make_config("attack-replay").bounds,
                               PRESETS["cr"])
    assert options == []  # no budget: not even a recording, which no replay could use


def verdicts(config: str, variants: list[str], properties: list[str]) -> dict[str, dict[str, bool]]:
    """Fresh checks of ``properties``, of the model as it is now (patched or not)."""
    return {r.variant: {v.property.name: v.holds for v in r.verdicts}
            for r in check_presets(config, variants, properties)}


@pytest.mark.slow
def test_the_eavesdropper_attack_is_found_on_every_variant(checks):
    for variant in PRESETS:
        holds = checks.holds("attack-eavesdrop", variant)
        assert not holds["injective_agreement_server"] and not holds["secrets_stay_secret"], variant


def states(config: str, variant: str) -> int:
    """States of a fresh check of the model as it is now (patched or not)."""
    return check(DMModel(make_config(config, variant)), []).states


@pytest.mark.slow
def test_tls_is_not_delay(checks):
    tls, delay = (checks.entry(config, "cr-fresh")["states"] for config in ("attack-tls", "attack-delay"))
    assert tls != delay
    assert checks.holds("attack-tls", "cr-fresh")["secrets_stay_secret"]


def test_mutant_attacker_that_never_learns_is_caught(monkeypatch):
    monkeypatch.setattr(attacker, "learn", lambda a, sent, settings: a)
    found = verdicts("attack-eavesdrop", ["cr-fresh-hmac"], ["injective_agreement_server"])
    assert found["cr-fresh-hmac"]["injective_agreement_server"] is True  # the attack is missed


@pytest.mark.slow
def test_mutant_holding_across_exchanges_under_tls_is_caught(monkeypatch, checks):
    """Holding a package across exchanges under TLS makes TLS the delay attacker: the same
    graph. (Without TLS the mutant changes nothing, so the delay attacker's unpatched count,
    taken before the patch, is the one to compare with.)"""
    honest = checks.entry("attack-tls", "cr-fresh")["states"]
    delay = checks.entry("attack-delay", "cr-fresh")["states"]
    monkeypatch.setattr(attacker, "holds_back", lambda profile, package: profile.hold)
    assert states("attack-tls", "cr-fresh") == delay != honest


def test_under_tls_the_card_holder_reads_only_answers_on_its_own_connection():
    card_tls = replace(CARD, tls=True)
    forged = Package(1, alert=1201, cred=(0, 0), report=1, tag=FORGED)
    refusal = (Package(2, status=401, chal=7),)
    a = AttackerState(left=1, secrets=(0,))
    assert attacker.hears_answer(a, card_tls, forged, refusal).own_answer
    genuine = forged._replace(tag=None)
    assert not attacker.hears_answer(a._replace(own_answer=True), card_tls, genuine, refusal).own_answer
    s = slot(attacker.hears_answer(a, card_tls, forged, refusal))
    assert "Pkg1 + report, g0 over the server's nonce" in attacker.forgeries(card_tls, PRESETS["cr"], s)
    assert attacker.hears_answer(a, NETWORK, forged, refusal) == a  # without TLS it reads all anyway


@pytest.mark.slow
def test_a_card_holder_behind_tls_needs_two_steps_against_cr_fresh():
    """Its own session: a forged report is challenged on its own connection, and the answer over
    that nonce returns the account to the card secret. Budget 1 is not enough, 2 is."""
    _, bounds = load_bounds("attack-card-leak")
    for budget, holds in ((1, True), (2, False)):
        tls = replace(bounds, attacker=replace(bounds.attacker, tls=True, budget=budget))
        result = check(DMModel(Config("card-leak-tls", tls, PRESETS["cr-fresh"]),
                               properties=["rollback_only_by_bootstrap"]))
        assert result.verdicts[0].holds is holds, budget
