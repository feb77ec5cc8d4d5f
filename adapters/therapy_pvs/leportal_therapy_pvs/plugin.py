"""The plug-in object of the ``therapy_pvs`` adapter (entry point ``leportal.adapters: therapy_pvs``).

Every hook imports what it needs when it is called: building a plug-in manager imports this
module only, not fpdf2, the command line or the demo.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from leportal_core.hookspecs import hookimpl
from leportal_therapy_pvs import __version__

if TYPE_CHECKING:
    import click

    from leportal_core.codec import Codec
    from leportal_core.demo import DemoStep

if TYPE_CHECKING:
    from leportal_core.problems import Section

ADAPTER_NAME = "therapy_pvs"
__all__ = [
    "ADAPTER_NAME",
    "__version__",
    "leportal_demo_steps",
    "leportal_register_codecs",
    "leportal_register_commands",
    "leportal_register_problem_codes",
]


@hookimpl
def leportal_register_codecs(register: Callable[[Codec[Any]], None]) -> None:
    """Patient ⇄ GDT 6301, result ⇄ GDT 6310, report ⇄ JSON report form."""
    from leportal_therapy_pvs.codecs import GdtPatientCodec, GdtResultCodec, ReportJsonCodec

    register(GdtPatientCodec())
    register(GdtResultCodec())
    register(ReportJsonCodec())


@hookimpl
def leportal_register_commands(cli: click.Group) -> None:
    """``leportal therapy render|send|history|gdt``, imported when it runs."""
    from leportal_core.cli.lazy import LazyCommand

    cli.add_command(
        LazyCommand(
            "therapy",
            "leportal_therapy_pvs.cli:therapy",
            "eTherapiebericht: render, send over KIM, Versandhistorie, GDT.",
        )
    )


@hookimpl
def leportal_demo_steps(register: Callable[[DemoStep], None]) -> None:
    """Chapters 230–239: render, send to a local SMTP server, show the history, GDT."""
    from leportal_therapy_pvs.demo import steps

    for step in steps():
        register(step)


@hookimpl
def leportal_register_problem_codes(register: Callable[[Section], None]) -> None:
    """Declare this adapter's problem codes (plain data in ``problem_codes.py``)."""
    from leportal_therapy_pvs.problem_codes import SECTIONS

    for section in SECTIONS:
        register(section)
