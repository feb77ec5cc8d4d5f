"""Files: atomic writes, bounded reads of inputs, and a lock beside a target.

Atomic writes: a crash leaves the old file or the complete new one, never half of one. Write to a
temporary file in the target's folder, flush and fsync it, ``os.replace`` it over the target, then
fsync the folder so the rename itself survives a power cut. Every byte goes through ``os.write``
(one funnel, short writes retried) so fault-injection tests can fail any step.

Inputs: :func:`open_input` and :func:`read_input_bytes` accept only regular files. A FIFO without
a writer would block ``open()`` for ever, ``/dev/zero`` never ends, a folder is not a file; they
are refused at once with :class:`InputRefused` (an ``OSError``, so callers that already report
unreadable files report these too), which carries a problem ``code``.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import secrets
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from leportal_core.errors import (
    ConfigurationError,
    InputRefused,
    Location,
    Problem,
    StorageError,
)

__all__ = [
    "InputRefused",
    "atomic_writer",
    "create_file",
    "exclusive_lock",
    "fsync_directory",
    "open_input",
    "output_error",
    "read_input_bytes",
    "write_bytes_atomic",
]


class _FdWriter(io.RawIOBase):
    """Raw writes on a descriptor through ``os.write`` (looked up at call time)."""

    def __init__(self, descriptor: int) -> None:
        self._descriptor = descriptor

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        return os.write(self._descriptor, data)  # type: ignore[arg-type]

    def fileno(self) -> int:
        return self._descriptor

    def close(self) -> None:
        if not self.closed:
            try:
                os.close(self._descriptor)
            finally:
                super().close()


def _stream(descriptor: int) -> BinaryIO:
    return io.BufferedWriter(_FdWriter(descriptor))


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
    handle, temporary = _temporary_beside(target)
    try:
        with _stream(handle) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    fsync_directory(target.parent)


def _temporary_beside(target: Path) -> tuple[int, str]:
    # Not mkstemp: it creates 0600 files. Created 0666 the umask applies, as for any new file; an
    # existing target keeps its mode (a report someone made group-readable stays so).
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        temporary = str(target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            handle = os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except OSError:  # no file there yet (or not one we may look at): the umask decides
            return handle, temporary
        try:
            os.chmod(temporary, mode)
        except BaseException:
            os.close(handle)
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        return handle, temporary
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target.parent))


@contextlib.contextmanager
def create_file(path: str | Path) -> Iterator[BinaryIO]:
    """A new file at ``path`` (refused when one exists), flushed and fsynced when the block ends.
    The caller removes it on failure (it usually sits in a temporary folder)."""
    descriptor = os.open(
        path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666
    )
    with _stream(descriptor) as stream:
        yield stream
        stream.flush()
        os.fsync(stream.fileno())


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


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_input(path: str | os.PathLike[str], limit: int | None = None) -> BinaryIO:
    """Open ``path`` for reading when it is a regular file of at most ``limit`` bytes.

    The file is opened non-blocking (a FIFO without a writer does not stall the open) and checked
    with ``fstat`` on the open descriptor, so a swap between check and read cannot slip a device in.
    Raises :class:`InputRefused` (``input.not_regular``, ``input.too_large``) or the ``OSError`` of
    ``open`` (missing, no permission).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            number = errno.EISDIR if stat.S_ISDIR(status.st_mode) else errno.EINVAL
            raise InputRefused(
                number,
                f"not a regular file: {_kind(status.st_mode)}",
                path,
                code="input.not_regular",
            )
        if limit is not None and status.st_size > limit:
            raise _too_large(path, limit)
        if hasattr(os, "O_NONBLOCK"):  # POSIX: plain blocking reads from here on
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def _too_large(path: str | os.PathLike[str], limit: int) -> InputRefused:
    return InputRefused(errno.EFBIG, f"larger than {limit} bytes", path, code="input.too_large")


def read_input_bytes(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them (else ``input.too_large``,
    also when the file grows while it is read)."""
    with open_input(path, limit) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise _too_large(path, limit)
    return data


@contextlib.contextmanager
def exclusive_lock(path: str | Path, *, timeout: float, poll: float = 0.05) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (created if missing, never removed: removing a
    lock file lets a third process lock a different file). Waits up to ``timeout`` seconds, then
    raises ``BlockingIOError``. The lock is the operating system's, so it ends with the process,
    also on SIGKILL."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(descriptor):
            if time.monotonic() >= deadline:
                raise BlockingIOError(errno.EWOULDBLOCK, "locked by another process", str(path))
            time.sleep(poll)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _try_lock(descriptor: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


# errno values that say the output cannot be written now, not that the path given is wrong.
_FULL = frozenset({errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)})
_READONLY = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
_WRONG_PATH = frozenset(
    {errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.ENAMETOOLONG}
)


def output_error(path: str | os.PathLike[str], exc: OSError) -> StorageError | ConfigurationError:
    """The project error for an ``OSError`` raised while writing the output ``path``.

    A read-only file or folder, a full disk or an I/O error is a :class:`StorageError`
    (``output.file.readonly``, ``output.file.full``, ``output.file.failed``): the path was right, the disk was
    not. Only a path that cannot be an output (a missing folder, a file where a folder belongs) is
    the caller's :class:`ConfigurationError` (``output.file.path``).

    >>> output_error("out/a.pdf", PermissionError(13, "Permission denied")).code
    'output.file.readonly'
    """
    shown = os.fspath(path).encode("utf-8", "backslashreplace").decode("utf-8")  # lone surrogates
    where = Location(file=shown)
    reason = exc.strerror or str(exc)
    message = f"cannot write {shown}: {reason}"
    if exc.errno in _WRONG_PATH:
        problem = Problem(code="output.file.path", message=reason, location=where)
        return ConfigurationError(message, [problem])
    if exc.errno in _FULL:
        problem = Problem(code="output.file.full", message=reason, location=where)
    elif exc.errno in _READONLY:
        problem = Problem(code="output.file.readonly", message=reason, location=where)
    else:
        problem = Problem(code="output.file.failed", message=reason, location=where)
    return StorageError(message, [problem], path=shown)
