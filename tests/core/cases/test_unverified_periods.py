"""The PrüfvV 2022 periods whose wording is not public, in cases: the § 7 Abs. 2 Nachfrist per
request, the § 11 Rechnungskorrektur after an agreement in the Falldialog or the Erörterung, and
a store whose hospital drops the Nachfrist.

Hand computation (Hessen, admission 2026 → PrüfvV 2022):
- Unterlagenanforderung Do 26.02.2026 + 8 Wochen = Do 23.04.2026 (documents); + 3 Wochen =
  Do 14.05.2026 Christi Himmelfahrt → Fr 15.05.2026 (documents_late).
- Einigung im Falldialog Mo 27.04.2026 + 4 Wochen = Mo 25.05.2026 Pfingstmontag → Di 26.05.2026.
- Einigung im Erörterungsverfahren Fr 27.11.2026 + 4 Wochen = Fr 25.12.2026 → Sa, So →
  Mo 28.12.2026.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from leportal_core.cases import (
    CaseClosed,
    CaseStore,
    Delivery,
    EroerterungEnded,
    EroerterungStarted,
    FalldialogEnded,
    FalldialogRequested,
    Gutachten,
    Leistungsentscheidung,
    Pruefanzeige,
    Pruefeinleitung,
    Pruefgegenstand,
    Unterlagenanforderung,
    findings,
    open_deadlines,
)
from leportal_core.deadlines import PruefvV
from leportal_core.deadlines.rules import configure

from .conftest import Clock, opened

D = datetime.date
KP = (Pruefgegenstand.KP000,)


def _running(store: CaseStore, case_id: str) -> list[tuple[str, str, datetime.date]]:
    return [(d.rule.key, d.subject, d.due) for d in open_deadlines(store.view(case_id))]


def test_the_nachfrist_runs_per_request_until_the_items_are_delivered(store: CaseStore) -> None:
    case_id = store.open_case(opened(), actor="kis").case_id
    store.record(case_id, Pruefanzeige(received=D(2026, 2, 2), items=KP), actor="kis")
    store.record(
        case_id,
        Unterlagenanforderung(received=D(2026, 2, 26), items=("Arztbrief", "OP-Bericht")),
        actor="kis",
    )
    assert _running(store, case_id)[-2:] == [
        ("documents", "A3", D(2026, 4, 23)),
        ("documents_late", "A3", D(2026, 5, 15)),
    ]
    [late] = [d for d in open_deadlines(store.view(case_id)) if d.rule.key == "documents_late"]
    text = late.explain()
    assert "Wortlaut nicht verifiziert" in text
    assert "fehlt noch: Arztbrief, OP-Bericht" in text
    assert "Folge bei Versäumnis" in text
    # a partial delivery inside the Nachfrist keeps both on the worklist, with what is missing
    store.record(
        case_id,
        Delivery(delivered=D(2026, 4, 30), delivery_id="d1", request="A3", covers=("Arztbrief",)),
        actor="kis",
    )
    assert [(d.rule.key, d.missing) for d in open_deadlines(store.view(case_id))][-2:] == [
        ("documents", ("OP-Bericht",)),
        ("documents_late", ("OP-Bericht",)),
    ]
    store.record(
        case_id,
        Delivery(delivered=D(2026, 5, 8), delivery_id="d2", request="A3", covers=("OP-Bericht",)),
        actor="kis",
    )
    assert _running(store, case_id) == []  # every item delivered: both are discharged


def test_invoice_correction_after_an_agreement_in_the_falldialog(store: CaseStore) -> None:
    case_id = store.open_case(opened(), actor="kis").case_id
    store.record(case_id, Pruefeinleitung(received=D(2026, 4, 1), items=KP), actor="kis")
    store.record(case_id, FalldialogRequested(received=D(2026, 4, 7)), actor="kis")
    store.record(case_id, FalldialogEnded(ended=D(2026, 4, 27), agreement=True), actor="kis")
    assert ("invoice_correction", "", D(2026, 5, 26)) in _running(store, case_id)
    [correction] = [
        d for d in open_deadlines(store.view(case_id)) if d.rule.key == "invoice_correction"
    ]
    assert "§ 11 PrüfvV 2022" in correction.explain()
    assert "Pfingstmontag" in correction.explain()
    # only the closing takes the reminder off the worklist
    store.record(case_id, CaseClosed(closed=D(2026, 5, 20), reason="korrigiert"), actor="kis")
    assert _running(store, case_id) == []


def _in_eroerterung(store: CaseStore) -> str:
    case_id = store.open_case(opened(), actor="kis").case_id
    for step in (
        Pruefanzeige(received=D(2026, 2, 2), items=KP),
        Gutachten(received=D(2026, 8, 3), reduction=True),
        Leistungsentscheidung(received=D(2026, 9, 1), reduction=True),
        EroerterungStarted(started=D(2026, 10, 5)),
    ):
        store.record(case_id, step, actor="kis")
    assert all(key != "invoice_correction_eroerterung" for key, _, _ in _running(store, case_id))
    return case_id


def test_invoice_correction_after_an_agreement_in_the_eroerterung(store: CaseStore) -> None:
    case_id = _in_eroerterung(store)
    store.record(case_id, EroerterungEnded(ended=D(2026, 11, 27), agreement=True), actor="kis")
    assert _running(store, case_id) == [("invoice_correction_eroerterung", "", D(2026, 12, 28))]


def test_no_correction_reminder_without_agreement(store: CaseStore) -> None:
    case_id = _in_eroerterung(store)
    store.record(case_id, EroerterungEnded(ended=D(2026, 11, 27), agreement=False), actor="kis")
    assert _running(store, case_id) == []


def test_a_hospital_can_drop_the_nachfrist(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite"
    with CaseStore(path, clock=Clock(), create=True) as store:
        case_id = store.open_case(opened(), actor="kis").case_id
        store.record(case_id, Pruefanzeige(received=D(2026, 2, 2), items=KP), actor="kis")
        store.record(
            case_id, Unterlagenanforderung(received=D(2026, 2, 26), items=("x",)), actor="kis"
        )
        rules = {e.rule for e in store.due_within(120, today=D(2026, 3, 30))}
        assert {"documents", "documents_late"} <= rules
    book = configure({("documents_late", PruefvV.V2022): None})
    with CaseStore(path, clock=Clock(), rules=book) as store:
        rules = {e.rule for e in store.due_within(120, today=D(2026, 3, 30))}
        assert "documents" in rules
        assert "documents_late" not in rules


def test_a_late_delivery_says_whether_it_fell_into_the_nachfrist(store: CaseStore) -> None:
    case_id = store.open_case(opened(), actor="kis").case_id
    store.record(case_id, Pruefanzeige(received=D(2026, 2, 2), items=KP), actor="kis")
    store.record(
        case_id,
        Unterlagenanforderung(received=D(2026, 2, 26), items=("Arztbrief", "OP-Bericht")),
        actor="kis",
    )
    # documents ended Do 23.04.2026, the Nachfrist Fr 15.05.2026
    for day, item in ((D(2026, 5, 15), "Arztbrief"), (D(2026, 5, 18), "OP-Bericht")):
        store.record(
            case_id,
            Delivery(delivered=day, delivery_id=f"d-{item}", request="A3", covers=(item,)),
            actor="kis",
        )
    inside, after = (p.message for p in findings(store.view(case_id)))
    assert "after the documents deadline 23.04.2026" in inside
    assert "within the Nachfrist until 15.05.2026 (300 EUR;" in inside
    assert "Wortlaut nicht verifiziert" in inside
    assert "also after the Nachfrist ended 15.05.2026" in after
