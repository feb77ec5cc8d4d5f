"""``leportal totp …`` through click's runner, on a real store file."""

from __future__ import annotations

import json
from pathlib import Path

import pyotp
import pytest
from click.testing import CliRunner, Result

from leportal_core.cli import totp as cli_module
from leportal_core.cli.store import store as store_group
from leportal_core.cli.totp import totp
from leportal_core.plugins import new_plugin_manager
from leportal_core.secondfactor import ManualClock, SealingKey, TotpPolicy, decode_secret

from .conftest import START


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> SealingKey:
    key = SealingKey.generate()
    monkeypatch.setenv("LEPORTAL_SEAL_KEY", key.to_text())
    return key


@pytest.fixture(autouse=True)
def store_made(tmp_path: Path) -> Path:
    """Each test's store ``s.db``, made the explicit way: `leportal store init PATH`."""
    path = tmp_path / "s.db"
    assert CliRunner().invoke(store_group, ["init", str(path)]).exit_code == 0
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(totp, list(args), obj=new_plugin_manager())


def enrol(db: Path, account: str = "anna") -> bytes:
    result = run("enroll", "--store", str(db), "--account", account, "--show-secret", "--no-qr")
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("secret: "))
    return decode_secret(line.removeprefix("secret: "))


def code(secret: bytes, at: float) -> str:
    return TotpPolicy().code(secret, at)


def test_enroll_hides_secret_by_default(env: SealingKey, tmp_path: Path) -> None:
    svg, png = tmp_path / "qr.svg", tmp_path / "qr.png"
    result = run(
        "enroll",
        "--store",
        str(tmp_path / "s.db"),
        "--account",
        "dr a:b",
        "--issuer",
        "Klinik",
        "--svg",
        str(svg),
        "--png",
        str(png),
    )
    assert result.exit_code == 0, result.output
    assert "otpauth://totp/Klinik:dr%20a%3Ab?secret=…&issuer=Klinik" in result.output
    assert "secret: " not in result.output
    assert "▀" in result.output or "█" in result.output  # the terminal QR code
    assert svg.read_text(encoding="utf-8").startswith("<svg")
    assert png.read_bytes().startswith(b"\x89PNG")


def test_shown_uri_loads_in_pyotp(env: SealingKey, tmp_path: Path) -> None:
    result = run("enroll", "--store", str(tmp_path / "s.db"), "--account", "anna", "--show-secret")
    uri = next(x for x in result.output.splitlines() if x.startswith("otpauth://"))
    assert pyotp.parse_uri(uri).name == "anna"


def test_confirm_verify_reasons(env: SealingKey, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    secret = enrol(db)
    at = str(START)
    first = code(secret, START)
    refused = run("verify", "--store", str(db), "--account", "anna", first, "--at", at)
    assert refused.exit_code == 1
    assert "not enrolled" in refused.output
    confirmed = run("confirm", "--store", str(db), "--account", "anna", first, "--at", at)
    assert confirmed.exit_code == 0, confirmed.output
    replayed = run("verify", "--store", str(db), "--account", "anna", first, "--at", at)
    assert replayed.exit_code == 1
    assert "replayed" in replayed.output
    later = str(START + 30)
    fresh = code(secret, START + 30)
    accepted = run(
        "verify", "--store", str(db), "--account", "anna", fresh, "--at", later, "--json"
    )
    assert accepted.exit_code == 0
    assert json.loads(accepted.output)["outcome"] == "accepted"
    wrong = "000000" if fresh != "000000" else "111111"
    answer = run("verify", "--store", str(db), "--account", "anna", wrong, "--at", later, "--json")
    assert answer.exit_code == 1
    data = json.loads(answer.output)
    assert data["outcome"] == "wrong"
    assert data["problems"][0]["code"] == "secondfactor.code.wrong"


def test_lock_and_unlock(env: SealingKey, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    secret = enrol(db)
    assert (
        run(
            "confirm",
            "--store",
            str(db),
            "--account",
            "anna",
            code(secret, START),
            "--at",
            str(START),
        ).exit_code
        == 0
    )
    for n in range(10):
        run(
            "verify",
            "--store",
            str(db),
            "--account",
            "anna",
            "12ab56",
            "--at",
            str(START + 100 * n),
        )
    at = START + 2000
    locked = run(
        "verify", "--store", str(db), "--account", "anna", code(secret, at), "--at", str(at)
    )
    assert locked.exit_code == 1
    assert "locked" in locked.output
    assert run("unlock", "--store", str(db), "--account", "anna").exit_code == 0
    ok = run("verify", "--store", str(db), "--account", "anna", code(secret, at), "--at", str(at))
    assert ok.exit_code == 0, ok.output


def test_revoke(env: SealingKey, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    enrol(db)
    assert run("revoke", "--store", str(db), "--account", "anna").exit_code == 0
    assert run("revoke", "--store", str(db), "--account", "anna").exit_code == 1


def test_key_problems_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LEPORTAL_SEAL_KEY", raising=False)
    result = run("enroll", "--store", str(tmp_path / "s.db"), "--account", "anna")
    assert result.exit_code == 2
    assert "secondfactor.key.missing" in result.output
    monkeypatch.setenv("LEPORTAL_SEAL_KEY", "tooshort")
    assert run("enroll", "--store", str(tmp_path / "s.db"), "--account", "anna").exit_code == 2


def test_wrong_key_refuses_to_open(env: SealingKey, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    secret = enrol(db)
    other = tmp_path / "other.key"
    other.write_text(SealingKey.generate().to_text(), encoding="ascii")
    result = run(
        "confirm",
        "--store",
        str(db),
        "--account",
        "anna",
        code(secret, START),
        "--at",
        str(START),
        "--key-file",
        str(other),
    )
    assert result.exit_code == 1
    assert "secondfactor.seal.unknown_key" in result.output


def test_rotate_key(env: SealingKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "s.db"
    secret = enrol(db)
    old = tmp_path / "old.key"
    old.write_text(env.to_text(), encoding="ascii")
    new = SealingKey.generate()
    monkeypatch.setenv("LEPORTAL_SEAL_KEY", new.to_text())
    rotated = run("rotate-key", "--store", str(db), "--old-key-file", str(old))
    assert rotated.exit_code == 0, rotated.output
    assert "re-sealed 1 seed(s)" in rotated.output
    confirmed = run(
        "confirm", "--store", str(db), "--account", "anna", code(secret, START), "--at", str(START)
    )
    assert confirmed.exit_code == 0, confirmed.output


def test_new_key_and_bad_input() -> None:
    key = run("new-key")
    assert SealingKey.from_text(key.output.strip())
    assert run("code", "--secret", "not base32!").exit_code == 1
    assert run("code", "--secret", "GEZDGNBVGY3TQOJQ", "--digits", "7").exit_code == 2
    assert run("code", "--secret", "GEZDGNBVGY3TQOJQ", "--at", "-5").exit_code == 2
    assert run("code", "--secret", "GEZDGNBVGY3TQOJQ", "--at", "1e30").exit_code == 2
    not_a_time = run("code", "--secret", "GEZDGNBVGY3TQOJQ", "--at", "nan")
    assert not_a_time.exit_code == 1
    assert "secondfactor.time.invalid" in not_a_time.output
    huge = run("code", "--secret", "GEZDGNBVGY3TQOJQ", "--counter", str(2**64))
    assert huge.exit_code == 2


def test_verify_needs_existing_store(env: SealingKey, tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    result = run("verify", "--store", str(missing), "--account", "a", "123456", "--json")
    assert result.exit_code == 74
    assert [p["code"] for p in json.loads(result.output)["problems"]] == ["store.missing"]
    assert not missing.exists()  # refused, not made


def test_enroll_does_not_make_a_store(env: SealingKey, tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    result = run("enroll", "--store", str(missing), "--account", "anna", "--no-qr")
    assert result.exit_code == 74
    assert "store.missing" in result.output
    assert "leportal store init" in result.output
    assert not missing.exists()


def test_machine_add_and_code(
    env: SealingKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(START + 27)  # 3 s before the step ends: machine-code waits for the next
    monkeypatch.setattr(cli_module, "_machine_clock", clock)
    monkeypatch.setattr(cli_module, "_machine_sleeper", clock.sleep)
    db = tmp_path / "s.db"
    uri = tmp_path / "portal.uri"
    uri.write_text(
        "otpauth://totp/LE-Portal:kis?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=LE-Portal\n",
        encoding="utf-8",
    )
    added = run("machine-add", "--store", str(db), "--account", "kis", "--uri-file", str(uri))
    assert added.exit_code == 0, added.output
    assert "GEZDGNBV" not in added.output
    result = run("machine-code", "--store", str(db), "--account", "kis")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == TotpPolicy().code(b"12345678901234567890", START + 30)
    assert clock.slept == [3.0]
    unknown = run("machine-code", "--store", str(db), "--account", "nobody")
    assert unknown.exit_code == 1
    assert "secondfactor.machine.unknown" in unknown.output


def test_machine_add_bad_uri(env: SealingKey, tmp_path: Path) -> None:
    uri = tmp_path / "bad.uri"
    uri.write_text("otpauth://hotp/x?secret=GEZDGNBVGY3TQOJQ", encoding="utf-8")
    result = run(
        "machine-add", "--store", str(tmp_path / "s.db"), "--account", "k", "--uri-file", str(uri)
    )
    assert result.exit_code == 1
    assert "secondfactor.uri.invalid" in result.output
