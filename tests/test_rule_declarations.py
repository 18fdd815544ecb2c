"""The rule tables declare every way a variant switch changes a rule.

For every rule, on data met in exhaustive checks, each switch is flipped: if the guard's verdict
or the effect's output changes, the rule must name that switch (``requires`` or ``adds``), since
the state charts highlight the change request's additions from these declarations alone.
"""

from dataclasses import replace

import pytest

from dmmodel.protocol.config import COMMIT_ON_STATUS, KEEP_PREVIOUS
from dmmodel.protocol.crypto import SymbolicCrypto
from dmmodel.protocol.device import DEVICE
from dmmodel.protocol.messages import Package
from dmmodel.protocol.rules import SWITCHES, Ctx, MachineTable, Role
from dmmodel.protocol.system import TABLES

SAMPLED = (("all-types", "cr"), ("all-types", "dm12"), ("lossy", "cr-keep-previous"), ("lossy", "report"),
           ("lossy", "cr-fresh-hmac"), ("attack-edit", "cr-fresh"))


def samples(checks) -> list[tuple[Ctx, Role, str, object, object]]:
    """(context, role, control state, data, argument) met in a few exhaustive checks (the
    session's shared ones: the manifest's regression check takes the same)."""
    found = set()
    for config_name, variant_name in SAMPLED:
        model = checks.result(config_name, variant_name, keep=False).model
        config = model.config
        ctx = Ctx(config.bounds, config.variant, SymbolicCrypto(), 0)
        for slot in model.slots:
            for role, ctl, data, incoming in ((Role.DEVICE, slot.device_state, slot.device, slot.down),
                                              (Role.SERVER, slot.server_state, slot.account, slot.up)):
                args = {None, *incoming[:1]}
                for rule in TABLES[role].rules:
                    if rule.args is not None:
                        args.update(rule.args(config.bounds, slot))
                found.update((ctx, role, ctl, data, arg) for arg in args)
    return sorted(found, key=repr)


@pytest.fixture(scope="module")
def sampled(checks) -> list[tuple[Ctx, Role, str, object, object]]:
    return samples(checks)


def flipped(ctx: Ctx, switch: str) -> Ctx | None:
    """The context with one switch flipped, or None where the flip makes no valid variant."""
    variant = ctx.variant
    if switch == "rotation":
        policy = COMMIT_ON_STATUS if variant.rotation == KEEP_PREVIOUS else KEEP_PREVIOUS
        return ctx._replace(variant=replace(variant, rotation=policy))
    value = not getattr(variant, switch)
    if switch in ("ack", "challenge", "bound_ack") and value and not variant.report:
        return None  # an acknowledgement and these mitigations need a report
    if switch == "report" and not value and (variant.ack or variant.challenge or variant.bound_ack):
        return None
    return ctx._replace(variant=replace(variant, **{switch: value}))


def takes(rule, ctl: str, arg: object) -> bool:
    """Whether ``rule`` may be asked to fire from ``ctl`` with ``arg``."""
    if ctl not in rule.sources:
        return False
    if rule.consumes is not None:
        return isinstance(arg, Package) and arg.number == rule.consumes
    return (arg is None) == (rule.args is None) and not isinstance(arg, Package)


def undeclared(tables: dict[Role, MachineTable], sampled: list) -> set[tuple[str, str, str]]:
    """(machine, rule, switch) where flipping the switch changes the rule without a declaration."""
    found = set()
    for ctx, role, ctl, data, arg in sampled:
        for rule in tables[role].rules:
            if not takes(rule, ctl, arg):
                continue
            for switch in SWITCHES:
                other = flipped(ctx, switch)
                if other is None or switch in rule.switches():
                    continue
                before, after = rule.guard(ctx, data, arg), rule.guard(other, data, arg)
                changed = before != after or (
                    before and rule.effect(ctx, data, arg) != rule.effect(other, data, arg))
                if changed:
                    found.add((tables[role].name, rule.name, switch))
    return found


@pytest.mark.slow
def test_every_switch_a_rule_depends_on_is_declared(sampled):
    assert undeclared(TABLES, sampled) == set()


def test_a_missing_declaration_is_found(sampled):
    """take_session's acknowledgement, undeclared, is caught: the check has teeth."""
    rules = tuple(replace(r, adds=()) if r.name == "take_session" else r for r in DEVICE.rules)
    mutant = {**TABLES, Role.DEVICE: replace(DEVICE, rules=rules)}
    device_samples = [sample for sample in sampled if sample[1] is Role.DEVICE]  # the rule's machine
    assert ("device", "take_session", "ack") in undeclared(mutant, device_samples)


def test_samples_exercise_every_rule_of_both_machines(sampled):
    fired = {(role, rule.name) for ctx, role, ctl, data, arg in sampled
             for rule in TABLES[role].rules
             if takes(rule, ctl, arg) and rule.guard(ctx, data, arg)}
    assert fired == {(role, rule.name) for role, table in TABLES.items() for rule in table.rules}
