"""Small helpers the commands share for printing results."""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import time
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from leportal_core.errors import ConfigurationError, Location, Problem, StorageError


def emit_json(data: Any) -> None:
    """Machine-readable output: stable keys, UTF-8, one document on stdout. Always valid JSON
    (RFC 8259): a non-finite number becomes ``null`` (JSON has no NaN), ``-0.0`` becomes ``0.0``,
    and text that came from non-UTF-8 input is shown with U+FFFD."""
    click.echo(json.dumps(_json_safe(data), ensure_ascii=False, indent=2, allow_nan=False))


def _json_safe(value: Any) -> Any:
    if isinstance(value, float):
        return value + 0.0 if math.isfinite(value) else None  # -0.0 + 0.0 == 0.0
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, dict):
        return {_json_safe(k) if isinstance(k, str) else k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def problem_lines(problems: Sequence[Problem]) -> str:
    """Problems as indented lines for people."""
    return "\n".join(f"    {problem}" for problem in problems)


def shown(text: str) -> str:
    """User input made safe to print: bytes that were not UTF-8 on the command line (surrogate
    escapes) become U+FFFD instead of leaking invalid UTF-8 into our output."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def storage_failure(exc: StorageError, *, as_json: bool = False) -> NoReturn:
    """Report a store that could not be used and exit with ``EXIT_STORAGE`` (74), for any command."""
    from leportal_core.cli import EXIT_STORAGE

    if as_json:
        emit_json(
            {"ok": False, "error": exc.message, "problems": [p.as_dict() for p in exc.problems]}
        )
    else:
        click.echo(f"error: {exc.message}", err=True)
        click.echo(problem_lines(exc.problems), err=True)
    sys.exit(EXIT_STORAGE)


def utf8_option(_ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A click callback refusing option values that were not UTF-8 on the command line (they
    arrive as surrogate escapes and cannot be stored, compared or printed faithfully)."""
    for text in value if isinstance(value, tuple) else (value,):
        if isinstance(text, str) and text != shown(text):
            name = (param.opts or [str(param.name)])[0]
            raise ConfigurationError(
                f"{name} is not UTF-8 text",
                [
                    Problem(
                        code="cli.option.encoding",
                        message=f"{name} {shown(text)!r} has bytes that are not UTF-8",
                        location=Location(field=name),
                    )
                ],
            )
    return value


# Problems printed for a person on a terminal; the rest is counted ("… and N more").
TTY_PROBLEM_LINES = 50


def for_a_person() -> bool:
    """Output goes to a terminal (not a pipe or file), so it may be shortened for reading."""
    return sys.stdout.isatty()


class Progress:
    """One status line on stderr for long work: shown only on a terminal and never with
    ``--json``; cleared before anything else is printed and at the end, so it never garbles
    the output (plain text, no colour: ``NO_COLOR`` has nothing to switch off)."""

    def __init__(self, *, enabled: bool = True) -> None:
        self._on = enabled and sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
        self._shown = False
        self._last = 0.0

    def update(self, text: str) -> None:
        """Show ``text`` as the status (at most ten times a second)."""
        if not self._on or time.monotonic() - self._last < 0.1:
            return
        self._last = time.monotonic()
        width = max(shutil.get_terminal_size().columns - 1, 10)
        click.echo("\r" + shown(text)[:width] + "\x1b[K", err=True, nl=False)
        self._shown = True

    def clear(self) -> None:
        """Remove the status line (call before printing anything else)."""
        if self._shown:
            click.echo("\r\x1b[K", err=True, nl=False)
            self._shown = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *_: object) -> None:
        self.clear()
