"""One broken third-party plug-in must not take the command line down with it (issue 20, item 6).

Each test installs a fake distribution (a ``.dist-info`` folder with an entry point) on
``PYTHONPATH`` and runs the real ``leportal`` command in a subprocess, as a user would meet it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from leportal_core import PluginError
from leportal_core.plugins import get_plugin_manager

BROKEN = {
    "import": "raise ImportError('libacme.so: cannot open shared object file')\n",
    "unknown_hook": (
        "from leportal_core import hookimpl\n@hookimpl\ndef leportal_no_such_hook():\n    pass\n"
    ),
    "commands": (
        "from leportal_core import hookimpl\n"
        "@hookimpl\n"
        "def leportal_register_commands(cli):\n"
        "    raise RuntimeError('licence server unreachable')\n"
    ),
}


def install_fake_plugin(folder: Path, kind: str) -> None:
    (folder / "acme_broken.py").write_text(BROKEN[kind], encoding="utf-8")
    info = folder / "acme_broken-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-broken\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[leportal.adapters]\nacme = acme_broken\n", encoding="utf-8"
    )


def leportal(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LEPORTAL_PLUGINS"}
    env["PYTHONPATH"] = str(folder)
    return subprocess.run(
        [sys.executable, "-m", "leportal_core", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("kind", list(BROKEN))
def test_version_and_unrelated_commands_keep_working(tmp_path: Path, kind: str) -> None:
    install_fake_plugin(tmp_path, kind)
    version = leportal(tmp_path, "--version")
    assert version.returncode == 0, version.stderr
    assert "leportal, version" in version.stdout
    (warning,) = [line for line in version.stderr.splitlines() if line.startswith("warning:")]
    assert "'acme'" in warning  # named, and reported once
    assert "LEPORTAL_PLUGINS" in version.stderr
    check = leportal(tmp_path, "ik", "check", "260326822", "--json")
    assert check.returncode == 0, check.stderr
    assert json.loads(check.stdout)["ok"] is True


@pytest.mark.parametrize("kind", ["import", "unknown_hook"])
def test_plugins_command_lists_the_broken_one_with_its_reason(tmp_path: Path, kind: str) -> None:
    install_fake_plugin(tmp_path, kind)
    result = leportal(tmp_path, "plugins", "--json")
    assert result.returncode == 0, result.stderr
    listed = {p["name"]: p for p in json.loads(result.stdout)["plugins"]}
    assert listed["acme"]["status"] == "failed"
    assert listed["acme"]["distribution"] == "acme-broken"
    assert listed["acme"]["version"] == "1.0"
    expected = "libacme.so" if kind == "import" else "leportal_no_such_hook"
    assert expected in listed["acme"]["error"]
    assert listed["fhir"]["status"] == "loaded"  # the installed adapters are unaffected


def test_embedding_hosts_still_get_a_plugin_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_fake_plugin(tmp_path, "import")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("LEPORTAL_PLUGINS", "acme")
    with pytest.raises(PluginError, match=r"libacme\.so"):
        get_plugin_manager()
