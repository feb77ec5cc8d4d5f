from __future__ import annotations

from pathlib import Path

import pytest

from leportal_core.files import atomic_writer, write_bytes_atomic


def test_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    write_bytes_atomic(target, b"old")
    write_bytes_atomic(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert [p.name for p in target.parent.iterdir()] == ["out.bin"]


def test_a_failure_midway_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    write_bytes_atomic(target, b"old")

    def write_half_then_fail() -> None:
        with atomic_writer(target) as stream:
            stream.write(b"half of the new")
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_half_then_fail()
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]
