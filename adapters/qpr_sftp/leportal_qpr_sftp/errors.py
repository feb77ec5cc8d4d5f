"""The adapter's error: a pickup that could not run at all (no connection, host key refused).

A :class:`~leportal_core.errors.TransportError`; asyncssh's errors are mapped to it (or to a
problem of the run) in :mod:`leportal_qpr_sftp.fetch` and never escape a pickup."""

from __future__ import annotations

from leportal_core.errors import TransportError

__all__ = ["PickupError"]


class PickupError(TransportError):
    """The SFTP pickup could not start or was refused by the server; nothing was filed by it."""

    default_code = "qpr_sftp.failed"
