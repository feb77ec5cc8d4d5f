"""IHE Deutschland XDS classCode and typeCode value sets (version 4.0.0, CC-BY-4.0).

Source: IHE Deutschland e.V., IHE-Germany/ITI.XDS.VS; systems
``http://ihe-d.de/CodeSystems/IHEXDSclassCode`` and ``http://ihe-d.de/CodeSystems/IHEXDStypeCode``
(plural "CodeSystems"). The CSV files ship as package data with their attribution
(``terminology/data/ATTRIBUTION.md``).
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType

import attrs

__all__ = ["CLASS_CODE_SYSTEM", "TYPE_CODE_SYSTEM", "Concept", "class_codes", "type_codes"]

CLASS_CODE_SYSTEM = "http://ihe-d.de/CodeSystems/IHEXDSclassCode"
TYPE_CODE_SYSTEM = "http://ihe-d.de/CodeSystems/IHEXDStypeCode"


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
