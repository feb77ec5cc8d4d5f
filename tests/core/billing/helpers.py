"""Shared builders for the billing tests: the shipped MASS profile, a test profile with every
column type, and a valid sample file to break in controlled ways."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from leportal_core.billing import MassRecord, Profile, Unit, encode, load_profile, parse_profile

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "samples" / "billing"
MASS = load_profile("mass-provisional-v1")

ALL_TYPES_TOML = """
[profile]
name = "all-types-test"
version = 1

[format]
encoding = "{encoding}"
bom = "{bom}"
write_bom = {write_bom}
delimiter = ";"
line_ending = "crlf"

[[columns]]
key = "text"
header = "Text"
type = "text"
max_length = 10

[[columns]]
key = "count"
header = "Anzahl"
type = "integer"
min = 1
max = 99

[[columns]]
key = "flag"
header = "Kennzeichen"
type = "boolean"
true = "J"
false = "N"

[[columns]]
key = "amount"
header = "Betrag"
type = "decimal"
scale = 2
max_integer_digits = 4
required = false
"""


def all_types_toml(encoding: str = "utf-8", bom: str = "optional") -> str:
    write_bom = "true" if bom == "required" else "false"
    return ALL_TYPES_TOML.format(encoding=encoding, bom=bom, write_bom=write_bom)


def all_types(encoding: str = "utf-8", bom: str = "optional") -> Profile:
    return parse_profile(all_types_toml(encoding, bom).encode())


def mass_record(**changes: object) -> MassRecord:
    values: dict[str, object] = {
        "invoice_number": "RE-1",
        "invoice_date": datetime.date(2026, 11, 4),
        "ik": "260326822",
        "facility_number": "E-1",
        "file_reference": "AZ-1",
        "last_name": "Muster",
        "first_name": "Erika",
        "birth_date": datetime.date(1980, 5, 17),
        "service_type": "LT 25",
        "period_start": datetime.date(2026, 10, 1),
        "period_end": datetime.date(2026, 10, 31),
        "quantity": Decimal("21.00"),
        "unit": Unit.DAY,
        "rate": Decimal("98.37"),
        "amount": Decimal("2065.77"),
        "invoice_total": Decimal("2065.77"),
    }
    values.update(changes)
    return MassRecord(**values)  # type: ignore[arg-type]


def valid_bytes() -> bytes:
    """The valid sample file's bytes (six lines, one invoice)."""
    return (SAMPLES / "mass-2026-10.csv").read_bytes()


def one_line_file(**changes: object) -> bytes:
    return encode([mass_record(**changes)], MASS)


def replace_line(data: bytes, number: int, old: bytes, new: bytes) -> bytes:
    """``data`` with ``old`` replaced by ``new`` on physical line ``number`` (1-based)."""
    lines = data.split(b"\r\n")
    assert old in lines[number - 1], (old, lines[number - 1])
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    return b"\r\n".join(lines)
