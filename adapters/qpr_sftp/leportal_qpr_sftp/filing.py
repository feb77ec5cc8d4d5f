"""Local file operations that make a copy *safe*: temp file in the target folder, fsync, and a
placement that never overwrites (``os.link`` fails when the name exists, unlike ``os.replace``),
followed by an fsync of the folder so the new name survives a power cut (POSIX ``fsync(2)``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from leportal_qpr_sftp.names import numbered

__all__ = ["TEMP_PREFIX", "exclusive_lock", "free_name", "fsync_dir", "place", "remove_stale_temps"]

TEMP_PREFIX = ".qpr-partial-"
_NO_LINK = {errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.EACCES}


def free_name(folder: Path, name: str) -> str:
    """``name``, or ``name (2)``, ``name (3)``, … — the first that does not exist in ``folder``.

    ``lexists``: a dangling symbolic link occupies its name too (``exists()`` says no, and the
    no-overwrite link would then fail on the same name forever)."""
    candidate, n = name, 1
    while os.path.lexists(folder / candidate):
        n += 1
        candidate = numbered(name, n)
    return candidate


def place(temp: Path, folder: Path, name: str) -> str:
    """Give the finished ``temp`` file a final ``name`` in ``folder`` without overwriting anything;
    returns the name used (a clash found at the last moment takes the next free number)."""
    while True:
        chosen = free_name(folder, name)
        target = folder / chosen
        try:
            os.link(temp, target)
        except FileExistsError:
            continue  # another writer took the name between the check and the link
        except OSError as exc:
            if exc.errno not in _NO_LINK:
                raise
            # File systems without hard links: the exclusive lock held by the pickup makes the
            # check-then-rename safe against our own processes.
            if os.path.lexists(target):
                continue
            os.rename(temp, target)
        else:
            temp.unlink()
        fsync_dir(folder)
        return chosen


def fsync_dir(folder: Path) -> None:
    """Persist the folder's entries (a no-op where folders cannot be opened, i.e. Windows)."""
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temps(folder: Path) -> int:
    """Delete temp files an interrupted run left behind; returns how many."""
    count = 0
    for path in folder.glob(f"{TEMP_PREFIX}*"):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            count += 1
    return count


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[bool]:
    """Hold an exclusive lock on ``path`` while the block runs; yields ``False`` when another
    process holds it (the caller then stops instead of fetching the same files twice)."""
    handle = path.open("a+b")
    try:
        if sys.platform == "win32":
            import msvcrt

            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            except OSError:
                yield False
                return
            try:
                yield True
            finally:
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()
