"""Hand a message to the practice's KIM client module over SMTP (stdlib :mod:`smtplib`).

The KIM client module listens on the practice network (typically SMTPS or STARTTLS, with the
KIM account as login); host, port, TLS mode, login and the deadlines are configuration. Every
step has a deadline — connect, the greeting (an endless multi-line greeting must not hang us), each
reply, the whole transaction — each with its own problem code. The password is never part of
``repr`` or any message.
"""

from __future__ import annotations

import enum
import smtplib
import socket
import ssl
import time
from email.message import EmailMessage
from typing import Any

import attrs

from leportal_core.errors import ConfigurationError
from leportal_therapy_pvs.errors import SmtpRefused, SmtpUnavailable

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})

__all__ = ["SmtpRefused", "SmtpSettings", "SmtpUnavailable", "Tls", "send_message"]


class Tls(enum.Enum):
    """Transport security towards the KIM client module."""

    NONE = "none"  # only for a module on the same machine / loopback tests
    STARTTLS = "starttls"
    IMPLICIT = "tls"


@attrs.frozen(kw_only=True)
class SmtpSettings:
    """Where the KIM client module listens, how to log in, and the deadlines (seconds): ``timeout``
    for connecting and for each reply (idle time), ``greeting_timeout`` for the whole greeting,
    ``deadline`` for the whole transaction from connect to the reply after the message."""

    host: str
    port: int = 465
    tls: Tls = Tls.IMPLICIT
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    timeout: float = 30.0
    greeting_timeout: float = 60.0
    deadline: float = 300.0
    ssl_context: ssl.SSLContext | None = attrs.field(default=None, repr=False)

    def __attrs_post_init__(self) -> None:
        if not self.host or not 0 < self.port < 65536:
            raise ConfigurationError("SMTP host and a port 1-65535 are required")
        if (self.username is None) != (self.password is None):
            raise ConfigurationError("SMTP login needs both username and password")
        if self.tls is Tls.NONE and self.username is not None and self.host not in _LOOPBACK:
            raise ConfigurationError("an SMTP login without TLS is only allowed on loopback")
        if min(self.timeout, self.greeting_timeout, self.deadline) <= 0:
            raise ConfigurationError("SMTP timeouts must be positive")


class _Timeout(Exception):
    def __init__(self, *, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _timeout(*, idle_fired: bool, in_greeting: bool, greeting_limits: bool) -> _Timeout:
    if in_greeting and (idle_fired or greeting_limits):
        return _Timeout(code="therapy.smtp.greeting_timeout", message="no complete greeting")
    if idle_fired:
        return _Timeout(code="therapy.smtp.command_timeout", message="no reply in time")
    return _Timeout(code="therapy.smtp.deadline", message="ran out of time")


# A reply with more lines than this is not from a mail server we should keep listening to.
_MAX_REPLY_LINES = 200


class _Reader:
    """The reply stream under deadlines: each line within ``idle`` seconds, the greeting within
    its own deadline, everything within the transaction deadline."""

    def __init__(self, raw: Any, sock: socket.socket, client: _DeadlineSMTP) -> None:
        self._raw, self._sock, self._client = raw, sock, client
        self._lines = 0

    def readline(self, size: int = -1) -> bytes:
        client = self._client
        in_greeting = client.greeting_end is not None
        greeting_limits = (
            client.greeting_end is not None and client.greeting_end <= client.transaction_end
        )
        limit = client.greeting_end if greeting_limits else client.transaction_end
        assert limit is not None
        remaining = limit - time.monotonic()
        if remaining <= 0:
            raise _timeout(
                idle_fired=False, in_greeting=in_greeting, greeting_limits=greeting_limits
            )
        idle = client.idle
        self._sock.settimeout(min(idle, remaining))
        try:
            line: bytes = self._raw.readline(size)
        except TimeoutError as exc:
            raise _timeout(
                idle_fired=idle < remaining,
                in_greeting=in_greeting,
                greeting_limits=greeting_limits,
            ) from exc
        self._lines += 1
        if line[3:4] != b"-":
            self._lines = 0
        elif self._lines > _MAX_REPLY_LINES:
            raise _Timeout(code="therapy.smtp.reply_too_long", message="the reply does not end")
        return line

    def close(self) -> None:
        self._raw.close()


class _DeadlineSMTP(smtplib.SMTP):
    """``smtplib.SMTP`` whose replies are read through :class:`_Reader`, and which notes when the
    final ``.`` of the message went out."""

    idle: float
    transaction_end: float
    greeting_end: float | None
    message_sent = False

    def getreply(self) -> tuple[int, bytes]:
        if self.file is None and self.sock is not None:
            self.file = _Reader(self.sock.makefile("rb"), self.sock, self)
        return super().getreply()

    def send(self, s: Any) -> None:
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n") and len(s) > 5:
            self.message_sent = True  # set before: a half-sent message still counts as maybe
        super().send(s)


class _DeadlineSMTPSSL(_DeadlineSMTP, smtplib.SMTP_SSL):
    pass


def send_message(message: EmailMessage, settings: SmtpSettings) -> None:
    """Send ``message``; returns when the server accepted it for every recipient.

    Raises :class:`SmtpUnavailable` or :class:`SmtpRefused`; a failure of the final QUIT after
    acceptance is ignored, because the message is already the server's.
    """
    context = settings.ssl_context or ssl.create_default_context()
    client: _DeadlineSMTP = (
        _DeadlineSMTPSSL(timeout=settings.timeout, context=context)
        if settings.tls is Tls.IMPLICIT
        else _DeadlineSMTP(timeout=settings.timeout)
    )
    start = time.monotonic()
    client.idle = settings.timeout
    client.transaction_end = start + settings.deadline
    client.greeting_end = start + settings.greeting_timeout
    try:
        try:
            status, _ = client.connect(settings.host, settings.port)
            if status != 220:
                raise SmtpUnavailable(
                    f"the server refused the session ({status})",
                    code="therapy.smtp.connect_failed",
                )
        except (_Timeout, SmtpUnavailable):
            raise
        except TimeoutError as exc:
            raise SmtpUnavailable(
                f"cannot connect to {settings.host}:{settings.port} in time",
                code="therapy.smtp.connect_timeout",
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise SmtpUnavailable(
                f"cannot connect to {settings.host}:{settings.port}: {exc}",
                code="therapy.smtp.connect_failed",
            ) from exc
        client.greeting_end = None
        try:
            if settings.tls is Tls.STARTTLS:
                client.starttls(context=context)
            if settings.username is not None and settings.password is not None:
                client.login(settings.username, settings.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise SmtpRefused(f"login refused ({exc.smtp_code})") from exc
        try:
            refused = client.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            raise SmtpRefused(f"refused: {exc}") from exc
        except smtplib.SMTPDataError as exc:
            if 500 <= exc.smtp_code < 600:
                raise SmtpRefused(f"message refused ({exc.smtp_code})") from exc
            raise SmtpUnavailable(  # 4xx: not taken, try later
                f"message not taken ({exc.smtp_code})", code="therapy.smtp.temporary"
            ) from exc
        if refused:
            raise SmtpRefused(f"recipients refused: {', '.join(sorted(refused))}")
    except _Timeout as exc:
        raise SmtpUnavailable(
            f"{_STEP[exc.code]}: {exc}", code=exc.code, maybe_delivered=client.message_sent
        ) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise SmtpUnavailable(
            f"connection lost ({type(exc).__name__})",
            code="therapy.smtp.connection_lost",
            maybe_delivered=client.message_sent,
        ) from exc
    finally:
        _close(client)


_STEP = {
    "therapy.smtp.greeting_timeout": "no complete greeting in time",
    "therapy.smtp.command_timeout": "the server stopped answering",
    "therapy.smtp.deadline": "the transaction ran past its deadline",
    "therapy.smtp.reply_too_long": "the server's reply never ended",
}


def _close(client: _DeadlineSMTP) -> None:
    """QUIT politely within one more idle period; a server that misbehaves here is just cut off
    (the message, if any, is already the server's)."""
    if client.sock is None:
        return
    try:
        client.transaction_end = time.monotonic() + client.idle
        client.greeting_end = None
        client.quit()
    except (OSError, smtplib.SMTPException, _Timeout):
        client.close()
