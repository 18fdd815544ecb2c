"""The SyncML DM codecs: exact round trips of the model's packages, spec-shaped fixtures, and
strict, safe decoding of malformed or hostile input."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dmmodel.protocol import vocabulary as v
from dmmodel.protocol.config import PRESETS
from dmmodel.protocol.crypto import RealCrypto
from dmmodel.protocol.messages import Origin, Package
from dmmodel.runtime.scenarios import load_scenario, run_scenario, scenario_names
from dmmodel.wire import codec, wbxml, xml
from dmmodel.wire.codec import Format
from dmmodel.wire.message import Header, Message
from dmmodel.wire.tree import Limits, Node, WireError, leaf, node
from dmmodel.wire.words import ModelWords

CRYPTO, WORDS = RealCrypto(), ModelWords(0)
TO_SERVER = Header("7", 1, "http://dm.example/dm", "IMEI:493005100592800", "device1")
TO_DEVICE = Header("7", 1, "IMEI:493005100592800", "http://dm.example/dm")
# nonces are issued values (1 + 24k + issuer, any size), 0 the provisioned one
gens, nonces = st.integers(0, 5), st.integers(0, 10**9)


@st.composite
def packages(draw):
    """A package as the model's machines make them (real credentials, ints for the rest)."""
    number = draw(st.sampled_from((1, 2, 3, 4)))
    if number == 1:
        if draw(st.booleans()):
            return Package(1, alert=v.ALERT_SESSION_ABORT)
        return Package(1, alert=draw(st.sampled_from((1200, 1201))),
                       cred=CRYPTO.client(0, draw(gens), draw(nonces)),
                       report=draw(st.none() | st.integers(1, 9)),
                       chal=draw(st.none() | nonces))  # the device's own nonce (device_nonce)
    if number == 2:
        if draw(st.booleans()):
            return Package(2, status=401, chal=draw(nonces))
        report_status = draw(st.sampled_from((None, v.STATUS_OK, v.STATUS_NOT_SUPPORTED)))
        named = report_status == v.STATUS_OK and draw(st.booleans())  # a bound acknowledgement
        return Package(2, status=212, chal=draw(nonces), cred=CRYPTO.server(0, draw(gens), draw(nonces)),
                       replace=draw(st.none() | st.integers(1, 5)), get_type=draw(st.booleans()),
                       report_status=report_status, ack=draw(st.integers(1, 9)) if named else None)
    if number == 3:
        if draw(st.booleans()):
            return Package(3, status=401, chal=draw(nonces))
        kinds = st.sampled_from([t.value for t in v.BootstrapType])
        return Package(3, status=200, chal=draw(nonces), replace_status=draw(st.none() | st.just(200)),
                       type_result=draw(st.none() | st.tuples(kinds, st.sampled_from(["cp", "dm"]))))
    return Package(4)


def answered(p: Package, fmt: Format) -> Message | None:
    """The message ``p`` answers, as the other side would have sent it."""
    if p.number == 2:
        report = (p.ack or 1) if p.report_status is not None else None
        before = Package(1, alert=1201, cred=CRYPTO.client(0, 0, 0), report=report)
        return codec.encode(before, TO_SERVER, WORDS, fmt)[0]
    if p.number == 3:
        before = Package(2, status=212, chal=1, cred=CRYPTO.server(0, 0, 0),
                         replace=1 if p.replace_status else None, get_type=p.type_result is not None)
        return codec.encode(before, TO_DEVICE, WORDS, fmt)[0]
    if p.number == 4:
        return codec.encode(Package(3, status=200, chal=1), TO_SERVER, WORDS, fmt)[0]
    return None


def round_trip(p: Package, fmt: Format) -> Package:
    before = answered(p, fmt)
    header = TO_SERVER if p.number in (1, 3) else TO_DEVICE
    _, data = codec.encode(p, header, WORDS, fmt, before)
    return codec.decode(data, fmt, WORDS, p.number in (1, 3), before)[1]


@pytest.mark.parametrize("fmt", list(Format))
@given(p=packages())
def test_every_model_package_survives_both_codecs(fmt, p):
    assert round_trip(p, fmt) == p


@pytest.mark.parametrize("fmt", list(Format))
@given(p=packages(), tag=st.builds(Origin, st.sampled_from(["device", "server", "attacker"]),
                                   st.integers(0, 3), st.integers(0, 99), st.booleans()))
def test_the_ghost_tag_never_goes_on_the_wire(fmt, p, tag):
    assert round_trip(p._replace(tag=tag), fmt) == p


@pytest.mark.parametrize("fmt", list(Format))
def test_a_device_nonce_in_package_1_is_a_nextnonce_in_its_cred(fmt):
    p = Package(1, alert=1201, cred=CRYPTO.client(0, 0, 0), report=2, chal=73)
    m, _ = codec.encode(p, TO_SERVER, WORDS, fmt)
    assert m.header.cred.next_nonce == b"nonce-73" and round_trip(p, fmt) == p
    if fmt is Format.XML:
        assert b"<NextNonce" in codec.encode_message(m, fmt).split(b"</Cred>")[0].split(b"<Cred>")[1]


@pytest.mark.parametrize("fmt", list(Format))
def test_every_package_of_every_scenario_round_trips(fmt):
    seen = 0
    for name in scenario_names():
        scenario = load_scenario(name)
        if PRESETS[scenario.variant].integrity:
            continue  # the HMAC variants are not served on the wire (refused by the accounts file)
        for entry in run_scenario(scenario).trace:
            for p in entry.sent:
                if p.number != 0 and entry.index == 0:  # Package 0 is not an HTTP message
                    assert round_trip(p, fmt) == p._replace(tag=None)  # the ghost tag is never sent
                    seen += 1
    assert seen > 30


# Package 1 as DM 1.2 shows it: SyncHdr with an MD5 Cred and MaxMsgSize, Alert 1201, DevInfo.
PACKAGE1 = b"""<?xml version="1.0" encoding="UTF-8"?>
<SyncML xmlns="SYNCML:SYNCML1.2">
  <SyncHdr>
    <VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>
    <Target><LocURI>http://www.syncml.org/mgmt-server</LocURI></Target>
    <Source><LocURI>IMEI:493005100592800</LocURI><LocName>device1</LocName></Source>
    <Cred>
      <Meta><Format xmlns="syncml:metinf">b64</Format>
            <Type xmlns="syncml:metinf">syncml:auth-md5</Type></Meta>
      <Data>ukURnve12u80MBsBeo/MbA==</Data>
    </Cred>
    <Meta><MaxMsgSize xmlns="syncml:metinf">5000</MaxMsgSize></Meta>
  </SyncHdr>
  <SyncBody>
    <Alert><CmdID>1</CmdID><Data>1201</Data></Alert>
    <Replace>
      <CmdID>3</CmdID>
      <Item><Source><LocURI>./DevInfo/DevId</LocURI></Source><Data>IMEI:493005100592800</Data></Item>
      <Item><Source><LocURI>./DevInfo/Man</LocURI></Source><Data>Device Factory, Inc.</Data></Item>
      <Item><Source><LocURI>./DevInfo/Mod</LocURI></Source><Data>SmartPhone2000</Data></Item>
      <Item><Source><LocURI>./DevInfo/DmV</LocURI></Source><Data>1.2</Data></Item>
      <Item><Source><LocURI>./DevInfo/Lang</LocURI></Source><Data>en-US</Data></Item>
    </Replace>
    <Final/>
  </SyncBody>
</SyncML>"""

# Package 2 refusing it: Status 401 on the SyncHdr with a Chal, Statuses for the commands.
PACKAGE2 = b"""<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>
<SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>IMEI:493005100592800</LocURI></Target>
<Source><LocURI>http://www.syncml.org/mgmt-server</LocURI></Source></SyncHdr><SyncBody>
<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>
<TargetRef>http://www.syncml.org/mgmt-server</TargetRef><SourceRef>IMEI:493005100592800</SourceRef>
<Chal><Meta><Type xmlns='syncml:metinf'>syncml:auth-md5</Type><Format xmlns='syncml:metinf'>b64</Format>
<NextNonce xmlns='syncml:metinf'>bm9uY2UtMQ==</NextNonce></Meta></Chal><Data>401</Data></Status>
<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>1</CmdRef><Cmd>Alert</Cmd><Data>401</Data></Status>
<Final/></SyncBody></SyncML>"""


def test_spec_shaped_package1_reads_as_the_model_package():
    m, p = codec.decode(PACKAGE1, Format.XML, WORDS, True)
    assert p == Package(1, alert=1201, cred=CRYPTO.client(0, 0, 0))
    assert m.header.max_msg_size == 5000 and m.header.source_name == "device1"
    assert [c.name for c in m.commands] == ["Alert", "Replace"]  # DevInfo stays a plain command


def test_spec_shaped_refusal_reads_as_a_401_with_its_nonce():
    before = codec.decode_message(PACKAGE1, Format.XML)
    _, p = codec.decode(PACKAGE2, Format.XML, WORDS, False, before)
    assert p == Package(2, status=401, chal=1)


def test_the_same_message_in_wbxml_reads_the_same():
    message = codec.decode_message(PACKAGE1, Format.XML)
    data = codec.encode_message(message, Format.WBXML)
    assert data[:4] == bytes([0x02, 0x00, 0x00, 0x6A])  # WBXML 1.2, public id in the string table, UTF-8
    assert codec.decode_message(data, Format.WBXML) == message
    assert len(data) < len(PACKAGE1) / 2


def test_wbxml_takes_an_opaque_nonce_and_the_registered_public_id():
    tree = node("SyncML", node("SyncHdr", leaf("VerDTD", "1.2"), leaf("VerProto", "DM/1.2"),
                               leaf("SessionID", "1"), leaf("MsgID", "2"),
                               node("Target", leaf("LocURI", "dev")), node("Source", leaf("LocURI", "srv"))),
                node("SyncBody", node("Status", leaf("CmdID", "1"), leaf("MsgRef", "1"), leaf("CmdRef", "0"),
                                      leaf("Cmd", "SyncHdr"),
                                      node("Chal", node("Meta", leaf("NextNonce", b"\x00\xffraw"))),
                                      leaf("Data", "401")), node("Final")))
    data = bytearray(wbxml.encode(tree))
    registered = bytes([0x02, 0x80 | (0x1201 >> 7), 0x1201 & 0x7F, 0x6A, 0x00])
    table = 1 + 1 + 1 + 1 + 1 + len(b"-//SYNCML//DTD SyncML 1.2//EN\0")
    data = registered + data[table:]
    message = codec.decode_message(bytes(data), Format.WBXML)
    assert message.commands[0].chal.next_nonce == b"\x00\xffraw"
    assert message.header.msg_id == 2


HOSTILE = {
    "entity expansion": (b'<?xml version="1.0"?><!DOCTYPE SyncML [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
                         b'<SyncML xmlns="SYNCML:SYNCML1.2">&b;</SyncML>', "DTD"),
    "external entity": (b'<!DOCTYPE SyncML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                        b'<SyncML xmlns="SYNCML:SYNCML1.2">&x;</SyncML>', "DTD"),
    "wrong namespace": (PACKAGE1.replace(b"SYNCML:SYNCML1.2", b"SYNCML:SYNCML1.1"), "namespace"),
    "missing MsgID": (PACKAGE1.replace(b"<MsgID>1</MsgID>", b""), "MsgID missing"),
    "not XML": (b"<SyncML", "not well-formed"),
    "unknown element": (PACKAGE1.replace(b"<Final/>", b"<Bogus/>"), "unknown element <Bogus>"),
    "attribute": (PACKAGE1.replace(b"<Final/>", b'<Final a="1"/>'), "attributes"),
    "MetInf out of its namespace": (PACKAGE1.replace(b'<MaxMsgSize xmlns="syncml:metinf">', b"<MaxMsgSize>"),
                                    "namespace"),
    "wrong VerProto": (PACKAGE1.replace(b"DM/1.2", b"DM/1.1"), "VerProto"),
    "Status without CmdRef": (PACKAGE2.replace(b"<CmdRef>0</CmdRef>", b""), "CmdRef missing"),
    "bad nonce": (PACKAGE2.replace(b"bm9uY2UtMQ==", b"not*base64"), "NextNonce is not base64"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_malformed_or_hostile_xml_is_refused_naming_the_fault(case):
    data, says = HOSTILE[case]
    with pytest.raises(WireError, match=says):
        codec.decode_message(data, Format.XML)


def test_huge_input_is_refused_before_parsing():
    with pytest.raises(WireError, match="more than the limit"):
        xml.decode(PACKAGE1, Limits(max_bytes=100))
    deep = b"<SyncML xmlns='SYNCML:SYNCML1.2'>" + b"<Item>" * 50 + b"</Item>" * 50 + b"</SyncML>"
    with pytest.raises(WireError, match="deeper"):
        xml.decode(deep)


@pytest.mark.parametrize("damage, says", [
    (lambda d: d[:-3], "truncated|not closed"),
    (lambda d: d[:5] + b"\x7f" + d[6:], "unknown token|public identifier|truncated"),
    (lambda d: bytes([0x09]) + d[1:], "unknown version"),
    (lambda d: d + b"\x01", "after the end"),
])
def test_damaged_wbxml_is_refused(damage, says):
    data = codec.encode_message(codec.decode_message(PACKAGE1, Format.XML), Format.WBXML)
    with pytest.raises(WireError, match=says):
        wbxml.decode(damage(data))


def test_wbxml_attributes_are_refused():
    data = wbxml.encode(Node("SyncML", (Node("SyncHdr"),)))
    with pytest.raises(WireError, match="attributes"):
        wbxml.decode(data[:-3] + bytes([0x2C | 0x80]) + data[-2:])
