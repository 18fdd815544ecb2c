"""The adapter interface to an implementation under test, and two example adapters.

An adapter stands for one device, or for the server's side of one device's account. The kit
hands it what the environment does (an event, or a package from its incoming channel) and takes
back the packages it sends; ``observe`` tells the kit the control state, in the model's names.
:class:`MachineAdapter` runs the project's own rule tables; :func:`forgetful_server` is a
deliberately faulty server, there to show what the kit reports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from dmmodel.protocol.config import Config
from dmmodel.protocol.crypto import RealCrypto
from dmmodel.protocol.messages import Package
from dmmodel.protocol.nonces import FreshCounter
from dmmodel.protocol.rules import Ctx, MachineTable, Role
from dmmodel.protocol.state import AccountData, DeviceData
from dmmodel.protocol.system import CONSUMERS, TABLES
from dmmodel.runtime.machines import LiveMachine


class Adapter(Protocol):
    """A device, or the server's account for one device, under test."""

    def event(self, trigger: str, arg: Any) -> tuple[Package, ...]:
        """A spontaneous step; returns the packages sent.

        ``trigger`` is one the role's rule table takes unprompted, e.g. ``connect``, ``timeout``,
        ``bootstrap`` (``arg`` = (bootstrap type, secret generation)), or ``pushed_bootstrap``
        for the server's side of a bootstrap it pushed.
        """

    def receive(self, package: Package) -> tuple[Package, ...]:
        """Take ``package`` off the incoming channel; returns the packages sent (maybe none)."""

    def observe(self) -> str:
        """The control state, named as in the model's table (e.g. ``idle``, ``in_session``)."""


AdapterFactory = Callable[[Config, int], Adapter]  # (configuration, device index) -> a fresh adapter


class MachineAdapter:
    """An implementation made from a rule table: the project's own machines, or a variation.

    A server that may rotate the secrets does so whenever it can (``rotate``: it prefers the
    alternative answers its rules declare), since that is the choice that leads to the deadlock;
    the model allows either.
    """

    def __init__(
        self, role: Role, table: MachineTable, config: Config, index: int, rotate: bool = True
    ) -> None:
        data = DeviceData() if role == Role.DEVICE else AccountData()
        variant = config.variant.for_role(role)
        ctx = Ctx(config.bounds, variant, RealCrypto(), index)
        self.live = LiveMachine(table.for_variant(variant), ctx, data, FreshCounter(), role)
        alternatives = {r.trigger for r in table.rules if r.choice is not None}
        self.preferred = {number: sorted(triggers, key=lambda t: (t in alternatives) != rotate)
                          for number, triggers in CONSUMERS[role].items()}

    def _fire(self, trigger: str, arg: Any) -> tuple[Package, ...]:
        self.live.sent = ()
        self.live.trigger(trigger, arg=arg)
        return self.live.sent

    def event(self, trigger: str, arg: Any) -> tuple[Package, ...]:
        return self._fire(trigger, arg)

    def receive(self, package: Package) -> tuple[Package, ...]:
        for trigger in self.preferred.get(package.number, ()):
            if self.live.may_trigger(trigger, arg=package):
                return self._fire(trigger, package)
        return ()

    def observe(self) -> str:
        return self.live.state


def own_device(config: Config, index: int) -> MachineAdapter:
    """The project's device machine, as an implementation under test."""
    return MachineAdapter(Role.DEVICE, TABLES[Role.DEVICE], config, index)


def own_server(config: Config, index: int) -> MachineAdapter:
    """The project's server machine (rotating whenever it can), as an implementation under test."""
    return MachineAdapter(Role.SERVER, TABLES[Role.SERVER], config, index)


def forgetful_server(config: Config, index: int) -> MachineAdapter:
    """A faulty server: it forgets the bootstrap secret, so it never recognises a report."""
    table = TABLES[Role.SERVER]
    kept = tuple(r for r in table.rules if not r.resyncs)
    faulty = MachineTable("forgetful server", table.states, table.initial, kept)
    return MachineAdapter(Role.SERVER, faulty, config, index)
