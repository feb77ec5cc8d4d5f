"""The plug-in object of the ``qpr_sftp`` adapter (entry point ``leportal.adapters: qpr_sftp``).

Every hook imports what it needs when it is called: building a plug-in manager imports this
module only, not asyncssh, the command line or the demo.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

from leportal_core.hookspecs import hookimpl
from leportal_qpr_sftp import __version__

if TYPE_CHECKING:
    import click

    from leportal_core.codec import Codec
    from leportal_core.demo import DemoStep
    from leportal_core.problems import Section

ADAPTER_NAME = "qpr_sftp"
__all__ = [
    "ADAPTER_NAME",
    "__version__",
    "leportal_addhooks",
    "leportal_demo_steps",
    "leportal_register_codecs",
    "leportal_register_commands",
    "leportal_register_problem_codes",
]


@hookimpl
def leportal_addhooks(pluginmanager: pluggy.PluginManager) -> None:
    """The adapter's own hook, ``leportal_qpr_report_fetched``, known once the adapter is in."""
    from leportal_qpr_sftp.hookspecs import add_hookspecs

    add_hookspecs(pluginmanager)


@hookimpl
def leportal_register_codecs(register: Callable[[Codec[Any]], None]) -> None:
    """The adapter's codec: the JSON Abholbeleg of a fetched report."""
    from leportal_qpr_sftp.receipt import ReceiptCodec

    register(ReceiptCodec())


@hookimpl
def leportal_register_commands(cli: click.Group) -> None:
    """Add ``leportal qpr`` (``fetch``), imported when it runs."""
    from leportal_core.cli.lazy import LazyCommand

    cli.add_command(
        LazyCommand(
            "qpr", "leportal_qpr_sftp.cli:qpr", "QPR-Portal: pick up Prüfberichte over SFTP."
        )
    )


@hookimpl
def leportal_demo_steps(register: Callable[[DemoStep], None]) -> None:
    """Chapter 240: pick up Prüfberichte from a QPR-Portal SFTP folder, twice."""
    from leportal_qpr_sftp import demo

    demo.leportal_demo_steps(register=register)


@hookimpl
def leportal_register_problem_codes(register: Callable[[Section], None]) -> None:
    """Declare this adapter's problem codes (plain data in ``problem_codes.py``)."""
    from leportal_qpr_sftp.problem_codes import SECTIONS

    for section in SECTIONS:
        register(section)
