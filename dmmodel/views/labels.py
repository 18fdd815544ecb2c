"""Short, spec-flavoured message labels for sequence charts: what a SyncML package carries.

``messages.describe`` prints a package in full (paths, digests); a chart arrow needs the gist:
Alert codes, the bootstrap report, Status codes with their Chal/NextNonce, the Replace of
AAuthSecret, the Get of the type node and the acknowledgement, one item per line.
"""

from __future__ import annotations

from dmmodel.protocol import vocabulary as v
from dmmodel.protocol.messages import Package, nonce_text

REPORT_TYPE = v.BOOTSTRAP_REPORT_URN.rsplit(":", 1)[-1]


def carries_cr_addition(package: Package) -> bool:
    """The package carries something only the change request adds (report, ack, type node)."""
    return (package.report is not None or package.ack is not None or package.get_type
            or package.type_result is not None)


def package_lines(package: Package, secret: int | None = None) -> list[str]:
    """The items of ``package``, one short line each; ``secret`` is the credential's generation."""
    p = package
    cred = "Cred md5" + ("" if secret is None else f" (secret g{secret})")
    if p.number == 0:
        return [f"Pkg0: Notification, digest{'' if secret is None else f' (secret g{secret})'}"]
    if p.number == 1:
        if p.cred is None:
            abort = " (session abort)" if p.alert == v.ALERT_SESSION_ABORT else ""
            return [f"Pkg1: Alert {p.alert}{abort}"]
        lines = [f"Pkg1: Alert {p.alert}, {cred}"]
        if p.report is not None:
            lines.append(f"+ Alert {v.ALERT_GENERIC} {REPORT_TYPE} (bootstrap report)")
        return lines
    if p.number == 2:
        if p.status != v.STATUS_AUTHENTICATED:
            return [f"Pkg2: Status {p.status}, Chal NextNonce={nonce_text(p.chal)}"]
        lines = [f"Pkg2: Status 212, Chal NextNonce={nonce_text(p.chal)}", cred]
        if p.replace is not None:
            lines.append(f"Replace AAuthSecret (CLCRED, SRVCRED -> g{p.replace})")
        if p.get_type:
            lines.append("Get Ext/BootstrapType")
        if p.ack is not None:
            lines.append(f"Status 200 on Alert {v.ALERT_GENERIC} (report acknowledged)")
        return lines
    if p.number == 3:
        lines = [f"Pkg3: Status {p.status} on server Cred, Chal NextNonce={nonce_text(p.chal)}"]
        if p.replace_status is not None:
            lines.append(f"Status {p.replace_status} on Replace")
        if p.type_result is not None:
            lines.append(f"Results BootstrapType={p.type_result}")
        return lines
    return [f"Pkg{p.number}: Status 200, Final (session closed)"]


def package_label(package: Package, secret: int | None = None) -> str:
    """The package as a multi-line arrow label."""
    return "\n".join(package_lines(package, secret))
