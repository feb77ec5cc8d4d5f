"""A store written by leportal 568ede0 (before issue 15) keeps working: migration 2 carries the
old cases over and re-projects their deadlines from their events (fixture: data/README.md)."""

from __future__ import annotations

import datetime
import shutil
import sqlite3
from pathlib import Path

from leportal_core.cases import CaseStore, Delivery, request_status
from leportal_core.cases.store import PROJECTION
from leportal_core.store import schema_version

from .conftest import Clock

FIXTURE = Path(__file__).parent / "data" / "store-568ede0.sqlite"
D = datetime.date


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE, target)
    return target


def test_the_fixture_is_an_old_store(tmp_path: Path) -> None:
    connection = sqlite3.connect(_copy(tmp_path))
    assert schema_version(connection, "cases") == 1
    columns = [row[1] for row in connection.execute("PRAGMA table_info(case_deadlines)")]
    assert "subject" not in columns
    # the old projection hid the first Unterlagenanforderung of case-2
    rows = connection.execute(
        "SELECT rule, due FROM case_deadlines WHERE case_id = 'case-2'"
    ).fetchall()
    assert rows == [("documents", "2026-04-27")]
    connection.close()


def test_old_cases_are_carried_over_and_reprojected(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    with CaseStore(path, clock=Clock()) as store:
        assert sorted(store.case_ids()) == [f"case-{n}" for n in range(1, 7)]
        # case-2: both requests are back on the worklist, each with its own due date and items
        entries = [
            (e.case_id, e.rule, e.subject, e.due, e.missing)
            for e in store.due_within(60, today=D(2026, 3, 30))
            if e.case_id == "case-2"
        ]
        assert entries == [
            ("case-2", "documents", "A3", D(2026, 4, 7), ("Entlassungsbericht", "OP-Bericht")),
            ("case-2", "documents", "A4", D(2026, 4, 27), ("Pflegedokumentation",)),
            # PrüfvV 2022 Nachfrist (3 Wochen, not verified): Di 07.04. + 21 = Di 28.04.2026,
            # Mo 27.04. + 21 = Mo 18.05.2026
            (
                "case-2",
                "documents_late",
                "A3",
                D(2026, 4, 28),
                ("Entlassungsbericht", "OP-Bericht"),
            ),
            ("case-2", "documents_late", "A4", D(2026, 5, 18), ("Pflegedokumentation",)),
        ]
        # case-3: a request without items, answered by an old delivery: discharged
        assert [r.discharged for r in request_status(store.view("case-3"))] == [True]
        assert [e for e in store.overdue(today=D(2030, 1, 1)) if e.case_id == "case-3"] == []
        # case-1 and case-5 keep their deadlines; case-6 (closed) has none
        overdue = {(e.case_id, e.rule) for e in store.overdue(today=D(2027, 1, 1))}
        assert ("case-1", "audit_initiation") in overdue
        assert ("case-5", "falldialog_answer") in overdue
        assert not any(case_id == "case-6" for case_id, _ in overdue)
        # the old store accepts new steps
        store.record(
            "case-2",
            Delivery(
                delivered=D(2026, 3, 31),
                delivery_id="d-new",
                request="A3",
                covers=("Entlassungsbericht", "OP-Bericht"),
            ),
            actor="kis",
        )
        assert [r.discharged for r in request_status(store.view("case-2"))] == [True, False]
        assert store.begehungslisten()[0][0] == "b-1"
    connection = sqlite3.connect(path)
    assert schema_version(connection, "cases") == 2
    assert connection.execute(
        "SELECT count(*) FROM case_cases WHERE projection < ?", (PROJECTION,)
    ).fetchone() == (0,)
    connection.close()


def test_reopening_a_migrated_store_changes_nothing(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    with CaseStore(path, clock=Clock()) as store:
        first = store.overdue(today=D(2030, 1, 1))
    with CaseStore(path, clock=Clock()) as store:
        assert store.overdue(today=D(2030, 1, 1)) == first
