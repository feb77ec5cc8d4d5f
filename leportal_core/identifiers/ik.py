"""IK (Institutionskennzeichen): the nine-digit number of an institution in German social insurance.

Structure (positions counted from 1):

=========  ==================================================================
1-2        Klassifikation: the kind of institution or group of persons
3-4        Regionalbereich: the region (for most holders the Bundesland)
5-8        Seriennummer
9          Prüfziffer, computed from positions 3-8 only (not the Klassifikation)
=========  ==================================================================

The check digit: multiply positions 3-8 by 2, 1, 2, 1, 2, 1 (the Rundschreiben says "von rechts
beginnend mit der Gewichtung 1.2.1.2.1.2", which is the same), add up the digit sums
(Quersummen) of the products, and take that sum modulo 10 - the remainder itself is the check
digit (it is *not* subtracted from 10). Any single changed digit in positions 3-9 is detected;
positions 1-2 are not protected at all.

Source: Gemeinsames Rundschreiben Institutionskennzeichen (IK) der Spitzenverbände der
Sozialversicherung, section 1.2 "Aufbau des IK" (1.2.1 Allgemeines, 1.2.3 Regionalbereich,
1.2.5 Prüfziffer with the worked example 26032682 -> 2), e.g. the 2013-04 edition at
https://cld.bz/bookdata/Z8Rsjcr/basic-html/page-6.html and https://cld.bz/Z8Rsjcr/8/ .

:data:`CLASSIFICATIONS` is a *partial* list of Anlage 1 of the Rundschreiben; an unknown
Klassifikation is not an error, :func:`describe` just reports its name as ``None``.
:data:`REGIONS` is the Bundesland table that applies to most providers (Leistungserbringer);
according to section 1.2.3 some participants use other regional schemes (Anlage 2) and older IKs
keep older ones, so the region name is a hint, not a fact about the holder.

>>> from leportal_core.errors import InvalidChecksum
>>> from leportal_core.identifiers import ik
>>> ik.validate("26 03 2682 2")
'260326822'
>>> ik.is_valid("260326823")
False
>>> ik.format("260326822")
'26 03 2682 2'
>>> ik.calc_check_digit("26032682")
'2'
>>> info = ik.describe("260326822")
>>> info.classification, info.region
('Krankenhäuser', 'Niedersachsen')
>>> try:
...     ik.validate("260326823")
... except InvalidChecksum as exc:
...     print(exc.code, exc.problems[0].location.offset)
ik.checksum 8
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import attrs

from leportal_core.errors import InvalidIdentifier
from leportal_core.identifiers._common import (
    ASCII_DIGITS,
    check_characters,
    check_length,
    checksum_error,
    clean,
    digit_sum,
    require_str,
)

__all__ = [
    "CLASSIFICATIONS",
    "LENGTH",
    "NAME",
    "PROBLEM_CODES",
    "REGIONS",
    "SOCIAL_INSURANCE_CLASSIFICATIONS",
    "IKInfo",
    "calc_check_digit",
    "compact",
    "describe",
    "format",
    "is_valid",
    "validate",
]

NAME: Final = "IK"
"""Short name of the scheme, as used in messages."""

LENGTH: Final = 9
"""Number of digits of a compact IK."""

PROBLEM_CODES: Final = ("ik.format", "ik.length", "ik.checksum")
"""Every problem code this module can report."""

_SCHEME: Final = "ik"
_WEIGHTS: Final = (2, 1, 2, 1, 2, 1)

CLASSIFICATIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "10": "Krankenkassen",
        "12": "Unfallversicherungsträger",
        "20": "Ärzte/Kassenärztliche Vereinigungen",
        # Inferred from published hospital IKs (e.g. 260326822, 261101527); Anlage 1 itself is
        # not reproduced here.
        "26": "Krankenhäuser",
        "30": "Apotheken",
        "31": "Augenoptiker",
        "40": "Logopäden",
        "45": "Hebammen",
    }
)
"""Known Klassifikationen (positions 1-2). Partial: the full Anlage 1 list is not reproduced."""

REGIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "00": "Ausland",
        "01": "Schleswig-Holstein",
        "02": "Hamburg",
        "03": "Niedersachsen",
        "04": "Bremen",
        "05": "Nordrhein-Westfalen",
        "06": "Hessen",
        "07": "Rheinland-Pfalz",
        "08": "Baden-Württemberg",
        "09": "Bayern",
        "10": "Saarland",
        "11": "Berlin",
        "12": "Brandenburg",
        "13": "Mecklenburg-Vorpommern",
        "14": "Sachsen",
        "15": "Sachsen-Anhalt",
        "16": "Thüringen",
    }
)
"""Regionalbereiche (positions 3-4) by Bundesland, as used for providers."""

SOCIAL_INSURANCE_CLASSIFICATIONS: Final = frozenset({"10", "12"})
"""Klassifikationen of social insurance carriers, whose positions 3-4 do not follow
:data:`REGIONS` (e.g. the IK 101575519 of a Hamburg-based Krankenkasse has region code 15), so
:func:`describe` gives no region name for them."""


@attrs.frozen(kw_only=True)
class IKInfo:
    """What the structure of a valid IK tells; names are ``None`` where the code is not known."""

    number: str
    """The compact IK, 9 digits."""
    classification_code: str
    """Positions 1-2."""
    classification: str | None
    """German name of the Klassifikation from :data:`CLASSIFICATIONS`, or ``None``."""
    region_code: str
    """Positions 3-4."""
    region: str | None
    """German name of the Regionalbereich from :data:`REGIONS`, or ``None`` when the code is not
    in that table or the Klassifikation is in :data:`SOCIAL_INSURANCE_CLASSIFICATIONS`."""

    def as_dict(self) -> dict[str, str | None]:
        """A JSON-ready view with the attribute names as keys."""
        return {
            "number": self.number,
            "classification_code": self.classification_code,
            "classification": self.classification,
            "region_code": self.region_code,
            "region": self.region,
        }


def compact(number: str) -> str:
    """Remove whitespace and the separators ``- . /``; never raises for a ``str``.

    >>> compact(" 26 03-2682/2 ")
    '260326822'
    """
    return clean(require_str(number, _SCHEME, NAME))


def calc_check_digit(number: str) -> str:
    """The check digit for the first 8 digits of an IK (only positions 3-8 are used).

    Raises :class:`~leportal_core.errors.InvalidFormat` or
    :class:`~leportal_core.errors.InvalidLength` if ``number`` is not 8 digits.

    >>> calc_check_digit("26032682")
    '2'
    >>> calc_check_digit("10157551")
    '9'
    """
    number = compact(number)
    check_characters(number, ASCII_DIGITS, _SCHEME, NAME, "digits 0-9")
    check_length(number, LENGTH - 1, _SCHEME, f"{NAME} without check digit", "digits")
    return _check_digit(number)


def _check_digit(number: str) -> str:
    total = sum(digit_sum(int(d) * w) for d, w in zip(number[2:8], _WEIGHTS, strict=True))
    return str(total % 10)


def validate(number: str) -> str:
    """Return the compact IK, or raise the matching
    :class:`~leportal_core.errors.InvalidIdentifier`.

    Checks, in this order: digits only (``ik.format``), 9 digits (``ik.length``), the
    check digit (``ik.checksum``). The Klassifikation is not checked against Anlage 1.

    >>> validate("261101527")
    '261101527'
    """
    number = compact(number)
    check_characters(number, ASCII_DIGITS, _SCHEME, NAME, "digits 0-9")
    check_length(number, LENGTH, _SCHEME, NAME, "digits")
    if number[8] != _check_digit(number):
        raise checksum_error(_SCHEME, NAME, 8, "positions 3-8")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid IK; never raises.

    >>> is_valid("107299005"), is_valid("107299006"), is_valid(None)
    (True, False, False)
    """
    try:
        validate(number)
    except InvalidIdentifier:
        return False
    return True


def format(number: str) -> str:
    """The readable form ``KK RR SSSS P`` (Klassifikation, Region, Seriennummer, Prüfziffer).

    Validates first, so it raises like :func:`validate` for an invalid IK.
    :func:`compact` turns the result back into the compact form.

    >>> format("101575519")
    '10 15 7551 9'
    """
    number = validate(number)
    return f"{number[0:2]} {number[2:4]} {number[4:8]} {number[8]}"


def describe(number: str) -> IKInfo:
    """Validate ``number`` and name its Klassifikation and Regionalbereich where known.

    >>> info = describe("101575519")
    >>> info.classification_code, info.classification, info.region_code, info.region
    ('10', 'Krankenkassen', '15', None)
    >>> describe("991101527").classification is None
    True
    """
    number = validate(number)
    classification_code, region_code = number[0:2], number[2:4]
    region = (
        None
        if classification_code in SOCIAL_INSURANCE_CLASSIFICATIONS
        else REGIONS.get(region_code)
    )
    return IKInfo(
        number=number,
        classification_code=classification_code,
        classification=CLASSIFICATIONS.get(classification_code),
        region_code=region_code,
        region=region,
    )
