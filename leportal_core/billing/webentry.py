"""The web-entry equivalent: an invoice for one month from approved services and attendance.

Small providers (up to five Leistungsberechtigte) type their invoice into MASS_web instead of
uploading a file (LWL, "MASS - Hinweise zur Abrechnung", lwl-inklusionsamt-soziale-teilhabe.de).
:func:`build_invoice` does the same arithmetic in code: for every approved service (Bewilligung:
person, Leistungsart, rate, unit, approval period) it bills the part of the month covered by the
approval, with the quantity taken from the attendance:

- ``Tag``: the number of distinct attendance days in the covered part of the month;
- ``Stunde``: the sum of attended hours in it;
- ``Monat`` and ``Pauschale``: 1 when the approval covers the whole month, otherwise the share
  of covered days (e.g. 15/30), rounded half-up to cents of a unit. This pro-rata rule is the
  project's provisional reading; the Leistungsvereinbarung decides.

Attendance that no approval covers is an error (``billing.entry.no_approval``), not silently
dropped. Lines with quantity 0 are left out. Approvals and attendance can also be read from CSV
files in the project profiles ``approvals-v1`` and ``attendance-v1``
(:func:`approvals_from_records`, :func:`attendance_from_records`; ``leportal billing build``).
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

import attrs

from leportal_core.billing.records import BillingRecord, MassRecord, Unit, line_amount
from leportal_core.errors import Location, Problem, ValidationError

__all__ = [
    "Approval",
    "Attendance",
    "Facility",
    "Person",
    "approvals_from_records",
    "attendance_from_records",
    "build_invoice",
]


@attrs.frozen(kw_only=True)
class Person:
    """A Leistungsberechtigte/r, identified by the Aktenzeichen of the Leistungsträger."""

    file_reference: str
    last_name: str
    first_name: str
    birth_date: datetime.date


@attrs.frozen(kw_only=True)
class Facility:
    """The Einrichtung that bills."""

    ik: str
    facility_number: str


@attrs.frozen(kw_only=True)
class Approval:
    """An approved service (Bewilligung): who, which Leistungsart, at which rate and unit, when."""

    person: Person
    service_type: str
    unit: Unit
    rate: Decimal
    valid_from: datetime.date
    valid_to: datetime.date | None = None

    def __attrs_post_init__(self) -> None:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValidationError(
                "approval ends before it starts",
                [
                    Problem(
                        code="billing.period.order",
                        message=f"approval {self.service_type} for {self.person.file_reference} "
                        "ends before it starts",
                    )
                ],
            )


@attrs.frozen(kw_only=True)
class Attendance:
    """One day a person attended (Anwesenheit), with hours for hourly services."""

    file_reference: str
    service_type: str
    day: datetime.date
    hours: Decimal | None = None


def build_invoice(
    *,
    facility: Facility,
    year: int,
    month: int,
    invoice_number: str,
    invoice_date: datetime.date,
    approvals: Iterable[Approval],
    attendance: Iterable[Attendance],
) -> list[MassRecord]:
    """The MASS lines of one month, sorted by Aktenzeichen and Leistungsart.

    Raises :class:`ValidationError` with every attendance entry that cannot be billed.
    """
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    days_in_month = last.day
    approvals = list(approvals)
    problems: list[Problem] = []
    days: dict[int, set[datetime.date]] = defaultdict(set)
    hours: dict[int, Decimal] = defaultdict(Decimal)
    for number, entry in enumerate(attendance, 1):
        if not first <= entry.day <= last:
            continue
        matches = [
            index
            for index, approval in enumerate(approvals)
            if approval.person.file_reference == entry.file_reference
            and approval.service_type == entry.service_type
            and approval.valid_from <= entry.day
            and (approval.valid_to is None or entry.day <= approval.valid_to)
        ]
        if not matches:
            problems.append(
                Problem(
                    code="billing.entry.no_approval",
                    message=f"attendance of {entry.file_reference} on {entry.day:%d.%m.%Y} for "
                    f"{entry.service_type}: no approval covers it",
                    location=Location(line=number),
                )
            )
            continue
        index = matches[0]
        days[index].add(entry.day)
        if approvals[index].unit is Unit.HOUR:
            if entry.hours is None or entry.hours <= 0:
                problems.append(
                    Problem(
                        code="billing.entry.hours",
                        message=f"attendance of {entry.file_reference} on {entry.day:%d.%m.%Y}: "
                        "an hourly service needs the hours attended",
                        location=Location(line=number),
                    )
                )
            else:
                hours[index] += entry.hours
    if problems:
        raise ValidationError(f"cannot build the invoice: {len(problems)} problems", problems)
    lines: list[tuple[Approval, datetime.date, datetime.date, Decimal]] = []
    for index, approval in enumerate(approvals):
        start = max(first, approval.valid_from)
        end = last if approval.valid_to is None else min(last, approval.valid_to)
        if start > end:
            continue
        if approval.unit is Unit.DAY:
            quantity = Decimal(len(days[index]))
        elif approval.unit is Unit.HOUR:
            quantity = hours[index]
        else:
            covered = (end - start).days + 1
            quantity = (Decimal(covered) / Decimal(days_in_month)).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        if quantity:
            lines.append((approval, start, end, quantity))
    amounts = [line_amount(quantity, approval.rate) for approval, _, _, quantity in lines]
    total = sum(amounts, Decimal("0.00"))
    records = [
        MassRecord(
            invoice_number=invoice_number,
            invoice_date=invoice_date,
            ik=facility.ik,
            facility_number=facility.facility_number,
            file_reference=approval.person.file_reference,
            last_name=approval.person.last_name,
            first_name=approval.person.first_name,
            birth_date=approval.person.birth_date,
            service_type=approval.service_type,
            period_start=start,
            period_end=end,
            quantity=quantity,
            unit=approval.unit,
            rate=approval.rate,
            amount=amount,
            invoice_total=total,
        )
        for (approval, start, end, quantity), amount in zip(lines, amounts, strict=True)
    ]
    records.sort(key=lambda r: (r.file_reference, r.service_type, r.period_start))
    return records


def approvals_from_records(records: Iterable[BillingRecord]) -> list[Approval]:
    """Approvals from the records of a file in the profile ``approvals-v1``."""
    approvals = []
    for record in records:
        v = record.values
        approvals.append(
            Approval(
                person=Person(
                    file_reference=str(v["aktenzeichen"]),
                    last_name=str(v["name"]),
                    first_name=str(v["vorname"]),
                    birth_date=v["geburtsdatum"],  # type: ignore[arg-type]
                ),
                service_type=str(v["leistungsart"]),
                unit=Unit(v["einheit"]),
                rate=v["einzelpreis"],  # type: ignore[arg-type]
                valid_from=v["gueltig_ab"],  # type: ignore[arg-type]
                valid_to=v["gueltig_bis"],  # type: ignore[arg-type]
            )
        )
    return approvals


def attendance_from_records(records: Iterable[BillingRecord]) -> list[Attendance]:
    """Attendance from the records of a file in the profile ``attendance-v1``."""
    return [
        Attendance(
            file_reference=str(record.values["aktenzeichen"]),
            service_type=str(record.values["leistungsart"]),
            day=record.values["datum"],  # type: ignore[arg-type]
            hours=record.values["stunden"],  # type: ignore[arg-type]
        )
        for record in records
    ]
