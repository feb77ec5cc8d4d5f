from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from leportal_core import __version__
from leportal_core.cli import build_cli
from leportal_core.plugins import new_plugin_manager

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_cli(new_plugin_manager()), list(args))
    return result.exit_code, result.output


def test_version() -> None:
    status, output = run("--version")
    assert status == 0
    assert __version__ in output


def test_valid_ik_exits_0() -> None:
    status, output = run("ik", "check", "260326822")
    assert status == 0
    assert "260326822: valid" in output


def test_invalid_ik_exits_1_with_checksum_code() -> None:
    status, output = run("ik", "check", "260326823")
    assert status == 1
    assert "ik.checksum" in output


def test_ik_json_lists_each_number() -> None:
    status, output = run("ik", "check", "260326822", "26032682", "--json")
    assert status == 1
    data = json.loads(output)
    assert data["ok"] is False
    assert [p["code"] for p in data["problems"]] == ["ik.length"]
    first, second = data["results"]
    assert first["valid"] is True
    assert first["region"] == {"code": "03", "name": "Niedersachsen"}
    assert first["classification"]["code"] == "26"
    assert second["valid"] is False
    assert [p["code"] for p in second["problems"]] == ["ik.length"]


def test_usage_error_exits_2() -> None:
    status, _ = run("ik", "check")
    assert status == 2
    status, _ = run("no-such-command")
    assert status == 2


def test_demo_without_samples_is_a_usage_error(tmp_path: Path) -> None:
    status, output = run("demo", "--samples", str(tmp_path))
    assert status == 2
    assert "no sample data" in output
    assert "Traceback" not in output


def _script(*args: str, plugins: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEPORTAL_PLUGINS": plugins}
    code = "import sys; from leportal_core.cli import main; sys.argv[0] = 'leportal'; main(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (("ik", "check", "260326822"), 0),
        (("ik", "check", "26\udcff0326822"), 1),
        (("ik", "check", ""), 1),
        (("ik", "check", "--json", "2603 2682 2", "abc"), 1),
        (("ik", "--bogus"), 2),
    ],
)
def test_real_entry_point_never_shows_a_traceback(args: tuple[str, ...], status: int) -> None:
    result = _script(*args)
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_broken_plugin_is_named_and_left_out(tmp_path: Path) -> None:
    # A distribution whose entry point cannot be imported, found through sys.path.
    dist = tmp_path / "broken_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[leportal.adapters]\nbroken = no_such_module_anywhere\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    env.pop("LEPORTAL_PLUGINS", None)
    result = subprocess.run(
        [sys.executable, "-c", "from leportal_core.cli import main; main(['--version'])"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0  # the others keep working (tests/core/test_broken_plugins.py)
    assert "'broken'" in result.stderr
    assert "LEPORTAL_PLUGINS" in result.stderr
    assert "Traceback" not in result.stderr
