"""Billing-file profiles: the layout of a CSV billing file as data, read by one generic engine.

A profile is a small TOML file (parsed with the standard library's :mod:`tomllib`, TOML 1.0,
https://toml.io/en/v1.0.0) with a ``[profile]`` table (name, version, whether it is provisional),
a ``[format]`` table (encoding, BOM, delimiter, quote, line ending, decimal separator, date style),
the ``[[columns]]`` in file order (key, header, type and constraints) and ``[[rules]]`` that tie
columns together (amount = quantity x rate, periods, duplicates, groups, control totals). The
format is documented in ``docs/billing.md``.

:func:`load_profile` validates the whole file on load and raises a
:class:`~leportal_core.errors.ConfigurationError` listing *every* problem with a JSON pointer into
the file, so a vendor dropping in the official MASS layout sees all typos at once.

>>> profile = load_profile("mass-provisional-v1")
>>> profile.provisional, profile.delimiter, profile.column("betrag").scale
(True, ';', 2)
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Final

import attrs

from leportal_core.errors import ConfigurationError, Location, Problem
from leportal_core.files import read_input_bytes

_MAX_PROFILE_BYTES = 1 << 20  # a profile is a few KiB of TOML

__all__ = [
    "DATE_FORMATS",
    "Column",
    "ColumnType",
    "PeriodRule",
    "ProductRule",
    "Profile",
    "Rule",
    "SameInGroupRule",
    "TotalRule",
    "UniqueRule",
    "available_profiles",
    "load_profile",
    "parse_profile",
]

_NAME: Final = re.compile(r"^[a-z0-9][a-z0-9.-]{0,63}$")
_KEY: Final = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
DATE_FORMATS: Final = ("TT.MM.JJJJ", "JJJJ-MM-TT", "TTMMJJJJ", "JJJJMMTT")
"""Supported date styles, in the German notation users know (TT day, MM month, JJJJ year)."""
ENCODINGS: Final = ("utf-8", "windows-1252")
_BOMS: Final = ("optional", "required", "forbidden")
_LINE_ENDINGS: Final = {"crlf": "\r\n", "lf": "\n"}


class ColumnType(enum.Enum):
    """The value types a column can have."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    CODE = "code"
    IK = "ik"
    BOOLEAN = "boolean"


@attrs.frozen(kw_only=True)
class Column:
    """One column: ``key`` names it in records (stable), ``header`` is its text in the file."""

    key: str
    header: str
    type: ColumnType
    required: bool = True
    description: str = ""
    max_length: int | None = None  # text, code: characters
    line_breaks: bool = False  # text: allow tab, CR and LF inside the value
    scale: int = 2  # decimal: digits after the separator
    max_integer_digits: int = 12  # decimal: digits before the separator
    signed: bool = False  # decimal, integer: negative values allowed
    minimum: int | None = None  # integer
    maximum: int | None = None  # integer
    values: tuple[str, ...] = ()  # code: the allowed values
    true_value: str = "1"  # boolean
    false_value: str = "0"  # boolean


@attrs.frozen(kw_only=True)
class ProductRule:
    """``result`` = product of ``factors``, rounded half-up to the result column's scale."""

    result: str
    factors: tuple[str, ...]


@attrs.frozen(kw_only=True)
class PeriodRule:
    """``start`` <= ``end``; with ``within="month"`` both in the same calendar month."""

    start: str
    end: str
    within: str | None = None


@attrs.frozen(kw_only=True)
class UniqueRule:
    """No two lines share the values of ``columns`` (e.g. person, Leistungsart, period)."""

    columns: tuple[str, ...]


@attrs.frozen(kw_only=True)
class SameInGroupRule:
    """``columns`` have one value per ``group`` value (or per file when ``group`` is ``None``)."""

    columns: tuple[str, ...]
    group: str | None = None


@attrs.frozen(kw_only=True)
class TotalRule:
    """Control total: the sum of ``sum`` over each ``group`` (or the file) equals ``equals``."""

    sum: str
    equals: str
    group: str | None = None


Rule = ProductRule | PeriodRule | UniqueRule | SameInGroupRule | TotalRule


@attrs.frozen(kw_only=True)
class Profile:
    """A validated billing-file layout; build one with :func:`load_profile`."""

    name: str
    version: int
    title: str
    provisional: bool
    note: str
    encoding: str
    bom: str
    write_bom: bool
    delimiter: str
    quote: str
    line_ending: str
    header: bool
    decimal_separator: str
    date_format: str
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...]
    source: str = ""

    def column(self, key: str) -> Column:
        """The column named ``key``; ``KeyError`` if there is none."""
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    @property
    def keys(self) -> tuple[str, ...]:
        """Column keys in file order."""
        return tuple(column.key for column in self.columns)


def available_profiles() -> tuple[str, ...]:
    """Names of the profiles shipped with leportal."""
    folder = resources.files(__package__) / "profiles"
    return tuple(
        sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))
    )


def load_profile(name_or_path: str | Path) -> Profile:
    """A shipped profile by name (``mass-provisional-v1``) or a profile file by path.

    Raises :class:`ConfigurationError` (codes ``billing.profile.*``) with every problem found.
    """
    if (
        isinstance(name_or_path, str)
        and _NAME.match(name_or_path)
        and not name_or_path.endswith(".toml")
    ):
        resource = resources.files(__package__) / "profiles" / f"{name_or_path}.toml"
        if not resource.is_file():
            raise ConfigurationError(
                f"no billing profile named {name_or_path!r}",
                [
                    Problem(
                        code="billing.profile.unknown",
                        message=f"no billing profile named {name_or_path!r}; shipped: "
                        + ", ".join(available_profiles()),
                    )
                ],
            )
        try:
            shipped = resource.read_bytes()
        except OSError as exc:
            raise ConfigurationError(
                f"cannot read the shipped billing profile {name_or_path!r}",
                [
                    Problem(
                        code="billing.profile.unknown",
                        message=f"cannot read the shipped profile {name_or_path!r}: {exc}",
                    )
                ],
            ) from exc
        return parse_profile(shipped, source=f"{name_or_path} (shipped)")
    path = Path(name_or_path)
    try:
        data = read_input_bytes(path, _MAX_PROFILE_BYTES)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read billing profile {path}",
            [
                Problem(
                    code="billing.profile.unknown",
                    message=f"cannot read billing profile {path}: {exc.strerror or exc}",
                    location=Location(file=str(path)),
                )
            ],
        ) from exc
    return parse_profile(data, source=str(path))


def parse_profile(data: bytes, *, source: str = "<profile>") -> Profile:
    """A profile from the bytes of a TOML file; :class:`ConfigurationError` with all problems."""
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _invalid(source, [("", f"not UTF-8 (byte {exc.start})")]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise _invalid(source, [("", f"not valid TOML: {exc}")]) from exc
    reader = _Reader()
    profile = reader.profile(document, source)
    if reader.problems or profile is None:
        raise ConfigurationError(
            f"billing profile {source} is invalid",
            [
                Problem(
                    code="billing.profile.invalid",
                    message=message,
                    location=Location(file=source, pointer=pointer),
                )
                for pointer, message in reader.problems
            ],
        )
    return profile


def _invalid(source: str, problems: Sequence[tuple[str, str]]) -> ConfigurationError:
    return ConfigurationError(
        f"billing profile {source} is invalid",
        [
            Problem(
                code="billing.profile.invalid",
                message=message,
                location=Location(file=source, pointer=pointer),
            )
            for pointer, message in problems
        ],
    )


class _Reader:
    """Reads the TOML document into a :class:`Profile`, collecting every problem it sees."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def fail(self, pointer: str, message: str) -> None:
        self.problems.append((pointer, message))

    def table(self, doc: Mapping[str, Any], key: str, pointer: str) -> Mapping[str, Any]:
        value = doc.get(key)
        if not isinstance(value, Mapping):
            self.fail(f"{pointer}/{key}", f"[{key}] table is missing")
            return {}
        return value

    def get(
        self,
        table: Mapping[str, Any],
        key: str,
        kind: type | tuple[type, ...],
        pointer: str,
        default: Any = ...,
    ) -> Any:
        if key not in table:
            if default is ...:
                self.fail(f"{pointer}/{key}", f"{key!r} is required")
                return None
            return default
        value = table[key]
        # bool is an int in Python; a TOML boolean is never a number here.
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
            self.fail(f"{pointer}/{key}", f"{key!r} has the wrong type ({type(value).__name__})")
            return None if default is ... else default
        return value

    def choice(
        self, table: Mapping[str, Any], key: str, choices: Sequence[str], pointer: str, default: str
    ) -> str:
        value = self.get(table, key, str, pointer, default)
        if value not in choices:
            self.fail(f"{pointer}/{key}", f"{key!r} must be one of {', '.join(choices)}")
            return default
        return str(value)

    def unknown(self, table: Mapping[str, Any], allowed: set[str], pointer: str) -> None:
        for key in table:
            if key not in allowed:
                self.fail(f"{pointer}/{key}", f"unknown setting {key!r}")

    def profile(self, doc: Mapping[str, Any], source: str) -> Profile | None:
        self.unknown(doc, {"profile", "format", "columns", "rules"}, "")
        head = self.table(doc, "profile", "")
        self.unknown(head, {"name", "version", "title", "provisional", "note"}, "/profile")
        name = self.get(head, "name", str, "/profile")
        if isinstance(name, str) and not _NAME.match(name):
            self.fail("/profile/name", "name must be lower case letters, digits, '.' and '-'")
        version = self.get(head, "version", int, "/profile")
        title = self.get(head, "title", str, "/profile", "")
        provisional = self.get(head, "provisional", bool, "/profile", False)
        note = self.get(head, "note", str, "/profile", "")
        fmt = self.table(doc, "format", "")
        self.unknown(
            fmt,
            {
                "encoding",
                "bom",
                "write_bom",
                "delimiter",
                "quote",
                "line_ending",
                "header",
                "decimal_separator",
                "date_format",
            },
            "/format",
        )
        encoding = self.choice(fmt, "encoding", ENCODINGS, "/format", "utf-8")
        bom = self.choice(fmt, "bom", _BOMS, "/format", "optional")
        write_bom = self.get(fmt, "write_bom", bool, "/format", bom == "required")
        if bom == "required" and not write_bom:
            self.fail("/format/write_bom", "bom = 'required' needs write_bom = true")
        if bom == "forbidden" and write_bom:
            self.fail("/format/write_bom", "bom = 'forbidden' contradicts write_bom = true")
        if encoding != "utf-8" and (bom == "required" or write_bom):
            self.fail("/format/bom", "a byte order mark only exists for utf-8")
        delimiter = self.get(fmt, "delimiter", str, "/format", ";")
        quote = self.get(fmt, "quote", str, "/format", '"')
        for key, value in (("delimiter", delimiter), ("quote", quote)):
            if len(value) != 1 or value in "\r\n" or value.isalnum() or value == " ":
                self.fail(f"/format/{key}", f"{key} must be one punctuation character")
        if delimiter == quote:
            self.fail("/format/quote", "quote and delimiter must differ")
        line_ending = self.choice(fmt, "line_ending", tuple(_LINE_ENDINGS), "/format", "crlf")
        header = self.get(fmt, "header", bool, "/format", True)
        decimal_separator = self.choice(fmt, "decimal_separator", (",", "."), "/format", ",")
        if decimal_separator == delimiter:
            self.fail("/format/decimal_separator", "decimal separator and delimiter must differ")
        date_format = self.choice(fmt, "date_format", DATE_FORMATS, "/format", "TT.MM.JJJJ")
        columns = self.columns(doc.get("columns"))
        rules = self.rules(doc.get("rules"), {c.key: c for c in columns})
        if self.problems:
            return None
        return Profile(
            name=name,
            version=version,
            title=title,
            provisional=provisional,
            note=note,
            encoding=encoding,
            bom=bom,
            write_bom=write_bom,
            delimiter=delimiter,
            quote=quote,
            line_ending=_LINE_ENDINGS[line_ending],
            header=header,
            decimal_separator=decimal_separator,
            date_format=date_format,
            columns=tuple(columns),
            rules=tuple(rules),
            source=source,
        )

    def columns(self, raw: Any) -> list[Column]:
        if not isinstance(raw, list) or not raw:
            self.fail("/columns", "at least one [[columns]] entry is required")
            return []
        columns: list[Column] = []
        seen_keys: set[str] = set()
        seen_headers: set[str] = set()
        for number, entry in enumerate(raw):
            pointer = f"/columns/{number}"
            if not isinstance(entry, Mapping):
                self.fail(pointer, "a column must be a table")
                continue
            column = self.column(entry, pointer)
            if column is None:
                continue
            if column.key in seen_keys:
                self.fail(f"{pointer}/key", f"key {column.key!r} is used twice")
            if column.header in seen_headers:
                self.fail(f"{pointer}/header", f"header {column.header!r} is used twice")
            seen_keys.add(column.key)
            seen_headers.add(column.header)
            columns.append(column)
        return columns

    def column(self, entry: Mapping[str, Any], pointer: str) -> Column | None:
        allowed = {
            "key",
            "header",
            "type",
            "required",
            "description",
            "max_length",
            "line_breaks",
            "scale",
            "max_integer_digits",
            "signed",
            "min",
            "max",
            "values",
            "true",
            "false",
        }
        self.unknown(entry, allowed, pointer)
        before = len(self.problems)
        key = self.get(entry, "key", str, pointer)
        if isinstance(key, str) and not _KEY.match(key):
            self.fail(f"{pointer}/key", "key must be lower case letters, digits and '_'")
        header = self.get(entry, "header", str, pointer, key or "")
        if isinstance(header, str) and (
            not header or not header.isprintable() or header != header.strip()
        ):
            self.fail(f"{pointer}/header", "header must be printable text without outer spaces")
        kind = self.choice(entry, "type", [t.value for t in ColumnType], pointer, "text")
        column_type = ColumnType(kind)
        max_length = self.get(entry, "max_length", int, pointer, None)
        if max_length is not None and max_length < 1:
            self.fail(f"{pointer}/max_length", "max_length must be >= 1")
        scale = self.get(entry, "scale", int, pointer, 2)
        if not 0 <= scale <= 10:
            self.fail(f"{pointer}/scale", "scale must be between 0 and 10")
        digits = self.get(entry, "max_integer_digits", int, pointer, 12)
        if not 1 <= digits <= 30:
            self.fail(f"{pointer}/max_integer_digits", "max_integer_digits must be 1 to 30")
        values = self.get(entry, "values", list, pointer, [])
        if column_type is ColumnType.CODE:
            if not values or not all(isinstance(v, str) and v for v in values):
                self.fail(f"{pointer}/values", "a code column needs a list of non-empty texts")
                values = []
            elif len(set(values)) != len(values):
                self.fail(f"{pointer}/values", "values must be distinct")
            elif not all(v.isprintable() and v[0] not in "=+-@'" for v in values):
                self.fail(f"{pointer}/values", "values must be printable and not start with =+-@'")
        true_value = self.get(entry, "true", str, pointer, "1")
        false_value = self.get(entry, "false", str, pointer, "0")
        if column_type is ColumnType.BOOLEAN and (not true_value or true_value == false_value):
            self.fail(f"{pointer}/true", "true and false must be distinct non-empty texts")
        if len(self.problems) > before:
            return None
        return Column(
            key=key,
            header=header,
            type=column_type,
            required=self.get(entry, "required", bool, pointer, True),
            description=self.get(entry, "description", str, pointer, ""),
            max_length=max_length,
            line_breaks=self.get(entry, "line_breaks", bool, pointer, False),
            scale=scale,
            max_integer_digits=digits,
            signed=self.get(entry, "signed", bool, pointer, False),
            minimum=self.get(entry, "min", int, pointer, None),
            maximum=self.get(entry, "max", int, pointer, None),
            values=tuple(values),
            true_value=true_value,
            false_value=false_value,
        )

    def rules(self, raw: Any, columns: Mapping[str, Column]) -> list[Rule]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.fail("/rules", "[[rules]] must be an array of tables")
            return []
        rules: list[Rule] = []
        for number, entry in enumerate(raw):
            pointer = f"/rules/{number}"
            if not isinstance(entry, Mapping):
                self.fail(pointer, "a rule must be a table")
                continue
            rule = self.rule(entry, pointer, columns)
            if rule is not None:
                rules.append(rule)
        return rules

    def ref(
        self,
        entry: Mapping[str, Any],
        key: str,
        pointer: str,
        columns: Mapping[str, Column],
        types: Sequence[ColumnType] = (),
        *,
        optional: bool = False,
    ) -> str | None:
        name = self.get(entry, key, str, pointer, None if optional else ...)
        if name is None:
            return None
        column = columns.get(name)
        if column is None:
            self.fail(f"{pointer}/{key}", f"no column with key {name!r}")
        elif types and column.type not in types:
            allowed = ", ".join(t.value for t in types)
            self.fail(f"{pointer}/{key}", f"column {name!r} must have type {allowed}")
        return str(name)

    def refs(
        self,
        entry: Mapping[str, Any],
        key: str,
        pointer: str,
        columns: Mapping[str, Column],
        types: Sequence[ColumnType] = (),
    ) -> tuple[str, ...]:
        names = self.get(entry, key, list, pointer)
        if not names:
            if names is not None:
                self.fail(f"{pointer}/{key}", f"{key!r} must list at least one column")
            return ()
        for index, name in enumerate(names):
            self.ref({str(index): name}, str(index), f"{pointer}/{key}", columns, types)
        return tuple(str(n) for n in names)

    def rule(
        self, entry: Mapping[str, Any], pointer: str, columns: Mapping[str, Column]
    ) -> Rule | None:
        kinds = ("product", "period", "unique", "same_in_group", "total")
        kind = self.choice(entry, "kind", kinds, pointer, "")
        numbers = (ColumnType.DECIMAL, ColumnType.INTEGER)
        before = len(self.problems)
        rule: Rule | None = None
        if kind == "product":
            self.unknown(entry, {"kind", "result", "factors"}, pointer)
            result = self.ref(entry, "result", pointer, columns, (ColumnType.DECIMAL,))
            factors = self.refs(entry, "factors", pointer, columns, numbers)
            rule = ProductRule(result=result or "", factors=factors)
        elif kind == "period":
            self.unknown(entry, {"kind", "start", "end", "within"}, pointer)
            start = self.ref(entry, "start", pointer, columns, (ColumnType.DATE,))
            end = self.ref(entry, "end", pointer, columns, (ColumnType.DATE,))
            within = self.get(entry, "within", str, pointer, None)
            if within not in (None, "month"):
                self.fail(f"{pointer}/within", "within must be 'month' or absent")
            rule = PeriodRule(start=start or "", end=end or "", within=within)
        elif kind == "unique":
            self.unknown(entry, {"kind", "columns"}, pointer)
            rule = UniqueRule(columns=self.refs(entry, "columns", pointer, columns))
        elif kind == "same_in_group":
            self.unknown(entry, {"kind", "columns", "group"}, pointer)
            group = self.ref(entry, "group", pointer, columns, optional=True)
            rule = SameInGroupRule(
                columns=self.refs(entry, "columns", pointer, columns), group=group
            )
        elif kind == "total":
            self.unknown(entry, {"kind", "sum", "equals", "group"}, pointer)
            rule = TotalRule(
                sum=self.ref(entry, "sum", pointer, columns, numbers) or "",
                equals=self.ref(entry, "equals", pointer, columns, numbers) or "",
                group=self.ref(entry, "group", pointer, columns, optional=True),
            )
        return rule if len(self.problems) == before else None


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)
