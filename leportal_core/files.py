"""Atomic file writes: a crash leaves the old file or the complete new one, never half of one.

Write to a temporary file in the target's folder, flush and fsync it, ``os.replace`` it over the
target, then fsync the folder so the rename itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_writer", "fsync_directory", "write_bytes_atomic"]


@contextlib.contextmanager
def atomic_writer(path: str | Path) -> Iterator[BinaryIO]:
    """A binary stream that becomes ``path`` only when the ``with`` block ends without error.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "report.json"
    >>> with atomic_writer(target) as stream:
    ...     _ = stream.write(b"{}")
    >>> target.read_bytes()
    b'{}'
    """
    target = Path(path)  # the folder must exist: creating it could hide a mistyped path
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    fsync_directory(target.parent)


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically."""
    with atomic_writer(path) as stream:
        stream.write(data)


def fsync_directory(path: str | Path) -> None:
    """Make a rename or new entry in the folder ``path`` durable (a no-op where folders cannot be
    opened, as on Windows, whose renames are durable without it)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
