"""Two small aggregates next to the audit case: the *Begehungsliste* and the *Strukturprüfung*.

- A **Begehungsliste** is the MD's list for an on-site audit (Begehung): date and items.
- A **Strukturprüfung** (§ 275d SGB V; since 24.05.2025 the LOPS-RL, § 275a SGB V) checks the OPS
  structural criteria of one Standort: one application per OPS code with the Standortnummer, a
  Selbstauskunft and evidence documents, repeated every 2 or 3 years.

The Standortnummer is checked for its published shape (9 digits, beginning with ``77``, from the
Standortverzeichnis of InEK/DKG); OPS codes for the shape of the BfArM OPS (``8-98f``,
``8-550.1``).
"""

from __future__ import annotations

import datetime
import re

import attrs

from leportal_core.cases._checks import Checker
from leportal_core.deadlines.periods import add_months
from leportal_core.identifiers import ik

__all__ = ["Begehungsliste", "Strukturpruefung"]

_STANDORT = re.compile(r"^77[0-9]{7}$")
_OPS = re.compile(r"^[1-9]-[0-9]{2}[0-9a-z](\.[0-9a-z]{1,2})?$")


@attrs.frozen(kw_only=True)
class Begehungsliste:
    """The MD's list for an on-site audit (Begehung) at a hospital."""

    hospital_ik: str
    received: datetime.date
    audit_date: datetime.date
    items: tuple[str, ...]

    def __attrs_post_init__(self) -> None:
        check = Checker("Begehungsliste")
        check.identifier(self.hospital_ik, ik.validate, "hospital_ik")
        check.date(self.received, "received")
        check.date(self.audit_date, "audit_date")
        if not isinstance(self.items, tuple) or not self.items:
            check.add("cases.begehung.no_item", "a Begehungsliste needs at least one item", "items")
        else:
            for index, item in enumerate(self.items):
                check.text(item, f"items[{index}]", max_len=500)
        check.done()


@attrs.frozen(kw_only=True)
class Strukturpruefung:
    """A Strukturprüfung of one Standort for the given OPS codes, recurring every 2 or 3 years."""

    standortnummer: str
    ops_codes: tuple[str, ...]
    evidence: tuple[str, ...]
    recurrence_years: int
    last_checked: datetime.date
    ops_recurrence: tuple[tuple[str, int], ...] = ()
    """Per-OPS recurrence where a code differs from ``recurrence_years``, e.g. ``(("8-98f", 3),)``."""

    def __attrs_post_init__(self) -> None:
        check = Checker("Strukturprüfung")
        if not isinstance(self.standortnummer, str) or not _STANDORT.match(self.standortnummer):
            check.add(
                "cases.struktur.standort",
                "Standortnummer must be 9 digits beginning with 77",
                "standortnummer",
            )
        if not isinstance(self.ops_codes, tuple) or not self.ops_codes:
            check.add("cases.struktur.no_ops", "name at least one OPS code", "ops_codes")
        else:
            for index, code in enumerate(self.ops_codes):
                if not isinstance(code, str) or not _OPS.match(code):
                    check.add(
                        "cases.struktur.ops",
                        f"{code!r} is not an OPS code like '8-98f' or '8-550.1'",
                        f"ops_codes[{index}]",
                    )
        if not isinstance(self.evidence, tuple):
            check.add("cases.field.type", "evidence must be a tuple of document ids", "evidence")
        else:
            for index, item in enumerate(self.evidence):
                check.text(item, f"evidence[{index}]", max_len=100)
        if self.recurrence_years not in (2, 3) or isinstance(self.recurrence_years, bool):
            check.add(
                "cases.struktur.recurrence",
                "a Strukturprüfung recurs every 2 or 3 years",
                "recurrence_years",
            )
        check.date(self.last_checked, "last_checked")
        if not isinstance(self.ops_recurrence, tuple):
            check.add(
                "cases.field.type",
                "ops_recurrence must be (OPS code, years) pairs",
                "ops_recurrence",
            )
        else:
            for index, pair in enumerate(self.ops_recurrence):
                if (
                    not isinstance(pair, tuple)
                    or len(pair) != 2
                    or pair[0] not in (self.ops_codes or ())
                    or pair[1] not in (2, 3)
                    or isinstance(pair[1], bool)
                ):
                    check.add(
                        "cases.struktur.recurrence",
                        "each per-OPS recurrence names one of the OPS codes and 2 or 3 years",
                        f"ops_recurrence[{index}]",
                    )
        check.done()

    def due_by_ops(self) -> tuple[tuple[str, datetime.date], ...]:
        """When each OPS code is due next (its own recurrence, else ``recurrence_years``)."""
        own = dict(self.ops_recurrence)
        return tuple(
            (code, add_months(self.last_checked, 12 * own.get(code, self.recurrence_years)))
            for code in self.ops_codes
        )

    @property
    def next_due(self) -> datetime.date:
        """When the next Strukturprüfung is due: the earliest OPS code (§ 188 BGB month
        arithmetic)."""
        return min(day for _, day in self.due_by_ops())
