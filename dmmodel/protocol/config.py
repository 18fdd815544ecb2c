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
    "nonces": (2, 16),
}


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
    nonces: int = 2
    notifications: bool = True
    bootstrap_types: tuple[BootstrapType, ...] = (BootstrapType.SMARTCARD,)
    profile: Profile = Profile.DM

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


@dataclass(frozen=True)
class Variant:
    """Behaviour switches compared side by side: DM 1.2 as written, the change request, and steps between."""

    name: str
    report: bool = False  # DM-HLR-1: the device reports the bootstrap event
    ack: bool = False  # DM-HLR-2: the server acknowledges the report
    type_node: bool = False  # DM-HLR-3: the device records its bootstrap type; the server reads it
    rotation: str = COMMIT_ON_STATUS
    claims_cr: bool = False  # the variant claims the CR's requirements (decides the exit status)
    doc: str = ""

    def __post_init__(self) -> None:
        if self.rotation not in ROTATION_POLICIES:
            raise ConfigError(
                f"rotation: unknown policy {self.rotation!r}; allowed: {', '.join(ROTATION_POLICIES)}"
            )
        if self.ack and not self.report:
            raise ConfigError("ack: an acknowledgement needs report = true")

    def on(self, switch: str) -> bool:
        """Whether a behaviour switch is on (for ``rotation``: the keep-previous policy)."""
        value = getattr(self, switch)
        return value == KEEP_PREVIOUS if switch == "rotation" else bool(value)


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
    )
}


@dataclass(frozen=True)
class Config:
    """A named set of bounds with one variant: everything the model needs to run."""

    name: str
    bounds: Bounds
    variant: Variant


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
    known = {f.name for f in fields(Bounds)}
    values = dict(data)
    for key in values:
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
    extra = set(data) - {"bounds", "description"}
    if extra:
        raise ConfigError(f"{sorted(extra)[0]}: unknown table; allowed: bounds, description")
    table = data.get("bounds", {})
    if not isinstance(table, dict):
        raise ConfigError("bounds: expected a table")
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
