"""A conformance kit: randomized, shrinking interleavings of the DM model, with the model as oracle.

``protocol_machine(config)`` is a Hypothesis state machine over the executable system; pass
``adapters`` to put your own device or server under test (see ``adapter.py``). A configuration
with a network attacker adds the attacker's rules (``moves.py``), and the safety check includes
the security properties.
"""

from dmmodel.testing.adapter import (
    Adapter,
    AdapterFactory,
    MachineAdapter,
    forgetful_server,
    own_device,
    own_server,
)
from dmmodel.testing.coverage import Coverage
from dmmodel.testing.machine import ProtocolMachine, SafetyError, protocol_machine
from dmmodel.testing.oracle import Conformance, ConformanceError
from dmmodel.testing.recovery import Recoverability, RecoverabilityError, recover

__all__ = [
    "Adapter",
    "AdapterFactory",
    "Conformance",
    "ConformanceError",
    "Coverage",
    "MachineAdapter",
    "ProtocolMachine",
    "Recoverability",
    "RecoverabilityError",
    "SafetyError",
    "forgetful_server",
    "own_device",
    "own_server",
    "protocol_machine",
    "recover",
]
