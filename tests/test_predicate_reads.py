"""Each slot predicate reads only the fields it declares (``properties.reads``).

The checker evaluates a predicate once per distinct value of the fields it declares, so a
predicate that reads an undeclared field would get a verdict from another slot. Here every
predicate runs on every slot of several configurations through a proxy that records the fields
it touches, and the checker's cached verdicts are compared with direct evaluation.
"""

from __future__ import annotations

from typing import Any

import pytest

from dmmodel.protocol.properties import GOALS, INVARIANTS, SlotPredicate, reads
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


def test_every_predicate_declares_what_it_reads() -> None:
    assert all(hasattr(p, "reads") for p in PREDICATES.values()), \
        [n for n, p in PREDICATES.items() if not hasattr(p, "reads")]


@pytest.mark.parametrize("name", sorted(PREDICATES))
def test_predicate_reads_no_undeclared_field(name: str, checked: list[DMModel]) -> None:
    slots = [slot for model in checked for slot in model.slots]
    assert undeclared_reads(PREDICATES[name], slots) == set()


def test_cached_verdicts_equal_direct_evaluation(checked: list[DMModel]) -> None:
    for model in checked:
        slots = model.slots
        for predicate in PREDICATES.values():
            assert list(model.slot_test(predicate)) == [int(bool(predicate(s))) for s in slots]


def test_a_wrong_declaration_is_caught(checked: list[DMModel]) -> None:
    @reads("device")
    def in_session_on_current_secret(slot: Slot) -> bool:  # reads the account, declares the device
        return slot.account.session is None or slot.device.gen == slot.account.gen

    slots = [slot for model in checked for slot in model.slots]
    assert undeclared_reads(in_session_on_current_secret, slots) == {"account"}


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValueError, match="not fields of a slot"):
        reads("devices")
