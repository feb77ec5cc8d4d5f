"""Small helpers the commands share for printing results."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from leportal_core.errors import Problem, StorageError


def emit_json(data: Any) -> None:
    """Machine-readable output: stable keys, UTF-8, one document on stdout."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))


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
            {"ok": False, "message": exc.message, "problems": [p.as_dict() for p in exc.problems]}
        )
    else:
        click.echo(f"error: {exc.message}", err=True)
        click.echo(problem_lines(exc.problems), err=True)
    sys.exit(EXIT_STORAGE)
