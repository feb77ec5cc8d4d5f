"""What a pickup produces: one :class:`FetchedReport` per Prüfbericht filed, and a :class:`FetchRun`
summarising a run (filed, already known, quarantined, problems)."""

from __future__ import annotations

import datetime as dt
import re

import attrs

from leportal_core.errors import Problem, Severity

__all__ = ["FetchRun", "FetchedReport"]

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _aware(_: object, attribute: attrs.Attribute[dt.datetime], value: dt.datetime) -> None:
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise ValueError(f"{attribute.name} must be a timezone-aware datetime")


def _sha256(_: object, __: object, value: str) -> None:
    if not isinstance(value, str) or not _SHA256.match(value):
        raise ValueError("sha256 must be 64 lower-case hex digits")


def _plain_name(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value or "/" in value or "\x00" in value:
        raise ValueError(f"{attribute.name} must be a non-empty file name without '/'")


def _non_negative(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{attribute.name} must be an int >= 0")


@attrs.frozen(kw_only=True)
class FetchedReport:
    """One Prüfbericht safely filed (Abholbeleg): where it came from, where it is, what it is.

    ``remote_mtime`` is the server's modification time, ``fetched_at`` when the local copy became
    safe; both are UTC. ``sha256`` covers the bytes of the local file.
    """

    remote_name: str = attrs.field(validator=_plain_name)
    local_name: str = attrs.field(validator=_plain_name)
    size: int = attrs.field(validator=_non_negative)
    remote_mtime: dt.datetime = attrs.field(validator=_aware)
    sha256: str = attrs.field(validator=_sha256)
    fetched_at: dt.datetime = attrs.field(validator=_aware)
    recipient_ik: str = attrs.field(validator=attrs.validators.instance_of(str))


@attrs.frozen(kw_only=True)
class FetchRun:
    """The outcome of one run. ``complete`` is ``False`` when the run stopped early (connection
    lost); whatever it filed before is safe and recorded, and the next run picks up the rest."""

    filed: tuple[FetchedReport, ...] = ()
    already_known: int = 0
    quarantined: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    complete: bool = True

    @property
    def ok(self) -> bool:
        """No error-severity problem and the run reached the end of the listing."""
        return self.complete and not any(p.severity is Severity.ERROR for p in self.problems)
