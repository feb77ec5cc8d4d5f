"""A valid report built by hand for the core tests (the adapter has its own sample)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from leportal_core.therapy import (
    Address,
    Continuation,
    Discipline,
    Doctor,
    Patient,
    Practice,
    Prescription,
    Recommendation,
    Therapist,
    TherapyReport,
)

PRACTICE = Practice(
    name="Logopädie Groß",
    ik="401109876",
    discipline=Discipline.SPRACHTHERAPIE,
    address=Address(street="Hauptstraße 1", postal_code="04109", city="Leipzig"),
    kim_address="logo.gross@kim.telematik",
    support_contact="hilfe@pvs.example",
)
THERAPIST = Therapist(name="Anna Groß", profession="Logopädin")


def report(**changes: Any) -> TherapyReport:
    values: dict[str, Any] = {
        "report_id": "R-1",
        "created": dt.date(2026, 5, 4),
        "practice": PRACTICE,
        "therapist": THERAPIST,
        "patient": Patient(
            patient_id="17", family_name="Schütz", given_name="Jörg", birth_date=dt.date(2019, 1, 2)
        ),
        "doctor": Doctor(name="Dr. Weiß", kim_address="dr.weiss@kim.telematik"),
        "prescription": Prescription(
            verordnungsdatum=dt.date(2026, 3, 1),
            icd10_codes=("F80.1",),
            diagnosegruppe="SP1",
            leitsymptomatik="Störung der Artikulation",
            heilmittel=("Sprachtherapie 45 min",),
            behandlungseinheiten=10,
            therapiefrequenz="1x wöchentlich",
        ),
        "befund": "Sigmatismus interdentalis.",
        "therapieverlauf": "Gute Mitarbeit.\nFortschritte bei /s/.",
        "therapieziele": "Korrekte Bildung von /s/ in der Spontansprache.",
        "recommendation": Recommendation(continuation=Continuation.FORTSETZEN),
    }
    values.update(changes)
    return TherapyReport(**values)
