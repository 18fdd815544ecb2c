"""The README's promises: its embedded diagrams are the generated ones, its commands exist.

The tests marked ``pin`` hold the README's copies (diagrams, the check's output, the example's
output) to what the code makes; ``dmmodel diagrams --readme`` refreshes the embeds."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
EMBED = re.compile(r"<!-- embedded from (diagrams/\S+);[^>]*-->\n```mermaid\n(.*?)\n```", re.S)


@pytest.mark.pin
def test_readme_embeds_the_generated_mermaid_files_verbatim():
    embedded = EMBED.findall(README)
    assert len(embedded) >= 3
    for path, text in embedded:
        assert text == (ROOT / path).read_text(encoding="utf-8").rstrip(), path


@pytest.mark.pin
def test_readme_shows_the_two_commands():
    assert "uv run dmmodel check" in README and "uv run pytest" in README


def test_dmmodel_diagrams_refreshes_a_stale_embed(tmp_path):
    from dmmodel.render import Edge, Graph, Node
    from dmmodel.views.catalog import Diagram
    from dmmodel.views.publish import refresh_readme

    graph = Graph("x", "X", (Node("a", "a"), Node("b", "b")), (Edge("a", "b"),))
    diagrams = [Diagram("x", "machines", "X", graph)]
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- embedded from diagrams/x.mmd; kept -->\n```mermaid\nold\n```\nend\n")
    assert refresh_readme(readme, diagrams) is True
    assert f"```mermaid\n{diagrams[0].mermaid().rstrip()}\n```\nend" in readme.read_text()
    assert refresh_readme(readme, diagrams) is False


@pytest.mark.pin
def test_readme_verdict_matrix_matches_the_manifest():
    """The sample output of `dmmodel check` in the README shows the recorded states and verdicts:
    per variant a row of the protocol matrix, then one of the security matrix."""
    from dmmodel import manifest
    from dmmodel.search.checkable import property_names, security_names

    recorded = {e["variant"]: e for e in manifest.load() if e["config"] == "default"}
    block = README[README.index("## What `dmmodel check` shows"):]
    block = block[block.index("```\n") + 4:]
    block = block[:block.index("```")]
    rows = [line.split() for line in block.splitlines()
            if line[:1].isalpha() and not line.startswith("variant")]
    rows = [row for row in rows if row[0] in recorded]
    assert {row[0] for row in rows} == set(recorded)
    order = [n for n in property_names() if n not in security_names()] + security_names()
    shown: dict[str, list[str]] = {}
    for row in rows:
        cells = [c for c in row[1:] if c != "*"]
        entry = recorded[row[0]]
        assert int(cells[0].replace(",", "")) == entry["states"], row[0]
        verdicts = " ".join(cells[2:]).replace("VIOLATED (", "VIOLATED(").split()
        shown.setdefault(row[0], []).extend(s.replace("VIOLATED(", "VIOLATED (") for s in verdicts)
    for variant, entry in recorded.items():
        assert shown[variant] == [entry["verdicts"][n] for n in order], variant


@pytest.mark.pin
def test_the_checker_example_prints_what_its_comments_say(capsys):
    section = README[README.index("## Checking your own model"):]
    code = section[section.index("```python\n") + 10:section.index("\n```")]
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    promised = [line.split("# ", 1)[1] for line in code.splitlines() if line.startswith("print(")]
    assert printed == promised
