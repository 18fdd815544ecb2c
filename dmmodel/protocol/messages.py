"""SyncML-shaped packages exchanged between a device and the server.

A package is a small immutable value (hashable, so it can sit in a checker state). The credential
is whatever the crypto in use makes: a ``(generation, nonce)`` pair for the checker, a real digest
string for the executable machines. ``package_items`` is the one description of a package's
contents, short for chart labels and full (``describe``) for printed traces.
"""

from __future__ import annotations

from typing import Annotated, Any, NamedTuple

from dmmodel.protocol import vocabulary as v
from dmmodel.protocol.fields import CREDENTIAL, GHOST, NONCE, Nonce


class Package(NamedTuple):
    """One SyncML package; unused fields stay ``None``.

    Fields by package: 0 notification (``cred`` = digest); 1 device to server (``alert``,
    ``cred``, ``report`` = the bootstrap report, carrying the bootstrap's sequence number as a
    ghost for the properties); 2 server to device (``status`` 212/401, ``chal`` = NextNonce,
    ``cred``, commands ``replace`` = new secret generation, ``get_type``, ``report_status`` = the
    Status on the report's Alert 1226, ``ack`` = the bootstrap an acknowledgement names explicitly
    (``bound_ack`` servers only)); 3 device to server (``status`` on the server's credential with ``chal``,
    ``replace_status``, ``type_result`` = the bootstrap type and profile the device recorded);
    4 server closes the session. ``chal`` on Package 1 is the device's own nonce for the server's
    credential, sent with the report (a mitigation variant). ``tag`` is the ghost
    :class:`Origin` of the package, for the security properties only.
    """

    number: int
    alert: int | None = None
    cred: Annotated[Any, CREDENTIAL] = None
    report: int | None = None
    status: int | None = None
    chal: Annotated[int | None, Nonce(first=True)] = None  # renamed before the credential's
    replace: int | None = None
    get_type: bool = False
    report_status: int | None = None
    ack: int | None = None
    replace_status: int | None = None
    type_result: tuple[str, str] | None = None
    tag: Annotated[Origin | None, GHOST] = None


class Origin(NamedTuple):
    """Who really made a package, a ghost the attacker cannot touch (a replay copies it, a
    forgery or an edit is tagged ``attacker``). ``epoch`` and ``run`` are the device's bootstrap
    and session run the package belongs to (for a server package: those of the package it
    answers); ``report`` says the server answered the device's own bootstrap report."""

    sender: str  # "device", "server" or "attacker"
    epoch: int = 0
    run: Annotated[int, NONCE] = 0
    report: bool = False


FORGED = Origin("attacker")


def nonce_text(nonce: int) -> str:
    """The concrete nonce string for a nonce value (what ``NextNonce`` carries, base64-decoded)."""
    return f"nonce-{nonce}"


def _cred_text(cred: Any) -> str:
    if isinstance(cred, tuple):
        gen, nonce = cred
        return f"secret g{gen}, nonce {nonce}"
    return str(cred)


REPORT_TYPE = v.BOOTSTRAP_REPORT_URN.rsplit(":", 1)[-1]


# The fields :func:`package_items` describes in words; any other field a package sets gets a line
# of its own (its name and value), so that a new field shows in charts and traces from the start.
DESCRIBED = ("number", "alert", "cred", "report", "status", "chal", "replace", "get_type", "report_status",
             "ack", "replace_status", "type_result", "tag")


def package_items(package: Package, account: str = "x", secret: int | None = None) -> list[tuple[str, str]]:
    """The one description of a package, line by line, each line as (short, full): the short form
    labels a chart arrow (``secret`` is the credential's generation, if known), the full form
    prints a trace (DMAcc paths under ``account``, the credential itself)."""
    items = _described(package, account, secret)
    defaults = type(package)._field_defaults
    for name in type(package)._fields:
        value = getattr(package, name)
        if name not in DESCRIBED and value != defaults.get(name):
            items.append((f"{name} {value}",) * 2)
    return items


def _described(p: Package, account: str, secret: int | None) -> list[tuple[str, str]]:
    gen = "" if secret is None else f" (secret g{secret})"
    cred = (f"Cred md5{gen}", f"Cred md5=[{_cred_text(p.cred)}]")
    chal = f"Chal NextNonce={nonce_text(p.chal)}" if p.chal is not None else ""
    if p.number == 0:
        return [(f"Pkg0: Notification, digest{gen}", f"Pkg0 | Notification digest=[{_cred_text(p.cred)}]")]
    if p.number == 1:
        if p.cred is None:
            abort = " (session abort)" if p.alert == v.ALERT_SESSION_ABORT else ""
            return [(f"Pkg1: Alert {p.alert}{abort}", f"Pkg1 | Alert {p.alert}")]
        items = [(f"Pkg1: Alert {p.alert}, {cred[0]}", f"Pkg1 | Alert {p.alert} | {cred[1]}")]
        if p.report is not None:
            items.append((f"+ Alert {v.ALERT_GENERIC} {REPORT_TYPE} (bootstrap report)",
                          f"Alert {v.ALERT_GENERIC} {v.BOOTSTRAP_REPORT_URN} (bootstrap #{p.report})"))
        return items
    if p.number == 2:
        items = [(f"Pkg2: Status {p.status}, {chal}", f"Pkg2 | Status {p.status} on SyncHdr | {chal}")]
        if p.status != v.STATUS_AUTHENTICATED:
            return items
        items.append(cred)
        if p.replace is not None:
            paths = " | ".join(f"Replace {v.secret_path(account, level)}" for level in v.AuthLevel)
            items.append((f"Replace AAuthSecret (CLCRED, SRVCRED -> g{p.replace})",
                          f"{paths} | (-> g{p.replace})"))
        if p.get_type:
            items.append(("Get Ext/BootstrapType", f"Get {v.bootstrap_type_path(account)}"))
        if p.report_status is not None:
            named = f", names bootstrap #{p.ack}" if p.ack is not None else ""
            meaning = "report acknowledged" if p.report_status == v.STATUS_OK else "alert type not supported"
            status = f"Status {p.report_status} on Alert {v.ALERT_GENERIC} ({meaning}{named})"
            items.append((status, status))
        return items
    if p.number == 3:
        items = [(f"Pkg3: Status {p.status} on server Cred, {chal}",
                  f"Pkg3 | Status {p.status} on server Cred | {chal}")]
        if p.replace_status is not None:
            items.append((f"Status {p.replace_status} on Replace",) * 2)
        if p.type_result is not None:
            items.append((f"Results BootstrapType={p.type_result[0]} ({p.type_result[1]} profile)",) * 2)
        return items
    return [(f"Pkg{p.number}: Status 200, Final (session closed)",
             f"Pkg{p.number} | Status 200 on Package 3, Final (session closed)")]


def describe(package: Package, account: str = "x") -> str:
    """A one-line, spec-flavoured rendering of ``package`` (``account`` is the DMAcc node name)."""
    return " | ".join(full for _, full in package_items(package, account))
