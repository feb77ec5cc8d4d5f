"""Parameters every command shares, each defined once: ``--json``, the date type, input files,
the output path ``--out`` and the store (``leportal --store PATH_OR_URL`` / ``LEPORTAL_STORE``).

Old spellings stay as hidden, deprecated aliases (docs/cli.md lists them), so scripts keep working.
"""

from __future__ import annotations

import datetime
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import click

from leportal_core.cli.output import shown
from leportal_core.errors import ConfigurationError, Location, Problem

__all__ = [
    "DATE",
    "STORE_ENV",
    "AliasOption",
    "DateType",
    "InputPath",
    "json_option",
    "out_option",
    "root_store_option",
    "store_alias_option",
    "store_location",
]

F = TypeVar("F", bound=Callable[..., Any])

# click's ParamType is generic only from 8.4 on; the floor (8.2) cannot subscript it at run time.
if TYPE_CHECKING:
    _DateParam = click.ParamType[datetime.date]
    _PathParam = click.ParamType[Path]
else:
    _DateParam = _PathParam = click.ParamType

STORE_ENV = "LEPORTAL_STORE"
_STORE_KEY = "leportal.cli.store"


class AliasOption(click.Option):
    """An option whose old names still work but are not shown in ``--help`` (deprecated)."""

    def __init__(self, *args: Any, hidden_aliases: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hidden_aliases = tuple(hidden_aliases)

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        shown_opts, self.opts = self.opts, [o for o in self.opts if o not in self.hidden_aliases]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = shown_opts


class DateType(_DateParam):
    """A civil date as ISO ``2026-03-02`` or German ``02.03.2026``; gives a ``datetime.date``."""

    name = "date"
    formats = ("%Y-%m-%d", "%d.%m.%Y")

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime.date):
            return value
        for pattern in self.formats:
            try:
                return datetime.datetime.strptime(value, pattern).date()
            except ValueError:
                continue
        self.fail(
            f"{shown(str(value))!r} is not a date: use JJJJ-MM-TT or TT.MM.JJJJ "
            "(e.g. 2026-03-02 or 02.03.2026)",
            param,
            ctx,
        )


DATE = DateType()


class InputPath(_PathParam):
    """A file (or, with ``dir_okay``, a folder) the command reads, checked before it runs: a
    missing path (``input.file.missing``), one it may not read (``input.file.unreadable``) or one that is
    not a regular file — a folder, FIFO or device (``input.not_regular``) — is a configuration
    error with that code (exit 2), the same for every command."""

    name = "file"

    def __init__(self, *, dir_okay: bool = False, allow_dash: bool = False) -> None:
        self.dir_okay = dir_okay
        self.allow_dash = allow_dash
        self.name = "path" if dir_okay else "file"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = os.fsdecode(value) if isinstance(value, bytes | os.PathLike) else str(value)
        if self.allow_dash and text == "-":
            return Path(text)
        refusal = self._refusal(text)
        if refusal is not None:
            name = shown(text)
            field = (param.opts or [str(param.name)])[0] if param is not None else None
            problem = Problem(
                code=refusal.code,
                message=f"{name}: {refusal.reason}",
                location=Location(file=name, field=field),
            )
            raise ConfigurationError(f"cannot read {name}: {refusal.reason}", [problem])
        return Path(text)

    def _refusal(self, text: str) -> _Refusal | None:
        try:
            mode = os.stat(text).st_mode
        except FileNotFoundError:
            return _Refusal(code="input.file.missing", reason="no such file or folder")
        except OSError as exc:
            return _Refusal(code="input.file.unreadable", reason=exc.strerror or str(exc))
        if stat.S_ISDIR(mode) and not self.dir_okay:
            return _Refusal(code="input.not_regular", reason="a folder, not a file")
        if not stat.S_ISDIR(mode) and not stat.S_ISREG(mode):
            return _Refusal(
                code="input.not_regular", reason="not a regular file (a FIFO, device or socket)"
            )
        wanted = os.R_OK | os.X_OK if stat.S_ISDIR(mode) else os.R_OK
        if not os.access(text, wanted):
            return _Refusal(code="input.file.unreadable", reason="permission denied")
        return None


class _Refusal(NamedTuple):
    code: str
    reason: str


def json_option(function: F) -> F:
    """``--json``: print the one JSON envelope (docs/cli.md) instead of text."""
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        help='Print one JSON document {"ok", "problems", …} instead of text.',
    )(function)


def out_option(
    help_text: str,
    *,
    name: str = "out",
    required: bool = False,
    file_okay: bool = True,
    dir_okay: bool = True,
    aliases: Sequence[str] = (),
    **kwargs: Any,
) -> Callable[[F], F]:
    """``--out PATH``, the one name of every output path; ``aliases`` are the old, deprecated
    spellings (accepted, not shown)."""
    return click.option(
        "--out",
        *aliases,
        name,
        cls=AliasOption,
        hidden_aliases=aliases,
        required=required,
        type=click.Path(path_type=Path, file_okay=file_okay, dir_okay=dir_okay),
        help=help_text,
        **kwargs,
    )


def _remember_store(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[_STORE_KEY] = value


def root_store_option(function: F) -> F:
    """``leportal --store PATH_OR_URL`` (or ``LEPORTAL_STORE``): the store every command uses."""
    return click.option(
        "--store",
        envvar=STORE_ENV,
        metavar="PATH_OR_URL",
        expose_value=False,
        callback=_remember_store,
        help=f"The store every command uses (made once by `leportal store init`); or {STORE_ENV}.",
    )(function)


def store_alias_option(function: F) -> F:
    """The old per-command ``--store PATH`` (deprecated, hidden): wins over the root's."""
    return click.option(
        "--store",
        "store_alias",
        hidden=True,
        help="Deprecated: use `leportal --store PATH_OR_URL …` or LEPORTAL_STORE.",
    )(function)


def store_location(ctx: click.Context, alias: str | None = None) -> str | None:
    """The store named for this command, as given (a path or URL; the store judges it)."""
    return alias if alias is not None else ctx.meta.get(_STORE_KEY)


def required_store(ctx: click.Context, alias: str | None = None) -> str:
    """:func:`store_location`, or a usage error (exit 2) when no store is named."""
    location = store_location(ctx, alias)
    if not location:
        raise click.UsageError(
            f"name the store: leportal --store PATH_OR_URL … or {STORE_ENV}", ctx
        )
    return location
