"""Helpers shared by the identifier modules: cleaning input and raising the right exception.

Every offset reported in a :class:`~leportal_core.errors.Location` counts characters of the
*compact* form (after :func:`clean`), from 0. Everything before the first bad character is ASCII,
so that offset is also the byte offset of the UTF-8 encoded compact form.
"""

from __future__ import annotations

from typing import Final

from leportal_core.errors import (
    InvalidChecksum,
    InvalidFormat,
    InvalidLength,
    Location,
    Problem,
)

__all__ = [
    "ASCII_DIGITS",
    "ASCII_UPPERCASE",
    "check_characters",
    "check_length",
    "checksum_error",
    "clean",
    "digit_sum",
    "format_error",
    "require_str",
]

ASCII_DIGITS: Final = "0123456789"
ASCII_UPPERCASE: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_SEPARATORS: Final = frozenset("-./")
# Only ASCII a-z are upper-cased: str.upper() would turn e.g. "ı" (dotless i) into "I" and
# "ß" into "SS", letting look-alike characters pass validation.
_ASCII_UPPER: Final = str.maketrans("abcdefghijklmnopqrstuvwxyz", ASCII_UPPERCASE)


def require_str(number: object, scheme: str, label: str) -> str:
    """Return ``number`` if it is a ``str``, else raise :class:`InvalidFormat`."""
    if isinstance(number, str):
        return number
    message = f"{label} must be given as text (str), got {type(number).__name__}"
    raise InvalidFormat(
        message,
        [Problem(code=f"{scheme}.format", message=message, location=Location(field=scheme))],
    )


def clean(number: str, *, upper: bool = False) -> str:
    """Remove whitespace (any Unicode space, tab or line break) and the separators ``- . /``.

    With ``upper=True`` the ASCII letters a-z are upper-cased (and nothing else).
    """
    out = "".join(c for c in number if not c.isspace() and c not in _SEPARATORS)
    return out.translate(_ASCII_UPPER) if upper else out


def format_error(scheme: str, message: str, offset: int | None) -> InvalidFormat:
    """An :class:`InvalidFormat` with one ``<scheme>.format`` problem."""
    location = Location(field=scheme, offset=offset)
    return InvalidFormat(
        message, [Problem(code=f"{scheme}.format", message=message, location=location)]
    )


def check_characters(number: str, allowed: str, scheme: str, label: str, what: str) -> None:
    """Raise :class:`InvalidFormat` at the first character of ``number`` not in ``allowed``."""
    for offset, char in enumerate(number):
        if char not in allowed:
            raise format_error(
                scheme,
                f"{label} may contain only {what}; found {char!r} at offset {offset}",
                offset,
            )


def check_length(number: str, length: int, scheme: str, label: str, what: str) -> None:
    """Raise :class:`InvalidLength` unless ``number`` has exactly ``length`` characters.

    The location's offset is the first superfluous character when the number is too long, and the
    place of the first missing one (its length) when it is too short.
    """
    if len(number) == length:
        return
    message = f"{label} must have {length} {what}, got {len(number)}"
    location = Location(field=scheme, offset=min(len(number), length))
    raise InvalidLength(
        message, [Problem(code=f"{scheme}.length", message=message, location=location)]
    )


def checksum_error(scheme: str, label: str, offset: int, covers: str) -> InvalidChecksum:
    """An :class:`InvalidChecksum` with one ``<scheme>.checksum`` problem at ``offset``.

    The message deliberately does not reveal the expected check digit: a user who "fixes" the
    check digit instead of finding the mistyped digit would turn a typo into a wrong, valid number.
    """
    message = f"{label} check digit does not match {covers}; the number probably has a typo"
    location = Location(field=scheme, offset=offset)
    return InvalidChecksum(
        message, [Problem(code=f"{scheme}.checksum", message=message, location=location)]
    )


def digit_sum(value: int) -> int:
    """The sum of the decimal digits (Quersumme) of a non-negative integer.

    >>> digit_sum(16)
    7
    """
    total = 0
    while value:
        value, digit = divmod(value, 10)
        total += digit
    return total
