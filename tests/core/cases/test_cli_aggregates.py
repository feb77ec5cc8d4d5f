"""Begehungsliste and Strukturprüfung from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from leportal_core.cli.cases import case
from leportal_core.plugins import new_plugin_manager


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(case, args, obj=new_plugin_manager())
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_begehung_and_strukturpruefung(tmp_path: Path) -> None:
    store = ["--store", str(tmp_path / "cases.sqlite")]
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
