"""The case store on a real SQLite file: events, state, queries, the host hook."""

from __future__ import annotations

import datetime
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from leportal_core.cases import (
    Begehungsliste,
    CaseClosed,
    CaseEvent,
    CaseHookError,
    CaseNotFound,
    CaseState,
    CaseStore,
    CaseValidationError,
    Delivery,
    Gutachten,
    IllegalStep,
    Pruefanzeige,
    Pruefgegenstand,
    Recorded,
    Strukturpruefung,
    Unterlagenanforderung,
)
from leportal_core.hookspecs import hookimpl
from leportal_core.plugins import new_plugin_manager

from .conftest import Clock, opened

D = datetime.date
ANZEIGE = Pruefanzeige(
    received=D(2026, 2, 2), items=(Pruefgegenstand.KP000,), md_reference="MD-HE-0815"
)


def _case_with_request(store: CaseStore) -> str:
    case_id = store.open_case(opened(), actor="kis").case_id
    store.record(case_id, ANZEIGE, actor="kis")
    store.record(case_id, Unterlagenanforderung(received=D(2026, 2, 9)), actor="kis")
    return case_id


def test_the_documents_deadline_is_due_and_then_overdue(store: CaseStore) -> None:
    case_id = _case_with_request(store)
    due = store.due_within(14)  # the clock says 30.03.2026
    assert [(e.case_id, e.rule, e.due, e.state) for e in due] == [
        (case_id, "documents", D(2026, 4, 7), "DOCUMENTS_REQUESTED")
    ]
    assert store.due_within(7) == []  # 30.03. + 7 = 06.04., the day before the moved end
    assert store.overdue() == []
    assert [e.case_id for e in store.overdue(today=D(2026, 4, 8))] == [case_id]


def test_a_delivery_stops_the_deadline(store: CaseStore) -> None:
    case_id = _case_with_request(store)
    store.record(case_id, Delivery(delivered=D(2026, 3, 1), delivery_id="dlv-1"), actor="kis")
    assert store.due_within(30) == []
    assert store.view(case_id).state is CaseState.DOCUMENTS_DELIVERED


def test_audit_initiation_runs_until_the_pruefanzeige(store: CaseStore) -> None:
    case_id = store.open_case(opened(), actor="kis").case_id
    # invoice received 19.01.2026 + 4 months = Tuesday 19.05.2026
    assert [(e.rule, e.due) for e in store.overdue(today=D(2026, 6, 1))] == [
        ("audit_initiation", D(2026, 5, 19))
    ]
    store.record(case_id, ANZEIGE, actor="kis")
    assert store.overdue(today=D(2026, 6, 1)) == []


def test_cases_are_found_by_any_identifier(store: CaseStore) -> None:
    case_id = _case_with_request(store)
    other = store.open_case(
        opened(case_number="F-2", invoice_number="R-2", kasse_case_number="KK-2"), actor="kis"
    ).case_id
    for identifier in ("F-2026-000123", "R-4711", "KK-99", "MD-HE-0815", case_id):
        assert store.find(identifier) == [case_id]
    assert store.find("A123456780") == sorted([case_id, other])  # the patient has two cases
    assert store.resolve("MD-HE-0815") == case_id
    with pytest.raises(CaseNotFound) as caught:
        store.resolve("A123456780")
    assert caught.value.code == "cases.case.ambiguous"
    with pytest.raises(CaseNotFound) as caught:
        store.resolve("nothing")
    assert caught.value.code == "cases.case.unknown"


def test_an_illegal_step_names_the_state_and_the_allowed_steps(store: CaseStore) -> None:
    case_id = store.open_case(opened(), actor="kis").case_id
    with pytest.raises(IllegalStep) as caught:
        store.record(case_id, Gutachten(received=D(2026, 3, 1), reduction=True), actor="kis")
    message = caught.value.problems[0].message
    assert caught.value.code == "cases.step.illegal"
    assert "'angelegt'" in message
    assert "Prüfanzeige erhalten" in message
    assert len(store.events(case_id)) == 1  # nothing was written


def test_nothing_after_closing(store: CaseStore) -> None:
    case_id = _case_with_request(store)
    store.record(case_id, CaseClosed(closed=D(2026, 3, 2), reason="zurückgezogen"), actor="kis")
    with pytest.raises(IllegalStep) as caught:
        store.record(case_id, Delivery(delivered=D(2026, 3, 3), delivery_id="d"), actor="kis")
    assert "'abgeschlossen'" in str(caught.value)
    assert "none (the case is closed)" in str(caught.value)


def test_duplicate_case_number_is_refused(store: CaseStore) -> None:
    store.open_case(opened(), actor="kis")
    with pytest.raises(CaseValidationError) as caught:
        store.open_case(opened(), actor="kis")
    assert caught.value.code == "cases.case.duplicate"


def test_unknown_case(store: CaseStore) -> None:
    with pytest.raises(CaseNotFound):
        store.record("no-such-case", ANZEIGE, actor="kis")
    with pytest.raises(CaseNotFound):
        store.view("no-such-case")


def test_a_retry_with_the_same_event_id_records_once(store: CaseStore) -> None:
    case_id = store.open_case(opened(), actor="kis", event_id="open-1").case_id
    again = store.open_case(opened(), actor="kis", event_id="open-1")
    assert again.case_id == case_id
    first = store.record(case_id, ANZEIGE, actor="kis", event_id="e-2")
    assert store.record(case_id, ANZEIGE, actor="kis", event_id="e-2") == first
    assert len(store.events(case_id)) == 2
    with pytest.raises(CaseValidationError) as caught:
        store.record(
            case_id, Unterlagenanforderung(received=D(2026, 2, 9)), actor="kis", event_id="e-2"
        )
    assert caught.value.code == "cases.event.conflict"


def test_expected_sequence_detects_a_concurrent_change(store: CaseStore) -> None:
    case_id = store.open_case(opened(), actor="kis").case_id
    store.record(case_id, ANZEIGE, actor="a", expected_sequence=1)
    with pytest.raises(CaseValidationError) as caught:
        store.record(
            case_id, Unterlagenanforderung(received=D(2026, 2, 9)), actor="b", expected_sequence=1
        )
    assert caught.value.code == "cases.sequence.conflict"


def test_a_batch_is_all_or_nothing(store: CaseStore) -> None:
    with pytest.raises(IllegalStep):
        store.record_many(
            [
                Recorded(step=opened(), actor="import", case_id="c-1"),
                Recorded(step=ANZEIGE, actor="import", case_id="c-1"),
                Recorded(
                    step=Gutachten(received=D(2026, 3, 1), reduction=False),
                    actor="import",
                    case_id="c-1",
                ),
                Recorded(step=ANZEIGE, actor="import", case_id="c-1"),  # illegal: already assessed
            ]
        )
    assert store.find("c-1") == []
    events = store.record_many(
        [
            Recorded(step=opened(), actor="import", case_id="c-1"),
            Recorded(step=ANZEIGE, actor="import", case_id="c-1"),
        ]
    )
    assert [e.sequence for e in events] == [1, 2]


def test_events_record_who_and_when(store: CaseStore, clock: Clock) -> None:
    event = store.open_case(opened(), actor="dr.mueller")
    clock.now += datetime.timedelta(hours=2)
    second = store.record(event.case_id, ANZEIGE, actor="kis")
    stored = store.events(event.case_id)
    assert stored == [event, second]
    assert stored[0].actor == "dr.mueller"
    assert stored[1].recorded_at - stored[0].recorded_at == datetime.timedelta(hours=2)
    assert stored[1].recorded_at.utcoffset() is not None


def test_the_hook_hears_each_event_after_commit(store_path: Path) -> None:
    heard: list[tuple[CaseEvent, int]] = []

    class Worklist:
        @hookimpl
        def leportal_case_event(self, event: CaseEvent) -> None:
            # A second connection sees the event: the hook runs after the commit.
            with CaseStore(store_path) as other:
                heard.append((event, len(other.events(event.case_id))))

    pm = new_plugin_manager()
    pm.register(Worklist())
    with CaseStore(store_path, pm=pm, create=True) as store:
        case_id = store.open_case(opened(), actor="kis").case_id
        store.record(case_id, ANZEIGE, actor="kis")
    assert [(e.sequence, seen) for e, seen in heard] == [(1, 1), (2, 2)]


def test_a_failing_hook_does_not_undo_the_event(store_path: Path) -> None:
    class Broken:
        @hookimpl
        def leportal_case_event(self, event: CaseEvent) -> None:
            raise RuntimeError("worklist down")

    pm = new_plugin_manager()
    pm.register(Broken())
    with CaseStore(store_path, pm=pm, create=True) as store:
        with pytest.raises(CaseHookError) as caught:
            store.open_case(opened(), actor="kis")
        assert caught.value.code == "cases.hook.failed"
        assert "worklist down" in str(caught.value)
        assert store.view(caught.value.event.case_id).state is CaseState.OPENED


def test_state_survives_reopening(store_path: Path, clock: Clock) -> None:
    with CaseStore(store_path, clock=clock, create=True) as store:
        case_id = _case_with_request(store)
    with CaseStore(store_path, clock=clock) as store:
        assert store.view(case_id).state is CaseState.DOCUMENTS_REQUESTED
        assert [e.rule for e in store.due_within(14)] == ["documents"]


def test_a_naive_clock_is_refused(store_path: Path) -> None:
    from leportal_core.errors import ConfigurationError

    naive = datetime.datetime(2026, 1, 1)  # no tzinfo: the store must refuse it
    with (
        CaseStore(store_path, clock=lambda: naive, create=True) as store,
        pytest.raises(ConfigurationError),
    ):
        store.open_case(opened(), actor="kis")


def test_a_damaged_store_file_is_a_storage_error(tmp_path: Path) -> None:
    from leportal_core.errors import StorageError

    path = tmp_path / "bad.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError) as caught:
        CaseStore(path)
    assert caught.value.code == "store.damaged"


def test_a_damaged_event_row_is_reported(store: CaseStore, store_path: Path) -> None:
    case_id = store.open_case(opened(), actor="kis").case_id
    raw = sqlite3.connect(store_path)
    raw.execute("UPDATE case_events SET payload = '{\"x\": 1}'")
    raw.commit()
    raw.close()
    with pytest.raises(CaseValidationError) as caught:
        store.view(case_id)
    assert caught.value.code == "cases.event.corrupt"


def test_bad_day_count(store: CaseStore) -> None:
    with pytest.raises(CaseValidationError) as caught:
        store.due_within(-1)
    assert caught.value.code == "cases.query.days"


def test_aggregates_are_kept(store: CaseStore) -> None:
    liste = Begehungsliste(
        hospital_ik="260326822",
        received=D(2026, 3, 1),
        audit_date=D(2026, 4, 14),
        items=("Intensivstation",),
    )
    item_id = store.save_begehungsliste(liste)
    assert store.begehungslisten() == [(item_id, liste)]
    pruefung = Strukturpruefung(
        standortnummer="771234000",
        ops_codes=("8-98f",),
        evidence=("doc-1", "doc-2"),
        recurrence_years=3,
        last_checked=D(2023, 6, 1),
    )
    sp_id: Any = store.save_strukturpruefung(pruefung)
    assert store.strukturpruefungen_due(D(2026, 6, 2)) == [(sp_id, pruefung)]
    assert store.strukturpruefungen_due(D(2026, 6, 1)) == []
