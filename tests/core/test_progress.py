"""One progress helper for long commands: a status line on a terminal only, never garbling output."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from leportal_core.cli import billing as billing_cli
from leportal_core.cli import build_cli
from leportal_core.cli.output import Progress
from leportal_core.plugins import new_plugin_manager

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "billing"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_status_line_on_a_terminal_is_cleared_before_other_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    monkeypatch.setenv("TERM", "xterm")
    with Progress() as progress:
        progress.update("  10,000 lines checked")
        progress.update("  20,000 lines checked")  # within 0.1 s: not redrawn
    assert screen.getvalue() == "\r  10,000 lines checked\x1b[K\r\x1b[K"


@pytest.mark.parametrize("terminal", [True, False])
def test_no_status_line_for_json_or_a_pipe(monkeypatch: pytest.MonkeyPatch, terminal: bool) -> None:
    screen = Terminal() if terminal else io.StringIO()
    monkeypatch.setattr("sys.stderr", screen)
    monkeypatch.setenv("TERM", "xterm")
    with Progress(enabled=not terminal) as progress:  # --json on a terminal, or a plain pipe
        progress.update("  working")
    assert screen.getvalue() == ""


def test_billing_lists_the_first_problems_on_a_terminal_and_counts_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    faulty = str(SAMPLES / "mass-2026-10-fehlerhaft.csv")
    cli = build_cli(new_plugin_manager())
    everything = CliRunner().invoke(cli, ["billing", "validate", faulty])
    listed = [line for line in everything.output.splitlines() if ": billing." in line]
    assert len(listed) > 3
    monkeypatch.setattr(billing_cli, "for_a_person", lambda: True)
    monkeypatch.setattr(billing_cli, "TTY_PROBLEM_LINES", 3)
    short = CliRunner().invoke(cli, ["billing", "validate", faulty])
    assert short.exit_code == everything.exit_code == 1
    assert [line for line in short.output.splitlines() if ": billing." in line] == listed[:3]
    assert f"… and {len(listed) - 3} more" in short.output
