"""The Therapiebericht and its parts, free of any host format.

A therapist (Heilmittelerbringer: Physio-, Ergo-, Stimm-/Sprech-/Sprach- und Schlucktherapie)
writes a report to the prescribing doctor when the Heilmittelverordnung (Muster 13) asks for one
(§ 16 Abs. 7 Heilmittel-Richtlinie, G-BA). No official template exists; the fields here follow the
Verordnung (Verordnungsdatum, ICD-10, Diagnosegruppe, Leitsymptomatik, Heilmittel,
Behandlungseinheiten, Therapiefrequenz, Hausbesuch) and what the AOK PLUS eTherapiebericht asks
(Befund, Therapieverlauf, Therapieziele, Empfehlung). Every class validates on construction and
raises :class:`~leportal_core.errors.ValidationError` with *all* problems (codes ``therapy.*``,
located by JSON pointers matching the JSON report form).
"""

from __future__ import annotations

import datetime as dt
import enum
import re

import attrs

from leportal_core.errors import Problem
from leportal_core.identifiers import ik, kvnr, lanr
from leportal_core.therapy._checks import (
    MAX_TEXT,
    check_email,
    check_identifier,
    check_text,
    problem,
    raise_if,
)
from leportal_core.validation import is_date

__all__ = [
    "Address",
    "Continuation",
    "Discipline",
    "Doctor",
    "Patient",
    "Practice",
    "Prescription",
    "Recommendation",
    "Setting",
    "Therapist",
    "TherapyReport",
]

# ICD-10-GM: letter, two digits, optional dot and up to two more characters (e.g. M54.5, G35.10),
# optionally a Zusatzkennzeichen for Seitenlokalisation/Diagnosesicherheit (R, L, B, G, V, Z, A).
_ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z-]{1,2})?( ?[RLBGVZA]{1,2})?$")
# Diagnosegruppen of the Heilmittelkatalog: WS, EX, ZN, PN, AT, SP1, SO1, EN1, PS2, ... .
_DIAGNOSEGRUPPE = re.compile(r"^[A-Z]{2,3}[0-9]?[a-z]?$")
_POSTAL_CODE = re.compile(r"^[0-9]{5}$")


class Discipline(enum.Enum):
    """Heilmittelbereich of the practice."""

    PHYSIOTHERAPIE = "Physiotherapie"
    ERGOTHERAPIE = "Ergotherapie"
    SPRACHTHERAPIE = "Stimm-, Sprech-, Sprach- und Schlucktherapie"
    PODOLOGIE = "Podologie"
    ERNAEHRUNGSTHERAPIE = "Ernährungstherapie"


class Continuation(enum.Enum):
    """Empfehlung on the course of therapy."""

    FORTSETZEN = "fortsetzen"
    BEENDEN = "beenden"
    PAUSIEREN = "pausieren"


class Setting(enum.Enum):
    """Einzel- oder Gruppentherapie."""

    EINZEL = "Einzeltherapie"
    GRUPPE = "Gruppentherapie"


@attrs.frozen(kw_only=True)
class Address:
    """Postal address (German: five-digit Postleitzahl)."""

    street: str
    postal_code: str
    city: str

    def __attrs_post_init__(self) -> None:
        raise_if(self.problems(), "address")

    def problems(self) -> list[Problem]:
        found = check_text(self.street, "/street") + check_text(self.city, "/city")
        if not isinstance(self.postal_code, str) or not _POSTAL_CODE.match(self.postal_code):
            found.append(
                problem(
                    code="therapy.postal_code.invalid",
                    message="Postleitzahl has 5 digits",
                    pointer="/postal_code",
                )
            )
        return found


@attrs.frozen(kw_only=True)
class Practice:
    """Praxis master data, saved once and pre-filled into every report.

    ``ik`` is the practice's 9-digit Institutionskennzeichen (checked, compact form);
    ``kim_address`` the sender KIM address; ``support_contact`` goes into ``X-KIM-Support``.
    """

    name: str
    ik: str
    discipline: Discipline
    address: Address
    phone: str | None = None
    kim_address: str | None = None
    support_contact: str | None = None

    def __attrs_post_init__(self) -> None:
        found = check_text(self.name, "/name")
        found += check_identifier(
            self.ik, "/ik", ik.validate, code="therapy.ik.invalid", label="IK"
        )
        if self.ik is None:
            found.append(
                problem(code="therapy.required", message="the practice needs its IK", pointer="/ik")
            )
        if not isinstance(self.discipline, Discipline):
            found.append(
                problem(
                    code="therapy.type", message="not a Heilmittelbereich", pointer="/discipline"
                )
            )
        if self.phone is not None:
            found += check_text(self.phone, "/phone", max_length=40)
        found += check_email(self.kim_address, "/kim_address")
        found += check_email(self.support_contact, "/support_contact")
        raise_if(found, "practice")


@attrs.frozen(kw_only=True)
class Therapist:
    """The therapist signing the report."""

    name: str
    profession: str

    def __attrs_post_init__(self) -> None:
        raise_if(
            check_text(self.name, "/name") + check_text(self.profession, "/profession"), "therapist"
        )


@attrs.frozen(kw_only=True)
class Patient:
    """The patient, as the practice software knows them (``patient_id`` = its own number)."""

    patient_id: str
    family_name: str
    given_name: str
    birth_date: dt.date
    kvnr: str | None = None

    def __attrs_post_init__(self) -> None:
        found = check_text(self.patient_id, "/patient_id", max_length=60)
        found += check_text(self.family_name, "/family_name")
        found += check_text(self.given_name, "/given_name")
        if not is_date(self.birth_date):
            found.append(
                problem(
                    code="therapy.type",
                    message="Geburtsdatum must be a date",
                    pointer="/birth_date",
                )
            )
        found += check_identifier(
            self.kvnr, "/kvnr", kvnr.validate, code="therapy.kvnr.invalid", label="KVNR"
        )
        raise_if(found, "patient")


@attrs.frozen(kw_only=True)
class Doctor:
    """The prescribing doctor; without ``kim_address`` the report goes out as a printed flyer."""

    name: str
    address: Address | None = None
    kim_address: str | None = None
    lanr: str | None = None

    def __attrs_post_init__(self) -> None:
        found = check_text(self.name, "/name")
        found += check_email(self.kim_address, "/kim_address")
        found += check_identifier(
            self.lanr, "/lanr", lanr.validate, code="therapy.lanr.invalid", label="LANR"
        )
        raise_if(found, "doctor")


@attrs.frozen(kw_only=True)
class Prescription:
    """The Heilmittelverordnung (Muster 13) the report answers."""

    verordnungsdatum: dt.date
    icd10_codes: tuple[str, ...]
    diagnosegruppe: str
    leitsymptomatik: str
    heilmittel: tuple[str, ...]
    behandlungseinheiten: int
    therapiefrequenz: str
    hausbesuch: bool = False

    def __attrs_post_init__(self) -> None:
        found: list[Problem] = []
        if not is_date(self.verordnungsdatum):
            found.append(
                problem(
                    code="therapy.type",
                    message="Verordnungsdatum must be a date",
                    pointer="/verordnungsdatum",
                )
            )
        if not self.icd10_codes:
            found.append(
                problem(
                    code="therapy.icd10.missing",
                    message="at least one ICD-10 code",
                    pointer="/icd10_codes",
                )
            )
        for index, code in enumerate(self.icd10_codes):
            if not isinstance(code, str) or not _ICD10.match(code):
                found.append(
                    problem(
                        code="therapy.icd10.invalid",
                        message="not an ICD-10-GM code (e.g. M54.5)",
                        pointer=f"/icd10_codes/{index}",
                    )
                )
        if not isinstance(self.diagnosegruppe, str) or not _DIAGNOSEGRUPPE.match(
            self.diagnosegruppe
        ):
            found.append(
                problem(
                    code="therapy.diagnosegruppe.invalid",
                    message="not a Diagnosegruppe (e.g. WS, EX, SP1)",
                    pointer="/diagnosegruppe",
                )
            )
        found += check_text(
            self.leitsymptomatik, "/leitsymptomatik", max_length=2000, multiline=True
        )
        if not self.heilmittel:
            found.append(
                problem(
                    code="therapy.required",
                    message="at least one Heilmittel",
                    pointer="/heilmittel",
                )
            )
        for index, remedy in enumerate(self.heilmittel):
            found += check_text(remedy, f"/heilmittel/{index}")
        units = self.behandlungseinheiten
        if isinstance(units, bool) or not isinstance(units, int) or not 1 <= units <= 99:
            found.append(
                problem(
                    code="therapy.units.invalid",
                    message="Behandlungseinheiten must be 1 to 99",
                    pointer="/behandlungseinheiten",
                )
            )
        found += check_text(self.therapiefrequenz, "/therapiefrequenz", max_length=60)
        if not isinstance(self.hausbesuch, bool):
            found.append(
                problem(
                    code="therapy.type", message="Hausbesuch is yes or no", pointer="/hausbesuch"
                )
            )
        raise_if(found, "prescription")


@attrs.frozen(kw_only=True)
class Recommendation:
    """Empfehlung: continue/stop/pause, Wiedervorstellung, other therapy, setting, frequency,
    Hausbesuch. ``pause_weeks`` only with :attr:`Continuation.PAUSIEREN` (1 to 52)."""

    continuation: Continuation
    pause_weeks: int | None = None
    wiedervorstellung: bool = False
    other_therapy: str | None = None
    setting: Setting = Setting.EINZEL
    frequency: str | None = None
    hausbesuch: bool = False

    def __attrs_post_init__(self) -> None:
        found: list[Problem] = []
        if not isinstance(self.continuation, Continuation):
            found.append(
                problem(code="therapy.type", message="not an Empfehlung", pointer="/continuation")
            )
        if not isinstance(self.setting, Setting):
            found.append(
                problem(code="therapy.type", message="not Einzel/Gruppe", pointer="/setting")
            )
        weeks = self.pause_weeks
        if self.continuation is Continuation.PAUSIEREN:
            if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= 52:
                found.append(
                    problem(
                        code="therapy.pause_weeks.invalid",
                        message="a pause needs 1 to 52 weeks",
                        pointer="/pause_weeks",
                    )
                )
        elif weeks is not None:
            found.append(
                problem(
                    code="therapy.pause_weeks.invalid",
                    message="pause weeks only when pausieren",
                    pointer="/pause_weeks",
                )
            )
        if self.other_therapy is not None:
            found += check_text(
                self.other_therapy, "/other_therapy", max_length=2000, multiline=True
            )
        if self.frequency is not None:
            found += check_text(self.frequency, "/frequency", max_length=60)
        for name in ("wiedervorstellung", "hausbesuch"):
            if not isinstance(getattr(self, name), bool):
                found.append(
                    problem(code="therapy.type", message=f"{name} is yes or no", pointer=f"/{name}")
                )
        raise_if(found, "recommendation")


@attrs.frozen(kw_only=True)
class TherapyReport:
    """One Therapiebericht; ``report_id`` is stable and keys the sending history."""

    report_id: str
    created: dt.date
    practice: Practice
    therapist: Therapist
    patient: Patient
    doctor: Doctor
    prescription: Prescription
    befund: str
    therapieverlauf: str
    therapieziele: str
    recommendation: Recommendation

    def __attrs_post_init__(self) -> None:
        found = check_text(self.report_id, "/report_id", max_length=64)
        if isinstance(self.report_id, str) and not re.fullmatch(r"[A-Za-z0-9._-]*", self.report_id):
            found.append(
                problem(
                    code="therapy.report_id.invalid",
                    message="letters, digits, '.', '_' and '-' only",
                    pointer="/report_id",
                )
            )
        for name in ("befund", "therapieverlauf", "therapieziele"):
            found += check_text(
                getattr(self, name), f"/{name}", max_length=MAX_TEXT, multiline=True
            )
        if not is_date(self.created):
            found.append(
                problem(
                    code="therapy.type", message="Berichtsdatum must be a date", pointer="/created"
                )
            )
        elif isinstance(self.prescription, Prescription):
            if self.created < self.prescription.verordnungsdatum:
                found.append(
                    problem(
                        code="therapy.date.order",
                        message="report dated before the Verordnung",
                        pointer="/created",
                    )
                )
            if isinstance(self.patient, Patient) and (
                self.patient.birth_date > self.prescription.verordnungsdatum
            ):
                found.append(
                    problem(
                        code="therapy.date.order",
                        message="Geburtsdatum after the Verordnungsdatum",
                        pointer="/patient/birth_date",
                    )
                )
        for name, kind in (
            ("practice", Practice),
            ("therapist", Therapist),
            ("patient", Patient),
            ("doctor", Doctor),
            ("prescription", Prescription),
            ("recommendation", Recommendation),
        ):
            if not isinstance(getattr(self, name), kind):
                found.append(
                    problem(
                        code="therapy.type",
                        message=f"expected a {kind.__name__}",
                        pointer=f"/{name}",
                    )
                )
        raise_if(found, "therapy report")
