"""Atomic output: a file is replaced whole, a file set lands complete or not at all."""

import os
import stat
from pathlib import Path

import pytest

from dmmodel.output import FileSet, write_text


def test_write_text_replaces_the_file_and_leaves_no_temporary(tmp_path: Path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    write_text(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_a_failed_file_set_leaves_the_folder_untouched(tmp_path: Path):
    (tmp_path / "keep.dot").write_text("before")
    with pytest.raises(KeyboardInterrupt), FileSet(tmp_path) as files:
        files.write("keep.dot", "after")
        files.write("new.dot", "x")
        raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.dot"]
    assert (tmp_path / "keep.dot").read_text() == "before"


def test_a_file_set_lands_whole(tmp_path: Path):
    with FileSet(tmp_path / "out") as files:
        files.write("a.dot", "1")
        files.write("b.mmd", "2")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.dot", "b.mmd"]


def test_a_failed_file_set_removes_the_folders_it_made(tmp_path: Path):
    with pytest.raises(OSError), FileSet(tmp_path / "new" / "diagrams") as files:
        files.write("a.dot", "1")
        raise OSError("no space left on device")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_file_set_keeps_a_folder_that_was_there(tmp_path: Path):
    with pytest.raises(OSError), FileSet(tmp_path / "diagrams") as files:
        (tmp_path / "diagrams" / "theirs.txt").write_text("not ours")
        files.write("a.dot", "1")
        raise OSError("no space left on device")
    assert [p.name for p in (tmp_path / "diagrams").iterdir()] == ["theirs.txt"]


def test_files_get_the_mode_the_umask_gives(tmp_path: Path):
    previous = os.umask(0o027)
    try:
        write_text(tmp_path / "a.html", "x")
        with FileSet(tmp_path / "out") as files:
            files.write("b.svg", "y")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "a.html").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "out" / "b.svg").stat().st_mode) == 0o640
