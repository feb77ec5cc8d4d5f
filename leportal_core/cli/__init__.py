"""The ``leportal`` command line for people who try, script or operate the library.

Exit status: 0 done/valid, 1 the input was checked and rejected, 2 usage or configuration error
(also an input file that is missing, unreadable or not a regular file), 70 an internal error (a
bug: please report it; ``LEPORTAL_DEBUG=1`` shows the traceback), 74 the store could not be used
(missing, empty, damaged, locked, read-only, disk full: the problem code says which and what to
do), 141 the reader closed standard output. Bad input never shows a traceback; ``--json`` gives
one envelope for success and failure alike (:mod:`leportal_core.cli.output`). Plug-ins add their subcommands
through ``leportal_register_commands``.
"""

from __future__ import annotations

from collections.abc import Sequence

import click
import pluggy

from leportal_core import __version__
from leportal_core.cli import output
from leportal_core.cli.output import (
    EXIT_INTERNAL,
    EXIT_REJECTED,
    EXIT_STORAGE,
    EXIT_USAGE,
)
from leportal_core.cli.params import root_store_option
from leportal_core.plugins import ALLOW_LIST_ENV, load_entry_point_plugins, new_plugin_manager

__all__ = ["EXIT_INTERNAL", "EXIT_REJECTED", "EXIT_STORAGE", "EXIT_USAGE", "build_cli", "main"]


class _Group(output.ReportedGroup):
    """The root: what escapes any command is mapped onto the exit-status contract
    (:func:`leportal_core.cli.output.run_reported`)."""


def build_cli(pm: pluggy.PluginManager) -> click.Group:
    """A fresh ``leportal`` command group with every plug-in's commands, the core's included.

    The core's commands come from the built-in plug-in through ``leportal_register_commands``, as
    a third party's do; most are :class:`~leportal_core.cli.lazy.LazyCommand` placeholders, so
    ``--version`` and ``--help`` import no command module, domain package or adapter.
    """

    @click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, prog_name="leportal")
    @root_store_option
    @click.pass_context
    def cli(ctx: click.Context) -> None:
        """leportal: take part in the MD's LE-Portal, QPR-Portal, eTherapiebericht and MASS."""
        ctx.obj = pm

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
    for status in load_entry_point_plugins(pm, tolerate_broken=True, describe=False):
        if status.status == "failed":
            _warn_broken(status.error or f"plug-in {status.name!r} failed to load")
    build_cli(pm).main(args=argv, prog_name="leportal")
