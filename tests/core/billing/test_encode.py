from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from leportal_core.billing import BillingRecord, decode, encode, parse_profile, write_file
from leportal_core.errors import ValidationError
from tests.core.billing.helpers import MASS, SAMPLES, all_types, mass_record, valid_bytes


def _codes(records: list[object], profile=MASS) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        encode(records, profile)  # type: ignore[arg-type]
    return [p.code for p in caught.value.problems]


def test_sample_file_is_byte_identical_after_decode_and_encode() -> None:
    assert encode(decode(valid_bytes(), MASS), MASS) == valid_bytes()


def test_formula_is_neutralised_and_reads_back() -> None:
    record = mass_record(last_name='=HYPERLINK("http://x")', first_name="@SUM(1)", remark="-1+1")
    data = encode([record], MASS)
    assert b';"\'=HYPERLINK(""http://x"")";\'@SUM(1);' in data
    assert b";'-1+1\r\n" in data
    assert decode(data, MASS)[0]["last_name" if False else "name"] == '=HYPERLINK("http://x")'


def test_apostrophe_names_are_left_alone() -> None:
    data = encode([mass_record(last_name="'t Hooft")], MASS)
    assert b";'t Hooft;" in data


def test_record_problems_are_all_reported() -> None:
    good = mass_record().to_record().values
    codes = _codes(
        [
            BillingRecord(values={**good, "name": 7}),
            BillingRecord(values={**good, "vorname": ""}),
            BillingRecord(values={**good, "extra": "x"}),
            BillingRecord(values={**good, "betrag": Decimal("2065.771")}),
        ]
    )
    assert codes == [
        "billing.record.type",
        "billing.record.empty",
        "billing.record.unknown",
        "billing.value.scale",
    ]


def test_rules_apply_when_encoding() -> None:
    assert _codes([mass_record(), mass_record()]) == ["billing.duplicate", "billing.total.mismatch"]


def test_unencodable_character() -> None:
    profile = all_types(encoding="windows-1252")
    record = BillingRecord(values={"text": "Łódź", "count": 1, "flag": True, "amount": None})
    assert _codes([record], profile) == ["billing.record.unencodable"]


def test_datetime_and_bool_are_refused_where_date_and_int_are_expected() -> None:
    good = mass_record().to_record().values
    codes = _codes([BillingRecord(values={**good, "geburtsdatum": datetime.datetime(1980, 1, 1)})])
    assert codes == ["billing.record.type"]
    record = BillingRecord(values={"text": "a", "count": True, "flag": True, "amount": None})
    assert _codes([record], all_types()) == ["billing.record.type"]


def test_write_file_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")
    assert write_file(decode(valid_bytes(), MASS), MASS, target) == 6
    assert target.read_bytes() == valid_bytes()
    with pytest.raises(ValidationError):
        write_file([mass_record(), mass_record()], MASS, target)
    assert target.read_bytes() == valid_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_bom_is_written_when_the_profile_says_so() -> None:
    toml = (
        SAMPLES.parents[1] / "leportal_core/billing/profiles/mass-provisional-v1.toml"
    ).read_text(encoding="utf-8")
    profile = parse_profile(toml.replace("write_bom = false", "write_bom = true").encode())
    data = encode(decode(valid_bytes(), MASS), profile)
    assert data == b"\xef\xbb\xbf" + valid_bytes()
    assert decode(data, profile) == decode(valid_bytes(), MASS)


def test_encoder_cache_never_lets_bool_pass_as_int_nor_float_as_decimal() -> None:
    profile = all_types()
    good = BillingRecord(values={"text": "a", "count": 1, "flag": True, "amount": Decimal("1.00")})
    sneaky = BillingRecord(
        values={"text": "b", "count": True, "flag": True, "amount": 1.0}  # type: ignore[dict-item]
    )
    with pytest.raises(ValidationError) as caught:
        encode([good, sneaky], profile)
    assert [(p.code, p.location.field) for p in caught.value.problems] == [
        ("billing.record.type", "Anzahl"),
        ("billing.record.type", "Betrag"),
    ]


def test_negative_zero_is_written_as_zero() -> None:
    record = mass_record(
        quantity=Decimal("0.00"), amount=Decimal("-0.00"), invoice_total=Decimal("0.00")
    )
    assert b";0,00;Tag;98,37;0,00;0,00;" in encode([record], MASS)
