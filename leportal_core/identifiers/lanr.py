"""LANR (lebenslange Arztnummer): the lifelong nine-digit number of a physician or psychotherapist.

=========  ==============================================================
1-6        Seriennummer (unique per person)
7          check digit, computed from positions 1-6
8-9        Arztgruppenschlüssel (Fachgruppe)
=========  ==============================================================

The check digit: multiply positions 1-6 from the left alternately by 4 and 9, add the products,
take the sum modulo 10; the check digit is 10 minus that remainder, or 0 when the remainder is 0.
(Equivalently: ``(6a + b + 6c + d + 6e + f) mod 10``.)

A single changed digit in positions 2, 4, 6 or 7 is always detected. In positions 1, 3 and 5
(weight 4) a change by exactly 5 (e.g. 1 <-> 6) is *not* detected, because 4 * 5 = 20 is 0 modulo
10 - an inherent weakness of the scheme. Positions 8-9 are not protected, and the
Arztgruppenschlüssel is not checked against the KBV key table.

Placeholder ("Pseudo-") numbers that some KBV specifications prescribe where no real LANR exists
are syntactically ordinary LANRs; this module neither recognises nor rejects them.

Sources: Richtlinie der Kassenärztlichen Bundesvereinigung nach § 75 Abs. 7 SGB V zur Vergabe der
Arzt-, Betriebsstätten- sowie der Praxisnetznummern; public summaries at
https://de.wikipedia.org/wiki/Lebenslange_Arztnummer and
https://gkv-heilmittel.de/fuer_vertragsaerzte/erlaeuterungen/glossar/glossar_1.jsp .

>>> from leportal_core.errors import InvalidChecksum
>>> from leportal_core.identifiers import lanr
>>> lanr.calc_check_digit("123456")
'6'
>>> lanr.validate("123456 6 01")
'123456601'
>>> lanr.is_valid("123456701")
False
>>> lanr.is_valid("623456601")  # position 1 changed by 5: not detected
True
>>> lanr.format("123456601")
'123456 6 01'
>>> try:
...     lanr.validate("123456701")
... except InvalidChecksum as exc:
...     print(exc.code, exc.problems[0].location.offset)
lanr.checksum 6
"""

from __future__ import annotations

from typing import Final

from leportal_core.errors import InvalidIdentifier
from leportal_core.identifiers._common import (
    ASCII_DIGITS,
    check_characters,
    check_length,
    checksum_error,
    clean,
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

NAME: Final = "LANR"
"""Short name of the scheme, as used in messages."""

LENGTH: Final = 9
"""Number of digits of a compact LANR."""

PROBLEM_CODES: Final = ("lanr.format", "lanr.length", "lanr.checksum")
"""Every problem code this module can report."""

_SCHEME: Final = "lanr"
_WEIGHTS: Final = (4, 9, 4, 9, 4, 9)


def compact(number: str) -> str:
    """Remove whitespace and the separators ``- . /``; never raises for a ``str``.

    >>> compact("123456-6-01")
    '123456601'
    """
    return clean(require_str(number, _SCHEME, NAME))


def _check_digit(serial: str) -> str:
    remainder = sum(int(d) * w for d, w in zip(serial[:6], _WEIGHTS, strict=True)) % 10
    return str((10 - remainder) % 10)


def calc_check_digit(number: str) -> str:
    """The check digit for the six-digit Seriennummer (positions 1-6) of a LANR.

    Raises :class:`~leportal_core.errors.InvalidFormat` or
    :class:`~leportal_core.errors.InvalidLength` if ``number`` is not 6 digits.

    >>> calc_check_digit("123456")
    '6'
    >>> calc_check_digit("999999")
    '9'
    """
    number = compact(number)
    check_characters(number, ASCII_DIGITS, _SCHEME, NAME, "digits 0-9")
    check_length(number, 6, _SCHEME, f"{NAME} Seriennummer", "digits")
    return _check_digit(number)


def validate(number: str) -> str:
    """Return the compact LANR, or raise the matching
    :class:`~leportal_core.errors.InvalidIdentifier`.

    Checks, in this order: digits only (``lanr.format``), 9 digits (``lanr.length``), the check
    digit in position 7 (``lanr.checksum``).

    >>> validate("999999900")
    '999999900'
    """
    number = compact(number)
    check_characters(number, ASCII_DIGITS, _SCHEME, NAME, "digits 0-9")
    check_length(number, LENGTH, _SCHEME, NAME, "digits")
    if number[6] != _check_digit(number):
        raise checksum_error(_SCHEME, NAME, 6, "positions 1-6")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid LANR; never raises.

    >>> is_valid("123456601"), is_valid("123456"), is_valid(None)
    (True, False, False)
    """
    try:
        validate(number)
    except InvalidIdentifier:
        return False
    return True


def format(number: str) -> str:
    """The readable form ``SSSSSS P GG`` (Seriennummer, Prüfziffer, Arztgruppe).

    Validates first, so it raises like :func:`validate` for an invalid LANR.
    :func:`compact` turns the result back into the compact form.

    >>> format("999999900")
    '999999 9 00'
    """
    number = validate(number)
    return f"{number[0:6]} {number[6]} {number[7:9]}"
