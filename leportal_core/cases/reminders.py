"""Reminders for the MD's on-site audits (Begehung), linked to the audit cases they concern.

A Begehung is the MD's Prüfung vor Ort (§ 276 Abs. 4 SGB V): for each case the MD and the
hospital agree whether it is audited on site or in writing (PrüfvV 2017 § 7 Abs. 1, Abs. 2 S. 1 —
published text). The MD announces the Begehung with a Begehungsliste (domain brief: LE-Portal).

Which cases a Begehungsliste concerns is not in a public source. **Local convention**, optional
by nature: an item of the list that is an identifier of a case of the same hospital —
Aufnahmenummer, MD reference (also the Prüfanzeige's), Rechnungsnummer, Fallnummer der Kasse;
never the KVNR, which names a patient, not a case — links the Begehung to that case. Items that
name no case stay as they are (``unlinked``). Strukturprüfungen are not linked to cases: a case
records no OPS codes; their reminders are per OPS code (``Strukturpruefung.due_by_ops``).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Protocol

import attrs

from leportal_core.cases._checks import CaseValidationError
from leportal_core.cases.aggregates import Begehungsliste
from leportal_core.cases.state import CaseView
from leportal_core.errors import Location, Problem

__all__ = ["BegehungReminder", "begehung_reminders", "begehungen_for_case", "case_identifiers"]


class _Store(Protocol):
    """What the reminders read from a :class:`~leportal_core.cases.CaseStore`."""

    def begehungslisten(self) -> list[tuple[str, Begehungsliste]]: ...

    def find(self, identifier: str) -> list[str]: ...

    def view(self, case_id: str) -> CaseView: ...


@attrs.frozen(kw_only=True)
class BegehungReminder:
    """A Begehung coming up: its day, how many days are left, and the cases it names."""

    begehung_id: str
    hospital_ik: str
    audit_date: datetime.date
    days_left: int
    cases: tuple[tuple[str, str], ...]
    """(item, case id) for every item that is an identifier of one of the hospital's cases."""
    unlinked: tuple[str, ...]
    """Items that name no case (checklist points, or cases the store does not have)."""

    def explain(self) -> str:
        """The reminder for people, in German."""
        lines = [
            f"Begehung (Prüfung vor Ort, § 276 Abs. 4 SGB V) am {self.audit_date:%d.%m.%Y} "
            f"– KH-IK {self.hospital_ik} – noch {self.days_left} Tage",
        ]
        if self.cases:
            lines.append(
                "  Fälle (lokale Zuordnung über Kennungen der Begehungsliste): "
                + ", ".join(f"{item} → {case_id}" for item, case_id in self.cases)
            )
        if self.unlinked:
            lines.append("  weitere Punkte: " + ", ".join(self.unlinked))
        return "\n".join(lines)


def case_identifiers(view: CaseView) -> frozenset[str]:
    """The identifiers by which a Begehungsliste names a case (never the KVNR)."""
    if view.opened is None:
        return frozenset()
    found = set(view.opened.identifiers().values())
    if view.pruefanzeige is not None and view.pruefanzeige.md_reference:
        found.add(view.pruefanzeige.md_reference)
    return frozenset(found)


def _linked(
    store: _Store, item: Begehungsliste
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    cases: list[tuple[str, str]] = []
    unlinked: list[str] = []
    for entry in item.items:
        matches = [
            case_id
            for case_id in store.find(entry)
            if (view := store.view(case_id)).opened is not None
            and view.opened.hospital_ik == item.hospital_ik
            and entry in case_identifiers(view)
        ]
        if matches:
            cases.extend((entry, case_id) for case_id in sorted(matches))
        else:
            unlinked.append(entry)
    return tuple(cases), tuple(unlinked)


def begehung_reminders(
    store: _Store, *, today: datetime.date, within: int = 14
) -> list[BegehungReminder]:
    """Every Begehung from ``today`` up to ``today + within`` days, by audit date, with its cases."""
    if isinstance(within, bool) or not isinstance(within, int) or not 0 <= within <= 3660:
        message = "within must be a whole number of days from 0 to 3660"
        raise CaseValidationError(
            message,
            [Problem(code="cases.query.days", message=message, location=Location(field="within"))],
        )
    last = today + datetime.timedelta(days=within)
    reminders = []
    for begehung_id, item in store.begehungslisten():
        if not today <= item.audit_date <= last:
            continue
        cases, unlinked = _linked(store, item)
        reminders.append(
            BegehungReminder(
                begehung_id=begehung_id,
                hospital_ik=item.hospital_ik,
                audit_date=item.audit_date,
                days_left=(item.audit_date - today).days,
                cases=cases,
                unlinked=unlinked,
            )
        )
    return reminders


def begehungen_for_case(store: _Store, case_id: str) -> Sequence[tuple[str, Begehungsliste]]:
    """The Begehungen whose list names this case (same hospital, by one of its identifiers)."""
    view = store.view(case_id)
    names = case_identifiers(view)
    if view.opened is None or not names:
        return []
    return [
        (begehung_id, item)
        for begehung_id, item in store.begehungslisten()
        if item.hospital_ik == view.opened.hospital_ik and names.intersection(item.items)
    ]
