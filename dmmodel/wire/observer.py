"""The conformance observer: judges each package a real peer sends against the model's machine.

The observer keeps a shadow of the peer: the model's machine for its role (device or server),
fed with what the other side sent. When the real peer sends a package, the observer lists the
ways the model lets its machine send a package now (take what was sent to it; or time out,
reset or re-bootstrap and then start a session), and accepts the first whose package is the
real one. Otherwise it reports a finding that says what the peer did and what the model allows,
and re-synchronises its shadow on the nearest allowed way (an answer to what was sent to it
within a session, a new session otherwise; then the fewest differing fields and steps),
corrected by what the peer did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dmmodel.protocol import vocabulary as v
from dmmodel.protocol.fields import Ghost, marked
from dmmodel.protocol.messages import Package, describe
from dmmodel.protocol.nonces import FreshCounter
from dmmodel.protocol.rules import FAULT, Ctx, MachineTable, Role
from dmmodel.protocol.system import CONSUMERS, RULES
from dmmodel.runtime.machines import LiveMachine

Event = tuple[str, Any]  # (trigger, argument): what a machine is asked to take


@dataclass(frozen=True)
class Fired:
    """One rule the shadow fired: its trigger, rule name, argument, the packages it sent."""

    trigger: str
    rule: str
    arg: Any
    sent: tuple[Package, ...]


@dataclass(frozen=True)
class Judgement:
    """The verdict on one real package: the shadow's steps, the package as the model reads it
    (nonce bytes bound to the model's values), and findings (empty when the model allows it)."""

    fired: tuple[Fired, ...]
    package: Package
    findings: tuple[str, ...]
    faults: tuple[str, ...]


WIRE_FIELDS = tuple(name for name in Package._fields if name not in marked(Package, Ghost))


def _differences(real: Package, expected: Package) -> list[str]:
    return [f"{name}: sent {getattr(real, name)!r}, the model's machine sends {getattr(expected, name)!r}"
            for name in WIRE_FIELDS if getattr(real, name) != getattr(expected, name)]


class Observer:
    """The shadow of one real peer (``role``), with the model's table for the account's variant."""

    def __init__(self, role: Role, table: MachineTable, ctx: Ctx, data: Any, state: str,
                 node: str, fresh: FreshCounter | None = None, known: dict[int, bytes] | None = None
                 ) -> None:
        self.role, self.table, self.ctx, self.node = role, table, ctx, node
        self.known = known if known is not None else {}  # the peer's nonce bytes by model value
        self.shadow = LiveMachine(table, ctx, data, fresh or FreshCounter(), role)
        self.shadow.machine.set_state(state)
        self.pending: Package | None = None  # what the other side sent and the peer has not answered

    @property
    def fresh(self) -> FreshCounter:
        """The counter the shadow draws the peer's new nonces from (persisted with it)."""
        return self.shadow.fresh  # type: ignore[return-value]

    def _twin(self) -> LiveMachine:
        """A copy of the shadow with its own counter that goes on where the shadow's stands."""
        fresh = FreshCounter()
        fresh.counts = dict(self.fresh.counts)
        twin = LiveMachine(self.table, self.ctx, self.shadow.data, fresh, self.role)
        twin.machine.set_state(self.shadow.state)
        return twin

    def _starts(self) -> list[list[Event]]:
        """Ways to start anew: directly, or after a timeout, reset or re-bootstrap (faults)."""
        if self.role is Role.SERVER:
            return [[], [("timeout", None)]]
        boots = [("rebootstrap", (t.value, 0)) for t in self.ctx.bounds.bootstrap_types
                 if t is not v.BootstrapType.SERVER]
        before: list[list[Event]] = [[], [("timeout", None)], [("reset", None)], *[[b] for b in boots]]
        return [steps + [("connect", None)] for steps in before]

    def _paths(self, continues: bool) -> list[list[Event]]:
        """Answers to what was sent; unless the message continues a session, also new sessions
        (after the answer, if that sends nothing on the wire)."""
        taken = [[(t, self.pending)] for t in CONSUMERS[self.role].get(self.pending.number, ())] \
            if self.pending is not None else []
        if continues:
            return taken
        return taken + [path + start for path in taken for start in self._starts()] + self._starts()

    def _run(self, path: list[Event]) -> tuple[LiveMachine, list[Fired]] | None:
        twin, fired = self._twin(), []
        for trigger, arg in path:
            twin.sent = ()
            if not twin.trigger(trigger, arg=arg):
                return None
            fired.append(Fired(trigger, twin.last_rule or trigger, arg, twin.sent))
        return twin, fired

    def judge(self, real: Package, continues: bool = False) -> Judgement:
        """Judge ``real`` (its nonce may still be raw bytes), advance the shadow, clear ``pending``.
        ``continues``: the message carries on the session (same SessionID, a later MsgID)."""
        tried: list[tuple[LiveMachine, list[Fired], Package, Package]] = []
        closing = self._closes_exchange(real)
        if closing is not None:
            return self._accept(*closing, real, ())
        for path in self._paths(continues):
            ran = self._run(path)
            # only the last step may send: a package the peer did not send explains nothing
            if ran is None or not ran[1] or len(ran[1][-1].sent) != 1 or any(f.sent for f in ran[1][:-1]):
                continue
            twin, fired = ran
            expected = fired[-1].sent[0]._replace(tag=None)  # who sent it is no wire matter
            bound = self._bind(real, expected, twin)
            if bound == expected:
                return self._accept(twin, fired, bound, ())
            tried.append((twin, fired, bound, expected))
        return self._diverge(real, tried, continues)

    def _closes_exchange(self, real: Package) -> tuple[LiveMachine, list[Fired]] | None:
        """A server's Package 4 that answers a Package 3 the model's server takes in silence (the
        device refused its credential): HTTP needs a response, and a closing one is what SyncML
        has; the model leaves it out. The shadow takes the Package 3; None if that is not so."""
        if self.role is not Role.SERVER or real.number != 4 or self.pending is None \
                or self.pending.number != 3:
            return None
        for trigger in CONSUMERS[self.role].get(3, ()):
            ran = self._run([(trigger, self.pending)])
            if ran is not None and not ran[1][-1].sent:
                return ran
        return None

    def _bind(self, real: Package, expected: Package, twin: LiveMachine) -> Package:
        """``real`` with its raw nonce bytes read as the model's value: bytes the peer sends for
        a value the model's machine issues in this very step stand for that value; for a value
        issued before (a Package 1 sent again after a 401), only the bytes sent for it then."""
        if not isinstance(real.chal, bytes) or expected.chal is None:
            return real
        issued = expected.chal in twin.fresh.drawn.values()  # type: ignore[union-attr]
        if issued or self.known.get(expected.chal) == real.chal:
            return real._replace(chal=expected.chal)
        return real

    def _accept(self, twin: LiveMachine, fired: list[Fired], package: Package,
                findings: tuple[str, ...]) -> Judgement:
        self.shadow, self.pending = twin, None
        faults = tuple(f.rule for f in fired if RULES[self.role, f.rule].cls == FAULT)
        return Judgement(tuple(fired), package, findings, faults)

    def _diverge(self, real: Package, tried: list, continues: bool) -> Judgement:
        account = self.node
        same = [t for t in tried if t[3].number == real.number]
        if not same:
            allowed = "; ".join(describe(t[3], account) for t in tried) or "nothing"
            finding = (f"sent {describe(real, account)}, the model's {self.role} sends no such package "
                       f"now (state {self.shadow.state}; it may send: {allowed})")
            self.pending = None
            return Judgement((), real._replace(chal=None) if isinstance(real.chal, bytes) else real,
                             (finding,), ())
        def nearness(t: tuple) -> tuple[bool, int, int]:  # the right kind, fewest fields, fewest steps
            answers = self.pending is not None and t[1][0].arg is self.pending
            return answers != continues, len(_differences(t[2], t[3])), len(t[1])

        twin, fired, bound, expected = min(same, key=nearness)
        steps = " then ".join(f.rule for f in fired)
        finding = (f"sent {describe(bound, account)}; the model's {self.role} ({steps}) sends "
                   f"{describe(expected, account)}; differs in " + "; ".join(_differences(bound, expected)))
        if isinstance(bound.chal, bytes) and expected.chal is not None:
            bound = bound._replace(chal=expected.chal)  # the peer's new bytes for the model's value
        if self.role is Role.DEVICE:
            self._correct(twin, bound, expected)
        return self._accept(twin, fired, bound, (finding,))

    def _correct(self, twin: LiveMachine, real: Package, expected: Package) -> None:
        """The shadow device after the nearest allowed step, corrected by what the device did: in
        the session state its package implies, a Replace it refused leaving its secret as it was."""
        if expected.replace_status == v.STATUS_OK and real.replace_status != v.STATUS_OK:
            twin.data = twin.data._replace(gen=self.shadow.data.gen)
        if real.number == 1 and real.alert != v.ALERT_SESSION_ABORT:
            state = "awaiting_auth"
            if self.pending is not None and self.pending.status in (v.STATUS_UNAUTHORIZED,):
                retries = min(self.shadow.data.retries + 1, self.ctx.bounds.retry_limit)
                twin.data = twin.data._replace(cnonce=self.pending.chal, retries=retries)
        elif real.number == 3 and real.status == v.STATUS_OK:
            state = "awaiting_close"
        else:
            state = "idle"
        twin.machine.set_state(state)
