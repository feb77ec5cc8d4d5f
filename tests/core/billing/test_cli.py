"""The ``billing`` command group: every problem code the CLI can meet, never a traceback."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from leportal_core.cli.billing import billing
from leportal_core.plugins import new_plugin_manager
from tests.core.billing.cases import DECODE_CASES
from tests.core.billing.helpers import ROOT, SAMPLES

# Codes the CLI cannot meet, because no command encodes caller-made records (build encodes only
# records it made itself): they are tested through the API in test_encode.py.
API_ONLY = {
    "billing.record.type": "encoding only",
    "billing.record.empty": "encoding only",
    "billing.record.unknown": "encoding only",
    "billing.record.unencodable": "encoding only",
    "billing.codec.type": "the codec's encode only (tests/core/billing/test_codec.py)",
}


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(billing, list(args), obj=new_plugin_manager())
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def problem_codes(result: Result) -> list[str]:
    return [p["code"] for p in json.loads(result.stdout)["problems"]]


@pytest.mark.parametrize("code", sorted(DECODE_CASES))
def test_validate_reports_every_decoder_code(code: str, tmp_path: Path) -> None:
    toml, data, max_problems, valid = DECODE_CASES[code]()
    file = tmp_path / "datei.csv"
    file.write_bytes(data)
    args = ["validate", str(file), "--json"]
    if toml is not None:
        (tmp_path / "profil.toml").write_text(toml, encoding="utf-8")
        args += ["--profile", str(tmp_path / "profil.toml")]
    if max_problems is not None:
        args += ["--max-problems", str(max_problems)]
    result = invoke(*args)
    assert result.exit_code == (0 if valid else 1)
    assert code in problem_codes(result)
    problem = next(p for p in json.loads(result.stdout)["problems"] if p["code"] == code)
    # Problem.as_dict(), as in every command's envelope
    assert (
        {"code", "message", "severity"}
        <= set(problem)
        <= {"code", "message", "severity", "location"}
    )
    assert set(problem.get("location", {})) <= {"line", "column", "field", "file", "offset"}
    # the same file in text mode explains the code too
    text = invoke(*[a for a in args if a != "--json"])
    assert code in text.output
    assert text.exit_code == result.exit_code


def test_validate_valid_sample_json() -> None:
    result = invoke("validate", str(SAMPLES / "mass-2026-10.csv"), "--json")
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["ok"] is True
    assert out["provisional"] is True
    assert out["counts"] == {"rows": 6, "valid_rows": 6, "errors": 0, "warnings": 0}
    assert out["totals"] == {"betrag": "8377.52"}
    assert out["groups"] == [
        {"group": "RE-2026-10-001", "rows": 6, "total": "8377.52", "declared": "8377.52"}
    ]
    assert out["problems"] == []


def test_validate_broken_sample_text() -> None:
    result = invoke("validate", str(SAMPLES / "mass-2026-10-fehlerhaft.csv"))
    assert result.exit_code == 1
    assert "INVALID" in result.output
    assert "line 4, Zeitraum bis: billing.value.date: Zeitraum bis 30.02.2026" in result.output


def test_unknown_profile_and_bad_profile_file_exit_2(tmp_path: Path) -> None:
    result = invoke("validate", str(SAMPLES / "mass-2026-10.csv"), "--profile", "nope", "--json")
    assert result.exit_code == 2
    assert problem_codes(result) == ["billing.profile.unknown"]
    bad = tmp_path / "bad.toml"
    bad.write_text("[profile\n")
    result = invoke("validate", str(SAMPLES / "mass-2026-10.csv"), "--profile", str(bad))
    assert result.exit_code == 2
    assert "billing.profile.invalid" in result.output


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = invoke("validate", str(tmp_path / "fehlt.csv"))
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_unreadable_file_and_index_failure_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> sqlite3.Connection:
        raise sqlite3.OperationalError("disk I/O error")

    big = tmp_path / "gross.csv"
    lines = (SAMPLES / "mass-2026-10.csv").read_bytes().split(b"\r\n")
    body = [lines[1].replace(b"50-2026-0815", f"AZ-{n}".encode()) for n in range(50_001)]
    big.write_bytes(lines[0] + b"\r\n" + b"\r\n".join(body) + b"\r\n")
    monkeypatch.setattr(sqlite3, "connect", broken)
    result = invoke("validate", str(big), "--json", "--max-problems", "5")
    assert result.exit_code == 1
    assert problem_codes(result) == ["billing.internal.index"]

    original = Path.open

    def unreadable(self: Path, *args: object, **kwargs: object) -> object:
        if self.suffix == ".csv":
            raise PermissionError(13, "Permission denied")
        return original(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", unreadable)
    result = invoke("validate", str(SAMPLES / "mass-2026-10.csv"), "--json")
    assert result.exit_code == 1
    assert problem_codes(result) == ["billing.file.unreadable"]


def test_profiles() -> None:
    result = invoke("profiles", "--columns")
    assert result.exit_code == 0
    assert "mass-provisional-v1 [PROVISIONAL]" in result.output
    assert "Betrag (betrag): decimal" in result.output
    listed = json.loads(invoke("profiles", "--json").stdout)
    assert listed["ok"] is True
    assert [p["name"] for p in listed["profiles"]] == [
        "approvals-v1",
        "attendance-v1",
        "mass-provisional-v1",
        "paper-lines-v1",
    ]


def test_reconcile_codes(tmp_path: Path) -> None:
    paper = (SAMPLES / "papierrechnung-2026-10.csv").read_bytes()
    paper = (
        paper.replace(b"2164,14", b"2164,41") + b"AZ-X;LT 25;01.10.2026;31.10.2026;1,00;1,00\r\n"
    )
    (tmp_path / "papier.csv").write_bytes(paper)
    result = invoke(
        "reconcile", str(SAMPLES / "mass-2026-10.csv"), str(tmp_path / "papier.csv"), "--json"
    )
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["ok"] is False
    assert [d["code"] for d in out["differences"]] == [
        "billing.reconcile.amount",
        "billing.reconcile.quantity",
        "billing.reconcile.missing_on_paper",
        "billing.reconcile.missing_electronic",
    ]
    assert problem_codes(result) == [d["code"] for d in out["differences"]]
    text = invoke(
        "reconcile", str(SAMPLES / "mass-2026-10.csv"), str(SAMPLES / "papierrechnung-2026-10.csv")
    )
    assert "DIFFER" in text.output
    assert text.exit_code == 1


def test_reconcile_with_invalid_paper_exits_1(tmp_path: Path) -> None:
    (tmp_path / "papier.csv").write_bytes(b"Quatsch\r\n")
    result = invoke(
        "reconcile", str(SAMPLES / "mass-2026-10.csv"), str(tmp_path / "papier.csv"), "--json"
    )
    assert result.exit_code == 1
    assert "billing.header.missing_column" in problem_codes(result)


def test_every_billing_code_is_tested() -> None:
    literal = re.compile(r"""code=["'](billing\.[a-z0-9_.]+)["']""")
    produced: set[str] = set()
    for path in (ROOT / "leportal_core" / "billing").glob("*.py"):
        for code in literal.findall(path.read_text(encoding="utf-8")):
            produced.add(code)
    cli_other = {
        "billing.profile.unknown",
        "billing.profile.invalid",
        "billing.file.unreadable",
        "billing.internal.index",
        "billing.reconcile.amount",
        "billing.reconcile.quantity",
        "billing.reconcile.missing_on_paper",
        "billing.reconcile.missing_electronic",
        "billing.entry.no_approval",
        "billing.entry.hours",
    }
    assert produced == set(DECODE_CASES) | cli_other | set(API_ONLY)


BUILD = [
    "build",
    str(SAMPLES / "bewilligungen.csv"),
    str(SAMPLES / "anwesenheit-2026-10.csv"),
    "--month",
    "2026-10",
    "--invoice-number",
    "RE-2026-10-001",
    "--invoice-date",
    "04.11.2026",
    "--ik",
    "260326822",
    "--facility-number",
    "E-4711",
]


def test_build_reproduces_the_sample_file_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "rechnung.csv"
    result = invoke(*BUILD, "--out", str(out), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "ok": True,
        "problems": [],
        "file": str(out),
        "lines": 6,
        "total": "8377.52",
    }
    assert out.read_bytes() == (SAMPLES / "mass-2026-10.csv").read_bytes()


def test_build_entry_codes_and_nothing_written(tmp_path: Path) -> None:
    attendance = (SAMPLES / "anwesenheit-2026-10.csv").read_bytes()
    attendance = attendance.replace(
        b"50-2026-0817;FLS;01.10.2026;1,50", b"50-2026-0817;FLS;01.10.2026;"
    )
    attendance += b"50-2026-0999;LT 25;05.10.2026;\r\n"
    (tmp_path / "anwesenheit.csv").write_bytes(attendance)
    args = [*BUILD, "--out", str(tmp_path / "out.csv"), "--json"]
    args[2] = str(tmp_path / "anwesenheit.csv")
    result = invoke(*args)
    assert result.exit_code == 1
    assert problem_codes(result) == ["billing.entry.hours", "billing.entry.no_approval"]
    assert not (tmp_path / "out.csv").exists()


def test_build_usage_errors(tmp_path: Path) -> None:
    result = invoke(*BUILD[:4], "Oktober", *BUILD[5:], "--out", str(tmp_path / "x.csv"))
    assert result.exit_code == 2
    assert "JJJJ-MM" in result.output
    bad_ik = [*BUILD, "--out", str(tmp_path / "x.csv"), "--json"]
    bad_ik[bad_ik.index("260326822")] = "260326823"
    result = invoke(*bad_ik)
    assert result.exit_code == 1
    assert "billing.value.ik" in problem_codes(result)
