"""The encoder: records → bytes of a billing file, exactly as the profile says.

Every value is checked before it is written: its Python type and exactness by the column's
formatter, every other constraint by parsing the formatter's own output with the decoder's parser
(so whatever the encoder writes, the decoder reads back as the same value), and the profile's rules
by the same :class:`~leportal_core.billing.rules.RuleEngine` the decoder uses. An encoder never
writes a file its own decoder would reject; on any problem it raises
:class:`~leportal_core.errors.ValidationError` with all of them.

Text is protected against spreadsheet formula injection (see :mod:`leportal_core.billing.values`).
:func:`write_file` writes atomically (temporary file in the same folder, fsync, rename).
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import IO

from leportal_core.billing.profile import ColumnType, Profile
from leportal_core.billing.records import BillingRecord, MassRecord
from leportal_core.billing.rules import RuleEngine
from leportal_core.billing.values import CACHE_SIZE, CellError, Value, formatter_for, parser_for
from leportal_core.errors import Location, Problem, Severity, ValidationError
from leportal_core.files import atomic_writer

__all__ = ["encode", "write", "write_file"]

RecordLike = BillingRecord | MassRecord | Mapping[str, Value]


def encode(records: Iterable[RecordLike], profile: Profile) -> bytes:
    """The bytes of a billing file holding ``records``; :class:`ValidationError` if any is invalid."""
    buffer = io.BytesIO()
    write(records, profile, buffer)
    return buffer.getvalue()


def write_file(records: Iterable[RecordLike], profile: Profile, path: Path) -> int:
    """Write ``records`` to ``path`` atomically; returns the number of records written."""
    with atomic_writer(path) as stream:
        return write(records, profile, stream)


def write(records: Iterable[RecordLike], profile: Profile, stream: IO[bytes]) -> int:
    """Stream ``records`` into ``stream``; returns how many were written.

    Raises :class:`ValidationError` with every problem; the stream then holds a partial file, so
    write to a temporary file (as :func:`write_file` does) when that matters.
    """
    problems: list[Problem] = []
    engine = RuleEngine(profile, problems.append)
    text = io.TextIOWrapper(
        stream, encoding=profile.encoding, errors="strict", newline="", write_through=False
    )
    try:
        count = _write(records, profile, text, engine, problems)
        engine.finish()
    finally:
        engine.close()
        text.flush()
        with contextlib.suppress(ValueError):
            text.detach()
    if any(p.severity is Severity.ERROR for p in problems):
        raise ValidationError(f"cannot encode: {len(problems)} problems", problems)
    return count


def _write(
    records: Iterable[RecordLike],
    profile: Profile,
    text: io.TextIOWrapper,
    engine: RuleEngine,
    problems: list[Problem],
) -> int:
    writer = csv.writer(
        text,
        delimiter=profile.delimiter,
        quotechar=profile.quote,
        doublequote=True,
        lineterminator=profile.line_ending,
        quoting=csv.QUOTE_MINIMAL,
    )
    columns = profile.columns
    keys = profile.keys
    known = frozenset(keys)
    plan = [
        (
            column.key,
            column.header,
            formatter_for(column, profile),
            parser_for(column, profile),
            _EXACT_TYPES[column.type],
            dict[object, tuple[str, Value]](),
        )
        for column in columns
    ]
    if profile.write_bom:
        text.write("\ufeff")
    offset = 1 if profile.header else 0
    if profile.header:
        writer.writerow([column.header for column in columns])
    count = 0
    for count, record in enumerate(records, 1):
        line = count + offset
        values = _values(record)
        row_problems: list[Problem] = []
        if not known.issuperset(values):
            row_problems.extend(
                _problem(
                    f"no column {key!r} in {profile.name}", line, key, code="billing.record.unknown"
                )
                for key in values
                if key not in known
            )
        cells: list[str] = []
        typed: list[Value] = []
        for key, header, fmt, parse, exact, cache in plan:
            value = values.get(key)
            # Values repeat (IK, dates, units, rates): reuse the checked cell. Only for the exact
            # type, so that True never passes as 1 nor 1.0 (float) as Decimal("1").
            cacheable = type(value) is exact
            if cacheable:
                hit = cache.get(value)
                if hit is not None:
                    cells.append(hit[0])
                    typed.append(hit[1])
                    continue
            try:
                cell = fmt(value)
                parsed = parse(cell)
            except CellError as exc:
                row_problems.append(_problem(exc.message, line, header, code=exc.code))
                continue
            if cacheable and len(cache) < CACHE_SIZE:
                cache[value] = (cell, parsed)
            cells.append(cell)
            typed.append(parsed)
        if row_problems:
            problems.extend(row_problems)
            continue
        engine.check(line, typed)
        if problems:
            continue  # keep checking, but never write after the first problem
        try:
            writer.writerow(cells)
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start : exc.end]
            problems.append(
                _problem(
                    f"{bad!r} cannot be written in {profile.encoding}",
                    line,
                    None,
                    code="billing.record.unencodable",
                )
            )
    return count


_EXACT_TYPES: dict[ColumnType, type] = {
    ColumnType.TEXT: str,
    ColumnType.CODE: str,
    ColumnType.IK: str,
    ColumnType.INTEGER: int,
    ColumnType.DECIMAL: Decimal,
    ColumnType.DATE: datetime.date,
    ColumnType.BOOLEAN: bool,
}


def _values(record: RecordLike) -> Mapping[str, Value]:
    if isinstance(record, MassRecord):
        return record.to_record().values
    if isinstance(record, BillingRecord):
        return record.values
    return record


def _problem(message: str, line: int, field: str | None, *, code: str) -> Problem:
    return Problem(code=code, message=message, location=Location(line=line, field=field))
