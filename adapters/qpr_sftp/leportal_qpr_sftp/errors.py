"""The adapter's error: a pickup that could not run at all (no connection, host key refused)."""

from __future__ import annotations

from leportal_core.errors import LeportalError

__all__ = ["PickupError"]


class PickupError(LeportalError):
    """The SFTP pickup could not start or was refused by the server; nothing was filed by it."""

    default_code = "qpr_sftp.failed"
