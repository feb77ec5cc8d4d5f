"""Load the KDL (Klinische Dokumentenklassen-Liste, DVMD) with its IHE-D typeCode/classCode maps.

The KDL and DVMD's ConceptMaps ``kdl-ihe-typecode``/``kdl-ihe-classcode`` are GPL-3.0-or-later, so
they are not part of this (Apache-2.0) package: a host supplies a CSV file (:func:`load_kdl_csv`)
or installs the optional distribution ``leportal-kdl-data`` (:func:`installed_kdl_table`). CSV
columns (header row required): ``code``, ``display``, ``level``, ``xds_typecode``,
``xds_classcode`` (others are ignored). Only level-3 rows (``level == "code"``) classify documents;
codes mapped to the NullFlavor ``UNK`` keep no IHE-D code.
"""

from __future__ import annotations

import csv
import functools
import importlib
import importlib.resources
import io
import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import attrs

from leportal_core.errors import ConfigurationError, Location, Problem
from leportal_core.files import open_input

__all__ = [
    "DATA_PACKAGE",
    "KdlEntry",
    "KdlTable",
    "installed_kdl_table",
    "load_kdl_csv",
    "parse_kdl_csv",
]

DATA_PACKAGE = "leportal_kdl_data"
_DATA_FILE = "kdl-2026.csv"
_MAX_BYTES = 8 << 20
_REQUIRED = ("code", "display", "level", "xds_typecode", "xds_classcode")


@attrs.frozen(kw_only=True)
class KdlEntry:
    """One level-3 KDL code with its IHE-D typeCode and classCode (``None`` where DVMD says UNK)."""

    code: str
    display: str
    type_code: str | None
    class_code: str | None


@attrs.frozen(kw_only=True)
class KdlTable:
    """KDL codes by code, and where the table came from (for explanations)."""

    entries: Mapping[str, KdlEntry]
    source: str

    def get(self, code: str) -> KdlEntry | None:
        return self.entries.get(code)

    def __len__(self) -> int:
        return len(self.entries)


def _ihe(value: str | None) -> str | None:
    value = (value or "").strip()
    return None if value in ("", "UNK") else value


def parse_kdl_csv(text: str, *, source: str) -> KdlTable:
    """Parse KDL CSV text; every bad row is reported at once in a :class:`ConfigurationError`."""
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = reader.fieldnames or []
        missing = [name for name in _REQUIRED if name not in header]
        if missing:
            raise ConfigurationError(
                f"KDL table {source} lacks columns",
                [
                    Problem(
                        code="terminology.kdl.columns",
                        message=f"missing column(s): {', '.join(missing)}",
                        location=Location(file=source, line=1),
                    )
                ],
            )
        entries: dict[str, KdlEntry] = {}
        problems: list[Problem] = []
        for row in reader:
            if row.get("level") != "code":
                continue
            code = (row.get("code") or "").strip()
            where = Location(file=source, line=reader.line_num)
            if len(code) != 8 or not code[:2].isalpha() or not code[2:].isdigit():
                problems.append(
                    Problem(
                        code="terminology.kdl.code",
                        message=f"{code!r} is not a level-3 KDL code",
                        location=where,
                    )
                )
                continue
            if code in entries:
                problems.append(
                    Problem(
                        code="terminology.kdl.duplicate",
                        message=f"{code} appears twice",
                        location=where,
                    )
                )
                continue
            entries[code] = KdlEntry(
                code=code,
                display=(row.get("display") or "").strip(),
                type_code=_ihe(row.get("xds_typecode")),
                class_code=_ihe(row.get("xds_classcode")),
            )
    except csv.Error as exc:
        raise ConfigurationError(
            f"KDL table {source} is not valid CSV",
            [Problem(code="terminology.kdl.csv", message=str(exc), location=Location(file=source))],
        ) from exc
    if problems:
        raise ConfigurationError(f"KDL table {source} has {len(problems)} bad rows", problems)
    return KdlTable(entries=MappingProxyType(entries), source=source)


def load_kdl_csv(path: str | os.PathLike[str]) -> KdlTable:
    """Load a KDL CSV file the host supplies (UTF-8, at most 8 MiB)."""
    path = Path(path)
    try:
        with open_input(path) as stream:
            raw = stream.read(_MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read the KDL table {path}",
            [
                Problem(
                    code="terminology.kdl.unreadable",
                    message=exc.strerror or str(exc),
                    location=Location(file=str(path)),
                )
            ],
        ) from exc
    if len(raw) > _MAX_BYTES:
        raise ConfigurationError(
            f"KDL table {path} is larger than {_MAX_BYTES} bytes",
            [
                Problem(
                    code="terminology.kdl.too_large",
                    message=f"larger than {_MAX_BYTES} bytes",
                    location=Location(file=str(path)),
                )
            ],
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigurationError(
            f"KDL table {path} is not UTF-8",
            [
                Problem(
                    code="terminology.kdl.encoding",
                    message="not UTF-8",
                    location=Location(file=str(path), offset=exc.start),
                )
            ],
        ) from exc
    return parse_kdl_csv(text, source=str(path))


@functools.cache
def installed_kdl_table() -> KdlTable | None:
    """The table of the optional ``leportal-kdl-data`` distribution, or ``None`` when not installed."""
    try:
        package = importlib.import_module(DATA_PACKAGE)
    except ImportError:
        return None
    resource = importlib.resources.files(package).joinpath(_DATA_FILE)
    return parse_kdl_csv(resource.read_text("utf-8-sig"), source=f"{DATA_PACKAGE}/{_DATA_FILE}")
