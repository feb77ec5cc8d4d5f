"""Hand a message to the practice's KIM client module over SMTP (stdlib :mod:`smtplib`).

The KIM client module listens on the practice network (typically SMTPS or STARTTLS, with the
KIM account as login); host, port, TLS mode, login and timeout are configuration. The password
is never part of ``repr`` or any message.
"""

from __future__ import annotations

import enum
import smtplib
import ssl
from email.message import EmailMessage

import attrs

from leportal_core.errors import ConfigurationError

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})

__all__ = ["SmtpRefused", "SmtpSettings", "SmtpUnavailable", "Tls", "send_message"]


class Tls(enum.Enum):
    """Transport security towards the KIM client module."""

    NONE = "none"  # only for a module on the same machine / loopback tests
    STARTTLS = "starttls"
    IMPLICIT = "tls"


@attrs.frozen(kw_only=True)
class SmtpSettings:
    """Where the KIM client module listens and how to log in."""

    host: str
    port: int = 465
    tls: Tls = Tls.IMPLICIT
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    timeout: float = 30.0
    ssl_context: ssl.SSLContext | None = attrs.field(default=None, repr=False)

    def __attrs_post_init__(self) -> None:
        if not self.host or not 0 < self.port < 65536:
            raise ConfigurationError("SMTP host and a port 1-65535 are required")
        if (self.username is None) != (self.password is None):
            raise ConfigurationError("SMTP login needs both username and password")
        if self.tls is Tls.NONE and self.username is not None and self.host not in _LOOPBACK:
            raise ConfigurationError("an SMTP login without TLS is only allowed on loopback")
        if self.timeout <= 0:
            raise ConfigurationError("SMTP timeout must be positive")


class SmtpUnavailable(Exception):
    """The server could not be reached or broke off. ``maybe_delivered`` is ``True`` when that
    happened after the message was handed over, so only reconciliation can tell."""

    def __init__(self, message: str, *, maybe_delivered: bool = False) -> None:
        super().__init__(message)
        self.maybe_delivered = maybe_delivered


class SmtpRefused(Exception):
    """The server answered and refused the message (e.g. unknown recipient): retry won't help."""


def send_message(message: EmailMessage, settings: SmtpSettings) -> None:
    """Send ``message``; returns when the server accepted it for every recipient.

    Raises :class:`SmtpUnavailable` or :class:`SmtpRefused`; a failure of the final QUIT after
    acceptance is ignored, because the message is already the server's.
    """
    context = settings.ssl_context or ssl.create_default_context()
    client: smtplib.SMTP
    try:
        if settings.tls is Tls.IMPLICIT:
            client = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    except (OSError, smtplib.SMTPException) as exc:
        raise SmtpUnavailable(f"cannot connect to {settings.host}:{settings.port}: {exc}") from exc
    try:
        try:
            if settings.tls is Tls.STARTTLS:
                client.starttls(context=context)
            if settings.username is not None and settings.password is not None:
                client.login(settings.username, settings.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise SmtpRefused(f"login refused ({exc.smtp_code})") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise SmtpUnavailable(f"session setup failed: {type(exc).__name__}") from exc
        try:
            refused = client.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            raise SmtpRefused(f"refused: {exc}") from exc
        except smtplib.SMTPDataError as exc:
            kind = SmtpRefused if 500 <= exc.smtp_code < 600 else SmtpUnavailable
            raise kind(f"message refused ({exc.smtp_code})") from exc  # 4xx: not taken
        except (OSError, smtplib.SMTPException) as exc:
            raise SmtpUnavailable(
                f"connection lost while sending: {type(exc).__name__}", maybe_delivered=True
            ) from exc
        if refused:
            raise SmtpRefused(f"recipients refused: {', '.join(sorted(refused))}")
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
