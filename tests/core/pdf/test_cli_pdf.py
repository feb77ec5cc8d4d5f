"""``leportal pdf check`` through the real root group: exit codes, JSON, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click
from click.testing import CliRunner

from leportal_core.cli import build_cli
from leportal_core.cli.pdf import pdf
from leportal_core.plugins import new_plugin_manager
from tests.core.pdf import makepdf

HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "encrypted.pdf": (makepdf.encrypted, "pdf.encrypted"),
    "truncated.pdf": (lambda: makepdf.simple()[:-40], "pdf.damaged"),
    "garbage.pdf": (makepdf.garbage_with_header, "pdf.damaged"),
    "bomb.pdf": (lambda: makepdf.metadata_bomb(64), "pdf.decompression_bomb"),
    "loop.pdf": (makepdf.page_tree_loop, "pdf.damaged"),
    "deep.pdf": (makepdf.deep_direct_nesting, "pdf.too_complex"),
    "js.pdf": (makepdf.javascript, "pdf.active_content.javascript"),
    "empty.pdf": (lambda: b"", "pdf.empty"),
}


def cli() -> click.Group:
    root = build_cli(new_plugin_manager())
    root.add_command(pdf)
    return root


def test_good_file_exits_zero(tmp_path: Path) -> None:
    path = tmp_path / "ok.pdf"
    path.write_bytes(makepdf.simple())
    result = CliRunner().invoke(cli(), ["pdf", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "ok (1 pages, PDF 1.7" in result.output


def test_hostile_files_are_rejected_with_codes_and_no_traceback(tmp_path: Path) -> None:
    paths = []
    for name, (build, _) in HOSTILE.items():
        (tmp_path / name).write_bytes(build())
        paths.append(str(tmp_path / name))
    result = CliRunner().invoke(cli(), ["pdf", "check", "--json", *paths])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    data = json.loads(result.output)
    assert data["ok"] is False
    got = {Path(r["path"]).name: [p["code"] for p in r["problems"]] for r in data["results"]}
    assert got == {name: [code] for name, (_, code) in HOSTILE.items()}
    first = data["results"][0]
    assert set(first) >= {"path", "ok", "pages", "encrypted", "pdfa", "sha256", "size", "problems"}
    assert first["encrypted"] is True


def test_human_output_explains_and_max_size_applies(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(makepdf.simple())
    result = CliRunner().invoke(cli(), ["pdf", "check", "--max-size", "10", str(path)])
    assert result.exit_code == 1
    assert "REJECTED" in result.output
    assert "pdf.too_large" in result.output


def test_missing_file_and_bad_option(tmp_path: Path) -> None:
    # A missing input is refused before any check, as by every command (docs/cli.md): exit 2.
    result = CliRunner().invoke(cli(), ["pdf", "check", "--json", str(tmp_path / "nope.pdf")])
    assert result.exit_code == 2
    data = json.loads(result.output)
    assert data["ok"] is False
    assert [p["code"] for p in data["problems"]] == ["input.file.missing"]
    assert data["problems"][0]["location"]["file"] == str(tmp_path / "nope.pdf")
    usage = CliRunner().invoke(cli(), ["pdf", "check", "--max-size", "0", "x.pdf"])
    assert usage.exit_code == 2


def test_warn_policy_accepts_active_content(tmp_path: Path) -> None:
    path = tmp_path / "js.pdf"
    path.write_bytes(makepdf.javascript())
    result = CliRunner().invoke(
        pdf, ["check", "--active-content", "warn", str(path)], obj=new_plugin_manager()
    )
    assert result.exit_code == 0
    assert "pdf.active_content.javascript" in result.output
