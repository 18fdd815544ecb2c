"""Limits end a search cleanly: time, memory, a full state encoding, or a MemoryError give a
partial result that says what ran out, and `dmmodel check` reports each such variant in one line
and exits 3 (undecided), without a traceback and with nothing half-written."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from counters import Counters

import dmmodel.search.checkable as checkable
import dmmodel.search.compiled as compiled
from dmmodel.analysis import check_variant
from dmmodel.checker import Always, LimitReached, Model, check
from dmmodel.checker.limits import size_text
from dmmodel.cli import main
from dmmodel.cli.limits import parse_size
from dmmodel.protocol.config import make_config
from dmmodel.search.checkable import DMModel


def run(*args: str):
    return CliRunner().invoke(main, list(args))


class Walk(Model):
    """States 0, 1, 2, ... in a line; the model's encoding holds ``room`` of them, then it
    raises ``error`` (a ``LimitReached`` or a ``MemoryError``)."""

    def __init__(self, room: int, error: Exception) -> None:
        self.room, self.error = room, error

    def init_states(self):
        return [0]

    def successors(self, n):
        if n + 1 >= self.room:
            raise self.error
        return [("step", n + 1)]


def test_a_model_out_of_room_ends_the_search_with_what_it_stored():
    result = check(Walk(50, LimitReached("ids", "50")), [Always("small", lambda n: n < 10)])
    assert (result.states, result.complete, result.transitions) == (50, False, 49)
    assert result.stopped.resource == "ids"
    assert result.unknown == "ran out of ids (50) at 50 states"
    assert result.verdicts[0].holds is False  # a violation met before the limit stays one
    assert result.to_json()["stopped"]["text"] == result.unknown


def test_a_memory_error_in_the_search_is_a_partial_result():
    result = check(Walk(30, MemoryError()), [Always("any", lambda n: True)])
    assert (result.states, result.complete) == (30, False)
    assert result.stopped.resource == "memory"
    assert result.verdicts[0].holds is None


def test_max_seconds_zero_stops_after_the_initial_states():
    result = check(Counters(50), [], max_seconds=0)
    assert (result.states, result.complete, result.stopped.resource) == (1, False, "time")
    assert check(Counters(5), [], max_seconds=60).stopped is None


def test_max_memory_below_what_the_process_holds_stops_at_once():
    result = check(Counters(50), [], max_memory=1 << 20)
    assert (result.complete, result.stopped.resource, result.stopped.limit) == (False, "memory", "1 MiB")


def test_one_device_has_no_slot_cap_of_its_own():
    """A single-device state is its slot id: ids past the 21 bits a slot once had are taken."""
    model = DMModel(make_config("default", "cr"))
    assert model.slot_bits == 63
    initial = model.system.initial()[0]
    model.keys = [0] * (1 << 21)  # as if 2,097,152 slots were met already
    model.slot_ids = {}
    sid = model.slot_id(initial)
    assert sid == 1 << 21 and model.encode((initial,)) == sid and model.decode(sid) == (initial,)


def test_devices_share_the_63_bits_of_a_state():
    assert [checkable.slot_bits(d) for d in (1, 2, 3, 4, 8)] == [63, 31, 21, 15, 7]
    assert DMModel(make_config("two-devices", "cr", devices=4, rebootstraps=0)).shifts == [0, 15, 30, 45]


def test_a_full_encoding_is_a_partial_result_not_a_traceback(monkeypatch):
    monkeypatch.setattr(checkable, "slot_bits", lambda devices: 5)  # 32 slot ids
    one = check_variant(make_config("default", "cr"))
    assert (one.result.states, one.result.complete) == (32, False)
    assert one.result.unknown == ("ran out of slot ids (32 per device, 5 of a state's 63 bits each "
                                  "for 1 device(s)) at 32 states")
    two = check_variant(make_config("two-devices", "cr"))  # the product stops in its components
    assert (two.result.states, two.result.stopped.resource) == (0, "slot ids")


@pytest.mark.parametrize("limit", [["--max-seconds", "0"], ["--max-memory", "1M"]])
def test_check_reports_each_stopped_variant_in_one_line_and_exits_3(limit):
    result = run("check", "-v", "dm12", "-v", "cr", *limit)
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    resource = "time (0 s)" if "--max-seconds" in limit else "memory (1 MiB)"
    for name in ("dm12", "cr"):
        assert f"{name}: unknown: ran out of {resource} at 1 state\n" in result.output
    assert "exit status 3" in result.output


def test_check_json_under_a_limit_is_whole_and_says_what_ran_out():
    result = run("check", "-v", "cr", "-c", "two-devices", "--max-seconds", "0", "--json")
    assert result.exit_code == 3
    (data,) = json.loads(result.output)  # one complete JSON document, nothing else
    assert data["complete"] is False
    assert data["stopped"] == {"resource": "time", "limit": "0 s",
                               "text": "ran out of time (0 s) at 0 states"}
    assert all(p["holds"] is None for p in data["properties"])


def test_check_out_of_slot_ids_exits_3(monkeypatch):
    monkeypatch.setattr(checkable, "slot_bits", lambda devices: 5)
    result = run("check", "-v", "cr", "--no-counterexamples")
    assert result.exit_code == 3 and "Traceback" not in result.output
    assert ("cr: unknown: ran out of slot ids (32 per device, 5 of a state's 63 bits each for 1 "
            "device(s)) at 32 states") in result.output


def test_a_violation_found_before_a_limit_is_a_finding(monkeypatch):
    """Exit status 1, not 3: the counterexample is real whatever the search did not see."""
    monkeypatch.setattr(checkable, "slot_bits", lambda devices: 10)
    result = run("check", "-c", "attack-replay", "-v", "cr", "-p", "injective_agreement_server",
                 "--no-counterexamples")
    assert "VIOLATED" in result.output and "cr: unknown: ran out of slot ids" in result.output
    assert result.exit_code == 1


@pytest.mark.parametrize("text, size", [("2G", 2 << 30), ("1.5GiB", 3 << 29), ("500m", 500 << 20),
                                        ("512MB", 512 << 20), ("4096", 4096), ("1k", 1024)])
def test_memory_sizes_are_binary(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "G", "2X", "-1G", "0"])
def test_a_bad_memory_size_is_a_usage_error(text):
    with pytest.raises(ValueError):
        parse_size(text)
    result = run("check", "--max-memory", text)
    assert result.exit_code == 2 and "--max-memory" in result.output and "Traceback" not in result.output


def test_check_help_documents_the_limits_and_exit_status_3():
    text = run("check", "--help").output
    assert "--max-seconds" in text and "--max-memory" in text and "3 when" in text
    assert "3 undecided" in run("--help").output


def test_a_slot_field_out_of_part_ids_is_a_partial_result(monkeypatch):
    monkeypatch.setattr(compiled, "PART_MASK", 7)  # eight values per field of a slot
    result = check_variant(make_config("default", "cr")).result
    assert not result.complete and result.stopped.resource.startswith("ids of a slot's ")
    assert result.unknown.endswith(f"at {result.states:,} states")


@pytest.mark.parametrize("text, shown", [("2G", "2 GiB"), ("1.5G", "1.5 GiB"), ("1200M", "1200 MiB"),
                                         ("1.17G", "1.17 GiB"), ("1000", "1,000 B")])
def test_a_memory_limit_is_shown_as_it_was_written(text, shown):
    assert size_text(parse_size(text)) == shown
