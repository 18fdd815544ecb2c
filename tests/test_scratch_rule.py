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
