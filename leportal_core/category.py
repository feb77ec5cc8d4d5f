"""The eVV document categories of the LE-Portal, and the result of classifying a document.

eVV § 4 Abs. 5 (elektronische Vorgangsübermittlungs-Vereinbarung, in force since 01.01.2022)
requires at least one category per document handed to the Medizinischer Dienst: a.
*Krankenhausberichte*, b. *Kurve, Pflege- oder Arzt-Doku*, c. *Technische/Labor-Befunde*,
d. *zusätzliche Unterlagen*. The LE-Portal shows them with its own labels (``label``).
The value ``ZUS`` is leportal's own short form for d.; the eVV names no abbreviation for it.
"""

from __future__ import annotations

import enum

import attrs

__all__ = ["Category", "Classification"]


class Category(enum.Enum):
    """eVV/LE-Portal document category; the value is the short form, ``label`` the portal's text."""

    HOSPITAL_REPORTS = "KHB"
    CHART_AND_CARE_RECORDS = "KPA"
    TECHNICAL_AND_LAB_FINDINGS = "TLB"
    ADDITIONAL = "ZUS"

    @property
    def label(self) -> str:
        """The label the LE-Portal shows for this category."""
        return _LABELS[self][0]

    @property
    def evv_name(self) -> str:
        """The category's name in eVV § 4 Abs. 5."""
        return _LABELS[self][1]


_LABELS = {
    Category.HOSPITAL_REPORTS: ("KH-Berichte", "Krankenhausberichte"),
    Category.CHART_AND_CARE_RECORDS: ("Kurve-Pflege-Arzt-Doku", "Kurve, Pflege- oder Arzt-Doku"),
    Category.TECHNICAL_AND_LAB_FINDINGS: ("Technische-/Laborbefunde", "Technische/Labor-Befunde"),
    Category.ADDITIONAL: ("Zusätzliche Informationen", "zusätzliche Unterlagen"),
}


@attrs.frozen(kw_only=True)
class Classification:
    """Which category a document got, by which ``rule``, and why; ``needs_review`` asks a person
    to look (the fallback to *zusätzliche Unterlagen* always does; so do IHE-D codes that point
    to different categories, which ``candidates`` then names, the chosen one first)."""

    category: Category
    rule: str
    reason: str
    needs_review: bool = False
    candidates: tuple[Category, ...] = ()
