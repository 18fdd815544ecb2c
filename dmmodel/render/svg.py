"""Turn DOT text into SVG with whichever ``dot``-compatible program is available.

Debian's ``dot`` (graphviz) is preferred; ``graphviz-pure`` (a self-contained port shipped as a
Python dependency) is the fallback. Both read DOT on stdin and write SVG on stdout with ``-Tsvg``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CANDIDATES = ("dot", "graphviz-pure")


class RendererMissing(RuntimeError):
    """No ``dot``-compatible executable was found."""


class RenderError(RuntimeError):
    """The renderer ran but failed; ``stderr`` holds what it reported."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(f"{message}\n{stderr}".rstrip())
        self.stderr = stderr


def find_dot_renderer() -> str | None:
    """Path of the first available renderer, searching PATH and then this interpreter's bin dir."""
    # The interpreter's own scripts dir matters when the venv is not activated.
    scripts = str(Path(sys.executable).parent)
    for name in CANDIDATES:
        found = shutil.which(name) or shutil.which(name, path=scripts)
        if found:
            return found
    return None


def render_svg(dot_source: str, renderer: str | None = None, timeout: float = 60) -> str:
    """Run ``renderer -Tsvg`` on ``dot_source`` and return the SVG document text."""
    program = renderer or find_dot_renderer()
    if program is None:
        raise RendererMissing(
            "no DOT renderer found: install Debian 'graphviz' (dot) or PyPI 'graphviz-pure'"
        )
    try:
        result = subprocess.run(
            [program, "-Tsvg"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
            env={**os.environ, "LC_ALL": "C.UTF-8"},
        )
    except FileNotFoundError as error:
        raise RendererMissing(f"renderer {program!r} cannot be run: {error}") from error
    except subprocess.TimeoutExpired as error:
        raise RenderError(f"{program} took longer than {timeout}s") from error
    stderr = result.stderr.decode("utf-8", "replace")
    svg = result.stdout.decode("utf-8", "replace")
    if result.returncode != 0:
        raise RenderError(f"{program} exited with status {result.returncode}", stderr)
    if "<svg" not in svg:
        raise RenderError(f"{program} produced no SVG", stderr)
    return svg
