"""Working days per Bundesland and the roll-forward of § 193 BGB.

§ 193 BGB: when the last day of a period falls on a Saturday, a Sunday or a public holiday
recognised at the place of performance (here: the hospital's Bundesland), the period ends on the
next working day. Public holidays come from the ``holidays`` package (``holidays.Germany`` with a
``subdiv``), a maintained library whose German data covers the Länder's own holidays
(e.g. Fronleichnam in HE, Reformationstag in NI, Buß- und Bettag in SN).

Whether § 193 applies to an *Ausschlussfrist* is a legal reading; :func:`roll_forward` is
therefore only called when the caller asks for it (see ``docs/deadlines.md``).

Source: https://www.gesetze-im-internet.de/bgb/__193.html ; https://pypi.org/project/holidays/
"""

from __future__ import annotations

import datetime
import enum
import functools

import attrs
from holidays.countries.germany import Germany

__all__ = ["Bundesland", "Move", "holiday_name", "is_working_day", "roll_forward"]

_WEEKEND = {5: "Samstag", 6: "Sonntag"}


class Bundesland(enum.Enum):
    """The 16 Länder by their ISO 3166-2:DE code (the ``subdiv`` codes of ``holidays``)."""

    BB = "Brandenburg"
    BE = "Berlin"
    BW = "Baden-Württemberg"
    BY = "Bayern"
    HB = "Bremen"
    HE = "Hessen"
    HH = "Hamburg"
    MV = "Mecklenburg-Vorpommern"
    NI = "Niedersachsen"
    NW = "Nordrhein-Westfalen"
    RP = "Rheinland-Pfalz"
    SH = "Schleswig-Holstein"
    SL = "Saarland"
    SN = "Sachsen"
    ST = "Sachsen-Anhalt"
    TH = "Thüringen"


@attrs.frozen(kw_only=True)
class Move:
    """One day the deadline was pushed past, and why, e.g. ``06.04.2026 Ostermontag (HE)``."""

    day: datetime.date
    reason: str

    def __str__(self) -> str:
        return f"{self.day:%d.%m.%Y} {self.reason}"


@functools.lru_cache(maxsize=512)
def _holidays(state: Bundesland, year: int) -> dict[datetime.date, str]:
    # German names ("Ostermontag"), cached per Land and year: the library builds a year at a time.
    calendar = Germany(subdiv=state.name, years=year, language="de")
    return dict(calendar.items())


def holiday_name(day: datetime.date, state: Bundesland) -> str | None:
    """The German name of the public holiday on ``day`` in ``state``, or ``None``.

    >>> holiday_name(datetime.date(2026, 4, 6), Bundesland.HE)
    'Ostermontag'
    """
    return _holidays(state, day.year).get(day)


def is_working_day(day: datetime.date, state: Bundesland) -> bool:
    """Not a Saturday, Sunday or public holiday in ``state`` (the days § 193 BGB skips)."""
    return day.weekday() not in _WEEKEND and holiday_name(day, state) is None


def roll_forward(day: datetime.date, state: Bundesland) -> tuple[datetime.date, tuple[Move, ...]]:
    """The first working day from ``day`` on, with every day skipped and why (§ 193 BGB).

    >>> end, moves = roll_forward(datetime.date(2026, 4, 4), Bundesland.HE)
    >>> end, [str(m) for m in moves]
    (datetime.date(2026, 4, 7), ['04.04.2026 Samstag', '05.04.2026 Sonntag', '06.04.2026 Ostermontag (HE)'])
    """
    moves: list[Move] = []
    while True:
        name = holiday_name(day, state)
        if name is not None:
            moves.append(Move(day=day, reason=f"{name} ({state.name})"))
        elif day.weekday() in _WEEKEND:
            moves.append(Move(day=day, reason=_WEEKEND[day.weekday()]))
        else:
            return day, tuple(moves)
        day += datetime.timedelta(days=1)
