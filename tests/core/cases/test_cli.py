"""``leportal deadlines`` and ``leportal case …`` through click's runner, on a real store file."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from leportal_core.cli.cases import case, deadlines
from leportal_core.cli.store import store as store_group
from leportal_core.plugins import new_plugin_manager

CREATE = [
    "create",
    "--case-number", "F-2026-000123",
    "--hospital-ik", "260326822",
    "--kasse-ik", "101575519",
    "--kvnr", "A123456780",
    "--admitted", "2026-01-05",
    "--discharged", "12.01.2026",
    "--department", "0300 Kardiologie",
    "--state", "HE",
    "--invoice-number", "R-4711",
    "--invoice-received", "2026-01-19",
]  # fmt: skip


def _new_store(tmp_path: Path) -> str:
    """A store made the explicit way, as a user does once: `leportal store init PATH`."""
    path = str(tmp_path / "cases.sqlite")
    assert CliRunner().invoke(store_group, ["init", path]).exit_code == 0
    return path


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(
        deadlines if args[0] == "--rule" else case, args, obj=new_plugin_manager()
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_deadlines_explains_the_worked_example() -> None:
    code, out = _run(["--rule", "documents", "--received", "2026-02-09", "--state", "HE"])
    assert code == 0
    assert "06.04.2026 Ostermontag (HE)" in out
    assert "Fristende: Di 07.04.2026" in out


def test_deadlines_json_and_switch() -> None:
    code, out = _run(
        [
            "--rule",
            "documents",
            "--received",
            "09.02.2026",
            "--state",
            "he",
            "--json",
            "--no-roll-forward",
        ]
    )
    data = json.loads(out)
    assert code == 0
    assert data["deadline"]["due"] == "2026-04-06"
    assert data["deadline"]["roll_forward"] is False


def test_deadlines_old_admission_uses_pruefvv_2017() -> None:
    code, out = _run(
        [
            "--rule",
            "decision",
            "--received",
            "2021-03-15",
            "--state",
            "HE",
            "--admission",
            "2021-02-01",
            "--json",
        ]
    )
    assert code == 0
    assert json.loads(out)["deadline"]["pruefvv"] == "PrüfvV 2017"


def test_deadlines_rejects_bad_input_with_codes() -> None:
    code, out = _run(["--rule", "nope", "--received", "2026-02-09", "--state", "XX", "--json"])
    assert code == 1
    assert [p["code"] for p in json.loads(out)["problems"]] == [
        "deadline.rule.unknown",
        "deadline.state.unknown",
    ]
    code, out = _run(["--rule", "documents", "--received", "31.02.2026", "--state", "HE"])
    assert code == 2  # not a date: a usage error


def test_case_lifecycle(tmp_path: Path) -> None:
    store = _new_store(tmp_path)
    code, out = _run(["--store", store, *CREATE, "--json"])
    assert code == 0, out
    created = json.loads(out)
    case_id = created["event"]["case_id"]
    assert created["case"]["state"] == "OPENED"
    code, out = _run(
        [
            "--store",
            store,
            "pruefanzeige",
            "F-2026-000123",
            "--received",
            "2026-02-02",
            "--item",
            "KP000",
            "--md-reference",
            "MD-1",
        ]
    )
    assert code == 0, out
    assert "Prüfung angezeigt" in out
    code, out = _run(
        [
            "--store",
            store,
            "request-documents",
            "MD-1",
            "--received",
            "2026-02-09",
            "--item",
            "OP-Bericht",
        ]
    )
    assert code == 0, out
    assert "due 07.04.2026: documents" in out
    code, out = _run(["--store", store, "due", "--days", "14", "--today", "2026-03-30", "--json"])
    assert [(d["case_id"], d["rule"], d["due"]) for d in json.loads(out)["deadlines"]] == [
        (case_id, "documents", "2026-04-07")
    ]
    code, out = _run(["--store", store, "overdue", "--today", "2026-04-08"])
    assert "07.04.2026  documents" in out
    code, out = _run(["--store", store, "show", "R-4711"])
    assert code == 0
    assert "Unterlagen angefordert" in out
    assert "Ostermontag (HE)" in out
    code, out = _run(
        [
            "--store",
            store,
            "deliver",
            case_id,
            "--delivered",
            "2026-03-01",
            "--delivery-id",
            "dlv-1",
            "--item",
            "OP-Bericht",
        ]
    )
    assert code == 0, out
    code, out = _run(["--store", store, "overdue", "--today", "2026-04-08"])
    assert out.strip() == "no deadlines (0 in all)"
    code, out = _run(["--store", store, "show", case_id, "--json"])
    data = json.loads(out)["case"]
    assert [e["kind"] for e in data["events"]] == [
        "OPENED",
        "PRUEFANZEIGE",
        "UNTERLAGENANFORDERUNG",
        "DELIVERY",
    ]
    assert "GUTACHTEN" in data["allowed_steps"]
    assert data["findings"] == []


def test_case_refusals(tmp_path: Path) -> None:
    store = _new_store(tmp_path)
    code, out = _run(["--store", store, "create", *CREATE[1:]])
    assert code == 0
    code, out = _run(
        [
            "--store",
            store,
            "gutachten",
            "F-2026-000123",
            "--received",
            "2026-03-01",
            "--reduction",
            "--json",
        ]
    )
    assert code == 1
    problem = json.loads(out)["problems"][0]
    assert problem["code"] == "cases.step.illegal"
    assert "'angelegt'" in problem["message"]
    code, out = _run(
        ["--store", store, "pruefanzeige", "F-2026-000123", "--received", "2026-02-02", "--json"]
    )
    assert code == 1
    assert json.loads(out)["problems"][0]["code"] == "cases.pruefanzeige.no_item"
    code, out = _run(
        [
            "--store",
            store,
            "pruefanzeige",
            "F-2026-000123",
            "--received",
            "2026-02-02",
            "--item",
            "XX000",
            "--json",
        ]
    )
    assert json.loads(out)["problems"][0]["code"] == "cases.pruefanzeige.unknown_item"
    code, out = _run(["--store", store, "show", "nothing"])
    assert code == 1


def test_create_reports_every_problem(tmp_path: Path) -> None:
    args = ["--store", str(tmp_path / "c.sqlite"), *CREATE, "--json"]
    args[args.index("--state") + 1] = "XX"
    args[args.index("--kvnr") + 1] = "A123456781"
    args[args.index("--discharged") + 1] = "2026-01-01"
    code, out = _run(args)
    assert code == 1
    assert {p["code"] for p in json.loads(out)["problems"]} == {
        "cases.date.order",
        "cases.state.unknown",
        "kvnr.checksum",
    }


def test_unusable_store_is_exit_74(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database" * 100)
    code, out = _run(["--store", str(bad), "due", "--json"])
    assert code == 74
    assert [p["code"] for p in json.loads(out)["problems"]] == ["store.damaged"]


def test_the_store_must_be_named_but_help_works_without() -> None:
    code, out = _run(["due", "--help"])
    assert code == 0
    assert "--days" in out
    result = CliRunner(env={"LEPORTAL_CASE_STORE": None}).invoke(
        case, ["due"], obj=new_plugin_manager()
    )
    assert result.exit_code == 2
    assert "--store" in result.output
