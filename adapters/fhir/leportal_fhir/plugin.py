"""The plug-in object of the ``fhir`` adapter (entry point ``leportal.adapters: fhir``).

Every hook imports what it needs when it is called: building a plug-in manager imports this
module only, not the adapter's codecs, command line or demo.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from leportal_core.hookspecs import hookimpl
from leportal_fhir import __version__

if TYPE_CHECKING:
    import click

    from leportal_core.codec import Codec
    from leportal_core.demo import DemoStep
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
    from leportal_fhir.document_reference import DocumentReferenceCodec

    register(DocumentReferenceCodec())


@hookimpl
def leportal_register_commands(cli: click.Group) -> None:
    """Add ``leportal fhir`` (``validate``), imported when it runs."""
    from leportal_core.cli.lazy import LazyCommand

    cli.add_command(
        LazyCommand("fhir", "leportal_fhir.cli:fhir", "FHIR R4 DocumentReference per ISiK Stufe 3.")
    )


@hookimpl
def leportal_demo_steps(register: Callable[[DemoStep], None]) -> None:
    """Chapter 220: export the delivery as an ISiK transaction Bundle and read it back."""
    from leportal_fhir import demo

    demo.leportal_demo_steps(register=register)


@hookimpl
def leportal_register_problem_codes(register: Callable[[Section], None]) -> None:
    """Declare this adapter's problem codes (plain data in ``problem_codes.py``)."""
    from leportal_fhir.problem_codes import SECTIONS

    for section in SECTIONS:
        register(section)
