"""Pin: specs/security.md's security matrix shows the verdicts recorded in specs/manifest.toml.

A regression check of the page, not evidence for the verdicts: those come from the checker, and
`dmmodel manifest --check` (tests/test_manifest.py and .ci/run) keeps the recorded ones current.
"""

from pathlib import Path

import pytest

from dmmodel import manifest
from dmmodel.analysis import attack_configs
from dmmodel.protocol.config import PRESETS
from dmmodel.search.checkable import security_names

PAGE = (Path(__file__).resolve().parents[1] / "specs" / "security.md").read_text(encoding="utf-8")
SHORT = {"injective_agreement_server": "agree-S", "injective_agreement_device": "agree-D",
         "rollback_only_by_bootstrap": "rollback", "authentic_ack": "ack",
         "secrets_stay_secret": "secrecy", "recovers_after_attack": "recovery"}


def matrix_rows() -> list[str]:
    """The matrix as markdown rows, from the manifest: per variant, per attacker configuration,
    the security properties that fail (a dash when all hold)."""
    recorded = {(e["config"], e["variant"]): e["verdicts"] for e in manifest.load()}
    configs = attack_configs()
    rows = ["| variant | " + " | ".join(c.removeprefix("attack-") for c in configs) + " |",
            "| --- |" + " --- |" * len(configs)]
    for variant in PRESETS:
        cells = []
        for config in configs:
            verdicts = recorded[config, variant]
            failing = [SHORT[n] for n in security_names() if verdicts[n] != "holds"]
            cells.append(", ".join(failing) or "-")
        rows.append(f"| `{variant}` | " + " | ".join(cells) + " |")
    return rows


def test_every_security_property_has_a_short_name():
    assert set(SHORT) == set(security_names())


@pytest.mark.pin
def test_the_security_matrix_matches_the_manifest():
    assert "\n".join(matrix_rows()) in PAGE
