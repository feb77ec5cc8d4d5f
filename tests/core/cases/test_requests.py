"""Issue 15, points 1 and 2: every Unterlagenanforderung keeps its own deadline and items.

Dates computed by hand (§§ 187, 188, 193 BGB, Hessen):
- A3 received Mo 09.02.2026 + 8 Wochen = Mo 06.04.2026 Ostermontag → Di 07.04.2026;
- A4 received Mo 02.03.2026 + 8 Wochen = Mo 27.04.2026 (a working day).
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from leportal_core.cases import (
    CaseStore,
    CaseValidationError,
    Delivery,
    ItemsWaived,
    Pruefanzeige,
    Pruefgegenstand,
    Unterlagenanforderung,
    anforderung_from_request,
    delivery_from_plan,
    findings,
    open_deadlines,
    request_status,
)
from leportal_core.delivery import load_request, plan_delivery
from leportal_core.plugins import new_plugin_manager

from .conftest import opened

D = datetime.date
SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "documents"


def _two_requests(store: CaseStore) -> str:
    case_id = store.open_case(opened(), actor="kis").case_id
    store.record(
        case_id, Pruefanzeige(received=D(2026, 2, 2), items=(Pruefgegenstand.KP000,)), actor="kis"
    )
    store.record(
        case_id,
        Unterlagenanforderung(received=D(2026, 2, 9), items=("Entlassungsbericht", "OP-Bericht")),
        actor="kis",
    )
    store.record(
        case_id,
        Unterlagenanforderung(received=D(2026, 3, 2), items=("Pflegedokumentation",)),
        actor="kis",
    )
    return case_id


def _worklist(store: CaseStore) -> list[tuple[str, str, datetime.date, tuple[str, ...]]]:
    return [
        (e.rule, e.subject, e.due, e.missing)
        for e in store.due_within(60, today=D(2026, 3, 30))
        if e.rule == "documents"
    ]


def test_a_second_request_does_not_hide_the_first(store: CaseStore) -> None:
    _two_requests(store)
    assert _worklist(store) == [
        ("documents", "A3", D(2026, 4, 7), ("Entlassungsbericht", "OP-Bericht")),
        ("documents", "A4", D(2026, 4, 27), ("Pflegedokumentation",)),
    ]
    overdue = store.overdue(today=D(2026, 4, 8))
    assert [(e.rule, e.subject) for e in overdue] == [("documents", "A3")]
    assert store.count_overdue(today=D(2026, 4, 8)) == 1


def test_partial_delivery_keeps_the_request_open_and_names_what_is_missing(
    store: CaseStore,
) -> None:
    case_id = _two_requests(store)
    store.record(
        case_id,
        Delivery(delivered=D(2026, 3, 10), delivery_id="d-1", request="A3", covers=("OP-Bericht",)),
        actor="kis",
    )
    assert _worklist(store) == [
        ("documents", "A3", D(2026, 4, 7), ("Entlassungsbericht",)),
        ("documents", "A4", D(2026, 4, 27), ("Pflegedokumentation",)),
    ]
    a3 = request_status(store.view(case_id))[0]
    assert (a3.requested, a3.delivered, a3.missing, a3.due, a3.discharged) == (
        ("Entlassungsbericht", "OP-Bericht"),
        (("OP-Bericht", "d-1"),),
        ("Entlassungsbericht",),
        D(2026, 4, 7),
        False,
    )
    deadline = next(d for d in open_deadlines(store.view(case_id)) if d.subject == "A3")
    assert "fehlt noch: Entlassungsbericht" in deadline.explain()


def test_complete_delivery_discharges_only_its_request(store: CaseStore) -> None:
    case_id = _two_requests(store)
    for n, item in enumerate(("OP-Bericht", "Entlassungsbericht")):
        store.record(
            case_id,
            Delivery(
                delivered=D(2026, 3, 10 + n), delivery_id=f"d-{n}", request="A3", covers=(item,)
            ),
            actor="kis",
        )
    assert _worklist(store) == [("documents", "A4", D(2026, 4, 27), ("Pflegedokumentation",))]
    assert request_status(store.view(case_id))[0].discharged


def test_a_waiver_with_reason_discharges_the_item(store: CaseStore) -> None:
    case_id = _two_requests(store)
    store.record(
        case_id,
        ItemsWaived(
            waived=D(2026, 3, 5),
            request="A4",
            items=("Pflegedokumentation",),
            reason="MD hat die Anforderung zurückgenommen",
        ),
        actor="kis",
    )
    a4 = request_status(store.view(case_id))[1]
    assert a4.discharged
    assert a4.waived == (("Pflegedokumentation", "MD hat die Anforderung zurückgenommen"),)
    assert [s for _, s, _, _ in _worklist(store)] == ["A3"]


def test_a_delivery_naming_no_items_does_not_discharge_named_items(store: CaseStore) -> None:
    case_id = _two_requests(store)
    store.record(case_id, Delivery(delivered=D(2026, 3, 10), delivery_id="d-1"), actor="kis")
    assert [s for _, s, _, _ in _worklist(store)] == ["A3", "A4"]


def test_unknown_request_or_item_is_refused(store: CaseStore) -> None:
    case_id = _two_requests(store)
    with pytest.raises(CaseValidationError) as caught:
        store.record(
            case_id,
            Delivery(delivered=D(2026, 3, 10), delivery_id="d", request="A9", covers=("x",)),
            actor="kis",
        )
    assert caught.value.code == "cases.request.unknown"
    with pytest.raises(CaseValidationError) as caught:
        store.record(
            case_id,
            Delivery(delivered=D(2026, 3, 10), delivery_id="d", request="A3", covers=("Röntgen",)),
            actor="kis",
        )
    assert caught.value.code == "cases.request.unknown_item"
    assert len(store.events(case_id)) == 4  # nothing was written


def test_late_items_are_reported_per_request(store: CaseStore) -> None:
    case_id = _two_requests(store)
    store.record(
        case_id,
        Delivery(
            delivered=D(2026, 4, 8), delivery_id="d-late", request="A3", covers=("OP-Bericht",)
        ),
        actor="kis",
    )
    problems = findings(store.view(case_id))
    assert [p.code for p in problems] == ["cases.delivery.late"]
    assert "OP-Bericht for A3" in problems[0].message
    assert "07.04.2026" in problems[0].message


def test_the_delivery_plan_says_which_items_a_delivery_covers(
    store: CaseStore, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(SAMPLES, archive)
    request = load_request(archive / "anforderung.json")
    case_id = store.open_case(opened(), actor="kis").case_id
    store.record(
        case_id, Pruefanzeige(received=D(2026, 2, 2), items=(Pruefgegenstand.KP000,)), actor="kis"
    )
    store.record(case_id, anforderung_from_request(request, received=D(2026, 2, 9)), actor="kis")
    plan = plan_delivery(request, new_plugin_manager(), today=D(2026, 3, 2), kdl=None)
    store.record(
        case_id, delivery_from_plan(plan, delivered=D(2026, 3, 2), delivery_id="dlv-1"), actor="kis"
    )
    # The plan matched items 1, 3 and 5 with accepted documents; 2 and 4 are missing.
    status = request_status(store.view(case_id))[0]
    assert status.request_id == "MD-2026-004711"
    assert [item for item, _ in status.delivered] == ["1", "3", "5"]
    assert status.missing == tuple(item.id for item in plan.missing) == ("2", "4")
    [entry] = [e for e in store.due_within(60, today=D(2026, 3, 30)) if e.rule == "documents"]
    assert (entry.subject, entry.missing, entry.due) == (
        "MD-2026-004711",
        ("2", "4"),
        D(2026, 4, 7),
    )


def test_paging_returns_counts(store: CaseStore) -> None:
    for n in range(5):
        case_id = store.open_case(opened(case_number=f"F-{n}"), actor="kis").case_id
        store.record(
            case_id,
            Pruefanzeige(received=D(2026, 2, 2), items=(Pruefgegenstand.KP000,)),
            actor="kis",
        )
        store.record(
            case_id, Unterlagenanforderung(received=D(2026, 2, 9 + n), items=("x",)), actor="kis"
        )
    today = D(2026, 3, 30)
    # 20 days: the five documents deadlines (07.04.–10.04.), not their Nachfristen (28.04.–)
    everything = store.due_within(20, today=today)
    pages = [store.due_within(20, today=today, limit=2, offset=o) for o in (0, 2, 4)]
    assert [e for page in pages for e in page] == everything
    assert [len(p) for p in pages] == [2, 2, 1]
    assert store.count_due_within(20, today=today) == len(everything) == 5
    with pytest.raises(CaseValidationError) as caught:
        store.due_within(30, today=today, limit=0)
    assert caught.value.code == "cases.query.page"
