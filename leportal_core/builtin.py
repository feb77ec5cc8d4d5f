"""Built-in behaviour, registered through the plug-in manager like any plug-in (as tox does).

The classification fallback is *not* a hook implementation: :func:`leportal_core.classification.classify`
asks the hook chain (host rules) first, then the terminology tables, and only then calls
:func:`fallback_classification`, so the table rules can sit between a host's rule and the fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from leportal_core.category import Category, Classification
from leportal_core.document import Document
from leportal_core.hookspecs import hookimpl

if TYPE_CHECKING:
    from leportal_core.store import Component

__all__ = ["fallback_classification"]


def fallback_classification(document: Document) -> Classification:
    """Fallback when no rule decided: *zusätzliche Unterlagen*, flagged for a person to look at."""
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
