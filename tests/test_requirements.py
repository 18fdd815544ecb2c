"""specs/requirements.toml traces every requirement and flow to properties and scenarios that exist."""

import tomllib

import pytest

from dmmodel.protocol.config import SPECS_DIR, Variant, make_config
from dmmodel.runtime.scenarios import load_scenario, scenario_names
from dmmodel.search.checkable import DMModel

SPEC = tomllib.loads((SPECS_DIR / "requirements.toml").read_text())
PROPERTIES = {p.name: p for p in DMModel(make_config()).properties()}


def test_the_three_requirements_and_the_security_ones_are_traced():
    assert [r["id"] for r in SPEC["requirement"]] == ["DM-HLR-1", "DM-HLR-2", "DM-HLR-3", "DM-SEC-1",
                                                      "DM-SEC-2", "DM-SEC-3", "DM-SEC-4", "DM-SEC-5"]


@pytest.mark.parametrize("requirement", SPEC["requirement"], ids=lambda r: r["id"])
def test_requirement_names_real_properties_scenarios_and_switch(requirement):
    for name in requirement["properties"]:
        assert PROPERTIES[name].requirement == requirement["id"], name
    for name in requirement["scenarios"]:
        assert name in scenario_names()
    # the mitigating switch: a variant's, or the attacker's TLS (a deployment, not a variant)
    assert requirement["switch"] in {*Variant.__dataclass_fields__, "tls"}


def test_every_property_is_traced_to_its_requirement():
    traced = {name: r["id"] for r in SPEC["requirement"] for name in r["properties"]}
    assert traced == {name: p.requirement for name, p in PROPERTIES.items()}


@pytest.mark.parametrize("flow", SPEC["flow"], ids=lambda f: f["id"])
def test_flow_names_its_scenario_and_real_properties(flow):
    scenario = load_scenario(flow["scenario"])
    assert scenario.flow in (flow["id"], "the problem the CR describes")
    assert set(flow["properties"]) <= set(PROPERTIES)
