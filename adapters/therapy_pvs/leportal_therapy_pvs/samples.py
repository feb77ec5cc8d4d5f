"""A small, realistic sample (fictitious people, valid identifiers) for the demo, tests and bench."""

from __future__ import annotations

import datetime as dt

from leportal_core.therapy import (
    Address,
    Continuation,
    Discipline,
    Doctor,
    Patient,
    Practice,
    Prescription,
    Recommendation,
    Setting,
    Therapist,
    TherapyReport,
)

__all__ = [
    "sample_doctor",
    "sample_patient",
    "sample_practice",
    "sample_report",
    "sample_therapist",
]


def sample_practice() -> Practice:
    return Practice(
        name="Physiotherapie am Schloßpark",
        ik="460512349",
        discipline=Discipline.PHYSIOTHERAPIE,
        address=Address(street="Schloßstraße 12", postal_code="01067", city="Dresden"),
        phone="0351 1234567",
        kim_address="praxis.schlosspark@physio.kim.telematik",
        support_contact="support@pvs-hersteller.example",
    )


def sample_therapist() -> Therapist:
    return Therapist(name="Jürgen Weiß", profession="Physiotherapeut")


def sample_patient() -> Patient:
    return Patient(
        patient_id="P-4711",
        family_name="Müller-Lüdenscheidt",
        given_name="Käthe",
        birth_date=dt.date(1956, 2, 29),
        kvnr="A123456780",
    )


def sample_doctor(*, kim: bool = True) -> Doctor:
    return Doctor(
        name="Dr. med. Öztürk Çelik",
        address=Address(street="Königsbrücker Straße 5", postal_code="01099", city="Dresden"),
        kim_address="praxis.celik@arzt.kim.telematik" if kim else None,
        lanr="123456601",
    )


def sample_report(report_id: str = "TB-2026-0001", *, kim: bool = True) -> TherapyReport:
    return TherapyReport(
        report_id=report_id,
        created=dt.date(2026, 11, 20),
        practice=sample_practice(),
        therapist=sample_therapist(),
        patient=sample_patient(),
        doctor=sample_doctor(kim=kim),
        prescription=Prescription(
            verordnungsdatum=dt.date(2026, 9, 15),
            icd10_codes=("M54.16", "M51.2"),
            diagnosegruppe="WS",
            leitsymptomatik="Schmerzen und Bewegungsstörung der Lendenwirbelsäule",
            heilmittel=("Krankengymnastik", "Wärmetherapie"),
            behandlungseinheiten=6,
            therapiefrequenz="2x wöchentlich",
            hausbesuch=False,
        ),
        befund=(
            "Eingeschränkte Flexion der LWS (Finger-Boden-Abstand 35 cm), "
            "Druckschmerz paravertebral L4/L5 beidseits, Gangbild unauffällig."
        ),
        therapieverlauf=(
            "Nach sechs Behandlungen deutliche Schmerzlinderung (NRS 7 → 3); "
            "Finger-Boden-Abstand 15 cm. Heimübungsprogramm wird selbstständig durchgeführt."
        ),
        therapieziele="Schmerzfreie Alltagsbewegung, Rückkehr zum Gartenarbeit-Pensum, Stabilität.",
        recommendation=Recommendation(
            continuation=Continuation.FORTSETZEN,
            wiedervorstellung=True,
            other_therapy=None,
            setting=Setting.EINZEL,
            frequency="1x wöchentlich",
            hausbesuch=False,
        ),
    )
