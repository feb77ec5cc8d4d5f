"""The streaming decoder: bytes of a billing file → typed records plus *every* problem found.

Memory stays flat however long the file is and however many problems it has: bytes are decoded
incrementally (:class:`io.TextIOWrapper`), CSV records are split by the standard :mod:`csv` module
(RFC 4180 quoting: delimiters, quotes and line breaks inside quoted fields), physical lines are
capped at :data:`MAX_LINE` characters, fields at the :mod:`csv` field limit and a record spanning
several lines at :data:`MAX_RECORD` characters (an unclosed quote stops the file at once), the
duplicate index keeps fixed-size hashes and spills to disk (:mod:`leportal_core.billing.rules`),
and only the first ``max_problems`` problems are kept: later ones are counted (per code), not kept.

Bytes that are not valid in the profile's encoding are kept as surrogate escapes (PEP 383) while
reading, so each is reported at its line and column instead of aborting the file.

Line numbers are physical lines of the file counting from 1 (the header is line 1); a record with
a quoted line break is reported at the line where it starts.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import os
import re
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from itertools import compress
from operator import is_
from pathlib import Path
from types import MappingProxyType
from typing import IO, Final, cast

import attrs

from leportal_core.billing.profile import ColumnType, ProductRule, Profile, TotalRule
from leportal_core.billing.records import BillingRecord
from leportal_core.billing.rules import GroupTotal, RuleEngine
from leportal_core.billing.values import (
    MISSING,
    CellError,
    Parser,
    Value,
    cached_parser,
)
from leportal_core.errors import FormatError, Location, Problem, Severity

__all__ = [
    "DEFAULT_MAX_PROBLEMS",
    "MAX_LINE",
    "MAX_RECORD",
    "Decoder",
    "ValidationReport",
    "decode",
    "iter_records",
    "validate",
]

MAX_LINE: Final = 1 << 20
"""Longest physical line read (characters); longer ones are reported and skipped."""
MAX_RECORD: Final = 1 << 17
"""Longest record spanning several physical lines (characters), the :mod:`csv` module's default
field limit: beyond it a quoted field is taken to be unclosed and the file is refused at once."""
DEFAULT_MAX_PROBLEMS: Final = 1000
"""Problems kept by default; later ones are counted per code but not kept (flat memory)."""
_SURROGATE: Final = re.compile(r"[\udc80-\udcff]")
# UTF-8 bytes of umlauts and ß read as windows-1252 ("Ã¤", "Ã¼", "ÃŸ", …).
_MOJIBAKE: Final = re.compile(
    "Ã[\u00a0-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_UTF8_BOM_AS_1252: Final = "ï»¿"

Source = bytes | bytearray | str | os.PathLike[str] | IO[bytes]
"""Bytes, a file name, or a binary stream (left open)."""


class _Fatal(Exception):
    """The rest of the file cannot be read (UTF-16, an unclosed quote); reported already."""


@attrs.frozen(kw_only=True)
class ValidationReport:
    """What :func:`validate` found: counts, control totals and the problems (up to the limit).

    ``errors`` and ``warnings`` count every problem found, also those beyond the limit;
    ``dropped`` is how many were counted but not kept (per code in ``dropped_codes``);
    ``truncated`` says that ``problems`` is incomplete or the file was not read to its end.
    """

    profile: str
    rows: int
    valid_rows: int
    problems: tuple[Problem, ...]
    truncated: bool
    sums: Mapping[str, Decimal]
    groups: tuple[GroupTotal, ...]
    errors: int = 0
    warnings: int = 0
    dropped: int = 0
    dropped_codes: Mapping[str, int] = attrs.field(factory=dict)

    @property
    def valid(self) -> bool:
        """No errors (warnings do not reject a file)."""
        return self.errors == 0


class Decoder:
    """Reads ONE billing file (use a new Decoder per file); problems and totals stay on the object."""

    def __init__(
        self,
        profile: Profile,
        *,
        max_problems: int | None = None,
        file: str | None = None,
        spill_threshold: int | None = None,
    ) -> None:
        if max_problems is not None and max_problems < 1:
            raise ValueError("max_problems must be at least 1")
        self.profile = profile
        self.max_problems = DEFAULT_MAX_PROBLEMS if max_problems is None else max_problems
        self.file = file
        self.spill_threshold = spill_threshold
        self.build_records = True  # validate() turns this off: it needs problems, not records
        self.problems: list[Problem] = []
        self.errors = 0
        self.warnings = 0
        self.dropped_codes: dict[str, int] = {}
        self.rows_seen = 0
        self.valid_rows = 0
        self.truncated = False
        self.groups: tuple[GroupTotal, ...] = ()
        self.sums: dict[str, Decimal] = {}
        self._physical = 0
        self._pending = 0  # characters and lines read since the last complete record
        self._pending_lines = 0
        self._readable = 0
        self._bad_bytes = False
        self._mojibake_reported = False

    def report(self) -> ValidationReport:
        """What was found so far (complete once :meth:`rows` is exhausted)."""
        return ValidationReport(
            profile=self.profile.name,
            rows=self.rows_seen,
            valid_rows=self.valid_rows,
            problems=tuple(self.problems),
            truncated=self.truncated,
            sums=MappingProxyType(dict(self.sums)),
            groups=self.groups,
            errors=self.errors,
            warnings=self.warnings,
            dropped=self.dropped,
            dropped_codes=MappingProxyType(dict(self.dropped_codes)),
        )

    @property
    def dropped(self) -> int:
        """Problems counted but not kept (beyond ``max_problems``)."""
        return sum(self.dropped_codes.values())

    # -- problems -------------------------------------------------------------------------------

    def _add(self, problem: Problem) -> None:
        if problem.severity is Severity.ERROR:
            self.errors += 1
        else:
            self.warnings += 1
        if len(self.problems) >= self.max_problems:
            # Counted, not kept: memory does not grow with the number of problems (the codes
            # are a fixed set, so this dict stays small).
            self.dropped_codes[problem.code] = self.dropped_codes.get(problem.code, 0) + 1
            return
        if self.file is not None and problem.location.file is None:
            problem = attrs.evolve(problem, location=attrs.evolve(problem.location, file=self.file))
        self.problems.append(problem)

    def _problem(
        self,
        message: str,
        line: int | None,
        column: int | None = None,
        *,
        code: str,
        warning: bool = False,
    ) -> None:
        field = None
        if column is not None and column <= len(self._headers):
            field = self._headers[column - 1]
        self._add(
            Problem(
                code=code,
                message=message,
                location=Location(line=line, column=column, field=field),
                severity=Severity.WARNING if warning else Severity.ERROR,
            )
        )

    # -- reading --------------------------------------------------------------------------------

    def rows(self, source: Source) -> Iterator[tuple[int, BillingRecord]]:
        """Yield ``(line, record)`` for every valid row; problems go to :attr:`problems`."""
        self._headers: list[str] = [c.header for c in self.profile.columns]
        if isinstance(source, (bytes, bytearray)):
            yield from self._rows_from(io.BytesIO(bytes(source)))
        elif isinstance(source, (str, os.PathLike)):
            path = Path(source)
            try:
                handle = path.open("rb")
            except OSError as exc:
                raise FormatError(
                    f"cannot read {path}",
                    [
                        Problem(
                            code="billing.file.unreadable",
                            message=f"cannot read {path}: {exc.strerror or exc}",
                            location=Location(file=str(path)),
                        )
                    ],
                ) from exc
            with handle:
                yield from self._rows_from(handle)
        else:
            yield from self._rows_from(source)

    def _rows_from(self, binary: IO[bytes]) -> Iterator[tuple[int, BillingRecord]]:
        profile = self.profile
        text = io.TextIOWrapper(
            binary,
            encoding=profile.encoding,
            errors="surrogateescape",
            newline="",
        )
        engine = RuleEngine(profile, self._add, spill_threshold=self.spill_threshold)
        try:
            yield from self._records(text, engine)
            if self.dropped:
                self.truncated = True
                codes = ", ".join(f"{c} ×{n}" for c, n in sorted(self.dropped_codes.items()))
                self.warnings += 1
                self.problems.append(
                    Problem(
                        code="billing.problems.truncated",
                        message=f"kept the first {self.max_problems} problems; {self.dropped} "
                        f"more were counted but not kept ({codes})",
                        location=Location(file=self.file),
                        severity=Severity.WARNING,
                    )
                )
        except OSError as exc:
            raise FormatError(
                "cannot read the billing file",
                [Problem(code="billing.file.unreadable", message=f"read failed: {exc}")],
            ) from exc
        finally:
            engine.close()
            with contextlib.suppress(ValueError):
                text.detach()  # leave the caller's stream open

    def _lines(self, text: io.TextIOWrapper) -> Iterator[str]:
        first = True
        cp1252 = self.profile.encoding == "windows-1252"
        while True:
            try:
                line = text.readline(MAX_LINE)
            except UnicodeError as exc:  # not expected with surrogateescape; be safe
                raise FormatError(
                    "cannot decode the file",
                    [Problem(code="billing.encoding.invalid", message=str(exc))],
                ) from exc
            if not line:
                return
            self._physical += 1
            self._pending += len(line)
            self._pending_lines += 1
            if self._pending > MAX_RECORD and self._pending_lines > 1:
                self._problem(
                    f"a quoted field runs on for more than {MAX_RECORD:,} characters over "
                    f"{self._pending_lines} lines: an unclosed quote? The rest of the file was "
                    "not checked",
                    self._physical - self._pending_lines + 1,
                    code="billing.csv.unclosed_quote",
                )
                self.truncated = True
                raise _Fatal
            if first:
                first = False
                line = self._start(line)
            if len(line) >= MAX_LINE and line[-1] not in "\r\n":
                self._problem(
                    f"line is longer than {MAX_LINE} characters; skipped",
                    self._physical,
                    code="billing.line.too_long",
                )
                while (rest := text.readline(MAX_LINE)) and rest[-1] not in "\r\n":
                    pass
                continue
            if not line.isascii():
                if _SURROGATE.search(line):
                    self._bad_bytes = True
                elif cp1252 and not self._mojibake_reported and _MOJIBAKE.search(line):
                    self._mojibake_reported = True
                    self._problem(
                        "text like 'Ã¤' looks like UTF-8 read as windows-1252; is the profile's "
                        "encoding right?",
                        self._physical,
                        warning=True,
                        code="billing.encoding.suspect",
                    )
            yield line

    def _start(self, line: str) -> str:
        """Byte order mark and line ending, judged on the first line."""
        profile = self.profile
        if profile.encoding == "utf-8":
            if line.startswith("\ufeff"):
                line = line[1:]
                if profile.bom == "forbidden":
                    self._problem(
                        "the file starts with a byte order mark, which this profile forbids",
                        1,
                        code="billing.encoding.bom_unexpected",
                    )
            elif profile.bom == "required":
                self._problem(
                    "the file has no UTF-8 byte order mark, which this profile requires",
                    1,
                    code="billing.encoding.bom_missing",
                )
            elif line.startswith("\udcff\udcfe") or line.startswith("\udcfe\udcff"):
                self._problem(
                    "the file is UTF-16 (byte order mark FF FE / FE FF); save it as UTF-8",
                    1,
                    code="billing.encoding.invalid",
                )
                self._bad_bytes = False  # one problem for the whole file is enough
                raise _Fatal
        elif line.startswith(_UTF8_BOM_AS_1252):
            line = line[len(_UTF8_BOM_AS_1252) :]
            self._problem(
                "the file starts with a UTF-8 byte order mark but the profile says windows-1252; "
                "wrong encoding?",
                1,
                code="billing.encoding.bom_unexpected",
            )
        ending = line[-2:] if line.endswith("\r\n") else line[-1:]
        if ending in ("\n", "\r", "\r\n") and ending != profile.line_ending:
            want = "CRLF" if profile.line_ending == "\r\n" else "LF"
            self._problem(
                f"lines end with {ending!r}, the profile says {want}",
                1,
                warning=True,
                code="billing.line_ending",
            )
        return line

    def _records(
        self, text: io.TextIOWrapper, engine: RuleEngine
    ) -> Iterator[tuple[int, BillingRecord]]:
        profile = self.profile
        reader = csv.reader(
            self._lines(text),
            delimiter=profile.delimiter,
            quotechar=profile.quote,
            doublequote=True,
            strict=True,
            lineterminator="\r\n",
        )
        keys = profile.keys
        # One definition of a formula cell for build and validate (values.is_formula): a text
        # cell that is one is never cached, and its parser reports it here.
        formulas: list[int] = []
        compiled = [
            cached_parser(column, profile, functools.partial(_note, formulas, index))
            for index, column in enumerate(profile.columns)
        ]
        parsers = [parse for _, parse in compiled]
        caches = [cache for cache, _ in compiled]
        get = dict.get
        misses = [MISSING] * len(parsers)
        columns = range(len(parsers))
        width = len(parsers)
        positions: list[int | None] = list(range(width))
        direct = True
        active = parsers
        header_pending = profile.header
        sum_columns = [
            (index, column.key)
            for index, column in enumerate(profile.columns)
            if column.type is ColumnType.DECIMAL and _is_summed(profile, column.key)
        ]
        sums = [Decimal(0)] * len(sum_columns)
        end = 0
        try:
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    self._pending = self._pending_lines = 0
                    self._problem(
                        f"the CSV structure is broken here: {exc}",
                        end + 1,
                        code="billing.csv.quoting",
                    )
                    end = self._physical
                    continue
                self._pending = self._pending_lines = 0
                line, end = end + 1, self._physical
                if self._bad_bytes:
                    self._bad_bytes = False
                    if self._report_bad_bytes(line, row):
                        if header_pending:
                            header_pending = False  # unreadable header: read the rest by position
                        else:
                            self.rows_seen += 1
                        continue
                if header_pending:
                    header_pending = False
                    positions, as_data = self._header(row)
                    width = len(row) if not as_data else width
                    direct = len(positions) == width and _identity(positions)
                    active = [
                        parse if position is not None else _absent
                        for parse, position in zip(parsers, positions, strict=True)
                    ]
                    if not as_data:
                        continue
                if not row:
                    self._problem("empty line", line, warning=True, code="billing.row.empty")
                    continue
                self.rows_seen += 1
                if len(row) != width:
                    self._width(row, width, line)
                    continue
                cells = row if direct else [row[i] if i is not None else "" for i in positions]
                # Cache lookups at C speed; the Python parsers only run on a miss.
                values = cast(list[Value], list(map(get, caches, cells, misses)))
                if MISSING in values:
                    try:
                        # Parse only the cells the caches missed (one to three a row), left to
                        # right; their positions are found in C (compress over ``is``).
                        for index in list(compress(columns, map(is_, values, misses))):
                            values[index] = active[index](cells[index])
                    except CellError:
                        formulas.clear()
                        self._cells(active, cells, positions, line)  # parses every cell again
                        self._formulas(formulas, cells, line, positions)
                        continue
                    if formulas:
                        self._formulas(formulas, cells, line, positions)
                self._readable += 1
                before = self.errors
                engine.check(line, values)
                if self.errors != before:
                    continue
                self.valid_rows += 1
                for n, (index, _) in enumerate(sum_columns):
                    if values[index] is not None:
                        sums[n] += values[index]  # type: ignore[operator]
                if self.build_records:
                    yield line, _record(dict(zip(keys, values, strict=True)))
            if header_pending or self._physical == 0:
                self._problem("the file is empty", None, code="billing.file.empty")
            elif self.rows_seen == 0:
                self._problem("the file has a header but no lines", 2, code="billing.file.no_rows")
            self.groups = tuple(engine.finish(self.rows_seen - self._readable))
        except _Fatal:
            pass
        finally:
            self.sums = {key: total for (_, key), total in zip(sum_columns, sums, strict=True)}

    def _formulas(
        self, found: list[int], cells: list[str], line: int, positions: list[int | None]
    ) -> None:
        """Warn about the formula cells (values.is_formula) the parsers met in this row."""
        for index in sorted(set(found)):
            cell, position = cells[index], positions[index]
            self._problem(
                f"{self.profile.columns[index].header} {cell[:20]!r} starts with "
                f"{cell[0]!r}: a spreadsheet would run it as a formula (CSV injection); write it "
                "with a leading apostrophe, as 'billing build' does",
                line,
                None if position is None else position + 1,
                warning=True,
                code="billing.value.formula",
            )
        found.clear()

    def _report_bad_bytes(self, line: int, row: list[str]) -> bool:
        found = False
        for index, cell in enumerate(row):
            if _SURROGATE.search(cell):
                found = True
                raw = bytes(ord(c) - 0xDC00 for c in cell if 0xDC80 <= ord(c) <= 0xDCFF)
                hint = "; the file may be windows-1252" if self.profile.encoding == "utf-8" else ""
                self._problem(
                    f"bytes {raw[:8].hex(' ')} are not valid {self.profile.encoding}{hint}",
                    line,
                    index + 1,
                    code="billing.encoding.invalid",
                )
        return found

    def _header(self, row: list[str]) -> tuple[list[int | None], bool]:
        """Map profile columns onto the file's header; (positions, header row is really data)."""
        expected = [c.header for c in self.profile.columns]
        if row == expected:
            return list(range(len(expected))), False
        found = {name: index for index, name in reversed(list(enumerate(row)))}
        if not set(row) & set(expected) and len(row) == len(expected):
            self._problem(
                "the first line is not the header row "
                f"({self.profile.delimiter.join(expected)}); read as data",
                1,
                code="billing.header.missing",
            )
            return list(range(len(expected))), True
        for index, name in enumerate(row):
            if row.index(name) != index:
                self._add(
                    self._at(
                        1,
                        index + 1,
                        name,
                        f"column {name!r} appears twice",
                        code="billing.header.duplicate",
                    )
                )
            elif name not in expected:
                self._add(
                    self._at(
                        1,
                        index + 1,
                        name,
                        f"unexpected column {name!r}",
                        code="billing.header.extra_column",
                    )
                )
        for name in expected:
            if name not in found:
                self._add(
                    self._at(
                        1,
                        None,
                        name,
                        f"column {name!r} is missing",
                        code="billing.header.missing_column",
                    )
                )
        present = [name for name in row if name in expected]
        if present != [name for name in expected if name in found]:
            self._problem(
                "the columns are in another order than the profile's: "
                + self.profile.delimiter.join(expected),
                1,
                code="billing.header.order",
            )
        self._headers = list(row)
        return [found.get(name) for name in expected], False

    def _at(self, line: int, column: int | None, field: str, message: str, *, code: str) -> Problem:
        return Problem(
            code=code, message=message, location=Location(line=line, column=column, field=field)
        )

    def _width(self, row: list[str], width: int, line: int) -> None:
        if len(row) < width:
            self._problem(
                f"{len(row)} fields, {width} expected (is a delimiter missing?)",
                line,
                len(row) + 1,
                code="billing.row.missing_columns",
            )
        else:
            self._problem(
                f"{len(row)} fields, {width} expected (an unquoted delimiter in a value?)",
                line,
                width + 1,
                code="billing.row.extra_columns",
            )

    def _cells(
        self,
        parsers: list[Parser],
        cells: list[str],
        positions: list[int | None],
        line: int,
    ) -> None:
        for parse, cell, position in zip(parsers, cells, positions, strict=True):
            if position is None:
                continue
            try:
                parse(cell)
            except CellError as exc:
                self._problem(exc.message, line, position + 1, code=exc.code)


def _note(found: list[int], index: int, _: str) -> None:
    """``on_formula`` of column ``index``: remember it for the row's warnings."""
    found.append(index)


def _absent(_: str) -> Value:
    """The parser of a column the file's header lacks (reported once, at the header)."""
    return None


def _identity(positions: list[int | None]) -> bool:
    return all(p == i for i, p in enumerate(positions))


def _is_summed(profile: Profile, key: str) -> bool:
    for rule in profile.rules:
        if (isinstance(rule, TotalRule) and rule.sum == key) or (
            isinstance(rule, ProductRule) and rule.result == key
        ):
            return True
    return False


def _record(values: dict[str, Value]) -> BillingRecord:
    # Trusted fast path: the values were just parsed and checked, skip the converter's copy.
    record = object.__new__(BillingRecord)
    object.__setattr__(record, "values", MappingProxyType(values))
    return record


def validate(
    source: Source,
    profile: Profile,
    *,
    max_problems: int | None = None,
    file: str | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> ValidationReport:
    """Check a whole billing file; every problem (up to ``max_problems``) with line and column.

    ``on_rows`` is told the number of rows read every 10,000 rows (for a progress display)."""
    decoder = Decoder(profile, max_problems=max_problems, file=file)
    decoder.build_records = False
    for count, _ in enumerate(decoder.rows(source), start=1):
        if on_rows is not None and count % 10_000 == 0:
            on_rows(count)
    return decoder.report()


def iter_records(
    source: Source, profile: Profile, *, max_problems: int | None = None
) -> Iterator[BillingRecord]:
    """Stream the records of a file; raises :class:`FormatError` at the end if it had errors.

    Records are yielded as they are read, before later lines are known: do not commit them until
    the iteration finished without an error.
    """
    decoder = Decoder(profile, max_problems=max_problems)
    for _, record in decoder.rows(source):
        yield record
    report = decoder.report()
    if not report.valid:
        raise FormatError(f"billing file rejected: {report.errors} problems", report.problems)


def decode(
    data: Source, profile: Profile, *, max_problems: int | None = None
) -> list[BillingRecord]:
    """All records of a valid file; :class:`FormatError` with every problem otherwise."""
    return list(iter_records(data, profile, max_problems=max_problems))
