"""Period arithmetic of §§ 187, 188 BGB (applied to social-law periods through § 26 SGB X).

A period that starts with an *event* (the receipt of a letter, § 187 Abs. 1 BGB) does not count
the day of the event. Then (§ 188 BGB):

- a period of **days** ends with the expiry of its last day: event day + *n*;
- a period of **weeks** ends with the day of the last week that has the event day's weekday:
  event day + 7·*n*;
- a period of **months** ends with the day of the last month that has the event day's number;
  when that month is shorter, with its last day (§ 188 Abs. 3): 31.10. + 4 months = 28./29.02.

The roll-forward of § 193 BGB lives in :mod:`leportal_core.deadlines.calendar`.

Source: Bürgerliches Gesetzbuch §§ 187, 188 (https://www.gesetze-im-internet.de/bgb/__187.html,
https://www.gesetze-im-internet.de/bgb/__188.html); § 26 SGB X.

>>> import datetime
>>> period_end(datetime.date(2026, 2, 9), Period(amount=8, unit=Unit.WEEKS))
datetime.date(2026, 4, 6)
>>> period_end(datetime.date(2026, 10, 31), Period(amount=4, unit=Unit.MONTHS))
datetime.date(2027, 2, 28)
"""

from __future__ import annotations

import calendar
import datetime
import enum

import attrs

__all__ = ["Period", "Unit", "add_months", "period_end"]


class Unit(enum.Enum):
    """The unit of a period; values are the German words used in explanations."""

    DAYS = "Tage"
    WEEKS = "Wochen"
    MONTHS = "Monate"


def _positive(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be a positive whole number, got {value!r}")


@attrs.frozen(kw_only=True)
class Period:
    """A length of time in one unit, e.g. 8 Wochen."""

    amount: int = attrs.field(validator=_positive)
    unit: Unit = attrs.field(validator=attrs.validators.instance_of(Unit))

    def __str__(self) -> str:
        singular = {Unit.DAYS: "Tag", Unit.WEEKS: "Woche", Unit.MONTHS: "Monat"}
        return f"{self.amount} {singular[self.unit] if self.amount == 1 else self.unit.value}"


def add_months(start: datetime.date, months: int) -> datetime.date:
    """``start`` moved by ``months`` calendar months, clamped to the month's last day.

    Raises ``OverflowError`` beyond year 9999, like ``datetime`` itself.

    >>> add_months(datetime.date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    """
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise OverflowError("date value out of range")
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(start.day, last))


def period_end(event_day: datetime.date, period: Period) -> datetime.date:
    """The last day of ``period`` started by an event on ``event_day`` (§§ 187 Abs. 1, 188 BGB)."""
    if period.unit is Unit.DAYS:
        return event_day + datetime.timedelta(days=period.amount)
    if period.unit is Unit.WEEKS:
        return event_day + datetime.timedelta(weeks=period.amount)
    return add_months(event_day, period.amount)
