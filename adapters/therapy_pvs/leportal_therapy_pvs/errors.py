"""The adapter's errors: the KIM client module's SMTP server could not take a message.

Both are :class:`~leportal_core.errors.TransportError`\\ s, so a host that catches the core's
errors catches these; ``smtplib`` and socket errors never escape :func:`~.smtp.send_message`.
"""

from __future__ import annotations

from leportal_core.errors import Problem, TransportError

__all__ = ["SmtpRefused", "SmtpUnavailable"]


class SmtpUnavailable(TransportError):
    """The server could not be reached, broke off or ran out of time. ``maybe_delivered`` is
    ``True`` when that happened after the whole message was handed over (only a probe or a person
    can then tell); ``code`` names the step (``therapy.smtp.*``)."""

    default_code = "therapy.smtp.unavailable"

    def __init__(
        self, message: str, *, code: str = "therapy.smtp.unavailable", maybe_delivered: bool = False
    ) -> None:
        super().__init__(message, [Problem(code=code, message=message)])
        self.maybe_delivered = maybe_delivered


class SmtpRefused(TransportError):
    """The server answered and refused the message (e.g. unknown recipient): retry won't help."""

    default_code = "therapy.smtp.refused"
