"""Working days per Bundesland and the roll-forward of § 193 BGB.

§ 193 BGB: when the last day of a period falls on a Saturday, a Sunday or a public holiday
recognised at the place of performance (here: the hospital's Bundesland), the period ends on the
next working day. Public holidays come from the ``holidays`` package (``holidays.Germany`` with a
``subdiv``), a maintained library whose German data covers the Länder's own holidays
(e.g. Fronleichnam in HE, Reformationstag in NI, Buß- und Bettag in SN).

Some holidays are kept only in parts of a Land: Mariä Himmelfahrt in Bavarian municipalities
with a Catholic majority, the Augsburger Hohes Friedensfest in the city of Augsburg, Fronleichnam
in some municipalities of Saxony and Thuringia. ``holidays`` knows them as the ``catholic``
category of BY, SN and TH and as the subdivision ``Augsburg``; which municipality keeps them is
not in the library. A :class:`Place` says it: the hospital gives its municipality (AGS or name);
the few municipalities in :data:`MUNICIPALITIES` are resolved from the table, any other one
needs ``catholic=True/False`` from the host (the official lists are the Länder's: BayFTG Art. 1
Abs. 1 Nr. 2 with the Landesamt für Statistik's list, SächsSFG § 1 Abs. 2 with its Verordnung,
ThürFtG § 2 Abs. 2). Without a municipality the Land's calendar applies (as before).

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

__all__ = [
    "MUNICIPALITIES",
    "Bundesland",
    "Move",
    "Place",
    "holiday_name",
    "is_working_day",
    "place_for",
    "roll_forward",
]

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


_CATHOLIC_LANDS = frozenset({"BY", "SN", "TH"})


@attrs.frozen(kw_only=True)
class Place:
    """The place of performance for § 193 BGB: a Land, optionally narrowed to a municipality.

    ``catholic`` means the municipality keeps the Land's holidays of the ``catholic`` category
    of ``holidays`` (BY: Mariä Himmelfahrt; SN, TH: Fronleichnam); ``augsburg`` the city of
    Augsburg (Augsburger Hohes Friedensfest, Mariä Himmelfahrt).
    """

    state: Bundesland
    municipality: str = ""
    catholic: bool = False
    augsburg: bool = False

    @property
    def code(self) -> str:
        """Short label used in moves, e.g. ``HE`` or ``BY, Augsburg``."""
        return f"{self.state.name}, {self.municipality}" if self.municipality else self.state.name

    @property
    def calendar(self) -> str:
        """Which holiday calendar is used, for explanations."""
        base = f"Feiertage {self.state.value} ({self.state.name})"
        if self.augsburg:
            return (
                base
                + f", Gemeinde {self.municipality}: Augsburger Hohes Friedensfest, Mariä Himmelfahrt"
            )
        if self.catholic and self.state.name in _CATHOLIC_LANDS:
            extra = "Mariä Himmelfahrt" if self.state is Bundesland.BY else "Fronleichnam"
            return base + f", Gemeinde {self.municipality}: {extra}"
        if self.municipality:
            return base + f", Gemeinde {self.municipality}: keine zusätzlichen Feiertage"
        return base + " (Landeskalender)"


MUNICIPALITIES: dict[str, tuple[str, Bundesland, bool, bool]] = {
    # AGS: (name, Land, catholic, augsburg). Only municipalities whose status is well known;
    # any other municipality needs ``catholic`` from the host.
    "09761000": ("Augsburg", Bundesland.BY, True, True),
    "09162000": ("München", Bundesland.BY, True, False),
    "09564000": ("Nürnberg", Bundesland.BY, False, False),
}
"""Municipalities resolved without the host's help, by AGS (Amtlicher Gemeindeschlüssel)."""


def place_for(state: Bundesland, municipality: str = "", *, catholic: bool | None = None) -> Place:
    """The place for a Land and an optional municipality (AGS or name).

    A municipality in :data:`MUNICIPALITIES` is resolved from it; ``catholic`` given by the
    host wins. An unknown municipality without ``catholic`` keeps the Land's calendar.

    >>> place_for(Bundesland.BY, "Augsburg").calendar
    'Feiertage Bayern (BY), Gemeinde Augsburg: Augsburger Hohes Friedensfest, Mariä Himmelfahrt'
    """
    wanted = municipality.strip()
    for ags, (name, land, is_catholic, augsburg) in MUNICIPALITIES.items():
        if land is state and wanted.casefold() in (ags, name.casefold()):
            return Place(
                state=state,
                municipality=name,
                catholic=is_catholic if catholic is None else catholic,
                augsburg=augsburg,
            )
    return Place(state=state, municipality=wanted, catholic=bool(catholic) and bool(wanted))


def _as_place(where: Bundesland | Place) -> Place:
    return where if isinstance(where, Place) else Place(state=where)


@functools.lru_cache(maxsize=1024)
def _holidays(subdiv: str, catholic: bool, year: int) -> dict[datetime.date, str]:
    # German names ("Ostermontag"), cached per calendar and year: the library builds a year at a time.
    categories = ("public", "catholic") if catholic else ("public",)
    calendar = Germany(subdiv=subdiv, years=year, language="de", categories=categories)
    return dict(calendar.items())


def holiday_name(day: datetime.date, where: Bundesland | Place) -> str | None:
    """The German name of the public holiday on ``day`` at ``where``, or ``None``.

    >>> holiday_name(datetime.date(2026, 4, 6), Bundesland.HE)
    'Ostermontag'
    >>> holiday_name(datetime.date(2026, 8, 8), place_for(Bundesland.BY, "09761000"))
    'Augsburger Hohes Friedensfest'
    """
    place = _as_place(where)
    subdiv = "Augsburg" if place.augsburg else place.state.name
    catholic = place.catholic and place.state.name in _CATHOLIC_LANDS
    return _holidays(subdiv, catholic, day.year).get(day)


def is_working_day(day: datetime.date, where: Bundesland | Place) -> bool:
    """Not a Saturday, Sunday or public holiday at ``where`` (the days § 193 BGB skips)."""
    return day.weekday() not in _WEEKEND and holiday_name(day, where) is None


def roll_forward(
    day: datetime.date, where: Bundesland | Place
) -> tuple[datetime.date, tuple[Move, ...]]:
    """The first working day from ``day`` on, with every day skipped and why (§ 193 BGB).

    >>> end, moves = roll_forward(datetime.date(2026, 4, 4), Bundesland.HE)
    >>> end, [str(m) for m in moves]
    (datetime.date(2026, 4, 7), ['04.04.2026 Samstag', '05.04.2026 Sonntag', '06.04.2026 Ostermontag (HE)'])
    """
    place = _as_place(where)
    moves: list[Move] = []
    while True:
        name = holiday_name(day, place)
        if name is not None:
            moves.append(Move(day=day, reason=f"{name} ({place.code})"))
        elif day.weekday() in _WEEKEND:
            moves.append(Move(day=day, reason=_WEEKEND[day.weekday()]))
        else:
            return day, tuple(moves)
        day += datetime.timedelta(days=1)
