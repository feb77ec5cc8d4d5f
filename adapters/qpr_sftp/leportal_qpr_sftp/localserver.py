"""A throw-away SFTP server on 127.0.0.1 (asyncssh) for the demo, the tests and the benchmark.

It serves one folder (chroot), has a freshly generated ed25519 host key, and accepts one client
key and/or one password. It runs its own event loop in a background thread so that the blocking
:func:`~leportal_qpr_sftp.fetch.fetch_reports` can be called from the caller's thread; ``stop()``
closes every connection and joins the thread. Not for production use.
"""

from __future__ import annotations

import asyncio
import hmac
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import asyncssh

__all__ = ["LocalSftpServer", "generate_key"]


def generate_key() -> asyncssh.SSHKey:
    """A new ed25519 key pair (for host and client keys)."""
    return asyncssh.generate_private_key("ssh-ed25519")


class LocalSftpServer:
    """Serve ``root`` over SFTP on ``127.0.0.1``; use as a context manager or ``start``/``stop``.

    ``sftp_class`` lets tests inject faults: a subclass of :class:`asyncssh.SFTPServer`, created
    as ``sftp_class(channel, chroot=root)``.
    """

    def __init__(
        self,
        root: Path,
        *,
        user: str = "qpr",
        client_key: asyncssh.SSHKey | None = None,
        password: str | None = None,
        host_key: asyncssh.SSHKey | None = None,
        sftp_class: type[asyncssh.SFTPServer] = asyncssh.SFTPServer,
    ) -> None:
        self.root = Path(root).resolve()
        self.user = user
        self.host_key = host_key or generate_key()
        self._client_key = client_key
        self._password = password
        self._sftp_class = sftp_class
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._connections: list[asyncssh.SSHServerConnection] = []
        self.port = 0

    @property
    def host_key_line(self) -> str:
        """The server's public host key as an OpenSSH line, for ``host_key`` in the config."""
        return bytes(self.host_key.export_public_key()).decode("ascii").strip()

    def start(self) -> LocalSftpServer:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(
            target=loop.run_forever, name="qpr-sftp-server", daemon=True
        )
        self._thread.start()
        self._acceptor = asyncio.run_coroutine_threadsafe(self._listen(), loop).result(timeout=30)
        self.port = self._acceptor.get_port()
        return self

    async def _listen(self) -> asyncssh.SSHAcceptor:
        user, password = self.user, self._password

        class _Auth(asyncssh.SSHServer):
            def begin_auth(self, username: str) -> bool:
                return True

            def password_auth_supported(self) -> bool:
                return password is not None

            def validate_password(self, username: str, given: str) -> bool:
                return (
                    password is not None
                    and username == user
                    and hmac.compare_digest(given.encode(), password.encode())
                )

        options: dict[str, Any] = {}
        if self._client_key is not None:
            line = bytes(self._client_key.export_public_key()).decode("ascii")
            options["authorized_client_keys"] = asyncssh.import_authorized_keys(line)
        root, sftp_class = str(self.root).encode(), self._sftp_class
        return await asyncssh.listen(
            "127.0.0.1",
            0,
            server_host_keys=[self.host_key],
            server_factory=_Auth,
            sftp_factory=lambda channel: sftp_class(channel, chroot=root),
            allow_scp=False,
            acceptor=self._connections.append,
            config=None,
            **options,
        )

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return

        async def close() -> None:
            if self._acceptor is not None:
                self._acceptor.close()
                await self._acceptor.wait_closed()
            for connection in self._connections:
                connection.close()
            for connection in self._connections:
                await connection.wait_closed()
            current = asyncio.current_task()
            for task in asyncio.all_tasks():
                if task is not current:
                    task.cancel()

        try:
            asyncio.run_coroutine_threadsafe(close(), loop).result(timeout=30)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=30)
            loop.close()
            self._loop = self._thread = None

    def __enter__(self) -> LocalSftpServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
