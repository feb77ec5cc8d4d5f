"""The plug-in object of the ``fhir`` adapter (entry point ``leportal.adapters: fhir``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from leportal_core import Codec, hookimpl
from leportal_fhir import __version__
from leportal_fhir.demo import leportal_demo_steps
from leportal_fhir.document_reference import DocumentReferenceCodec

if TYPE_CHECKING:
    import click

    from leportal_core.problems import Section

ADAPTER_NAME = "fhir"
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
    """The adapter's codecs: Document ⇄ ISiK DocumentReference."""
    register(DocumentReferenceCodec())


@hookimpl
def leportal_register_commands(cli: click.Group) -> None:
    """Add ``leportal fhir`` (``validate``)."""
    from leportal_fhir.cli import fhir  # click only when the command line is built

    cli.add_command(fhir)


@hookimpl
def leportal_register_problem_codes(register: Callable[[Section], None]) -> None:
    """Declare this adapter's problem codes (plain data in ``problem_codes.py``)."""
    from leportal_fhir.problem_codes import SECTIONS

    for section in SECTIONS:
        register(section)
