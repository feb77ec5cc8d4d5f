"""The core's own plug-in: its commands, codecs and demo chapters, through the same hooks as any
third party's (tox's model), registered as ``leportal.builtin`` by every plug-in manager.

Each hook imports what it needs when it is called, so building a manager stays cheap: the commands
are :class:`~leportal_core.cli.lazy.LazyCommand` placeholders, and the demo chapters (pypdf,
holidays, billing, cases…) are imported only when ``leportal demo`` asks for its steps.

The classification fallback is *not* a hook implementation: :func:`leportal_core.classification.classify`
asks the hook chain (host rules) first, then the terminology tables, and only then calls
:func:`fallback_classification`, so the table rules can sit between a host's rule and the fallback.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from leportal_core.hookspecs import hookimpl

if TYPE_CHECKING:
    import click

    from leportal_core.category import Classification
    from leportal_core.codec import Codec
    from leportal_core.demo import DemoStep
    from leportal_core.document import Document
    from leportal_core.store import Component

__all__ = [
    "COMMANDS",
    "DEMO_CHAPTERS",
    "NAME",
    "fallback_classification",
    "leportal_demo_steps",
    "leportal_register_codecs",
    "leportal_register_commands",
    "leportal_store_components",
]

NAME = "leportal.builtin"

# name, the click command's import path, the one line ``leportal --help`` shows (no import).
COMMANDS = (
    ("ik", "leportal_core.cli.ik:ik", "Institutionskennzeichen (IK): check the 9-digit number."),
    ("demo", "leportal_core.cli.demo:demo", "Walk through leportal on sample data."),
    ("pdf", "leportal_core.cli.pdf:pdf", "PDF checks before a document goes to the MD."),
    ("delivery", "leportal_core.cli.delivery:delivery", "Unterlagenlieferung: upload folder."),
    (
        "deadlines",
        "leportal_core.cli.cases:deadlines",
        "Compute a PrüfvV deadline (§§ 187-193 BGB).",
    ),
    ("case", "leportal_core.cli.cases:case", "Audit cases (Prüfverfahren) and their deadlines."),
    ("totp", "leportal_core.cli.totp:totp", "TOTP second factor (RFC 6238)."),
    ("billing", "leportal_core.cli.billing:billing", "MASS billing files (Abrechnungsdatei)."),
    ("store", "leportal_core.cli.store:store", "The embedded store (one SQLite file)."),
    ("plugins", "leportal_core.cli.plugins:plugins", "List every plug-in and whether it loaded."),
    ("problems", "leportal_core.cli.problems:problems", "Every problem code and what it means."),
)

# The core's demo chapters, each a module with a ``leportal_demo_steps`` function.
DEMO_CHAPTERS = (
    "leportal_core.demo",
    "leportal_core.delivery.demo",
    "leportal_core.cases.demo",
    "leportal_core.secondfactor.demo",
    "leportal_core.billing.demo",
)


@hookimpl
def leportal_register_commands(cli: click.Group) -> None:
    """The core's commands, imported when they run."""
    from leportal_core.cli.lazy import LazyCommand

    for name, target, short_help in COMMANDS:
        cli.add_command(LazyCommand(name, target, short_help))


@hookimpl
def leportal_register_codecs(register: Callable[[Codec[Any]], None]) -> None:
    """The shipped provisional MASS billing profile (``billing.mass_provisional_v1``)."""
    from leportal_core.billing.codec import BillingCodec
    from leportal_core.billing.profile import load_profile

    register(BillingCodec(load_profile("mass-provisional-v1")))


@hookimpl
def leportal_demo_steps(register: Callable[[DemoStep], None]) -> None:
    """The core's demo chapters (IKs, a PDF, delivery, cases, second factor, billing)."""
    for name in DEMO_CHAPTERS:
        importlib.import_module(name).leportal_demo_steps(register=register)


def fallback_classification(document: Document) -> Classification:
    """Fallback when no rule decided: *zusätzliche Unterlagen*, flagged for a person to look at."""
    from leportal_core.category import Category, Classification

    return Classification(
        category=Category.ADDITIONAL,
        rule="builtin.fallback",
        reason=f"no rule classified {document.title!r}; filed under zusätzliche Unterlagen for review",
        needs_review=True,
    )


@hookimpl
def leportal_store_components(register: Callable[[Component], None]) -> None:
    """The core's store components (imported only when asked: they are not needed to start)."""
    from leportal_core.cases.store import SCHEMA as cases
    from leportal_core.secondfactor.store import SCHEMA as secondfactor

    register(cases)
    register(secondfactor)
