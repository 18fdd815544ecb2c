"""The server's machine table, one per device account: notification, verification, session.

Control states: ``idle``, ``notified`` (Package 0 sent), ``in_session`` (212 sent, waiting for
Package 3). Verifying Package 1 means choosing a secret: the current one, a pending or previous
one (keep-previous policy), or, with the change request, the bootstrap secret of a
reported bootstrap.
"""

from __future__ import annotations

from typing import Any

from dmmodel.protocol import vocabulary as v
from dmmodel.protocol.config import KEEP_PREVIOUS
from dmmodel.protocol.messages import Package
from dmmodel.protocol.nonces import BOOTSTRAP_NONCE, FRESH
from dmmodel.protocol.rules import FAULT, Alternative, Ctx, MachineTable, Rule
from dmmodel.protocol.state import BOOTSTRAP_GEN, AccountData, Session

IDLE, NOTIFIED, IN_SESSION = "idle", "notified", "in_session"
ALL_STATES = (IDLE, NOTIFIED, IN_SESSION)


def notify(ctx: Ctx, a: AccountData, arg: Any) -> tuple[AccountData, tuple]:
    """Package 0: ask the device to connect, signed with the SRVCRED secret and nonce."""
    return a, (Package(0, cred=ctx.crypto.notification(ctx.index, a.gen, a.snonce)),)


def notifications_on(ctx: Ctx, a: AccountData, arg: Any) -> bool:
    """The configuration lets the server send Package 0."""
    return ctx.bounds.notifications


def matching_secret(ctx: Ctx, a: AccountData, p: Package) -> tuple[int, str] | None:
    """The held secret the device's credential was made from: current, then pending, previous.
    With ``challenge`` nothing is accepted over the bootstrap nonce: the server has to
    issue a nonce first."""
    if ctx.variant.challenge and a.cnonce == BOOTSTRAP_NONCE:
        return None
    candidates = [(a.gen, "current")]
    if ctx.variant.rotation == KEEP_PREVIOUS:
        candidates += [(a.pending, "pending"), (a.previous, "previous")]
    for gen, how in candidates:
        if gen is not None and p.cred == ctx.crypto.client(ctx.index, gen, a.cnonce):
            return gen, how
    return None


def held_secret_matches(ctx: Ctx, a: AccountData, p: Package) -> bool:
    """The credential checks out against a secret the server holds for the device."""
    return matching_secret(ctx, a, p) is not None


def bootstrap_secret_matches(ctx: Ctx, a: AccountData, p: Package) -> bool:
    """A bootstrap report, and a credential made from the bootstrap secret and the
    bootstrap nonce (with ``challenge``: only over the nonce the server last issued)."""
    if not ctx.variant.challenge:
        nonce = BOOTSTRAP_NONCE
    elif a.cnonce == BOOTSTRAP_NONCE:
        return False  # the server has not issued a nonce yet
    else:
        nonce = a.cnonce
    return p.report is not None and p.cred == ctx.crypto.client(ctx.index, BOOTSTRAP_GEN, nonce)


def can_rotate(ctx: Ctx, a: AccountData) -> bool:
    """The bounds leave a rotation to issue."""
    return a.issued < ctx.bounds.rotations


ROTATING = Alternative("rotating", can_rotate, "and Replace AAuthSecret (rotation)", rotates=True)


def open_session(ctx: Ctx, a: AccountData, p: Package, gen: int, how: str, rotate: bool):
    """Answer an authenticated Package 1: 212 + NextNonce, own credential, commands.

    Only a server that implements the report reads it. Recognising the bootstrap changes what
    the change request's normal flow (step 3) says: the device is verified with the
    bootstrap-time client secret, and the server signs with the bootstrap-time server secret
    over the nonce the bootstrap provisioned. A session on a held secret is DM 1.2's, report or
    not. Every server puts a Status on the report's Alert 1226, as SyncML requires."""
    floor_before = a.floor
    reads_report = ctx.variant.report and p.report is not None
    if ctx.variant.device_nonce and p.chal is not None:
        a = a._replace(snonce=p.chal)  # the device sent its own nonce for our credential
    elif how == "bootstrap":
        a = a._replace(snonce=BOOTSTRAP_NONCE)  # the device's SRVCRED nonce is the provisioned one
    if how == "bootstrap":
        a = a._replace(gen=gen, pending=None, previous=None, floor=gen)
    elif ctx.variant.rotation == KEEP_PREVIOUS:
        a = a._replace(gen=gen, pending=None, previous=None, floor=max(a.floor, gen))
    replace = None
    if rotate:
        replace = a.issued + 1
        a = a._replace(issued=replace, pending=replace)
    report_seen = max(a.report_seen, p.report) if reads_report else a.report_seen
    cnonce = FRESH
    a = a._replace(
        cnonce=cnonce,
        report_seen=report_seen,
        session=Session(gen, how, floor_before),
    )
    report_status = None
    if p.report is not None:
        report_status = v.STATUS_OK if ctx.variant.report else ctx.variant.legacy_report_status
    reply = Package(
        2,
        status=v.STATUS_AUTHENTICATED,
        chal=cnonce,
        cred=ctx.crypto.server(ctx.index, gen, a.snonce),
        replace=replace,
        get_type=ctx.variant.type_node,
        report_status=report_status,
        ack=p.report if (ctx.variant.bound_ack and p.report is not None) else None,
    )
    return a, (reply,)


def accept(ctx: Ctx, a: AccountData, p: Package, choice: str | None = None):
    """Open a session on the held secret the credential was made from (rotating, if chosen)."""
    gen, how = matching_secret(ctx, a, p)
    return open_session(ctx, a, p, gen, how, rotate=choice == ROTATING.name)


def recognise(ctx: Ctx, a: AccountData, p: Package, choice: str | None = None):
    """Open a session on the bootstrap secret of a reported bootstrap (rotating, if chosen)."""
    return open_session(ctx, a, p, BOOTSTRAP_GEN, "bootstrap", rotate=choice == ROTATING.name)


def aborted(ctx: Ctx, a: AccountData, p: Package) -> bool:
    """The device aborts the session (Alert 1223)."""
    return p.alert == v.ALERT_SESSION_ABORT


def refuse(ctx: Ctx, a: AccountData, p: Package) -> tuple[AccountData, tuple]:
    """401 with a Chal carrying a new nonce (the spec requires a new challenge)."""
    return a._replace(cnonce=FRESH, session=None), (
        Package(2, status=v.STATUS_UNAUTHORIZED, chal=FRESH),
    )


def package3_authentic(ctx: Ctx, a: AccountData, p: Package) -> bool:
    """With ``integrity``, Package 3 carries a MAC made with the session's secret over the nonce
    the server issued in its 212; without it, anything is taken."""
    if not ctx.variant.integrity:
        return True
    return a.session is not None and p.cred == ctx.crypto.client(ctx.index, a.session.gen, a.cnonce)


def refused_by_device(ctx: Ctx, a: AccountData, p: Package) -> bool:
    return p.status == v.STATUS_UNAUTHORIZED and package3_authentic(ctx, a, p)


def take_refusal(ctx: Ctx, a: AccountData, p: Package) -> tuple[AccountData, tuple]:
    """The device refused our credential: keep its new nonce; the Replace was not applied."""
    return a._replace(snonce=p.chal, pending=None, session=None), ()


def close_session(ctx: Ctx, a: AccountData, p: Package) -> tuple[AccountData, tuple]:
    """Package 3: commit or keep a rotation, record the bootstrap type, close with Package 4."""
    if p.replace_status == v.STATUS_OK and a.pending is not None:
        if ctx.variant.rotation == KEEP_PREVIOUS:
            a = a._replace(previous=a.gen, gen=a.pending, pending=None)
        else:
            a = a._replace(gen=a.pending, floor=a.pending, pending=None)
    known = p.type_result if p.type_result is not None else a.known_type
    return a._replace(snonce=p.chal, known_type=known, session=None), (Package(4),)


def end_session(ctx: Ctx, a: AccountData, arg: Any) -> tuple[AccountData, tuple]:
    return a._replace(session=None), ()


def pushed(ctx: Ctx, a: AccountData, arg: Any) -> tuple[AccountData, tuple]:
    """The server pushed a bootstrap with its current secret and fresh nonces."""
    known = (v.BootstrapType.SERVER.value, ctx.bounds.profile.value)
    fresh = a._replace(pending=None, previous=None, floor=a.gen, cnonce=0, snonce=0,
                       known_type=known, session=None)
    return fresh, ()


OPENS_SESSION = (("report", "+ ack"), ("bound_ack", "ack names the bootstrap"),
                 ("type_node", "+ Get type"), ("rotation", "keeps previous"),
                 ("challenge", "never over the bootstrap nonce"),
                 ("device_nonce", "credential over the device's nonce"))

SERVER = MachineTable(
    name="server",
    states=ALL_STATES,
    initial=IDLE,
    rules=(
        Rule("notify", "notify", (IDLE,), NOTIFIED, guard=notifications_on, effect=notify,
             starts=True, doc="Package 0: server notification"),
        Rule("abort", "receive_package1", ALL_STATES, IDLE, guard=aborted, effect=end_session,
             consumes=1, note="session aborted by the device (Alert 1223)",
             doc="Alert 1223 from the device: the session is over"),
        Rule("accept", "receive_package1", ALL_STATES, IN_SESSION, guard=held_secret_matches,
             effect=accept, consumes=1, adds=OPENS_SESSION, alternative=ROTATING, opens=True,
             doc="credential of a held secret: 212 + commands"),
        Rule("recognise_bootstrap", "receive_package1", ALL_STATES, IN_SESSION,
             guard=bootstrap_secret_matches, effect=recognise, consumes=1, requires="report",
             adds=OPENS_SESSION, alternative=ROTATING, opens=True, resyncs=True,
             doc="bootstrap report + bootstrap secret: 212, resynchronise"),
        Rule("refuse", "receive_package1", ALL_STATES, IDLE, effect=refuse, consumes=1, refuses=True,
             doc="no secret matches: 401 + Chal with a new nonce"),
        # the table adds accept_rotating and recognise_bootstrap_rotating (ROTATING) here
        Rule("refused_by_device", "receive_package3", (IN_SESSION,), IDLE,
             guard=refused_by_device, effect=take_refusal, consumes=3,
             adds=(("integrity", "checks MAC"),),
             note="device refused the server's credential",
             doc="the device refused our credential: take its new nonce"),
        Rule("close", "receive_package3", (IN_SESSION,), IDLE, guard=package3_authentic,
             effect=close_session, consumes=3,
             adds=(("type_node", "records type"), ("rotation", "keeps previous"),
                   ("integrity", "checks MAC")),
             doc="Package 3: commit rotation, record type, Package 4"),
        Rule("timeout", "timeout", (NOTIFIED, IN_SESSION), IDLE, effect=end_session, quiet=True,
             note="timeout: stops waiting", doc="nothing in flight: give up waiting"),
        Rule("pushed_bootstrap", "pushed_bootstrap", ALL_STATES, IDLE, effect=pushed, cls=FAULT,
             doc="the server pushes a bootstrap (server-initiated)"),
    ),
)
