from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from leportal_core.errors import ConfigurationError, StorageError
from leportal_core.files import atomic_writer, output_error, write_bytes_atomic


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


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_mode_the_umask_gives_any_new_file(
    tmp_path: Path, umask: int, mode: int
) -> None:
    old = os.umask(umask)
    try:
        write_bytes_atomic(tmp_path / "new.json", b"{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == mode


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_bytes(b"old")
    target.chmod(0o640)
    old = os.umask(0o077)
    try:
        write_bytes_atomic(target, b"new")
    finally:
        os.umask(old)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


@pytest.mark.parametrize(
    ("number", "kind", "code"),
    [
        (errno.ENOSPC, StorageError, "output.file.full"),
        (errno.EACCES, StorageError, "output.file.readonly"),
        (errno.EROFS, StorageError, "output.file.readonly"),
        (errno.EIO, StorageError, "output.file.failed"),
        (errno.ENOENT, ConfigurationError, "output.file.path"),
        (errno.ENOTDIR, ConfigurationError, "output.file.path"),
        (errno.EEXIST, ConfigurationError, "output.file.path"),
    ],
)
def test_a_disk_that_cannot_take_the_output_is_a_storage_error_not_a_setting(
    number: int, kind: type[Exception], code: str
) -> None:
    error = output_error("out/\udcff.pdf", OSError(number, os.strerror(number)))
    assert type(error) is kind
    assert error.code == code
    assert error.problems[0].location.file == "out/\\udcff.pdf"  # printable, also as UTF-8
