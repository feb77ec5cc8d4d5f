"""A throw-away SMTP server on loopback (aiosmtpd) standing in for the KIM client module in the
demo and the tests. It binds to 127.0.0.1 only, keeps what it received in memory, and doubles as a
:class:`~leportal_therapy_pvs.sending.DeliveryProbe` (it knows which Message-IDs it took).

Fault modes for tests: ``hold`` (an event) keeps the reply to a message back until it is set —
the message is already stored, so a client killed meanwhile has delivered it; and
:class:`MisbehavingSmtpServer` is a raw socket server that never greets, greets forever, or goes
silent after the message.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import socketserver
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

import attrs

__all__ = ["LocalSmtpServer", "MisbehavingSmtpServer", "Received"]


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
        hold = self._server.hold
        if hold is not None:
            await asyncio.get_running_loop().run_in_executor(None, hold.wait, 60)
        return "250 Message accepted for delivery"


class LocalSmtpServer:
    """``with LocalSmtpServer() as server:`` … ``server.port`` … ``server.received``."""

    host = "127.0.0.1"

    def __init__(self, *, hold: threading.Event | None = None) -> None:
        self.port = 0
        self.hold = hold
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


class MisbehavingSmtpServer:
    """A raw SMTP-ish server on 127.0.0.1 for deadline tests. ``mode``:

    ``silent`` accepts the connection and never says a word; ``endless_greeting`` sends
    ``220-`` lines forever; ``stall_after_data`` talks normally until the message's final ``.``
    and then never answers; ``drop_after_data`` closes the connection there instead.
    """

    host = "127.0.0.1"
    MODES = ("silent", "endless_greeting", "stall_after_data", "drop_after_data")

    def __init__(self, mode: str) -> None:
        if mode not in self.MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.mode = mode
        self.messages = 0  # how many complete messages arrived
        self._stop = threading.Event()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                with contextlib.suppress(OSError):
                    outer._serve(self.rfile, self.wfile)

        self._server = socketserver.ThreadingTCPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _serve(self, rfile: Any, wfile: Any) -> None:
        if self.mode == "silent":
            self._stop.wait(60)
            return
        if self.mode == "endless_greeting":
            while not self._stop.is_set():
                wfile.write(b"220-still greeting you\r\n")
                wfile.flush()
                time.sleep(0.01)
            return
        wfile.write(b"220 ready\r\n")
        wfile.flush()
        in_data = False
        for line in iter(rfile.readline, b""):
            if in_data:
                if line == b".\r\n":
                    self.messages += 1
                    if self.mode == "drop_after_data":
                        return
                    self._stop.wait(60)
                    return
                continue
            verb = line[:4].upper()
            reply = {
                b"EHLO": b"250 ok\r\n",
                b"HELO": b"250 ok\r\n",
                b"DATA": b"354 go on\r\n",
                b"QUIT": b"221 bye\r\n",
            }.get(verb, b"250 ok\r\n")
            wfile.write(reply)
            wfile.flush()
            in_data = verb == b"DATA"
            if verb == b"QUIT":
                return

    def __enter__(self) -> MisbehavingSmtpServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
