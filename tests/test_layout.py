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


CHECKER_LAYERS = [
    ("memory", "index", "scc", "reach", "predicates"),
    ("model", "limits", "edges"),
    ("explored",), ("reduction",),
    ("result", "outcome"),
    ("trap",), ("properties",),
    ("product",), ("bfs",),
    ("assertions", "benchmark"),
]
TYPE_ONLY_UPWARD = {("model", "properties"), ("result", "properties"), ("outcome", "properties"),
                    ("outcome", "product")}


def checker_imports() -> dict[str, set[tuple[str, bool]]]:
    """Per checker module, the checker modules it imports, each with whether only for type hints."""
    import ast
    from pathlib import Path

    found = {}
    for path in (Path(__file__).resolve().parents[1] / "dmmodel" / "checker").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typed = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                 and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
        found[path.stem] = {(n.module.rsplit(".", 1)[-1], id(n) in typed) for n in ast.walk(tree)
                            if isinstance(n, ast.ImportFrom)
                            and (n.module or "").startswith("dmmodel.checker.")}
    return found


def test_the_checker_is_layered_base_first():
    layer = {name: i for i, names in enumerate(CHECKER_LAYERS) for name in names}
    modules = checker_imports()
    assert set(modules) - {"__init__"} == set(layer), "every checker module has a layer"
    upward = set()
    for module, imports in modules.items():
        if module == "__init__":
            continue
        for target, type_only in imports:
            if layer[target] >= layer[module] and target != module:
                assert type_only, f"checker.{module} imports checker.{target}, a layer above or beside it"
                upward.add((module, target))
    assert upward == TYPE_ONLY_UPWARD
