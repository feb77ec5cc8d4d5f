"""The plug-in object of the ``qpr_sftp`` adapter (entry point ``leportal.adapters: qpr_sftp``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from leportal_core import Codec, hookimpl
from leportal_qpr_sftp import __version__
from leportal_qpr_sftp.demo import leportal_demo_steps
from leportal_qpr_sftp.receipt import ReceiptCodec

if TYPE_CHECKING:
    import click

    from leportal_core.problems import Section

ADAPTER_NAME = "qpr_sftp"
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
    """The adapter's codec: the JSON Abholbeleg of a fetched report."""
    register(ReceiptCodec())


@hookimpl
def leportal_register_commands(cli: click.Group) -> None:
    """Add ``leportal qpr`` (``fetch``)."""
    from leportal_qpr_sftp.cli import qpr  # click only when the command line is built

    cli.add_command(qpr)


@hookimpl
def leportal_register_problem_codes(register: Callable[[Section], None]) -> None:
    """Declare this adapter's problem codes (plain data in ``problem_codes.py``)."""
    from leportal_qpr_sftp.problem_codes import SECTIONS

    for section in SECTIONS:
        register(section)
