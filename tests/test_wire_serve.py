"""``dmmodel serve`` end to end over loopback HTTP: the project's device machine against the
served server, in XML and WBXML. The DM 1.2 deadlock and the change request's recovery both
happen on the wire; a device that strays from the model gets findings; malformed messages get
a 4xx and the server keeps serving; account state survives a restart."""

import json
import socket
import threading
import urllib.error
import urllib.request

import pytest

from dmmodel.wire import codec
from dmmodel.wire.accounts import AccountSpec, model_account
from dmmodel.wire.charts import session_mermaid
from dmmodel.wire.client import WireDevice
from dmmodel.wire.codec import Format
from dmmodel.wire.dmserver import DMServer
from dmmodel.wire.http import WireHTTPServer


def real_account(variant: str, **more) -> AccountSpec:
    values = {"name": "alice", "secret": "alice-card-secret", "server_secret": "server-card-secret"}
    return AccountSpec(**{**values, "variant": variant, **more})


class Served:
    """A served DMServer on a random loopback port, with its log records."""

    def __init__(self, *specs: AccountSpec) -> None:
        self.records: list[dict] = []
        self.dm = DMServer(list(specs))
        self.http = WireHTTPServer(("127.0.0.1", 0), self.dm, self.records.append)
        self.thread = threading.Thread(target=self.http.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)  # a quick shutdown at teardown
        self.thread.start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()

    def findings(self) -> list[str]:
        return [f for r in self.records for f in r.get("findings", ())]


@pytest.fixture
def served():
    made: list[Served] = []

    def make(*specs: AccountSpec) -> Served:
        made.append(Served(*specs))
        return made[-1]

    yield make
    for s in made:
        s.close()


def rotate_then_rebootstrap(device: WireDevice):
    """Bootstrap, a session (the server rotates), re-bootstrap from the card, a session after it."""
    device.bootstrap()
    first = device.session()
    device.bootstrap(again=True)
    return first, device.session()


@pytest.mark.parametrize("fmt", list(Format))
@pytest.mark.parametrize("spec", [model_account(0, "dm12"), real_account("dm12")], ids=["model", "real"])
def test_dm12_deadlocks_on_the_wire(served, fmt, spec):
    server = served(spec)
    device = WireDevice(spec, server.http.url, fmt)
    first, after = rotate_then_rebootstrap(device)
    assert [s.rule for s in first.exchanges] == ["connect", "take_session"]
    assert first.exchanges[0].received.replace == 1  # the server rotated the secrets
    # after the re-bootstrap: 401, retry, 401, retry, 401, give up; and the next session the same
    assert [s.rule for s in after.exchanges] == ["connect", "retry", "retry", "give_up"]
    assert [s.received.status for s in after.exchanges[:3]] == [401, 401, 401]
    again = device.session()
    assert [s.rule for s in again.exchanges] == ["connect", "retry", "retry", "give_up"]
    assert server.findings() == [] and first.findings + after.findings + again.findings == []
    account = server.dm.accounts[spec.name]
    chart = session_mermaid(account, account.session)
    assert chart.count("Status 401") == 3 and "Alert 1223" in chart


@pytest.mark.parametrize("fmt", list(Format))
@pytest.mark.parametrize("spec", [model_account(0, "cr"), real_account("cr")], ids=["model", "real"])
def test_the_change_request_recovers_on_the_wire(served, fmt, spec):
    server = served(spec)
    device = WireDevice(spec, server.http.url, fmt)
    first, after = rotate_then_rebootstrap(device)
    assert [s.rule for s in after.exchanges] == ["connect", "take_session"]
    reply = after.exchanges[0].received
    assert reply.status == 212 and reply.report_status == 200  # the report is acknowledged
    assert server.dm.accounts[spec.name].server.data.known_type == ("smartcard", "dm")
    assert server.findings() == []
    log = [r for r in server.records if r.get("server_rule")]
    assert [r["server_rule"] for r in log] == ["accept_rotating", "close", "recognise_bootstrap", "close"]
    assert all(r["format"] == fmt.value for r in log)


def next_nonces(records: list[dict], key: str) -> list[bytes]:
    """Every NextNonce (in a Status's Chal or a Cred's Meta) of the XML bodies under ``key``."""
    found = []
    for r in records:
        if r.get("format") != "xml" or key not in r:
            continue
        m = codec.decode_message(r[key].encode("utf-8"), Format.XML)
        if m.header.cred is not None and m.header.cred.next_nonce is not None:
            found.append(m.header.cred.next_nonce)
        found += [c.chal.next_nonce for c in m.commands
                  if c.chal is not None and c.chal.next_nonce is not None]
    return found


@pytest.mark.parametrize("variant", ["cr-challenge", "cr-device-nonce", "cr-fresh"])
@pytest.mark.parametrize("fmt", list(Format))
@pytest.mark.parametrize("spec_of", [lambda name: model_account(0, name), real_account],
                         ids=["model", "real"])
def test_the_mitigations_recover_on_the_wire(served, variant, fmt, spec_of):
    spec = spec_of(variant)
    server = served(spec)
    device = WireDevice(spec, server.http.url, fmt)
    first, after = rotate_then_rebootstrap(device)
    challenged = variant != "cr-device-nonce"  # a report is answered with 401 + Chal first
    if variant == "cr-challenge":
        # the card secret is still the previous one (keep-previous): the server opens the session
        # on it as DM 1.2 does, over its own record of the device's nonce, which the bootstrap
        # reset; the device refuses that credential once, and the next session recovers
        assert [s.rule for s in after.exchanges] == ["connect", "retry", "reject_server"]
        after = device.session()
    assert [s.rule for s in after.exchanges] == ["connect", "retry", "take_session"] if challenged else \
        ["connect", "take_session"]
    acked = after.exchanges[-2].received
    assert acked.report_status == 200 and acked.status == 212  # the report is acknowledged
    if variant != "cr-challenge":
        assert acked.ack == 2  # ... naming bootstrap #2
    again = device.session()
    assert [s.rule for s in again.exchanges] == ["connect", "take_session"]
    assert server.findings() == [] and first.findings + after.findings + again.findings == []
    if variant != "cr-challenge":  # every Package 1 carries the device's own nonce
        assert all(s.sent.chal is not None for log in (first, after, again) for s in log.exchanges
                   if s.sent.number == 1)
        if fmt is Format.XML:
            assert len(next_nonces(server.records, "request_body")) == 2 * 3 + (2 if challenged else 0)


def test_nonces_are_never_reused_on_the_wire(served):
    """Nonces are fresh values: the old wrap-around (after 15 challenges the server re-sent the
    provisioned, here empty, AAuthData) is gone."""
    spec = real_account("dm12", retry_limit=8)
    server = served(spec)
    device = WireDevice(spec, server.http.url)
    rotate_then_rebootstrap(device)  # then deadlocked: every session is nine 401s and an abort
    for _ in range(2):
        assert [s.received.status for s in device.session().exchanges if s.received][:9] == [401] * 9
    issued = next_nonces(server.records, "response_body")
    assert len(issued) > 15  # past where counters modulo 16 wrapped (nonce 16 was 0 again)
    assert len(set(issued)) == len(issued) and b"" not in issued
    from_device = next_nonces(server.records, "request_body")
    assert from_device and len(set(from_device)) == len(from_device)
    assert server.findings() == []


def test_a_device_that_retries_past_its_limit_is_reported(served):
    server = served(model_account(0, "dm12", retry_limit=1))
    device = WireDevice(model_account(0, "dm12", retry_limit=2), server.http.url)
    rotate_then_rebootstrap(device)
    findings = server.findings()
    assert len(findings) == 1
    assert "give_up" in findings[0] and "alert: sent 1201, the model's machine sends 1223" in findings[0]


def test_a_device_with_the_wrong_secret_is_reported(served):
    server = served(real_account("cr"))
    device = WireDevice(real_account("cr", secret="not-the-card-secret"), server.http.url)
    device.bootstrap()
    device.session()
    assert any("differs in cred" in f for f in server.findings())
    assert [r["server_rule"] for r in server.records][:1] == ["refuse"]


def post(url: str, body: bytes, content_type: str) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def test_malformed_messages_get_a_4xx_and_the_server_keeps_serving(served):
    spec = model_account(0, "cr")
    server = served(spec)
    url = server.http.url
    bomb = b'<!DOCTYPE S [<!ENTITY a "aa"><!ENTITY b "&a;&a;">]><SyncML xmlns="SYNCML:SYNCML1.2">&b;</SyncML>'
    assert post(url, bomb, Format.XML.content_type) == 400
    assert post(url, b"\x02\x00\x00", Format.WBXML.content_type) == 400
    assert post(url, b"<SyncML/>", "text/html") == 415
    assert post(url, b"x" * 300_000, Format.XML.content_type) == 413
    errors = [r for r in server.records if "error" in r]
    assert [r["http_status"] for r in errors] == [400, 400, 415, 413]
    assert "DTD" in errors[0]["error"]
    device = WireDevice(spec, url)  # and a real session still works
    device.bootstrap()
    assert [s.rule for s in device.session().exchanges] == ["connect", "take_session"]


@pytest.mark.parametrize("spec", [real_account("dm12"), model_account(0, "dm12")], ids=["real", "model"])
def test_account_state_survives_a_restart(served, spec):
    first = served(spec)
    device = WireDevice(spec, first.http.url)
    device.bootstrap()
    device.session()  # the server rotates: generation 1 is committed
    saved = json.loads(json.dumps(first.dm.to_json()))
    assert saved[spec.name]["fresh"]["server"]  # the nonce counters persist with the account
    first.close()
    second = served(spec)
    second.dm = DMServer([spec], saved)
    second.http.dm = second.dm
    device.url = second.http.url
    assert [s.rule for s in device.session().exchanges] == ["connect", "take_session"]  # g1 still works
    assert second.findings() == []
    # the restarted server goes on with new values: no NextNonce (model: nonce-N text) repeats
    issued = next_nonces(first.records + second.records, "response_body")
    assert len(issued) == 2 and len(set(issued)) == 2


@pytest.mark.parametrize("length", ["²", "¹²³", "9" * 4400, "-1", "1e3"])
def test_a_content_length_that_is_no_number_is_refused_and_the_server_keeps_serving(served, length):
    server = served(model_account(0, "cr"))
    host, port = server.http.server_address[:2]
    with socket.create_connection((host, port), timeout=5) as connection:
        connection.sendall(f"POST /dm HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n"
                           "Content-Type: application/vnd.syncml.dm+xml\r\n\r\n".encode())
        reply = connection.recv(4096).decode("latin-1")
    assert reply.startswith("HTTP/1.") and " 400 " in reply.splitlines()[0]
    assert [r["http_status"] for r in server.records if "error" in r] == [400]
    device = WireDevice(model_account(0, "cr"), server.http.url)  # and a real session still works
    device.bootstrap()
    assert [s.rule for s in device.session().exchanges] == ["connect", "take_session"]
