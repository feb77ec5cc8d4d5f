"""BSNR (Betriebsstättennummer): the nine-digit number of a place where outpatient care is given.

=========  ================================================================
1-2        KV-Landes- oder Bezirksstellenschlüssel (Anlage 1 of the KBV Richtlinie)
3-9        assigned by the Kassenärztliche Vereinigung; the first seven digits
           identify the Betriebsstätte
=========  ================================================================

Hospitals may get a BSNR whose positions 1-2 are not a KV key but 35 (services under Anlage 8
BMV-Ä) or 75 (Entlassmanagement, § 39 Abs. 1a SGB V), followed by the two-digit key of the KV.

A BSNR has **no check digit**, so only its form (nine digits) can be validated: a mistyped BSNR
of the right length is accepted. The key in positions 1-2 is not checked against Anlage 1.

Sources: Richtlinie der Kassenärztlichen Bundesvereinigung nach § 75 Abs. 7 SGB V zur Vergabe der
Arzt-, Betriebsstätten- sowie der Praxisnetznummern; KBV NamingSystem
https://fhir.kbv.de/NamingSystem/KBV_NS_Base_BSNR as shown at
https://simplifier.net/guide/eHeilmittelverordnung/NamingSystemfrdieBetriebsstttenummer ; the
BSNR glossary of reimbursement.institute
(https://reimbursement.institute/glossar/bsnr-betriebsstaettennummer) for the hospital prefixes.

>>> from leportal_core.errors import InvalidLength
>>> from leportal_core.identifiers import bsnr
>>> bsnr.validate("19 0111100")
'190111100'
>>> bsnr.format("190111100")
'19 0111100'
>>> bsnr.is_valid("1901111")
False
>>> try:
...     bsnr.validate("1901111")
... except InvalidLength as exc:
...     print(exc.code, exc.problems[0].location.offset)
bsnr.length 7
"""

from __future__ import annotations

from typing import Final

from leportal_core.errors import InvalidIdentifier
from leportal_core.identifiers._common import (
    ASCII_DIGITS,
    check_characters,
    check_length,
    clean,
    require_str,
)

__all__ = [
    "LENGTH",
    "NAME",
    "PROBLEM_CODES",
    "compact",
    "format",
    "is_valid",
    "validate",
]

NAME: Final = "BSNR"
"""Short name of the scheme, as used in messages."""

LENGTH: Final = 9
"""Number of digits of a compact BSNR."""

PROBLEM_CODES: Final = ("bsnr.format", "bsnr.length")
"""Every problem code this module can report (there is no check digit)."""

_SCHEME: Final = "bsnr"


def compact(number: str) -> str:
    """Remove whitespace and the separators ``- . /``; never raises for a ``str``.

    >>> compact("19/011 11-00")
    '190111100'
    """
    return clean(require_str(number, _SCHEME, NAME))


def validate(number: str) -> str:
    """Return the compact BSNR, or raise the matching
    :class:`~leportal_core.errors.InvalidIdentifier`.

    Checks, in this order: digits only (``bsnr.format``), 9 digits (``bsnr.length``).

    >>> validate("351234567")
    '351234567'
    """
    number = compact(number)
    check_characters(number, ASCII_DIGITS, _SCHEME, NAME, "digits 0-9")
    check_length(number, LENGTH, _SCHEME, NAME, "digits")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` has the form of a BSNR; never raises.

    >>> is_valid("190111100"), is_valid("19011110O"), is_valid(None)
    (True, False, False)
    """
    try:
        validate(number)
    except InvalidIdentifier:
        return False
    return True


def format(number: str) -> str:
    """The readable form ``KK NNNNNNN`` (KV key, the digits the KV assigned).

    Validates first, so it raises like :func:`validate` for an invalid BSNR.
    :func:`compact` turns the result back into the compact form.

    >>> format("751234567")
    '75 1234567'
    """
    number = validate(number)
    return f"{number[0:2]} {number[2:9]}"
