"""Each slot predicate's ``reads`` is every field its code reads (``properties.reads``).

The checker evaluates a predicate once per distinct value of the fields in its ``reads``, so a
predicate that read a field left out would get a verdict from another slot. ``reads`` is
derived from the predicate's code, every branch included, and refuses code whose reads it cannot
tell; here the derivation is held to account: each derived set equals the fields the code names,
covers what a proxy records on every slot of several configurations, and the checker's cached
verdicts are compared with direct evaluation.
"""

from __future__ import annotations

from typing import Any

import pytest

from dmmodel.protocol.properties import GOALS, INVARIANTS, SlotPredicate, fields_read, reads
from dmmodel.protocol.state import Slot
from dmmodel.search.checkable import DMModel

PREDICATES = {p.__name__: p for p in [*(i.check for i in INVARIANTS),
                                       *(g.applies for g in GOALS), *(g.goal for g in GOALS)]}
CONFIGS = [("default", "cr"), ("all-types", "dm12"), ("lossy", "cr-keep-previous"),
           ("attack-edit", "report-ack"), ("attack-edit", "cr")]


class Recording:
    """A slot that notes which of its fields are read."""

    def __init__(self, slot: Slot) -> None:
        self._slot = slot
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        self.read.add(name)
        return getattr(self._slot, name)


def undeclared_reads(predicate: SlotPredicate, slots: list[Slot]) -> set[str]:
    """The fields ``predicate`` reads on some slot of ``slots`` without declaring them."""
    found: set[str] = set()
    for slot in slots:
        recording = Recording(slot)
        predicate(recording)  # type: ignore[arg-type]
        found |= recording.read
    return found - set(predicate.reads)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def checked(checks) -> list[DMModel]:
    """The models of the session's shared checks (the manifest's regression check takes the same),
    every slot met."""
    return [checks.result(name, variant, keep=False).model for name, variant in CONFIGS]


def test_every_predicate_reads_what_its_code_reads() -> None:
    assert {n: p.reads for n, p in PREDICATES.items()} == {n: fields_read(p) for n, p in PREDICATES.items()}


@pytest.mark.parametrize("name", sorted(PREDICATES))
def test_predicate_reads_no_undeclared_field(name: str, checked: list[DMModel]) -> None:
    slots = [slot for model in checked for slot in model.slots]
    assert undeclared_reads(PREDICATES[name], slots) == set()


def test_cached_verdicts_equal_direct_evaluation(checked: list[DMModel]) -> None:
    for model in checked:
        slots = model.slots
        for predicate in PREDICATES.values():
            assert list(model.slot_test(predicate)) == [int(bool(predicate(s))) for s in slots]


def test_a_branch_never_taken_still_counts() -> None:
    @reads
    def in_session_on_current_secret(slot: Slot) -> bool:
        if slot.account.session is None:
            return True
        return slot.device.gen == slot.account.gen and slot.monitor.violated == 0

    assert in_session_on_current_secret.reads == ("device", "account", "monitor")


def test_a_wrong_reads_is_caught(checked: list[DMModel]) -> None:
    def in_session_on_current_secret(slot: Slot) -> bool:  # reads the account, says the device
        return slot.account.session is None or slot.device.gen == slot.account.gen

    in_session_on_current_secret.reads = ("device",)  # type: ignore[attr-defined]
    slots = [slot for model in checked for slot in model.slots]
    assert undeclared_reads(in_session_on_current_secret, slots) == {"account"}


def test_code_that_hands_the_slot_on_is_refused() -> None:
    def helper(slot: Slot) -> bool:
        return slot.device.gen == 0

    def handing_on(slot: Slot) -> bool:
        return helper(slot)

    with pytest.raises(ValueError, match="other than by reading its fields"):
        reads(handing_on)


def test_unknown_fields_are_refused() -> None:
    def misspelt(slot: Slot) -> bool:
        return bool(slot.devices)  # type: ignore[attr-defined]

    with pytest.raises(ValueError, match="not fields of a slot"):
        reads(misspelt)
