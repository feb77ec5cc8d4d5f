from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import cast

import pytest

from leportal_core.billing import (
    Approval,
    Attendance,
    Facility,
    Person,
    Unit,
    build_invoice,
    decode,
    encode,
)
from leportal_core.errors import ValidationError
from tests.core.billing.helpers import MASS, valid_bytes

ERIKA = Person(
    file_reference="AZ-1", last_name="Muster", first_name="Erika", birth_date=dt.date(1984, 3, 12)
)
JAN = Person(
    file_reference="AZ-2", last_name="Jansen", first_name="Jan", birth_date=dt.date(1970, 1, 1)
)
FACILITY = Facility(ik="260326822", facility_number="E-1")


def _build(approvals: list[Approval], attendance: list[Attendance]):  # type: ignore[no-untyped-def]
    return build_invoice(
        facility=FACILITY,
        year=2026,
        month=2,
        invoice_number="RE-2026-02",
        invoice_date=dt.date(2026, 3, 2),
        approvals=approvals,
        attendance=attendance,
    )


def test_days_hours_month_pro_rata_and_flat_by_hand() -> None:
    approvals = [
        Approval(
            person=ERIKA,
            service_type="LT 25",
            unit=Unit.DAY,
            rate=D("98.37"),
            valid_from=dt.date(2026, 1, 1),
        ),
        Approval(
            person=ERIKA,
            service_type="FLS",
            unit=Unit.HOUR,
            rate=D("61.14"),
            valid_from=dt.date(2026, 1, 1),
        ),
        # 14 of 28 February days approved → 0.50 of the monthly rate
        Approval(
            person=JAN,
            service_type="LT 1.1",
            unit=Unit.MONTH,
            rate=D("2874.51"),
            valid_from=dt.date(2026, 2, 15),
        ),
        Approval(
            person=JAN,
            service_type="PA",
            unit=Unit.FLAT,
            rate=D("45.00"),
            valid_from=dt.date(2025, 1, 1),
        ),
    ]
    attendance = [
        Attendance(file_reference="AZ-1", service_type="LT 25", day=dt.date(2026, 2, d))
        for d in (2, 3, 3, 4)
    ] + [
        Attendance(
            file_reference="AZ-1", service_type="FLS", day=dt.date(2026, 2, 5), hours=D("1.5")
        ),
        Attendance(
            file_reference="AZ-1", service_type="FLS", day=dt.date(2026, 2, 6), hours=D("0.75")
        ),
        Attendance(
            file_reference="AZ-1", service_type="LT 25", day=dt.date(2026, 3, 1)
        ),  # other month
    ]
    lines = _build(approvals, attendance)
    got = [
        (
            r.file_reference,
            r.service_type,
            r.period_start.day,
            r.period_end.day,
            r.quantity,
            r.amount,
        )
        for r in lines
    ]
    assert got == [
        ("AZ-1", "FLS", 1, 28, D("2.25"), D("137.57")),  # 2.25 × 61.14 = 137.565 → half-up
        ("AZ-1", "LT 25", 1, 28, D("3"), D("295.11")),
        ("AZ-2", "LT 1.1", 15, 28, D("0.50"), D("1437.26")),  # 1437.255 → 1437.26
        ("AZ-2", "PA", 1, 28, D("1.00"), D("45.00")),
    ]
    assert {r.invoice_total for r in lines} == {D("1914.94")}
    assert decode(encode(lines, MASS), MASS) == [r.to_record() for r in lines]


def test_attendance_without_approval_and_missing_hours_are_errors() -> None:
    approvals = [
        Approval(
            person=ERIKA,
            service_type="FLS",
            unit=Unit.HOUR,
            rate=D("61.14"),
            valid_from=dt.date(2026, 2, 10),
        ),
    ]
    attendance = [
        Attendance(
            file_reference="AZ-1", service_type="FLS", day=dt.date(2026, 2, 9), hours=D("1")
        ),
        Attendance(file_reference="AZ-1", service_type="FLS", day=dt.date(2026, 2, 10)),
        Attendance(
            file_reference="AZ-9", service_type="FLS", day=dt.date(2026, 2, 10), hours=D("1")
        ),
    ]
    with pytest.raises(ValidationError) as caught:
        _build(approvals, attendance)
    assert [(p.code, p.location.line) for p in caught.value.problems] == [
        ("billing.entry.no_approval", 1),
        ("billing.entry.hours", 2),
        ("billing.entry.no_approval", 3),
    ]


def test_sample_file_is_what_the_web_entry_builds() -> None:
    # The sample was generated from approvals and attendance; its arithmetic must hold.
    records = decode(valid_bytes(), MASS)
    assert sum((cast(D, r["betrag"]) for r in records), D(0)) == D("8377.52")
