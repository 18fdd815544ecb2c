"""The network attacker of one slot: which attack steps it can take now, and what each does.

The attacker sits on the slot's two channels (one attacker per device: a package of one
device's account carries that device's credentials, so it is of no use against another
account, and what no credential covers it can make up anyway). It is a bounded Dolev-Yao
attacker: without TLS it reads every package (so a Replace teaches it the new secret) and builds
any package its knowledge allows; under TLS it reads and changes nothing. Its steps are actions
of class ``attack``; liveness properties never count on them. Steps name what they use by position
(recording 1, the edit ``strip report``), never by value, so that the compiled search and the
executable machines, whose nonces differ in value, take the same step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dmmodel.protocol import vocabulary as v
from dmmodel.protocol.config import Attacker, Bounds, Variant
from dmmodel.protocol.crypto import Crypto
from dmmodel.protocol.messages import FORGED, Package
from dmmodel.protocol.nonces import BOOTSTRAP_NONCE, FRESH
from dmmodel.protocol.state import BOOTSTRAP_GEN, AttackerState, Slot


def channel_of(package: Package) -> str:
    """The channel a package travels on: Packages 1 and 3 to the server, the others down."""
    return "up" if package.number in (1, 3) else "down"


def initial_state(attacker: Attacker) -> AttackerState | None:
    """The attacker's initial state, or None on a benign network."""
    if not attacker.active:
        return None
    return AttackerState(left=attacker.budget, secrets=(BOOTSTRAP_GEN,) if attacker.card_secret else ())


def reads(attacker: Attacker, sent: tuple[Package, ...]) -> bool:
    """``sent`` hands the attacker a rotated secret: without TLS it reads every package, and a
    Replace carries the new AAuthSecret (CLCRED and SRVCRED) in clear."""
    return not attacker.tls and any(p.replace is not None for p in sent)


def learn(a: AttackerState, sent: tuple[Package, ...], attacker: Attacker) -> AttackerState:
    """What the attacker knows after ``sent`` travelled: the secrets a Replace carried in clear
    (``forgetting.forget`` then drops them if it can never use them)."""
    if not reads(attacker, sent):
        return a
    new = {p.replace for p in sent if p.replace is not None} - set(a.secrets)
    if not new:
        return a
    return a._replace(secrets=tuple(sorted({*a.secrets, *new})))


def hears_answer(a: AttackerState, attacker: Attacker, taken: Package | None, sent: tuple[Package, ...]
                 ) -> AttackerState:
    """Under TLS the attacker reads only its own connection: it learns the nonce of a server's
    Package 2 that answers a package it made."""
    if not attacker.tls or not any(p.number == 2 for p in sent):
        return a
    own = taken is not None and taken.tag is not None and taken.tag.sender == "attacker"
    return a if own == a.own_answer else a._replace(own_answer=own)


def holds_back(attacker: Attacker, package: Package) -> bool:
    """The attacker may hold ``package`` back to release it later. Not under TLS: there a
    package can wait only within its own HTTP exchange, which changes nothing the channel's
    order does not already allow, and released later it would land in a later exchange, which
    TLS rules out. A Package 0 is a notification outside HTTP and can be held."""
    return attacker.can("hold") and (not attacker.tls or package.number == 0)


def _ack_of(p: Package) -> int:
    return p.tag.epoch if p.tag is not None and p.tag.epoch else 1


# Edits of what no credential covers: (name, applies to the package, the edited package).
EDITS: tuple[tuple[str, Callable[[Package], bool], Callable[[Package], Package]], ...] = (
    ("strip report", lambda p: p.number == 1 and p.report is not None,
     lambda p: p._replace(report=None, chal=None)),
    ("add report", lambda p: p.number == 1 and p.cred is not None and p.report is None,
     lambda p: p._replace(report=_ack_of(p))),
    ("strip ack", lambda p: p.number == 2 and p.report_status is not None,
     lambda p: p._replace(report_status=None, ack=None)),
    ("add ack", lambda p: p.number == 2 and p.status == v.STATUS_AUTHENTICATED and p.report_status is None,
     lambda p: p._replace(report_status=v.STATUS_OK, ack=_ack_of(p))),
    ("strip Replace", lambda p: p.number == 2 and p.replace is not None,
     lambda p: p._replace(replace=None)),
    ("confirm Replace", lambda p: p.number == 3 and p.replace_status is None,
     lambda p: p._replace(replace_status=v.STATUS_OK)),
    ("deny Replace", lambda p: p.number == 3 and p.replace_status == v.STATUS_OK,
     lambda p: p._replace(replace_status=None)),
)
EDIT_BY_NAME = {name: change for name, _, change in EDITS}


SERVER_NONCE, DEVICE_NONCE, BOOT_NONCE = "the server's nonce", "the device's nonce", "the bootstrap nonce"


def _known_nonces(slot: Slot, attacker: Attacker, verifier: str) -> list[str]:
    """The nonces the attacker can make a credential over, for the server or the device: the one
    the verifier expects now, which travelled in clear in its last Chal (under TLS only if the
    server sent that Chal to the attacker's own connection; before any Chal it is the
    provisioned one), and the provisioned one if the card leaked."""
    current = slot.account.cnonce if verifier == "server" else slot.device.snonce
    names = []
    if attacker.card_secret:
        names.append(BOOT_NONCE)
    seen = not attacker.tls or (verifier == "server" and slot.attacker.own_answer)
    if seen and current != BOOTSTRAP_NONCE:
        names.append(SERVER_NONCE if verifier == "server" else DEVICE_NONCE)
    return names


def forgeries(attacker: Attacker, variant: Variant, slot: Slot) -> list[str]:
    """The packages the attacker can build now, by name (Dolev-Yao: anything its knowledge
    allows that a verifier could take): a Package 3 that confirms a Replace (nothing covers it
    without HMAC, and nothing hides it without TLS); a Package 1, with or without a report, and a
    server's 212, made with each secret it knows over each nonce it knows that the verifier
    would take."""
    names = []
    if not attacker.tls and not variant.integrity:
        names.append("Pkg3 confirming a Replace")
    to_server, to_device = _known_nonces(slot, attacker, "server"), _known_nonces(slot, attacker, "device")
    for gen in slot.attacker.secrets:
        for nonce in to_server:
            names += [f"Pkg1, g{gen} over {nonce}", f"Pkg1 + report, g{gen} over {nonce}"]
        names += [f"Pkg2 212, g{gen} over {nonce}" for nonce in to_device]
    return names


def forge(name: str, slot: Slot, crypto: Crypto, index: int) -> Package:
    """The package called ``name`` by :func:`forgeries`, made with ``crypto``."""
    if name == "Pkg3 confirming a Replace":
        return Package(3, status=v.STATUS_OK, chal=FRESH, replace_status=v.STATUS_OK, tag=FORGED)
    what, over = name.split(" over ", 1)
    gen = int(what.rsplit(" g", 1)[1])
    nonce = {BOOT_NONCE: BOOTSTRAP_NONCE, SERVER_NONCE: slot.account.cnonce,
             DEVICE_NONCE: slot.device.snonce}[over]
    if name.startswith("Pkg1"):
        return Package(1, alert=v.ALERT_CLIENT_INITIATED, cred=crypto.client(index, gen, nonce),
                       report=1 if "+ report" in what else None, tag=FORGED)
    return Package(2, status=v.STATUS_AUTHENTICATED, chal=FRESH,
                   cred=crypto.server(index, gen, nonce), tag=FORGED)


def options(slot: Slot, bounds: Bounds, variant: Variant) -> list[tuple[str, str, Any]]:
    """Every attack step the slot's attacker can take now, as (kind, channel, argument)."""
    a, att = slot.attacker, bounds.attacker
    if a is None:
        return []
    out: list[tuple[str, str, Any]] = []
    active = a.left > 0
    for channel, queue in (("up", slot.up), ("down", slot.down)):
        if not queue:
            continue
        head = queue[0]
        if active and att.can("record") and len(a.recorded) < att.memory and head not in a.recorded:
            out.append(("record", channel, None))
        if active and att.can("drop"):
            out.append(("drop", channel, None))
        if active and a.held is None and holds_back(att, head):
            out.append(("hold", channel, None))
        if active and att.can("edit") and not variant.integrity:
            out += [("edit", channel, (name,)) for name, applies, _ in EDITS if applies(head)]
    room = {"up": len(slot.up) < bounds.capacity, "down": len(slot.down) < bounds.capacity}
    if a.held is not None and room[a.held[0]]:
        out.append(("release", a.held[0], None))
    if active and att.can("replay"):
        out += [("replay", channel_of(p), (i,)) for i, p in enumerate(a.recorded) if room[channel_of(p)]]
    if active and att.can("forge"):
        for name in forgeries(att, variant, slot):
            channel = "up" if name.startswith(("Pkg1", "Pkg3")) else "down"
            if room[channel]:
                out.append(("forge", channel, (name,)))
    return out


def attack(slot: Slot, kind: str, channel: str, arg: Any, crypto: Crypto, index: int) -> Slot:
    """The slot after the attack step (kind, channel, arg), one of :func:`options`."""
    a = slot.attacker
    queues = {"up": slot.up, "down": slot.down}
    left = a.left if kind in ("record", "release") else a.left - 1
    recorded, held = a.recorded, a.held
    if kind == "record":
        recorded = recorded + (queues[channel][0],)
    elif kind in ("drop", "hold", "edit"):
        head = queues[channel][0]
        queues[channel] = queues[channel][1:]
        if kind == "hold":
            held = (channel, head)
        elif kind == "edit":
            queues[channel] = (EDIT_BY_NAME[arg[0]](head)._replace(tag=FORGED),) + queues[channel]
    elif kind == "release":
        queues[channel] += (held[1],)
        held = None
    elif kind == "replay":
        queues[channel] += (recorded[arg[0]],)
    elif kind == "forge":
        queues[channel] += (forge(arg[0], slot, crypto, index),)
    else:
        raise ValueError(f"unknown attack step {kind!r}")
    return slot._replace(up=queues["up"], down=queues["down"],
                         attacker=AttackerState(recorded, held, left, a.secrets, a.own_answer))
