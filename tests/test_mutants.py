"""Properties with teeth: every property of the model is shown catching a seeded mutant.

The rule: for each property, old and new, at least one mutant of the MODEL (one guard or effect of
a rule table changed, or a helper that a guard or effect calls, in this test only and undone after
it) that the property must catch. The real checker runs on a small configuration in which the
unmutated model holds the property, and finds the mutant violating it with a counterexample that
is replayed on the executable machines with real credentials. A mutant is a plausible bug of an
implementation, each with a one-line reason; replacing a property's predicate is not a mutant.
A new property without a mutant fails ``test_every_property_has_a_mutant``.

The security properties are tried against an attacker (``attack-replay``, ``attack-delay``) on
``cr-fresh``, the mitigation that holds there, with a mutant that undoes one of its checks; the
bounds are cut (no rotation, no re-bootstrap, no notification) where the mutant needs none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any

import pytest

from dmmodel.analysis import VariantResult, check_variant
from dmmodel.protocol import attacker, device, server, system
from dmmodel.protocol import vocabulary as v
from dmmodel.protocol.config import KEEP_PREVIOUS, Config, make_config
from dmmodel.protocol.messages import Package
from dmmodel.protocol.nonces import BOOTSTRAP_NONCE, FRESH
from dmmodel.protocol.rules import Ctx, Role
from dmmodel.protocol.state import BOOTSTRAP_GEN, AccountData, DeviceData
from dmmodel.search.checkable import property_names

ACCEPT_ROTATING = server.SERVER.rule("accept_rotating").effect  # the twin the table derives


@dataclass(frozen=True)
class Setup:
    """A small configuration: a named one from ``specs/configs``, a variant, bound overrides."""

    config: str
    variant: str
    overrides: tuple[tuple[str, Any], ...] = ()

    def make(self) -> Config:
        """The configuration to check."""
        return make_config(self.config, self.variant, **dict(self.overrides))

    @property
    def name(self) -> str:
        cut = ",".join(f"{key}={value}" for key, value in self.overrides)
        return f"{self.config}/{self.variant}" + (f"[{cut}]" if cut else "")


DEFAULT_CR = Setup("default", "cr")
# a lost package with nobody to notify the device: only its own timeout moves it on
LOSSY_QUIET = Setup("default", "cr", (("rotations", 0), ("rebootstraps", 0), ("losses", 1),
                                      ("notifications", False)))
CHALLENGE = Setup("default", "cr-challenge")
DEVICE_NONCE = Setup("default", "cr-device-nonce")
ALL_TYPES = Setup("all-types", "cr")
REPLAY_ONE_SECRET = Setup("attack-replay", "cr-fresh", (("rotations", 0), ("rebootstraps", 0)))
REPLAY_QUIET = Setup("attack-replay", "cr-fresh", (("notifications", False),))
DELAY_ONE_SECRET = Setup("attack-delay", "cr-fresh", (("rotations", 0), ("rebootstraps", 0)))
DELAY_ROTATING = Setup("attack-delay", "cr-fresh", (("rebootstraps", 0), ("notifications", False)))
TLS_ROTATING = Setup("attack-tls", "cr-fresh", (("rebootstraps", 0),))


@dataclass(frozen=True)
class RulePatch:
    """Replace the guard and/or effect of one rule of a machine table."""

    role: Role
    rule: str
    guard: Callable | None = None
    effect: Callable | None = None

    def apply(self, monkeypatch: pytest.MonkeyPatch) -> None:
        table = system.TABLES[self.role]
        changes = {k: f for k, f in (("guard", self.guard), ("effect", self.effect)) if f is not None}
        rules = tuple(replace(r, **changes) if r.name == self.rule else r for r in table.rules)
        assert rules != table.rules, f"{self.role} has no rule {self.rule!r}"
        monkeypatch.setitem(system.TABLES, self.role, replace(table, rules=rules))


@dataclass(frozen=True)
class HelperPatch:
    """Replace a helper that guards or effects call through their module (e.g. ``ack_taken``)."""

    module: ModuleType
    name: str
    replacement: Callable

    def apply(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(self.module, self.name, self.replacement)


@dataclass(frozen=True)
class Mutant:
    """A seeded bug: the property that must catch it, why it is a bug, the configuration that shows
    it, and the patches that make it."""

    prop: str
    name: str
    reason: str
    setup: Setup
    patches: tuple[RulePatch | HelperPatch, ...]


# -- the mutants' guards and effects ---------------------------------------------------------
# the helpers a mutant replaces, kept here so that the replacement can call the original

OPEN_SESSION = server.open_session
MATCHING_SECRET = server.matching_secret


def never(ctx: Ctx, data: Any, arg: Any) -> bool:
    """A guard that never holds."""
    return False


def recognise_without_resync(ctx: Ctx, a: AccountData, p: Package):
    """Recognise the bootstrap but keep the account on its current secret."""
    kept = a.gen
    a, out = server.recognise(ctx, a, p)
    return a._replace(gen=kept), out


def _keeping_previous(accept: Callable) -> Callable:
    def mutant(ctx: Ctx, a: AccountData, p: Package):
        """Accept as ``accept`` does, but keep the previous secret after the new one is used."""
        previous = a.previous
        a, out = accept(ctx, a, p)
        return a._replace(previous=previous), out

    return mutant


def _not_recording_report(accept: Callable) -> Callable:
    def mutant(ctx: Ctx, a: AccountData, p: Package):
        """Accept as ``accept`` does (acknowledging the report) without recording the report."""
        seen = a.report_seen
        a, out = accept(ctx, a, p)
        return a._replace(report_seen=seen), out

    return mutant


def rotate_without_pending(ctx: Ctx, a: AccountData, p: Package):
    """Send the Replace of a new secret without keeping it as pending."""
    a, out = ACCEPT_ROTATING(ctx, a, p)
    return a._replace(pending=None), out


def refuse_with_old_nonce(ctx: Ctx, a: AccountData, p: Package):
    """401 whose Chal repeats the nonce the server already holds."""
    return a._replace(session=None), (Package(2, status=v.STATUS_UNAUTHORIZED, chal=a.cnonce),)


def ack_of_previous_bootstrap(ctx: Ctx, d: DeviceData, p: Package) -> bool:
    """The bound acknowledgement compared with the bootstrap before the latest (off by one)."""
    return p.ack is not None and (not ctx.variant.bound_ack or p.ack == d.epoch - 1)


def close_recording_smartcard(ctx: Ctx, a: AccountData, p: Package):
    """Close the session, recording every reported bootstrap type as a smart card."""
    a, out = server.close_session(ctx, a, p)
    if p.type_result is not None:
        a = a._replace(known_type=(v.BootstrapType.SMARTCARD.value, p.type_result[1]))
    return a, out


def open_keeping_nonce(ctx: Ctx, a: AccountData, p: Package, gen: int, how: str, rotate: bool):
    """Open the session but send the nonce already held as NextNonce, not a fresh one."""
    nonce = a.cnonce
    a, (reply,) = OPEN_SESSION(ctx, a, p, gen, how, rotate)
    return a._replace(cnonce=nonce), (reply._replace(chal=nonce),)


def matching_over_bootstrap_nonce(ctx: Ctx, a: AccountData, p: Package) -> tuple[int, str] | None:
    """The held secret the credential was made from, over the issued nonce or the provisioned one."""
    found = MATCHING_SECRET(ctx, a, p)
    if found is not None or (ctx.variant.challenge and a.cnonce == BOOTSTRAP_NONCE):
        return found
    candidates = [(a.gen, "current")]
    if ctx.variant.rotation == KEEP_PREVIOUS:
        candidates += [(a.pending, "pending"), (a.previous, "previous")]
    for gen, how in candidates:
        if gen is not None and p.cred == ctx.crypto.client(ctx.index, gen, BOOTSTRAP_NONCE):
            return gen, how
    return None


def report_over_provisioned_nonce(ctx: Ctx, a: AccountData, p: Package) -> bool:
    """A report and a credential of the bootstrap secret over the provisioned nonce, with or
    without a challenge (the challenge's check left out)."""
    return p.report is not None and p.cred == ctx.crypto.client(ctx.index, BOOTSTRAP_GEN,
                                                                 BOOTSTRAP_NONCE)


def report_over_provisioned_nonce_rotating(ctx: Ctx, a: AccountData, p: Package) -> bool:
    """As ``report_over_provisioned_nonce``, while a rotation may still be issued."""
    return server.can_rotate(ctx, a) and report_over_provisioned_nonce(ctx, a, p)


def any_report(ctx: Ctx, a: AccountData, p: Package) -> bool:
    """A report, whatever the credential."""
    return p.report is not None


def any_report_rotating(ctx: Ctx, a: AccountData, p: Package) -> bool:
    """A report, whatever the credential, while a rotation may still be issued."""
    return server.can_rotate(ctx, a) and p.report is not None


def any_server_credential(ctx: Ctx, d: DeviceData, p: Package) -> bool:
    """Status 212, whatever the server's credential."""
    return p.status == v.STATUS_AUTHENTICATED


def run_keeping_nonce(ctx: Ctx, d: DeviceData) -> DeviceData:
    """A new session run that keeps the device's nonce of the last one."""
    return d._replace(run=FRESH)


def timeout_dropping_rotation(ctx: Ctx, a: AccountData, arg: Any):
    """Stop waiting, and forget the secret the session's Replace sent."""
    return a._replace(session=None, pending=None), ()


def replace_outside_tls(settings, sent: tuple[Package, ...]) -> bool:
    return any(p.replace is not None for p in sent)


D, S = Role.DEVICE, Role.SERVER
MUTANTS = (
    Mutant("sound_authentication", "bootstrap-without-resync",
           "the server accepts the bootstrap secret but leaves the account on the rotated one",
           DEFAULT_CR, (RulePatch(S, "recognise_bootstrap", effect=recognise_without_resync),)),
    Mutant("no_rollback", "previous-kept-after-use",
           "keep-previous never drops the old secret, so it is accepted after the new one was used",
           CHALLENGE, (RulePatch(S, "accept", effect=_keeping_previous(server.accept)),
                       RulePatch(S, "accept_rotating",
                                 effect=_keeping_previous(ACCEPT_ROTATING)))),
    Mutant("ack_for_real_bootstrap", "ack-without-recording-report",
           "the server acknowledges a report on a held secret without recording that it saw it",
           DEFAULT_CR, (RulePatch(S, "accept", effect=_not_recording_report(server.accept)),
                        RulePatch(S, "accept_rotating",
                                  effect=_not_recording_report(ACCEPT_ROTATING)))),
    Mutant("secrets_agree", "replace-without-pending",
           "the server sends a new secret in a Replace and forgets it, so the two sides drift apart",
           DEFAULT_CR, (RulePatch(S, "accept_rotating", effect=rotate_without_pending),)),
    Mutant("no_stuck_state", "device-never-times-out",
           "the device waits for an answer forever, so a lost Package 1 leaves nothing to do",
           LOSSY_QUIET, (RulePatch(D, "timeout", guard=never),)),
    Mutant("no_auth_deadlock", "401-repeats-old-nonce",
           "a 401 repeats the server's old nonce, so a challenged report is refused for ever",
           CHALLENGE, (RulePatch(S, "refuse", effect=refuse_with_old_nonce),)),
    Mutant("bootstrap_acknowledged", "bound-ack-off-by-one",
           "the device compares the acknowledgement with the bootstrap before its latest",
           DEVICE_NONCE, (HelperPatch(device, "ack_taken", ack_of_previous_bootstrap),)),
    Mutant("bootstrap_type_known", "type-always-smartcard",
           "the server records every bootstrap as a smart card one, whatever the device reports",
           ALL_TYPES, (RulePatch(S, "close", effect=close_recording_smartcard),)),
    Mutant("injective_agreement_server", "nextnonce-repeats",
           "the server's NextNonce repeats the nonce it held, so a recorded Package 1 is valid again",
           REPLAY_ONE_SECRET, (HelperPatch(server, "open_session", open_keeping_nonce),)),
    Mutant("injective_agreement_server", "bootstrap-nonce-accepted",
           "the server also takes a credential over the provisioned nonce, a nonce it never issued",
           REPLAY_ONE_SECRET, (HelperPatch(server, "matching_secret", matching_over_bootstrap_nonce),)),
    Mutant("injective_agreement_device", "any-server-credential",
           "the device takes a 212 without checking the server's credential (a replayed one too)",
           REPLAY_ONE_SECRET, (RulePatch(D, "take_session", guard=any_server_credential),)),
    Mutant("injective_agreement_device", "device-nonce-kept",
           "the device does not renew its nonce per session, so a held-back 212 passes in a later one",
           DELAY_ONE_SECRET, (HelperPatch(device, "new_run", run_keeping_nonce),)),
    Mutant("authentic_ack", "device-nonce-kept",
           "with the device nonce kept, a held-back 212 of an earlier run acknowledges the report",
           DELAY_ONE_SECRET, (HelperPatch(device, "new_run", run_keeping_nonce),)),
    Mutant("rollback_only_by_bootstrap", "challenge-skipped",
           "the server recognises a report over the provisioned nonce, so a replay resets the secret",
           REPLAY_QUIET, (RulePatch(S, "recognise_bootstrap", guard=report_over_provisioned_nonce),
                          RulePatch(S, "recognise_bootstrap_rotating",
                                    guard=report_over_provisioned_nonce_rotating))),
    Mutant("rollback_only_by_bootstrap", "report-without-secret",
           "the server recognises a report without checking the bootstrap secret it comes with",
           REPLAY_QUIET, (RulePatch(S, "recognise_bootstrap", guard=any_report),
                          RulePatch(S, "recognise_bootstrap_rotating", guard=any_report_rotating))),
    Mutant("secrets_stay_secret", "replace-outside-tls",
           "the new AAuthSecret is sent outside the TLS session (a plain push), where anyone reads it",
           TLS_ROTATING, (HelperPatch(attacker, "reads", replace_outside_tls),)),
    Mutant("recovers_after_attack", "timeout-drops-rotation",
           "a timed-out session forgets the new secret, so a held-back Package 3 locks the device out",
           DELAY_ROTATING, (RulePatch(S, "timeout", effect=timeout_dropping_rotation),)),
)


def _check(setup: Setup, properties: list[str]) -> VariantResult:
    """Check ``properties`` on ``setup`` with the model as it is now (patched or not); every
    counterexample is replayed on the executable machines, which raises if they diverge."""
    return check_variant(setup.make(), properties)


SETUPS = {m.setup: sorted({n.prop for n in MUTANTS if n.setup == m.setup}) for m in MUTANTS}


@pytest.mark.parametrize("setup", SETUPS, ids=lambda s: s.name)
def test_unmutated_model_holds_what_its_mutants_break(setup):
    result = _check(setup, SETUPS[setup])
    assert result.result.complete
    assert {v.property.name: v.holds for v in result.verdicts} == dict.fromkeys(SETUPS[setup], True)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: f"{m.prop}-{m.name}")
def test_property_catches_mutant(mutant, monkeypatch):
    for patch in mutant.patches:
        patch.apply(monkeypatch)
    result = _check(mutant.setup, [mutant.prop])
    verdict = result.verdict(mutant.prop)
    assert verdict.holds is False, f"{mutant.prop} misses {mutant.name}: {mutant.reason}"
    steps = verdict.counterexample.steps[1:]
    assert steps, "a counterexample leads somewhere from the initial state"
    # check_variant replays it on the transitions machines and raises if they diverge
    assert len(result.traces[mutant.prop]) == len(steps)


def test_every_property_has_a_mutant():
    assert {m.prop for m in MUTANTS} == set(property_names())
