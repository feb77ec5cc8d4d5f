"""IHE Deutschland XDS value sets (version 4.0.0, CC-BY-4.0).

Source: IHE Deutschland e.V., IHE-Germany/ITI.XDS.VS; systems
``http://ihe-d.de/CodeSystems/IHEXDSclassCode`` and ``http://ihe-d.de/CodeSystems/IHEXDStypeCode``
(plural "CodeSystems"), and the value sets ISiK binds *required* to ``content.format``,
``context.facilityType``, ``context.practiceSetting`` and ``context.event`` (:func:`value_set`).
The CSV files ship as package data with their attribution (``terminology/data/ATTRIBUTION.md``).
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType

import attrs

__all__ = [
    "CLASS_CODE_SYSTEM",
    "EVENT_CODE_VS",
    "FACILITY_TYPE_VS",
    "FORMAT_CODE_VS",
    "PRACTICE_SETTING_VS",
    "TYPE_CODE_SYSTEM",
    "Concept",
    "class_codes",
    "in_value_set",
    "type_codes",
    "value_set",
]

CLASS_CODE_SYSTEM = "http://ihe-d.de/CodeSystems/IHEXDSclassCode"
TYPE_CODE_SYSTEM = "http://ihe-d.de/CodeSystems/IHEXDStypeCode"
FORMAT_CODE_VS = "http://ihe-d.de/ValueSets/IHEXDSformatCodeDE"
FACILITY_TYPE_VS = "http://ihe-d.de/ValueSets/IHEXDShealthcareFacilityTypeCode"
PRACTICE_SETTING_VS = "http://ihe-d.de/ValueSets/IHEXDSpracticeSettingCode"
EVENT_CODE_VS = "http://ihe-d.de/ValueSets/IHEXDSeventCodeList"
_VALUE_SET_FILES = {
    FORMAT_CODE_VS: "ihe-d-formatCode-v4.0.0.csv",
    FACILITY_TYPE_VS: "ihe-d-facilityType-v4.0.0.csv",
    PRACTICE_SETTING_VS: "ihe-d-practiceSetting-v4.0.0.csv",
    EVENT_CODE_VS: "ihe-d-eventCode-v4.0.0.csv",
}
# Code systems a value set includes whole that leportal does not ship (ISO/ASTM E1762 document
# types, KBV DMP codes): any code of theirs counts as a member.
_WHOLE_SYSTEMS = {
    EVENT_CODE_VS: frozenset(
        {"urn:iso-astm:E1762-95:2013", "https://fhir.kbv.de/CodeSystem/KBV_CS_SFHIR_KBV_DMP"}
    ),
}


@attrs.frozen(kw_only=True)
class Concept:
    """One code of a value set with its German display text."""

    system: str
    code: str
    display: str


def _load(name: str) -> Mapping[str, Concept]:
    text = resources.files("leportal_core.terminology").joinpath("data", name).read_text("utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return MappingProxyType(
        {
            row["code"]: Concept(system=row["system"], code=row["code"], display=row["display"])
            for row in rows
        }
    )


@functools.cache
def class_codes() -> Mapping[str, Concept]:
    """The 16 IHE-D classCodes by code (``BRI`` → Brief, ``LAB`` → Laborergebnisse, …).

    >>> class_codes()["BRI"].display
    'Brief'
    """
    return _load("ihe-d-classCode-v4.0.0.csv")


@functools.cache
def type_codes() -> Mapping[str, Concept]:
    """The 40 IHE-D typeCodes by code (``BERI`` → Arztberichte, ``PFLG`` → Pflegedokumentation, …).

    >>> type_codes()["PFLG"].display
    'Pflegedokumentation'
    """
    return _load("ihe-d-typeCode-v4.0.0.csv")


@functools.cache
def value_set(url: str) -> Mapping[tuple[str, str], Concept]:
    """The concepts of an IHE-D value set ISiK binds to, by ``(system, code)``.

    >>> value_set(FACILITY_TYPE_VS)["http://ihe-d.de/CodeSystems/PatientBezogenenGesundheitsversorgung", "KHS"].display
    'Krankenhaus'
    """
    text = (
        resources.files("leportal_core.terminology")
        .joinpath("data", _VALUE_SET_FILES[url])
        .read_text("utf-8")
    )
    return MappingProxyType(
        {
            (row["system"], row["code"]): Concept(
                system=row["system"], code=row["code"], display=row["display"]
            )
            for row in csv.DictReader(io.StringIO(text))
        }
    )


def in_value_set(url: str, system: object, code: object) -> bool:
    """``True`` when ``system``/``code`` is a member of the value set ``url``.

    >>> in_value_set(FORMAT_CODE_VS, "http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode",
    ...              "urn:ihe:iti:xds:2017:mimeTypeSufficient")
    True
    """
    if not isinstance(system, str) or not isinstance(code, str):
        return False
    return system in _WHOLE_SYSTEMS.get(url, ()) or (system, code) in value_set(url)
