"""One input per problem code the decoder can report, shared by the API and the CLI tests.

Each case is (profile TOML or None for the MASS profile, file bytes, max_problems, valid?).
"""

from __future__ import annotations

from collections.abc import Callable

from leportal_core.billing.decoder import MAX_LINE, MAX_RECORD
from tests.core.billing.helpers import all_types_toml, replace_line, valid_bytes

Case = tuple[str | None, bytes, int | None, bool]
HEADER_ALL = b"Text;Anzahl;Kennzeichen;Betrag\r\n"


def _mass(data: bytes, *, valid: bool = False, max_problems: int | None = None) -> Case:
    return (None, data, max_problems, valid)


def _all(data: bytes, encoding: str = "utf-8", bom: str = "optional", valid: bool = False) -> Case:
    return (all_types_toml(encoding, bom), data, None, valid)


def _v() -> bytes:
    return valid_bytes()


def _header(old: bytes, new: bytes) -> Case:
    return _mass(replace_line(_v(), 1, old, new))


DECODE_CASES: dict[str, Callable[[], Case]] = {
    "billing.value.required": lambda: _mass(replace_line(_v(), 2, b";Muster;", b";;")),
    "billing.value.too_long": lambda: _mass(
        replace_line(_v(), 2, b";Muster;", b";" + b"M" * 51 + b";")
    ),
    "billing.value.characters": lambda: _mass(replace_line(_v(), 2, b";Muster;", b";Mu\x07ster;")),
    "billing.value.code": lambda: _mass(replace_line(_v(), 2, b";Tag;", b";Woche;")),
    "billing.value.decimal": lambda: _mass(replace_line(_v(), 2, b";22,00;", b";22.00;")),
    "billing.value.scale": lambda: _mass(replace_line(_v(), 2, b";22,00;", b";22,000;")),
    "billing.value.range": lambda: _mass(replace_line(_v(), 2, b";98,37;", b";-98,37;")),
    "billing.value.date": lambda: _mass(replace_line(_v(), 2, b"12.03.1984", b"30.02.1984")),
    "billing.value.ik": lambda: _mass(replace_line(_v(), 2, b"260326822", b"260326823")),
    "billing.value.integer": lambda: _all(HEADER_ALL + b"abc;x1;J;1,00\r\n"),
    "billing.value.boolean": lambda: _all(HEADER_ALL + b"abc;1;ja;1,00\r\n"),
    "billing.amount.mismatch": lambda: _mass(replace_line(_v(), 2, b";2164,14;", b";2164,15;")),
    "billing.period.order": lambda: _mass(
        replace_line(_v(), 2, b"01.10.2026;31.10.2026", b"31.10.2026;01.10.2026")
    ),
    "billing.period.month": lambda: _mass(
        replace_line(_v(), 2, b"01.10.2026;31.10.2026", b"01.10.2026;01.11.2026")
    ),
    "billing.duplicate": lambda: _mass(_v() + _v().split(b"\r\n")[1] + b"\r\n"),
    "billing.group.inconsistent": lambda: _mass(
        replace_line(_v(), 3, b"04.11.2026", b"05.11.2026")
    ),
    "billing.total.mismatch": lambda: _mass(_v().replace(b";8377,52;", b";8377,53;")),
    "billing.total.unchecked": lambda: _mass(replace_line(_v(), 3, b"02.11.1991", b"")),
    "billing.file.empty": lambda: _mass(b""),
    "billing.file.no_rows": lambda: _mass(_v().split(b"\r\n")[0] + b"\r\n"),
    "billing.problems.truncated": lambda: _mass(
        replace_line(_v(), 2, b";Tag;", b";Woche;"), max_problems=1
    ),
    "billing.line.too_long": lambda: _mass(_v() + b"x" * (MAX_LINE + 10) + b"\r\n"),
    "billing.encoding.invalid": lambda: _mass(replace_line(_v(), 2, b";Muster;", b";M\xfcster;")),
    "billing.encoding.suspect": lambda: _all(
        HEADER_ALL + "Mü;1;J;1,00\r\n".encode(), encoding="windows-1252", valid=True
    ),
    "billing.encoding.bom_unexpected": lambda: _all(
        b"\xef\xbb\xbf" + HEADER_ALL + b"a;1;J;\r\n", bom="forbidden"
    ),
    "billing.encoding.bom_missing": lambda: _all(HEADER_ALL + b"a;1;J;\r\n", bom="required"),
    "billing.line_ending": lambda: _mass(_v().replace(b"\r\n", b"\n"), valid=True),
    "billing.csv.quoting": lambda: _mass(replace_line(_v(), 2, b";Muster;", b';"Muster"x;')),
    "billing.csv.unclosed_quote": lambda: _mass(
        replace_line(_v(), 2, b";Muster;", b';"Muster;') + b"a;b\r\n" * (MAX_RECORD // 4)
    ),
    "billing.value.formula": lambda: _mass(
        replace_line(_v(), 2, b";Muster;", b";=cmd|' /C calc'!A0;"), valid=True
    ),
    "billing.row.empty": lambda: _mass(replace_line(_v(), 2, b"RE-", b"\r\nRE-"), valid=True),
    "billing.row.missing_columns": lambda: _mass(replace_line(_v(), 2, b"8377,52;", b"8377,52")),
    "billing.row.extra_columns": lambda: _mass(replace_line(_v(), 2, b"8377,52;", b"8377,52;;")),
    "billing.header.missing": lambda: _mass(b"\r\n".join(_v().split(b"\r\n")[1:])),
    "billing.header.duplicate": lambda: _header(b";Name;", b";Vorname;"),
    "billing.header.extra_column": lambda: _header(b";Bemerkung", b";Notiz"),
    "billing.header.missing_column": lambda: _header(b";Bemerkung", b";Notiz"),
    "billing.header.order": lambda: _header(b";Name;Vorname;", b";Vorname;Name;"),
}
