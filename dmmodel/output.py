"""Writing files so that a reader never sees half of one: write beside, then rename into place.

``write_text`` replaces one file atomically. :class:`FileSet` stages several files in the same
folder and renames them into place only when every one was written, so a multi-file output
(the diagrams) is complete or untouched; an error or Ctrl-C on the way removes what was staged.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType


def _umask() -> int:
    """The process's file-creation mask (read by setting it, so set back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _stage(path: Path, text: str) -> Path:
    """Write ``text`` to a hidden temporary file beside ``path`` and return its path; the file
    gets the mode a plain ``open`` would give it (``mkstemp`` makes it private, 0600)."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    staged = Path(name)
    try:
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged


def write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically (the folder must exist)."""
    staged = _stage(path, text)
    try:
        os.replace(staged, path)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise


class FileSet:
    """Files staged in one folder, put in place together when the ``with`` block succeeds; on
    failure the folders it made are removed again (when nothing else was put in them)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.staged: list[tuple[Path, Path]] = []
        self.made: list[Path] = []  # the folders this set created, innermost first

    def __enter__(self) -> FileSet:
        missing = [p for p in (self.folder, *self.folder.parents) if not p.exists()]
        self.folder.mkdir(parents=True, exist_ok=True)
        self.made = missing
        return self

    def write(self, name: str, text: str) -> Path:
        """Stage ``text`` for the file ``name`` in the folder; returns the final path."""
        target = self.folder / name
        self.staged.append((_stage(target, text), target))
        return target

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if kind is None:
                while self.staged:
                    staged, target = self.staged[0]
                    os.replace(staged, target)
                    self.staged.pop(0)
        finally:
            for staged, _ in self.staged:
                staged.unlink(missing_ok=True)
            if self.staged or kind is not None:
                for folder in self.made:
                    try:
                        folder.rmdir()
                    except OSError:  # not empty: someone else's files, or ours already in place
                        break
