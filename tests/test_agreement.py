"""The transitions machines and the compiled successor function agree step for step.

Both are built from the same rule tables; this drives them side by side along random walks
chosen by Hypothesis and compares, at every step, the enabled actions, the next state and the
packages in flight: the machines' slot, its real credentials turned back into symbolic ones
and its nonces renamed, must be the compiled slot.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dmmodel.protocol.config import PRESETS, make_config
from dmmodel.protocol.crypto import symbolize
from dmmodel.protocol.nonces import canonical
from dmmodel.runtime.machines import ExecutableSystem
from dmmodel.search.compiled import CompiledSystem

CONFIGS = ["default", "lossy", "all-types", "two-devices", "attack-card-leak", "attack-edit",
           "attack-replay", "attack-delay"]
WALKS = 200
MAX_STEPS = 40


def as_checked(machines):
    return tuple(canonical(symbolize(slot, runtime.crypto))
                 for slot, runtime in zip(machines.state, machines.runtimes, strict=True))


@settings(max_examples=WALKS, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    config_name=st.sampled_from(CONFIGS),
    variant_name=st.sampled_from(sorted(PRESETS)),
    choices=st.lists(st.integers(min_value=0, max_value=10**6), min_size=10, max_size=MAX_STEPS),
)
@pytest.mark.slow
def test_machines_and_compiled_function_agree(config_name, variant_name, choices):
    config = make_config(config_name, variant_name)
    compiled, machines = CompiledSystem(config), ExecutableSystem(config)
    state = compiled.initial()
    assert as_checked(machines) == state
    for choice in choices:
        steps = compiled.successors(state)
        assert [action for action, _ in steps] == machines.actions()
        (index, action), state = steps[choice % len(steps)]
        machines.step(index, action)
        if action.rule is not None:
            assert machines.last_rule(index, action.role) == action.rule
        assert as_checked(machines) == state


def test_real_and_symbolic_credentials_agree_on_every_check():
    """Two credentials are equal symbolically exactly when their real digests are equal."""
    from dmmodel.protocol.crypto import RealCrypto, SymbolicCrypto

    real, symbolic = RealCrypto(), SymbolicCrypto()
    pairs = [(g, n) for g in range(3) for n in range(3)]
    for device in range(2):  # a slot only ever checks credentials of its own device
        for make in ("client", "server", "notification"):
            for a in pairs:
                for b in pairs:
                    same_symbolic = getattr(symbolic, make)(device, *a) == getattr(symbolic, make)(device, *b)
                    same_real = getattr(real, make)(device, *a) == getattr(real, make)(device, *b)
                    assert same_symbolic == same_real
