"""SyncML-shaped packages exchanged between a device and the server.

A package is a small immutable value (hashable, so it can sit in a checker state). The credential
is whatever the crypto in use makes: a ``(generation, nonce)`` pair for the checker, a real digest
string for the executable machines. ``describe`` prints a package the way a reader of the spec
expects: package number, alerts, statuses with Chal/NextNonce, commands and results.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from dmmodel.protocol import vocabulary as v


class Package(NamedTuple):
    """One SyncML package; unused fields stay ``None``.

    Fields by package: 0 notification (``cred`` = digest); 1 device to server (``alert``,
    ``cred``, ``report`` = the bootstrap report, carrying the bootstrap's sequence number as a
    ghost for the properties); 2 server to device (``status`` 212/401, ``chal`` = NextNonce,
    ``cred``, commands ``replace`` = new secret generation, ``get_type``, ``ack`` = Status 200 for
    the report); 3 device to server (``status`` on the server's credential with ``chal``,
    ``replace_status``, ``type_result``); 4 server closes the session.
    """

    number: int
    alert: int | None = None
    cred: Any = None
    report: int | None = None
    status: int | None = None
    chal: int | None = None
    replace: int | None = None
    get_type: bool = False
    ack: int | None = None
    replace_status: int | None = None
    type_result: str | None = None


def nonce_text(nonce: int) -> str:
    """The concrete nonce string for a nonce counter (what ``NextNonce`` carries, base64-decoded)."""
    return f"nonce-{nonce}"


def _cred_text(cred: Any) -> str:
    if isinstance(cred, tuple):
        gen, nonce = cred
        return f"secret g{gen}, nonce {nonce}"
    return str(cred)


def describe(package: Package, account: str = "x") -> str:
    """A one-line, spec-flavoured rendering of ``package`` (``account`` is the DMAcc node name)."""
    p = package
    parts = [f"Pkg{p.number}"]
    if p.number == 0:
        parts.append(f"Notification digest=[{_cred_text(p.cred)}]")
    if p.alert is not None:
        parts.append(f"Alert {p.alert}")
    if p.number in (1, 2) and p.status is not None:
        parts.append(f"Status {p.status} on SyncHdr")
    if p.chal is not None:
        parts.append(f"Chal NextNonce={nonce_text(p.chal)}")
    if p.number in (1, 2) and p.cred is not None:
        parts.append(f"Cred md5=[{_cred_text(p.cred)}]")
    if p.report is not None:
        parts.append(f"Alert {v.ALERT_GENERIC} {v.BOOTSTRAP_REPORT_URN} (bootstrap #{p.report})")
    if p.replace is not None:
        parts.append(f"Replace {v.secret_path(account, v.AuthLevel.CLIENT)}")
        parts.append(f"Replace {v.secret_path(account, v.AuthLevel.SERVER)}")
        parts.append(f"(-> g{p.replace})")
    if p.get_type:
        parts.append(f"Get {v.bootstrap_type_path(account)}")
    if p.ack is not None:
        parts.append(f"Status {v.STATUS_OK} on Alert {v.ALERT_GENERIC} (report acknowledged)")
    if p.number == 3:
        parts.append(f"Status {p.status} on server Cred")
        if p.replace_status is not None:
            parts.append(f"Status {p.replace_status} on Replace")
        if p.type_result is not None:
            parts.append(f"Results BootstrapType={p.type_result}")
    if p.number == 4:
        parts.append("Status 200 on Package 3, Final (session closed)")
    return " | ".join(parts)
