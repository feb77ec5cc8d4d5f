"""Every exception leportal raises on purpose, and the *problem* model they carry.

Validation never stops at the first failure: it collects :class:`Problem` objects, each with a
stable machine-readable ``code`` (documented in ``docs/problem-codes.md`` and never renamed
casually), a human message in English, and a :class:`Location` saying where the problem sits.
Hosts translate the codes into their own UI language.

A public function that rejects bad input raises a subclass of :class:`LeportalError` carrying the
problems; errors from dependencies (pypdf, sqlite3, smtplib, asyncssh, ``OSError``) are mapped at
the boundary to the most specific subclass with ``raise … from``. Every public exception class of
the core is defined here (domain packages re-export theirs); an adapter keeps its own in its
``errors`` module, derived from these. The tree (tests/core/test_errors.py keeps it complete)::

    LeportalError                 base of everything leportal raises on purpose
    ├── ValidationError           the input was checked and rejected (exit 1)
    │   ├── InvalidIdentifier     an IK, KVNR, LANR or BSNR is not valid
    │   │   ├── InvalidFormat     characters or structure the scheme does not allow
    │   │   ├── InvalidLength     the wrong number of characters
    │   │   ├── InvalidChecksum   the check digit does not match
    │   │   └── InvalidComponent  a part (class, region, group key) the scheme does not know
    │   ├── FormatError           bytes are not the format a codec expects
    │   │   └── CellError         a cell of a billing file is not a value of its column
    │   ├── CaseValidationError   an audit case, step or aggregate was rejected
    │   │   ├── IllegalStep       the step is not allowed in the case's current state
    │   │   └── CaseNotFound      no case has the given id or identifier
    │   ├── DeadlineError         a deadline cannot be computed from rule, dates and Bundesland
    │   ├── SecondFactorInputError  a second-factor policy, secret, name or URI is unusable
    │   └── EnrolmentError        an enrolment step does not fit the account's state
    ├── ConfigurationError        a setting, file or variable the caller supplied is unusable (exit 2)
    │   ├── InputRefused          an input path is not a regular file or too large (also OSError)
    │   └── SealingKeyError       the host's sealing key is missing or malformed
    ├── PluginError               a plug-in could not be loaded or broke the hook contract
    │   └── CaseHookError         a case event was committed, but a listener raised
    ├── StorageError              the store or an output file cannot be written (exit 74)
    │   └── TherapyStoreError     the Versandhistorie's store cannot be used
    ├── TransportError            a remote server (SMTP, SFTP) is unreachable, timed out or refused
    ├── SealError                 a sealed seed does not open
    └── SendInProgress            another process is sending this therapy report right now
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from leportal_core.cases.events import CaseEvent

__all__ = [
    "CaseHookError",
    "CaseNotFound",
    "CaseValidationError",
    "CellError",
    "ConfigurationError",
    "DeadlineError",
    "EnrolmentError",
    "FormatError",
    "IllegalStep",
    "InputRefused",
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidIdentifier",
    "InvalidLength",
    "LeportalError",
    "Location",
    "PluginError",
    "Problem",
    "SealError",
    "SealingKeyError",
    "SecondFactorInputError",
    "SendInProgress",
    "Severity",
    "StorageError",
    "TherapyStoreError",
    "TransportError",
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
    """The store could not be used (missing, empty, damaged, locked, read-only, disk full, newer),
    or an output file could not be written (read-only, disk full, I/O error).

    Not the caller's input and not a setting: the problem code (``store.*``, ``output.*``, see
    ``docs/problem-codes.md``) says what happened and the message what the user can do (restore a
    backup, retry, free space). :mod:`leportal_core.store` raises it for every store; ``path`` is
    the store or output file when known.
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


class TransportError(LeportalError):
    """A remote server (the KIM client module's SMTP, the QPR portal's SFTP) could not be reached,
    broke off, ran out of time or refused; the problem code names the step."""

    default_code = "transport.server.failed"


class CellError(FormatError):
    """A cell of a billing file is not a valid value of its column (the billing engine turns it
    into a located problem; ``code`` is ``billing.value.*`` or ``billing.record.*``)."""

    default_code = "billing.value.invalid"

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, [Problem(code=code, message=message)])


class InputRefused(ConfigurationError, OSError):
    """An input path the caller supplied that is not a regular file (a folder, FIFO, device) or
    larger than the reader's bound (exit 2, as a missing input file); also an ``OSError``, so
    callers that report unreadable files report it too."""

    default_code = "input.file.refused"

    def __init__(
        self, number: int, message: str, path: str | os.PathLike[str], *, code: str
    ) -> None:
        filename = os.fspath(path)
        OSError.__init__(self, number, message, filename)
        self.message = message
        self.problems = (Problem(code=code, message=message, location=Location(file=filename)),)

    __str__ = LeportalError.__str__  # with the code, as the CLI shows it (OSError's lacks it)


class CaseValidationError(ValidationError):
    """An audit case, one of its steps or an aggregate was rejected; ``problems`` says why."""

    default_code = "cases.invalid"


class IllegalStep(CaseValidationError):
    """The step is not allowed in the case's current state."""

    default_code = "cases.step.illegal"


class CaseNotFound(CaseValidationError):
    """No case has the given id or identifier."""

    default_code = "cases.case.unknown"


class CaseHookError(PluginError):
    """The event was committed, but a ``leportal_case_event`` implementation raised."""

    default_code = "cases.hook.failed"

    def __init__(self, message: str, event: CaseEvent) -> None:
        super().__init__(message)
        self.event = event


class DeadlineError(ValidationError):
    """A deadline could not be computed from the given rule, dates and Bundesland."""

    default_code = "deadline.invalid"


class SecondFactorInputError(ValidationError):
    """A policy, secret, account name, issuer or URI given to the second factor is unusable."""

    default_code = "secondfactor.input.invalid"


class EnrolmentError(ValidationError):
    """An enrolment cannot be started or confirmed in the account's current state."""

    default_code = "secondfactor.enrolment.state"


class SealError(LeportalError):
    """A sealed seed does not open: wrong account, tampered bytes or a key the keyring lacks."""

    default_code = "secondfactor.seal.failed"


class SealingKeyError(ConfigurationError):
    """The sealing key the host supplied is missing or not 32 bytes of URL-safe base64."""

    default_code = "secondfactor.key.invalid"


class TherapyStoreError(StorageError):
    """The store holding the Versandhistorie cannot be used (damaged, locked, read-only, full)."""

    default_code = "therapy.store.failed"


class SendInProgress(LeportalError):
    """Another process holds the sending claim of this therapy report right now."""

    default_code = "therapy.send.in_progress"
