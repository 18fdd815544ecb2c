"""The Hypothesis kit over the wire: the stateful test and the recoverability oracle against
``dmmodel serve``'s server, reached over loopback HTTP (another thread, real sockets)."""

import threading

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from dmmodel.protocol.config import make_config
from dmmodel.testing import ConformanceError, protocol_machine
from dmmodel.wire.accounts import model_account
from dmmodel.wire.adapter import http_server
from dmmodel.wire.codec import Format
from dmmodel.wire.dmserver import DMServer
from dmmodel.wire.http import WireHTTPServer

# no notifications and no server pushes: those do not travel over HTTP
CONFIG = make_config("default", "cr", notifications=False)


@pytest.fixture
def served():
    dm = DMServer([model_account(0, "cr", rotations=CONFIG.bounds.rotations)])
    server = WireHTTPServer(("127.0.0.1", 0), dm, lambda record: None, test_hooks=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("fmt", list(Format))
def test_the_kit_drives_the_served_server_over_http(served, fmt):
    machine = protocol_machine(CONFIG, adapters={"server": http_server(served.url, fmt)})
    # without notifications the notification moves never apply: their preconditions filter a lot
    quick = settings(max_examples=12, stateful_step_count=20, deadline=None, database=None,
                     derandomize=True, suppress_health_check=[HealthCheck.filter_too_much])
    run_state_machine_as_test(machine, settings=quick)
    assert machine.coverage.rules["server:accept_rotating"] > 0
    assert machine.coverage.rules["server:recognise_bootstrap"] + machine.coverage.rules[
        "server:recognise_bootstrap_rotating"] > 0 or machine.coverage.rules["server:refuse"] > 0


@pytest.mark.slow
def test_a_served_dm12_server_fails_the_cr_kit_over_http():
    dm = DMServer([model_account(0, "dm12", rotations=CONFIG.bounds.rotations)])
    server = WireHTTPServer(("127.0.0.1", 0), dm, lambda record: None, test_hooks=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        machine = protocol_machine(CONFIG, adapters={"server": http_server(server.url)})
        find = settings(max_examples=300, stateful_step_count=20, deadline=None, database=None,
                        derandomize=True, suppress_health_check=[HealthCheck.filter_too_much])
        with pytest.raises(ConformanceError) as caught:
            run_state_machine_as_test(machine, settings=find)
    finally:
        server.shutdown()
        server.server_close()
    assert "server for device1 does what the model does not allow" in str(caught.value)
    assert "Alert 1226" in str(caught.value)  # the bootstrap report, which a DM 1.2 server ignores
