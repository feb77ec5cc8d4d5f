"""Begehung reminders linked to the cases their list names (a documented local convention)."""

from __future__ import annotations

import datetime

import pytest

from leportal_core.cases import (
    Begehungsliste,
    CaseStore,
    CaseValidationError,
    Pruefanzeige,
    Pruefgegenstand,
    begehung_reminders,
    begehungen_for_case,
)

from .conftest import opened

D = datetime.date
IK = "260326822"
OTHER_IK = "261101527"


def _setup(store: CaseStore) -> tuple[str, str]:
    ours = store.open_case(opened(), actor="kis").case_id
    store.record(
        ours,
        Pruefanzeige(
            received=D(2026, 2, 2), items=(Pruefgegenstand.KP000,), md_reference="MD-HE-0815"
        ),
        actor="kis",
    )
    # the same Aufnahmenummer at another hospital must not be linked
    theirs = store.open_case(opened(hospital_ik=OTHER_IK), actor="kis").case_id
    store.save_begehungsliste(
        Begehungsliste(
            hospital_ik=IK,
            received=D(2026, 3, 2),
            audit_date=D(2026, 4, 14),
            items=("F-2026-000123", "MD-HE-0815", "Hygieneplan", "A123456780"),
        ),
        item_id="b-1",
    )
    store.save_begehungsliste(
        Begehungsliste(
            hospital_ik=IK, received=D(2026, 3, 2), audit_date=D(2026, 6, 1), items=("R-9999",)
        ),
        item_id="b-2",
    )
    return ours, theirs


def test_a_begehung_is_linked_to_the_cases_its_list_names(store: CaseStore) -> None:
    ours, theirs = _setup(store)
    # Mo 30.03.2026 → Di 14.04.2026: 15 days
    assert begehung_reminders(store, today=D(2026, 3, 30), within=14) == []
    [reminder] = begehung_reminders(store, today=D(2026, 3, 30), within=15)
    assert (reminder.begehung_id, reminder.audit_date, reminder.days_left) == (
        "b-1",
        D(2026, 4, 14),
        15,
    )
    # by Aufnahmenummer and by the Prüfanzeige's MD reference; never by the KVNR
    assert reminder.cases == (("F-2026-000123", ours), ("MD-HE-0815", ours))
    assert theirs not in {case_id for _, case_id in reminder.cases}
    assert reminder.unlinked == ("Hygieneplan", "A123456780")
    text = reminder.explain()
    assert "Begehung (Prüfung vor Ort, § 276 Abs. 4 SGB V) am 14.04.2026" in text
    assert "lokale Zuordnung" in text
    assert "noch 15 Tage" in text


def test_a_case_knows_its_begehungen(store: CaseStore) -> None:
    ours, theirs = _setup(store)
    assert [begehung_id for begehung_id, _ in begehungen_for_case(store, ours)] == ["b-1"]
    assert begehungen_for_case(store, theirs) == []


def test_a_begehung_naming_no_known_case_is_still_a_reminder(store: CaseStore) -> None:
    _setup(store)
    [reminder] = begehung_reminders(store, today=D(2026, 5, 20), within=30)
    assert (reminder.begehung_id, reminder.cases, reminder.unlinked) == ("b-2", (), ("R-9999",))
    # the day itself is included, a past one is not
    assert [r.days_left for r in begehung_reminders(store, today=D(2026, 6, 1), within=0)] == [0]
    assert begehung_reminders(store, today=D(2026, 6, 2), within=365) == []


@pytest.mark.parametrize("within", [-1, True, 1.5, 3661])
def test_the_window_must_be_whole_days(store: CaseStore, within: object) -> None:
    with pytest.raises(CaseValidationError) as caught:
        begehung_reminders(store, today=D(2026, 3, 30), within=within)  # type: ignore[arg-type]
    assert caught.value.code == "cases.query.days"
    assert caught.value.problems[0].location.field == "within"
