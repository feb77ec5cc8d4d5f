"""KVNR (Krankenversichertennummer): the lifelong number of a person in German health insurance.

This module checks the ten-character *unveränderbarer Teil* printed on the eGK, e.g. ``A123456780``:

=========  =============================================================
1          an upper-case letter A-Z (no umlauts)
2-9        eight digits
10         check digit
=========  =============================================================

The check digit: replace the letter by its two-digit position in the alphabet (A = 01 ... Z = 26),
giving ten digits; multiply them from the left alternately by 1 and 2; add up the digit sums
(Quersummen) of the products; the sum modulo 10 is the check digit.

Any single changed digit (positions 2-10) is detected. A changed *letter* is not always detected:
the letter contributes ``tens + Quersumme(2 * units)``, so e.g. A (01 -> 0 + 2) and T (20 -> 2 + 0)
give the same check digit - an inherent weakness of the scheme.

Sources: § 290 SGB V and the Richtlinie des GKV-Spitzenverbandes zur Krankenversichertennummer;
public summaries at https://wiki.hl7.de/index.php?title=bp:Krankenversichertennummer_(KVNR) and
https://de.wikipedia.org/wiki/Krankenversichertennummer .

>>> from leportal_core.errors import InvalidChecksum
>>> from leportal_core.identifiers import kvnr
>>> kvnr.calc_check_digit("A12345678")
'0'
>>> kvnr.validate("a 12345678 0")
'A123456780'
>>> kvnr.is_valid("A123456781")
False
>>> kvnr.format("a123456780")
'A123456780'
>>> try:
...     kvnr.validate("A123456781")
... except InvalidChecksum as exc:
...     print(exc.code, exc.problems[0].location.offset)
kvnr.checksum 9
"""

from __future__ import annotations

from typing import Final

from leportal_core.errors import InvalidIdentifier
from leportal_core.identifiers._common import (
    ASCII_DIGITS,
    ASCII_UPPERCASE,
    check_characters,
    check_length,
    checksum_error,
    clean,
    digit_sum,
    format_error,
    require_str,
)

__all__ = [
    "LENGTH",
    "NAME",
    "PROBLEM_CODES",
    "calc_check_digit",
    "compact",
    "format",
    "is_valid",
    "validate",
]

NAME: Final = "KVNR"
"""Short name of the scheme, as used in messages."""

LENGTH: Final = 10
"""Number of characters of a compact KVNR."""

PROBLEM_CODES: Final = ("kvnr.format", "kvnr.length", "kvnr.checksum")
"""Every problem code this module can report."""

_SCHEME: Final = "kvnr"
_ALLOWED: Final = ASCII_UPPERCASE + ASCII_DIGITS


def compact(number: str) -> str:
    """Remove whitespace and the separators ``- . /`` and upper-case ASCII letters.

    Never raises for a ``str``. Only a-z are upper-cased, so look-alikes such as "ı" stay invalid.

    >>> compact(" a123-456.780 ")
    'A123456780'
    """
    return clean(require_str(number, _SCHEME, NAME), upper=True)


def _check_structure(number: str, length: int) -> None:
    """Letter at offset 0, digits after it; ``number`` has ``length`` characters of A-Z0-9."""
    if number[0] not in ASCII_UPPERCASE:
        raise format_error(
            _SCHEME, f"{NAME} must start with a letter A-Z; found {number[0]!r} at offset 0", 0
        )
    for offset in range(1, length):
        if number[offset] not in ASCII_DIGITS:
            raise format_error(
                _SCHEME,
                f"{NAME} must have digits after its letter; found {number[offset]!r}"
                f" at offset {offset}",
                offset,
            )


def _check_digit(number: str) -> str:
    digits = f"{ord(number[0]) - ord('A') + 1:02d}" + number[1:9]
    total = sum(digit_sum(int(d) * (1 + i % 2)) for i, d in enumerate(digits))
    return str(total % 10)


def calc_check_digit(number: str) -> str:
    """The check digit for the first 9 characters (letter and eight digits) of a KVNR.

    Raises :class:`~leportal_core.errors.InvalidFormat` or
    :class:`~leportal_core.errors.InvalidLength` if ``number`` is not a letter and eight digits.

    >>> calc_check_digit("A12345678")
    '0'
    >>> calc_check_digit("T12345678")  # T = 20 adds the same as A = 01
    '0'
    >>> calc_check_digit("Z98765432")
    '1'
    """
    number = compact(number)
    check_characters(number, _ALLOWED, _SCHEME, NAME, "letters A-Z and digits 0-9")
    check_length(number, LENGTH - 1, _SCHEME, f"{NAME} without check digit", "characters")
    _check_structure(number, LENGTH - 1)
    return _check_digit(number)


def validate(number: str) -> str:
    """Return the compact KVNR, or raise the matching
    :class:`~leportal_core.errors.InvalidIdentifier`.

    Checks, in this order: only letters and digits (``kvnr.format``), 10 characters
    (``kvnr.length``), a letter followed by nine digits (``kvnr.format``), the check digit
    (``kvnr.checksum``).

    >>> validate("Z987654321")
    'Z987654321'
    """
    number = compact(number)
    check_characters(number, _ALLOWED, _SCHEME, NAME, "letters A-Z and digits 0-9")
    check_length(number, LENGTH, _SCHEME, NAME, "characters")
    _check_structure(number, LENGTH)
    if number[9] != _check_digit(number):
        raise checksum_error(_SCHEME, NAME, 9, "the letter and the eight digits before it")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid KVNR; never raises.

    >>> is_valid("A123456780"), is_valid("1234567890"), is_valid(None)
    (True, False, False)
    """
    try:
        validate(number)
    except InvalidIdentifier:
        return False
    return True


def format(number: str) -> str:
    """The readable form: the ten characters without spaces, as printed on the eGK.

    There is no customary grouping, and people compare the number with the card. Validates
    first, so it raises like :func:`validate` for an invalid KVNR.

    >>> format("a123456780")
    'A123456780'
    """
    return validate(number)
