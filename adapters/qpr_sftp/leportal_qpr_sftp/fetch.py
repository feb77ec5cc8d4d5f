"""The pickup: list the remote folder, fetch each new file safely, file or quarantine it, record it,
tell the host, and only then (optionally) delete or move the remote file.

SSH and SFTP come from ``asyncssh`` (SFTP version 3, draft-ietf-secsh-filexfer-02). Per file:
stat → read into a temp file in the target folder while hashing (bounded memory, each read under a
timeout) → stat again (size and mtime must not have moved, byte count must equal the size) →
fsync → :func:`leportal_core.pdf.inspect_pdf` → ledger row ``pending`` → no-overwrite placement →
ledger ``filed`` → host hook → remote clean-up. An interrupted transfer restarts from byte 0 on the
next run (reports are small; a resumed half could silently splice two versions of a file).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import errno
import hashlib
import os
import posixpath
import stat
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import asyncssh
import pluggy

from leportal_core.errors import ConfigurationError, Location, Problem, Severity, StorageError
from leportal_core.files import output_error
from leportal_core.pdf import ActiveContentAction, PdfPolicy, inspect_pdf
from leportal_qpr_sftp.config import PickupConfig
from leportal_qpr_sftp.errors import PickupError
from leportal_qpr_sftp.filing import (
    TEMP_PREFIX,
    exclusive_lock,
    free_name,
    place,
    remove_stale_temps,
)
from leportal_qpr_sftp.hookspecs import HOOK_NAME, add_hookspecs
from leportal_qpr_sftp.ledger import Ledger, LedgerRow, RemoteKey
from leportal_qpr_sftp.model import FetchedReport, FetchRun
from leportal_qpr_sftp.names import check_remote_name, local_name

__all__ = ["CHUNK_SIZE", "Progress", "fetch_reports", "fetch_reports_async"]

_T = TypeVar("_T")
# Consecutive files that time out before the run gives up on the server.
_MAX_STALLS = 3
# The local file system refuses the name (too long after normalisation, invalid bytes).
_NAME_ERRNOS = {errno.ENAMETOOLONG, errno.EINVAL, errno.EILSEQ}
_STEPS = {
    "qpr_sftp.timeout.session": "starting SFTP",
    "qpr_sftp.timeout.list": "listing the folder",
    "qpr_sftp.timeout.stat": "lstat",
    "qpr_sftp.timeout.open": "open",
    "qpr_sftp.timeout.read": "read",
    "qpr_sftp.timeout.close": "close",
    "qpr_sftp.timeout.transfer": "the whole transfer",
    "qpr_sftp.timeout.cleanup": "remote delete/move",
}


class _StepTimeout(Exception):
    def __init__(self, *, code: str) -> None:
        super().__init__(code)
        self.code = code


CHUNK_SIZE = 256 * 1024
Progress = Callable[[str, int, int], None]
"""``progress(remote_name, bytes_done, bytes_total)``, called while a file is read."""


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fetch_reports(
    config: PickupConfig,
    *,
    pm: pluggy.PluginManager | None = None,
    progress: Progress | None = None,
    clock: Callable[[], dt.datetime] = _utcnow,
    create_store: bool = False,
) -> FetchRun:
    """Run one pickup (blocking). Inside a running event loop use :func:`fetch_reports_async`.

    ``create_store=True`` is the first-use flag: it creates the ledger when there is none. Without
    it a missing or empty ledger is ``qpr_sftp.store.missing`` (:class:`ConfigurationError`).

    Raises :class:`PickupError` when the pickup cannot start (connection, host key, login, another
    pickup running) and :class:`ConfigurationError` for unusable settings; everything that goes
    wrong with single files is a problem in the returned :class:`FetchRun`.
    """
    return asyncio.run(
        fetch_reports_async(
            config, pm=pm, progress=progress, clock=clock, create_store=create_store
        )
    )


async def fetch_reports_async(
    config: PickupConfig,
    *,
    pm: pluggy.PluginManager | None = None,
    progress: Progress | None = None,
    clock: Callable[[], dt.datetime] = _utcnow,
    create_store: bool = False,
) -> FetchRun:
    """The pickup as a coroutine; same contract as :func:`fetch_reports`."""
    for folder in (config.target_dir, config.quarantine_dir):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            error = output_error(folder, exc)
            if isinstance(error, StorageError):  # a full or read-only disk, not a setting
                raise error from exc
            raise ConfigurationError(
                f"cannot create the folder {folder}: {exc.strerror or exc}",
                [
                    Problem(
                        code="qpr_sftp.config.folder",
                        message=str(exc.strerror or exc),
                        location=Location(file=str(folder)),
                    )
                ],
            ) from exc
    if pm is not None:
        add_hookspecs(pm)
    with exclusive_lock(config.target_dir / ".leportal-qpr.lock") as locked:
        if not locked:
            raise PickupError(
                "another pickup into this target folder is running",
                [
                    Problem(
                        code="qpr_sftp.busy",
                        message="another pickup into this target folder is running",
                    )
                ],
            )
        ledger = Ledger(config.store, create=create_store)
        try:
            run = _Run(config, ledger, pm, progress, clock)
            run.recover()
            await run.fetch_all()
            return run.result()
        finally:
            ledger.close()


class _Run:
    """The state of one pickup run."""

    def __init__(
        self,
        config: PickupConfig,
        ledger: Ledger,
        pm: pluggy.PluginManager | None,
        progress: Progress | None,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.config, self.ledger, self.pm, self.progress, self.clock = (
            config,
            ledger,
            pm,
            progress,
            clock,
        )
        self.server = f"{config.user}@{config.host}:{config.port}"
        self.filed: list[FetchedReport] = []
        self.quarantined: list[str] = []
        self.problems: list[Problem] = []
        self.known = 0
        self.complete = True
        self.policy = PdfPolicy(max_size=config.max_size, active_content=ActiveContentAction.WARN)

    def result(self) -> FetchRun:
        return FetchRun(
            filed=tuple(self.filed),
            already_known=self.known,
            quarantined=tuple(self.quarantined),
            problems=tuple(self.problems),
            complete=self.complete,
        )

    def problem(
        self, code: str, message: str, name: str | None = None, *, error: bool = True
    ) -> None:
        self.problems.append(
            Problem(
                code=code,
                message=message,
                location=Location(file=name) if name is not None else Location(),
                severity=Severity.ERROR if error else Severity.WARNING,
            )
        )

    # -- recovery of an interrupted earlier run ------------------------------------------------

    def recover(self) -> None:
        """Finish what a crashed run left: temp files go, ``pending`` rows are settled by looking
        at the target folder, and hooks that never returned are called again."""
        remove_stale_temps(self.config.target_dir)
        remove_stale_temps(self.config.quarantine_dir)
        for row in self.ledger.rows("pending"):
            path = self.config.target_dir / row.local_name
            if path.is_file() and _sha256_of(path) == row.sha256:
                self.ledger.update(row.id, status="filed")
            else:
                self.ledger.delete(row.id)  # the rename never happened: fetch it again
        for row in self.ledger.unfinished():
            self.notify(row.id, self._report_of(row), self.config.target_dir / row.local_name)

    def _report_of(self, row: LedgerRow) -> FetchedReport:
        return FetchedReport(
            remote_name=row.key.remote_name,
            local_name=row.local_name,
            size=row.key.size,
            remote_mtime=dt.datetime.fromtimestamp(row.key.mtime, dt.UTC),
            sha256=row.sha256,
            fetched_at=row.fetched_at,
            recipient_ik=self.config.recipient_ik,
        )

    def notify(self, row_id: int, report: FetchedReport, path: Path) -> None:
        if self.pm is None:
            self.ledger.update(row_id, notified=1)
            return
        try:
            getattr(self.pm.hook, HOOK_NAME)(report=report, path=str(path))
        except Exception as exc:  # a host's bug must not lose the filed report
            self.problem(
                code="qpr_sftp.hook.failed",
                message=f"the host hook failed ({type(exc).__name__}); it is called again on the next run",
                name=report.local_name,
                error=False,
            )
        else:
            self.ledger.update(row_id, notified=1)

    # -- the remote side -----------------------------------------------------------------------

    async def _step(self, awaitable: Awaitable[_T], *, code: str) -> _T:
        """One SFTP request under the idle deadline; a timeout names its step (``code``)."""
        try:
            return await asyncio.wait_for(awaitable, self.config.timeout_seconds)
        except TimeoutError as exc:
            raise _StepTimeout(code=code) from exc

    async def fetch_all(self) -> None:
        conn = await self._connect()
        try:
            async with conn:
                try:
                    sftp = await self._step(
                        conn.start_sftp_client(path_errors="surrogateescape"),
                        code="qpr_sftp.timeout.session",
                    )
                    entries = await self._step(
                        sftp.readdir(self.config.remote_dir), code="qpr_sftp.timeout.list"
                    )
                except _StepTimeout as exc:
                    self.complete = False
                    self._timed_out(exc, None)
                    return
                except asyncssh.SFTPError as exc:
                    if isinstance(exc, asyncssh.SFTPConnectionLost):
                        self._lost(exc, None)
                        return
                    self.complete = False
                    self.problem(
                        code="qpr_sftp.remote.list_failed",
                        message=f"cannot list {self.config.remote_dir!r}: {exc.reason}",
                    )
                    return
                except (asyncssh.Error, ConnectionError, EOFError, TimeoutError) as exc:
                    self._lost(exc, None)
                    return
                stalled = 0
                for entry in sorted(entries, key=lambda e: str(e.filename)):
                    name = str(entry.filename)
                    try:
                        await self._one(sftp, name, entry.attrs)
                        stalled = 0
                    except _StepTimeout as exc:
                        # One stalled file must not block the others; a stalled server stops us.
                        self._timed_out(exc, name)
                        stalled += 1
                        if stalled >= _MAX_STALLS:
                            self._lost(exc, None)
                            return
                    except (
                        asyncssh.SFTPConnectionLost,
                        ConnectionError,
                        EOFError,
                        TimeoutError,
                    ) as exc:
                        self._lost(exc, name)
                        return
                    except asyncssh.SFTPError as exc:
                        self.problem(
                            code="qpr_sftp.file.unreadable",
                            message=f"the server refused the file: {exc.reason}",
                            name=name,
                            error=False,
                        )
                    except asyncssh.Error as exc:
                        self._lost(exc, name)
                        return
                    except OSError as exc:  # the local side
                        if exc.errno in _NAME_ERRNOS:
                            self.problem(
                                code="qpr_sftp.name.local_invalid",
                                message="the local file system refuses the name "
                                f"({exc.strerror or type(exc).__name__}); not filed",
                                name=name,
                            )
                            continue
                        self.complete = False  # disk full, permissions: stop, nothing is lost
                        self.problem(
                            code="qpr_sftp.local.write_failed",
                            message=f"cannot write locally ({exc.strerror or type(exc).__name__}); stopped",
                            name=name,
                        )
                        return
        except (asyncssh.Error, OSError) as exc:  # closing a connection the server dropped
            if self.complete:
                self._lost(exc, None)

    def _timed_out(self, exc: _StepTimeout, name: str | None) -> None:
        self.problem(
            code=exc.code,
            message=f"the server did not answer within the deadline ({_STEPS[exc.code]}); "
            "not filed, the next run tries again",
            name=name,
        )

    def _lost(self, exc: BaseException, name: str | None) -> None:
        self.complete = False
        self.problem(
            code="qpr_sftp.connection.lost",
            message=f"the connection was lost or timed out ({type(exc).__name__}); the next run fetches the rest",
            name=name,
        )

    async def _connect(self) -> asyncssh.SSHClientConnection:
        config = self.config
        options: dict[str, Any] = {
            "username": config.user,
            "known_hosts": _known_hosts(config),
            "client_keys": _client_keys(config),
            "password": config.password(),
            "agent_path": None,
            "config": None,  # never let ~/.ssh/config redirect or weaken the connection
            "connect_timeout": config.timeout_seconds,
            "login_timeout": config.timeout_seconds,
        }
        try:
            return await asyncio.wait_for(
                asyncssh.connect(config.host, config.port, **options), config.timeout_seconds
            )
        except asyncssh.HostKeyNotVerifiable as exc:
            raise PickupError(
                f"the server's host key is not the configured one: {exc.reason}",
                [
                    Problem(
                        code="qpr_sftp.host_key.refused",
                        message="the server's host key is not the configured one",
                    )
                ],
            ) from exc
        except asyncssh.PermissionDenied as exc:
            raise PickupError(
                "the server refused the login",
                [Problem(code="qpr_sftp.auth.failed", message="the server refused the login")],
            ) from exc
        except TimeoutError as exc:
            raise PickupError(
                f"cannot connect to {config.host}:{config.port}: no answer in time",
                [
                    Problem(
                        code="qpr_sftp.timeout.connect",
                        message=f"connecting and logging in took longer than {config.timeout_seconds} s",
                    )
                ],
            ) from exc
        except (asyncssh.Error, OSError) as exc:
            reason = (
                getattr(exc, "reason", None) or getattr(exc, "strerror", None) or type(exc).__name__
            )
            raise PickupError(
                f"cannot connect to {config.host}:{config.port}: {reason}",
                [Problem(code="qpr_sftp.connect.failed", message=f"cannot connect: {reason}")],
            ) from exc

    async def _one(self, sftp: asyncssh.SFTPClient, name: str, attrs: asyncssh.SFTPAttrs) -> None:
        if name in {".", ".."}:
            return
        why = check_remote_name(name)
        if why is not None:
            shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            self.problem(
                code="qpr_sftp.name.unsafe",
                message=f"remote name {shown!r} {why}; not fetched",
                name=None,
            )
            return
        if attrs.permissions is not None and not stat.S_ISREG(attrs.permissions):
            return  # folders (e.g. the move_to folder) and symbolic links are not reports
        remote_path = posixpath.join(self.config.remote_dir, name)
        if attrs.size is None or attrs.mtime is None:
            attrs = await self._step(sftp.lstat(remote_path), code="qpr_sftp.timeout.stat")
        if attrs.size is None or attrs.mtime is None:
            await self._one_without_metadata(sftp, name, remote_path)
            return
        size, mtime = int(attrs.size), int(attrs.mtime)
        key = RemoteKey(
            server=self.server,
            remote_dir=self.config.remote_dir,
            remote_name=name,
            size=size,
            mtime=mtime,
        )
        known = self.ledger.find(key)
        if known is not None:
            self.known += 1
            if known.status == "filed" and not known.remote_done:
                await self._clean_up_remote(sftp, known.id, name, remote_path)
            return
        if size > self.config.max_size:
            self.problem(
                code="qpr_sftp.file.too_large",
                message=f"{size} bytes is over max_size; not fetched",
                name=name,
            )
            return
        temp, done, _ = await self._download(sftp, remote_path, name, size)
        try:
            after = await self._step(sftp.lstat(remote_path), code="qpr_sftp.timeout.stat")
            if done != size or after.size != size or after.mtime != mtime:
                self.problem(
                    code="qpr_sftp.file.changed",
                    message=f"the file changed while it was read ({size} → {after.size} bytes, "
                    f"{done} read); not filed, the next run fetches it again",
                    name=name,
                    error=False,
                )
                return
            row_id = self._file(temp, key, name)
        finally:
            temp.unlink(missing_ok=True)
        if row_id is not None:
            await self._clean_up_remote(sftp, row_id, name, remote_path)

    async def _one_without_metadata(
        self, sftp: asyncssh.SFTPClient, name: str, remote_path: str
    ) -> None:
        """The server tells neither size nor time: read the file twice and take it when both
        reads have the same SHA-256 (the stability check that needs no metadata)."""
        self.problem(
            code="qpr_sftp.file.no_metadata",
            message="the server reports no size or modification time; the file was read twice "
            "and is taken only when both reads are identical (every run reads it again)",
            name=name,
            error=False,
        )
        temp, done, first = await self._download(sftp, remote_path, name, None)
        try:
            if done > self.config.max_size:
                self.problem(
                    code="qpr_sftp.file.too_large",
                    message=f"over max_size ({self.config.max_size} bytes); not fetched",
                    name=name,
                )
                return
            again, _, second = await self._download(sftp, remote_path, name, None)
            again.unlink(missing_ok=True)
            if first != second:
                self.problem(
                    code="qpr_sftp.file.changed",
                    message="two reads of the file differ; not filed, the next run tries again",
                    name=name,
                    error=False,
                )
                return
            key = RemoteKey(
                server=self.server,
                remote_dir=self.config.remote_dir,
                remote_name=name,
                size=done,
                mtime=0,  # unknown: the ledger keys such a file by name, size and content
            )
            known = self.ledger.find(key)
            if known is not None:
                self.known += 1
                if known.sha256 != first:
                    self.problem(
                        code="qpr_sftp.file.replaced_unknown",
                        message=f"same name and size as the report filed as {known.local_name}, "
                        "but other content, and the server gives no times: not filed; fetch it "
                        "by hand",
                        name=name,
                    )
                elif known.status == "filed" and not known.remote_done:
                    await self._clean_up_remote(sftp, known.id, name, remote_path)
                return
            row_id = self._file(temp, key, name)
        finally:
            temp.unlink(missing_ok=True)
        if row_id is not None:
            await self._clean_up_remote(sftp, row_id, name, remote_path)

    async def _download(
        self, sftp: asyncssh.SFTPClient, remote_path: str, name: str, size: int | None
    ) -> tuple[Path, int, str]:
        """Read the remote file into a temp file in the target folder: ``(temp, bytes, sha256)``.

        Every request (open, each read, close) has the idle deadline, the whole transfer its own;
        the temp file is removed on every way out but the normal one. With ``size`` unknown the
        read stops one chunk past ``max_size``.
        """
        limit = self.config.max_size if size is None else size
        handle, temp_name = tempfile.mkstemp(
            dir=self.config.target_dir, prefix=TEMP_PREFIX, suffix=".tmp"
        )
        temp = Path(temp_name)
        digest = hashlib.sha256()
        done = 0
        try:
            with os.fdopen(handle, "wb") as out:
                try:
                    async with asyncio.timeout(self.config.transfer_timeout_seconds):
                        remote = await self._step(
                            sftp.open(remote_path, "rb"), code="qpr_sftp.timeout.open"
                        )
                        try:
                            while done <= limit:  # one chunk past the size notices growth
                                chunk: bytes = await self._step(
                                    remote.read(CHUNK_SIZE, done), code="qpr_sftp.timeout.read"
                                )
                                if not chunk:
                                    break
                                out.write(chunk)
                                digest.update(chunk)
                                done += len(chunk)
                                if self.progress is not None:
                                    self.progress(name, done, size or 0)
                        except BaseException:
                            # the first failure is the one to report, not a close that follows it
                            with contextlib.suppress(_StepTimeout, asyncssh.Error, OSError):
                                await self._step(remote.close(), code="qpr_sftp.timeout.close")
                            raise
                        await self._step(remote.close(), code="qpr_sftp.timeout.close")
                except TimeoutError as exc:
                    raise _StepTimeout(code="qpr_sftp.timeout.transfer") from exc
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return temp, done, digest.hexdigest()

    def _file(self, temp: Path, key: RemoteKey, name: str) -> int | None:
        verdict = inspect_pdf(temp, policy=self.policy, name=name)
        sha256 = _sha256_of(temp)
        now = self.clock()
        if not verdict.ok:
            chosen = place(temp, self.config.quarantine_dir, local_name(name, pdf=False))
            self.ledger.add(
                key,
                sha256=sha256,
                local_name=chosen,
                status="quarantined",
                fetched_at=now,
                notified=True,
            )
            self.quarantined.append(chosen)
            codes = ", ".join(
                sorted({p.code for p in verdict.problems if p.severity is Severity.ERROR})
            )
            self.problem(
                code="qpr_sftp.file.not_pdf",
                message=f"not a usable PDF ({codes}); kept in quarantine as {chosen}, not filed",
                name=name,
            )
            return None
        twin = self.ledger.filed_with_sha256(sha256)
        if twin is not None:
            self.ledger.add(
                key,
                sha256=sha256,
                local_name=twin.local_name,
                status="filed",
                fetched_at=now,
                notified=True,
            )
            self.known += 1
            self.problem(
                code="qpr_sftp.file.duplicate",
                message=f"same content as the report already filed as {twin.local_name}; not filed again",
                name=name,
                error=False,
            )
            return None
        wanted = free_name(self.config.target_dir, local_name(name))
        row_id = self.ledger.add(
            key, sha256=sha256, local_name=wanted, status="pending", fetched_at=now
        )
        chosen = place(temp, self.config.target_dir, wanted)
        if chosen != wanted:
            self.ledger.update(row_id, local_name=chosen)
        self.ledger.update(row_id, status="filed")
        report = FetchedReport(
            remote_name=name,
            local_name=chosen,
            size=key.size,
            remote_mtime=dt.datetime.fromtimestamp(key.mtime, dt.UTC),
            sha256=sha256,
            fetched_at=now,
            recipient_ik=self.config.recipient_ik,
        )
        self.filed.append(report)
        self.notify(row_id, report, self.config.target_dir / chosen)
        return row_id

    async def _clean_up_remote(
        self, sftp: asyncssh.SFTPClient, row_id: int, name: str, remote_path: str
    ) -> None:
        action = self.config.after_fetch
        if action == "keep":
            return
        try:
            if action == "delete":
                await self._step(sftp.remove(remote_path), code="qpr_sftp.timeout.cleanup")
            else:
                assert self.config.move_to is not None
                await self._step(
                    sftp.rename(remote_path, posixpath.join(self.config.move_to, name)),
                    code="qpr_sftp.timeout.cleanup",
                )
        except asyncssh.SFTPError as exc:
            if isinstance(exc, asyncssh.SFTPConnectionLost):
                raise
            self.problem(
                code="qpr_sftp.remote.cleanup_failed",
                message=f"remote {action} failed ({exc.reason}); the local copy is safe, retried next run",
                name=name,
                error=False,
            )
            return
        self.ledger.update(row_id, remote_done=1)


def _known_hosts(config: PickupConfig) -> Any:
    if config.host_key is not None:
        try:
            key = asyncssh.import_public_key(config.host_key)
        except (asyncssh.KeyImportError, ValueError) as exc:
            raise ConfigurationError(
                "host_key is not an OpenSSH public key line",
                [
                    Problem(
                        code="qpr_sftp.config.host_key",
                        message="host_key is not an OpenSSH public key line",
                        location=Location(pointer="/host_key"),
                    )
                ],
            ) from exc
        return ([key], [], [])  # trusted host keys, no CA keys, no revoked keys
    assert config.known_hosts is not None
    try:
        return asyncssh.read_known_hosts(str(config.known_hosts))
    except (OSError, asyncssh.KeyImportError, ValueError) as exc:
        raise ConfigurationError(
            f"cannot read known_hosts {config.known_hosts}",
            [
                Problem(
                    code="qpr_sftp.config.host_key",
                    message="known_hosts is unreadable",
                    location=Location(pointer="/known_hosts"),
                )
            ],
        ) from exc


def _client_keys(config: PickupConfig) -> Any:
    if config.private_key is None:
        return None  # no public-key login (None, not [], stops asyncssh from loading ~/.ssh keys)
    try:
        return [asyncssh.read_private_key(str(config.private_key), config.passphrase())]
    except (OSError, asyncssh.KeyImportError, asyncssh.KeyEncryptionError, ValueError) as exc:
        raise ConfigurationError(
            f"cannot read the private key {config.private_key} ({type(exc).__name__})",
            [
                Problem(
                    code="qpr_sftp.config.private_key",
                    message="the private key cannot be read",
                    location=Location(pointer="/private_key"),
                )
            ],
        ) from exc


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
