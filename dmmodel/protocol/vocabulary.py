"""OMA DM 1.2.1 vocabulary in one place: alert and status codes, DMAcc paths, bootstrap kinds.

Numbers and names follow the DM Representation Protocol and the DMAcc management object
(``urn:oma:mo:oma-dm-dmacc:1.0``). The bootstrap-report URN and the bootstrap-type node are
model choices, documented where they are defined.
"""

from __future__ import annotations

from enum import StrEnum

# Alert codes (DM Representation Protocol).
ALERT_SERVER_INITIATED = 1200
ALERT_CLIENT_INITIATED = 1201
ALERT_NEXT_MESSAGE = 1222  # listed for completeness: the model sends each package whole
ALERT_SESSION_ABORT = 1223
ALERT_GENERIC = 1226

# Status codes.
STATUS_OK = 200
STATUS_AUTHENTICATED = 212  # authenticated for the rest of the session
STATUS_UNAUTHORIZED = 401  # credentials refused; MUST carry a Chal
STATUS_NOT_SUPPORTED = 406  # optional feature not supported: a server's answer to an alert it
# does not implement (SyncML answers every command with a Status; 200 is the other plausible one)
STATUS_MISSING_CREDENTIALS = 407  # credentials missing; MUST carry a Chal (the model's
# devices always send credentials, so only 401 occurs)

DMACC_ROOT = "./DMAcc"

# Model choice: the DM 1.3 text is not available, so the bootstrap report
# is a Generic Alert (1226) whose type URN follows DM 2.0's BootstrapComplete alert type.
BOOTSTRAP_REPORT_URN = "urn:oma:at:dm:1.3:BootstrapComplete"
BOOTSTRAP_REPORT_NOTE = (
    "model choice: the bootstrap report is a Generic Alert 1226 with type "
    f"{BOOTSTRAP_REPORT_URN} (after DM 2.0's urn:oma:at:dm:2.0:BootstrapComplete)"
)


class AuthLevel(StrEnum):
    """``AAuthLevel``: whose credentials an AppAuth entry holds."""

    CLIENT = "CLCRED"  # the device's credentials towards the server
    SERVER = "SRVCRED"  # the server's credentials towards the device


class BootstrapType(StrEnum):
    """How a device got its DM account (the CR's DM-HLR-3 asks the server to know this)."""

    CUSTOMIZED = "customized"  # factory bootstrap
    SERVER = "server"  # server-initiated (pushed)
    SMARTCARD = "smartcard"  # read from the smart card at switch-on


class Profile(StrEnum):
    """The bootstrap profile: OMA Client Provisioning or OMA DM (TNDS)."""

    CLIENT_PROVISIONING = "cp"
    DM = "dm"


def account_path(account: str) -> str:
    """``./DMAcc/<x>``: the management account node of one server."""
    return f"{DMACC_ROOT}/{account}"


def app_auth_path(account: str, level: AuthLevel, leaf: str) -> str:
    """``./DMAcc/<x>/AppAuth/<y>/<leaf>`` for the CLCRED or SRVCRED entry, e.g. ``AAuthSecret``."""
    return f"{account_path(account)}/AppAuth/{level.value}/{leaf}"


def secret_path(account: str, level: AuthLevel) -> str:
    """Path of the ``AAuthSecret`` leaf that a secret rotation replaces."""
    return app_auth_path(account, level, "AAuthSecret")


def bootstrap_type_path(account: str) -> str:
    """Model choice: the CR's Alternative flow 2 node, kept under the account's ``Ext`` subtree."""
    return f"{account_path(account)}/Ext/BootstrapType"
