"""Billing records: a generic one for any profile, and a typed one for the MASS profiles.

Why two: the engine speaks :class:`BillingRecord` (column key → typed value), so an official MASS
layout with other columns works as a profile file, without code. A vendor building invoices in
code wants names, types and checks the IDE shows: :class:`MassRecord`. It maps onto the column
*keys* of ``mass-provisional-v1`` (not the headers), so it keeps working with any profile that
keeps those keys - an official profile only has to rename headers and reorder columns.

>>> from decimal import Decimal
>>> import datetime
>>> record = MassRecord(
...     invoice_number="R-2026-10", invoice_date=datetime.date(2026, 11, 3), ik="260326822",
...     facility_number="E-17", file_reference="AZ 50-123", last_name="Muster",
...     first_name="Erika", birth_date=datetime.date(1980, 5, 17), service_type="LT 25",
...     period_start=datetime.date(2026, 10, 1), period_end=datetime.date(2026, 10, 31),
...     quantity=Decimal("21"), unit=Unit.DAY, rate=Decimal("98.37"), amount=Decimal("2065.77"),
...     invoice_total=Decimal("2065.77"))
>>> MassRecord.from_record(record.to_record()) == record
True
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any

import attrs

from leportal_core.billing.values import EXACT, Value
from leportal_core.errors import Location, Problem, ValidationError
from leportal_core.identifiers import ik as ik_scheme

__all__ = ["BillingRecord", "MassRecord", "Unit", "line_amount"]

CENT = Decimal("0.01")


def line_amount(quantity: Decimal, rate: Decimal, scale: int = 2) -> Decimal:
    """Quantity × rate, rounded half-up (kaufmännisch) to ``scale`` places, without precision loss."""
    product = EXACT.multiply(quantity, rate)
    return product.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP, context=EXACT)


def _freeze(value: Mapping[str, Value]) -> Mapping[str, Value]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class BillingRecord:
    """One line of a billing file: column key → typed value (``None`` for an empty optional cell).

    Values are ``str`` (text, code, IK), ``int``, ``Decimal``, ``datetime.date`` or ``bool``. The
    encoder checks them against the profile; the decoder only builds valid ones.
    """

    values: Mapping[str, Value] = attrs.field(converter=_freeze)

    def __getitem__(self, key: str) -> Value:
        return self.values[key]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BillingRecord):
            return NotImplemented
        return dict(self.values) == dict(other.values)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.values.items(), key=lambda item: item[0])))


class Unit(enum.Enum):
    """Unit of a billed quantity (Einheit)."""

    DAY = "Tag"
    HOUR = "Stunde"
    MONTH = "Monat"
    FLAT = "Pauschale"


def _problem(message: str, field: str, *, code: str) -> Problem:
    return Problem(code=code, message=message, location=Location(field=field))


@attrs.frozen(kw_only=True)
class MassRecord:
    """A typed line of a MASS invoice; checked on construction (IK, period, amount)."""

    invoice_number: str
    invoice_date: datetime.date
    ik: str
    facility_number: str
    file_reference: str  # Aktenzeichen des/der Leistungsberechtigten
    last_name: str
    first_name: str
    birth_date: datetime.date
    service_type: str  # Leistungsart
    period_start: datetime.date
    period_end: datetime.date
    quantity: Decimal
    unit: Unit
    rate: Decimal
    amount: Decimal
    invoice_total: Decimal
    remark: str | None = None

    def __attrs_post_init__(self) -> None:
        problems = []
        if not ik_scheme.is_valid(self.ik) or len(self.ik) != 9:
            problems.append(_problem(f"IK {self.ik!r} is not valid", "ik", code="billing.value.ik"))
        if self.period_start > self.period_end:
            problems.append(
                _problem("period starts after it ends", "period_start", code="billing.period.order")
            )
        elif (self.period_start.year, self.period_start.month) != (
            self.period_end.year,
            self.period_end.month,
        ):
            problems.append(
                _problem(
                    "period spans more than one month", "period_end", code="billing.period.month"
                )
            )
        for name in ("quantity", "rate", "amount", "invoice_total"):
            if not isinstance(getattr(self, name), Decimal):
                problems.append(
                    _problem(f"{name} must be a Decimal", name, code="billing.record.type")
                )
        if not problems and line_amount(self.quantity, self.rate) != self.amount:
            problems.append(
                _problem(
                    f"amount {self.amount} is not quantity × rate = "
                    f"{line_amount(self.quantity, self.rate)}",
                    "amount",
                    code="billing.amount.mismatch",
                )
            )
        if problems:
            raise ValidationError("invalid MASS record", problems)

    def to_record(self) -> BillingRecord:
        """The generic record with the column keys of the MASS profiles."""
        return BillingRecord(
            values={
                key: (getattr(self, name).value if name == "unit" else getattr(self, name))
                for key, name in MASS_KEYS.items()
            }
        )

    @classmethod
    def from_record(cls, record: BillingRecord) -> MassRecord:
        """The typed view of a generic record read with a MASS profile."""
        values: dict[str, Any] = {}
        for key, name in MASS_KEYS.items():
            value: Any = record.values.get(key)
            if name == "unit":
                try:
                    value = Unit(value)
                except ValueError as exc:
                    raise ValidationError(
                        "invalid MASS record",
                        [_problem(f"unknown unit {value!r}", "unit", code="billing.value.code")],
                    ) from exc
            values[name] = value
        return cls(**values)


MASS_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "rechnungsnummer": "invoice_number",
        "rechnungsdatum": "invoice_date",
        "ik": "ik",
        "einrichtungsnummer": "facility_number",
        "aktenzeichen": "file_reference",
        "name": "last_name",
        "vorname": "first_name",
        "geburtsdatum": "birth_date",
        "leistungsart": "service_type",
        "zeitraum_von": "period_start",
        "zeitraum_bis": "period_end",
        "menge": "quantity",
        "einheit": "unit",
        "einzelpreis": "rate",
        "betrag": "amount",
        "rechnungsbetrag": "invoice_total",
        "bemerkung": "remark",
    }
)
"""Column key of the MASS profiles → attribute of :class:`MassRecord`."""
