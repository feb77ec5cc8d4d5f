"""Validation of case steps and aggregates: every problem is reported at once."""

from __future__ import annotations

import datetime

import pytest

from leportal_core.cases import (
    Begehungsliste,
    CaseValidationError,
    Pruefanzeige,
    Pruefgegenstand,
    Stay,
    Strukturpruefung,
    Unterlagenanforderung,
)
from leportal_core.cases.events import EventKind, kind_of, step_from_json, step_to_json

from .conftest import opened

D = datetime.date


def test_a_good_case_lists_its_identifiers() -> None:
    case = opened(md_reference="MD-1")
    assert case.identifiers() == {
        "case_number": "F-2026-000123",
        "md_reference": "MD-1",
        "invoice_number": "R-4711",
        "kasse_case_number": "KK-99",
    }


def test_bad_iks_and_kvnr_are_all_reported() -> None:
    with pytest.raises(CaseValidationError) as caught:
        opened(hospital_ik="260326823", kasse_ik="12", kvnr="A123456781", case_number=" ")
    codes = {(p.code, p.location.field) for p in caught.value.problems}
    assert codes == {
        ("cases.field.empty", "case_number"),
        ("ik.checksum", "hospital_ik"),
        ("ik.length", "kasse_ik"),
        ("kvnr.checksum", "kvnr"),
    }


def test_identifiers_must_be_compact() -> None:
    with pytest.raises(CaseValidationError) as caught:
        opened(hospital_ik="26 03 26 822")
    assert caught.value.code == "cases.field.format"


def test_invoice_received_before_its_date_is_rejected() -> None:
    with pytest.raises(CaseValidationError) as caught:
        opened(invoice_date=D(2026, 2, 1), invoice_received=D(2026, 1, 1))
    assert caught.value.code == "cases.date.order"


def test_stay_checks() -> None:
    with pytest.raises(CaseValidationError) as caught:
        Stay(admitted=D(2026, 1, 5), discharged=D(2026, 1, 1), department="Kardiologie")
    assert {p.code for p in caught.value.problems} == {
        "cases.date.order",
        "cases.department.format",
    }


def test_pruefanzeige_without_pruefgegenstand_is_not_valid() -> None:
    with pytest.raises(CaseValidationError) as caught:
        Pruefanzeige(received=D(2026, 2, 2), items=())
    assert caught.value.code == "cases.pruefanzeige.no_item"
    assert "§ 4 PrüfvV" in caught.value.problems[0].message


def test_pruefgegenstaende_have_their_301_names() -> None:
    assert Pruefgegenstand.KP000.value == "Kodierprüfung"
    assert Pruefgegenstand.PF000.value == "primäre Fehlbelegung"
    with pytest.raises(CaseValidationError) as caught:
        Pruefanzeige(received=D(2026, 2, 2), items=(Pruefgegenstand.KP000, Pruefgegenstand.KP000))
    assert caught.value.code == "cases.pruefanzeige.duplicate_item"


def test_a_datetime_is_not_a_date() -> None:
    with pytest.raises(CaseValidationError) as caught:
        Unterlagenanforderung(received=datetime.datetime(2026, 2, 9, 10, 0))  # type: ignore[arg-type]
    assert caught.value.code == "cases.field.type"


def test_steps_survive_their_json_form() -> None:
    steps = [
        opened(md_reference="MD-1", invoice_date=None),
        Pruefanzeige(
            received=D(2026, 2, 2), items=(Pruefgegenstand.SF000,), question="Verweildauer?"
        ),
        Unterlagenanforderung(received=D(2026, 2, 9), items=("OP-Bericht", "Fieberkurve")),
    ]
    for step in steps:
        assert step_from_json(kind_of(step), step_to_json(step)) == step


def test_damaged_json_is_a_case_error() -> None:
    with pytest.raises(CaseValidationError) as caught:
        step_from_json(EventKind.DELIVERY, '{"delivered": "not a date", "delivery_id": "d"}')
    assert caught.value.code == "cases.event.corrupt"


def test_begehungsliste_needs_items() -> None:
    with pytest.raises(CaseValidationError) as caught:
        Begehungsliste(
            hospital_ik="260326822", received=D(2026, 3, 1), audit_date=D(2026, 4, 1), items=()
        )
    assert caught.value.code == "cases.begehung.no_item"


def test_strukturpruefung_checks_and_recurrence() -> None:
    good = Strukturpruefung(
        standortnummer="771234000",
        ops_codes=("8-98f", "8-550.1"),
        evidence=("doc-1",),
        recurrence_years=2,
        last_checked=D(2024, 2, 29),
    )
    assert good.next_due == D(2026, 2, 28)
    with pytest.raises(CaseValidationError) as caught:
        Strukturpruefung(
            standortnummer="123",
            ops_codes=("8-98F!",),
            evidence=(),
            recurrence_years=4,
            last_checked=D(2024, 1, 1),
        )
    assert {p.code for p in caught.value.problems} == {
        "cases.struktur.standort",
        "cases.struktur.ops",
        "cases.struktur.recurrence",
    }
