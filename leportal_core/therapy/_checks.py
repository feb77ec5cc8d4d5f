"""Field checks shared by the therapy model: each returns problems instead of raising, so a
constructor can report every mistake of an object at once."""

from __future__ import annotations

import re
from collections.abc import Callable

from leportal_core.errors import InvalidIdentifier, Location, Problem, ValidationError

__all__ = [
    "MAX_NAME",
    "MAX_TEXT",
    "check_email",
    "check_identifier",
    "check_text",
    "problem",
    "raise_if",
]

MAX_NAME = 200
MAX_TEXT = 20_000
# C0/C1 control characters other than TAB, LF and CR: they do not print and break PDF and GDT.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# RFC 5322 "addr-spec" reduced to what KIM addresses use (gematik: local@domain.kim.telematik).
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def problem(code: str, message: str, pointer: str) -> Problem:
    """A problem located by a JSON pointer into the object (the JSON form uses the same paths)."""
    return Problem(code=code, message=message, location=Location(pointer=pointer))


def check_text(
    value: str,
    pointer: str,
    *,
    required: bool = True,
    max_length: int = MAX_NAME,
    multiline: bool = False,
) -> list[Problem]:
    """Mandatory (non-blank), bounded, printable text; line breaks only where ``multiline``."""
    if not isinstance(value, str):
        return [
            problem(
                code="therapy.type",
                message=f"expected text, got {type(value).__name__}",
                pointer=pointer,
            )
        ]
    found = []
    if required and not value.strip():
        found.append(problem(code="therapy.required", message="must not be empty", pointer=pointer))
    if len(value) > max_length:
        found.append(
            problem(
                code="therapy.too_long",
                message=f"{len(value)} characters, at most {max_length}",
                pointer=pointer,
            )
        )
    if _CONTROL.search(value) or (not multiline and ("\n" in value or "\r" in value)):
        found.append(
            problem(
                code="therapy.control_character",
                message="contains a control character",
                pointer=pointer,
            )
        )
    return found


def check_email(value: str | None, pointer: str) -> list[Problem]:
    """``None`` or an address ``local@domain`` (KIM addresses are e-mail addresses)."""
    if value is None:
        return []
    if not isinstance(value, str) or len(value) > 254 or not _EMAIL.match(value):
        return [
            problem(
                code="therapy.address",
                message="not an e-mail/KIM address (local@domain)",
                pointer=pointer,
            )
        ]
    return []


def check_identifier(
    value: str | None, pointer: str, validate: Callable[[str], str], code: str, label: str
) -> list[Problem]:
    """``None`` or an identifier in compact, valid form (e.g. ``ik.validate``)."""
    if value is None:
        return []
    try:
        compact = validate(value)
    except InvalidIdentifier as exc:
        return [problem(code, f"{label} invalid: {exc.problems[0].message}", pointer)]
    if compact != value:
        return [problem(code, f"{label} must be given in compact form {compact!r}", pointer)]
    return []


def raise_if(found: list[Problem], what: str) -> None:
    """Raise :class:`ValidationError` with every problem when there are any."""
    if found:
        raise ValidationError(f"{what} rejected ({len(found)} problems)", found)
