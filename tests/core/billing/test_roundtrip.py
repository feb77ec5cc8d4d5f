"""Property tests: decode(encode(records)) == records, and no byte string crashes the decoder."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from leportal_core.billing import (
    BillingRecord,
    MassRecord,
    Unit,
    decode,
    encode,
    line_amount,
    neutralise,
    unneutralise,
    validate,
)
from leportal_core.errors import LeportalError
from leportal_core.identifiers import ik
from tests.core.billing.cases import HEADER_ALL
from tests.core.billing.helpers import MASS, all_types, valid_bytes

# Any character but controls (Cc) and lone surrogates (Cs): names in every script.
LETTERS = st.characters(blacklist_categories=("Cc", "Cs"))
TRIGGERS = st.sampled_from(["", "=", "+", "-", "@", "'", "''", "'=", "'-", "\t", "\r"])


def texts(max_size: int, *, breaks: bool = False) -> st.SearchStrategy[str]:
    alphabet = st.one_of(LETTERS, st.sampled_from("\t\r\n")) if breaks else LETTERS
    body = st.text(alphabet=alphabet, max_size=max_size)
    prefixed = st.tuples(TRIGGERS if breaks else TRIGGERS.filter(lambda t: t not in "\t\r"), body)
    return prefixed.map("".join).map(lambda t: t[:max_size]).filter(bool)


def money(digits: int) -> st.SearchStrategy[Decimal]:
    high = Decimal(10) ** digits - Decimal("0.01")
    return st.one_of(
        st.decimals(min_value=0, max_value=high, places=2),
        st.sampled_from([Decimal("0.00"), Decimal("0.01"), high]),
    )


iks = st.integers(min_value=0, max_value=10**8 - 1).map(
    lambda n: f"{n:08d}" + ik.calc_check_digit(f"{n:08d}")
)
dates = st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31))


@st.composite
def invoices(draw: st.DrawFn) -> list[MassRecord]:
    count = draw(st.integers(min_value=1, max_value=4))
    shared = {
        "invoice_number": draw(texts(20)),
        "invoice_date": draw(dates),
        "ik": draw(iks),
        "facility_number": draw(texts(20)),
    }
    lines = []
    for number in range(count):
        start = draw(dates)
        last_day = calendar.monthrange(start.year, start.month)[1]
        end = start.replace(day=draw(st.integers(min_value=start.day, max_value=last_day)))
        quantity = draw(money(6))
        rate = draw(money(9))
        amount = line_amount(quantity, rate)
        if amount >= Decimal(10) ** 10:
            quantity, amount = Decimal("0.00"), Decimal("0.00")
        lines.append(
            {
                "file_reference": draw(texts(26)) + f"#{number}",
                "last_name": draw(texts(50)),
                "first_name": draw(texts(50)),
                "birth_date": draw(dates),
                "service_type": draw(texts(20)),
                "period_start": start,
                "period_end": end,
                "quantity": quantity,
                "unit": draw(st.sampled_from(Unit)),
                "rate": rate,
                "amount": amount,
                "remark": draw(st.none() | texts(200, breaks=True)),
            }
        )
    total = sum((line["amount"] for line in lines), Decimal("0.00"))
    return [MassRecord(**shared, **line, invoice_total=total) for line in lines]  # type: ignore[arg-type]


@given(invoices())
def test_round_trip_of_valid_mass_records(records: list[MassRecord]) -> None:
    generic = [record.to_record() for record in records]
    data = encode(records, MASS)
    back = decode(data, MASS)
    assert back == generic
    assert [MassRecord.from_record(r) for r in back] == records
    assert encode(back, MASS) == data  # byte-exact the other way round, too


@given(
    st.lists(
        st.tuples(texts(10), st.integers(1, 99), st.booleans(), st.none() | money(4)),
        min_size=1,
        max_size=5,
    )
)
def test_round_trip_of_every_other_column_type(
    rows: list[tuple[str, int, bool, Decimal | None]],
) -> None:
    profile = all_types()
    records = [
        BillingRecord(values={"text": t, "count": c, "flag": f, "amount": a}) for t, c, f, a in rows
    ]
    assert decode(encode(records, profile), profile) == records


@given(st.text())
def test_neutralisation_is_a_bijection(text: str) -> None:
    assert unneutralise(neutralise(text)) == text
    written = neutralise(text)
    assert not written or written[0] not in "=+-@\t\r"


@given(st.binary(max_size=400))
def test_no_byte_string_crashes_the_decoder(data: bytes) -> None:
    for profile in (MASS, all_types(encoding="windows-1252")):
        try:
            report = validate(data, profile)
        except LeportalError:
            continue
        assert report.valid or report.problems


@given(st.integers(min_value=0), st.binary(min_size=1, max_size=8), st.booleans())
def test_mutated_valid_files_never_crash(position: int, chunk: bytes, replace: bool) -> None:
    base = valid_bytes() if position % 2 else HEADER_ALL + b"abc;5;J;12,50\r\n"
    profile = MASS if position % 2 else all_types()
    at = position % (len(base) + 1)
    data = base[:at] + chunk + base[at + (len(chunk) if replace else 0) :]
    try:
        report = validate(data, profile)
    except LeportalError:
        return
    if not report.valid:
        assert all(p.code.startswith("billing.") for p in report.problems)
