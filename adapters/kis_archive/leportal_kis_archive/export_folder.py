"""Archive export folders: a folder of files plus an index (CSV) with one row per file.

Many archives export a case as a folder with an index listing patient, case, document type or KDL
code, date and file name per row. The column names, the delimiter and the date format differ, so
they are an :class:`IndexLayout`; the default is documented in ``docs/format-hl7-mdm.md``. File
names in the index are resolved inside the folder and may never leave it (no absolute paths, no
``..``, no symlink pointing outside): an index is input, and input is not trusted. Documents are
file-backed (:meth:`Document.from_path`), so no content is held in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath

import attrs

from leportal_core import Document, Location, Problem, Severity, ValidationError
from leportal_kis_archive.config import MdmConfig
from leportal_kis_archive.model import ImportItem

__all__ = ["INDEX_NAME", "IndexLayout", "read_export_folder"]

INDEX_NAME = "index.csv"
_KDL = re.compile(r"^[A-Z]{2}[0-9]{6}$")
_MAX_INDEX_BYTES = 16 * 1024 * 1024


@attrs.frozen(kw_only=True)
class IndexLayout:
    """Column names, delimiter and date formats of the index CSV (defaults: German names, ``;``)."""

    file_name: str = INDEX_NAME
    delimiter: str = ";"
    encoding: str = "utf-8-sig"
    column_file: str = "datei"
    column_patient: str = "patient"
    column_case: str = "fall"
    column_kdl: str = "kdl"
    column_type: str = "dokumenttyp"
    column_date: str = "datum"
    column_title: str = "titel"
    column_status: str = "status"
    date_formats: tuple[str, ...] = ("%Y-%m-%d", "%d.%m.%Y")

    @property
    def required(self) -> tuple[str, ...]:
        """Columns every index must have."""
        return (self.column_file, self.column_date)


def _problem(*, code: str, message: str, location: Location, warning: bool = False) -> Problem:
    return Problem(
        code=code,
        message=message,
        location=location,
        severity=Severity.WARNING if warning else Severity.ERROR,
    )


def _inside(root: Path, name: str) -> Path | None:
    """``root/name`` when it stays inside ``root`` (after resolving symlinks), else ``None``."""
    if not name or "\x00" in name:
        return None
    for pure in (PurePosixPath(name), PureWindowsPath(name)):
        if pure.is_absolute() or pure.drive or ".." in pure.parts:
            return None
    candidate = (root / name).resolve()
    return candidate if candidate.is_relative_to(root.resolve()) else None


def read_export_folder(
    folder: Path, *, layout: IndexLayout | None = None, config: MdmConfig | None = None
) -> Iterator[ImportItem]:
    """One :class:`ImportItem` per index row, in index order; a bad row never stops the rest."""
    layout = layout or IndexLayout()
    config = config or MdmConfig()
    index = folder / layout.file_name
    where = Location(file=str(index))
    try:
        if index.stat().st_size > _MAX_INDEX_BYTES:
            raise ValueError
        text = index.read_text(encoding=layout.encoding)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        reason = "too large" if isinstance(exc, ValueError) else str(exc)
        yield ImportItem(
            source=str(index),
            document=None,
            problems=(
                _problem(
                    code="kis_archive.index.unreadable",
                    message=f"cannot read the index: {reason}",
                    location=where,
                ),
            ),
        )
        return
    try:
        # newline="" keeps line breaks inside quoted cells, as the csv module requires.
        stream = io.StringIO(text, newline="")
        reader = csv.DictReader(stream, delimiter=layout.delimiter, strict=True)
        header = reader.fieldnames or []
        missing = [c for c in layout.required if c not in header]
        if missing:
            yield ImportItem(
                source=str(index),
                document=None,
                problems=(
                    _problem(
                        code="kis_archive.index.columns",
                        message=f"the index lacks the column(s) {', '.join(missing)}",
                        location=Location(file=str(index), line=1),
                    ),
                ),
            )
            return
        for row in reader:
            yield _row(folder, index, reader.line_num, row, layout, config)
    except csv.Error as exc:
        yield ImportItem(
            source=str(index),
            document=None,
            problems=(
                _problem(
                    code="kis_archive.index.csv",
                    message=f"broken CSV: {exc}",
                    location=Location(file=str(index)),
                ),
            ),
        )


def _row(
    folder: Path,
    index: Path,
    line: int,
    row: dict[str, str | None],
    layout: IndexLayout,
    config: MdmConfig,
) -> ImportItem:
    def cell(column: str) -> str:
        value = row.get(column)
        return value.strip() if isinstance(value, str) else ""

    def at(column: str) -> Location:
        return Location(file=str(index), line=line, field=column)

    problems: list[Problem] = []
    name = cell(layout.column_file)
    path = _inside(folder, name)
    if not name:
        problems.append(
            _problem(
                code="kis_archive.index.file_missing",
                message="no file name",
                location=at(layout.column_file),
            )
        )
    elif path is None:
        problems.append(
            _problem(
                code="kis_archive.index.path_outside",
                message=f"{name!r} points outside the export folder; refused",
                location=at(layout.column_file),
            )
        )
    elif not path.is_file():
        problems.append(
            _problem(
                code="kis_archive.index.file_missing",
                message=f"{name!r} is listed but not in the folder",
                location=at(layout.column_file),
            )
        )
    created = _date(cell(layout.column_date), layout)
    if created is None:
        problems.append(
            _problem(
                code="kis_archive.index.date",
                message=f"{cell(layout.column_date)!r} is not a date ({' or '.join(layout.date_formats)})",
                location=at(layout.column_date),
            )
        )
    kdl = cell(layout.column_kdl) or None
    doc_type = cell(layout.column_type)
    if kdl is None and doc_type:
        kdl = config.kdl_for_type(doc_type)
        if kdl is None:
            problems.append(
                _problem(
                    code="kis_archive.kdl.unmapped",
                    message=f"document type {doc_type!r} is not in the type table",
                    location=at(layout.column_type),
                    warning=True,
                )
            )
    if kdl is not None and not _KDL.match(kdl):
        problems.append(
            _problem(
                code="kis_archive.kdl.invalid",
                message=f"{kdl!r} is not a KDL level-3 code",
                location=at(layout.column_kdl),
            )
        )
    source = f"{index}:{line}"
    if any(p.severity is Severity.ERROR for p in problems):
        return ImportItem(source=source, document=None, problems=tuple(problems))
    assert path is not None
    assert created is not None
    status = cell(layout.column_status) or None
    try:
        document = Document.from_path(
            path,
            title=cell(layout.column_title) or doc_type or path.stem,
            created=created,
            patient_id=cell(layout.column_patient) or None,
            case_id=cell(layout.column_case) or None,
            kdl_code=kdl,
        )
    except ValidationError as exc:
        problems.extend(
            attrs.evolve(p, location=at(p.location.field or layout.column_file))
            for p in exc.problems
        )
        return ImportItem(source=source, document=None, problems=tuple(problems))
    deliverable = status is None or status in config.deliverable_statuses
    return ImportItem(
        source=source, document=document, problems=tuple(problems), deliverable=deliverable
    )


def _date(value: str, layout: IndexLayout) -> dt.date | None:
    for pattern in layout.date_formats:
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None
