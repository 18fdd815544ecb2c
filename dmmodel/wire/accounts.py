"""The accounts ``dmmodel serve`` manages: read from TOML, their state kept in a JSON file.

Each account names a device's DM account (its node, AppAuth entries and credentials as
provisioned at bootstrap), the model variant that judges it and the server's rotation policy.
``model = true`` gives an account the model's own secrets and nonces (``deviceN``), which is
what the project's device machine and the Hypothesis kit use. Bad input raises
:class:`AccountsError` naming the key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from dmmodel.protocol import vocabulary as v
from dmmodel.protocol.config import PRESETS, RANGES, RETIRED, Bounds, ConfigError, Variant, read_toml, variant
from dmmodel.protocol.crypto import SERVER_ID, client_secret, device_name, server_secret
from dmmodel.protocol.messages import nonce_text
from dmmodel.wire.message import AUTH_BASIC, AUTH_MD5
from dmmodel.wire.numbers import ascii_number

AUTH_TYPES = {"md5": AUTH_MD5, "basic": AUTH_BASIC}


class AccountsError(ConfigError):
    """The accounts file is unreadable or a value in it is wrong."""


@dataclass(frozen=True)
class AccountSpec:
    """One device account as provisioned at bootstrap, and how the server treats it."""

    name: str  # CLCRED AAuthName: the device's user name towards the server
    secret: str  # CLCRED AAuthSecret at bootstrap
    server_secret: str  # SRVCRED AAuthSecret at bootstrap
    server_id: str = SERVER_ID  # SRVCRED AAuthName: the server's name towards the device
    node: str = ""  # the DMAcc node, ./DMAcc/<node> (default: the name)
    client_appauth: str = v.AuthLevel.CLIENT.value
    server_appauth: str = v.AuthLevel.SERVER.value
    client_auth: str = "md5"
    client_nonce: str = ""  # CLCRED AAuthData at bootstrap
    server_nonce: str = ""  # SRVCRED AAuthData at bootstrap
    variant: str = "cr"
    rotations: int = 1  # how many times the server rotates the secrets (at most)
    retry_limit: int = 2  # the model device's retries after a 401
    bootstrap: str = v.BootstrapType.SMARTCARD.value
    model: bool = False

    @property
    def dm_node(self) -> str:
        return self.node or self.name

    @property
    def auth_type(self) -> str:
        return AUTH_TYPES[self.client_auth]

    @property
    def model_index(self) -> int:
        return int(self.name.removeprefix("device")) - 1

    def bounds(self) -> Bounds:
        return Bounds(devices=1, rotations=self.rotations, rebootstraps=1, retry_limit=self.retry_limit,
                      notifications=False,
                      bootstrap_types=(v.BootstrapType(self.bootstrap),))

    def variant_(self) -> Variant:
        chosen = variant(self.variant)
        if chosen.integrity:
            served = ", ".join(name for name, p in PRESETS.items() if not p.integrity)
            raise AccountsError(f"variant: {self.variant!r} is not served on the wire (its HMAC over whole "
                                f"packages, x-syncml-hmac, is not implemented); served: {served}")
        return chosen


def model_account(index: int = 0, variant_name: str = "cr", **more: Any) -> AccountSpec:
    """An account with the model's own secrets for device ``index`` (what the kit's machines use)."""
    name = device_name(index)
    return AccountSpec(name=name, secret=client_secret(index, 0), server_secret=server_secret(index, 0),
                       client_nonce=nonce_text(0), server_nonce=nonce_text(0), variant=variant_name,
                       model=True, **more)


def _spec(entry: Any, where: str, defaults: dict[str, Any]) -> AccountSpec:
    if not isinstance(entry, dict):
        raise AccountsError(f"{where}: expected a table")
    known = {f.name: f for f in fields(AccountSpec)}
    values = {**defaults, **entry}
    for key, value in values.items():
        if key in RETIRED:
            raise AccountsError(f"{where}.{key}: {RETIRED[key]}")
        if key not in known:
            raise AccountsError(f"{where}.{key}: unknown key; allowed: {', '.join(known)}")
        want = known[key].type
        kind = {"str": str, "int": int, "bool": bool}[want if isinstance(want, str) else want.__name__]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise AccountsError(f"{where}.{key}: expected {kind.__name__}, got {value!r}")
    for key in ("name", "secret", "server_secret"):
        if key not in values and not values.get("model"):
            raise AccountsError(f"{where}: {key} is required")
    if values.get("model"):
        name = values.get("name", "device1")
        tail = name[6:]
        number = ascii_number(tail) if name.startswith("device") and tail == tail.strip() else None
        if number is None or number < 1:
            raise AccountsError(f"{where}.name: a model account is named deviceN, got {name!r}")
        rest = {k: val for k, val in values.items() if k not in ("name", "model", "variant")}
        spec = model_account(number - 1, values.get("variant", "cr"), **rest)
        spec.variant_()
        return spec
    spec = AccountSpec(**values)
    if spec.client_auth not in AUTH_TYPES:
        raise AccountsError(f"{where}.client_auth: {spec.client_auth!r}; allowed: md5, basic")
    if ":" in spec.name:
        raise AccountsError(f"{where}.name: must not contain ':'")
    for key in ("rotations", "retry_limit"):
        low, high = RANGES[key]
        if not low <= getattr(spec, key) <= high:
            raise AccountsError(f"{where}.{key}: must be {low} to {high}, got {getattr(spec, key)}")
    spec.variant_()
    try:
        v.BootstrapType(spec.bootstrap)
    except ValueError:
        allowed = ", ".join(t.value for t in v.BootstrapType if t is not v.BootstrapType.SERVER)
        raise AccountsError(f"{where}.bootstrap: unknown {spec.bootstrap!r}; allowed: {allowed}") from None
    return spec


def load_accounts(path: Path) -> list[AccountSpec]:
    """The accounts of a TOML file: ``[defaults]`` (optional) and one ``[[account]]`` table each."""
    data = read_toml(path, "accounts", AccountsError)
    extra = set(data) - {"account", "defaults"}
    if extra:
        raise AccountsError(f"{sorted(extra)[0]}: unknown table; allowed: account, defaults")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise AccountsError("defaults: expected a table")
    entries = data.get("account", [])
    if not isinstance(entries, list) or not entries:
        raise AccountsError("account: at least one [[account]] table is needed")
    specs = [_spec(e, f"account[{i}]", defaults) for i, e in enumerate(entries)]
    names = [s.name for s in specs]
    repeated = next((n for i, n in enumerate(names) if n in names[:i]), None)
    if repeated:
        raise AccountsError(f"account: {repeated!r} is listed twice")
    return specs


def read_state(path: Path) -> dict[str, Any]:
    """The persisted state of every account (empty when the file does not exist yet)."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AccountsError(f"state: cannot read {str(path)!r} ({error})") from None
    if not isinstance(data, dict):
        raise AccountsError(f"state: {str(path)!r} is not a JSON object")
    return data
