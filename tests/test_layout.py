"""Dependencies point one way: what each part imports, checked in a fresh interpreter."""

import json
import subprocess
import sys

import pytest

PARTS = {
    # part imported: packages it must not pull in
    # the declaration: how it is run or searched reads it, never the other way round
    "dmmodel.protocol": ("dmmodel.runtime", "dmmodel.search", "dmmodel.checker", "dmmodel.cli",
                         "dmmodel.views", "dmmodel.render", "dmmodel.analysis", "dmmodel.testing",
                         "dmmodel.report", "dmmodel.wire"),
    "dmmodel.runtime": ("dmmodel.search", "dmmodel.checker", "dmmodel.cli", "dmmodel.views",
                        "dmmodel.render", "dmmodel.analysis", "dmmodel.testing", "dmmodel.wire"),
    "dmmodel.search": ("dmmodel.runtime", "transitions", "dmmodel.cli", "dmmodel.views",
                       "dmmodel.render", "dmmodel.analysis", "dmmodel.testing", "dmmodel.wire"),
    "dmmodel.checker": ("dmmodel.protocol", "dmmodel.runtime", "dmmodel.search", "dmmodel.cli",
                        "dmmodel.views", "dmmodel.render"),
    "dmmodel.render": ("dmmodel.protocol", "dmmodel.checker", "dmmodel.cli", "dmmodel.views"),
    # views draw results; they never run a check
    "dmmodel.views": ("dmmodel.analysis", "dmmodel.checker", "dmmodel.cli", "dmmodel.wire"),
    # the wire speaks for the model; the command line drives it, never the other way round
    "dmmodel.wire": ("dmmodel.cli", "dmmodel.checker", "dmmodel.analysis", "dmmodel.report"),
}
SCRIPT = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
for info in pkgutil.walk_packages(package.__path__, sys.argv[1] + "."):
    importlib.import_module(info.name)
print(json.dumps(sorted(m for m in sys.modules if m.startswith(("dmmodel", "transitions")))))
"""


@pytest.mark.parametrize("part", PARTS)
def test_part_imports_only_what_it_may(part):
    out = subprocess.run([sys.executable, "-c", SCRIPT, part], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    assert [m for m in loaded if m.startswith(PARTS[part])] == []
