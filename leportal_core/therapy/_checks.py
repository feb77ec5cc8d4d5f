"""Field checks shared by the therapy model: each returns problems instead of raising, so a
constructor can report every mistake of an object at once."""

from __future__ import annotations

import re
from collections.abc import Callable

from leportal_core.errors import Location, Problem, ValidationError
from leportal_core.validation import identifier_problems, text_problems

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
    return text_problems(
        value,
        "therapy.text",
        label=pointer.rsplit("/", 1)[-1] or "text",
        location=Location(pointer=pointer),
        max_length=max_length,
        required=required,
        multiline=multiline,
    )


def check_email(value: str | None, pointer: str) -> list[Problem]:
    """``None`` or an address ``local@domain`` (KIM addresses are e-mail addresses)."""
    if value is None:
        return []
    if not isinstance(value, str) or len(value) > 254 or not _EMAIL.match(value):
        return [
            problem(
                code="therapy.address.invalid",
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
    return identifier_problems(
        value, validate, code, label=label, location=Location(pointer=pointer), scheme_codes=False
    )


def raise_if(found: list[Problem], what: str) -> None:
    """Raise :class:`ValidationError` with every problem when there are any."""
    if found:
        raise ValidationError(f"{what} rejected ({len(found)} problems)", found)
