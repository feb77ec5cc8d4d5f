"""Issue 21 point 11 and the smaller points: options and files that used to end in exit 70 or in
output that was not JSON now get a problem code and exit 1 (rejected) or 2 (usage)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from leportal_core.cli import build_cli
from leportal_core.cli.output import emit_json
from leportal_core.errors import LeportalError, ValidationError
from leportal_core.plugins import get_plugin_manager
from leportal_core.secondfactor.enrolment import parse_key_uri
from leportal_core.secondfactor.policy import decode_secret
from leportal_core.secondfactor.sealing import SealingKey

ROOT = Path(__file__).resolve().parents[2]
NOT_UTF8 = "Fall-\udcff"  # what Python makes of the byte 0xFF in argv
URI = "otpauth://totp/Portal:a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


@pytest.fixture
def invoke(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("LEPORTAL_PLUGINS", raising=False)  # the adapters' commands too
    monkeypatch.setenv("LEPORTAL_SEAL_KEY", SealingKey.generate().to_text())
    cli = build_cli(get_plugin_manager())

    def run(*args: str, stdin: bytes | None = None) -> Any:
        return CliRunner().invoke(cli, list(args), input=stdin)

    return run


def _case_args(store: Path) -> list[str]:
    return [
        "case", "--store", str(store), "create", "--case-number", "4711",
        "--hospital-ik", "260326822", "--kasse-ik", "108018007", "--kvnr", "A123456780",
        "--admitted", "2026-01-05", "--state", "HE",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "command",
    [
        lambda t: [*_case_args(t / "c.db"), "--event-id", NOT_UTF8],
        lambda t: ["totp", "enroll", "--store", str(t / "t.db"), "--account", NOT_UTF8],
        lambda t: [
            "delivery",
            "build",
            str(t / "r.json"),
            "--out",
            str(t / "o"),
            "--created",
            NOT_UTF8,
        ],
        lambda t: [
            "therapy",
            "send",
            str(t / "r.json"),
            "--store",
            str(t / "h.db"),
            "--smtp-host",
            NOT_UTF8,
        ],
    ],
    ids=["event-id", "account", "created", "smtp-host"],
)
def test_non_utf8_options_are_usage_errors(invoke: Any, tmp_path: Path, command: Any) -> None:
    result = invoke(*command(tmp_path))
    assert result.exit_code == 2, result.output
    assert "cli.option.encoding" in result.output


def test_non_utf8_event_id_from_a_real_command_line(tmp_path: Path) -> None:
    argv = [os.fsencode(a) for a in _case_args(tmp_path / "c.db")] + [b"--event-id", b"x\xff"]
    result = subprocess.run(
        [sys.executable, "-c", "from leportal_core.cli import main; main()", *argv],
        capture_output=True,
        timeout=600,
    )
    assert result.returncode == 2, result.stderr
    assert b"cli.option.encoding" in result.stderr
    assert not (tmp_path / "c.db").exists() or b"internal error" not in result.stderr


def test_uri_file_that_is_not_utf8_or_has_a_second_line(invoke: Any, tmp_path: Path) -> None:
    store = str(tmp_path / "t.db")
    assert invoke("store", "init", store).exit_code == 0  # stores are made explicitly
    bad = tmp_path / "bad.uri"
    bad.write_bytes(URI.encode() + b"\xff\xfe")
    result = invoke(
        "totp", "machine-add", "--store", store, "--account", "a", "--uri-file", str(bad)
    )
    assert result.exit_code == 1
    assert "secondfactor.uri.invalid" in result.output
    two = tmp_path / "two.uri"
    two.write_text(URI + "\nGEZDGNBVGY3TQOJQ\n", encoding="utf-8")
    result = invoke(
        "totp", "machine-add", "--store", store, "--account", "a", "--uri-file", str(two)
    )
    assert result.exit_code == 1
    assert "more than one line" in result.output
    one = tmp_path / "one.uri"
    one.write_text(URI + "\n", encoding="utf-8")  # one line with its newline is fine
    result = invoke(
        "totp", "machine-add", "--store", store, "--account", "a", "--uri-file", str(one)
    )
    assert result.exit_code == 0, result.output
    result = invoke(
        "totp",
        "machine-add",
        "--store",
        store,
        "--account",
        "b",
        "--uri-file",
        "-",
        stdin=URI.encode(),
    )
    assert result.exit_code == 0, result.output


def test_a_second_line_is_never_merged_into_a_seed() -> None:
    with pytest.raises(ValidationError, match="more than one line"):
        parse_key_uri(URI + "\nMFRGGZDF")
    with pytest.raises(ValidationError, match="more than one line"):
        decode_secret("GEZDGNBVGY3TQOJQ\nGEZDGNBVGY3TQOJQ")
    assert decode_secret("gezd gnbv gy3t qojq\n") == b"1234567890"
    key = SealingKey.generate().to_text()
    with pytest.raises(LeportalError, match="one line"):
        SealingKey.from_text(key + "\n" + key)


def test_case_due_at_the_end_of_time(invoke: Any, tmp_path: Path) -> None:
    assert invoke("store", "init", str(tmp_path / "c.db")).exit_code == 0
    assert invoke(*_case_args(tmp_path / "c.db")).exit_code == 0
    store = str(tmp_path / "c.db")
    result = invoke("case", "--store", store, "due", "--today", "9999-12-31")
    assert result.exit_code == 2
    assert "cli.option.range" in result.output
    result = invoke("case", "--store", store, "due", "--today", "9999-12-31", "--json")
    assert json.loads(result.stdout)["problems"][0]["code"] == "cli.option.range"
    assert (
        invoke("case", "--store", store, "due", "--today", "9999-12-17", "--days", "14").exit_code
        == 0
    )


def test_archive_export_into_an_unwritable_folder(
    invoke: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = str(ROOT / "samples" / "documents" / "entlassungsbericht.pdf")
    import leportal_kis_archive.cli as archive_cli

    def refuse(path: Any, data: bytes) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    with monkeypatch.context() as patch:
        patch.setattr(archive_cli, "write_bytes_atomic", refuse)
        result = invoke("archive", "export", pdf, "--out", str(tmp_path / "out"))
    assert result.exit_code == 74, result.output  # a storage failure, not a usage error
    assert "Permission denied" in result.output
    assert "internal error" not in result.output
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    result = invoke("archive", "export", pdf, "--out", str(blocked / "sub"))
    assert result.exit_code == 2
    assert "internal error" not in result.output
    if os.geteuid() != 0:  # root writes into read-only folders
        readonly = tmp_path / "ro"
        readonly.mkdir(mode=0o555)
        result = invoke("archive", "export", pdf, "--out", str(readonly))
        assert result.exit_code == 74
        assert "internal error" not in result.output


def test_totp_at_nan_and_minus_zero_give_json(invoke: Any, tmp_path: Path) -> None:
    store = str(tmp_path / "t.db")
    assert invoke("store", "init", store).exit_code == 0  # stores are made explicitly
    assert invoke("totp", "enroll", "--store", store, "--account", "a", "--no-qr").exit_code == 0
    base = ["totp", "verify", "--store", store, "--account", "a", "123456", "--json"]
    result = invoke(*base, "--at", "nan")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["problems"][0]["code"] == "secondfactor.time.invalid"
    assert "not a finite number" in result.output
    result = invoke(*base, "--at", "-0")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["ok"] is False  # JSON, also for the refusal
    bad_key = tmp_path / "bad.key"
    bad_key.write_text("not a key\nsecond line\n")
    result = invoke(*base, "--at", "5", "--key-file", str(bad_key))
    assert result.exit_code in (1, 2)
    assert json.loads(result.stdout)["problems"]


def test_emit_json_output_is_always_json_and_utf8(capsys: pytest.CaptureFixture[str]) -> None:
    emit_json({"a": float("nan"), "b": [float("inf"), -0.0], NOT_UTF8: NOT_UTF8})
    out = capsys.readouterr().out
    data = json.loads(out, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))
    assert data == {"a": None, "b": [None, 0.0], "Fall-\ufffd": "Fall-\ufffd"}
    out.encode("utf-8")  # no lone surrogates


def test_json_errors_are_json_on_stdout(invoke: Any, tmp_path: Path) -> None:
    user = tmp_path / "user"
    user.mkdir()
    (user / "brief.docx").write_bytes(b"a letter")
    request = ROOT / "samples" / "documents" / "anforderung.json"
    result = invoke("delivery", "build", str(request), "--out", str(user), "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["problems"][0]["code"] == "delivery.output.foreign"
    assert (user / "brief.docx").read_bytes() == b"a letter"
    result = invoke("delivery", "reconcile", "/dev/zero", str(request), "--json")
    assert result.exit_code == 2  # refused before reading, as every command's input (docs/cli.md)
    assert json.loads(result.stdout)["problems"][0]["code"] == "input.not_regular"
