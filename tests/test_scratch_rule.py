"""Adding a rule to a table is the only edit needed: everything else reads it from the table.

A fresh interpreter puts a scratch rule into the server's table before anything else is
imported, then asks each part of the project about it: the ``transitions`` machines and the
compiled function fire it, the environment offers it, the coverage counts it, the Hypothesis kit
and the scenario language have a move and a step for it, and the state chart draws it.
"""

import json
import subprocess
import sys

import pytest

SCRIPT = r'''
import json
from dataclasses import replace
import dmmodel.protocol.server as server
from dmmodel.protocol.rules import Rule

scratch = Rule("keepalive", "keepalive", (server.IDLE,), server.IDLE,
               note="keepalive: still there", doc="scratch rule: the server checks in")
server.SERVER = replace(server.SERVER, rules=server.SERVER.rules + (scratch,))

from dmmodel.analysis import check_presets
from dmmodel.protocol.config import PRESETS, make_config
from dmmodel.runtime.scenarios import step_forms
from dmmodel.runtime.machines import ExecutableSystem
from dmmodel.testing.moves import moves
from dmmodel.views.machines import machine_chart, machine_key
from dmmodel.protocol.system import TABLES

(cr,) = check_presets("default", ["cr"], coverage=True)
system = ExecutableSystem(make_config("default", "cr"))
system.step(0, next(a for _, a in system.actions() if a.rule == "bootstrap"))
fired = [a.rule for _, a in system.actions() if a.rule == "keepalive"]
chart = machine_chart(TABLES["server"], PRESETS["cr"])
print(json.dumps({
    "coverage": cr.result.coverage.get("server:keepalive", 0),
    "machines": fired,
    "moves": [m.name for m in moves(make_config("default", "cr")) if "keepalive" in m.name],
    "steps": [s for s in step_forms() if "keepalive" in s],
    "chart": [e.label for e in chart.edges if "keepalive" in e.label],
    "legend": [f"{t}: {m}" for t, m in machine_key(TABLES["server"], PRESETS["cr"]) if t == "keepalive"],
}))
'''


@pytest.mark.slow
def test_a_scratch_rule_reaches_every_part_without_other_edits():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout)
    assert seen["coverage"] > 0
    assert seen["machines"] == ["keepalive"]
    assert seen["moves"] == ["keepalive"]
    assert seen["steps"] == ["keepalive"]
    assert seen["chart"] and seen["legend"] == ["keepalive: scratch rule: the server checks in"]


# A server answer with a field of its own: the field is declared once, on ``Package`` (a nonce,
# ``Annotated[..., NONCE]``), the rule once, in the server's table, and the field gets its wire
# row; nothing else is edited. The fresh interpreter puts the field into ``Package`` before any
# other module of the project is imported, appended after the ghost ``tag``, so nothing may
# build a package by position.
FIELD_SCRIPT = r'''
import base64
import json
import types
from dataclasses import replace
from typing import Annotated, NamedTuple, get_type_hints

import dmmodel.protocol.messages as messages
from dmmodel.protocol.fields import NONCE

hints = get_type_hints(messages.Package, include_extras=True)


def body(namespace):
    namespace["__annotations__"] = {**hints, "renewal": Annotated[int | None, NONCE]}
    namespace.update(messages.Package._field_defaults, renewal=None, __module__=messages.__name__)


messages.Package = types.new_class("Package", (NamedTuple,), exec_body=body)

import dmmodel.protocol.server as server
from dmmodel.protocol import vocabulary as v
from dmmodel.protocol.nonces import FRESH
from dmmodel.protocol.rules import Rule


def renew(ctx, a, p):
    """401 with a new Chal, handing the device a renewal nonce as well."""
    package = messages.Package(2, status=v.STATUS_UNAUTHORIZED, chal=FRESH, renewal=FRESH + 1)
    return a._replace(cnonce=FRESH, session=None), (package,)


scratch = Rule("renew", "receive_package1_renewing", server.ALL_STATES, server.IDLE,
               guard=server.held_secret_matches, effect=renew, consumes=1,
               doc="scratch rule: a 401 with a renewal nonce")
server.SERVER = replace(server.SERVER, rules=server.SERVER.rules + (scratch,))

from dmmodel.wire import mapping
from dmmodel.wire.message import B64, Item, Meta

RENEWAL = "./Ext/Renewal"


def write_renewal(value, p, d):
    data = base64.b64encode(d.words.nonce_out(value)).decode("ascii")
    d.add("Replace", items=(Item(target=RENEWAL, meta=Meta(format=B64), data=data),))


def read_renewal(m, words, answering):
    found = [i.data for c in m.commands if c.name == "Replace" for i in c.items if i.target == RENEWAL]
    return words.nonce_in(base64.b64decode(found[0])) if found else None


mapping.FIELDS += (mapping.Field("renewal", frozenset({2}), write_renewal, read_renewal),)

from dmmodel.checker import check
from dmmodel.protocol import nonces
from dmmodel.protocol.config import PRESETS, make_config
from dmmodel.protocol.system import TABLES
from dmmodel.runtime.machines import ExecutableSystem
from dmmodel.runtime.trace import take
from dmmodel.search.checkable import DMModel
from dmmodel.views.machines import machine_chart
from dmmodel.views.sequences import trace_chart
from dmmodel.wire import codec
from dmmodel.wire.codec import Format
from dmmodel.wire.message import Header
from dmmodel.wire.words import ModelWords

config = make_config("default", "cr")
model = DMModel(config)
result = check(model, coverage=True)
renewed = [s for s in model.slots if any(p.renewal is not None for p in s.down)]
slot = renewed[0]
shifted = nonces.map_nonces(slot, lambda value: value + 100 if value else value)

system = ExecutableSystem(config)
trace = []
for rule in ("bootstrap", "connect", "renew"):
    action = next(a for _, a in system.actions() if a.rule == rule)
    trace.append(take(system, 0, action, len(trace) + 1))
sent = trace[-1].sent[0]
chart = trace_chart("scratch", "scratch", trace)

words = ModelWords(0)
header = Header("1", 1, target="device", source="server")
package1 = trace[1].sent[0]
asked = codec.encode(package1, Header("1", 1, target="server", source="device"), words, Format.XML)[0]
sent_on_wire = sent._replace(cred=None, tag=None)
wire = {fmt.value: codec.decode(codec.encode(sent_on_wire, header, words, fmt, asked)[1], fmt, words,
                                False, asked)[1] == sent_on_wire for fmt in Format}

print(json.dumps({
    "coverage": result.coverage.get("server:renew", 0),
    "renewals": sorted({p.renewal for s in renewed for p in s.down if p.renewal is not None}),
    "values": slot.down[0].renewal in nonces.values(slot),
    "canonical": nonces.canonical(shifted) == slot,
    "drawn": [sent.renewal, sent.chal, sent.renewal == FRESH + 1],
    "machine_chart": [e.label for e in machine_chart(TABLES["server"], PRESETS["cr"]).edges
                      if "renew" in e.label],
    "sequence_chart": [e.label for e in chart.events if "renewal" in getattr(e, "label", "")],
    "wire": wire,
}))
'''


def test_a_scratch_answer_with_a_new_nonce_field_reaches_every_part_without_other_edits():
    out = subprocess.run([sys.executable, "-c", FIELD_SCRIPT], capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout)
    assert seen["coverage"] > 0
    # the checker renames the new field's values like every other nonce: small canonical names
    assert seen["renewals"] and max(seen["renewals"]) < 10
    assert seen["values"] and seen["canonical"]
    # the executable machines draw a real, new value for it
    renewal, chal, placeholder = seen["drawn"]
    assert renewal > 0 and renewal != chal and not placeholder
    assert seen["machine_chart"]
    assert len(seen["sequence_chart"]) == 1 and f"renewal {renewal}" in seen["sequence_chart"][0]
    assert seen["wire"] == {"xml": True, "wbxml": True}
