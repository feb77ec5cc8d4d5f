"""The ``leportal`` command line for people who try, script or operate the library.

Exit status: 0 done/valid, 1 the input was checked and rejected, 2 usage or configuration error,
70 an internal error (a bug: please report it; ``LEPORTAL_DEBUG=1`` shows the traceback), 74 the
store could not be used (missing, empty, damaged, locked, read-only, disk full: the problem code
says which and what to do). Bad input never shows a traceback. Plug-ins add their subcommands
through ``leportal_register_commands``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click
import pluggy

from leportal_core import __version__
from leportal_core.cli.output import emit_json, storage_failure
from leportal_core.errors import (
    ConfigurationError,
    LeportalError,
    Location,
    PluginError,
    Problem,
    StorageError,
)
from leportal_core.files import InputRefused
from leportal_core.plugins import ALLOW_LIST_ENV, load_entry_point_plugins, new_plugin_manager

__all__ = ["EXIT_INTERNAL", "EXIT_REJECTED", "EXIT_STORAGE", "EXIT_USAGE", "build_cli", "main"]

EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_STORAGE = 74  # EX_IOERR of sysexits.h, as 70 is EX_SOFTWARE
_JSON_KEY = "leportal.cli.json"


class _Group(click.Group):
    """Maps leportal errors escaping a command onto the exit-status contract."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # --json promises one JSON document on stdout, also when the command fails.
        ctx.meta[_JSON_KEY] = "--json" in args
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        as_json = bool(ctx.meta.get(_JSON_KEY))
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except StorageError as exc:
            # A command that did not report it itself: JSON when the command line asked for it.
            storage_failure(exc, as_json=as_json)
        except (PluginError, ConfigurationError) as exc:
            _fail(str(exc), EXIT_USAGE, exc.problems if as_json else None)
        except LeportalError as exc:
            _fail(str(exc), EXIT_REJECTED, exc.problems if as_json else None)
        except InputRefused as exc:  # a device, FIFO or folder given where a file belongs
            problem = Problem(
                code=exc.code, message=exc.strerror or "", location=Location(file=exc.filename)
            )
            _fail(str(problem), EXIT_REJECTED, (problem,) if as_json else None)
        except Exception as exc:
            if os.environ.get("LEPORTAL_DEBUG"):
                raise
            _fail(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in leportal or a plug-in; run with LEPORTAL_DEBUG=1 to see where.",
                EXIT_INTERNAL,
            )


def _fail(message: str, status: int, problems: Sequence[Problem] | None = None) -> NoReturn:
    if problems is not None:
        emit_json({"ok": False, "error": message, "problems": [p.as_dict() for p in problems]})
    click.echo(f"error: {message}", err=True)
    sys.exit(status)


def build_cli(pm: pluggy.PluginManager) -> click.Group:
    """A fresh ``leportal`` command group with the core's commands and every plug-in's."""
    from leportal_core.cli import billing, cases, delivery, demo, ik, pdf, plugins, store, totp

    @click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, prog_name="leportal")
    @click.pass_context
    def cli(ctx: click.Context) -> None:
        """leportal: take part in the MD's LE-Portal, QPR-Portal, eTherapiebericht and MASS."""
        ctx.obj = pm

    cli.add_command(ik.ik)
    cli.add_command(demo.demo)
    cli.add_command(pdf.pdf)
    cli.add_command(delivery.delivery)
    cli.add_command(cases.deadlines)
    cli.add_command(cases.case)
    cli.add_command(totp.totp)
    cli.add_command(billing.billing)
    cli.add_command(store.store)
    cli.add_command(plugins.plugins)
    from leportal_core.cli.problems import problems

    cli.add_command(problems)
    # One plug-in at a time, so that one whose commands break leaves the others' commands working.
    for impl in pm.hook.leportal_register_commands.get_hookimpls():
        try:
            impl.function(cli=cli)
        except Exception as exc:  # foreign code: report it, keep the rest of the CLI usable
            _warn_broken(
                f"plug-in {impl.plugin_name!r} failed to add its commands: {type(exc).__name__}: {exc}"
            )
    return cli


def _warn_broken(reason: str) -> None:
    click.echo(
        f"warning: {reason}\n"
        f"  (`leportal plugins` lists every plug-in; load only those you need with "
        f"{ALLOW_LIST_ENV}=name,name)",
        err=True,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``leportal`` script.

    A broken third-party plug-in is reported once on stderr and left out, so ``--version``,
    ``--help`` and every command that does not need it keep working.
    """
    pm = new_plugin_manager()
    for status in load_entry_point_plugins(pm, tolerate_broken=True):
        if status.status == "failed":
            _warn_broken(status.error or f"plug-in {status.name!r} failed to load")
    build_cli(pm).main(args=argv, prog_name="leportal")
