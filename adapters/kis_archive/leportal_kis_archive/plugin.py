"""The plug-in object of the ``kis_archive`` adapter (entry point ``leportal.adapters: kis_archive``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from leportal_core import Codec, hookimpl
from leportal_kis_archive import __version__
from leportal_kis_archive.codec import MdmCodec

if TYPE_CHECKING:
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
    register(MdmCodec())


@hookimpl
def leportal_register_commands(cli: click.Group) -> None:
    """``leportal archive import|export``."""
    from leportal_kis_archive.cli import archive

    cli.add_command(archive)


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
