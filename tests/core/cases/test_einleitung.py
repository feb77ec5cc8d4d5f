"""Issue 15, points 3 and 4: the Kasse's Prüfeinleitung and the MD's Prüfanzeige are separate
events; the MD commission period after a failed Falldialog; the PrüfvV 2017 branch.

Hand computation (Hessen): Rechnungseingang Mo 19.01.2026 + 4 Monate = Di 19.05.2026
(Prüfeinleitungsfrist). Einleitung received Mo 11.05.2026; MD commission after a failed
Falldialog: 11.05. + 12 Wochen = Mo 03.08.2026. Falldialog request Di 12.05.2026 + 2 Wochen =
Di 26.05.2026; Falldialog end: 19.05. + 2 Monate = So 19.07.2026 → Mo 20.07.2026.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from click.testing import CliRunner

from leportal_core.cases import (
    CaseStore,
    FalldialogEnded,
    FalldialogRequested,
    Leistungsentscheidung,
    Pruefanzeige,
    Pruefeinleitung,
    Pruefgegenstand,
    Stay,
    findings,
    open_deadlines,
)
from leportal_core.cli.cases import case
from leportal_core.plugins import new_plugin_manager
from leportal_core.store import connect

from .conftest import opened

D = datetime.date
KP = (Pruefgegenstand.KP000,)


def _keys(store: CaseStore, case_id: str) -> list[tuple[str, datetime.date]]:
    return [(d.rule.key, d.due) for d in open_deadlines(store.view(case_id))]


def _failed_falldialog(store: CaseStore) -> str:
    case_id = store.open_case(opened(), actor="kis").case_id
    assert _keys(store, case_id) == [("audit_initiation", D(2026, 5, 19))]
    store.record(case_id, Pruefeinleitung(received=D(2026, 5, 11), items=KP), actor="kis")
    assert _keys(store, case_id) == []  # the Einleitung discharges the Prüfeinleitungsfrist
    store.record(case_id, FalldialogRequested(received=D(2026, 5, 12)), actor="kis")
    assert _keys(store, case_id) == [
        ("falldialog_answer", D(2026, 5, 26)),
        ("falldialog_end", D(2026, 7, 20)),
    ]
    store.record(case_id, FalldialogEnded(ended=D(2026, 6, 1), agreement=False), actor="kis")
    assert _keys(store, case_id) == [("md_commission", D(2026, 8, 3))]
    return case_id


def test_a_timely_pruefanzeige_after_a_failed_falldialog_is_not_void(store: CaseStore) -> None:
    case_id = _failed_falldialog(store)
    # 20.07.2026 is after the 4-month period (19.05.) but within the 12 weeks (03.08.).
    store.record(case_id, Pruefanzeige(received=D(2026, 7, 20), items=KP), actor="kis")
    assert findings(store.view(case_id)) == ()
    assert "md_commission" not in [k for k, _ in _keys(store, case_id)]


def test_a_late_pruefanzeige_after_a_failed_falldialog_is_void(store: CaseStore) -> None:
    case_id = _failed_falldialog(store)
    store.record(case_id, Pruefanzeige(received=D(2026, 8, 4), items=KP), actor="kis")
    [problem] = findings(store.view(case_id))
    assert problem.code == "cases.pruefanzeige.late"
    assert "03.08.2026" in problem.message
    assert "nach gescheitertem Falldialog" in problem.message


def test_without_falldialog_the_four_months_apply(store: CaseStore) -> None:
    case_id = store.open_case(opened(), actor="kis").case_id
    store.record(case_id, Pruefeinleitung(received=D(2026, 5, 11), items=KP), actor="kis")
    store.record(case_id, Pruefanzeige(received=D(2026, 5, 20), items=KP), actor="kis")
    assert [p.code for p in findings(store.view(case_id))] == ["cases.pruefanzeige.late"]


def test_a_late_einleitung_is_void(store: CaseStore) -> None:
    case_id = store.open_case(opened(), actor="kis").case_id
    store.record(case_id, Pruefeinleitung(received=D(2026, 5, 20), items=KP), actor="kis")
    [problem] = findings(store.view(case_id))
    assert problem.code == "cases.pruefeinleitung.late"
    assert "19.05.2026" in problem.message


def test_pruefvv_2017_case(store: CaseStore) -> None:
    # Admission 2019, invoice received Mo 13.05.2019: 6 Wochen = Mo 24.06.2019.
    old = opened(
        stay=Stay(admitted=D(2019, 5, 1)),
        invoice_date=D(2019, 5, 10),
        invoice_received=D(2019, 5, 13),
    )
    case_id = store.open_case(old, actor="kis").case_id
    assert _keys(store, case_id) == [("audit_initiation", D(2019, 6, 24))]
    # Einleitung Mo 03.06.2019: Datenkorrektur + 6 Wochen = Mo 15.07.2019.
    store.record(case_id, Pruefeinleitung(received=D(2019, 6, 3), items=KP), actor="kis")
    assert _keys(store, case_id) == [("data_correction", D(2019, 7, 15))]
    # Falldialog Do 06.06.2019 + 2 Wochen = Do 20.06.2019 Fronleichnam (HE) → Fr 21.06.2019.
    store.record(case_id, FalldialogRequested(received=D(2019, 6, 6)), actor="kis")
    assert ("falldialog_answer", D(2019, 6, 21)) in _keys(store, case_id)
    store.record(case_id, FalldialogEnded(ended=D(2019, 6, 20), agreement=False), actor="kis")
    # § 6 Abs. 2: 03.06. + 12 Wochen = Mo 26.08.2019.
    assert ("md_commission", D(2019, 8, 26)) in _keys(store, case_id)
    # § 8: 11 Monate from the Übermittlung Fr 30.08.2019 = Do 30.07.2020, not from the receipt.
    store.record(
        case_id,
        Pruefanzeige(received=D(2019, 9, 2), transmitted=D(2019, 8, 30), items=KP),
        actor="kis",
    )
    assert _keys(store, case_id) == [("decision", D(2020, 7, 30))]
    # the Prüfanzeige came after the 12 weeks: void
    assert [p.code for p in findings(store.view(case_id))] == ["cases.pruefanzeige.late"]


def test_pruefvv_2017_after_the_decision(store: CaseStore) -> None:
    from leportal_core.cases import Gutachten

    old = opened(stay=Stay(admitted=D(2019, 5, 1)), invoice_date=None, invoice_received=None)
    case_id = store.open_case(old, actor="kis").case_id
    store.record(case_id, Pruefanzeige(received=D(2019, 6, 3), items=KP), actor="kis")
    store.record(case_id, Gutachten(received=D(2019, 12, 2), reduction=True), actor="kis")
    # Mitteilung nach § 8 Mi 15.01.2020: Rechnungskorrektur 4 Wochen = Mi 12.02.2020 (§ 10 S. 3),
    # Nachverfahren 6 Wochen = Mi 26.02.2020 (§ 9 S. 1).
    store.record(
        case_id, Leistungsentscheidung(received=D(2020, 1, 15), reduction=True), actor="kis"
    )
    assert _keys(store, case_id) == [
        ("invoice_correction_decision", D(2020, 2, 12)),
        ("nachverfahren", D(2020, 2, 26)),
    ]


def _cli(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(case, args, obj=new_plugin_manager())
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_cli_scenario_requests_delivery_and_falldialog(tmp_path: Path) -> None:
    store = str(tmp_path / "cases.sqlite")
    base = ["--store", store]
    connect(store, create=True).close()  # stores are made explicitly (leportal store init)
    code, out = _cli(
        [
            *base,
            "create",
            "--case-number",
            "F-1",
            "--hospital-ik",
            "260326822",
            "--kasse-ik",
            "101575519",
            "--kvnr",
            "A123456780",
            "--admitted",
            "2026-01-05",
            "--state",
            "HE",
            "--invoice-received",
            "2026-01-19",
        ]
    )
    assert code == 0, out
    for args in (
        ["einleitung", "F-1", "--received", "2026-05-11", "--item", "KP000"],
        ["falldialog", "F-1", "--received", "2026-05-12"],
        ["falldialog-end", "F-1", "--ended", "2026-06-01", "--no-agreement"],
        ["pruefanzeige", "F-1", "--received", "2026-07-20", "--item", "KP000"],
        [
            "request-documents",
            "F-1",
            "--received",
            "2026-07-21",
            "--item",
            "Arztbrief",
            "--item",
            "OP-Bericht",
        ],
        ["request-documents", "F-1", "--received", "2026-08-04", "--item", "Fieberkurve"],
        [
            "deliver",
            "F-1",
            "--delivered",
            "2026-08-10",
            "--delivery-id",
            "d1",
            "--request",
            "A6",
            "--item",
            "Arztbrief",
        ],
    ):
        code, out = _cli([*base, *args])
        assert code == 0, (args, out)
    # Two requests with their own due dates: A6 Di 21.07. + 8 Wochen = Di 15.09.2026,
    # A7 Di 04.08. + 8 Wochen = Di 29.09.2026. A6 is still missing the OP-Bericht.
    code, out = _cli([*base, "due", "--today", "2026-09-01", "--days", "60", "--json"])
    data = json.loads(out)
    documents = [
        (d["subject"], d["due"], d["missing"])
        for d in data["deadlines"]
        if d["rule"] == "documents"
    ]
    assert documents == [
        ("A6", "2026-09-15", ["OP-Bericht"]),
        ("A7", "2026-09-29", ["Fieberkurve"]),
    ]
    assert data["total"] == len(data["deadlines"])
    code, out = _cli([*base, "due", "--today", "2026-09-01", "--days", "60", "--limit", "1"])
    assert out.splitlines()[-1] == f"1–1 of {data['total']}"
    code, out = _cli([*base, "show", "F-1", "--json"])
    shown = json.loads(out)["case"]
    assert shown["findings"] == []  # timely Prüfanzeige after the failed Falldialog
    assert [(r["request"], r["missing"], r["due"]) for r in shown["requests"]] == [
        ("A6", ["OP-Bericht"], "2026-09-15"),
        ("A7", ["Fieberkurve"], "2026-09-29"),
    ]
    code, out = _cli(
        [
            *base,
            "deliver",
            "F-1",
            "--delivered",
            "2026-08-11",
            "--delivery-id",
            "d2",
            "--request",
            "A6",
            "--item",
            "OP-Bericht",
        ]
    )
    assert code == 0, out
    code, out = _cli(
        [
            *base,
            "waive",
            "F-1",
            "--waived",
            "2026-08-12",
            "--request",
            "A7",
            "--item",
            "Fieberkurve",
            "--reason",
            "nicht vorhanden",
        ]
    )
    assert code == 0, out
    code, out = _cli([*base, "show", "F-1"])
    assert "Unterlagenanforderung A6 vom 21.07.2026 (erledigt)" in out
    assert "entbehrlich: Fieberkurve (nicht vorhanden)" in out
    code, out = _cli([*base, "due", "--today", "2026-09-01", "--days", "60", "--json"])
    assert [d for d in json.loads(out)["deadlines"] if d["rule"] == "documents"] == []
    code, out = _cli(
        [
            *base,
            "deliver",
            "F-1",
            "--delivered",
            "2026-08-11",
            "--delivery-id",
            "d3",
            "--request",
            "A9",
            "--item",
            "x",
        ]
    )
    assert code == 1
    assert "cases.request.unknown" in out


def test_cli_late_pruefanzeige_is_flagged(tmp_path: Path) -> None:
    store = str(tmp_path / "cases.sqlite")
    base = ["--store", store]
    connect(store, create=True).close()  # stores are made explicitly (leportal store init)
    _cli(
        [
            *base,
            "create",
            "--case-number",
            "F-2",
            "--hospital-ik",
            "260326822",
            "--kasse-ik",
            "101575519",
            "--kvnr",
            "A123456780",
            "--admitted",
            "2026-01-05",
            "--state",
            "HE",
            "--invoice-received",
            "2026-01-19",
        ]
    )
    for args in (
        ["einleitung", "F-2", "--received", "2026-05-11", "--item", "KP000"],
        ["falldialog", "F-2", "--received", "2026-05-12"],
        ["falldialog-end", "F-2", "--ended", "2026-06-01", "--no-agreement"],
        ["pruefanzeige", "F-2", "--received", "2026-08-04", "--item", "KP000"],
    ):
        code, out = _cli([*base, *args])
        assert code == 0, out
    code, out = _cli([*base, "show", "F-2"])
    assert "WARNING cases.pruefanzeige.late" in out
