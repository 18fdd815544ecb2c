"""Configurations: the bounds that keep the state space finite, and the behaviour variants.

A configuration is plain data. Named bounds live in ``specs/configs/*.toml``; named variants are
the presets below. Bad input raises :class:`ConfigError` naming the key and what is allowed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from dmmodel.protocol.vocabulary import BootstrapType, Profile


def find_specs() -> tuple[Path, bool]:
    """Where ``specs/`` is, and whether it is a checkout's (writable, versioned) copy.

    From a checkout (a ``pyproject.toml`` beside the ``dmmodel`` package) it is the repository's
    top-level ``specs/``; from an installed wheel it is the copy shipped as ``dmmodel/specs``
    (pyproject.toml's force-include), to be read but not rewritten.
    """
    package = Path(__file__).resolve().parents[1]
    root = package.parent
    if (root / "pyproject.toml").is_file() and (root / "specs").is_dir():
        return root / "specs", True
    return package / "specs", False


SPECS_DIR, SPECS_IN_CHECKOUT = find_specs()
CONFIGS_DIR = SPECS_DIR / "configs"

COMMIT_ON_STATUS = "commit-on-status"
KEEP_PREVIOUS = "keep-previous"
ROTATION_POLICIES = (COMMIT_ON_STATUS, KEEP_PREVIOUS)
LEGACY_REPORT_STATUSES = (200, 406)  # what a DM 1.2 server may answer an unknown alert type with


class ConfigError(ValueError):
    """A configuration value is unknown, of the wrong type, or out of range."""


# Inclusive ranges of the integer bounds. The upper ends keep a check within reach of one
# machine (the state space grows exponentially in each) while leaving room above every named
# configuration and the bench ladder.
RANGES: dict[str, tuple[int, int]] = {
    "devices": (1, 8),
    "rotations": (0, 8),
    "rebootstraps": (0, 8),
    "resets": (0, 8),
    "losses": (0, 8),
    "capacity": (1, 8),
    "retry_limit": (0, 8),
}
RETIRED = {"nonces": "nonces are fresh values now, never reused, so they need no bound; delete the key"}


CAPABILITIES = ("record", "replay", "drop", "hold", "edit", "forge", "card_secret")


@dataclass(frozen=True)
class Attacker:
    """The network attacker's settings in a configuration: a name and its capabilities, each switchable.

    Without TLS it reads every package (a Replace teaches it the new secret, a Chal the nonce a
    verifier expects). ``record`` copies a package (at most ``memory`` kept); ``replay`` sends a
    recorded package again; ``drop`` and ``hold`` (release later) act on a package in flight;
    ``edit`` changes what no credential covers and ``forge`` injects packages built from what it
    knows; ``card_secret`` means it knows the card/factory secret g0 and the nonce provisioned
    with it. ``budget`` bounds its active steps per device (recording and releasing are free).
    Under ``tls`` it reads and changes nothing on the device's connection: it can drop a package
    (holding one within its HTTP exchange adds nothing; into a later exchange TLS forbids), and
    with the card secret it opens connections of its own and reads the answers on them.
    """

    name: str = "none"
    record: bool = False
    replay: bool = False
    drop: bool = False
    hold: bool = False
    edit: bool = False
    forge: bool = False
    card_secret: bool = False
    tls: bool = False
    budget: int = 0
    memory: int = 1

    def __post_init__(self) -> None:
        for name in (*CAPABILITIES, "tls"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"attacker.{name}: expected true or false, got {getattr(self, name)!r}")
        for name, (low, high) in (("budget", (0, 6)), ("memory", (1, 3))):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(f"attacker.{name}: expected an integer from {low} to {high}, got {value!r}")

    @property
    def active(self) -> bool:
        """The attacker can do anything at all."""
        return any(self.can(name) for name in CAPABILITIES)

    def can(self, capability: str) -> bool:
        """Whether the attacker has ``capability`` (TLS leaves drop, hold and card forgeries)."""
        if self.tls and capability in ("record", "replay", "edit"):
            return False
        if capability == "forge":
            return self.forge and (self.card_secret or not self.tls)
        return getattr(self, capability)

    def describe(self) -> str:
        """One line for the configuration banner."""
        if not self.active:
            return "no attacker"
        caps = ", ".join(c.replace("_", " ") for c in CAPABILITIES if self.can(c))
        tls = ", TLS" if self.tls else ""
        return f"attacker {self.name} ({caps}; {self.budget} step(s), memory {self.memory}{tls})"


ATTACKERS: dict[str, Attacker] = {
    a.name: a
    for a in (
        Attacker(),
        Attacker("replay", record=True, replay=True, budget=1),
        Attacker("edit", edit=True, forge=True, budget=1),
        Attacker("delay", drop=True, hold=True, budget=1),
        Attacker("eavesdrop", forge=True, budget=1),
        Attacker("card-leak", forge=True, card_secret=True, budget=1),
        Attacker("network", record=True, replay=True, drop=True, hold=True, edit=True, forge=True,
                 budget=1),
    )
}


def named_attacker(name: str) -> Attacker:
    """The attacker called ``name`` (one of ``ATTACKERS``)."""
    if name not in ATTACKERS:
        raise ConfigError(f"attacker: unknown name {name!r}; allowed: {', '.join(ATTACKERS)}")
    return ATTACKERS[name]


def attacker_from_dict(data: Any, base: Attacker | None = None) -> Attacker:
    """Build :class:`Attacker` from a TOML ``[attacker]`` table: a ``name`` and overrides. With
    ``base`` the name may be left out and the overrides apply to ``base`` (a bench rung's
    ``attacker`` table on top of its configuration's attacker)."""
    if not isinstance(data, dict):
        raise ConfigError("attacker: expected a table")
    values = dict(data)
    if "profile" in values:
        raise ConfigError("attacker.profile: now called attacker.name (profile means the bootstrap profile)")
    name = values.pop("name", None)
    if name is None and base is None:
        raise ConfigError(f"attacker.name: missing; allowed: {', '.join(ATTACKERS)}")
    if name is not None and name not in ATTACKERS:
        raise ConfigError(f"attacker.name: unknown {name!r}; allowed: {', '.join(ATTACKERS)}")
    known = (*CAPABILITIES, "tls", "budget", "memory")
    for key in values:
        if key not in known:
            raise ConfigError(f"attacker.{key}: unknown key; allowed: name, {', '.join(known)}")
    return replace(base if name is None else ATTACKERS[name], **values)


@dataclass(frozen=True)
class Bounds:
    """How much of each thing may happen, per device, so that exploration ends."""

    devices: int = 1
    rotations: int = 1
    rebootstraps: int = 1
    resets: int = 0
    losses: int = 0
    capacity: int = 2
    retry_limit: int = 2
    notifications: bool = True
    bootstrap_types: tuple[BootstrapType, ...] = (BootstrapType.SMARTCARD,)
    profile: Profile = Profile.DM
    attacker: Attacker = Attacker()

    def __post_init__(self) -> None:
        for name, (low, high) in RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{name}: expected an integer, got {value!r}")
            if value < low:
                raise ConfigError(f"{name}: must be at least {low}, got {value}")
            if value > high:
                raise ConfigError(f"{name}: must be at most {high}, got {value} "
                                  f"(allowed: {low} to {high})")
        if not isinstance(self.notifications, bool):
            raise ConfigError(f"notifications: expected true or false, got {self.notifications!r}")
        if not self.bootstrap_types:
            raise ConfigError("bootstrap_types: at least one bootstrap type is needed")

    def describe(self) -> str:
        """Every bound in one line: what a verdict obtained under these bounds is a claim about."""
        return (f"{self.devices} device(s), {self.rotations} rotation(s), "
                f"{self.rebootstraps} re-bootstrap(s), {self.resets} reset(s), {self.losses} loss(es), "
                f"retry limit {self.retry_limit}, bootstrap types "
                f"{', '.join(t.value for t in self.bootstrap_types)}; {self.attacker.describe()}")


@dataclass(frozen=True)
class Variant:
    """Behaviour switches compared side by side: DM 1.2 as written, the change request, and steps between."""

    name: str
    report: bool = False  # DM-HLR-1: the device reports the bootstrap event
    ack: bool = False  # DM-HLR-2: the server acknowledges the report
    type_node: bool = False  # DM-HLR-3: the device records its bootstrap type; the server reads it
    rotation: str = COMMIT_ON_STATUS
    # mitigations of the attacks on the change request (see specs/security.md)
    challenge: bool = False  # a report is answered with 401 + Chal; g0 only over that nonce
    device_nonce: bool = False  # each session's Package 1 carries a fresh device nonce (Chal)
    bound_ack: bool = False  # the device takes an acknowledgement only if it names its bootstrap
    integrity: bool = False  # HMAC over whole packages (x-syncml-hmac), Package 3 included
    # the Status a server without ``report`` puts on a report it cannot interpret (SyncML answers
    # every command): 200 (taken and ignored) or 406 (optional feature not supported)
    legacy_report_status: int = 200
    device_runs: str | None = None  # the preset the device runs, when it is not the server's
    claims_cr: bool = False  # the variant claims the CR's requirements (decides the exit status)
    doc: str = ""

    def __post_init__(self) -> None:
        if self.rotation not in ROTATION_POLICIES:
            raise ConfigError(
                f"rotation: unknown policy {self.rotation!r}; allowed: {', '.join(ROTATION_POLICIES)}"
            )
        if self.ack and not self.report:
            raise ConfigError("ack: an acknowledgement needs report = true")
        if self.legacy_report_status not in LEGACY_REPORT_STATUSES:
            allowed = ", ".join(map(str, LEGACY_REPORT_STATUSES))
            raise ConfigError(f"legacy_report_status: expected one of {allowed}, "
                              f"got {self.legacy_report_status!r}")
        for switch in ("challenge", "bound_ack"):
            if getattr(self, switch) and not self.report:
                raise ConfigError(f"{switch}: this mitigation needs report = true")

    def for_role(self, role: str) -> Variant:
        """The variant a machine runs: the device may run another preset than the server
        (``device_runs``, for the backward-compatibility check)."""
        if role == "device" and self.device_runs is not None:
            return PRESETS[self.device_runs]
        return self

    def on(self, switch: str) -> bool:
        """Whether a behaviour switch is on (for ``rotation``: the keep-previous policy)."""
        value = getattr(self, switch)
        return value == KEEP_PREVIOUS if switch == "rotation" else bool(value)


def _cr(name: str, doc: str, **switches: bool) -> Variant:
    """The change request with the keep-previous policy and some mitigations switched on."""
    return Variant(name, report=True, ack=True, type_node=True, rotation=KEEP_PREVIOUS,
                   claims_cr=True, doc=doc, **switches)


MITIGATIONS = (
    _cr("cr-challenge", "cr-keep-previous; the server answers a report with 401 + a fresh Chal and "
        "accepts the bootstrap secret only over that nonce", challenge=True),
    _cr("cr-device-nonce", "cr-keep-previous; every session's Package 1 carries a fresh device "
        "nonce for the server's credential, and the acknowledgement names the bootstrap it answers",
        device_nonce=True, bound_ack=True),
    _cr("cr-hmac", "cr-keep-previous with HMAC (x-syncml-hmac) over every package, Package 3 included",
        integrity=True),
    _cr("cr-fresh", "cr-keep-previous with a challenged report, a device nonce and a bound "
        "acknowledgement (freshness on both sides)", challenge=True, device_nonce=True, bound_ack=True),
    _cr("cr-fresh-hmac", "cr-fresh with HMAC over every package", challenge=True, device_nonce=True,
        bound_ack=True, integrity=True),
)
# "Impact on backward compatibility: none", says the change request: each side without the other.
MIXED = (
    Variant("cr-server-dm12-device", report=True, ack=True, type_node=True, device_runs="dm12",
            doc="a server with the change request and a DM 1.2 device"),
    Variant("dm12-server-cr-device", device_runs="cr",
            doc="a DM 1.2 server, which answers the report it cannot interpret with Status 200, and "
                "a device with the change request"),
    Variant("dm12-server-406-cr-device", device_runs="cr", legacy_report_status=406,
            doc="a DM 1.2 server, which answers the report it cannot interpret with Status 406 "
                "(optional feature not supported), and a device with the change request"),
)

PRESETS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("dm12", doc="DM 1.2 as specified: no report, no acknowledgement, no type node"),
        Variant("report", report=True, doc="the device reports the bootstrap (DM-HLR-1 only)"),
        Variant(
            "report-ack", report=True, ack=True, doc="report and acknowledgement (DM-HLR-1, 2)"
        ),
        Variant(
            "cr",
            report=True,
            ack=True,
            type_node=True,
            claims_cr=True,
            doc="the change request: report, acknowledgement and bootstrap-type node",
        ),
        Variant(
            "cr-keep-previous",
            report=True,
            ack=True,
            type_node=True,
            rotation=KEEP_PREVIOUS,
            claims_cr=True,
            doc="the change request, and the server keeps the previous secret until the new one is used",
        ),
        *MITIGATIONS,
        *MIXED,
    )
}


@dataclass(frozen=True)
class Config:
    """A named set of bounds with one variant: everything the model needs to run. ``forget``
    applies the live-data reduction (``forgetting.py``); off, the unreduced model it is
    tested against."""

    name: str
    bounds: Bounds
    variant: Variant
    forget: bool = True


def variant(name: str) -> Variant:
    """The preset variant called ``name``."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(
            f"variant: unknown {name!r}; allowed: {', '.join(PRESETS)}"
        ) from None


def _enum_tuple(key: str, values: Any, enum: type) -> tuple:
    allowed = ", ".join(m.value for m in enum)
    if not isinstance(values, list) or not values:
        raise ConfigError(f"{key}: expected a non-empty list of {allowed}")
    try:
        members = tuple(enum(v) for v in values)
    except (TypeError, ValueError):
        raise ConfigError(f"{key}: unknown value in {values!r}; allowed: {allowed}") from None
    repeated = next((m for i, m in enumerate(members) if m in members[:i]), None)
    if repeated is not None:
        raise ConfigError(f"{key}: {repeated.value!r} is listed twice")
    return members


def bounds_from_dict(data: dict[str, Any]) -> Bounds:
    """Build :class:`Bounds` from a TOML table, rejecting unknown keys by name."""
    known = {f.name for f in fields(Bounds)} - {"attacker"}
    values = dict(data)
    for key in values:
        if key in RETIRED:
            raise ConfigError(f"{key}: {RETIRED[key]}")
        if key not in known:
            raise ConfigError(f"{key}: unknown bound; allowed: {', '.join(sorted(known))}")
    if "bootstrap_types" in values:
        values["bootstrap_types"] = _enum_tuple(
            "bootstrap_types", values["bootstrap_types"], BootstrapType
        )
    if "profile" in values:
        try:
            values["profile"] = Profile(values["profile"])
        except ValueError:
            allowed = ", ".join(p.value for p in Profile)
            raise ConfigError(f"profile: unknown {values['profile']!r}; allowed: {allowed}") from None
    return Bounds(**values)


def read_toml(path: Path, key: str, error: type[ValueError] = ConfigError) -> dict[str, Any]:
    """The TOML table in ``path``; anything that stops reading it raises ``error`` with one
    line naming ``key``, the file and what is wrong (no raw errno text)."""
    if path.is_dir():
        raise error(f"{key}: {str(path)!r} is a directory, not a TOML file")
    if not path.exists():
        raise error(f"{key}: no such file {str(path)!r}")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as bad:
        raise error(f"{key}: {path.name} is not UTF-8 text (byte 0x{bad.object[bad.start]:02x} "
                    f"at offset {bad.start})") from None
    except tomllib.TOMLDecodeError as bad:
        raise error(f"{key}: {path.name} is not valid TOML ({bad})") from None
    except OSError as bad:
        reason = (bad.strerror or type(bad).__name__).lower()
        raise error(f"{key}: cannot read {str(path)!r} ({reason})") from None


def load_bounds(name_or_path: str) -> tuple[str, Bounds]:
    """Load bounds from a named configuration in ``specs/configs`` or from a TOML file."""
    path = Path(name_or_path)
    if not path.suffix and not path.is_dir() and "/" not in name_or_path:
        path = CONFIGS_DIR / f"{name_or_path}.toml"
        if not path.is_file():
            names = ", ".join(named_configs())
            raise ConfigError(f"config: unknown {name_or_path!r}; allowed: {names} or a .toml file")
    data = read_toml(path, "config")
    extra = set(data) - {"bounds", "description", "attacker"}
    if extra:
        raise ConfigError(f"{sorted(extra)[0]}: unknown table; allowed: bounds, attacker, description")
    table = data.get("bounds", {})
    if not isinstance(table, dict):
        raise ConfigError("bounds: expected a table")
    if "attacker" in data:
        return path.stem, replace(bounds_from_dict(table), attacker=attacker_from_dict(data["attacker"]))
    return path.stem, bounds_from_dict(table)


def named_configs() -> list[str]:
    """The names of the configurations in ``specs/configs``."""
    return sorted(p.stem for p in CONFIGS_DIR.glob("*.toml"))


def config_description(name: str) -> str:
    """The ``description`` line of a named configuration (empty when it has none)."""
    description = read_toml(CONFIGS_DIR / f"{name}.toml", "config").get("description", "")
    return description if isinstance(description, str) else ""


def make_config(config: str = "default", variant_name: str = "cr", **overrides: Any) -> Config:
    """Convenience: a named configuration with a preset variant and optional bound overrides."""
    name, bounds = load_bounds(config)
    if overrides:
        bounds = replace(bounds, **overrides)
    return Config(name, bounds, variant(variant_name))
