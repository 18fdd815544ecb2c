"""The README's promises: its embedded diagrams are the generated ones, its commands exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
EMBED = re.compile(r"<!-- embedded from (diagrams/\S+);[^>]*-->\n```mermaid\n(.*?)\n```", re.S)


def test_readme_embeds_the_generated_mermaid_files_verbatim():
    embedded = EMBED.findall(README)
    assert len(embedded) >= 3
    for path, text in embedded:
        assert text == (ROOT / path).read_text(encoding="utf-8").rstrip(), path


def test_readme_shows_the_two_commands():
    assert "uv run dmmodel check" in README and "uv run pytest" in README


def test_dmmodel_diagrams_refreshes_a_stale_embed(tmp_path):
    from dmmodel.views.publish import refresh_readme

    (tmp_path / "diagrams").mkdir()
    (tmp_path / "diagrams" / "x.mmd").write_text("flowchart TB\n    a --> b\n")
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- embedded from diagrams/x.mmd; kept -->\n```mermaid\nold\n```\nend\n")
    assert refresh_readme(readme) is True
    assert "```mermaid\nflowchart TB\n    a --> b\n```\nend" in readme.read_text()
    assert refresh_readme(readme) is False
