"""Running deadlines per state, computed by hand, and the state machine's refusals."""

from __future__ import annotations

import datetime

import pytest

from leportal_core.cases import (
    ALLOWED,
    CaseState,
    CaseStore,
    EroerterungStarted,
    EventKind,
    FalldialogEnded,
    FalldialogRequested,
    Gutachten,
    IllegalStep,
    Leistungsentscheidung,
    Pruefanzeige,
    Pruefgegenstand,
    Stay,
    Unterlagenanforderung,
    open_deadlines,
)

from .conftest import opened

D = datetime.date


def _deadlines(store: CaseStore, case_id: str) -> list[tuple[str, datetime.date]]:
    return [(d.rule.key, d.due) for d in open_deadlines(store.view(case_id))]


def test_falldialog_deadlines_and_return_to_the_earlier_state(store: CaseStore) -> None:
    case_id = store.open_case(opened(), actor="kis").case_id
    store.record(case_id, FalldialogRequested(received=D(2026, 2, 2)), actor="kis")
    # Rechnungseingang 19.01.2026 + 4 Monate = Di 19.05.2026; Falldialog answer: 02.02. + 2 Wochen
    # = Mo 16.02.2026; Falldialog end: 19.05. + 2 Monate = So 19.07.2026 → Mo 20.07.2026.
    # While the Falldialog runs the Prüfeinleitungsfrist is no longer open: a Falldialog
    # follows the Einleitung (PrüfvV § 5).
    assert _deadlines(store, case_id) == [
        ("falldialog_answer", D(2026, 2, 16)),
        ("falldialog_end", D(2026, 7, 20)),
    ]
    store.record(case_id, FalldialogEnded(ended=D(2026, 2, 10), agreement=False), actor="kis")
    assert store.view(case_id).state is CaseState.OPENED
    # Without a recorded Einleitung the MD commission period cannot be computed.
    assert _deadlines(store, case_id) == []


def test_decision_and_eroerterung_deadlines(store: CaseStore) -> None:
    case_id = store.open_case(opened(), actor="kis").case_id
    store.record(
        case_id, Pruefanzeige(received=D(2026, 2, 2), items=(Pruefgegenstand.PF000,)), actor="kis"
    )
    store.record(case_id, Gutachten(received=D(2026, 5, 4), reduction=True), actor="kis")
    assert _deadlines(store, case_id) == []
    # Leistungsentscheidung Mo 01.06.2026 + 6 Wochen = Mo 13.07.2026.
    store.record(
        case_id, Leistungsentscheidung(received=D(2026, 6, 1), reduction=True), actor="kis"
    )
    assert _deadlines(store, case_id) == [("eroerterung_request", D(2026, 7, 13))]
    # Erörterung begins Mo 15.06.2026: documents + 4 Wochen = Mo 13.07.2026, the Kasse's
    # answer + 6 Wochen = Mo 27.07.2026, the end + 12 Wochen = Mo 07.09.2026.
    store.record(case_id, EroerterungStarted(started=D(2026, 6, 15)), actor="kis")
    assert _deadlines(store, case_id) == [
        ("eroerterung_documents", D(2026, 7, 13)),
        ("eroerterung_answer", D(2026, 7, 27)),
        ("eroerterung_end", D(2026, 9, 7)),
    ]


def test_no_dispute_deadline_without_reduction(store: CaseStore) -> None:
    case_id = store.open_case(opened(), actor="kis").case_id
    store.record(
        case_id, Pruefanzeige(received=D(2026, 2, 2), items=(Pruefgegenstand.PF000,)), actor="kis"
    )
    store.record(case_id, Gutachten(received=D(2026, 5, 4), reduction=False), actor="kis")
    store.record(
        case_id, Leistungsentscheidung(received=D(2026, 6, 1), reduction=False), actor="kis"
    )
    assert _deadlines(store, case_id) == []


def test_an_old_admission_follows_pruefvv_2017(store: CaseStore) -> None:
    old = opened(stay=Stay(admitted=D(2021, 12, 20)), invoice_date=None, invoice_received=None)
    case_id = store.open_case(old, actor="kis").case_id
    store.record(
        case_id, Pruefanzeige(received=D(2022, 3, 1), items=(Pruefgegenstand.KP000,)), actor="kis"
    )
    store.record(case_id, Unterlagenanforderung(received=D(2022, 3, 8)), actor="kis")
    # 2017: documents 8 Wochen from Di 08.03.2022 = Di 03.05.2022; Kasse decides within
    # 11 Monate of the Prüfanzeige (01.03.2022) = Mi 01.02.2023; Nachlieferung against 300 EUR
    # another 6 Wochen after Di 03.05.2022 = Di 14.06.2022.
    assert _deadlines(store, case_id) == [
        ("documents", D(2022, 5, 3)),
        ("documents_late", D(2022, 6, 14)),
        ("decision", D(2023, 2, 1)),
    ]
    assert store.view(case_id).version.value == "PrüfvV 2017"


def test_falldialog_is_not_allowed_twice(store: CaseStore) -> None:
    case_id = store.open_case(opened(), actor="kis").case_id
    store.record(case_id, FalldialogRequested(received=D(2026, 2, 2)), actor="kis")
    with pytest.raises(IllegalStep) as caught:
        store.record(case_id, FalldialogRequested(received=D(2026, 2, 3)), actor="kis")
    assert "'im Falldialog'" in str(caught.value)
    assert "Falldialog beendet" in str(caught.value)


def test_every_state_is_reachable_and_only_closed_is_final() -> None:
    assert set(ALLOWED) == set(CaseState)
    assert [state for state, kinds in ALLOWED.items() if not kinds] == [CaseState.CLOSED]
    assert all(
        EventKind.CLOSED in kinds
        for s, kinds in ALLOWED.items()
        if s not in (CaseState.NEW, CaseState.CLOSED)
    )


def test_late_pruefanzeige_and_late_delivery_are_flagged(store: CaseStore) -> None:
    from leportal_core.cases import Delivery, findings

    case_id = store.open_case(opened(), actor="kis").case_id
    # Rechnungseingang 19.01.2026 → Prüfeinleitungsfrist ends Di 19.05.2026; the Prüfanzeige
    # arrives 20.05.2026. Documents requested Mo 25.05.2026 → 8 Wochen = Mo 20.07.2026.
    store.record(
        case_id, Pruefanzeige(received=D(2026, 5, 20), items=(Pruefgegenstand.KP000,)), actor="kis"
    )
    store.record(case_id, Unterlagenanforderung(received=D(2026, 5, 25)), actor="kis")
    store.record(case_id, Delivery(delivered=D(2026, 7, 20), delivery_id="in-time"), actor="kis")
    store.record(case_id, Delivery(delivered=D(2026, 7, 21), delivery_id="late"), actor="kis")
    problems = findings(store.view(case_id))
    assert [(p.code, p.severity.value) for p in problems] == [
        ("cases.pruefanzeige.late", "warning"),
        ("cases.delivery.late", "warning"),
    ]
    assert "late" in problems[1].message
    assert "19.05.2026" in problems[0].message
