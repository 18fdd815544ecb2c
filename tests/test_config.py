"""Configurations: named files load, and bad input names the key and what is allowed."""

import pytest

from dmmodel.protocol.config import (
    ATTACKERS,
    PRESETS,
    Bounds,
    ConfigError,
    Variant,
    attacker_from_dict,
    load_bounds,
    named_configs,
    variant,
)


@pytest.mark.parametrize("name", named_configs())
def test_every_named_configuration_loads(name):
    loaded_name, bounds = load_bounds(name)
    assert loaded_name == name
    assert isinstance(bounds, Bounds)


def test_presets_cover_dm12_and_the_cr():
    assert {"dm12", "cr"} <= set(PRESETS)
    dm12, cr = PRESETS["dm12"], PRESETS["cr"]
    assert not (dm12.report or dm12.ack or dm12.type_node)
    assert cr.report and cr.ack and cr.type_node and cr.claims_cr


def write(tmp_path, text):
    path = tmp_path / "c.toml"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[bounds]\ndevicez = 1\n", "devicez: unknown bound; allowed: .*devices"),
        ("[bounds]\nrotations = -1\n", "rotations: must be at least 0"),
        ("[bounds]\ndevices = 0\n", "devices: must be at least 1"),
        ("[bounds]\nretry_limit = 'two'\n", "retry_limit: expected an integer"),
        ("[bounds]\nbootstrap_types = ['sim']\n", "bootstrap_types: unknown value .*smartcard"),
        ("[bounds\n", "not valid TOML"),
        ("[limits]\n", "limits: unknown table"),
        ("[bounds]\nnonces = 2\n", "nonces: nonces are fresh values now"),
        ("attacker = 3\n", "attacker: expected a table"),
        ("[attacker]\nbudget = 1\n", "attacker.name: missing; allowed: none, replay"),
        ("[attacker]\nname = 'bogus'\n", "attacker.name: unknown 'bogus'"),
        ("[attacker]\nprofile = 'replay'\n", "attacker.profile: now called attacker.name"),
        ("[attacker]\nname = 'replay'\nbudget = 99\n", "attacker.budget: expected an integer from 0 to 6"),
        ("[attacker]\nname = 'replay'\nsneaky = true\n", "attacker.sneaky: unknown key"),
        ("[attacker]\nname = 'replay'\ntls = 'yes'\n", "attacker.tls: expected true or false"),
    ],
)
def test_bad_configuration_files_name_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_bounds(write(tmp_path, text))


def test_an_attacker_table_names_the_attacker_and_its_overrides(tmp_path):
    _, bounds = load_bounds(write(tmp_path, "[attacker]\nname = 'replay'\ndrop = true\ntls = true\n"))
    attacker = bounds.attacker
    assert attacker.name == "replay" and attacker.drop and attacker.tls
    assert attacker.can("drop") and not attacker.can("replay")  # TLS leaves drop and hold only


def test_an_attacker_table_without_a_name_overrides_the_attacker_it_is_given():
    base = attacker_from_dict({"name": "card-leak", "tls": True})
    raised = attacker_from_dict({"budget": 3}, base)
    assert (raised.name, raised.tls, raised.card_secret, raised.budget) == ("card-leak", True, True, 3)
    assert attacker_from_dict({"name": "replay"}, base) == ATTACKERS["replay"]  # a name starts afresh
    with pytest.raises(ConfigError, match="attacker.budget: expected an integer from 0 to 6, got 7"):
        attacker_from_dict({"budget": 7}, base)


def test_unknown_names_list_what_is_allowed():
    with pytest.raises(ConfigError, match="config: unknown 'nope'; allowed: .*default"):
        load_bounds("nope")
    with pytest.raises(ConfigError, match="variant: unknown 'dm13'; allowed: dm12, "):
        variant("dm13")


def test_variant_switches_are_checked():
    with pytest.raises(ConfigError, match="rotation: unknown policy"):
        Variant("x", rotation="sometimes")
    with pytest.raises(ConfigError, match="ack: an acknowledgement needs report"):
        Variant("x", ack=True)
