"""Begehungsliste and Strukturprüfung from the command line."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from click.testing import CliRunner

from leportal_core.cli.cases import case
from leportal_core.plugins import new_plugin_manager
from leportal_core.store import connect


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(case, args, obj=new_plugin_manager())
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_begehung_and_strukturpruefung(tmp_path: Path) -> None:
    store = ["--store", str(tmp_path / "cases.sqlite")]
    connect(
        tmp_path / "cases.sqlite", create=True
    ).close()  # stores are made explicitly (leportal store init)
    code, out = _run(
        [
            *store,
            "begehung",
            "--hospital-ik",
            "260326822",
            "--received",
            "2026-03-01",
            "--audit-date",
            "2026-05-04",
            "--item",
            "Intensivstation",
            "--item",
            "OP",
            "--json",
        ]
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["begehungslisten"] == [
        {"id": data["id"], "audit_date": "2026-05-04", "items": ["Intensivstation", "OP"]}
    ]
    # 8-98f checked Mo 01.06.2026, every 2 years: next due 01.06.2028 (§ 188 BGB month arithmetic)
    code, out = _run(
        [
            *store,
            "strukturpruefung",
            "--standort",
            "771234567",
            "--ops",
            "8-98f",
            "--recurrence",
            "2",
            "--last-checked",
            "2026-06-01",
        ]
    )
    assert code == 0, out
    assert "next Strukturprüfung due 01.06.2028" in out
    code, out = _run([*store, "strukturpruefung-due", "--before", "2028-06-02", "--json"])
    assert [e["next_due"] for e in json.loads(out)["strukturpruefungen"]] == ["2028-06-01"]
    code, out = _run([*store, "strukturpruefung-due", "--before", "2028-06-01"])
    assert out.strip() == "no Strukturprüfung due"
    code, out = _run(
        [
            *store,
            "strukturpruefung",
            "--standort",
            "12",
            "--ops",
            "x",
            "--recurrence",
            "2",
            "--last-checked",
            "2026-06-01",
        ]
    )
    assert code == 1
    assert "cases.struktur.standort" in out
    assert "cases.struktur.ops" in out


def test_each_ops_code_has_its_own_recurrence(tmp_path: Path) -> None:
    from leportal_core.cases import CaseStore, Strukturpruefung

    store = ["--store", str(tmp_path / "cases.sqlite")]
    connect(
        tmp_path / "cases.sqlite", create=True
    ).close()  # stores are made explicitly (leportal store init)
    code, out = _run(
        [
            *store,
            "strukturpruefung",
            "--standort",
            "771234567",
            "--ops",
            "8-98f",
            "--ops",
            "8-550.1",
            "--recurrence",
            "2",
            "--ops-recurrence",
            "8-550.1=3",
            "--last-checked",
            "2026-06-01",
            "--json",
        ]
    )
    assert code == 0, out
    data = json.loads(out)
    # 01.06.2026 + 2 Jahre = 01.06.2028 (8-98f), + 3 Jahre = 01.06.2029 (8-550.1)
    assert data["by_ops"] == {"8-98f": "2028-06-01", "8-550.1": "2029-06-01"}
    assert data["next_due"] == "2028-06-01"
    with CaseStore(tmp_path / "cases.sqlite") as opened_store:
        [(_, saved)] = opened_store.strukturpruefungen_due(datetime.date(2030, 1, 1))
    assert isinstance(saved, Strukturpruefung)
    assert saved.ops_recurrence == (("8-550.1", 3),)
    code, out = _run(
        [
            *store,
            "strukturpruefung",
            "--standort",
            "771234567",
            "--ops",
            "8-98f",
            "--recurrence",
            "2",
            "--ops-recurrence",
            "1-234=3",
            "--last-checked",
            "2026-06-01",
        ]
    )
    assert code == 1
    assert "cases.struktur.recurrence" in out
