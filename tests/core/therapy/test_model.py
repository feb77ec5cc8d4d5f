"""The therapy model validates on construction and reports every problem with a pointer."""

from __future__ import annotations

import datetime as dt

import pytest

from leportal_core.errors import ValidationError
from leportal_core.therapy import (
    Address,
    Continuation,
    Discipline,
    Patient,
    Practice,
    Prescription,
    Recommendation,
)
from tests.core.therapy.sample import PRACTICE, report


def codes(exc: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str | None]]:
    return [(p.code, p.location.pointer) for p in exc.value.problems]


def test_valid_report_constructs() -> None:
    assert report().practice.ik == "401109876"


def test_practice_collects_every_problem() -> None:
    address = Address(street="Hauptstraße 1", postal_code="04109", city="Leipzig")
    with pytest.raises(ValidationError) as exc:
        Practice(
            name=" ",
            ik="401109877",
            discipline=Discipline.PHYSIOTHERAPIE,
            address=address,
            kim_address="no-at-sign",
        )
    assert codes(exc) == [
        ("therapy.text.empty", "/name"),
        ("therapy.ik.invalid", "/ik"),
        ("therapy.address.invalid", "/kim_address"),
    ]


def test_ik_must_be_compact() -> None:
    with pytest.raises(ValidationError) as exc:
        Practice(
            name="X",
            ik="40 11 0987 6",
            discipline=Discipline.ERGOTHERAPIE,
            address=PRACTICE.address,
        )
    assert codes(exc) == [("therapy.ik.invalid", "/ik")]


def test_address_postal_code() -> None:
    with pytest.raises(ValidationError) as exc:
        Address(street="A", postal_code="1234", city="B")
    assert codes(exc) == [("therapy.postal_code.invalid", "/postal_code")]


def test_prescription_problems() -> None:
    with pytest.raises(ValidationError) as exc:
        Prescription(
            verordnungsdatum=dt.date(2026, 1, 1),
            icd10_codes=("M54.5", "54.5"),
            diagnosegruppe="ws",
            leitsymptomatik="x",
            heilmittel=(),
            behandlungseinheiten=0,
            therapiefrequenz="1x\x07",
        )
    assert codes(exc) == [
        ("therapy.icd10.invalid", "/icd10_codes/1"),
        ("therapy.diagnosegruppe.invalid", "/diagnosegruppe"),
        ("therapy.required", "/heilmittel"),
        ("therapy.units.invalid", "/behandlungseinheiten"),
        ("therapy.text.characters", "/therapiefrequenz"),
    ]


def test_prescription_needs_a_diagnosis() -> None:
    with pytest.raises(ValidationError) as exc:
        Prescription(
            verordnungsdatum=dt.date(2026, 1, 1),
            icd10_codes=(),
            diagnosegruppe="EX",
            leitsymptomatik="x",
            heilmittel=("KG",),
            behandlungseinheiten=6,
            therapiefrequenz="2x",
        )
    assert codes(exc) == [("therapy.icd10.missing", "/icd10_codes")]


@pytest.mark.parametrize(
    ("continuation", "weeks", "ok"),
    [
        (Continuation.PAUSIEREN, 4, True),
        (Continuation.PAUSIEREN, None, False),
        (Continuation.PAUSIEREN, 53, False),
        (Continuation.BEENDEN, 2, False),
        (Continuation.BEENDEN, None, True),
    ],
)
def test_pause_weeks_only_with_pause(
    continuation: Continuation, weeks: int | None, ok: bool
) -> None:
    if ok:
        assert Recommendation(continuation=continuation, pause_weeks=weeks).pause_weeks == weeks
    else:
        with pytest.raises(ValidationError) as exc:
            Recommendation(continuation=continuation, pause_weeks=weeks)
        assert codes(exc) == [("therapy.pause_weeks.invalid", "/pause_weeks")]


def test_report_dates_in_order() -> None:
    with pytest.raises(ValidationError) as exc:
        report(
            created=dt.date(2026, 2, 1),
            patient=Patient(
                patient_id="1", family_name="A", given_name="B", birth_date=dt.date(2026, 4, 1)
            ),
        )
    assert codes(exc) == [
        ("therapy.date.order", "/created"),
        ("therapy.date.order", "/patient/birth_date"),
    ]


def test_report_id_characters_and_text_limits() -> None:
    with pytest.raises(ValidationError) as exc:
        report(report_id="a/b", befund="x" * 20_001)
    assert codes(exc) == [
        ("therapy.report_id.invalid", "/report_id"),
        ("therapy.text.too_long", "/befund"),
    ]


def test_single_line_fields_reject_line_breaks_but_texts_allow_them() -> None:
    assert "\n" in report().therapieverlauf
    with pytest.raises(ValidationError) as exc:
        Patient(patient_id="1", family_name="A\nB", given_name="C", birth_date=dt.date(2000, 1, 1))
    assert codes(exc) == [("therapy.text.characters", "/family_name")]


def test_patient_kvnr_checked() -> None:
    with pytest.raises(ValidationError) as exc:
        Patient(
            patient_id="1",
            family_name="A",
            given_name="B",
            birth_date=dt.date(2000, 1, 1),
            kvnr="A123456789",
        )
    assert codes(exc) == [("therapy.kvnr.invalid", "/kvnr")]
