"""Typed cell values: one parser and one formatter per column, compiled once per profile.

Parsing is strict and never delegates to the permissive built-ins on raw input (``int()`` and
``Decimal()`` accept spaces, underscores, exponents, ``NaN`` and non-ASCII digits): each cell is
matched against a regular expression first. A parser raises :class:`CellError` with a problem code;
the engine adds line and column.

Spreadsheet formula neutralisation (OWASP "CSV Injection",
https://owasp.org/www-community/attacks/CSV_Injection): a text value starting with ``=``, ``+``,
``-``, ``@``, tab or CR is written with a leading apostrophe, which spreadsheets show as "text, do
not evaluate". To keep ``decode(encode(x)) == x`` for *every* text, the mapping is a bijection:

- encode prefixes ``'`` when the value starts with one of those triggers, or starts with ``'``
  followed by a trigger or another ``'``;
- decode removes the first ``'`` exactly when it is followed by a trigger or by ``'``.

So ``=SUMME(A1)`` ↔ ``'=SUMME(A1)``, ``'=x`` ↔ ``''=x``, while ``'t Hooft`` is written and read
unchanged. :func:`is_formula` is the one definition of a formula cell: the encoder neutralises
such text, the decoder warns (``billing.value.formula``) when a file holds one un-neutralised. Numbers, dates and codes are never prefixed: their syntax cannot start a formula other
than a signed number, which a spreadsheet only displays.

>>> neutralise("=1+1"), unneutralise("'=1+1"), neutralise("'t Hooft")
("'=1+1", '=1+1', "'t Hooft")
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Context, Decimal
from typing import Final

from leportal_core.billing.profile import Column, ColumnType, Profile
from leportal_core.identifiers import ik as ik_scheme
from leportal_core.validation import unprintable

__all__ = [
    "FORMULA_TRIGGERS",
    "CellError",
    "Formatter",
    "Parser",
    "Value",
    "cached_parser",
    "formatter_for",
    "is_formula",
    "neutralise",
    "parser_for",
    "unneutralise",
]

Value = str | int | Decimal | datetime.date | bool | None
Parser = Callable[[str], Value]
Formatter = Callable[[object], str]

FORMULA_TRIGGERS: Final = frozenset("=+-@\t\r")
_ESCAPE_NEXT: Final = FORMULA_TRIGGERS | {"'"}
# C0 controls, DEL and C1 controls; tab/CR/LF only where a column allows line breaks.
_INTEGER: Final = re.compile(r"-?[0-9]+")
_DIGITS9: Final = re.compile(r"[0-9]{9}")
# Wide enough for every column the profile format allows (30 + 10 digits): never rounds.
EXACT: Final = Context(prec=80)


class CellError(Exception):
    """A cell is not a valid value of its column (internal; the engine turns it into a Problem)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would treat ``text`` as a formula: it starts with ``=``, ``+``, ``-``,
    ``@``, tab or CR (the OWASP "CSV Injection" list).

    >>> is_formula("=cmd|' /C calc'!A0"), is_formula("'=cmd"), is_formula("")
    (True, False, False)
    """
    return text[:1] in FORMULA_TRIGGERS


def neutralise(text: str) -> str:
    """``text`` as written to the file: spreadsheet formulas defused (see module docstring)."""
    if is_formula(text) or (text[:1] == "'" and text[1:2] in _ESCAPE_NEXT):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    """The inverse of :func:`neutralise`."""
    if len(text) > 1 and text[0] == "'" and text[1] in _ESCAPE_NEXT:
        return text[1:]
    return text


def _short(raw: str) -> str:
    return repr(raw if len(raw) <= 40 else raw[:40] + "…")


MISSING: Final = object()
CACHE_SIZE: Final = 4096
"""Distinct cell texts remembered per column. Billing files repeat values a lot (one IK, one
invoice date, a handful of periods, rates and Leistungsarten), so a hit skips the parse; the bound
keeps memory flat."""


def parser_for(column: Column, profile: Profile) -> Parser:
    """The function that turns a cell of ``column`` into its typed value or raises CellError."""
    return cached_parser(column, profile)[1]


def cached_parser(
    column: Column, profile: Profile, on_formula: Callable[[str], None] | None = None
) -> tuple[dict[str, Value], Parser]:
    """The column's parser and the cache it fills: a hit in the cache is the parsed value.

    The decoder looks cells up in the cache first (one C-level ``dict.get`` per cell) and calls
    the parser only on a miss. A text cell that :func:`is_formula` is never cached, and each
    time one is parsed ``on_formula`` is called with it (the decoder warns about it).
    """
    parse = _TYPED[column.type](column, profile)
    header, required = column.header, column.required
    text = column.type is ColumnType.TEXT
    if on_formula is None:
        on_formula = _ignore
    cache: dict[str, Value] = {}
    remembered = cache.get

    def parse_cell(raw: str) -> Value:
        value = remembered(raw, MISSING)
        if value is not MISSING:
            return value  # type: ignore[return-value]
        if raw == "":
            if required:
                raise CellError(f"{header} is required but empty", code="billing.value.required")
            return None
        value = parse(raw)
        if text and is_formula(raw):
            on_formula(raw)  # never cached: every occurrence comes here
        elif len(cache) < CACHE_SIZE:
            cache[raw] = value
        return value

    return cache, parse_cell


def _ignore(_: str) -> None:
    """``on_formula`` of callers that do not care."""


def _text(column: Column, profile: Profile) -> Parser:
    max_length = column.max_length
    multiline = column.line_breaks
    header = column.header

    def parse(raw: str) -> Value:
        if raw[0] == "'":
            raw = unneutralise(raw)
        if max_length is not None and len(raw) > max_length:
            raise CellError(
                f"{header} has {len(raw)} characters, at most {max_length} allowed",
                code="billing.value.too_long",
            )
        # isprintable() is the fast path; the kit decides (Cc/Cs, line breaks where allowed).
        if not raw.isprintable() and (bad := unprintable(raw, multiline=multiline)):
            raise CellError(
                f"{header} contains the control character {bad[0]}",
                code="billing.value.characters",
            )
        return raw

    return parse


def _code(column: Column, profile: Profile) -> Parser:
    allowed = frozenset(column.values)
    header, listing = column.header, ", ".join(column.values)

    def parse(raw: str) -> Value:
        if raw not in allowed:
            raise CellError(
                f"{header} {_short(raw)} is not one of: {listing}", code="billing.value.code"
            )
        return raw

    return parse


def _integer(column: Column, profile: Profile) -> Parser:
    header, signed = column.header, column.signed
    low, high = column.minimum, column.maximum

    def parse(raw: str) -> Value:
        if len(raw) > 40 or not _INTEGER.fullmatch(raw):
            raise CellError(
                f"{header} {_short(raw)} is not a whole number", code="billing.value.integer"
            )
        value = int(raw)
        if (value < 0 and not signed) or (low is not None and value < low):
            raise CellError(f"{header} {raw} is too small", code="billing.value.range")
        if high is not None and value > high:
            raise CellError(f"{header} {raw} is too large", code="billing.value.range")
        return value

    return parse


def _decimal(column: Column, profile: Profile) -> Parser:
    sep = profile.decimal_separator
    pattern = re.compile(r"(-?)([0-9]+)(?:" + re.escape(sep) + r"([0-9]+))?")
    header, scale, digits, signed = (
        column.header,
        column.scale,
        column.max_integer_digits,
        column.signed,
    )
    quantum = Decimal(1).scaleb(-scale)
    example = "1" + (sep + "0" * scale if scale else "")
    # The canonical form (what the encoder writes) needs no further checks.
    canonical = re.compile(
        f"[0-9]{{1,{digits}}}" + (re.escape(sep) + f"[0-9]{{{scale}}}" if scale else "")
    ).fullmatch

    def parse(raw: str) -> Value:
        if canonical(raw) and (raw[0] != "0" or raw[1:2] in ("", sep)):
            return Decimal(raw.replace(sep, ".") if sep != "." else raw)
        match = pattern.fullmatch(raw) if len(raw) <= 80 else None
        if match is None:
            raise CellError(
                f"{header} {_short(raw)} is not a number like {example} (separator {sep!r}, no thousands separator)",
                code="billing.value.decimal",
            )
        sign, whole, fraction = match.groups()
        if fraction is not None and len(fraction) > scale:
            raise CellError(
                f"{header} {raw} has {len(fraction)} decimal places, at most {scale} allowed",
                code="billing.value.scale",
            )
        if len(whole.lstrip("0")) > digits:
            raise CellError(
                f"{header} {raw} has more than {digits} digits before the separator",
                code="billing.value.range",
            )
        if sign and not signed:
            raise CellError(f"{header} {raw} must not be negative", code="billing.value.range")
        value = Decimal(f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}")
        return (
            value.quantize(quantum, context=EXACT) if value.as_tuple().exponent != -scale else value
        )

    return parse


_DATE_LAYOUTS: Final = {
    # format: (regex, order of groups as (day, month, year))
    "TT.MM.JJJJ": (re.compile(r"([0-9]{2})\.([0-9]{2})\.([0-9]{4})"), (0, 1, 2)),
    "JJJJ-MM-TT": (re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"), (2, 1, 0)),
    "TTMMJJJJ": (re.compile(r"([0-9]{2})([0-9]{2})([0-9]{4})"), (0, 1, 2)),
    "JJJJMMTT": (re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})"), (2, 1, 0)),
}


def _date(column: Column, profile: Profile) -> Parser:
    pattern, (d, m, y) = _DATE_LAYOUTS[profile.date_format]
    header, style = column.header, profile.date_format

    def parse(raw: str) -> Value:
        match = pattern.fullmatch(raw) if len(raw) <= 10 else None
        if match is None:
            raise CellError(
                f"{header} {_short(raw)} is not a date {style}", code="billing.value.date"
            )
        parts = match.groups()
        try:
            return datetime.date(int(parts[y]), int(parts[m]), int(parts[d]))
        except ValueError as exc:
            raise CellError(
                f"{header} {raw} is not a calendar date ({exc})", code="billing.value.date"
            ) from exc

    return parse


def _ik(column: Column, profile: Profile) -> Parser:
    header = column.header

    def parse(raw: str) -> Value:
        if not _DIGITS9.fullmatch(raw):
            raise CellError(f"{header} {_short(raw)} is not 9 digits", code="billing.value.ik")
        if not ik_scheme.is_valid(raw):
            raise CellError(
                f"{header} {raw}: the check digit does not match", code="billing.value.ik"
            )
        return raw

    return parse


def _boolean(column: Column, profile: Profile) -> Parser:
    header, yes, no = column.header, column.true_value, column.false_value

    def parse(raw: str) -> Value:
        if raw == yes:
            return True
        if raw == no:
            return False
        raise CellError(
            f"{header} {_short(raw)} is neither {yes!r} nor {no!r}", code="billing.value.boolean"
        )

    return parse


_TYPED: Final[dict[ColumnType, Callable[[Column, Profile], Parser]]] = {
    ColumnType.TEXT: _text,
    ColumnType.CODE: _code,
    ColumnType.INTEGER: _integer,
    ColumnType.DECIMAL: _decimal,
    ColumnType.DATE: _date,
    ColumnType.IK: _ik,
    ColumnType.BOOLEAN: _boolean,
}


def formatter_for(column: Column, profile: Profile) -> Formatter:
    """The function that writes a value of ``column`` as cell text, or raises CellError.

    It checks the Python type and exactness (a Decimal with more places than the scale is refused,
    never rounded); the encoder then parses its own output to check every other constraint.
    """
    header, kind = column.header, column.type
    sep, scale = profile.decimal_separator, column.scale
    date_style = profile.date_format

    def wrong(value: object, expected: str) -> CellError:
        return CellError(
            f"{header} must be {expected}, not {type(value).__name__}", code="billing.record.type"
        )

    def format_value(value: object) -> str:
        if value is None:
            return ""
        if kind in (ColumnType.TEXT, ColumnType.CODE, ColumnType.IK):
            if not isinstance(value, str):
                raise wrong(value, "text")
            if not value:
                raise CellError(
                    f"{header} is empty text; use None for an empty cell",
                    code="billing.record.empty",
                )
            return neutralise(value) if kind is ColumnType.TEXT else value
        if kind is ColumnType.INTEGER:
            if not isinstance(value, int) or isinstance(value, bool):
                raise wrong(value, "an int")
            return str(value)
        if kind is ColumnType.DECIMAL:
            if not isinstance(value, Decimal) or not value.is_finite():
                raise wrong(value, "a finite Decimal")
            exponent = value.as_tuple().exponent
            if isinstance(exponent, int) and exponent < -scale and not _exact_at(value, scale):
                raise CellError(
                    f"{header} {value} has more than {scale} decimal places",
                    code="billing.value.scale",
                )
            if value.is_zero():
                value = abs(value)  # -0.00 is written 0,00: the same amount, one spelling
            text = f"{value:.{scale}f}"
            return text.replace(".", sep) if sep != "." else text
        if kind is ColumnType.DATE:
            if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
                raise wrong(value, "a datetime.date")
            return _format_date(value, date_style)
        if not isinstance(value, bool):
            raise wrong(value, "a bool")
        return column.true_value if value else column.false_value

    return format_value


def _exact_at(value: Decimal, scale: int) -> bool:
    """Whether ``value`` has no non-zero digits beyond ``scale`` places (trailing zeros are fine)."""
    try:
        return value == value.quantize(Decimal(1).scaleb(-scale), context=EXACT)
    except ArithmeticError:  # more digits than any column allows; the range check reports it
        return True


def _format_date(value: datetime.date, style: str) -> str:
    y, m, d = f"{value.year:04d}", f"{value.month:02d}", f"{value.day:02d}"
    if style == "TT.MM.JJJJ":
        return f"{d}.{m}.{y}"
    if style == "JJJJ-MM-TT":
        return f"{y}-{m}-{d}"
    if style == "TTMMJJJJ":
        return d + m + y
    return y + m + d
