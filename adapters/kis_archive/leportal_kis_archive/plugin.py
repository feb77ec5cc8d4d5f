"""The plug-in object of the ``kis_archive`` adapter (entry point ``leportal.adapters: kis_archive``).

Every hook imports what it needs when it is called: building a plug-in manager imports this
module only, not the adapter's codec, command line or demo.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from leportal_core.hookspecs import hookimpl
from leportal_kis_archive import __version__

if TYPE_CHECKING:
    import click

    from leportal_core.codec import Codec
    from leportal_core.demo import DemoStep
    from leportal_core.problems import Section

ADAPTER_NAME = "kis_archive"
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
    """The adapter's codec: Document ⇄ MDM^T02."""
    from leportal_kis_archive.codec import MdmCodec

    register(MdmCodec())


@hookimpl
def leportal_register_commands(cli: click.Group) -> None:
    """``leportal archive import|export``, imported when it runs."""
    from leportal_core.cli.lazy import LazyCommand

    cli.add_command(
        LazyCommand(
            "archive",
            "leportal_kis_archive.cli:archive",
            "Archive messages (HL7 v2 MDM) and export folders, both ways.",
        )
    )


@hookimpl
def leportal_demo_steps(register: Callable[[DemoStep], None]) -> None:
    """Chapter 210: the sample archive export read through this adapter."""
    from leportal_kis_archive.demo import register_steps

    register_steps(register)


@hookimpl
def leportal_register_problem_codes(register: Callable[[Section], None]) -> None:
    """Declare this adapter's problem codes (plain data in ``problem_codes.py``)."""
    from leportal_kis_archive.problem_codes import SECTIONS

    for section in SECTIONS:
        register(section)
