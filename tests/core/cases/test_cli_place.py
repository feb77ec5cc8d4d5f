"""Issue 15, point 6 through the CLI: the municipality narrows the § 193 BGB calendar."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from leportal_core.cli.cases import case, deadlines
from leportal_core.plugins import new_plugin_manager
from leportal_core.store import connect


def test_deadlines_with_a_municipality() -> None:
    # Fr 13.06.2025 + 8 Wochen = Fr 08.08.2025, the Augsburger Hohes Friedensfest → Mo 11.08.2025.
    base = ["--rule", "documents", "--received", "2025-06-13", "--state", "BY", "--json"]
    land = json.loads(CliRunner().invoke(deadlines, base).output)["deadline"]
    city = json.loads(CliRunner().invoke(deadlines, [*base, "--municipality", "09761000"]).output)[
        "deadline"
    ]
    assert (land["due"], city["due"]) == ("2025-08-08", "2025-08-11")
    assert land["calendar"] == "Feiertage Bayern (BY) (Landeskalender)"
    assert "Augsburger Hohes Friedensfest" in city["calendar"]


def test_a_case_in_a_municipality_with_fronleichnam(tmp_path: Path) -> None:
    store = str(tmp_path / "cases.sqlite")
    connect(store, create=True).close()  # stores are made explicitly (leportal store init)
    runner = CliRunner()
    args = ["--store", store, "create", "--case-number", "F-1", "--hospital-ik", "260326822"]
    args += ["--kasse-ik", "101575519", "--kvnr", "A123456780", "--admitted", "2026-01-05"]
    args += ["--state", "SN", "--municipality", "Crostwitz", "--catholic-holidays"]
    result = runner.invoke(case, args, obj=new_plugin_manager())
    assert result.exit_code == 0, result.output
    for step in (
        ["pruefanzeige", "F-1", "--received", "2026-04-01", "--item", "KP000"],
        ["request-documents", "F-1", "--received", "2026-04-09", "--item", "OP-Bericht"],
    ):
        result = runner.invoke(case, ["--store", store, *step], obj=new_plugin_manager())
        assert result.exit_code == 0, result.output
    shown = json.loads(
        runner.invoke(
            case, ["--store", store, "show", "F-1", "--json"], obj=new_plugin_manager()
        ).output
    )["case"]
    # Do 09.04.2026 + 8 Wochen = Do 04.06.2026 Fronleichnam (kept in Crostwitz) → Fr 05.06.2026
    [documents] = [d for d in shown["deadlines"] if d["rule"] == "documents"]
    assert documents["due"] == "2026-06-05"
    assert shown["calendar"] == "Feiertage Sachsen (SN), Gemeinde Crostwitz: Fronleichnam"
