"""The conformance kit: the model as oracle for an implementation behind an adapter.

The project's own device and server machines, put behind adapters, must conform; a server that
forgets the bootstrap secret must be caught, with a failure that says what it was given,
what it answered and what the model allows.
"""

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from dmmodel.protocol.config import make_config
from dmmodel.protocol.vocabulary import BootstrapType
from dmmodel.testing import ConformanceError, forgetful_server, own_device, own_server, protocol_machine

FIND = settings(deadline=None, database=None, derandomize=True, phases=(Phase.generate, Phase.shrink))
CONFIG = make_config("default", "cr", rotations=2, rebootstraps=2, bootstrap_types=tuple(BootstrapType))


def kit_settings() -> settings:
    """A third of the profile's examples: each step of an implementation is also run on the model."""
    return settings(settings(), max_examples=max(10, settings().max_examples // 3), stateful_step_count=25)


@pytest.mark.slow
def test_own_device_and_server_conform():
    machine = protocol_machine(CONFIG, adapters={"device": own_device, "server": own_server})
    run_state_machine_as_test(machine, settings=kit_settings())
    assert machine.coverage.rules["server:accept_rotating"] > 0
    assert machine.coverage.rules["device:take_session"] > 0


@pytest.mark.slow
def test_a_server_that_forgets_the_bootstrap_secret_is_caught():
    machine = protocol_machine(CONFIG, adapters={"server": forgetful_server})
    found = settings(FIND, max_examples=500)
    with pytest.raises(ConformanceError) as caught:
        run_state_machine_as_test(machine, settings=found)
    message = str(caught.value)
    assert "server for device1 does what the model does not allow" in message
    assert "Alert 1226" in message  # it was given the bootstrap report
    assert "Status 401" in message  # and refused it
    assert "recognise_bootstrap: sends Pkg2 | Status 212" in message  # which the model would accept
    assert any(line.startswith("state.rebootstrap_") for line in caught.value.__notes__)


def test_an_adapter_that_disagrees_on_the_control_state_is_caught():
    class Silent:
        """A device that never answers anything and stays in the factory state."""

        def event(self, trigger, arg):
            return ()

        def receive(self, package):
            return ()

        def observe(self):
            return "factory"

    machine = protocol_machine(CONFIG, adapters={"device": lambda config, index: Silent()})
    found = settings(FIND, max_examples=50)
    with pytest.raises(ConformanceError, match="goes to 'factory'"):
        run_state_machine_as_test(machine, settings=found)
