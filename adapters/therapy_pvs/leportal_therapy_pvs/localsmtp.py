"""A throw-away SMTP server on loopback (aiosmtpd) standing in for the KIM client module in the
demo and the tests. It binds to 127.0.0.1 only, keeps what it received in memory, and doubles as a
:class:`~leportal_therapy_pvs.sending.DeliveryProbe` (it knows which Message-IDs it took).
"""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

import attrs

__all__ = ["LocalSmtpServer", "Received"]


@attrs.frozen(kw_only=True)
class Received:
    """One message as the server took it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class _Handler:
    def __init__(self, server: LocalSmtpServer) -> None:
        self._server = server

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self._server._take(
            Received(
                mail_from=str(envelope.mail_from),
                rcpt_tos=tuple(str(r) for r in envelope.rcpt_tos),
                data=bytes(envelope.original_content or envelope.content),
            )
        )
        return "250 Message accepted for delivery"


class LocalSmtpServer:
    """``with LocalSmtpServer() as server:`` … ``server.port`` … ``server.received``."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        self.port = 0
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._controller: Any = None

    def _take(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((self.host, 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> LocalSmtpServer:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(r.message()["Message-ID"]).strip() for r in self.received]

    def was_delivered(self, message_id: str) -> bool | None:
        """DeliveryProbe: did a message with this Message-ID arrive here?"""
        return message_id in self.message_ids()
