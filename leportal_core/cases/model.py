"""The audit case (Prüfverfahren) of the Medizinischer Dienst and the steps that change it.

Each step is a small frozen value validated on construction; every problem is reported at once in
a :class:`~leportal_core.cases.CaseValidationError`. Field names follow the letters the MD sends
(Prüfanzeige, Unterlagenanforderung, Gutachten) and the § 301 SGB V data set.

Sources: ``docs/cases.md``; § 275c SGB V; PrüfvV 2022 § 4 (a Prüfanzeige names its
Prüfgegenstand, else it is no valid Prüfanzeige — public summaries); § 301 SGB V
Datenaustausch, Schlüssel 30 (Prüfgegenstände PF000, SF000, KP000, FV000, KL000).
"""

from __future__ import annotations

import datetime
import enum
import re

import attrs

from leportal_core.cases._checks import Checker
from leportal_core.deadlines.calendar import Bundesland, Place, place_for
from leportal_core.identifiers import ik, kvnr

__all__ = [
    "CaseClosed",
    "CaseOpened",
    "Delivery",
    "EroerterungAnswered",
    "EroerterungEnded",
    "EroerterungStarted",
    "FalldialogEnded",
    "FalldialogRequested",
    "Gutachten",
    "ItemsWaived",
    "Leistungsentscheidung",
    "Pruefanzeige",
    "Pruefeinleitung",
    "Pruefgegenstand",
    "Stay",
    "Step",
    "Unterlagenanforderung",
]

_DEPARTMENT = re.compile(r"^[0-9]{4}( .{1,80})?$")


class Pruefgegenstand(enum.Enum):
    """What the audit examines, by its § 301 code (Schlüssel 30); the value is the German name."""

    PF000 = "primäre Fehlbelegung"
    SF000 = "sekundäre Fehlbelegung"
    KP000 = "Kodierprüfung"
    FV000 = "Voraussetzungen bestimmter Maßnahmen"
    KL000 = "Freitext"


@attrs.frozen(kw_only=True)
class Stay:
    """The hospital stay: Behandlung von/bis and the aufnehmende Fachabteilung (e.g. ``0300 Kardiologie``)."""

    admitted: datetime.date
    discharged: datetime.date | None = None
    department: str = ""

    def __attrs_post_init__(self) -> None:
        check = Checker("stay")
        check.date(self.admitted, "stay.admitted")
        if self.discharged is not None:
            check.date(self.discharged, "stay.discharged")
            check.order(
                self.admitted, self.discharged, "stay.discharged", "discharge before admission"
            )
        check.text(self.department, "stay.department", required=False, max_len=85)
        if (
            isinstance(self.department, str)
            and self.department
            and not _DEPARTMENT.match(self.department)
        ):
            check.add(
                "cases.department.format",
                "Fachabteilung must start with its 4-digit key, e.g. '0300 Kardiologie'",
                "stay.department",
            )
        check.done()


@attrs.frozen(kw_only=True)
class CaseOpened:
    """A case is created: identifiers, IKs, patient, stay, invoice and Bundesland of the hospital.

    ``invoice_received`` is the day the invoice reached the Kasse (start of the 4-month
    Prüfeinleitungsfrist, 6 weeks before 2020); ``roll_forward`` switches § 193 BGB for this
    case's deadlines. ``municipality`` (AGS or name) narrows the place of performance for § 193
    BGB; ``catholic_holidays`` says whether it keeps the Land's local holidays when the table
    of :mod:`leportal_core.deadlines.calendar` does not know it.
    """

    case_number: str
    hospital_ik: str
    kasse_ik: str
    kvnr: str
    stay: Stay
    state: Bundesland
    invoice_number: str = ""
    invoice_date: datetime.date | None = None
    invoice_received: datetime.date | None = None
    md_reference: str = ""
    kasse_case_number: str = ""
    roll_forward: bool = True
    municipality: str = ""
    catholic_holidays: bool | None = None

    @property
    def place(self) -> Place:
        """The place of performance for § 193 BGB."""
        return place_for(self.state, self.municipality, catholic=self.catholic_holidays)

    def __attrs_post_init__(self) -> None:
        check = Checker("case")
        check.text(self.municipality, "municipality", required=False, max_len=80)
        if self.catholic_holidays is not None and not isinstance(self.catholic_holidays, bool):
            check.add(
                "cases.field.type", "catholic_holidays must be true or false", "catholic_holidays"
            )
        check.text(self.case_number, "case_number", max_len=40)
        check.identifier(self.hospital_ik, ik.validate, "hospital_ik")
        check.identifier(self.kasse_ik, ik.validate, "kasse_ik")
        check.identifier(self.kvnr, kvnr.validate, "kvnr")
        if not isinstance(self.stay, Stay):
            check.add("cases.field.type", "stay must be a Stay", "stay")
        if not isinstance(self.state, Bundesland):
            check.add("cases.field.type", "state must be a Bundesland", "state")
        check.text(self.invoice_number, "invoice_number", required=False, max_len=20)
        check.text(self.md_reference, "md_reference", required=False, max_len=40)
        check.text(self.kasse_case_number, "kasse_case_number", required=False, max_len=17)
        for field in ("invoice_date", "invoice_received"):
            if getattr(self, field) is not None:
                check.date(getattr(self, field), field)
        check.order(
            self.invoice_date,
            self.invoice_received,
            "invoice_received",
            "invoice received before it was dated",
        )
        if not isinstance(self.roll_forward, bool):
            check.add("cases.field.type", "roll_forward must be true or false", "roll_forward")
        check.done()

    def identifiers(self) -> dict[str, str]:
        """Every identifier a host may look the case up by, keyed by its kind."""
        found = {
            "case_number": self.case_number,
            "md_reference": self.md_reference,
            "invoice_number": self.invoice_number,
            "kasse_case_number": self.kasse_case_number,
        }
        return {kind: value for kind, value in found.items() if value}


def _check_items(check: Checker, items: object, what: str) -> None:
    if not isinstance(items, tuple) or not all(isinstance(i, Pruefgegenstand) for i in items):
        check.add("cases.field.type", "items must be Prüfgegenstände", "items")
    elif not items:
        check.add(
            "cases.pruefanzeige.no_item",
            f"a {what} without Prüfgegenstand is not valid (§ 4 PrüfvV)",
            "items",
        )
    elif len(set(items)) != len(items):
        check.add("cases.pruefanzeige.duplicate_item", "a Prüfgegenstand is named twice", "items")


@attrs.frozen(kw_only=True)
class Pruefeinleitung:
    """The Kasse starts the audit and tells the hospital the Prüfgegenstände
    (§ 275c Abs. 1 SGB V; § 4 PrüfvV). ``received`` is the day it reached the hospital; it
    starts the Falldialog and the MD commission periods."""

    received: datetime.date
    items: tuple[Pruefgegenstand, ...]
    question: str = ""

    def __attrs_post_init__(self) -> None:
        check = Checker("Prüfeinleitung")
        check.date(self.received, "received")
        _check_items(check, self.items, "Prüfeinleitung")
        check.text(self.question, "question", required=False, max_len=2000)
        check.done()


@attrs.frozen(kw_only=True)
class Pruefanzeige:
    """The MD announces its commission (§ 6 PrüfvV); without a Prüfgegenstand it is no valid
    Prüfanzeige. ``transmitted`` is the day the MD sent it (PrüfvV 2017 § 8 S. 3 counts the
    Kasse's decision period from it); ``received`` the day it reached the hospital."""

    received: datetime.date
    items: tuple[Pruefgegenstand, ...]
    question: str = ""
    md_reference: str = ""
    transmitted: datetime.date | None = None

    def __attrs_post_init__(self) -> None:
        check = Checker("Prüfanzeige")
        check.date(self.received, "received")
        if self.transmitted is not None:
            check.date(self.transmitted, "transmitted")
            check.order(
                self.transmitted, self.received, "received", "received before it was transmitted"
            )
        _check_items(check, self.items, "Prüfanzeige")
        check.text(self.question, "question", required=False, max_len=2000)
        check.text(self.md_reference, "md_reference", required=False, max_len=40)
        check.done()


def _check_texts(check: Checker, values: object, field: str) -> None:
    if not isinstance(values, tuple):
        check.add("cases.field.type", f"{field} must be a tuple of texts", field)
        return
    for index, item in enumerate(values):
        check.text(item, f"{field}[{index}]")
    if len(set(values)) != len(values):
        check.add("cases.items.duplicate", f"{field} names an item twice", field)


@attrs.frozen(kw_only=True)
class Unterlagenanforderung:
    """The MD asks for documents; this request's own 8-week Ausschlussfrist runs from ``received``.

    ``reference`` identifies the request (the MD's Vorgang, as in
    :class:`~leportal_core.delivery.DeliveryRequest`); without one the case calls it ``A<n>``
    after its event number. ``items`` are the requested documents (ids or labels).
    """

    received: datetime.date
    items: tuple[str, ...] = ()
    reference: str = ""

    def __attrs_post_init__(self) -> None:
        check = Checker("Unterlagenanforderung")
        check.date(self.received, "received")
        _check_texts(check, self.items, "items")
        check.text(self.reference, "reference", required=False, max_len=128)
        check.done()


@attrs.frozen(kw_only=True)
class Delivery:
    """Documents were delivered to the MD; the delivery itself is kept by the documents component.

    ``request`` names the Unterlagenanforderung it answers (its reference or ``A<n>``) and
    ``covers`` the requested items it contains; build both from a delivery plan with
    :func:`leportal_core.cases.delivery_from_plan`. A delivery naming no items discharges only
    a request that named none. In the Erörterungsverfahren a delivery answers
    ``eroerterung_documents``.
    """

    delivered: datetime.date
    delivery_id: str
    request: str = ""
    covers: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        check = Checker("delivery")
        check.date(self.delivered, "delivered")
        check.text(self.delivery_id, "delivery_id", max_len=100)
        check.text(self.request, "request", required=False, max_len=128)
        _check_texts(check, self.covers, "covers")
        check.done()


@attrs.frozen(kw_only=True)
class ItemsWaived:
    """Requested items the hospital will not deliver, with the reason (e.g. the MD withdrew
    them, or they do not exist); waived items no longer keep the request open."""

    waived: datetime.date
    request: str
    items: tuple[str, ...]
    reason: str

    def __attrs_post_init__(self) -> None:
        check = Checker("waiver")
        check.date(self.waived, "waived")
        check.text(self.request, "request", max_len=128)
        _check_texts(check, self.items, "items")
        if isinstance(self.items, tuple) and not self.items:
            check.add("cases.waiver.no_item", "name at least one waived item", "items")
        check.text(self.reason, "reason", max_len=500)
        check.done()


@attrs.frozen(kw_only=True)
class Gutachten:
    """The MD's expert opinion arrived; ``reduction`` says whether it reduces the bill."""

    received: datetime.date
    reduction: bool
    summary: str = ""

    def __attrs_post_init__(self) -> None:
        check = Checker("Gutachten")
        check.date(self.received, "received")
        if not isinstance(self.reduction, bool):
            check.add("cases.field.type", "reduction must be true or false", "reduction")
        check.text(self.summary, "summary", required=False, max_len=2000)
        check.done()


@attrs.frozen(kw_only=True)
class Leistungsentscheidung:
    """The Kasse's decision after the Gutachten reached the hospital; the Erörterung may follow."""

    received: datetime.date
    reduction: bool

    def __attrs_post_init__(self) -> None:
        check = Checker("Leistungsentscheidung")
        check.date(self.received, "received")
        if not isinstance(self.reduction, bool):
            check.add("cases.field.type", "reduction must be true or false", "reduction")
        check.done()


@attrs.frozen(kw_only=True)
class FalldialogRequested:
    """One side asked for a Falldialog (PrüfvV 2022); the answer is due in 2 weeks."""

    received: datetime.date

    def __attrs_post_init__(self) -> None:
        check = Checker("Falldialog")
        check.date(self.received, "received")
        check.done()


@attrs.frozen(kw_only=True)
class FalldialogEnded:
    """The Falldialog ended, with or without agreement."""

    ended: datetime.date
    agreement: bool

    def __attrs_post_init__(self) -> None:
        check = Checker("Falldialog")
        check.date(self.ended, "ended")
        if not isinstance(self.agreement, bool):
            check.add("cases.field.type", "agreement must be true or false", "agreement")
        check.done()


@attrs.frozen(kw_only=True)
class EroerterungStarted:
    """The hospital disputes the Kasse's decision: the Erörterungsverfahren (§ 9 PrüfvV) begins."""

    started: datetime.date

    def __attrs_post_init__(self) -> None:
        check = Checker("Erörterungsverfahren")
        check.date(self.started, "started")
        check.done()


@attrs.frozen(kw_only=True)
class EroerterungAnswered:
    """The Kasse answered the hospital's dispute in the Erörterungsverfahren."""

    received: datetime.date

    def __attrs_post_init__(self) -> None:
        check = Checker("Erörterungsverfahren")
        check.date(self.received, "received")
        check.done()


@attrs.frozen(kw_only=True)
class EroerterungEnded:
    """The Erörterungsverfahren ended, with or without agreement."""

    ended: datetime.date
    agreement: bool

    def __attrs_post_init__(self) -> None:
        check = Checker("Erörterungsverfahren")
        check.date(self.ended, "ended")
        if not isinstance(self.agreement, bool):
            check.add("cases.field.type", "agreement must be true or false", "agreement")
        check.done()


@attrs.frozen(kw_only=True)
class CaseClosed:
    """The case is finished (paid, reduced, withdrawn, …); nothing may follow."""

    closed: datetime.date
    reason: str

    def __attrs_post_init__(self) -> None:
        check = Checker("closing")
        check.date(self.closed, "closed")
        check.text(self.reason, "reason", max_len=500)
        check.done()


Step = (
    CaseOpened
    | Pruefeinleitung
    | Pruefanzeige
    | Unterlagenanforderung
    | Delivery
    | ItemsWaived
    | EroerterungAnswered
    | Gutachten
    | Leistungsentscheidung
    | FalldialogRequested
    | FalldialogEnded
    | EroerterungStarted
    | EroerterungEnded
    | CaseClosed
)
"""Any step a case event can carry."""
