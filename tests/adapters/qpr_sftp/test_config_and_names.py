"""The configuration collects every problem; remote names are checked and made safe."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leportal_core.errors import ConfigurationError
from leportal_qpr_sftp.config import load_config
from leportal_qpr_sftp.names import check_remote_name, local_name

GOOD = """
[qpr_sftp]
host = "sftp.qpr.example"
port = 2222
user = "ik260326822"
private_key = "keys/id_ed25519"
host_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
remote_dir = "ausgang"
target_dir = "eingang"
recipient_ik = "260326822"
recipient_email = "pdl@pflegeheim.example"
after_fetch = "move"
move_to = "ausgang/abgeholt"
"""


def test_a_good_configuration_resolves_paths_next_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "qpr.toml"
    path.write_text(GOOD, encoding="utf-8")
    config = load_config(path)
    assert config.port == 2222
    assert config.private_key == tmp_path / "keys" / "id_ed25519"
    assert config.target_dir == tmp_path / "eingang"
    assert config.quarantine_dir == tmp_path / "eingang" / "quarantaene"
    assert config.store == tmp_path / "eingang" / ".leportal-qpr.sqlite"
    assert config.after_fetch == "move"
    assert "AAAAC3" not in repr(config)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "qpr.toml"
    path.write_text(
        'user = "x"\npassword = "geheim123"\nrecipient_ik = "260326823"\n'
        'recipient_email = "kein-at"\ntarget_dir = "in"\nafter_fetch = "shred"\nport = 0\nfoo = 1\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as caught:
        load_config(path)
    codes = {p.code for p in caught.value.problems}
    assert codes == {
        "qpr_sftp.config.missing",
        "qpr_sftp.config.inline_secret",
        "qpr_sftp.config.no_credentials",
        "qpr_sftp.config.host_key",
        "ik.checksum",
        "qpr_sftp.config.email",
        "qpr_sftp.config.after_fetch",
        "qpr_sftp.config.type",
        "qpr_sftp.config.unknown_key",
    }
    assert "geheim123" not in str(caught.value)


def test_unreadable_and_broken_files_are_configuration_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as missing:
        load_config(tmp_path / "nope.toml")
    assert missing.value.code == "qpr_sftp.config.unreadable"
    bad = tmp_path / "bad.toml"
    bad.write_text("host = = 1", encoding="utf-8")
    with pytest.raises(ConfigurationError) as broken:
        load_config(bad)
    assert broken.value.code == "qpr_sftp.config.syntax"


def test_password_sources_fail_without_showing_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "qpr.toml"
    path.write_text(
        GOOD.replace('private_key = "keys/id_ed25519"', 'password_file = "pw.txt"'),
        encoding="utf-8",
    )
    config = load_config(path)
    with pytest.raises(ConfigurationError) as caught:
        config.password()
    assert caught.value.code == "qpr_sftp.config.password"
    (tmp_path / "pw.txt").write_text("Sehr-Geheim\n", encoding="utf-8")
    assert config.password() == "Sehr-Geheim"


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("Pruefbericht_260326822.pdf", True),
        ("Prüfbericht März.pdf", True),
        ("../../etc/passwd", False),
        ("/etc/passwd", False),
        ("..\\..\\boot.ini", False),
        (".", False),
        ("a\x00b.pdf", False),
        ("a\nb.pdf", False),
        ("rechts\u202etxt.pdf", False),
        ("x" * 300, False),
    ],
)
def test_remote_names(name: str, ok: bool) -> None:
    assert (check_remote_name(name) is None) is ok


@given(st.text(min_size=1, max_size=80))
def test_every_accepted_name_gives_a_plain_local_name(name: str) -> None:
    if check_remote_name(name) is not None:
        return
    local = local_name(name)
    assert local
    assert "/" not in local
    assert "\\" not in local
    assert local not in {".", ".."}
    assert not local.startswith(".")
    assert local.lower().endswith(".pdf")
    assert not set(local) & set('<>:"|?*')
    quarantined = local_name(name, pdf=False)
    assert quarantined
    assert "/" not in quarantined
    assert not quarantined.startswith(".")
