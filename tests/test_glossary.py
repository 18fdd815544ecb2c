"""specs/glossary.md is what the code follows: every name it points to exists, and the names it
retired (each once a second meaning of a word) appear nowhere in the code or the docs."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = (ROOT / "specs" / "glossary.md").read_text(encoding="utf-8")
SOURCES = {path: path.read_text(encoding="utf-8")
           for path in [*ROOT.joinpath("dmmodel").rglob("*.py"), ROOT / "README.md",
                        *ROOT.joinpath("specs").rglob("*.md"), *ROOT.joinpath("specs").rglob("*.toml")]
           if path.name != "glossary.md"}
CODE = "\n".join(text for path, text in SOURCES.items() if path.suffix == ".py")

# old name -> the glossary's name for it
RETIRED = {
    r"\bIntruder\b": "AttackerState",
    r"\bCARD_GEN\b": "BOOTSTRAP_GEN",
    r"\battacker_profile\b": "named_attacker",
    r"^profile = \"": "[attacker] name = ...",
    r"--attacker PROFILE": "--attacker NAME",
    r"bootstrap-time secret": "bootstrap secret",
    r"^class Step\b": "StepKind, PathStep or Exchange",
}


def code_names() -> list[str]:
    """The identifiers the glossary's last column points to (``Name`` or ``Name.attr``)."""
    names = []
    for row in GLOSSARY.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) == 3 and not set(cells[0]) <= {"-"}:
            names += re.findall(r"`([A-Za-z_][A-Za-z_0-9]*(?:\.[A-Za-z_][A-Za-z_0-9]*)?)`", cells[2])
    return names


@pytest.mark.parametrize("name", code_names())
def test_every_name_the_glossary_points_to_is_in_the_code(name):
    last = name.rsplit(".", 1)[-1]
    assert re.search(rf"\b{re.escape(last)}\b", CODE), f"{name} is in the glossary, not in the code"


@pytest.mark.parametrize("old", RETIRED)
def test_retired_names_are_gone(old):
    found = [f"{path.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}"
             for path, text in SOURCES.items() for m in re.finditer(old, text, re.M)]
    assert not found, f"{old!r} (now {RETIRED[old]}) still in {found}"


def test_the_glossary_check_sees_names_and_retirements():
    assert {"AttackerState", "StepKind", "BOOTSTRAP_GEN", "Attacker.name"} <= set(code_names())
    assert re.search(r"\bAttackerState\b", CODE) and not re.search(r"\bAttackerStateX\b", CODE)
