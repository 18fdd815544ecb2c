"""Judging the judge: seeded mutants of the parts that decide verdicts beyond the rule tables.

``test_mutants.py`` mutates the rule tables and shows each property catching a mutant. Here the
mutants are in what judges the rules: the ghost monitor, the attacker, the renaming of nonces,
the compiled slot encoding, and the verdict caches of slot predicates. Each is a plausible bug
(with a one-line reason), made by monkeypatching in this test only; each names a *catcher*, a
check that runs the real checker or real steps and passes on the unmutated model
(``test_catchers_pass_on_the_model``), and must fail under the mutant. A mutant no catcher
catches fails ``test_mutant_is_caught`` and is a finding, not something to hide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import test_attacker
from shared import CHECKS

from dmmodel.checker import CheckResult, check
from dmmodel.protocol import attacker, monitor, nonces, properties, system
from dmmodel.protocol.config import make_config
from dmmodel.protocol.messages import Package
from dmmodel.protocol.nonces import BOOTSTRAP_NONCE
from dmmodel.protocol.properties import GOALS, INVARIANTS
from dmmodel.protocol.state import Monitor, Slot
from dmmodel.runtime.machines import ExecutableSystem
from dmmodel.search import compiled
from dmmodel.search.checkable import DMModel
from dmmodel.testing.trace_judge import TraceJudge

SECURITY = set(monitor.WATCHED)
AGREE_S, AGREE_D = monitor.SERVER_AGREEMENT, monitor.DEVICE_AGREEMENT
ROLLBACK, ACK, SECRECY = monitor.ROLLBACK, monitor.AUTHENTIC_ACK, monitor.SECRECY


def marks(m: Monitor) -> set[str]:
    return {name for name in monitor.WATCHED if monitor.violated(m, name)}


# -- catchers: checks on the real checker or real steps ----------------------------------------------


def walk(config_name: str, variant: str, labels: list[str], **overrides: Any) -> list[Slot]:
    """Take the steps named by ``labels`` (``Action.label``) on the executable machines; the
    slots after each step."""
    machines = ExecutableSystem(make_config(config_name, variant, **overrides))
    slots = []
    for label in labels:
        found = [a for _, a in machines.actions() if a.label() == label]
        assert found, f"{label!r} is not enabled; enabled: {[a.label() for _, a in machines.actions()]}"
        slots.append(machines.step(0, found[0]))
    return slots


ROTATE = ["connect", "accept_rotating", "take_session", "close", "close"]
# two rotations, the second in the session that answers the re-bootstrap's report; the recorded
# Package 1 of that session (report, card secret over the bootstrap nonce) is replayed after it
REPLAY_AFTER_TWO_ROTATIONS = ["bootstrap (smartcard)", *ROTATE, "rebootstrap (smartcard)", "connect",
                              "record to server", "recognise_bootstrap_rotating", "take_session", "close",
                              "close", "replay recording 1 to server", "recognise_bootstrap"]
# the first session's Package 1 recorded, replayed while the device is in its next run
REPLAY_INTO_THE_NEXT_RUN = ["bootstrap (smartcard)", "connect", "record to server", "accept_rotating",
                            "take_session", "close", "close", "connect", "replay recording 1 to server",
                            "accept", "take_session", "recognise_bootstrap"]


def read_from(slots: list[Slot], labels: list[str]) -> list[set[str]]:
    """The secrecy marks expected along a path without TLS: none before the first step that sends
    a Replace (the server's rotating rules), and from it on."""
    first = next((i for i, label in enumerate(labels) if label.endswith("rotating")), len(labels))
    assert all(p.replace is None for s in slots[:first] for p in s.down)
    return [set()] * first + [{SECRECY}] * (len(labels) - first)


def replayed_report_after_two_rotations() -> None:
    """The replay of an answered report returns the account to g0: a rollback and a second
    session on one run, marked on that step and not before (the rotations' secrets were read)."""
    slots = walk("attack-replay", "cr", REPLAY_AFTER_TWO_ROTATIONS, rotations=2)
    read = read_from(slots, REPLAY_AFTER_TWO_ROTATIONS)
    assert [marks(s.monitor) for s in slots[:-1]] == read[:-1]
    assert slots[-2].account.gen == 2 and slots[-1].account.gen == 0
    assert marks(slots[-1].monitor) == {AGREE_S, ROLLBACK, SECRECY}


# a 212 of the first bootstrap's session recorded, replayed to the device after a re-bootstrap
REPLAYED_ACK = ["bootstrap (smartcard)", "connect", "accept", "record to device", "rebootstrap (smartcard)",
                "connect", "replay recording 1 to device", "take_session"]


def replayed_ack() -> None:
    """The device takes a recorded 212 of its first bootstrap, with its acknowledgement, in its
    session after a re-bootstrap: neither the 212 nor the acknowledgement is authentic."""
    slots = walk("attack-replay", "cr", REPLAYED_ACK)
    assert slots[-1].device.acked == 2 and marks(slots[-2].monitor) == set()
    assert marks(slots[-1].monitor) == {AGREE_D, ACK}


def replay_into_the_next_run() -> None:
    """A Package 1 of a run that only the attacker still holds, replayed after the device moved
    on, opens a second session on that run."""
    slots = walk("attack-replay", "cr", REPLAY_INTO_THE_NEXT_RUN)
    assert marks(slots[-2].monitor) == {SECRECY}
    assert AGREE_S in marks(slots[-1].monitor)


# the device's Package 1 with its report, the report stripped on the way; the server opens on it
STRIPPED_REPORT = ["bootstrap (smartcard)", "connect", "edit to server: strip report", "accept"]
# with the card secret, after a rotation (keep-previous): a Package 1 made with g0 over the
# server's nonce (read in clear in its last Chal) is accepted as the previous secret, and the
# account is back on g0
CARD_SECRET_AS_PREVIOUS = ["bootstrap (smartcard)", "connect", "accept_rotating", "take_session", "close",
                           "forge to server: Pkg1 + report, g0 over the server's nonce", "accept"]
# behind TLS the same session's rotation is read by nobody, but the card holder's own Package 1,
# made with g0 over the provisioned nonce, is recognised as a bootstrap: back on g0, secret kept
ROTATION_BEHIND_TLS = ["bootstrap (smartcard)", "connect", "accept_rotating", "take_session", "close",
                       "forge to server: Pkg1 + report, g0 over the bootstrap nonce", "recognise_bootstrap"]
LABELLED = [("attack-replay", "cr", REPLAY_AFTER_TWO_ROTATIONS, {"rotations": 2}),
            ("attack-replay", "cr", REPLAYED_ACK, {}), ("attack-replay", "cr", REPLAY_INTO_THE_NEXT_RUN, {}),
            ("attack-edit", "cr", STRIPPED_REPORT, {}),
            ("attack-card-leak", "cr-keep-previous", CARD_SECRET_AS_PREVIOUS, {}),
            ("attack-card-leak-tls", "cr-keep-previous", ROTATION_BEHIND_TLS, {})]


def card_secret_as_previous() -> None:
    """With the card secret, the account returns to g0 after a rotation without a bootstrap:
    a rollback (and a session on a forged Package 1)."""
    slots = walk("attack-card-leak", "cr-keep-previous", CARD_SECRET_AS_PREVIOUS)
    assert slots[-2].account.gen == 1 and slots[-1].account.gen == 0
    assert marks(slots[-2].monitor) == {SECRECY} and marks(slots[-1].monitor) == {AGREE_S, ROLLBACK, SECRECY}


def card_secret_behind_tls() -> None:
    """Behind TLS the rotation's secret is not read, yet the card secret returns the account to g0
    through a forged bootstrap report: marked on that step, without secrecy."""
    slots = walk("attack-card-leak-tls", "cr-keep-previous", ROTATION_BEHIND_TLS)
    assert slots[2].down[-1].replace is not None  # the Replace was sent
    assert [marks(s.monitor) for s in slots[:-1]] == [set()] * (len(slots) - 1)
    assert slots[-1].account.gen == 0 and marks(slots[-1].monitor) == {AGREE_S, ROLLBACK}


def judges_agree_on_labelled_paths() -> None:
    """On each labelled path the trace judge, which decides from the path alone, finds violated
    what the monitor has marked, step by step; between them the paths break every property."""
    broken = set()
    for config_name, variant, labels, overrides in LABELLED:
        config = make_config(config_name, variant, **overrides)
        machines = ExecutableSystem(config)
        judge = TraceJudge(config.bounds.attacker)
        for label in labels:
            action = next(a for _, a in machines.actions() if a.label() == label)
            before = machines.slots[0]
            after = machines.step(0, action)
            assert judge.step(before, action, after) == marks(after.monitor), (variant, label, judge.why)
        broken |= judge.violated
    assert broken == SECURITY


def verdicts(result: CheckResult) -> dict[str, bool | None]:
    return {v.property.name: v.holds for v in result.verdicts}


def _unmutated(config_name: str, variant: str) -> dict[str, bool | None]:
    """The verdicts of the unmutated model: the session's shared check (``tests/shared.py``),
    asked for before any patch (``test_mutant_is_caught``)."""
    return CHECKS.holds(config_name, variant)


EDIT_VARIANTS = ("cr", "dm12", "cr-server-dm12-device")
PREDICATES = [*(i.check for i in INVARIANTS), *(g.applies for g in GOALS), *(g.goal for g in GOALS)]


def edit_profile() -> None:
    """Under edits, for the change request, DM 1.2 and a change-request server with a DM 1.2
    device: the verdicts are the unmutated model's (between them all four security properties
    fail), and every predicate's cached verdicts (cached per value of the fields it declares)
    are its verdicts evaluated directly on every slot."""
    failing = set()
    for variant in EDIT_VARIANTS:
        model = DMModel(make_config("attack-edit", variant))
        found = verdicts(check(model))
        assert found == _unmutated("attack-edit", variant), variant
        failing |= {name for name, holds in found.items() if holds is False}
        slots = model.slots
        for predicate in PREDICATES:
            direct = [int(bool(predicate(slot))) for slot in slots]
            assert list(model.slot_test(predicate)) == direct, (variant, predicate.__name__)
    assert failing >= SECURITY


def benign_cr_holds() -> None:
    """On a benign network the change request keeps every property."""
    assert set(verdicts(check(DMModel(make_config("default", "cr")))).values()) == {True}


def fresh_survives_delay() -> None:
    """The mitigation keeps every property under drop and hold (a search without re-bootstrap),
    but secrecy: without TLS the rotated secret is read, whatever the attacker can do."""
    result = check(DMModel(make_config("attack-delay", "cr-fresh", notifications=False, rebootstraps=0)))
    found = verdicts(result)
    assert found.pop(SECRECY) is False
    assert set(found.values()) == {True}


def attacker_steps() -> None:
    """The attacker's steps as ``tests/test_attacker.py`` pins them (run here under the mutant)."""
    test_attacker.test_replay_spends_budget_until_none_is_left()
    for name in test_attacker.EDITED:
        test_attacker.test_an_edit_changes_what_it_names_keeps_the_place_and_is_the_attackers(name)


CATCHERS: tuple[Callable[[], None], ...] = (
    replayed_report_after_two_rotations, replayed_ack, replay_into_the_next_run, card_secret_as_previous,
    card_secret_behind_tls, edit_profile,
    benign_cr_holds, fresh_survives_delay, attacker_steps, judges_agree_on_labelled_paths,
)


# -- the mutants ------------------------------------------------------------------------------------

WATCH = monitor.watch
STILL_RELEVANT = monitor._still_relevant
ATTACK = attacker.attack


def _bit(name: str) -> int:
    return 1 << monitor.WATCHED.index(name)


def watch_overwriting_answered(before, after, role, rule, taken):
    """The bug fixed in monitor.watch: after the device takes a session, ``answered`` holds
    whether the 212 answered its run (a truth value) instead of the epoch answered."""
    m = WATCH(before, after, role, rule, taken)
    if role == "device" and rule == "take_session":
        origin, d = taken.tag, before.device
        answers_run = origin is not None and origin.sender == "server" and origin.run == d.run
        m = m._replace(answered=answers_run)
    return m


def watch_never_marking_rollback(before, after, role, rule, taken):
    """Rollbacks are never marked (the return to g0 is not judged at all)."""
    m = WATCH(before, after, role, rule, taken)
    return m._replace(violated=m.violated & ~_bit(ROLLBACK)) if m.violated & _bit(ROLLBACK) else m


def watch_judging_recognitions_only(before, after, role, rule, taken):
    """Returns to g0 are judged only when the server recognises a bootstrap, not when it accepts
    g0 as the previous secret (the monitor before the fix)."""
    m = WATCH(before, after, role, rule, taken)
    recognises = rule in ("recognise_bootstrap", "recognise_bootstrap_rotating")
    if recognises or after.monitor.violated & _bit(ROLLBACK):
        return m
    return m._replace(violated=m.violated & ~_bit(ROLLBACK))


def watch_counting_each_delivery_as_fresh(before, after, role, rule, taken):
    """The server's sessions are judged as if no run had been opened before: a replayed genuine
    Package 1 is accepted as a first session (injectivity not checked)."""
    if role != "server":
        return WATCH(before, after, role, rule, taken)
    kept = after.monitor.opened
    m = WATCH(before, after._replace(monitor=after.monitor._replace(opened=())), role, rule, taken)
    opened = tuple(sorted({*kept, *m.opened}))
    return m._replace(opened=STILL_RELEVANT(opened, after) if opened else ())


def watch_ack_only_when_named(before, after, role, rule, taken):
    """An acknowledgement counts as taken only when it names the bootstrap (``Package.ack``,
    which only bound-ack servers send): the old test, missing every plain Status 200."""
    if role == "device" and rule == "take_session" and taken is not None and taken.ack is None:
        return WATCH(before, after._replace(device=after.device._replace(acked=before.device.acked)),
                     role, rule, taken)
    return WATCH(before, after, role, rule, taken)


def reads_under_tls(settings, sent):
    """The attacker reads a Replace even behind TLS."""
    return any(p.replace is not None for p in sent)


def relevant_without_the_attacker(opened: tuple[int, ...], slot: Slot) -> tuple[int, ...]:
    """Runs are kept for packages in the channels only, not for those the attacker holds."""
    return STILL_RELEVANT(opened, slot._replace(attacker=None))


def attack_replaying_for_free(slot, kind, channel, arg, crypto, index):
    """A replay spends no budget."""
    after = ATTACK(slot, kind, channel, arg, crypto, index)
    if kind == "replay":
        after = after._replace(attacker=after.attacker._replace(left=after.attacker.left + 1))
    return after


def attack_editing_under_the_senders_tag(slot, kind, channel, arg, crypto, index):
    """An edited package keeps its sender's origin tag: the ghost is in the attacker's reach."""
    after = ATTACK(slot, kind, channel, arg, crypto, index)
    if kind == "edit":
        head: Package = getattr(slot, channel)[0]
        queue = getattr(after, channel)
        after = after._replace(**{channel: (queue[0]._replace(tag=head.tag), *queue[1:])})
    return after


def renaming_merging(found):
    """Values are named by first occurrence, but the third and later share one name."""
    names = {BOOTSTRAP_NONCE: BOOTSTRAP_NONCE}
    for value in found:
        if value not in names:
            names[value] = min(len(names), 3)
    return names


def renaming_the_bootstrap_nonce(found):
    """Every value is named by first occurrence, the provisioned bootstrap nonce included."""
    names: dict[int, int] = {}
    identity = True
    for value in found:
        if value not in names:
            names[value] = len(names) + 1
            identity = identity and value == len(names)
    return None if identity else names


class KeyedOnPartOnly(dict):
    """A cache of renamed parts keyed on the part's id alone, not on its new values."""

    def get(self, key, default=None):
        return super().get(key[0], default)

    def __setitem__(self, key, value):
        super().__setitem__(key[0], value)


COMPILED_INIT = compiled.CompiledSystem.__init__


def compiled_with_stale_renamings(self, config):
    COMPILED_INIT(self, config)
    self.renamed = tuple(KeyedOnPartOnly() for _ in self.renamed)


def entry_ignoring_the_argument(self, role, trigger, ctl, data, arg):
    """The rule cache keys a choice on the machine's data but not on the package it takes."""
    key = (role, trigger, ctl, id(data))
    entry = self._cache.get(key)
    if entry is None:
        rule = next((rule for rule in self.dispatch.get((role, ctl, trigger), ())
                     if rule.guard(self.ctxs[role], data, arg)), None)
        entry = self._cache[key] = [data, rule, None]
    return entry


@dataclass(frozen=True)
class Patch:
    """Set ``target.name`` to ``value`` for the test."""

    target: Any
    name: str
    value: Any


@dataclass(frozen=True)
class Mutant:
    """A seeded bug: where it is, why it is a bug, its patches, and the catcher that must fail."""

    part: str
    name: str
    reason: str
    patches: tuple[Patch, ...]
    catcher: Callable[[], None]


def _reads(predicate, *fields: str) -> Patch:
    return Patch(predicate, "reads", fields)


MUTANTS = (
    Mutant("monitor", "answered-overwritten", "the answered report epoch is overwritten by a truth value "
           "when the device takes a session (the bug fixed in monitor.watch)",
           (Patch(system, "watch", watch_overwriting_answered),), replayed_report_after_two_rotations),
    Mutant("monitor", "rollback-never-marked", "a return to g0 on a replayed report is never marked",
           (Patch(system, "watch", watch_never_marking_rollback),), edit_profile),
    Mutant("monitor", "rollback-on-recognition-only", "a return to g0 through keep-previous's previous "
           "secret is not judged", (Patch(system, "watch", watch_judging_recognitions_only),),
           card_secret_as_previous),
    Mutant("monitor", "replays-are-fresh", "a replayed genuine Package 1 counts as a new session",
           (Patch(system, "watch", watch_counting_each_delivery_as_fresh),),
           replayed_report_after_two_rotations),
    Mutant("monitor", "ack-only-when-named", "a plain Status 200 on the report is not seen as an "
           "acknowledgement taken", (Patch(system, "watch", watch_ack_only_when_named),), replayed_ack),
    Mutant("monitor", "secret-never-marked", "a Replace read by the attacker is never marked",
           (Patch(system, "secret_read", lambda m: m),), replayed_report_after_two_rotations),
    Mutant("monitor", "secret-read-behind-tls", "a Replace sent behind TLS counts as read",
           (Patch(attacker, "reads", reads_under_tls),), card_secret_behind_tls),
    Mutant("monitor", "runs-forgotten-early", "a run whose Package 1 only the attacker still holds is "
           "forgotten, so its replay opens a 'first' session",
           (Patch(monitor, "_still_relevant", relevant_without_the_attacker),), replay_into_the_next_run),
    Mutant("attacker", "replay-for-free", "a replay spends no budget",
           (Patch(attacker, "attack", attack_replaying_for_free),), attacker_steps),
    Mutant("attacker", "edit-keeps-tag", "an edited package keeps its sender's tag",
           (Patch(attacker, "attack", attack_editing_under_the_senders_tag),), edit_profile),
    Mutant("nonces", "renaming-merges", "the renaming gives two distinct values one name",
           (Patch(nonces, "renaming", renaming_merging), Patch(compiled, "renaming", renaming_merging)),
           fresh_survives_delay),
    Mutant("nonces", "bootstrap-nonce-renamed", "the renaming renames the provisioned bootstrap nonce",
           (Patch(nonces, "renaming", renaming_the_bootstrap_nonce),
            Patch(compiled, "renaming", renaming_the_bootstrap_nonce)), benign_cr_holds),
    Mutant("compiled", "key-drops-monitor", "a step's next key leaves out the monitor part it changed",
           (Patch(compiled, "FIELDS", compiled.FIELDS[:-1]),), benign_cr_holds),
    Mutant("compiled", "stale-renamed-part", "a renamed part is cached per part id, not per renaming",
           (Patch(compiled.CompiledSystem, "__init__", compiled_with_stale_renamings),),
           fresh_survives_delay),
    Mutant("compiled", "rule-cache-ignores-package", "a rule choice is cached without the package taken",
           (Patch(compiled.CompiledRuntime, "_entry", entry_ignoring_the_argument),), benign_cr_holds),
    Mutant("predicates", "secrets-agree-reads-no-account", "secrets_agree declares the device but not "
           "the account it compares with", (_reads(properties.secrets_agree, "device_state", "device"),),
           edit_profile),
    Mutant("predicates", "same-run-session-reads-no-monitor", "same_run_session reads the monitor's "
           "opened runs without declaring it",
           (_reads(properties.same_run_session, "device_state", "server_state", "device"),),
           edit_profile),
)


@pytest.mark.parametrize("catcher", CATCHERS, ids=lambda c: c.__name__)
def test_catchers_pass_on_the_model(catcher):
    catcher()


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: f"{m.part}-{m.name}")
def test_mutant_is_caught(mutant, monkeypatch):
    for variant in EDIT_VARIANTS:  # the unmutated verdicts, before any patch
        _unmutated("attack-edit", variant)
    for patch in mutant.patches:
        monkeypatch.setattr(patch.target, patch.name, patch.value)
    with pytest.raises(AssertionError):
        mutant.catcher()


@pytest.mark.parametrize("mutant", [m for m in MUTANTS if m.part == "monitor" or m.name == "edit-keeps-tag"],
                         ids=lambda m: f"{m.part}-{m.name}")
def test_the_trace_judge_disagrees_with_the_mutant(mutant, monkeypatch):
    """The second judge, which never reads the monitor and tells an edit from the package sent by
    provenance, catches the monitor's mutants and a tag the attacker could keep."""
    for patch in mutant.patches:
        monkeypatch.setattr(patch.target, patch.name, patch.value)
    with pytest.raises(AssertionError):
        judges_agree_on_labelled_paths()


def test_every_part_has_mutants():
    assert {m.part for m in MUTANTS} == {"monitor", "attacker", "nonces", "compiled", "predicates"}
    assert {m.catcher for m in MUTANTS} <= set(CATCHERS)
