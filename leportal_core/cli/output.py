"""The one reporter of the command line, and small helpers the commands share for printing.

Every command ends in :func:`report` with a :class:`Result`, and every failure (a leportal error,
a usage error, an unreadable input, a bug) in :func:`fail`: both print ONE envelope under
``--json`` — ``{"ok": bool, "problems": [Problem.as_dict(), …], …command data}``, with ``error``
(a one-line summary) when the command could not do its work — and pick the exit status of the
documented contract (docs/cli.md): 0 done/valid, 1 checked and rejected, 2 usage or
configuration (also an input file that is missing, unreadable or not a regular file), 70 internal
error, 74 the store could not be used, 141 the reader closed standard output (``| head``).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

import attrs
import click

from leportal_core.errors import (
    ConfigurationError,
    LeportalError,
    Location,
    PluginError,
    Problem,
    StorageError,
)

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_STORAGE = 74  # EX_IOERR of sysexits.h, as 70 is EX_SOFTWARE
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE: what a shell reports for `yes | head -1`

JSON_KEY = "leportal.cli.json"
"""``ctx.meta`` key: the command line asked for ``--json`` (so failures print the envelope too)."""


@attrs.frozen  # attrs, not dataclasses: already imported, so --version stays cheap
class Result:
    """What a command did: ``ok`` (exit 0, else 1), its ``problems``, its own ``data`` for the
    JSON envelope, and ``text`` that prints it for a person."""

    ok: bool
    problems: Sequence[Problem] = ()
    data: Mapping[str, Any] = attrs.field(factory=dict)
    text: Callable[[], None] | None = None


def envelope(ok: bool, problems: Sequence[Problem], data: Mapping[str, Any]) -> dict[str, Any]:
    """The one JSON document of every command: ``ok`` and ``problems`` first, then its data."""
    if "ok" in data or "problems" in data:  # a command's data must not shadow the contract
        raise ValueError(f"command data repeats the envelope's keys: {sorted(data)}")
    return {"ok": ok, "problems": [p.as_dict() for p in problems], **data}


def report(result: Result, *, as_json: bool) -> NoReturn:
    """Print ``result`` as text or as the JSON envelope and exit with its status."""
    if as_json:
        emit_json(envelope(result.ok, result.problems, result.data))
    elif result.text is not None:
        result.text()
    finish(EXIT_OK if result.ok else EXIT_REJECTED)


def fail(message: str, status: int, problems: Sequence[Problem] = (), *, as_json: bool) -> NoReturn:
    """A command that could not do its work: under ``--json`` only the envelope (with ``error``)
    on stdout, so a host reads one document and nothing else; otherwise the message and the
    problems on stderr."""
    if as_json:
        emit_json(envelope(False, problems, {"error": shown(message)}))
    else:
        click.echo(f"error: {shown(message)}", err=True)
        if problems:
            click.echo(problem_lines(problems), err=True)
    finish(status)


def finish(status: int) -> NoReturn:
    """Flush standard output (so a closed pipe shows here, not at interpreter exit) and exit."""
    sys.stdout.flush()
    sys.exit(status)


def closed_pipe() -> NoReturn:
    """The reader of standard output went away (``leportal … | head -0``): not an error of ours.
    Exit quietly with 141; stdout points at /dev/null so Python's final flush cannot fail."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    sys.exit(EXIT_CLOSED_PIPE)


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
    fail(exc.message, EXIT_STORAGE, exc.problems, as_json=as_json)


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


def run_reported(ctx: click.Context, call: Callable[[], Any]) -> Any:
    """Run a command; map what escapes it onto the exit-status contract (docs/cli.md) with the
    one envelope: click usage errors 2, configuration and plug-in errors 2, an input file that
    cannot be used 2, the store 74, other leportal errors 1, a closed stdout 141, a bug 70."""
    as_json = bool(ctx.meta.get(JSON_KEY))
    try:
        try:
            return call()
        finally:  # a closed pipe shows here (and replaces the exit), not at interpreter exit
            sys.stdout.flush()
    except (click.exceptions.Exit, click.Abort):
        raise
    except BrokenPipeError:
        closed_pipe()
    except click.ClickException as exc:
        usage_failure(exc, as_json=as_json)
    except StorageError as exc:
        storage_failure(exc, as_json=as_json)
    except LeportalError as exc:
        usage = isinstance(exc, ConfigurationError | PluginError)
        fail(exc.message, EXIT_USAGE if usage else EXIT_REJECTED, exc.problems, as_json=as_json)
    except OSError as exc:
        problem = file_problem(exc)
        if problem is None:
            internal_failure(exc, as_json=as_json)
        fail(str(problem), EXIT_USAGE, (problem,), as_json=as_json)
    except Exception as exc:
        internal_failure(exc, as_json=as_json)


def usage_failure(exc: click.ClickException, *, as_json: bool) -> NoReturn:
    """A usage error click found (unknown option, missing argument, bad value): under ``--json``
    the envelope with ``cli.usage.invalid``; otherwise click's own text with the usage line."""
    if not as_json:
        exc.show()
        sys.exit(exc.exit_code)
    name = getattr(getattr(exc, "param", None), "opts", None)
    problem = Problem(
        code="cli.usage.invalid",
        message=shown(exc.format_message()),
        location=Location(field=name[0]) if name else Location(),
    )
    fail(problem.message, exc.exit_code, (problem,), as_json=True)


def internal_failure(exc: BaseException, *, as_json: bool) -> NoReturn:
    """A bug in leportal or a plug-in: exit 70, the traceback only with ``LEPORTAL_DEBUG=1``."""
    if os.environ.get("LEPORTAL_DEBUG"):
        raise exc
    message = f"internal error: {type(exc).__name__}: {exc}"
    problem = Problem(code="cli.internal.error", message=shown(message))
    if as_json:
        emit_json(envelope(False, (problem,), {"error": problem.message}))
    else:
        click.echo(
            f"error: {shown(message)}\n"
            "This is a bug in leportal or a plug-in; run with LEPORTAL_DEBUG=1 to see where.",
            err=True,
        )
    finish(EXIT_INTERNAL)


def file_problem(exc: OSError) -> Problem | None:
    """The problem of a file a command could not use (read or write: missing, not allowed, a
    folder, a FIFO, a full disk), or ``None`` for an OS error that is not about a named file.
    Input files are checked before a command runs (:class:`leportal_core.cli.params.InputPath`,
    ``input.*`` codes); this catches what goes wrong later."""
    from leportal_core.files import InputRefused

    if exc.filename is None:
        return None
    name = shown(os.fsdecode(exc.filename))
    reason = exc.strerror or str(exc)
    message, where = f"cannot use {name}: {reason}", Location(file=name)
    if isinstance(exc, InputRefused):
        return Problem(code=exc.code, message=message, location=where)
    return Problem(code="cli.file.unusable", message=message, location=where)


class ReportedGroup(click.Group):
    """A command group whose commands' failures go through :func:`run_reported`, also when a host
    runs the group on its own (``CliRunner().invoke(totp, …)``), not under ``leportal``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta.setdefault(JSON_KEY, "--json" in args)
        return run_reported(ctx, lambda: super(ReportedGroup, self).parse_args(ctx, args))  # type: ignore[no-any-return]

    def invoke(self, ctx: click.Context) -> Any:
        return run_reported(ctx, lambda: super(ReportedGroup, self).invoke(ctx))


class ReportedCommand(click.Command):
    """A command outside any :class:`ReportedGroup` (``leportal deadlines``), reported the same
    way when a host runs it on its own."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta.setdefault(JSON_KEY, "--json" in args)
        return run_reported(ctx, lambda: super(ReportedCommand, self).parse_args(ctx, args))  # type: ignore[no-any-return]

    def invoke(self, ctx: click.Context) -> Any:
        return run_reported(ctx, lambda: super(ReportedCommand, self).invoke(ctx))
