"""A period whose wording is not public can be configured per store (issue 15, point 7)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from leportal_core.cases import (
    CaseStore,
    EroerterungStarted,
    Gutachten,
    Leistungsentscheidung,
    Pruefanzeige,
    Pruefgegenstand,
    open_deadlines,
)
from leportal_core.deadlines import Period, PruefvV, Unit
from leportal_core.deadlines.rules import configure

from .conftest import Clock, opened

D = datetime.date
BOOK = configure({("eroerterung_documents", PruefvV.V2022): Period(amount=6, unit=Unit.WEEKS)})


def _documents_due(store: CaseStore, case_id: str) -> list[tuple[str, datetime.date]]:
    return [
        (e.rule, e.due)
        for e in store.due_within(365, today=D(2026, 6, 1))
        if e.case_id == case_id and e.rule == "eroerterung_documents"
    ]


def test_a_configured_period_is_used_explained_and_reprojected(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite"
    with CaseStore(path, clock=Clock(), create=True) as store:
        case_id = store.open_case(opened(), actor="kis").case_id
        for step in (
            Pruefanzeige(received=D(2026, 2, 2), items=(Pruefgegenstand.KP000,)),
            Gutachten(received=D(2026, 5, 4), reduction=True),
            Leistungsentscheidung(received=D(2026, 6, 1), reduction=True),
            EroerterungStarted(started=D(2026, 6, 15)),
        ):
            store.record(case_id, step, actor="kis")
        # paraphrased default: Mo 15.06.2026 + 4 Wochen = Mo 13.07.2026
        assert _documents_due(store, case_id) == [("eroerterung_documents", D(2026, 7, 13))]
    with CaseStore(path, clock=Clock(), rules=BOOK) as store:
        # the hospital's reading: + 6 Wochen = Mo 27.07.2026, recomputed on opening
        assert _documents_due(store, case_id) == [("eroerterung_documents", D(2026, 7, 27))]
        [deadline] = [
            d for d in open_deadlines(store.view(case_id)) if d.rule.key == "eroerterung_documents"
        ]
        assert "Frist vom Krankenhaus konfiguriert (6 Wochen statt 4 Wochen)" in deadline.explain()
    with CaseStore(path, clock=Clock()) as store:
        assert _documents_due(store, case_id) == [("eroerterung_documents", D(2026, 7, 13))]


def test_an_unknown_rule_cannot_be_configured() -> None:
    with pytest.raises(KeyError):
        configure({("falldialog_end", PruefvV.V2017): Period(amount=1, unit=Unit.WEEKS)})
