"""Pin: the user documentation under specs/ keeps up with the code it describes.

specs/README.md documents every configuration key (with its real default), every named
configuration, every scenario step form and final-state field; specs/protocol.md names every
property and variant; the README links both and lists every benchmark rung.
"""

import re
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from dmmodel.protocol.config import (
    PRESETS,
    SPECS_DIR,
    Attacker,
    Bounds,
    bounds_from_dict,
    make_config,
    named_configs,
)
from dmmodel.runtime.machines import ExecutableSystem
from dmmodel.runtime.scenarios import final_fields, step_forms
from dmmodel.search.checkable import property_names

ROOT = Path(__file__).resolve().parents[1]
SPECS_README = (SPECS_DIR / "README.md").read_text(encoding="utf-8")
PROTOCOL = (SPECS_DIR / "protocol.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")

pytestmark = pytest.mark.pin


def table_rows(text: str) -> dict[str, list[str]]:
    """Markdown table rows whose first cell holds code spans: the other cells, by each span."""
    rows = {}
    for line in text.splitlines():
        if line.startswith("| `"):
            first, *rest = (c.strip() for c in line.strip().strip("|").split("|"))
            rows.update((span, rest) for span in re.findall(r"`([^`]+)`", first))
    return rows


@pytest.mark.parametrize("field", [f.name for f in fields(Bounds) if f.name != "attacker"])
def test_every_bound_is_documented_with_its_real_default(field):
    row = table_rows(SPECS_README).get(field)
    assert row is not None, f"specs/README.md has no row for bound {field!r}"
    default = tomllib.loads(f"value = {row[1].strip('`')}")["value"]
    assert getattr(bounds_from_dict({field: default}), field) == getattr(Bounds(), field)


@pytest.mark.parametrize("key", [f.name for f in fields(Attacker)])
def test_every_attacker_key_is_documented(key):
    assert f"attacker.{key}" in table_rows(SPECS_README)


@pytest.mark.parametrize("name", named_configs())
def test_every_named_configuration_is_listed(name):
    assert name in table_rows(SPECS_README)


@pytest.mark.parametrize("form", step_forms())
def test_every_step_form_is_documented(form):
    assert form in table_rows(SPECS_README)


def test_every_final_field_a_scenario_may_name_is_documented():
    documented = set(re.findall(r"`((?:device|server)\.\w+|violated)`", SPECS_README))
    assert set(final_fields(ExecutableSystem(make_config()))) <= documented


def test_every_file_under_specs_is_described():
    described = set(table_rows(SPECS_README))
    for path in SPECS_DIR.rglob("*"):
        if path.is_file():
            relative = path.relative_to(SPECS_DIR)
            assert {str(relative), f"{relative.parent}/*{relative.suffix}"} & described, relative


@pytest.mark.parametrize("name", property_names())
def test_every_property_is_explained(name):
    assert name in table_rows(PROTOCOL)


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_variant_is_explained(name):
    assert name in table_rows(PROTOCOL)


def test_the_readme_links_the_docs_it_names():
    for target in re.findall(r"\]\(([^)#]+\.md)\)", README):
        assert (ROOT / target).is_file(), target
    assert "(specs/README.md)" in README and "(specs/protocol.md)" in README


def test_the_readme_benchmark_table_lists_every_rung():
    ladder = tomllib.loads((SPECS_DIR / "bench.toml").read_text(encoding="utf-8"))["rung"]
    section = README[README.index("## Benchmark"):]
    shown = re.findall(r"^\| ([a-z][\w-]*) \|", section, re.M)
    assert [r["name"] for r in ladder] == [row for row in shown if row != "rung"]
