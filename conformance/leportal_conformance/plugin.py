"""The suite's place in leportal (entry point ``leportal.extensions: conformance``).

The hooks import the suite (and Hypothesis) only when they are called: ``leportal conformance``
is a :class:`~leportal_core.cli.lazy.LazyCommand`, the demo chapter is imported for ``leportal
demo``; the commands themselves are in :mod:`leportal_conformance.cli`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from leportal_core.hookspecs import hookimpl

if TYPE_CHECKING:
    import click

    from leportal_core.demo import DemoStep

__all__ = [
    "DEMO_MAX_EXAMPLES",
    "DEMO_SEED",
    "leportal_demo_steps",
    "leportal_register_commands",
]

# The demo must tell the same story every time, and quickly.
DEMO_SEED = 20260209
DEMO_MAX_EXAMPLES = 50


@hookimpl
def leportal_register_commands(cli: click.Group) -> None:
    """Add ``leportal conformance``, imported when it runs."""
    from leportal_core.cli.lazy import LazyCommand

    cli.add_command(
        LazyCommand(
            "conformance",
            "leportal_conformance.cli:conformance",
            "Certify leportal adapters with the conformance suite.",
        )
    )


@hookimpl
def leportal_demo_steps(register: Callable[[DemoStep], None]) -> None:
    """The suite's chapter: certify the FHIR adapter, when it is installed."""
    from leportal_conformance.cli import register_steps

    register_steps(register)
