"""The device's machine table: bootstrap, notification, Package 1, credential checks, session.

Control states: ``factory`` (no account), ``idle``, ``awaiting_auth`` (Package 1 sent, waiting
for the server's answer), ``awaiting_close`` (the server authenticated, Package 3 sent).
"""

from __future__ import annotations

from typing import Any

from dmmodel.protocol import vocabulary as v
from dmmodel.protocol.config import Bounds
from dmmodel.protocol.messages import Package
from dmmodel.protocol.nonces import FRESH
from dmmodel.protocol.rules import FAULT, SETUP, Chain, Ctx, MachineTable, Role, Rule
from dmmodel.protocol.state import DeviceData, Slot

FACTORY, IDLE, AWAITING_AUTH, AWAITING_CLOSE = "factory", "idle", "awaiting_auth", "awaiting_close"
SESSION_STATES = (AWAITING_AUTH, AWAITING_CLOSE)
ACCOUNT_STATES = (IDLE, AWAITING_AUTH, AWAITING_CLOSE)


def new_run(ctx: Ctx, d: DeviceData) -> DeviceData:
    """A new session run (a ghost: one per SyncML session, retries after 401 stay in it); with
    ``device_nonce`` the device also picks a fresh nonce of its own for the server's credential."""
    d = d._replace(run=FRESH)
    if ctx.variant.device_nonce:
        d = d._replace(snonce=FRESH + 1)
    return d


def package1(ctx: Ctx, d: DeviceData) -> Package:
    """Package 1: Alert 1200/1201, the device's credential, and the report when one is pending
    (with ``device_nonce``, also the device's nonce for the server's credential, as a Chal)."""
    alert = v.ALERT_SERVER_INITIATED if d.server_initiated else v.ALERT_CLIENT_INITIATED
    report = d.epoch if d.report_pending and ctx.variant.report else None
    chal = d.snonce if ctx.variant.device_nonce else None
    return Package(1, alert=alert, cred=ctx.crypto.client(ctx.index, d.gen, d.cnonce), report=report,
                   chal=chal)


def bootstrap_choices(bounds: Bounds, slot: Slot) -> tuple[tuple[str, int], ...]:
    """(type, generation) per bootstrap type: a server push installs the server's current secret,
    the card and the factory generation 0."""
    server = v.BootstrapType.SERVER.value
    return tuple((t.value, slot.account.gen if t.value == server else 0) for t in bounds.bootstrap_types)


def pushed_by_server(arg: tuple[str, int]) -> bool:
    """The bootstrap is a server push, so the server's account takes part in it."""
    return arg[0] == v.BootstrapType.SERVER.value


PUSH = Chain(Role.SERVER, "pushed_bootstrap", pushed_by_server)


def bootstrap(ctx: Ctx, d: DeviceData, arg: tuple[str, int]) -> tuple[DeviceData, tuple]:
    """Install a fresh account: secret generation, bootstrap nonces, a pending report."""
    boot, gen = arg
    fresh = DeviceData(gen=gen, boot=boot, profile=ctx.bounds.profile.value, epoch=d.epoch + 1,
                       acked=d.acked, report_pending=ctx.variant.report)
    return fresh, ()


def connect(ctx: Ctx, d: DeviceData, arg: Any) -> tuple[DeviceData, tuple]:
    """Client-initiated session: Package 1 with Alert 1201."""
    d = new_run(ctx, d._replace(retries=0, server_initiated=False))
    return d, (package1(ctx, d),)


def notification_valid(ctx: Ctx, d: DeviceData, p: Package) -> bool:
    """The Package 0 digest is the server's, made with the SRVCRED secret and nonce."""
    return p.cred == ctx.crypto.notification(ctx.index, d.gen, d.snonce)


def answer_notification(ctx: Ctx, d: DeviceData, p: Package) -> tuple[DeviceData, tuple]:
    """Server-initiated session: Package 1 with Alert 1200."""
    d = new_run(ctx, d._replace(retries=0, server_initiated=True))
    return d, (package1(ctx, d),)


def server_authenticated(ctx: Ctx, d: DeviceData, p: Package) -> bool:
    """Status 212 and a server credential made from the device's SRVCRED secret and nonce."""
    return p.status == v.STATUS_AUTHENTICATED and p.cred == ctx.crypto.server(
        ctx.index, d.gen, d.snonce
    )


def server_refused(ctx: Ctx, d: DeviceData, p: Package) -> bool:
    """Status 212 but the server's credential does not check out."""
    return p.status == v.STATUS_AUTHENTICATED and not server_authenticated(ctx, d, p)


def ack_taken(ctx: Ctx, d: DeviceData, p: Package) -> bool:
    """The 212 acknowledges the report: Status 200 on its Alert 1226 (which any SyncML server
    may give), with ``bound_ack`` only if the acknowledgement names this bootstrap."""
    if not ctx.variant.ack or p.report_status != v.STATUS_OK:
        return False
    return not ctx.variant.bound_ack or p.ack == d.epoch


def mac(ctx: Ctx, d: DeviceData, nonce: int) -> object:
    """With ``integrity``, the MAC of a Package 3 over the nonce the server just issued."""
    return ctx.crypto.client(ctx.index, d.gen, nonce) if ctx.variant.integrity else None


def take_session(ctx: Ctx, d: DeviceData, p: Package) -> tuple[DeviceData, tuple]:
    """Apply the commands (Replace, Get, acknowledgement) and answer with Package 3."""
    snonce = FRESH
    gen = d.gen if p.replace is None else p.replace
    report_pending, acked = d.report_pending, d.acked
    proof = mac(ctx, d, p.chal)
    if ack_taken(ctx, d, p):
        report_pending, acked = False, d.epoch
    elif not ctx.variant.ack:
        report_pending = False  # without an acknowledgement the 212 is all the device gets
    d = d._replace(gen=gen, cnonce=p.chal, snonce=snonce, retries=0,
                   report_pending=report_pending, acked=acked)
    reply = Package(
        3,
        status=v.STATUS_OK,
        chal=snonce,
        replace_status=v.STATUS_OK if p.replace is not None else None,
        # a device without the type node has nothing to answer the Get with (404 in SyncML)
        type_result=(d.boot, d.profile) if p.get_type and ctx.variant.type_node else None,
        cred=proof,
    )
    return d, (reply,)


def reject_server(ctx: Ctx, d: DeviceData, p: Package) -> tuple[DeviceData, tuple]:
    """Refuse the server's credential: Status 401 with a new nonce for it, and end the session."""
    d = d._replace(snonce=FRESH, retries=0)
    return d, (Package(3, status=v.STATUS_UNAUTHORIZED, chal=FRESH, cred=mac(ctx, d, p.chal)),)


def may_retry(ctx: Ctx, d: DeviceData, p: Package) -> bool:
    """401 with a Chal, and the retry limit is not reached."""
    return p.status == v.STATUS_UNAUTHORIZED and d.retries < ctx.bounds.retry_limit


def refused(ctx: Ctx, d: DeviceData, p: Package) -> bool:
    """401 with a Chal."""
    return p.status == v.STATUS_UNAUTHORIZED


def retry(ctx: Ctx, d: DeviceData, p: Package) -> tuple[DeviceData, tuple]:
    """Take the new nonce from the Chal and send Package 1 again."""
    d = d._replace(cnonce=p.chal, retries=d.retries + 1)
    return d, (package1(ctx, d),)


def give_up(ctx: Ctx, d: DeviceData, p: Package) -> tuple[DeviceData, tuple]:
    """Retry limit reached: abort the session (Alert 1223), keeping the nonce for the next one."""
    return d._replace(cnonce=p.chal, retries=0), (Package(1, alert=v.ALERT_SESSION_ABORT),)


def forget_session(ctx: Ctx, d: DeviceData, arg: Any) -> tuple[DeviceData, tuple]:
    """Leave a session (timeout, reset): the account stays, the retry count does not."""
    return d._replace(retries=0), ()


DEVICE = MachineTable(
    name="device",
    states=(FACTORY, IDLE, AWAITING_AUTH, AWAITING_CLOSE),
    initial=FACTORY,
    rules=(
        Rule("bootstrap", "bootstrap", (FACTORY,), IDLE, effect=bootstrap, cls=SETUP,
             args=bootstrap_choices, chain=PUSH, adds=(("report", "+ report pending"),),
             title="bootstrap", doc="first bootstrap (customized, server push or smart card)"),
        Rule("rebootstrap", "rebootstrap", ACCOUNT_STATES, IDLE, effect=bootstrap, cls=FAULT,
             budget="rebootstraps", disconnects=True, args=bootstrap_choices, chain=PUSH,
             adds=(("report", "+ report pending"),), title="re-bootstrap",
             doc="re-bootstrap overwrites the account (user reset, new card, server push)"),
        Rule("reset", "reset", SESSION_STATES, IDLE, effect=forget_session, cls=FAULT,
             budget="resets", disconnects=True, title="device reset",
             doc="device reset mid-session"),
        Rule("connect", "connect", (IDLE,), AWAITING_AUTH, effect=connect, starts=True,
             adds=(("report", "+ report"), ("device_nonce", "+ device nonce")),
             doc="client-initiated session: Package 1, Alert 1201"),
        Rule("answer_notification", "receive_package0", (IDLE,), AWAITING_AUTH,
             guard=notification_valid, effect=answer_notification, consumes=0,
             adds=(("report", "+ report"), ("device_nonce", "+ device nonce")),
             doc="valid Package 0: Package 1, Alert 1200"),
        Rule("take_session", "receive_package2", (AWAITING_AUTH,), AWAITING_CLOSE,
             guard=server_authenticated, effect=take_session, consumes=2, joins=True,
             adds=(("ack", "takes ack"), ("type_node", "answers Get type"),
                   ("bound_ack", "checks the ack's bootstrap"), ("integrity", "+ MAC")),
             doc="212 and a valid server credential: apply commands, send Package 3"),
        Rule("reject_server", "receive_package2", (AWAITING_AUTH,), IDLE,
             guard=server_refused, effect=reject_server, consumes=2,
             adds=(("integrity", "+ MAC"),),
             doc="212 with a wrong server credential: Status 401 + Chal, session over"),
        Rule("retry", "receive_package2", (AWAITING_AUTH,), AWAITING_AUTH,
             guard=may_retry, effect=retry, consumes=2,
             adds=(("report", "+ report"), ("device_nonce", "+ device nonce")),
             doc="401 + Chal: retry with the new nonce"),
        Rule("give_up", "receive_package2", (AWAITING_AUTH,), IDLE,
             guard=refused, effect=give_up, consumes=2,
             note="retry limit reached: session abandoned",
             doc="401 + Chal at the retry limit: Alert 1223, session aborted"),
        Rule("close", "receive_package4", (AWAITING_CLOSE,), IDLE, consumes=4,
             note="session closed", doc="Package 4: session closed"),
        Rule("timeout", "timeout", SESSION_STATES, IDLE, effect=forget_session, quiet=True,
             note="timeout: session abandoned", doc="nothing in flight: abandon the session"),
    ),
)
