"""One exception hierarchy and the *problem* model shared by every part of leportal.

Validation never stops at the first failure: it collects :class:`Problem` objects, each with a
stable machine-readable ``code`` (documented in ``docs/problem-codes.md`` and never renamed
casually), a human message in English, and a :class:`Location` saying where the problem sits.
Hosts translate the codes into their own UI language.

A public function that rejects bad input raises a subclass of :class:`LeportalError` carrying the
problems; errors from dependencies are mapped to the most specific subclass with ``raise … from``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

import attrs

__all__ = [
    "ConfigurationError",
    "FormatError",
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidIdentifier",
    "InvalidLength",
    "LeportalError",
    "Location",
    "PluginError",
    "Problem",
    "Severity",
    "StorageError",
    "ValidationError",
]

_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


class Severity(enum.Enum):
    """How bad a problem is: an ``error`` rejects the input, a ``warning`` asks a person to look."""

    ERROR = "error"
    WARNING = "warning"


def _optional_non_negative(
    _: object, attribute: attrs.Attribute[int | None], value: int | None
) -> None:
    if value is not None and value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value}")


@attrs.frozen(kw_only=True)
class Location:
    """Where a problem sits; every field is optional and only the ones that fit are set.

    ``line`` and ``column`` count from 1, ``offset`` is a byte offset from 0, ``pointer`` is a JSON
    pointer (RFC 6901) into a structured document, ``segment``/``field`` name an HL7 or CSV place.
    """

    file: str | None = None
    line: int | None = attrs.field(default=None, validator=_optional_non_negative)
    column: int | None = attrs.field(default=None, validator=_optional_non_negative)
    offset: int | None = attrs.field(default=None, validator=_optional_non_negative)
    pointer: str | None = None
    segment: str | None = None
    field: str | None = None

    def as_dict(self) -> dict[str, str | int]:
        """The fields that are set, for JSON output."""
        return {k: v for k, v in attrs.asdict(self).items() if v is not None}

    def __str__(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}" + (f", column {self.column}" if self.column else ""))
        if self.offset is not None:
            parts.append(f"byte {self.offset}")
        if self.segment is not None:
            parts.append(f"segment {self.segment}")
        if self.field is not None:
            parts.append(f"field {self.field}")
        if self.pointer is not None:
            parts.append(f"at {self.pointer or '/'}")
        return ", ".join(parts)


def _valid_code(_: object, __: object, value: str) -> None:
    if not _CODE.match(value):
        raise ValueError(f"problem code {value!r} must be dotted lower case, e.g. 'ik.checksum'")


@attrs.frozen(kw_only=True)
class Problem:
    """One finding about an input: stable ``code``, human ``message``, ``location``, ``severity``."""

    code: str = attrs.field(validator=_valid_code)
    message: str
    location: Location = attrs.field(factory=Location)
    severity: Severity = Severity.ERROR

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready view with the same keys the CLI's ``--json`` output uses."""
        out: dict[str, object] = {
            "code": self.code,
            "message": self.message,
            "severity": self.severity.value,
        }
        location = self.location.as_dict()
        if location:
            out["location"] = location
        return out

    def __str__(self) -> str:
        where = str(self.location)
        return f"{self.code}: {self.message}" + (f" ({where})" if where else "")


class LeportalError(Exception):
    """Base class of every error leportal raises on purpose."""

    default_code = "leportal.error"

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems: tuple[Problem, ...] = tuple(problems) or (
            Problem(code=self.default_code, message=message),
        )

    @property
    def code(self) -> str:
        """The code of the first problem: the one to show when there is room for one only."""
        return self.problems[0].code

    def __str__(self) -> str:
        if len(self.problems) == 1 and self.problems[0].message == self.message:
            return str(self.problems[0])
        return self.message + "".join(f"\n  - {p}" for p in self.problems)


class ValidationError(LeportalError):
    """The input was checked and rejected; ``problems`` says every reason found."""

    default_code = "validation.failed"


class InvalidIdentifier(ValidationError):
    """An identifier (IK, KVNR, LANR, BSNR, …) is not valid."""

    default_code = "identifier.invalid"


class InvalidFormat(InvalidIdentifier):
    """An identifier has characters or a structure its scheme does not allow."""

    default_code = "identifier.format"


class InvalidLength(InvalidIdentifier):
    """An identifier has the wrong number of characters."""

    default_code = "identifier.length"


class InvalidChecksum(InvalidIdentifier):
    """An identifier's check digit does not match the rest of it."""

    default_code = "identifier.checksum"


class InvalidComponent(InvalidIdentifier):
    """A part of an identifier (a class, region or group key) has a value its scheme does not know."""

    default_code = "identifier.component"


class FormatError(ValidationError):
    """Bytes could not be decoded as the format a codec expects."""

    default_code = "format.invalid"


class PluginError(LeportalError):
    """A plug-in could not be loaded or broke the hook contract."""

    default_code = "plugin.error"


class StorageError(LeportalError):
    """The store could not be used: missing, empty, damaged, locked, read-only, disk full, newer.

    Not the caller's input and not a setting: the problem code (``store.*``, see
    ``docs/problem-codes.md``) says what happened and the message what the user can do (restore a
    backup, retry, free space). :mod:`leportal_core.store` raises it for every store; ``path`` is
    the store file when known.
    """

    default_code = "store.failed"

    def __init__(
        self, message: str, problems: Iterable[Problem] = (), *, path: str | None = None
    ) -> None:
        super().__init__(message, problems)
        self.path = path


class ConfigurationError(LeportalError):
    """A setting, file or environment variable the caller supplied is unusable."""

    default_code = "config.invalid"
